"""Issue 18 item 11 in Chromium: following a reset link, mistyping, setting the password and opening the used
link again never puts the token into a real server's access log (werkzeug's request lines), and the link the
officer copies is built from HAMYAR_PUBLIC_URL. The same with the test client, and the Host/X-Forwarded-Host
checks: tests/security/test_reset_links.py.
"""
from __future__ import annotations

import re
import socket
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from models import orm
from models.core.db import Database
from tests.browser.conftest import wait_ready
from tests.web.conftest import LOGINS, PASSWORD, make_people

pytestmark = pytest.mark.browser
NEW = "battery staple 1405"
TOKEN = re.compile(r"#([A-Za-z0-9_-]{43})")


class _Logged(WSGIRequestHandler):
    lines: list[str] = []

    def log_request(self, *args, **kwargs) -> None:  # werkzeug's access log line: the request line
        _Logged.lines.append(self.requestline)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def logged_server(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'hamyar.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    make_people(db)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    from dash_app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "reset-links", "HAMYAR_PUBLIC_URL": base})
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_Logged)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        app.extensions["hamyar_db"].dispose()
        db.dispose()


def test_b703_the_token_never_reaches_the_access_log(browser, tmp_path, offline):
    _Logged.lines.clear()
    with logged_server(tmp_path) as base:
        staff_ctx = browser.new_context(base_url=base, bypass_csp=True)
        person_ctx = browser.new_context(base_url=base, bypass_csp=True)
        for ctx in (staff_ctx, person_ctx):
            ctx.route("**/*", offline.route)
        try:
            staff = staff_ctx.new_page()
            staff.set_default_timeout(15_000)
            staff.goto("/login")
            wait_ready(staff, "#login-form")
            staff.fill("#login-login", LOGINS["governorate"])
            staff.fill("#login-password", PASSWORD)
            staff.click("#login-submit")
            staff.wait_for_url(lambda url: "/login" not in url)
            staff.goto("/admin")
            wait_ready(staff, "#adm-tables")
            staff.locator(".nav-tabs .nav-link", has_text="کاربران").click()
            staff.once("dialog", lambda dialog: dialog.accept())
            staff.locator("#adm-u-list tr", has_text="Citizen").get_by_role("button", name="بازنشانی گذرواژه").click()
            staff.wait_for_selector("#adm-u-reset-link")
            link = staff.input_value("#adm-u-reset-link")
            assert re.fullmatch(re.escape(base) + r"/reset#[A-Za-z0-9_-]{43}", link), link
            token = TOKEN.search(link).group(1)

            person = person_ctx.new_page()
            person.set_default_timeout(15_000)
            person.goto(link)
            wait_ready(person, "#reset-form")
            person.fill("#reset-password", NEW)
            person.fill("#reset-password2", NEW + "x")  # a typo first: back to the form, the link still in hand
            person.click("#reset-submit")
            wait_ready(person, "#reset-form")
            assert person.url.endswith(f"#{token}") and "error=password_mismatch" in person.url
            person.fill("#reset-password", NEW)
            person.fill("#reset-password2", NEW)
            person.click("#reset-submit")
            wait_ready(person, "#login-notice")
            person.goto(link)  # used: the page that says it does not work
            wait_ready(person, "#reset-error")
            assert person.query_selector("#reset-form") is None
        finally:
            staff_ctx.close()
            person_ctx.close()
    lines = list(_Logged.lines)
    assert any(line.startswith("GET /reset") for line in lines) and any(line.startswith("POST /reset") for line in lines)
    leaked = [line for line in lines if token in line]
    assert not leaked, leaked
    assert not offline.blocked, offline.blocked
