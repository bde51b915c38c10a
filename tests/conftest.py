"""Shared fixtures: fresh migrated databases on SQLite and on the machine's PostgreSQL.

PostgreSQL tests run in a schema of their own (created and dropped here) in the database named
by HAMYAR_TEST_PG (default: the local server's `test` database), and touch nothing else.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from models import Database
from models.schema import migrate

PG_URL = os.environ.get("HAMYAR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _sqlite_db(tmp_path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'hamyar-test.sqlite3'}")
    migrate(db)
    yield db
    db.dispose()


def _postgres_db() -> Iterator[Database]:
    schema = f"hamyar_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        migrate(db)
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    """A fresh, migrated SQLite database."""
    yield from _sqlite_db(tmp_path)


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """A fresh, migrated PostgreSQL schema."""
    yield from _postgres_db()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request, tmp_path) -> Iterator[Database]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield from _sqlite_db(tmp_path)
    else:
        yield from _postgres_db()
