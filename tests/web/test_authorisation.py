"""Deny by default: every Dash callback refuses anonymous and wrong-role requests; pages are guarded."""
from __future__ import annotations

import pytest
from dash import Input, Output

from dash_app import auth
from models.core.permissions import Roles
from tests.web.conftest import csrf, log_in

ALL_ROLES = ("citizen", "governorate", "member", "chair")


def _dash(app):
    return app.extensions["hamyar_dash"]


def _body(key: str, entry: dict, table_id: int | None = None) -> dict:
    def dep(d):
        return {"id": d["id"], "property": d["property"], "value": table_id}

    outputs = [{"id": k.split(".")[0], "property": k.split(".")[-1]} for k in key.strip(".").split("...")]
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": [dep(d) for d in entry.get("inputs", [])],
        "state": [dep(d) for d in entry.get("state", [])],
        "changedPropIds": [],
    }


def _server_callbacks(app):
    """Every callback the server runs (clientside callbacks never POST), after a first request."""
    app.test_client().get("/")  # Dash attaches the Pages router on the first request
    return {k: v for k, v in _dash(app).callback_map.items() if "callback" in v}


def test_every_callback_is_registered_with_a_rule(app):
    callbacks = _server_callbacks(app)
    assert auth.pages_router_key() in callbacks, "Dash changed the Pages router's key"
    unregistered = [k for k in callbacks if auth.rule_for(app, k) is None]
    assert not unregistered, f"callbacks without secured_callback: {unregistered}"


def test_only_the_pages_router_and_the_reset_check_are_public(app):
    public = [k for k in _server_callbacks(app) if auth.rule_for(app, k).public]
    # ... the reset page's link check, which reads the token from the URL's fragment (issue 18 item 11), and
    # voting without an account (issue 23: with a one-time code to the phone; HAMYAR_CENSUS_VOTING=0 switches it off).
    from dash_app.pages.pb import ids_census as cids

    census = [k for k in public if k.startswith(f"..{cids.CENSUS_MESSAGE}.children...")]
    assert len(census) == 1
    assert sorted(public) == sorted([auth.pages_router_key(), "reset-body.children", *census])


def test_every_callback_refuses_anonymous(app):
    client = app.test_client()
    token = csrf(client)
    for key, entry in _server_callbacks(app).items():
        if auth.rule_for(app, key).public:
            continue
        resp = client.post("/_dash-update-component", json=_body(key, entry), headers={"X-CSRFToken": token})
        assert resp.status_code == 401, key
        assert resp.is_json and resp.get_json()["error"] == "not_signed_in"
        assert "Location" not in resp.headers


@pytest.mark.parametrize("who", ALL_ROLES)
def test_every_callback_refuses_wrong_roles(app, people, who):
    client = app.test_client()
    log_in(client, who)
    token = csrf(client)
    roles_held = {"citizen": {"citizen"}, "governorate": {"citizen", "governorate"},
                  "member": {"citizen", "member"}, "chair": {"citizen", "member", "chair"}}[who]
    checked = 0
    for key, entry in _server_callbacks(app).items():
        rule = auth.rule_for(app, key)
        if rule.public or rule.roles & roles_held and not (rule.roles & roles_held <= auth.TABLE_ROLES):
            continue  # this role is allowed (non-table rule)
        # For table rules, the user's own table would admit; another table must not.
        resp = client.post("/_dash-update-component", json=_body(key, entry, table_id=people.other_table),
                           headers={"X-CSRFToken": token})
        assert resp.status_code == 403, (who, key)
        assert resp.get_json()["error"] == "forbidden"
        checked += 1
    if who != "governorate":
        assert checked >= 1


def test_governorate_callback_runs_for_staff_and_not_for_a_citizen(app, people):
    key = "gov-counts.children"
    entry = _dash(app).callback_map[key]
    staff = app.test_client()
    log_in(staff, "governorate")
    ok = staff.post("/_dash-update-component", json=_body(key, entry, 1), headers={"X-CSRFToken": csrf(staff)})
    assert ok.status_code == 200, ok.data
    citizen = app.test_client()
    log_in(citizen, "citizen")
    denied = citizen.post("/_dash-update-component", json=_body(key, entry, 1),
                          headers={"X-CSRFToken": csrf(citizen)})
    assert denied.status_code == 403


