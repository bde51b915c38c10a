"""Account routes: register, log in (remember me), log out, language switch — all with CSRF."""
from __future__ import annotations

from sqlalchemy import select

from dash_app.i18n import LANGUAGE_COOKIE
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from tests.web.conftest import PASSWORD, csrf, log_in


def _register(client, **over):
    data = {"csrf_token": csrf(client), "name": "Sara", "login": "۰۹۱۱ ۱۱۱ ۲۲۳۳", "password": PASSWORD,
            "password2": PASSWORD}
    data.update(over)
    return client.post("/register", data=data)


def test_register_logs_in_and_stores_normalised_phone(client, web_db):
    resp = _register(client)
    assert resp.status_code == 303 and resp.headers["Location"] == "/"
    with web_db.reader() as s:
        user = s.scalars(select(User)).one()
        assert user.phone == "+989111112233" and user.password_hash.startswith("scrypt$")
        assert s.scalars(select(AuditEvent.action)).all() == ["user.register"]
    assert "Sara" in client.get("/_dash-layout").get_data(as_text=True)


def test_register_errors_come_back_to_the_form(client):
    resp = _register(client, password="short", password2="short")
    assert resp.status_code == 303 and "error=password_too_short" in resp.headers["Location"]
    assert "password=" not in resp.headers["Location"]
    resp = _register(client, password2="different password")
    assert "error=password_mismatch" in resp.headers["Location"]


def test_forms_without_csrf_are_refused(client, people):
    assert client.post("/login", data={"login": "09120000001", "password": PASSWORD}).status_code == 400
    assert client.post("/register", data={"name": "x", "login": "a@b.cd", "password": PASSWORD,
                                          "password2": PASSWORD}).status_code == 400
    assert client.post("/logout").status_code == 400
    assert client.post("/language", data={"lang": "en"}).status_code == 400


def test_login_wrong_password_and_logout(client, people):
    resp = client.post("/login", data={"csrf_token": csrf(client), "login": "09120000001", "password": "nope"})
    assert resp.status_code == 303 and "error=bad_credentials" in resp.headers["Location"]
    resp = log_in(client, "citizen")
    assert resp.status_code == 303
    assert "Citizen" in client.get("/_dash-layout").get_data(as_text=True)
    resp = client.post("/logout", data={"csrf_token": csrf(client)})
    assert resp.status_code == 303
    assert "Citizen" not in client.get("/_dash-layout").get_data(as_text=True)


def test_login_next_stays_on_this_host(client, people):
    data = {"csrf_token": csrf(client), "login": "09120000001", "password": PASSWORD, "next": "https://evil.example/"}
    assert client.post("/login", data=data).headers["Location"] == "/"


def test_remember_me_sets_the_remember_cookie(client, people):
    log_in(client, "citizen", remember=True)
    assert client.get_cookie("remember_token") is not None


def test_csrf_token_rotates_on_login(client, people):
    before = csrf(client)
    log_in(client, "citizen")
    assert csrf(client) != before


def test_language_switch_sets_cookie_and_audited_profile(client, people, web_db):
    resp = client.post("/language", data={"csrf_token": csrf(client), "lang": "en"},
                       headers={"Referer": "http://localhost/how-matching-works"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/how-matching-works"
    assert client.get_cookie(LANGUAGE_COOKIE).value == "en"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page and "bootstrap.min.css" in page
    log_in(client, "citizen")
    client.post("/language", data={"csrf_token": csrf(client), "lang": "fa"})
    with web_db.reader() as s:
        user = s.get(User, people.citizen)
        assert user.language == "fa"
    client.post("/language", data={"csrf_token": csrf(client), "lang": "en"})
    with web_db.reader() as s:
        assert s.get(User, people.citizen).language == "en"
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.object_id == people.citizen)).all()
        assert "user.set_language" in actions


def test_persian_is_the_default_with_the_rtl_stylesheet(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page and "Vazirmatn" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_the_page_asked_for_comes_back_with_its_query_after_logging_in(client, people):
    resp = client.get("/pledge?table=3&project=7")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login?next=/pledge%3Ftable%3D3%26project%3D7"
    data = {"csrf_token": csrf(client), "login": "09120000001", "password": PASSWORD,
            "next": "/pledge?table=3&project=7"}
    assert client.post("/login", data=data).headers["Location"] == "/pledge?table=3&project=7"


def test_registering_keeps_the_page_asked_for(client):
    resp = _register(client, next="/pledge?table=3")
    assert resp.status_code == 303 and resp.headers["Location"] == "/pledge?table=3"
    bad = _register(client, login="a@b.cd", password="short", password2="short", next="/pledge?table=3")
    assert "next=%2Fpledge%3Ftable%3D3" in bad.headers["Location"]
