"""Issue 18 item 10: what a failed form typed (login, name, phone) never travels in the redirect URL.

Real requests; the pages are rendered as the Dash Pages router renders them. Before: the 303 after a
failed login or registration was /login?error=...&login=09120000001 and /register?...&name=...&login=...,
so the phone number and the name went into access logs, browser history and the Referer.
"""
from __future__ import annotations

import json

import pytest

from dash_app import auth
from tests.web.conftest import csrf, make_people

PHONE = "09121234567"
NAME = "Sara Ahmadi"


@pytest.fixture
def app(web_db):
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test"})
    yield server
    server.extensions["hamyar_db"].dispose()


def render(client, path: str, query: str) -> str:
    body = {"output": auth.pages_router_key(),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": query}],
            "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _no_typed_text(location: str) -> None:
    for typed in (PHONE, "0912", "1234567", "Sara", "Ahmadi", "login=", "name="):
        assert typed not in location, location


def test_a_failed_login_keeps_the_login_out_of_the_url(app, web_db):
    make_people(web_db)
    client = app.test_client()
    resp = client.post("/login", data={"csrf_token": csrf(client), "login": PHONE, "password": "wrong password",
                                       "next": "/my"})
    location = resp.headers["Location"]
    assert resp.status_code == 303 and location == "/login?error=bad_credentials&next=%2Fmy"
    _no_typed_text(location)
    page = render(client, "/login", "?error=bad_credentials&next=%2Fmy")
    assert f'"value": "{PHONE}"' in page  # the form shows it again, from the signed session
    # Another browser opening the same URL sees nothing typed by someone else.
    assert PHONE not in render(app.test_client(), "/login", "?error=bad_credentials&next=%2Fmy")


def test_a_failed_registration_keeps_name_and_phone_out_of_the_url(app):
    client = app.test_client()
    resp = client.post("/register", data={"csrf_token": csrf(client), "name": NAME, "login": PHONE,
                                          "password": "short", "password2": "short"})
    location = resp.headers["Location"]
    assert resp.status_code == 303 and location.startswith("/register?error=password_too_short")
    _no_typed_text(location)
    page = render(client, "/register", "?" + location.split("?", 1)[1])
    assert f'"value": "{NAME}"' in page and f'"value": "{PHONE}"' in page
    # Typed-in values in a crafted URL are not shown (the page reads only the session).
    crafted = render(app.test_client(), "/register", f"?error=password_too_short&name=Mallory&login={PHONE}")
    assert "Mallory" not in crafted and PHONE not in crafted
