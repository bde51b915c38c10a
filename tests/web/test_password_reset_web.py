"""T21 on the web: the governorate's "Reset password" button, the /reset#<token> page and form, sessions ending."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select, update

from dash_app import auth
from dash_app.ui import account_ids as ids
from dash_app.ui import governorate_ids as gid
from models.orm.audit_event import AuditEvent
from models.orm.base import utcnow
from models.orm.password_reset import PasswordReset
from models.orm.people import User
from models.reporting.audit_views import AuditFilter, audit_page
from tests.web.conftest import PASSWORD, csrf, log_in

NEW = "battery staple 1405"
# No HAMYAR_PUBLIC_URL here: the link is a path (never the request's host), the token in its fragment.
LINK = re.compile(r"\"/reset#([A-Za-z0-9_-]{43})\"")


def _reset_key(app) -> str:
    return next(k for k in app.extensions["hamyar_dash"].callback_map if f"{gid.AD_U_RESET_MODAL}.is_open" in k
                and gid.AD_MESSAGE in k)


def press_reset(app, client, user_id):
    """What the browser sends when the officer confirms "Reset password" on a user's row."""
    key = _reset_key(app)
    trigger = json.dumps({"type": gid.AD_U_RESET, "user": user_id}, separators=(",", ":"), sort_keys=True)
    body = {"output": key,
            "outputs": [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]}
                        for part in key.strip(".").split("...")],
            "inputs": [[{"id": {"type": gid.AD_U_RESET, "user": user_id}, "property": "submit_n_clicks", "value": 1}]],
            "state": [], "changedPropIds": [f"{trigger}.submit_n_clicks"]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def issue_link(app, user_id) -> str:
    staff = app.test_client()
    log_in(staff, "governorate")
    resp = press_reset(app, staff, user_id)
    assert resp.status_code == 200, resp.data
    found = LINK.findall(json.dumps(resp.get_json()))
    assert len(set(found)) == 1, resp.data
    return found[0]


