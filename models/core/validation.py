"""Validation shared by every area: quantities of each kind of help, money units, availability windows.

Imports models.core only. Each rule raises a ValidationError with a catalogue code on a named field,
so the page can show the sentence at that field.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from models.core.enums import HelpKind
from models.core.errors import ValidationError

# Above this a quantity is a typing mistake, not a pledge (10^15 rials is 100 trillion toman).
MAX_QUANTITY = {
    HelpKind.FINANCIAL: 10**15,
    HelpKind.LOGISTICS: 100_000,
    HelpKind.DESIGN: 100_000,
    HelpKind.EXECUTION: 1_000_000,
}
SKILLED_KINDS = (HelpKind.DESIGN, HelpKind.EXECUTION)
# Money may be typed in either unit; it is stored as rials (1 toman = 10 rials).
RIALS_PER_MONEY_UNIT = {"rial": 1, "toman": 10}


def validate_quantity(kind: HelpKind, quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError("quantity_not_integer", field="quantity")
    if quantity <= 0:
        raise ValidationError("quantity_not_positive", field="quantity")
    if quantity > MAX_QUANTITY[kind]:
        raise ValidationError("quantity_too_large", field="quantity", maximum=MAX_QUANTITY[kind])
    return quantity


def help_kind(kind: object) -> HelpKind:
    """The kind of help named by `kind`, or ValidationError("kind_unknown")."""
    if not isinstance(kind, str):
        raise ValidationError("kind_unknown", field="kind")
    try:
        return HelpKind(kind)
    except ValueError:
        raise ValidationError("kind_unknown", field="kind") from None


def quantity_from_input(kind: object, amount: object, unit: str | None = None) -> int:
    """The stored quantity for an amount the citizen typed (already turned into a Decimal by the page).

    `amount` None means the text was not a number. Money comes in toman or rial (`unit`) and is
    returned as whole rials; other kinds count whole units. Zero, negative, fractional, absurdly
    large and non-numeric amounts each raise their own ValidationError on the field "quantity".
    """
    kind = help_kind(kind)
    if isinstance(amount, bool) or amount is None:
        raise ValidationError("quantity_not_number", field="quantity")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValidationError("quantity_not_number", field="quantity") from None
    if not value.is_finite():
        raise ValidationError("quantity_not_number", field="quantity")
    if kind is HelpKind.FINANCIAL:
        factor = RIALS_PER_MONEY_UNIT.get(unit or "")
        if factor is None:
            raise ValidationError("money_unit_unknown", field="unit")
        value = value * factor
    if value <= 0:
        raise ValidationError("quantity_not_positive", field="quantity")
    if value > MAX_QUANTITY[kind]:
        raise ValidationError("quantity_too_large", field="quantity", maximum=MAX_QUANTITY[kind])
    if value != value.to_integral_value():
        code = "quantity_fractional_rial" if kind is HelpKind.FINANCIAL else "quantity_not_integer"
        raise ValidationError(code, field="quantity")
    if kind is HelpKind.FINANCIAL and unit == "toman" and value % 10:
        # «۱٫۵ تومان» is 15 rials: a whole number of rials, but nobody gives one and a half toman
        raise ValidationError("quantity_fractional_toman", field="quantity")
    return validate_quantity(kind, int(value))


# Above this (in rials: 100 million toman) the pledge form asks "do you really mean …?" before it saves.
CONFIRM_MONEY_ABOVE = 10**9


def validate_window(start: date | None, end: date | None) -> None:
    if (start is None) != (end is None):
        raise ValidationError("window_incomplete", field="window")
    if start is not None and (not isinstance(start, date) or not isinstance(end, date)):
        raise ValidationError("window_invalid", field="window")
    if start is not None and end is not None and end < start:
        raise ValidationError("window_inverted", field="window")


# How long a chair election stays open, one rule for the table page and /admin (issue 20): whole days.
ELECTION_DAYS = (1, 60)
ELECTION_DAYS_DEFAULT = 14


def election_days(days: object) -> int:
    """The number of days an election stays open (already read from the form: an int, or None when what was
    typed is not a whole number); ValidationError("election_days_out_of_range") on the field "days"."""
    low, high = ELECTION_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise ValidationError("election_days_out_of_range", field="days", minimum=low, maximum=high)
    return days

