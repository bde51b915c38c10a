"""Shared fixtures: fresh migrated databases on SQLite and on the machine's PostgreSQL; Hypothesis profiles.

PostgreSQL tests run in a schema of their own (created and dropped here) in the database named
by HAMYAR_TEST_PG (default: the local server's `test` database), and touch nothing else.
"""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, make_url, text

from models.core.db import Database
from models.core.schema import migrate

# Hypothesis profiles for every test that uses it (the solver's property tests as much as the fuzzing):
# `ci` (the default), `nightly` (HYPOTHESIS_PROFILE=nightly) and `dev`. None has a deadline (2 shared cores).
_COMMON = dict(deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                      HealthCheck.data_too_large, HealthCheck.filter_too_much])
# Per-test example counts are scaled from these: FUZZ_SCALE["ci"] == 1, nightly multiplies.
# CI is the gate, so its cases are the same on every run (derandomize): a red CI means the change broke
# something, never that exploration happened upon an old bug. Exploring is the nightly run's job: random
# cases, 40x as many; what it finds gets fixed and, where useful, pinned with @example.
settings.register_profile("ci", max_examples=40, derandomize=True, **_COMMON)
settings.register_profile("nightly", max_examples=1600, derandomize=False, **_COMMON)
settings.register_profile("dev", max_examples=10, derandomize=False, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


PG_URL = os.environ.get("HAMYAR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


_MIGRATED_SQLITE: dict[str, Path] = {}


def _migrated_sqlite_template() -> Path:
    """One SQLite file per test process, migrated to head once: running the 25 migrations costs 1-4 s, a copy
    of the file a millisecond, and the result is the same schema (tests/models checks the migrations)."""
    if "path" not in _MIGRATED_SQLITE:
        path = Path(tempfile.mkdtemp(prefix="hamyar-migrated-")) / "template.sqlite3"
        db = Database(f"sqlite:///{path}")
        migrate(db)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        _MIGRATED_SQLITE["path"] = path
        atexit.register(shutil.rmtree, path.parent, True)
    return _MIGRATED_SQLITE["path"]


def _sqlite_db(tmp_path) -> Iterator[Database]:
    target = tmp_path / "hamyar-test.sqlite3"
    shutil.copyfile(_migrated_sqlite_template(), target)
    db = Database(f"sqlite:///{target}")
    yield db
    db.dispose()


_PG_SCRIPTS: dict[str, tuple[str, str]] = {}


def _pg_script(seeded: bool = False) -> tuple[str, str]:
    """A schema migrated to head (and with `seeded`, the Amol demo seeded into it) once per test process, dumped
    as SQL (pg_dump, schema and rows): replaying the dump under a new schema name takes a tenth of a second where
    the 25 migrations take 1-5 s, and the demo's seeding 10-40 s (it was seeded again for every test that used
    it on PostgreSQL). Returns the template's name (a random token, so replacing it in the dump touches nothing
    else) and the dump."""
    key = "seeded" if seeded else "migrated"
    if key not in _PG_SCRIPTS:
        template = f"hamyar_tpl_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if seeded:
                empty, script = _pg_script()
                conn.exec_driver_sql(script.replace(empty, template))
            else:
                conn.execute(text(f'CREATE SCHEMA "{template}"'))
        db = Database(f"{PG_URL}?options=-csearch_path%3D{template}")
        try:
            if seeded:
                from models.demo.seed import seed_demo

                with db.unit_of_work() as s:
                    seed_demo(s)
            else:
                migrate(db)
            db.dispose()
            url = make_url(PG_URL)
            dump = subprocess.run(
                ["pg_dump", "--host", url.host or "127.0.0.1", "--port", str(url.port or 5432),
                 "--username", url.username or "postgres", "--dbname", url.database or "test",
                 "--schema", template, "--inserts", "--rows-per-insert", "500", "--no-owner", "--no-privileges",
                 "--no-comments"],
                check=True, capture_output=True, text=True).stdout
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{template}" CASCADE'))
            admin.dispose()
        # psql's meta-commands (\restrict in recent pg_dump) are not SQL
        _PG_SCRIPTS[key] = template, "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))
    return _PG_SCRIPTS[key]


def _postgres_db(seeded: bool = False) -> Iterator[Database]:
    """A fresh PostgreSQL schema, migrated (and with `seeded`, holding the Amol demo as seed_demo makes it)."""
    schema = f"hamyar_test_{uuid.uuid4().hex[:10]}"
    template, script = _pg_script(seeded)
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(script.replace(template, schema))
    db = Database(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
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


@pytest.fixture(scope="session")
def seeded_sqlite_file(tmp_path_factory):
    """The demo seeded once per test session; tests get copies of the file."""
    from models.demo.seed import seed_demo

    path = tmp_path_factory.mktemp("seeded") / "demo.sqlite3"
    db = Database(f"sqlite:///{path}")
    migrate(db)
    with db.unit_of_work() as s:
        seed_demo(s)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def demo_db(seeded_sqlite_file, tmp_path) -> Iterator[Database]:
    """A private copy of the seeded demo database (SQLite)."""
    yield from _copy(seeded_sqlite_file, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_demo_db(request, seeded_sqlite_file, tmp_path) -> Iterator[Database]:
    """The seeded demo on SQLite (a copy) and on PostgreSQL (seeded in a fresh schema)."""
    if request.param == "sqlite":
        yield from _copy(seeded_sqlite_file, tmp_path)
    else:
        yield from _postgres_db(seeded=True)


def _copy(path, tmp_path) -> Iterator[Database]:
    import shutil

    target = tmp_path / "demo-copy.sqlite3"
    shutil.copyfile(path, target)
    db = Database(f"sqlite:///{target}")
    yield db
    db.dispose()
