"""A quantity in its kind's unit, in the reader's language: money in toman, the rest in their units; and the
one reader of amounts people type (digits of any script, separators, «هزار»/«میلیون» words).

Imports dash_app.i18n, models.core.enums and models.core.errors.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from dash_app.i18n import _, format_money, format_number, localise_digits, to_latin_digits
from models.core.enums import HelpKind
from models.core.errors import ValidationError


def quantity_text(kind: HelpKind | str, quantity: int, lang: str | None = None) -> str:
    """E.g. «۵۰۰٬۰۰۰ تومان», «۱۲ نفر-ساعت», "1 unit-day", "8 expert hours"."""
    kind = HelpKind(kind)
    if kind is HelpKind.FINANCIAL:
        return format_money(int(quantity), lang)
    n = format_number(quantity, lang)
    one = quantity == 1
    if kind is HelpKind.LOGISTICS:
        return _("%(n)s unit-day", n=n) if one else _("%(n)s unit-days", n=n)
    if kind is HelpKind.DESIGN:
        return _("%(n)s expert hour", n=n) if one else _("%(n)s expert hours", n=n)
    return _("%(n)s person-hour", n=n) if one else _("%(n)s person-hours", n=n)


def unit_label(kind: HelpKind | str) -> str:
    """The unit a quantity of this kind is typed in (money: toman)."""
    return {HelpKind.FINANCIAL: _("toman"), HelpKind.LOGISTICS: _("unit-days"), HelpKind.DESIGN: _("expert hours"),
            HelpKind.EXECUTION: _("person-hours")}.get(HelpKind(kind), "")


# Words people write amounts with: «۵۰۰ هزار»، «۱٫۵ میلیون»، «۲ میلیارد», "500 thousand", "1.5 million".
AMOUNT_WORDS = {"هزار": 10**3, "میلیون": 10**6, "ملیون": 10**6, "میلیارد": 10**9, "ملیارد": 10**9,
                "thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9}
_MINUS = "-\u2212\u2012\u2013"   # ASCII, the minus sign format_number writes in Persian, dashes
_PART = re.compile(r"^(?P<num>[0-9.,]*)\s*(?P<word>[^\s0-9.,]*)$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")


def _number(text: str) -> Decimal:
    """One number with an optional decimal point; commas only as thousands separators (groups of three:
    «1,5» is refused rather than read as 15)."""
    if "," in text:
        if not _GROUPED.match(text):
            raise ValidationError("quantity_separator_unclear", field="quantity")
        text = text.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):
        raise ValidationError("quantity_not_number", field="quantity")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationError("quantity_not_number", field="quantity") from None


def parse_amount(text: object) -> Decimal:
    """What a person typed as an amount, as a Decimal (sign kept, so that zero and negatives get their own
    sentence). Any digits; ٬ , and spaces or ZWNJ between groups; ٫ or . as the decimal point; words:
    «۵۰۰ هزار» = 500000, «۱ میلیون و ۲۰۰ هزار» = 1200000, "1.5 million".

    Raises ValidationError on the field "quantity": "quantity_required" (empty), "quantity_separator_unclear"
    («1,5»: a decimal comma or a missing digit?), "quantity_not_number" (anything else)."""
    if not isinstance(text, (str, int)) or isinstance(text, bool):
        raise ValidationError("quantity_not_number", field="quantity")
    raw = to_latin_digits(str(text)).strip().lower().replace("\u200c", " ").replace("_", "")
    if not raw:
        raise ValidationError("quantity_required", field="quantity")
    if len(raw) > 64:
        raise ValidationError("quantity_not_number", field="quantity")
    sign = 1
    if raw[0] in _MINUS:
        sign, raw = -1, raw[1:].strip()
    elif raw[0] == "+":
        raw = raw[1:].strip()
    parts = [p.strip() for p in re.split(r"\s+(?:و|and)\s+|\s*\+\s*", raw) if p.strip()]
    if not parts:
        raise ValidationError("quantity_not_number", field="quantity")
    total = Decimal(0)
    last_scale = None
    for part in parts:
        words = part.split()
        if len(words) > 1 and all(re.fullmatch(r"\d{1,3}", w) for w in words[1:]) and re.fullmatch(r"\d{1,3}", words[0]):
            part = ",".join(words)   # «1 200 000»: groups separated by spaces
        elif len(words) == 2 and words[1] in AMOUNT_WORDS:
            part = words[0] + words[1]
        m = _PART.match(part.replace(" ", ""))
        if not m or (not m.group("num") and not m.group("word")):
            raise ValidationError("quantity_not_number", field="quantity")
        word = m.group("word")
        if word and word not in AMOUNT_WORDS:
            raise ValidationError("quantity_not_number", field="quantity")
        scale = AMOUNT_WORDS.get(word, 1)
        if last_scale is not None and scale >= last_scale:
            raise ValidationError("quantity_not_number", field="quantity")  # «۵ هزار و ۲ میلیون»
        last_scale = scale
        number = _number(m.group("num")) if m.group("num") else Decimal(1)
        total += number * scale
    return sign * total


def id_text(value: int, lang: str | None = None) -> str:
    """A record's number as people quote it: the language's digits, never thousands separators («شماره ۵۰۰۱»)."""
    return localise_digits(str(int(value)), lang)


__all__ = ["AMOUNT_WORDS", "id_text", "parse_amount", "quantity_text", "unit_label"]
