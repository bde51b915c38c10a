"""Issue 21 items 4 and 6 in Chromium at 360 px in Persian, on a copy of the seeded demo: a citizen sends the health
table a request from the phone form and sees its deadline (Jalali, Persian digits); the table's chair finds it in
the /referrals queue and answers with the standard template (a missing part is refused at its field first); the
citizen rates the answer. Screenshots: test-artifacts/referral-*.png."""
from __future__ import annotations

import re

import jdatetime
import pytest
from sqlalchemy import select

from models.orm.referrals import Referral, ReferralAnswer
from tests.browser.conftest import ARTIFACTS, demo_copy, serving, wait_ready
from tests.browser.test_axe_walk import _violations

pytestmark = pytest.mark.browser
PASSWORD = "Amol-1405-demo"
SUBJECT = "چراغ‌های خاموش کوچهٔ درمانگاه"


@pytest.fixture(scope="module")
def demo(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("referral-demo"))
    with serving(db.url, "referral-journey") as url:
        yield url, db
    db.dispose()


def _page(browser, url: str):
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, base_url=url, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    return ctx, page


def _log_in(page, login: str) -> None:
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", login)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda u: "/login" not in u)
    wait_ready(page)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.wait_for_load_state("networkidle")
    assert _violations(page) == [], page.url  # axe: nothing serious or critical


def test_citizen_sends_chair_answers_citizen_rates(browser, demo):
    url, db = demo
    ARTIFACTS.mkdir(exist_ok=True)
    ctx, page = _page(browser, url)
    _log_in(page, "citizen@hamyar.local")
    page.goto("/referrals/new")
    wait_ready(page, "#ref-new-send")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    with db.reader() as s:
        from models.orm.tables import Table
        health = s.scalar(select(Table.id).where(Table.slug == "health"))
    page.select_option("#ref-new-table", str(health))
    page.fill("#ref-new-subject", SUBJECT)
    page.fill("#ref-new-body", "از یک ماه پیش چراغ‌های کوچهٔ درمانگاه خاموش است و شب‌ها بیماران در تاریکی می‌آیند.")
    _no_sideways_scroll(page)
    page.click("#ref-new-send")
    done = page.wait_for_selector("[data-deadline]")
    text = done.inner_text()
    with db.reader() as s:
        ref = s.scalar(select(Referral).where(Referral.subject == SUBJECT))
    j = jdatetime.date.fromgregorian(date=ref.due_on)
    assert "مهلت پاسخ" in text and f"{j.year:04d}/{j.month:02d}/{j.day:02d}".translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in text and not re.search(r"[0-9]", text)
    _no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "referral-1-sent.png"), full_page=True)
    ctx.close()

    ctx, page = _page(browser, url)
    _log_in(page, "chair@hamyar.local")
    page.goto("/referrals?status=open")
    wait_ready(page, "#referral-queue")
    page.click(f"[data-referral='{ref.id}'] a")
    wait_ready(page, "#ref-answer-send")
    page.fill("#ref-answer-finding", "سه تیر چراغ برق کوچه سوخته و کابل یکی از آن‌ها بریده شده است.")
    page.fill("#ref-answer-reasoning", "نگهداری روشنایی معابر با شرکت توزیع برق است؛ میز سلامت پیگیری می‌کند.")
    page.select_option("#ref-answer-decision", "will_act")
    page.fill("#ref-answer-next-step", "شرکت برق تا پنجشنبه چراغ‌ها را تعمیر می‌کند.")
    page.click("#ref-answer-send")  # the responsible person is missing: refused at its field
    page.wait_for_selector("#ref-answer-responsible.is-invalid, #ref-answer-responsible[aria-invalid='true']")
    with db.reader() as s:
        assert s.scalar(select(ReferralAnswer.id).where(ReferralAnswer.referral_id == ref.id)) is None
    page.fill("#ref-answer-responsible", "مهندس علی نوروزی، شرکت توزیع برق آمل")
    page.click("#ref-answer-send")
    page.wait_for_selector("[data-answer='1']")
    _no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "referral-2-answered.png"), full_page=True)
    ctx.close()

    ctx, page = _page(browser, url)
    _log_in(page, "citizen@hamyar.local")
    page.goto(f"/referrals/{ref.id}")
    wait_ready(page, "#ref-rate-send")
    assert "گام بعدی" in page.inner_text("[data-answer='1']")
    page.click("#ref-rate-stars label:has-text('۵')")
    page.click("#ref-rate-send")
    page.wait_for_selector("[data-rating='5']")
    _no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "referral-3-rated.png"), full_page=True)
    page.goto("/my")
    wait_ready(page, f"#my-referrals [data-referral='{ref.id}']")
    _no_sideways_scroll(page)
    ctx.close()

    ctx, page = _page(browser, url)  # the governorate's pages: the queue with every table, the settings
    _log_in(page, "gov@hamyar.local")
    for path, ready in (("/referrals?late=1", "#referral-queue"), ("/admin/organizations", "#org-create")):
        page.goto(path)
        wait_ready(page, ready)
        _no_sideways_scroll(page)
    ctx.close()
    with db.reader() as s:
        assert s.scalar(select(ReferralAnswer.rating).where(ReferralAnswer.referral_id == ref.id)) == 5
