"""Dates typed by people: one parser for every form (the pledge form's rules), today's date as typed.

Imports jdatetime, dash_app.i18n, models.core.clock and models.core.errors.
"""
from __future__ import annotations

import re
from datetime import date

import jdatetime

from dash_app.i18n import _, current_language, to_latin_digits, to_persian_digits
from models.core.clock import county_today
from models.core.errors import ValidationError

DATE_PARTS = re.compile(r"^\s*(\d{1,4})\s*[/\-.\s]\s*(\d{1,2})\s*[/\-.\s]\s*(\d{1,4})\s*$")


def parse_date_text(text: object, *, field: str = "window", code: str = "window_invalid") -> date | None:
    """A date typed as year/month/day (or day/month/year: 15/09/1405) in any digits, with / - . or spaces:
    Jalali when the year is below 1700, else Gregorian.

    Empty means no date (None); anything else that is not a real day raises ValidationError(code, field=field).
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str) or len(text) > 20:
        raise ValidationError(code, field=field)
    m = DATE_PARTS.match(to_latin_digits(text))
    if not m:
        raise ValidationError(code, field=field)
    a, b, c = (int(x) for x in m.groups())
    year, month, day = (c, b, a) if a <= 31 and c > 31 else (a, b, c)
    try:
        if year < 1700:
            return jdatetime.date(year, month, day).togregorian()
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise ValidationError(code, field=field) from None


def date_placeholder(lang: str) -> str:
    """The format a date field takes, in the reader's calendar: «سال/ماه/روز», "yyyy-mm-dd". A hint, never a
    date: an example date in an empty filter looked like a filter already set (issue 20)."""
    return _("year/month/day") if lang == "fa" else "yyyy-mm-dd"


def today_text(lang: str | None = None) -> str:
    """Today as a form would take it back: ۱۴۰۵/۰۹/۱۵ in Persian, 2026-12-06 in English."""
    lang = lang or current_language()
    today = county_today()  # the county's day, not the server's (UTC) one
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=today)
        return to_persian_digits(f"{j.year:04d}/{j.month:02d}/{j.day:02d}")
    return today.isoformat()


__all__ = ["DATE_PARTS", "date_placeholder", "parse_date_text", "today_text"]
