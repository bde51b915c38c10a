"""PostgreSQL faults caused for real on a private server: a frozen server, a crash and restart,
killed backends, a runaway statement. Each costs seconds, and the app recovers with no error.
"""
from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from dash_app import create_app
from models.core import db as dbmod
from models.core.db import Database, DatabaseConfigError
from models.core.schema import migrate
from models.orm.people import User
from tests.models.world import build_world


@pytest.fixture
def app_db(private_postgres):
    db = Database(private_postgres.url)
    migrate(db)
    with db.unit_of_work() as s:
        build_world(s)
    yield db
    db.dispose()


def _users(db: Database) -> int:
    with db.reader() as s:
        return len(s.scalars(select(User.id)).all())


def test_a_runaway_statement_is_cancelled_by_the_server(private_postgres, monkeypatch):
    monkeypatch.setattr(dbmod, "STATEMENT_TIMEOUT", 1)
    db = Database(private_postgres.url)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="statement timeout"), db.engine.connect() as conn:
        conn.execute(text("SELECT pg_sleep(30)"))
    assert time.monotonic() - started < 5
    db.dispose()


def test_a_frozen_server_costs_a_new_connection_seconds_not_minutes(private_postgres, app_db):
    """The postmaster frozen (SIGSTOP): a worker that needs a connection gives up after CONNECT_TIMEOUT
    and /readyz says 503 instead of hanging. (Connections already open to backends that are frozen too
    block until the server wakes: libpq has no client-side read timeout; see docs/deploy.md.)"""
    client = create_app({"TESTING": True, "SECRET_KEY": "f", "DATABASE_URL": app_db.url}).test_client()
    private_postgres.send_to_postmaster(signal.SIGSTOP)
    try:
        started = time.monotonic()
        fresh = Database(private_postgres.url)
        with pytest.raises(DatabaseConfigError):
            fresh.check_reachable()
        fresh.dispose()
        assert time.monotonic() - started < dbmod.CONNECT_TIMEOUT + 5
        started = time.monotonic()
        assert client.get("/readyz").status_code == 503
        assert time.monotonic() - started < dbmod.CONNECT_TIMEOUT + 5
    finally:
        private_postgres.send_to_postmaster(signal.SIGCONT)
    assert client.get("/readyz").status_code == 200


def test_after_a_crash_and_restart_the_pool_recovers_without_an_error(private_postgres, app_db):
    assert _users(app_db) == 5
    private_postgres.stop(signal.SIGKILL)       # a crash, not a clean shutdown
    with pytest.raises(OperationalError):
        _users(app_db)
    private_postgres.start()
    # every pooled connection died with the server; none of them reaches a request
    assert [_users(app_db) for _ in range(10)] == [5] * 10


def test_killed_backends_are_replaced_without_an_error(private_postgres, app_db):
    assert _users(app_db) == 5
    admin = create_engine(private_postgres.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalar()
    admin.dispose()
    assert killed >= 1
    assert [_users(app_db) for _ in range(5)] == [5] * 5
