"""Fixtures for the table journey: the seeded demo behind a Flask test client, demo accounts, callback posts."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models.orm.people import User
from models.orm.tables import Table

DEMO_PASSWORD = "Amol-1405-demo"
DEMO = {"governorate": "gov@hamyar.local", "chair": "chair@hamyar.local", "member": "member@hamyar.local",
        "citizen": "citizen@hamyar.local"}


@pytest.fixture
def demo_app(demo_db):
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": demo_db.url, "SECRET_KEY": "table-tests"})
    server.test_client().get("/")  # Dash attaches the Pages router on the first request
    yield server
    server.extensions["hamyar_db"].dispose()


def csrf(client) -> str:
    cookie = client.get_cookie("_csrf_token")
    if cookie is None:
        client.get("/")
        cookie = client.get_cookie("_csrf_token")
    return cookie.value


def log_in(client, login: str, password: str = DEMO_PASSWORD) -> None:
    resp = client.post("/login", data={"csrf_token": csrf(client), "login": DEMO.get(login, login),
                                       "password": password})
    assert resp.status_code in (302, 303), resp.data[:300]
    client.get("/")


def health_table(db) -> int:
    with db.reader() as s:
        chair = s.scalar(select(User.id).where(User.email == DEMO["chair"]))
        return s.scalar(select(Table.id).where(Table.chair_id == chair))


def post_callback(client, app, output: str, inputs: list[dict], state: list[dict], changed: list[str]):
    """POST one Dash callback the way the renderer does (inputs and states as id/property/value)."""
    body = {"output": output, "outputs": _outputs(output), "inputs": inputs, "state": state,
            "changedPropIds": changed}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def _outputs(key: str):
    parts = key.strip(".").split("...")
    outs = []
    for part in parts:
        cid, prop = part.rsplit(".", 1)
        if "@" in prop:
            prop = prop.split("@")[0]
        outs.append({"id": json.loads(cid) if cid.startswith("{") else cid, "property": prop})
    return outs if key.startswith("..") else outs[0]
