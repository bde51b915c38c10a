"""T21 in Chromium: the governorate hands over a one-time link; the person sets a new password with it, once."""
from __future__ import annotations

import pytest

from tests.browser.conftest import people_server, wait_ready
from tests.web.conftest import LOGINS, PASSWORD

pytestmark = pytest.mark.browser
NEW = "battery staple 1405"


@pytest.fixture(scope="module")
def reset_server(tmp_path_factory):
    """Its own server and people: this test changes a password, which the shared server's tests rely on."""
    with people_server(tmp_path_factory.mktemp("reset-browser"), "reset-browser") as url:
        yield url


def _context(browser, base_url, offline):
    """A browser of its own (Persian, the default): the officer's and the person's never share cookies."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url, bypass_csp=True)
    ctx.route("**/*", offline.route)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return ctx, page


def _log_in(page, login: str, password: str) -> None:
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", login)
    page.fill("#login-password", password)
    page.click("#login-submit")


def test_b702_a_reset_link_from_the_governorate_sets_a_new_password_once(browser, reset_server, offline):
    staff_ctx, staff = _context(browser, reset_server, offline)
    person_ctx, person = _context(browser, reset_server, offline)
    try:
        _log_in(staff, LOGINS["governorate"], PASSWORD)
        staff.wait_for_url(lambda url: "/login" not in url)
        staff.goto("/admin")
        wait_ready(staff, "#adm-tables")
        staff.locator(".nav-tabs .nav-link", has_text="کاربران").click()  # Users
        row = staff.locator("#adm-u-list tr", has_text="Citizen")
        staff.once("dialog", lambda dialog: dialog.accept())  # "Make a one-time link for Citizen …?"
        row.get_by_role("button", name="بازنشانی گذرواژه").click()  # Reset password
        staff.wait_for_selector("#adm-u-reset-link")
        link = staff.input_value("#adm-u-reset-link")
        # No HAMYAR_PUBLIC_URL on this server: a path, the token in the fragment (tests/security/test_reset_links.py)
        assert link.startswith("/reset#") and len(link.rsplit("#", 1)[1]) == 43
        assert "Citizen" in staff.inner_text("#adm-u-reset-body")
        staff.click(".modal .btn-close")
        staff.wait_for_selector("#adm-u-reset-link", state="detached")  # closing takes the link off the page

        person.goto(link)
        wait_ready(person, "#reset-form")
        person.fill("#reset-password", NEW)
        person.fill("#reset-password2", NEW)
        person.click("#reset-submit")
        wait_ready(person, "#login-notice")
        _log_in(person, LOGINS["citizen"], NEW)
        person.wait_for_url(lambda url: "/login" not in url)
        wait_ready(person)
        assert "Citizen" in person.inner_text("#navbar")

        person.goto(link)  # a second time: one page that says the link does not work, and no form
        wait_ready(person, "#reset-error")
        assert person.query_selector("#reset-form") is None
    finally:
        staff_ctx.close()
        person_ctx.close()
    assert not offline.blocked, offline.blocked
