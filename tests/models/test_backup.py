"""Backup and restore round trips: every table comes back as it was, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.orm.base import Base
from models.orm.people import User
from models.audit.log import record
from models.core.backup import BackupError, backup, restore
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
    assert _dump(any_db) == before
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
