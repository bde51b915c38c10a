"""Issue 23 item 3 in Chromium: "Delete my account" at 360 px in Persian (the dialog says what is erased and
what is kept and why; the typed word deletes and logs out), and forgetting a password through /forgot's two
steps with the code read from the development outbox (/outbox, as the governorate sees it in the demo)."""
from __future__ import annotations

import re

import pytest

from models.accounts.deletion import is_deleted_account
from models.orm.people import User
from tests.browser.conftest import ARTIFACTS, log_in, wait_ready
from tests.web.conftest import make_people

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def self_server(tmp_path_factory):
    from models import orm
    from models.core.db import Database
    from tests.browser.conftest import serving

    db = Database(f"sqlite:///{tmp_path_factory.mktemp('self-service') / 'hamyar.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    people = make_people(db)
    with serving(db.url, "self-service-browser") as url:
        yield url, db, people
    db.dispose()


def _context(browser, url, offline, width=360, lang="fa"):
    ctx = browser.new_context(viewport={"width": width, "height": 780}, base_url=url, bypass_csp=True)
    ctx.route("**/*", offline.route)
    if lang != "fa":
        ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": url}])
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return ctx, page


def test_b23a_delete_my_account_dialog_at_360px_in_persian(browser, self_server, offline):
    url, db, people = self_server
    ctx, page = _context(browser, url, offline)
    try:
        log_in(page, "member")
        page.goto("/account")
        wait_ready(page, "#account-delete-open")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(ARTIFACTS / "accounts" / "account-360-fa.png"), full_page=True)
        page.click("#account-delete-open")
        dialog = page.locator("#account-delete-modal .modal-content")
        dialog.wait_for()
        page.wait_for_timeout(400)  # the dialog's fade-in
        text = dialog.inner_text()
        for words in ("همین حالا و برای همیشه پاک می‌شود", "نام، شمارهٔ همراه و ایمیل شما", "گذرواژهٔ شما",
                      "همهٔ نشست‌ها", "آنچه می‌ماند و چرا", "بازنویسی‌شدنی نیستند", "کمک بی‌نام",
                      "رأی‌های شما شمرده‌شده می‌مانند", "«حذف»"):
            assert words in text, words
        assert not re.search(r"[0-9]", text), "Latin digits in the Persian dialog"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = dialog.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        page.screenshot(path=str(ARTIFACTS / "accounts" / "delete-dialog-360-fa.png"), full_page=False)
        dialog.screenshot(path=str(ARTIFACTS / "accounts" / "delete-dialog-360-fa-full.png"))
        page.fill("#account-delete-word", "بله")
        page.click("#account-delete-form button[type=submit]")
        wait_ready(page, "#account-delete-error")
        assert "واژهٔ نشان‌داده‌شده" in page.inner_text("#account-delete-error")
        with db.reader() as s:
            assert not is_deleted_account(s.get(User, people.member))
        page.fill("#account-delete-word", "حذف")
        page.click("#account-delete-form button[type=submit]")
        page.wait_for_url(lambda u: "/login" in u)
        wait_ready(page, "#login-form")
        assert "حساب شما حذف شد" in page.inner_text("body")
        with db.reader() as s:
            assert is_deleted_account(s.get(User, people.member))
        page.goto("/account")
        page.wait_for_url(lambda u: "/login" in u)  # logged out
    finally:
        ctx.close()


def test_b23b_forgot_password_in_two_steps_with_the_code_from_the_dev_outbox(browser, self_server, offline):
    url, db, people = self_server
    ctx, page = _context(browser, url, offline, width=1280, lang="en")
    gov_ctx, gov = _context(browser, url, offline, width=1280, lang="en")
    try:
        page.goto("/forgot")
        wait_ready(page, "#code-login-form")
        page.fill("#code-login", "09120000001")
        page.click("#code-send")
        wait_ready(page, "#code-form")
        log_in(gov, "governorate")
        gov.goto("/outbox")
        wait_ready(gov, "#outbox-table")
        row = gov.locator("#outbox-table tr[data-kind=code_reset]").first
        code = re.search(r"\b(\d{6})\b", row.inner_text()).group(1)
        new = "a forgotten passphrase 5"
        page.fill("#code-code", code)
        page.fill("#code-password", new)
        page.fill("#code-password2", new)
        page.click("#code-confirm")
        page.wait_for_url(lambda u: "/login" in u and "password_reset" in u)
        wait_ready(page, "#login-form")
        page.fill("#login-login", "09120000001")
        page.fill("#login-password", new)
        page.click("#login-submit")
        page.wait_for_url(lambda u: "/login" not in u)
        wait_ready(page)
        assert "Citizen" in page.inner_text("body")
    finally:
        ctx.close()
        gov_ctx.close()