def test_callback_post_without_or_with_wrong_csrf_is_refused(app, people):
    client = app.test_client()
    log_in(client, "governorate")
    key = "gov-counts.children"
    body = _body(key, _dash(app).callback_map[key], 1)
    assert client.post("/_dash-update-component", json=body).status_code == 403
    bad = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "forged"})
    assert bad.status_code == 403 and bad.get_json()["error"] == "csrf_failed"


def test_unknown_callback_is_refused(app, people):
    client = app.test_client()
    log_in(client, "governorate")
    resp = client.post("/_dash-update-component", json={"output": "evil.children", "inputs": [],
                                                                 "outputs": {"id": "evil", "property": "children"}},
                       headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 403 and resp.get_json()["error"] == "unregistered_callback"


def test_a_callback_added_without_secured_callback_is_caught(app):
    dash_app = _dash(app)
    dash_app.callback(Output("rogue", "children"), Input("rogue-btn", "n_clicks"))(lambda n: n)
    callbacks = _server_callbacks(app)
    assert "rogue.children" in callbacks and auth.rule_for(app, "rogue.children") is None
    client = app.test_client()
    resp = client.post("/_dash-update-component", json=_body("rogue.children", callbacks["rogue.children"]),
                       headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 403


def test_callback_checks_again_inside(app, people):
    """Even if the guard were bypassed, the wrapped function refuses the wrong role."""
    spec = auth._SPECS["dash_app.pages.governorate.governorate.refresh_counts"]
    wrapped = auth._checked(spec, app)
    client = app.test_client()
    log_in(client, "citizen")
    with app.test_request_context("/"):
        from flask import g

        g.hamyar_roles = Roles(citizen=True)
        with pytest.raises(Exception) as info:
            wrapped(1)
        assert getattr(info.value, "code", None) == "forbidden"


def test_rule_admits_table_roles_only_for_their_table():
    member = Roles(citizen=True, member_of=frozenset({1}))
    chair = Roles(citizen=True, member_of=frozenset({1}), chair_of=frozenset({1}))
    assert auth.admits({auth.MEMBER}, member, 1)
    assert not auth.admits({auth.MEMBER}, member, 2)
    assert not auth.admits({auth.CHAIR}, member, 1)
    assert auth.admits({auth.CHAIR}, chair, 1)
    assert not auth.admits({auth.CHAIR}, chair, None)
    assert not auth.admits({auth.GOVERNORATE}, chair, 1)
    assert not auth.admits({auth.CITIZEN}, Roles(), None)
    rule = auth.CallbackRule(frozenset({auth.CHAIR}), ("table-id", "data"))
    assert rule.table_id_in([{"id": "x", "property": "value", "value": 3},
                             {"id": "table-id", "property": "data", "value": "۷"}]) == 7


def test_secured_callback_needs_roles_and_table_source():
    with pytest.raises(ValueError):
        auth.secured_callback(Output("a", "children"), Input("b", "n_clicks"), roles=set())
    with pytest.raises(ValueError):
        auth.secured_callback(Output("a", "children"), Input("b", "n_clicks"), roles={"admin"})
    with pytest.raises(ValueError):
        auth.secured_callback(Output("a", "children"), Input("b", "n_clicks"), roles={auth.CHAIR})


def test_anonymous_page_requests(client):
    assert client.get("/").status_code == 200
    assert client.get("/how-matching-works").status_code == 200
    assert client.get("/login").status_code == 200
    resp = client.get("/governorate")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=/governorate")
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/_dash-layout").status_code == 200


def test_citizen_gets_403_on_governorate_page(app, people):
    client = app.test_client()
    log_in(client, "citizen")
    assert client.get("/governorate").status_code == 403
    staff = app.test_client()
    log_in(staff, "governorate")
    assert staff.get("/governorate").status_code == 200


def test_page_layout_checks_roles_itself(app, people):
    """Client-side navigation renders through the router: the layout refuses as well."""
    client = app.test_client()
    token = csrf(client)
    key = auth.pages_router_key()
    body = {"output": key, "outputs": [{"id": "_pages_content", "property": "children"},
                                       {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/governorate"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": token})
    assert resp.status_code == 200
    text = resp.get_data(as_text=True).encode().decode("unicode_escape")
    assert "/login?next=/governorate" in text and "gov-refresh" not in text
    log_in(client, "citizen")
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert b"gov-refresh" not in resp.data and b"shield-lock" in resp.data
