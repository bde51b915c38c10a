"""Fixtures for the web tests: an app on a fresh SQLite file, a client, users of each role.

The schema is made with create_all here so these tests do not depend on the migrations.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

import models.accounts.users as accounts
from models import orm
from models.audit.log import record
from models.core.db import Database
from models.core.enums import MemberBackground
from models.orm.tables import Table, TableMembership

PASSWORD = "correct horse 42"


@pytest.fixture
def web_db(tmp_path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


@dataclass
class People:
    citizen: int
    governorate: int
    member: int
    chair: int
    table: int
    other_table: int


def make_people(db: Database) -> People:
    with db.unit_of_work() as s:
        citizen = accounts.create_user(s, name="Citizen", login="09120000001", password=PASSWORD)
        gov = accounts.create_user(s, name="Staff", login="gov@example.org", password=PASSWORD,
                                   is_governorate=True)
        member = accounts.create_user(s, name="Member", login="09120000003", password=PASSWORD)
        chair = accounts.create_user(s, name="Chair", login="09120000004", password=PASSWORD)
        tables = []
        for slug in ("health", "tourism"):
            t = Table(slug=slug, name_fa="میز " + slug, name_en=slug.title() + " table", domain=slug)
            s.add(t)
            record(s, gov.id, "table.create", t)
            tables.append(t)
        tables[0].chair_id = chair.id
        record(s, gov.id, "table.set_chair", tables[0])
        for uid in (member.id, chair.id):
            m = TableMembership(table_id=tables[0].id, user_id=uid, background=MemberBackground.FIELD)
            s.add(m)
            record(s, gov.id, "table.add_member", m, table_id=tables[0].id)
        return People(citizen.id, gov.id, member.id, chair.id, tables[0].id, tables[1].id)


@pytest.fixture
def people(web_db) -> People:
    return make_people(web_db)


LOGINS = {"citizen": "09120000001", "governorate": "gov@example.org", "member": "09120000003",
          "chair": "09120000004"}


@pytest.fixture
def app(web_db):
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test"})
    yield server
    server.extensions["hamyar_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf(client) -> str:
    """The CSRF token the browser would hold (GET a page first so the cookie is set)."""
    cookie = client.get_cookie("_csrf_token")
    if cookie is None:
        client.get("/")
        cookie = client.get_cookie("_csrf_token")
    return cookie.value


def log_in(client, who: str, password: str = PASSWORD, remember: bool = False):
    token = csrf(client)
    data = {"csrf_token": token, "login": LOGINS.get(who, who), "password": password}
    if remember:
        data["remember"] = "on"
    resp = client.post("/login", data=data)
    client.get("/")  # refresh the CSRF cookie after the token rotated
    return resp


@pytest.fixture
def seeded_site(seeded_sqlite_file, tmp_path):
    """The app on a copy of the seeded demo, rate limits off (the render cache's and the roles' tests)."""
    import shutil

    from dash_app import create_app

    path = tmp_path / "demo.sqlite3"
    shutil.copy(seeded_sqlite_file, path)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "seeded-site",
                      "RATELIMIT_ENABLED": False})
    yield app
    app.extensions["hamyar_db"].dispose()
