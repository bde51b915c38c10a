"""A name stored in Persian and English, in the reader's language (the other one when it is missing).

Imports dash_app.i18n and models.core.system_accounts.
"""
from __future__ import annotations

from dash_app.i18n import _, resolve_language
from models.core.system_accounts import is_budget_name


def name_in(lang: str | None, fa: str | None, en: str | None) -> str:
    """`fa` for a Persian reader, `en` for an English one; the other when that one is empty."""
    return (fa or en or "") if resolve_language(lang) == "fa" else (en or fa or "")


def person_name(name: str | None) -> str:
    """A person's stored name as shown; the governorate budget's system account in the reader's words only."""
    if is_budget_name(name):
        return _("Governorate budget")
    return name or ""


__all__ = ["name_in", "person_name"]
