"""The audit log's hash chain: intact after normal work, and any edit or deletion is found and named."""
from __future__ import annotations

import threading

from sqlalchemy import select, text

from models.audit.chain import verify_database
from models.audit.log import record
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from tests.models.world import build_world


def _users(db, n, prefix):
    for i in range(n):
        with db.unit_of_work() as s:
            u = User(name=f"{prefix}{i}", email=f"{prefix}{i}@example.org", password_hash="!x")
            s.add(u)
            record(s, None, "user.created", u)


def _lift_append_only(db, conn):
    if db.is_sqlite:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))


def test_chain_is_intact_after_normal_work_and_finds_tampering(any_db):
    with any_db.unit_of_work() as s:
        build_world(s)
    _users(any_db, 3, "u")
    checked, problems = verify_database(any_db)
    assert checked > 20 and problems == []
    with any_db.reader() as s:
        ids = list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    edited, deleted = ids[5], ids[10]
    with any_db.engine.begin() as conn:  # someone with the database file
        _lift_append_only(any_db, conn)
        conn.execute(text("UPDATE audit_events SET actor_id = NULL, action = 'user.renamed' WHERE id = :i"),
                     {"i": edited})
        conn.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": deleted})
    checked, problems = verify_database(any_db)
    assert {(p.event_id, p.problem) for p in problems} == {(edited, "edited"), (ids[11], "gap")}


def test_concurrent_writers_keep_one_chain(any_db):
    """Writers in parallel threads: the chain never forks (PostgreSQL lock; SQLite's write lock)."""
    errors = []

    def work(prefix):
        try:
            _users(any_db, 8, prefix)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    checked, problems = verify_database(any_db)
    assert checked == 24 and problems == []


def test_seeded_demo_chain_verifies(demo_db):
    checked, problems = verify_database(demo_db)
    assert checked > 1000 and problems == []
