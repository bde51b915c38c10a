"""The one place where text, numbers, money and dates are put into the user's language.

Imports flask-babel, jdatetime and models.core.errors; pages import this, never the other way round.

Persian ("fa") is the default: right-to-left, Persian digits, Jalali dates, Iran time.
English ("en") is left-to-right with Latin digits and Gregorian dates.
"""
from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime
from flask import g, has_request_context, request
from flask_babel import Babel, get_locale, gettext, lazy_gettext, ngettext

from models.core.errors import DomainError

__all__ = [
    "DEFAULT_LANGUAGE", "LANGUAGES", "compile_catalogues", "LANGUAGE_COOKIE", "Babel", "_", "_l", "current_language", "direction",
    "error_message", "format_date", "format_datetime", "format_money", "format_number", "format_percent",
    "gettext", "lazy_gettext", "localise_digits", "ngettext", "parse_digits", "parse_int", "parse_number", "resolve_language",
    "select_language", "to_latin_digits", "to_persian_digits",
]

_ = gettext
_l = lazy_gettext

LANGUAGES = ("fa", "en")
DEFAULT_LANGUAGE = "fa"
LANGUAGE_COOKIE = "hamyar_lang"
LANGUAGE_NAMES = {"fa": "فارسی", "en": "English"}
RTL_LANGUAGES = frozenset({"fa"})
TEHRAN = ZoneInfo("Asia/Tehran")

# --- choosing the language -------------------------------------------------------------------


def select_language() -> str:
    """flask-babel's locale selector: the signed-in user's choice, else the cookie, else Persian."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = g.get("hamyar_language")
    if chosen in LANGUAGES:
        return chosen
    try:
        from flask_login import current_user

        lang = getattr(current_user, "language", None) if current_user.is_authenticated else None
    except Exception:  # noqa: BLE001 - no login manager (a bare test app): fall back to the cookie
        lang = None
    if lang not in LANGUAGES:
        lang = request.cookies.get(LANGUAGE_COOKIE)
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    g.hamyar_language = lang
    return lang


def current_language() -> str:
    """'fa' or 'en' for this request ('fa' outside a request)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    loc = get_locale()
    lang = loc.language if loc is not None else DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def resolve_language(lang: str | None = None) -> str:
    """`lang` when it is 'fa' or 'en', else the current request's language."""
    return lang if lang in LANGUAGES else current_language()


def direction(lang: str | None = None) -> str:
    """'rtl' for Persian, 'ltr' for English."""
    return "rtl" if resolve_language(lang) in RTL_LANGUAGES else "ltr"


# --- digits ------------------------------------------------------------------------------------
_PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
_TO_LATIN = str.maketrans(_PERSIAN + _ARABIC_INDIC + "٫٬،", "0123456789" * 2 + ".,,")
_TO_PERSIAN = str.maketrans("0123456789", _PERSIAN)
PERSIAN_DECIMAL = "٫"    # U+066B
PERSIAN_THOUSANDS = "٬"  # U+066C


def to_persian_digits(text: object) -> str:
    return str(text).translate(_TO_PERSIAN)


def to_latin_digits(text: object) -> str:
    """Persian and Arabic-Indic digits (and their separators) as Latin ones."""
    return str(text).translate(_TO_LATIN)


def localise_digits(text: object, lang: str | None = None) -> str:
    """Digits in `text` as the language writes them."""
    return to_persian_digits(text) if resolve_language(lang) == "fa" else str(text)


def parse_digits(text: str | None) -> str:
    """Only the Latin digits of `text`, whatever script they were typed in ('۰۹۱۲-۳' -> '09123')."""
    return "".join(ch for ch in to_latin_digits(text or "") if ch.isascii() and ch.isdigit())


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(text: str | int | float | None) -> Decimal | None:
    """A number typed in any digits, with or without thousands separators; None if it is not one."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = Decimal(str(text))
        return value if value.is_finite() else None
    if not isinstance(text, str):  # a list or an object sent where a field's text belongs
        return None
    cleaned = to_latin_digits(text).strip().replace(",", "").replace(" ", "").replace("\u200c", "")
    cleaned = cleaned.replace("_", "")
    if not _NUMBER.match(cleaned):
        return None
    return Decimal(cleaned)


def as_text(value: object) -> str:
    """A text field's value as the browser sends it; anything else (a forged number, list, object) is ''."""
    return value if isinstance(value, str) else ""


