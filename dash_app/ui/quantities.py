"""A quantity in its kind's unit, in the reader's language: money in toman, the rest in their units.

Imports dash_app.i18n and models.core.enums.
"""
from __future__ import annotations

from dash_app.i18n import _, format_money, format_number
from models.core.enums import HelpKind


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


__all__ = ["quantity_text", "unit_label"]
