"""Sentences for the error codes of the forms' shared machinery: one-time tokens, typed amounts."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "form_token_invalid": _l("This form is out of date. Please reload the page and try again."),
    "cost_invalid_toman": _l("The estimated cost must be a whole number of toman, zero or more."),
    "form_token_used": _l("This form was already used for something else. Please reload the page and try again."),
}