def parse_int(text: str | int | None) -> int | None:
    """A whole number typed in any digits ('۱۲٬۰۰۰' -> 12000); None if it is not a whole number."""
    value = parse_number(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


# --- numbers and money ---------------------------------------------------------------------------


def format_number(value: int | float | Decimal, lang: str | None = None, *, decimals: int | None = None) -> str:
    """12345.6 -> '۱۲٬۳۴۵٫۶' (fa) or '12,345.6' (en). `decimals` fixes the places shown."""
    lang = resolve_language(lang)
    number = Decimal(str(value))
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{number:,.{decimals}f}"
    elif number == number.to_integral_value():
        text = f"{int(number):,}"
    else:
        text = f"{number.normalize():,f}"
    if lang == "fa":
        text = text.replace(",", "\0").replace(".", PERSIAN_DECIMAL).replace("\0", PERSIAN_THOUSANDS)
        text = to_persian_digits(text).replace("-", "\u2212")
    return text


def format_percent(fraction: float, lang: str | None = None, *, decimals: int = 0) -> str:
    """0.42 -> '۴۲٪' (fa) or '42%' (en)."""
    lang = resolve_language(lang)
    text = format_number(fraction * 100, lang, decimals=decimals)
    return f"{text}٪" if lang == "fa" else f"{text}%"


MONEY_UNITS = ("toman", "rial")


def format_money(rials: int, lang: str | None = None, *, unit: str = "toman") -> str:
    """An integer amount of rials as toman (rials / 10) or rial, with the unit word in the language."""
    if not isinstance(rials, int):
        raise TypeError("money is an int of rials")
    lang = resolve_language(lang)
    if unit == "rial":
        amount = format_number(rials, lang)
        return _("%(amount)s rials", amount=amount) if has_request_context() else f"{amount} rials"
    if unit != "toman":
        raise ValueError(f"unknown money unit {unit!r}")
    toman = Decimal(rials) / 10
    amount = format_number(toman, lang)
    return _("%(amount)s toman", amount=amount) if has_request_context() else f"{amount} toman"


# --- dates -------------------------------------------------------------------------------------
_JALALI_MONTHS_FA = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                     "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]
_GREGORIAN_MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
                        "September", "October", "November", "December"]


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(TEHRAN)
    return value


def format_date(value: date | datetime, lang: str | None = None, *, long: bool = False) -> str:
    """A date (or a UTC datetime, shown in Iran time): fa '۱۴۰۵/۰۸/۰۶' or '۶ آبان ۱۴۰۵'; en '2026-10-28'."""
    lang = resolve_language(lang)
    local = _local(value)
    day = local.date() if isinstance(local, datetime) else local
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=day)
        text = f"{j.day} {_JALALI_MONTHS_FA[j.month - 1]} {j.year}" if long else f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
        return to_persian_digits(text)
    if long:
        return f"{day.day} {_GREGORIAN_MONTHS_EN[day.month - 1]} {day.year}"
    return day.isoformat()


def format_datetime(value: datetime, lang: str | None = None, *, long: bool = False) -> str:
    """A UTC datetime in Iran time with hours and minutes, in the language's calendar and digits."""
    lang = resolve_language(lang)
    local = _local(value)
    clock = f"{local.hour:02d}:{local.minute:02d}"
    return f"{format_date(value, lang, long=long)} {localise_digits(clock, lang)}"


