"""A name stored in Persian and English, in the reader's language (the other one when it is missing).

Imports dash_app.i18n only.
"""
from __future__ import annotations

from dash_app.i18n import resolve_language


def name_in(lang: str | None, fa: str | None, en: str | None) -> str:
    """`fa` for a Persian reader, `en` for an English one; the other when that one is empty."""
    return (fa or en or "") if resolve_language(lang) == "fa" else (en or fa or "")


__all__ = ["name_in"]
