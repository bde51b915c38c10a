"""SMS texts fit one part: a Persian SMS is UCS-2, 70 characters (issue 23 item 1)."""
from __future__ import annotations

import pytest

from models.messaging.templates import TEMPLATES, fit, render, sms_parts

TYPICAL = {
    "code": "482913", "minutes": 2, "count": 3, "why": "run", "table_id": 4, "lines": ["…"],
    "project_fa": "بازسازی خانهٔ بهداشت روستای پاشاکلا", "project_en": "Rebuilding the Pashakola health house",
    "reason": "این نیاز با کمک دیگری تأمین شد", "table_fa": "میز سلامت", "table_en": "Health table",
    "winner_name": "دکتر مریم طبری",
}
# The longest a person could type: every variable part far too long for one SMS.
LONG = {**TYPICAL, "project_fa": "پروژهٔ " * 40, "project_en": "A project " * 40, "reason": "دلیل " * 100,
        "table_fa": "میز " * 30, "table_en": "Table " * 30, "winner_name": "نام " * 40, "count": 12345}


def test_parts_are_counted_as_phones_count_them():
    assert sms_parts("") == 1
    assert sms_parts("a" * 160) == 1 and sms_parts("a" * 161) == 2 and sms_parts("a" * 306) == 2
    assert sms_parts("a" * 307) == 3
    assert sms_parts("{" * 80) == 1 and sms_parts("{" * 81) == 2  # GSM-7 extension characters take two septets
    assert sms_parts("س" * 70) == 1 and sms_parts("س" * 71) == 2   # Persian: UCS-2, 70 then 67 per part
    assert sms_parts("س" * 134) == 2 and sms_parts("س" * 135) == 3
    assert sms_parts("Hello «x»") == 1 and sms_parts("a" * 69 + "س") == 1 and sms_parts("a" * 70 + "س") == 2
    assert sms_parts("😀" * 35) == 1 and sms_parts("😀" * 36) == 2  # outside the BMP: two UTF-16 units each


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("params", [TYPICAL, LONG, {**TYPICAL, "why": "pb", "winner_name": None},
                                    {**LONG, "why": "need_removed"}],
                         ids=["typical", "long", "variants", "need-removed"])
def test_every_sms_template_fits_one_part(kind, lang, params):
    text = render(kind, params, lang).sms
    assert len(text) <= 70 and sms_parts(text) == 1, (len(text), text)
    assert "{" not in text and "%(" not in text


def test_persian_sms_are_persian_with_persian_figures_and_latin_codes():
    assert render("allocation_proposed", TYPICAL, "fa").sms == "همیار: تطبیق ۳ بخش از کمک شما را به پروژه‌ها پیشنهاد کرد."
    code = render("code_sign_in", TYPICAL, "fa").sms
    assert "482913" in code and "۲ دقیقه" in code  # the code in Latin digits, so phones offer to fill it in
    closed = render("election_closed", TYPICAL, "fa")
    assert closed.sms == "همیار: دکتر مریم طبری رئیس میز سلامت شد." and closed.path == "/tables/4"
    assert "دلیل: این نیاز با کمک دیگری تأمین شد" in render("allocation_rejected", TYPICAL, "fa").body


def test_fit_cuts_only_the_variable_part():
    out = fit(lambda v: f"«{v}» پذیرفته شد.", "ا" * 200, limit=30)
    assert len(out) <= 30 and out.startswith("«") and out.endswith("» پذیرفته شد.") and "…" in out
    assert fit(lambda v: f"«{v}»", "کوتاه") == "«کوتاه»"


def test_a_kind_without_template_stays_in_the_app():
    assert render("matching_held", {}, "fa") is None
