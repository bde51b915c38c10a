"""Issue 18 item 1 (c), on the machine's real PostgreSQL: the app runs as a role that owns nothing.

A throwaway database and two throwaway roles (unique names, dropped afterwards): the owner runs the
migrations and `grant_app_role`; the app role then cannot TRUNCATE, DISABLE TRIGGER, set
session_replication_role, UPDATE or DELETE audit events, or change the schema, while the app works
under it (sign-in, a state change through the web, a matching run, the chain verified). The owner's
own TRUNCATE of the audit log is refused by the statement-level trigger, and a restore by the owner
(pg_restore) gives the app role its grants back and is audited.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from models.audit.chain import verify_database
from models.core.backup import backup, restore
from models.core.db import Database
from models.core.enums import RunScope
from models.core.roles import grant_app_role, table_privileges
from models.core.schema import init_db
from models.orm.audit_event import AuditEvent
from tests.conftest import PG_URL
from tests.web.conftest import csrf

pytestmark = pytest.mark.postgres


@dataclass
class Roles:
    owner: Database
    app: Database
    owner_role: str
    app_role: str


def _url(user: str, database: str) -> str:
    return make_url(PG_URL).set(username=user, password=None, database=database).render_as_string(
        hide_password=False)


@pytest.fixture(scope="module")
def roles() -> Iterator[Roles]:
    tag = uuid.uuid4().hex[:10]
    owner_role, app_role, database = f"hamyar_own_{tag}", f"hamyar_app_{tag}", f"hamyar_roles_{tag}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner_role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'))
        conn.execute(text(f'CREATE ROLE "{app_role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{owner_role}"'))
    owner = Database(_url(owner_role, database))
    app = Database(_url(app_role, database))
    try:
        init_db(owner)
        grant_app_role(owner, app_role)
        yield Roles(owner, app, owner_role, app_role)
    finally:
        owner.dispose()
        app.dispose()
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                         {"d": database})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{app_role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{owner_role}"'))
        admin.dispose()


@pytest.fixture(scope="module")
def seeded(roles) -> Roles:
    """The Amol demo, seeded by the app role itself (INSERTs only)."""
    from models.demo.seed import seed_demo

    with roles.app.unit_of_work() as s:
        seed_demo(s)
    return roles


def _refused(db: Database, sql: str) -> str:
    with db.engine.connect() as conn:
        with pytest.raises(DBAPIError) as caught:
            conn.execute(text(sql))
        conn.rollback()
    return str(caught.value.orig).splitlines()[0]


def test_the_app_role_holds_only_what_the_app_needs(seeded):
    privileges = table_privileges(seeded.owner, seeded.app_role)
    assert privileges["audit_events"] == {"SELECT", "INSERT"}
    assert privileges["alembic_version"] == {"SELECT"}
    assert privileges["allocations"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert not any("TRUNCATE" in p or "TRIGGER" in p or "REFERENCES" in p for p in privileges.values())
    with seeded.app.engine.connect() as conn:
        owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events' "
                                  "AND schemaname = current_schema()")).scalar_one()
        assert owner == seeded.owner_role


@pytest.mark.parametrize("sql,needle", [
    ("TRUNCATE audit_events", "permission denied"),
    ("TRUNCATE users CASCADE", "permission denied"),
    ("TRUNCATE allocations", "permission denied"),
    ("ALTER TABLE audit_events DISABLE TRIGGER ALL", "must be owner"),
    ("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change", "must be owner"),
    ("SET session_replication_role = replica", "permission denied"),
    ("UPDATE audit_events SET action = 'x' WHERE id = (SELECT min(id) FROM audit_events)", "permission denied"),
    ("DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)", "permission denied"),
    ("DROP TABLE audit_events", "must be owner"),
    ("CREATE TABLE public.sneaky (id int)", "permission denied"),
    ("DROP TRIGGER audit_events_no_truncate ON audit_events", "must be owner"),
    ("UPDATE alembic_version SET version_num = '0001'", "permission denied"),
])
def test_the_app_role_cannot_shorten_or_unprotect_the_log(seeded, sql, needle):
    message = _refused(seeded.app, sql)
    assert needle in message, message


def test_even_the_owner_cannot_truncate_the_audit_log(seeded):
    message = _refused(seeded.owner, "TRUNCATE audit_events")
    assert "append-only: TRUNCATE refused" in message
    with seeded.app.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEvent)).scalar() > 0


def test_the_app_works_under_its_role(seeded):
    from dash_app import create_app
    from models.runs.lifecycle import run_matching

    server = create_app({"TESTING": True, "DATABASE_URL": seeded.app.url, "SECRET_KEY": "roles"})
    try:
        client = server.test_client()
        token = csrf(client)
        done = client.post("/login", data={"csrf_token": token, "login": "gov@hamyar.local",
                                           "password": "Amol-1405-demo"})
        assert done.status_code == 303 and done.headers["Location"].endswith("/")
        client.get("/")
        with seeded.app.reader() as s:
            before = s.scalar(select(func.max(AuditEvent.id)))
        changed = client.post("/language", data={"csrf_token": csrf(client), "lang": "en"})
        assert changed.status_code == 303
        assert client.get("/governorate").status_code == 200
    finally:
        server.extensions["hamyar_db"].dispose()
    with seeded.app.reader() as s:
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.id > before)) == "user.set_language"
    summary = run_matching(seeded.app, None, RunScope.COUNTY)  # FOR UPDATE, inserts, updates, audit
    assert summary.proposed > 0
    checked, problems = verify_database(seeded.app)
    assert problems == [] and checked > 1000


def test_a_restore_by_the_owner_gives_the_app_role_its_grants_back(seeded, tmp_path):
    path = backup(seeded.owner, tmp_path / "roles.backup")
    after = restore(seeded.owner, path, app_role=seeded.app_role)
    assert after["backup"] == "roles.backup"
    with seeded.app.reader() as s:
        newest = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert newest.action == "database.restored"
    assert table_privileges(seeded.owner, seeded.app_role)["audit_events"] == {"SELECT", "INSERT"}
    assert "permission denied" in _refused(seeded.app, "TRUNCATE audit_events")
    assert "append-only: TRUNCATE refused" in _refused(seeded.owner, "TRUNCATE audit_events")
    assert verify_database(seeded.app)[1] == []


def test_grant_refuses_names_that_are_not_plain_roles(seeded):
    from models.core.roles import RoleError

    with pytest.raises(RoleError):
        grant_app_role(seeded.owner, 'x"; DROP TABLE users; --')
    with pytest.raises(ProgrammingError):  # an unknown role is PostgreSQL's error, nothing half-granted
        grant_app_role(seeded.owner, "no_such_role_hamyar")
