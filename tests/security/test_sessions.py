"""Issue 18 item 2: logging out ends the session, for every copy of its cookies.

Real requests against the app on a fresh SQLite file. A session cookie or a remember-me cookie copied
before logging out, "log out everywhere" or a new password is replayed from another, fresh client:
before this change (a signed client-side session naming the user, a remember-me cookie valid for 30 days)
every replay was still signed in.
"""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, text

from dash_app import auth
from models.orm.sessions import UserSession
from tests.web.conftest import csrf, log_in, make_people


@pytest.fixture
def app(web_db):
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test"})
    yield server
    server.extensions["hamyar_db"].dispose()


@pytest.fixture
def people(web_db):
    return make_people(web_db)


REMEMBER = "remember_token"


def signed_in(client) -> bool:
    """A page only signed-in people see: 200 when signed in, a redirect to /login otherwise."""
    resp = client.get("/my")
    return resp.status_code == 200


def replay(app, **cookies: str):
    """A fresh client (another browser, another machine) carrying only the copied cookies."""
    fresh = app.test_client()
    for name, value in cookies.items():
        fresh.set_cookie(name, value)
    return fresh


def cookie(client, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def logout(client, everywhere: bool = False):
    data = {"csrf_token": csrf(client)}
    if everywhere:
        data["everywhere"] = "1"
    resp = client.post("/logout", data=data)
    assert resp.status_code == 303
    return resp


def render(client, path: str) -> str:
    return render_query(client, path, "")


def render_query(client, path: str, query: str) -> str:
    body = {"output": auth.pages_router_key(),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": query}],
            "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_a_copied_session_cookie_stops_working_at_logout(app, people):
    browser = app.test_client()
    log_in(browser, "citizen")
    copied = cookie(browser, "session")
    assert signed_in(replay(app, session=copied))  # the copy works while the session lives
    logout(browser)
    assert not signed_in(browser)
    assert not signed_in(replay(app, session=copied))


def test_a_copied_remember_me_cookie_stops_working_at_logout(app, people):
    browser = app.test_client()
    log_in(browser, "citizen", remember=True)
    copied_session, copied_remember = cookie(browser, "session"), cookie(browser, REMEMBER)
    assert signed_in(replay(app, **{REMEMBER: copied_remember}))  # restores a session on its own
    logout(browser)
    assert not signed_in(replay(app, **{REMEMBER: copied_remember}))
    assert not signed_in(replay(app, session=copied_session, **{REMEMBER: copied_remember}))


def test_log_out_everywhere_ends_every_session_and_remember_me(app, people):
    phone, laptop, here = app.test_client(), app.test_client(), app.test_client()
    log_in(phone, "citizen", remember=True)
    log_in(laptop, "citizen")
    log_in(here, "citizen")
    other = app.test_client()
    log_in(other, "chair", remember=True)
    copies = [(cookie(c, "session"), c.get_cookie(REMEMBER)) for c in (phone, laptop, here)]
    logout(here, everywhere=True)
    for browser in (phone, laptop, here):
        assert not signed_in(browser)
    for session_cookie, remember in copies:
        assert not signed_in(replay(app, session=session_cookie))
        if remember is not None:
            assert not signed_in(replay(app, **{REMEMBER: remember.value}))
    assert signed_in(other)  # another person's sessions go on


def test_a_new_password_ends_copied_session_and_remember_me_cookies(app, people, web_db):
    from tests.web.test_password_reset_web import issue_link, submit

    browser = app.test_client()
    log_in(browser, "citizen", remember=True)
    copied = {"session": cookie(browser, "session"), REMEMBER: cookie(browser, REMEMBER)}
    token = issue_link(app, people.citizen)
    assert submit(app.test_client(), token).status_code == 303
    assert not signed_in(browser)
    assert not signed_in(replay(app, **copied))
    assert not signed_in(replay(app, **{REMEMBER: copied[REMEMBER]}))
    with web_db.reader() as s:
        reasons = set(s.scalars(select(UserSession.ended_reason).where(UserSession.user_id == people.citizen)))
    assert reasons == {"password_changed"}


def test_only_the_hash_of_a_session_token_is_stored(app, people, web_db):
    browser = app.test_client()
    log_in(browser, "citizen", remember=True)
    with browser.session_transaction() as s:
        uid, _, token = s["_user_id"].partition(".")
    assert int(uid) == people.citizen and len(token) >= 43
    with web_db.engine.connect() as conn:
        dump = json.dumps([list(map(str, r)) for r in conn.execute(text("SELECT * FROM user_sessions"))])
    assert token not in dump and hashlib.sha256(token.encode()).hexdigest() in dump


def test_the_account_page_lists_sessions_and_ends_one(app, people):
    phone, here = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile"
    log_in(phone, "citizen", remember=True)
    log_in(here, "citizen")
    page = render(here, "/account")
    assert "نشست‌های فعال" in page and "خروج از همه‌جا" in page  # Persian first
    assert "Chrome روی Android" in page and "همین دستگاه" in page
    assert page.count('"session_id"') == 1  # an end button for the other session, not for this one
    with app.app_context():
        from dash_app.db import get_db
        from models.accounts.sessions import active_sessions

        with get_db().reader() as s:
            ids_ = [r.id for r in active_sessions(s, people.citizen)]
    assert len(ids_) == 2
    # Another person cannot end the citizen's session by its id.
    stranger = app.test_client()
    log_in(stranger, "chair")
    for sid in ids_:
        stranger.post("/account/sessions/end", data={"csrf_token": csrf(stranger), "session_id": str(sid)})
    assert signed_in(phone) and signed_in(here)
    # The citizen ends the phone's session from here.
    with app.app_context():
        from dash_app.db import get_db
        from models.accounts.sessions import session_id_of

        with phone.session_transaction() as s:
            phone_token = s["_user_id"].partition(".")[2]
        with get_db().reader() as s:
            phone_id = session_id_of(s, phone_token)
    resp = here.post("/account/sessions/end", data={"csrf_token": csrf(here), "session_id": str(phone_id)})
    assert resp.status_code == 303 and resp.headers["Location"] == "/account"
    assert not signed_in(phone) and signed_in(here)
    assert not signed_in(replay(app, **{REMEMBER: cookie(phone, REMEMBER)}))


def test_the_account_page_is_for_signed_in_people(app, people):
    anonymous = app.test_client()
    resp = anonymous.get("/account")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=/account")
    assert anonymous.post("/account/sessions/end", data={"csrf_token": csrf(anonymous), "session_id": "1"}
                          ).headers["Location"] == "/login"
    assert anonymous.post("/account/sessions/end", data={"session_id": "1"}).status_code == 400  # no CSRF token


def change_password(client, current: str, new: str, again: str | None = None):
    return client.post("/account/password", data={"csrf_token": csrf(client), "current": current, "password": new,
                                                  "password2": new if again is None else again})


def test_changing_the_password_ends_every_old_cookie_this_browsers_too(app, people, web_db):
    from tests.web.conftest import PASSWORD

    phone, here = app.test_client(), app.test_client()
    log_in(phone, "citizen", remember=True)
    log_in(here, "citizen", remember=True)
    copies = [{"session": cookie(c, "session"), REMEMBER: cookie(c, REMEMBER)} for c in (phone, here)]
    resp = change_password(here, PASSWORD, "a brand new passphrase 7")
    assert resp.status_code == 303 and resp.headers["Location"] == "/account?notice=password_changed"
    assert signed_in(here)  # this browser has a fresh session (new cookies) ...
    assert cookie(here, "session") != copies[1]["session"] and cookie(here, REMEMBER) != copies[1][REMEMBER]
    assert not signed_in(phone)  # ... every other one has ended,
    for copied in copies:  # and so has every copy of the old cookies, this browser's included
        assert not signed_in(replay(app, **copied))
        assert not signed_in(replay(app, **{REMEMBER: copied[REMEMBER]}))
    assert "گذرواژهٔ تازهٔ شما ثبت شد" in render_query(here, "/account", "?notice=password_changed")
    old, new = app.test_client(), app.test_client()
    assert "error=bad_credentials" in log_in(old, "citizen").headers["Location"]
    assert "error" not in log_in(new, "citizen", "a brand new passphrase 7").headers["Location"]
    with web_db.reader() as s:
        from models.orm.audit_event import AuditEvent

        assert "user.password_changed" in set(s.scalars(select(AuditEvent.action)))


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(app, people, web_db):
    from models.orm.people import User
    from tests.web.conftest import PASSWORD

    here, phone = app.test_client(), app.test_client()
    log_in(here, "citizen")
    log_in(phone, "citizen")
    with web_db.reader() as s:
        before = s.get(User, people.citizen).password_hash
    for current, new, again, code in [("not my password", "a brand new passphrase 7", None, "password_wrong"),
                                      (PASSWORD, "password1", None, "password_too_common"),
                                      (PASSWORD, "a brand new passphrase 7", "typo", "password_mismatch"),
                                      (PASSWORD, PASSWORD, None, "password_unchanged")]:
        resp = change_password(here, current, new, again)
        assert resp.headers["Location"] == f"/account?error={code}", code
    with web_db.reader() as s:
        assert s.get(User, people.citizen).password_hash == before
    assert signed_in(here) and signed_in(phone)
    assert "گذرواژهٔ کنونی شما درست نیست" in render_query(here, "/account", "?error=password_wrong")
    anonymous = app.test_client()
    assert change_password(anonymous, PASSWORD, "a brand new passphrase 7").headers["Location"] == "/login"
