"""Backup and restore round trips: every table comes back as it was, on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from models.audit.log import record
from models.core.backup import BackupError, _libpq_url, _pg_env, backup, incomplete_path, restore
from models.core.db import Database
from models.core.schema import migrate
from models.orm.base import Base
from models.orm.people import User
from tests.models.world import build_world


def _dump(db) -> dict[str, list[tuple]]:
    out = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            out[table.name] = [tuple(r) for r in conn.execute(select(*table.columns).order_by(*table.primary_key))]
    return out


def test_round_trip_restores_every_table(any_db, tmp_path):
    with any_db.unit_of_work() as s:
        build_world(s)
    before = _dump(any_db)
    assert sum(len(rows) for rows in before.values()) > 20
    path = backup(any_db, tmp_path / "hamyar.backup")
    with any_db.unit_of_work() as s:  # changes after the backup…
        u = User(name="late", email="late@example.org", password_hash="!x")
        s.add(u)
        record(s, None, "user.created", u)
    assert _dump(any_db) != before
    restore(any_db, path)             # …are gone after the restore
    after = _dump(any_db)
    restored = after["audit_events"].pop()  # the restore itself is audited (issue 18 item 1)
    assert after == before
    assert restored[3] == "database.restored" and restored[8]["backup"] == "hamyar.backup"
    with pytest.raises(BackupError):  # a backup never overwrites a file
        backup(any_db, path)


def test_restore_refuses_what_is_not_a_backup(db, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    with db.unit_of_work() as s:
        build_world(s)
    before = _dump(db)
    with pytest.raises(BackupError):
        restore(db, bogus)
    with pytest.raises(BackupError):
        restore(db, tmp_path / "missing.backup")
    assert _dump(db) == before


# --- faults, caused for real ---------------------------------------------------------------------

def _big_sqlite(path, megabytes: int) -> Database:
    """A migrated database padded with a table of blobs, so copying it takes a while."""
    db = Database(f"sqlite:///{path}")
    migrate(db)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE padding (b BLOB)")
    con.executemany("INSERT INTO padding VALUES (randomblob(65536))", [()] * (megabytes * 16))
    con.commit()
    con.close()
    return db


def test_backup_is_owner_only_and_leaves_nothing_beside_it(db, tmp_path):
    path = backup(db, tmp_path / "out" / "hamyar.backup")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["hamyar.backup"]


def test_full_disk_is_a_sentence_and_leaves_nothing(tmp_path):
    """A real full disk: a 1 MiB tmpfs (mounting needs root, which this machine and CI run as)."""
    db = _big_sqlite(tmp_path / "big.sqlite3", 4)
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    try:
        with pytest.raises(BackupError, match="is full; the backup was not written"):
            backup(db, disk / "hamyar.backup")
        assert list(disk.iterdir()) == []
        # the command line says the same in one line, with no traceback
        env = {**os.environ, "DATABASE_URL": db.url, "HAMYAR_ENV": "development"}
        done = subprocess.run([sys.executable, "-m", "dash_app.cli", "backup", str(disk / "again.backup")],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode != 0
        assert "is full" in done.stderr and "Traceback" not in done.stderr
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_killed_backup_leaves_no_complete_looking_file_and_the_next_one_cleans_up(tmp_path):
    db = _big_sqlite(tmp_path / "big.sqlite3", 48)
    target = tmp_path / "out" / "hamyar.backup"
    script = ("import sys; from models.core import backup as b; from models.core.db import Database; "
              "b.SQLITE_PAGES_PER_STEP = 4; b.backup(Database(sys.argv[1]), sys.argv[2])")
    proc = subprocess.Popen([sys.executable, "-c", script, db.url, str(target)], cwd=Path(__file__).parents[2])
    partial = incomplete_path(target)
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size > 1_000_000) and time.monotonic() < deadline:
        assert proc.poll() is None, "the backup finished before it could be killed; make the database bigger"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not target.exists()                     # nothing that looks like a backup
    assert partial.name.startswith(".") and partial.name.endswith(".incomplete")
    backup(db, target)                             # the next run removes what the killed one left
    assert sorted(p.name for p in target.parent.iterdir()) == ["hamyar.backup"]
    con = sqlite3.connect(target)
    assert con.execute("SELECT count(*) FROM padding").fetchone()[0] == 48 * 16
    con.close()


def test_postgres_password_travels_in_the_environment_not_the_command_line(pg_db):
    with_password = Database(pg_db.engine.url.set(password="s3cret-Pass").render_as_string(hide_password=False))
    try:
        assert "s3cret-Pass" not in _libpq_url(with_password)
        assert _pg_env(with_password)["PGPASSWORD"] == "s3cret-Pass"
    finally:
        with_password.dispose()
