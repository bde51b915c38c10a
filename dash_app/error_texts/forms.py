"""Sentences for the error codes of the forms' shared machinery: one-time tokens, typed amounts."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "form_token_invalid": _l("This form is out of date. Please reload the page and try again."),
    "cost_invalid_toman": _l("The estimated cost must be a whole number of toman, zero or more."),
    "quantity_separator_unclear": _l("A comma here is unclear: group thousands in threes (1,500,000) and write "
                                     "decimals with a point (1.5)."),
    "quantity_fractional_toman": _l("Please type a whole number of toman (or choose rial)."),
    "election_days_out_of_range": _l("Voting stays open for %(minimum)s to %(maximum)s days: please type a whole "
                                     "number of days in that range."),
    "record_number_invalid": _l("The record number must be a whole number, for example ۱۲۳ or 123."),
    "form_token_used": _l("This form was already used for something else. Please reload the page and try again."),
}
