"""Issue 18 item 12: files other local users could read. The SQLite database (and its -wal/-shm), the
jobs folder with export results, backups, the audit key: owner-only; job results expire.

The process umask is set to the common 022 (files 0644 by default) for each test.
"""
from __future__ import annotations

import os
import stat
import time

import pytest

from dash_app.background import JOB_RESULTS_EXPIRE
from dash_app.job_files import expire_results, narrow_files
from models.core.backup import backup
from models.core.db import Database
from models.core.schema import migrate


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_sqlite_database_and_its_wal_are_0600(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'data' / 'hamyar.sqlite3'}")
    migrate(db)
    with db.engine.connect() as conn:  # WAL mode: the -wal and -shm files exist while a connection is open
        conn.exec_driver_sql("SELECT 1")
        files = sorted(p.name for p in (tmp_path / "data").iterdir())
        assert {"hamyar.sqlite3", "hamyar.sqlite3-wal", "hamyar.sqlite3-shm"} <= set(files)
        assert {name: _mode(tmp_path / "data" / name) for name in files} == {name: 0o600 for name in files}
    db.dispose()


def test_an_existing_database_others_could_read_is_narrowed(tmp_path):
    path = tmp_path / "hamyar.sqlite3"
    db = Database(f"sqlite:///{path}")
    migrate(db)
    db.dispose()
    path.chmod(0o644)
    Database(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600


def test_backups_are_0600(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'hamyar.sqlite3'}")
    migrate(db)
    assert _mode(backup(db, tmp_path / "out" / "copy.sqlite3")) == 0o600
    db.dispose()


def test_the_jobs_folder_is_private_and_old_results_are_deleted(tmp_path):
    from dash_app import create_app

    data = tmp_path / "data"
    server = create_app({"TESTING": True, "SECRET_KEY": "modes", "HAMYAR_DATA": str(data),
                         "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}"})
    jobs = data / "jobs"
    assert _mode(jobs) == 0o700 and _mode(jobs / "cache.db") == 0o600
    cache = server.extensions["hamyar_dash"]._background_manager.handle
    sheet = os.urandom(200_000)  # an export's bytes: big enough that diskcache writes a file of its own
    cache.set("result-old", sheet)
    cache.set("result-new", b"small")
    files = [p for p in jobs.rglob("*") if p.is_file()]
    assert any(p.stat().st_size >= 200_000 for p in files)
    narrow_files(jobs)  # what the sweep after each request does
    assert {p.name: _mode(p) for p in jobs.rglob("*") if p.is_file()} == {
        p.name: 0o600 for p in jobs.rglob("*") if p.is_file()}
    # An hour on, nobody collected them: the sweep deletes both, and the export's file with them.
    assert expire_results(cache, JOB_RESULTS_EXPIRE, now=time.time() + JOB_RESULTS_EXPIRE + 1) == 2
    assert cache.get("result-old") is None and cache.get("result-new") is None
    assert not any(p.stat().st_size >= 200_000 for p in jobs.rglob("*") if p.is_file())
    # A fresh result is kept.
    cache.set("result-fresh", b"x")
    assert expire_results(cache, JOB_RESULTS_EXPIRE) == 0 and cache.get("result-fresh") == b"x"
    server.extensions["hamyar_db"].dispose()


def test_the_audit_key_file_is_0600(tmp_path):
    from models.audit.keys import load_or_create_key_file

    load_or_create_key_file(tmp_path / "audit_key")
    assert _mode(tmp_path / "audit_key") == 0o600
