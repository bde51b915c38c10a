"""Sentences for the error codes of one-time codes, notification preferences and unsubscribe links (issue 23)."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "code_too_soon": _l("A code was sent a moment ago. You can ask for a new one in %(seconds)s seconds."),
    "code_limit_number": _l("Too many codes were asked for this number in the last hour. Try again later."),
    "code_limit_address": _l("Too many codes were asked from this connection in the last hour. Try again later."),
    "code_purpose_invalid": _l("This form cannot send a code."),
    "code_wrong": _l("This code is not right, or it has expired or been used. Check it, or ask for a new one."),
    "notification_group_invalid": _l("There is no such kind of notification."),
    "notification_channel_invalid": _l("Choose off, in the app, SMS, e-mail, or SMS and e-mail."),
    "notification_frequency_invalid": _l("Choose at once or once a day."),
    "unsubscribe_link_invalid": _l("This link does not work. You can choose which messages you get on your "
                                   "account page."),
}
