"""Issue 20 item 13 in Chromium at 360 px in Persian, on a copy of the seeded demo: a citizen shares their phone with
the chair of the table that accepted their help and writes to them on /my; the chair finds the contribution in the
accepted list and sees the phone (Persian digits) and the message. Screenshots: test-artifacts/contact-*.png."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.accounts.users import hash_password
from models.audit.log import record
from models.core.enums import AllocationStatus
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table
from tests.browser.conftest import ARTIFACTS, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
CHAIR_PASSWORD = "Amol-1405-demo"
PASSWORD = "a long contact passphrase 9"
PHONE = "+989111234567"
PHONE_FA = "+۹۸۹۱۱۱۲۳۴۵۶۷"
MESSAGE = "وانت را شنبه ساعت ۹ به پایگاه سلامت می‌آورم."


@pytest.fixture(scope="module")
def demo(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("contact-demo"))
    with db.unit_of_work() as s:
        chair = s.scalar(select(User.id).where(User.email == "chair@hamyar.local"))
        health = s.scalar(select(Table.id).where(Table.chair_id == chair))
        candidates = s.scalars(select(Allocation).join(Need).join(Project).where(
            Project.table_id == health, Allocation.status == AllocationStatus.ACCEPTED).order_by(Allocation.id))
        # one whose citizen has few pledges, so it is on the first page of /my
        alloc = next(a for a in candidates if s.scalar(select(func.count()).select_from(Pledge).where(
            Pledge.citizen_id == a.pledge.citizen_id)) <= 3)
        user = alloc.pledge.citizen
        user.email, user.phone, user.password_hash, user.language = ("sharer@example.org", PHONE,
                                                                     hash_password(PASSWORD), "fa")
        record(s, None, "user.login_set_for_tests", user)
        found = alloc.id, health
    with serving(db.url, "contact-journey") as url:
        yield url, db, found
    db.dispose()


def _page(browser, url: str):
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, base_url=url, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    return ctx, page


def _log_in(page, login: str, password: str) -> None:
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", login)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_url(lambda u: "/login" not in u)


def test_the_citizen_shares_a_phone_and_writes_and_the_chair_sees_both(browser, demo):
    url, db, (alloc, health) = demo
    ARTIFACTS.mkdir(exist_ok=True)
    ctx, page = _page(browser, url)
    try:
        _log_in(page, "sharer@example.org", PASSWORD)
        page.goto("/my")
        block = f'[data-coordinate="{alloc}"]'
        wait_ready(page, block)
        assert "راه تماس شما به اشتراک گذاشته نشده است" in page.inner_text(block)
        page.locator(block).scroll_into_view_if_needed()
        page.locator(block).screenshot(path=str(ARTIFACTS / "contact-citizen-before-fa-360.png"))
        page.locator(block).get_by_role("button", name="اشتراک با رئیس میز").click()
        page.wait_for_selector(f'{block} [data-contact="shared"]')
        assert PHONE_FA in page.inner_text(block)
        page.locator(f"{block} textarea").fill(MESSAGE)
        page.locator(block).get_by_role("button", name="فرستادن").click()
        page.wait_for_function("([sel, text]) => document.querySelector(sel) && "
                               "document.querySelector(sel).innerText.includes(text)", arg=[block, MESSAGE])
        page.locator(block).scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= 361
        page.locator(block).screenshot(path=str(ARTIFACTS / "contact-citizen-fa-360.png"))
    finally:
        ctx.close()

    ctx, page = _page(browser, url)
    try:
        _log_in(page, "chair@hamyar.local", CHAIR_PASSWORD)
        page.goto(f"/tables/{health}")
        wait_ready(page, "#table-delivery-search")
        from dash_app.i18n import to_persian_digits

        page.fill("#table-delivery-search", to_persian_digits(str(alloc)))
        item = f'#table-delivery-body [data-allocation="{alloc}"]'
        page.wait_for_selector(f'{item} [data-contact="shared"]')
        text = page.inner_text(item)
        assert PHONE_FA in text and "راه تماس" in text and MESSAGE in text
        assert page.evaluate("document.documentElement.scrollWidth") <= 361
        page.locator(item).scroll_into_view_if_needed()
        page.locator(item).screenshot(path=str(ARTIFACTS / "contact-chair-fa-360.png"))
        # and another accepted contribution, not shared, says so
        page.fill("#table-delivery-search", "")
        page.wait_for_selector('#table-delivery-body [data-contact="not-shared"]')
    finally:
        ctx.close()
