"""The Iranian national code (کد ملی): ten digits, the last a checksum of the other nine. Pure functions.

Imports the standard library only. The check digit: s = sum of the first nine digits weighted 10..2,
r = s mod 11; the last digit is r when r < 2, else 11 - r. Ten equal digits pass that sum but are not
issued, so they are refused too. Persian (۰-۹) and Arabic-Indic (٠-٩) digits are read as Latin ones;
spaces and hyphens between digits are ignored; 8 or 9 digits of text, or a number, get their leading
zeros back, because a spreadsheet stores 0012345678 as the number 12345678.
"""
from __future__ import annotations

import re

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_SEPARATORS = re.compile(r"[\s\-\u200c]+")


def check_digit(first_nine: str) -> int:
    """The tenth digit that makes `first_nine` (nine Latin digits) a valid national code."""
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(first_nine)) % 11
    return remainder if remainder < 2 else 11 - remainder


def normalise(value: object) -> str | None:
    """Ten Latin digits when `value` is a valid national code, else None (never raises)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):      # a spreadsheet's number: every leading zero was dropped
        value = f"{value:010d}" if 0 <= value < 10**10 else ""
    if not isinstance(value, str):
        return None
    text = _SEPARATORS.sub("", value.translate(_DIGITS))
    if not text.isascii() or not text.isdigit() or not 8 <= len(text) <= 10:
        return None
    text = text.zfill(10)
    if len(set(text)) == 1 or check_digit(text[:9]) != int(text[9]):
        return None
    return text


def is_valid(value: object) -> bool:
    return normalise(value) is not None


__all__ = ["check_digit", "is_valid", "normalise"]
