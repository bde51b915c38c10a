"""Sentences for the error codes of the citizen's journey: typing a pledge, withdrawing it."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "money_unit_unknown": _l("Choose toman or rial."),
    "quantity_fractional_rial": _l("An amount of money must be a whole number of rials (toman with at most one "
                                   "decimal place)."),
    "quantity_not_number": _l("Please type a number, for example ۱۲۰۰۰۰۰ or 1,200,000."),
    "quantity_required": _l("Please say how much you offer."),
    "table_unknown": _l("Choose tables from the list."),
    "window_in_past": _l("Your availability has already ended; choose dates from today on."),
    "withdrawable_changed": _l("This pledge changed while you were deciding (a chair may have accepted part of it). "
                               "Nothing was withdrawn; please look again."),
}
