"""dash_app.i18n: digits, numbers, money, dates, parsing, error messages and catalogue completeness."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import plotly.graph_objects as go
import pytest
from babel.messages.extract import extract_from_dir

from dash_app import i18n
from dash_app.ui import charts
from models.core.errors import ValidationError

ROOT = Path(__file__).resolve().parents[2]


def test_numbers():
    assert i18n.format_number(1234567, "fa") == "۱٬۲۳۴٬۵۶۷"
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_number(12.5, "fa") == "۱۲٫۵"
    assert i18n.format_number(2 / 3, "en", decimals=2) == "0.67"
    assert i18n.format_percent(0.25, "fa") == "۲۵٪"


def test_money_is_int_rials_shown_as_toman_or_rial():
    assert i18n.format_money(125_000_000, "fa") == "۱۲٬۵۰۰٬۰۰۰ toman"  # outside a request: no catalogue
    assert i18n.format_money(125_000_005, "en", unit="rial") == "125,000,005 rials"
    assert i18n.format_money(15, "en") == "1.5 toman"
    with pytest.raises(TypeError):
        i18n.format_money(1.5, "fa")


def test_money_words_come_from_the_catalogue(app):
    with app.test_request_context("/"):
        assert i18n.format_money(100_000, "fa") == "۱۰٬۰۰۰ تومان"


def test_dates_jalali_for_persian_and_gregorian_for_english():
    d = date(2026, 10, 28)
    assert i18n.format_date(d, "fa") == "۱۴۰۵/۰۸/۰۶"
    assert i18n.format_date(d, "fa", long=True) == "۶ آبان ۱۴۰۵"
    assert i18n.format_date(d, "en") == "2026-10-28"
    assert i18n.format_date(d, "en", long=True) == "28 October 2026"
    # 21:00 UTC is already the next day in Tehran (UTC+3:30).
    late = datetime(2026, 10, 28, 21, 0, tzinfo=UTC)
    assert i18n.format_date(late, "en") == "2026-10-29"
    assert i18n.format_datetime(late, "fa") == "۱۴۰۵/۰۸/۰۷ ۰۰:۳۰"


def test_parsing_accepts_persian_arabic_indic_and_latin_digits():
    assert i18n.parse_int("۱۲٬۰۰۰") == 12000
    assert i18n.parse_int("١٢٣") == 123
    assert i18n.parse_int("1,234") == 1234
    assert i18n.parse_int("12.5") is None
    assert i18n.parse_int("abc") is None
    assert i18n.parse_number("۱۲٫۵") == pytest.approx(12.5)
    assert i18n.parse_digits("۰۹۱۲-۳۴۵") == "0912345"
    assert i18n.to_persian_digits("2026") == "۲۰۲۶"


def test_direction():
    assert i18n.direction("fa") == "rtl" and i18n.direction("en") == "ltr"


def test_error_message_words_domain_errors(app):
    with app.test_request_context("/", headers={"Cookie": f"{i18n.LANGUAGE_COOKIE}=en"}):
        assert i18n.error_message(ValidationError("password_too_short", field="password", minimum=8)) == \
            "The password must have at least 8 characters."
        assert "zzz" in i18n.error_message("zzz")
    with app.test_request_context("/"):
        assert i18n.error_message(ValidationError("password_too_short", minimum=8)) == \
            "گذرواژه باید دست‌کم ۸ نویسه داشته باشد."


def test_every_domain_error_code_has_a_message():
    codes = set()
    for path in (ROOT / "models").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'(?:ValidationError|NotFound|PermissionDenied|Conflict)\(\s*"([a-z0-9_]+)"', source))
    assert "quantity_not_positive" in codes
    missing = codes - i18n.known_error_codes()
    assert not missing, f"add messages for these codes to a module in dash_app/error_texts: {sorted(missing)}"


def test_every_visible_string_has_a_persian_translation():
    catalog = i18n.read_catalogue(i18n.catalogue_sources(ROOT / "dash_app/translations")[
        ROOT / "dash_app/translations/fa/LC_MESSAGES"])
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    method_map = [("dash_app/**.py", "python")]
    missing, bad_placeholders = [], []
    for _file, _line, msgid, _comments, _ctx in extract_from_dir(ROOT, method_map, keywords=keywords):
        msgid = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalog.get(msgid)
        if message is None or not message.string:
            missing.append(msgid)
        elif any(set(re.findall(r"%\(\w+\)s", msgid)) != set(re.findall(r"%\(\w+\)s", text))
                 for text in (message.string if isinstance(message.string, tuple) else (message.string,))):
            bad_placeholders.append(msgid)
    assert not missing, f"add these to a .po file in dash_app/translations/fa/LC_MESSAGES/: {missing}"
    assert not bad_placeholders


def test_figures_follow_the_language():
    fig = charts.localise_figure(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), "fa", numeric_axis="y", ticks=[0, 2, 4])
    assert fig.layout.separators == "٫٬"
    assert fig.layout.xaxis.autorange == "reversed" and fig.layout.yaxis.side == "right"
    assert list(fig.layout.yaxis.ticktext) == ["۰", "۲", "۴"]
    assert "Vazirmatn" in fig.layout.font.family
    en = charts.localise_figure(go.Figure(), "en")
    assert en.layout.separators == ".," and en.layout.xaxis.autorange is None


def test_catalogues_of_different_areas_never_disagree():
    """One English text, one Persian translation: the areas' .po files must not contradict each other."""
    from babel.messages.pofile import read_po as read

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted((ROOT / "dash_app/translations/fa/LC_MESSAGES").glob("*.po")):
        with po.open("rb") as f:
            for message in read(f):
                if not message.id:
                    continue
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                msgstr = message.string if isinstance(message.string, str) else message.string[0]
                if msgid in seen and seen[msgid][1] != msgstr:
                    clashes.append((msgid, seen[msgid][0], po.name))
                seen.setdefault(msgid, (po.name, msgstr))
    assert not clashes, f"the same text is translated differently in two catalogues: {clashes}"