def render(client, path: str) -> str:
    """A page as the Dash Pages router renders it (what the browser shows after loading `path`)."""
    path, _, query = path.partition("?")
    body = {"output": auth.pages_router_key(),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": f"?{query}" if query else ""}],
            "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200
    return json.dumps(resp.get_json(), ensure_ascii=False)


def show(client, token: str, error: str = "") -> str:
    """The /reset page as the browser shows it for the link /reset#<token>: the page's callback gets the
    fragment from the browser's location (in the body of the request, never in its URL)."""
    body = {"output": f"{ids.RESET_BODY}.children", "outputs": {"id": ids.RESET_BODY, "property": "children"},
            "inputs": [{"id": ids.RESET_LOCATION, "property": "hash", "value": f"#{token}"}],
            "state": [{"id": ids.RESET_ERROR_CODE, "property": "data", "value": error}],
            "changedPropIds": [f"{ids.RESET_LOCATION}.hash"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200, resp.data
    return json.dumps(resp.get_json(), ensure_ascii=False)


def back_to(token: str, error: str) -> str:
    return f"/reset?error={error}#{token}"


def submit(client, token: str, password: str = NEW, again: str | None = None, with_csrf: bool = True):
    data = {"token": token, "password": password, "password2": password if again is None else again}
    if with_csrf:
        data["csrf_token"] = csrf(client)
    return client.post("/reset", data=data)


def _hash(web_db, user_id) -> str:
    with web_db.reader() as s:
        return s.get(User, user_id).password_hash


def _can_log_in(app, who: str, password: str) -> bool:
    c = app.test_client()
    resp = log_in(c, who, password)
    return "error=" not in resp.headers["Location"]


def test_the_governorate_issues_a_link_that_sets_the_password_once(app, people, web_db):
    token = issue_link(app, people.citizen)
    visitor = app.test_client()
    assert visitor.get("/reset").status_code == 200  # anonymous visitors reach the page
    page = show(visitor, token)
    assert ids.RESET_FORM in page and '"action": "/reset"' in page and f'"value": "{token}"' in page
    resp = submit(visitor, token)
    assert resp.status_code == 303 and resp.headers["Location"] == "/login?notice=password_reset"
    assert ids.LOGIN_NOTICE in render(visitor, "/login?notice=password_reset")
    assert _can_log_in(app, "citizen", NEW) and not _can_log_in(app, "citizen", PASSWORD)
    # The second use is refused with the page that says nothing about why.
    changed = _hash(web_db, people.citizen)
    again = submit(app.test_client(), token, "another good password 7")
    assert again.status_code == 303 and again.headers["Location"] == back_to(token, "reset_link_invalid")
    page = show(app.test_client(), token, "reset_link_invalid")
    assert ids.RESET_FORM not in page and ids.RESET_ERROR in page
    assert _hash(web_db, people.citizen) == changed


def test_an_invalid_or_expired_link_shows_one_page(app, people, web_db):
    token = issue_link(app, people.citizen)
    with web_db.engine.begin() as conn:
        conn.execute(update(PasswordReset).values(expires_at=utcnow()))
    pages = {show(app.test_client(), t) for t in (token, "nonsense", "A" * 43, "")}
    assert len(pages) == 1 and ids.RESET_FORM not in pages.pop()
    before = _hash(web_db, people.citizen)
    resp = submit(app.test_client(), token)
    assert resp.headers["Location"] == back_to(token, "reset_link_invalid")
    assert _hash(web_db, people.citizen) == before


def test_a_weak_or_mistyped_password_comes_back_to_the_form(app, people, web_db):
    token = issue_link(app, people.citizen)
    visitor = app.test_client()
    before = _hash(web_db, people.citizen)
    resp = submit(visitor, token, "short")
    assert resp.headers["Location"] == back_to(token, "password_too_short")
    assert ids.RESET_FORM in show(visitor, token, "password_too_short")
    resp = submit(visitor, token, NEW, again=NEW + "x")
    assert resp.headers["Location"] == back_to(token, "password_mismatch")
    assert _hash(web_db, people.citizen) == before
    assert submit(visitor, token).headers["Location"] == "/login?notice=password_reset"


def test_posting_without_the_csrf_token_is_refused(app, people, web_db):
    token = issue_link(app, people.citizen)
    before = _hash(web_db, people.citizen)
    visitor = app.test_client()
    assert submit(visitor, token, with_csrf=False).status_code == 400
    resp = visitor.post("/reset", data={"csrf_token": "forged", "token": token, "password": NEW, "password2": NEW})
    assert resp.status_code == 400
    assert _hash(web_db, people.citizen) == before
    with web_db.reader() as s:
        assert s.scalars(select(PasswordReset.used_at)).one() is None


def test_a_new_link_makes_the_previous_one_stop_working(app, people):
    first = issue_link(app, people.citizen)
    second = issue_link(app, people.citizen)
    assert first != second
    assert submit(app.test_client(), first).headers["Location"] == back_to(first, "reset_link_invalid")
    assert submit(app.test_client(), second).headers["Location"] == "/login?notice=password_reset"


@pytest.mark.parametrize("who", ["citizen", "member", "chair"])
def test_only_the_governorate_can_press_reset(app, people, web_db, who):
    client = app.test_client()
    log_in(client, who)
    resp = press_reset(app, client, people.citizen)
    assert resp.status_code == 403 and resp.get_json()["error"] == "forbidden"
    anonymous = press_reset(app, app.test_client(), people.citizen)
    assert anonymous.status_code == 401
    with web_db.reader() as s:
        assert s.scalars(select(PasswordReset)).all() == []


def test_a_deactivated_or_unknown_person_gets_a_message_not_a_link(app, people):
    staff = app.test_client()
    log_in(staff, "governorate")
    for target in (424242, "x"):
        resp = press_reset(app, staff, target)
        shown = json.dumps(resp.get_json())
        assert resp.status_code == 200 and "alert-danger" in shown and "/reset#" not in shown


def test_setting_a_new_password_ends_the_persons_other_sessions(app, people):
    elsewhere = app.test_client()
    log_in(elsewhere, "citizen", remember=True)
    assert "Citizen" in elsewhere.get("/_dash-layout").get_data(as_text=True)
    staff = app.test_client()
    log_in(staff, "governorate")
    token = issue_link(app, people.citizen)
    assert submit(app.test_client(), token).status_code == 303
    assert "Citizen" not in elsewhere.get("/_dash-layout").get_data(as_text=True)
    # Nor does the remember-me cookie sign the old session back in.
    elsewhere.delete_cookie("session")
    assert "Citizen" not in elsewhere.get("/_dash-layout").get_data(as_text=True)
    # Other people's sessions go on.
    assert "Staff" in staff.get("/_dash-layout").get_data(as_text=True)


def test_the_remember_me_cookie_still_works_when_the_password_did_not_change(app, people):
    client = app.test_client()
    log_in(client, "citizen", remember=True)
    client.delete_cookie("session")
    assert "Citizen" in client.get("/_dash-layout").get_data(as_text=True)


def test_the_audit_log_tells_the_story_in_both_languages(app, people, web_db):
    from dash_app.i18n import LANGUAGE_COOKIE
    from dash_app.pages.governorate.governorate import describe

    first = issue_link(app, people.citizen)
    token = issue_link(app, people.citizen)
    submit(app.test_client(), token)
    with web_db.reader() as s:
        lines = audit_page(s, AuditFilter(action="password_reset")).lines + audit_page(
            s, AuditFilter(action="user.password_reset")).lines
        raw = json.dumps([[e.before, e.after] for e in s.scalars(select(AuditEvent))], default=str)
    assert first not in raw and token not in raw
    with app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
        english = {ln.action: describe(ln, "en") for ln in lines}
    assert english["password_reset.issued"].startswith("Staff issued a one-time password-reset link for Citizen")
    assert english["password_reset.revoked"] == "A newer password-reset link for Citizen replaced an unused one."
    assert english["password_reset.used"] == "Citizen used a one-time password-reset link."
    assert english["user.password_reset"] == "Citizen set a new password with a one-time link."
    with app.test_request_context("/"):
        persian = {ln.action: describe(ln, "fa") for ln in lines}
    assert persian["password_reset.used"] == "Citizen پیوند یک‌بارمصرف بازنشانی گذرواژه را به کار برد."
    assert all(not re.search(r"[A-Za-z]{4,}", text.replace("Citizen", "").replace("Staff", ""))
               for text in persian.values()), persian

