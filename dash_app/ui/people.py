"""Telling people apart in the governorate's lists (issue 20: four people of the same name were told apart only
by their full phone number): an account number, a masked phone, the district, the roles.

Imports dash_app.i18n and dash_app.ui.names.
"""
from __future__ import annotations

from typing import Any

from dash_app.i18n import _, localise_digits, resolve_language
from dash_app.ui.names import name_in

# Asterisks, not bullets: a bullet reads as the Persian zero «۰» (a dot), «۰۹۱۲•••۴۵۶۷» as «۰۹۱۲۰۰۰۴۵۶۷».
MASK = "***"


def masked_phone(phone: str | None, lang: str | None = None) -> str:
    """'+989121234567' -> '۰۹۱۲***۴۵۶۷' (fa) or '0912***4567' (en): enough to tell two people apart and to
    check a number someone says aloud, not enough to call them. A foreign number keeps its '+' and code."""
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    shown = "0" + digits[2:] if phone.startswith("+98") and len(digits) == 12 else \
        ("+" + digits if phone.startswith("+") else digits)
    if len(shown) <= 6:
        return localise_digits(MASK + shown[-2:], lang)
    return "\u2066" + localise_digits(shown[:4] + MASK + shown[-4:], lang) + "\u2069"  # left to right, even in Persian


def account_number(user_id: int, lang: str | None = None) -> str:
    """«حساب شمارهٔ ۱۲۳۴» (no thousands separator: a number to read out, not an amount)."""
    return _("account no. %(id)s", id=localise_digits(user_id, lang))


def roles_text(is_governorate: bool, tables: tuple[tuple[str, str, bool], ...], lang: str | None = None) -> list[str]:
    """What the person is besides a citizen: governorate staff, chair of a table, member of a table."""
    lang = resolve_language(lang)
    out = [_("governorate staff")] if is_governorate else []
    for fa, en, chairs in tables:
        name = name_in(lang, fa, en)
        out.append(_("chair of %(table)s", table=name) if chairs else _("member of %(table)s", table=name))
    return out


def who_is(row: Any, lang: str | None = None, *, phone: bool = True) -> list[str]:
    """The facts that tell this person from another of the same name, in order: account number, masked phone
    (unless `phone` is False: shown beside it already), district, roles (an admin_ops.UserRow)."""
    lang = resolve_language(lang)
    facts = [account_number(row.id, lang)]
    if phone and row.phone:
        facts.append(masked_phone(row.phone, lang))
    if row.district:
        facts.append(name_in(lang, *row.district))
    facts += roles_text(row.is_governorate, row.tables, lang)
    return facts


def who_is_text(row: Any, lang: str | None = None, *, phone: bool = True) -> str:
    return " · ".join(who_is(row, lang, phone=phone))


__all__ = ["account_number", "masked_phone", "roles_text", "who_is", "who_is_text"]
