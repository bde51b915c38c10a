"""Sentences for the error codes of reaching people about accepted help: contact sharing, messages, the name
choice (issue 20 item 13)."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "choice_invalid": _l("Choose yes or no."),
    "contact_channel_invalid": _l("Choose your phone or your e-mail."),
    "contact_channel_missing": _l("Your account has no such contact; choose the other one."),
    "contact_not_accepted": _l("Only a contribution the chair has accepted can be coordinated."),
    "table_has_no_chair": _l("This table has no chair at the moment; try again when one is elected."),
    "not_in_this_thread": _l("Only the citizen and the chair of this table can read and write these messages."),
    "message_required": _l("Please write a message."),
    "message_too_long": _l("A message can have at most %(maximum)s characters."),
    "messages_closed": _l("This contribution is no longer accepted, so no more messages can be sent about it."),
    "thread_full": _l("This conversation has reached %(maximum)s messages; please talk by phone instead."),
}