# --- domain errors ---------------------------------------------------------------------------
# Every code that models.core.errors may carry, worded for people. Parameters come from exc.params.
ERROR_MESSAGES = {
    "name_required": _l("Please enter your name."),
    "name_too_long": _l("The name is too long (at most %(maximum)s characters)."),
    "login_required": _l("Please enter a mobile number or an e-mail address."),
    "login_invalid": _l("That is not a valid mobile number or e-mail address."),
    "login_taken": _l("An account with this mobile number or e-mail address already exists."),
    "password_too_short": _l("The password must have at least %(minimum)s characters."),
    "password_too_long": _l("The password must have at most %(maximum)s characters."),
    "password_too_common": _l("This password is too easy to guess; please choose another."),
    "password_like_login": _l("The password must not contain your name or login."),
    "password_mismatch": _l("The two passwords are not the same."),
    "language_invalid": _l("Unknown language."),
    "bad_credentials": _l("The login or the password is wrong."),
    "user_not_found": _l("No such user."),
    "csrf_failed": _l("Your form expired. Please try again."),
    "too_many_attempts": _l("Too many attempts. Please wait a minute and try again."),
    "forbidden": _l("You are not allowed to do this."),
    "not_signed_in": _l("Please log in first."),
    "not_found": _l("Not found."),
    "quantity_not_positive": _l("The quantity must be a positive whole number."),
}


def error_message(exc: DomainError | str, **params: object) -> str:
    """The user's-language sentence for a domain error (or an error code), with its parameters filled."""
    if isinstance(exc, DomainError):
        code, params = exc.code, {**exc.params, **params}
    else:
        code = str(exc)
    template = ERROR_MESSAGES.get(code) or _area_error_messages().get(code)
    if template is None:
        return _("Something was not accepted (%(code)s).", code=code)
    shown = {k: format_number(v) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else v
             for k, v in params.items()}
    try:
        return str(template) % shown if shown else str(template)
    except (KeyError, ValueError, TypeError):
        return str(template)


def _area_error_messages() -> dict:
    """The error texts of each area, one module per area in dash_app/error_texts (each a MESSAGES dict)."""
    global _AREA_MESSAGES
    if _AREA_MESSAGES is None:
        import importlib
        import pkgutil

        from dash_app import error_texts

        merged: dict = {}
        for info in sorted(pkgutil.iter_modules(error_texts.__path__), key=lambda m: m.name):
            merged.update(importlib.import_module(f"dash_app.error_texts.{info.name}").MESSAGES)
        _AREA_MESSAGES = merged
    return _AREA_MESSAGES


_AREA_MESSAGES: dict | None = None


def known_error_codes() -> set[str]:
    return set(ERROR_MESSAGES) | set(_area_error_messages())


# --- the catalogue -----------------------------------------------------------------------------


def catalogue_sources(directory: str | os.PathLike) -> dict[Path, list[Path]]:
    """Each language's LC_MESSAGES folder and its .po files (messages.po plus one per area)."""
    folders: dict[Path, list[Path]] = {}
    for po in sorted(Path(directory).glob("*/LC_MESSAGES/*.po")):
        folders.setdefault(po.parent, []).append(po)
    return folders


def read_catalogue(pos: list[Path]):
    """The .po files of one language merged into one babel Catalog (later files add, never replace)."""
    from babel.messages.pofile import read_po

    merged = None
    for po in pos:
        with po.open("rb") as f:
            catalog = read_po(f)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged


def compile_catalogues(directory: str | os.PathLike) -> str:
    """Compile each language's .po files into its messages.mo when missing or older; return the folder to use.

    The .po files are the source in git (messages.po for the shell, one more per area so that areas
    are translated side by side); when the package folder is read-only the .mo files go to a
    temporary folder instead, whose path is returned.
    """
    from babel.messages.mofile import write_mo

    source = Path(directory)
    target = source
    folders = catalogue_sources(source)

    def is_stale(folder: Path, pos: list[Path]) -> bool:
        mo = folder / "messages.mo"
        return not mo.exists() or any(mo.stat().st_mtime < po.stat().st_mtime for po in pos)

    stale = {folder: pos for folder, pos in folders.items() if is_stale(folder, pos)}
    if not stale:
        return str(source)
    if not os.access(source, os.W_OK) or not all(os.access(folder, os.W_OK) for folder in stale):
        target = Path(tempfile.mkdtemp(prefix="hamyar-translations-"))
        stale = folders
    for folder, pos in stale.items():
        mo = target / folder.relative_to(source) / "messages.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        catalog = read_catalogue(pos)
        tmp = mo.with_suffix(f".mo.{os.getpid()}.tmp")  # parallel test workers compile at once
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        tmp.replace(mo)
    return str(target)
