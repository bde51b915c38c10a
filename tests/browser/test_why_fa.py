"""Issue 16 item 7 in Chromium: the chair of the demo's health table, in Persian on a 360 px phone, sees why
each proposal was made and asks for the next-best pledges of a need."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.orm.tables import Table
from tests.browser.conftest import ARTIFACTS, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
PASSWORD = "Amol-1405-demo"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"


@pytest.fixture(scope="module")
def why_server(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("why-browser"))
    with serving(db.url, "why-browser") as url:
        yield url, db
    db.dispose()


def test_chair_sees_why_and_the_next_best_pledges_in_persian_at_360px(browser, why_server, offline):
    base, db = why_server
    with db.reader() as s:
        health = s.scalar(select(Table.id).where(Table.slug == "health"))
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 780}, base_url=base)
    ctx.route("**/*", offline.route)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto("/login")
        wait_ready(page, "#login-form")
        page.fill("#login-login", "chair@hamyar.local")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"/tables/{health}")
        wait_ready(page, "#table-review-list [data-why]")
        first = page.locator("#table-review-list [data-allocation]").first
        why = first.locator("[data-why]").inner_text()
        assert "چرا این پیشنهاد" in why and "اولویت وزنی" in why and "پروژهٔ" in why, why
        assert any(d in why for d in PERSIAN_DIGITS) and not any(d in why for d in "0123456789"), why
        first.locator("button", has_text="بهترین پیشنهادهای کمک بعدی").click()
        first.locator("[data-alternatives]").wait_for()
        alternatives = first.locator("[data-alternatives]").inner_text()
        assert "بهترین پیشنهادهای کمک بعدی برای این نیاز" in alternatives, alternatives
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
        first.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "table-why-fa-360.png"), full_page=False)
    finally:
        ctx.close()
    assert not offline.blocked
