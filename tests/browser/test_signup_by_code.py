"""Issue 23 in Chromium at 360 px, in Persian: sign up with a mobile number and a code read from the dev outbox,
without a password; the account's phone is confirmed."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import orm
from models.core.db import Database
from models.orm.outbox import OutboxMessage
from models.orm.people import User
from tests.browser.conftest import serving, wait_ready

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def code_server(tmp_path_factory):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('signup-browser') / 'hamyar.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    with serving(db.url, "signup-browser") as url:
        yield url, db
    db.dispose()


def test_b23_sign_up_with_a_phone_and_a_code_at_360px(browser, code_server, offline):
    url, db = code_server
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, base_url=url, bypass_csp=True)
    ctx.route("**/*", offline.route)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/register")
        wait_ready(page, "#register-with-code")
        page.click("#register-with-code")
        wait_ready(page, "#code-login-form")
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.fill("#code-name", "زهرا رضایی")
        page.fill("#code-login", "۰۹۱۲۳۴۵۶۷۸۹")
        page.click("#code-send")
        wait_ready(page, "#code-form")
        assert "۲ دقیقه" in page.inner_text("#code-sent")
        with db.reader() as s:
            sms = s.scalars(select(OutboxMessage)).one()
        assert sms.recipient == "+989123456789" and sms.channel == "sms" and len(sms.text) <= 70
        code = re.search(r"\b(\d{6})\b", sms.text).group(1)
        page.fill("#code-code", "000000" if code != "000000" else "111111")
        page.click("#code-confirm")
        wait_ready(page, "#code-error")
        assert "این کد درست نیست" in page.inner_text("#code-error")
        page.fill("#code-code", code)
        page.click("#code-confirm")
        page.wait_for_url(f"{url}/")
        wait_ready(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
        with db.reader() as s:
            user = s.scalars(select(User)).one()
        assert user.name == "زهرا رضایی" and user.phone_verified_at is not None and user.password_hash == ""
        page.goto("/account")
        wait_ready(page, "#account-prefs")
        assert "چگونه باخبر شوید" in page.inner_text("body")
    finally:
        ctx.close()
