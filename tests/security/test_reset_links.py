"""Issue 18 item 11: a reset link's token never reaches an access log, and its host is only the configured
public URL (HAMYAR_PUBLIC_URL), never the Host or X-Forwarded-Host a client sends.

Before: links were `http://<Host header>/reset/<token>`, so a client that set Host or X-Forwarded-Host
(which the documented nginx passed on) chose where the officer's link pointed, and every use of a link
wrote its token into the access log of nginx and gunicorn. The same journey in Chromium against a real
server's access log: tests/browser/test_reset_link_access_log.py.
"""
from __future__ import annotations

import json
import re

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from dash_app.settings import Settings, SettingsError
from tests.web.conftest import log_in, make_people
from tests.web.test_password_reset_web import press_reset

PUBLIC = "https://hamyar.example.org"
NEW = "battery staple 1405"
TOKEN = re.compile(r"#([A-Za-z0-9_-]{43})")


@pytest.fixture
def people(web_db):
    return make_people(web_db)


def make_app(web_db, **config):
    from dash_app import create_app

    return create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test", **config})


def shown_link(app, headers: dict[str, str], user_id: int) -> str:
    staff = app.test_client()
    log_in(staff, "governorate")
    staff.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    resp = press_reset(app, staff, user_id)
    assert resp.status_code == 200, resp.data
    found = re.findall(r'"value": "([^"]*reset[^"]*)"', json.dumps(resp.get_json()))
    assert len(found) == 1, resp.data
    return found[0]


HOSTILE = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}


def test_the_link_is_built_from_the_configured_public_url_only(web_db, people):
    app = make_app(web_db, HAMYAR_PUBLIC_URL=PUBLIC + "/")
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # as dash_app.wsgi behind one proxy
    link = shown_link(app, HOSTILE, people.citizen)
    assert re.fullmatch(re.escape(PUBLIC) + r"/reset#[A-Za-z0-9_-]{43}", link), link
    assert "evil" not in link
    app.extensions["hamyar_db"].dispose()


def test_without_a_public_url_the_link_names_no_host(web_db, people):
    app = make_app(web_db)
    link = shown_link(app, HOSTILE, people.citizen)
    assert re.fullmatch(r"/reset#[A-Za-z0-9_-]{43}", link), link
    app.extensions["hamyar_db"].dispose()


@pytest.mark.parametrize("bad", ["hamyar.example.org", "ftp://hamyar.example.org", "https://", "https://h/?x=1",
                                 "https://h/#x", "https://user:pw@h"])
def test_a_malformed_public_url_is_refused(bad):
    with pytest.raises(SettingsError, match="HAMYAR_PUBLIC_URL"):
        Settings.load({"TESTING": True, "HAMYAR_PUBLIC_URL": bad}, environ={})


def test_using_a_link_sends_its_token_only_in_request_bodies(web_db, people):
    """Every request of the journey as an access log records it (method, path, query) holds no token;
    the token travels only in the callback's body (the page's check) and in the form's body."""
    logged: list[str] = []
    app = make_app(web_db)
    inner = app.wsgi_app

    def access_log(environ, start_response):
        logged.append(f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}")
        return inner(environ, start_response)

    app.wsgi_app = access_log
    link = shown_link(app, {}, people.citizen)
    token = TOKEN.search(link).group(1)
    person = app.test_client()
    person.get(link)  # what a browser requests for the link: the path, never the fragment
    from tests.web.test_password_reset_web import show, submit

    assert "reset-form" in show(person, token)
    mismatch = submit(person, token, NEW, again=NEW + "x")
    assert mismatch.headers["Location"] == f"/reset?error=password_mismatch#{token}"  # back with the fragment
    assert submit(person, token, NEW).headers["Location"] == "/login?notice=password_reset"
    assert any(line.startswith("POST /reset?") for line in logged) and any(
        line.startswith("GET /reset?") for line in logged)
    leaked = [line for line in logged if token in line]
    assert not leaked, leaked
    app.extensions["hamyar_db"].dispose()
