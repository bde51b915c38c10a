"""Issue 18 item 1 (a, b): anchors outside the database and a keyed chain.

An attacker here has the database (file or superuser) but neither the audit key nor the anchor file:
truncating the newest events, deleting everything, rewriting and re-hashing from some event on, and
appending forged events are each reported by `verify_anchors` / `hamyar audit verify --anchors` with
the first bad event id; a legitimate restore of an older backup is told apart from a truncation.
"""
from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from dash_app.cli import main as cli
from dash_app.settings import Settings, SettingsError
from models.audit import anchors as anchors_mod
from models.audit.anchors import append_anchor, chain_head_of, read_anchors, verify_anchors, write_anchor
from models.audit.chain import verify_database
from models.audit.keys import AuditConfig, configure, key_id, load_or_create_key_file
from models.audit.log import CHAINED_FIELDS, event_digest, record
from models.core.backup import backup, restore
from models.core.enums import RunScope
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.runs.lifecycle import run_matching
from tests.models.world import build_world
from tests.pb.test_pb_cycles import setup  # noqa: F401 - the PB fixture (a world, staff, voters)

KEY = b"k" * 16 + os.urandom(16).hex().encode()


@pytest.fixture
def keyed(any_db, tmp_path):
    """A migrated database whose events are chained with KEY and anchored to tmp_path/anchors.jsonl."""
    anchors_mod._last_anchor_at.clear()
    configure(any_db, AuditConfig(key=KEY, anchor_file=tmp_path / "anchors.jsonl"))
    return any_db


def _users(db, n, prefix="u"):
    for i in range(n):
        with db.unit_of_work() as s:
            u = User(name=f"{prefix}{i}", email=f"{prefix}{i}-{os.urandom(3).hex()}@example.org", password_hash="!x")
            s.add(u)
            record(s, None, "user.created", u)


def _ids(db):
    with db.reader() as s:
        return list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def _as_attacker(db):
    """A connection with the append-only triggers lifted (the database file's owner, a superuser)."""
    conn = db.engine.connect()
    tx = conn.begin()
    if db.is_sqlite:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    return conn, tx


def _finish(db, conn, tx):
    if not db.is_sqlite:
        conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    tx.commit()
    conn.close()


def _rehash_from(db, first_id, key=None, key_name=None, change=True):
    """Rewrite event `first_id` and re-hash it and every later event consistently (plain SHA-256 when
    `key` is None: the attacker has no key)."""
    conn, tx = _as_attacker(db)
    rows = conn.execute(select(AuditEvent.__table__).order_by(AuditEvent.id)).mappings().all()
    prev = None
    for row in rows:
        if row["id"] < first_id:
            prev = row["hash"]
            continue
        fields = {k: row[k] for k in CHAINED_FIELDS}
        if row["id"] == first_id and change:
            fields["action"] = "user.renamed"
        digest = event_digest(prev, fields, key)
        conn.execute(text("UPDATE audit_events SET action = :a, prev_hash = :p, hash = :h, chain_key = :k "
                          "WHERE id = :i"), {"a": fields["action"], "p": prev, "h": digest, "k": key_name,
                                             "i": row["id"]})
        prev = digest
    _finish(db, conn, tx)


def test_keyed_chain_verifies_and_old_unkeyed_events_still_do(any_db, tmp_path):
    _users(any_db, 3, "old")  # before the key: plain SHA-256
    configure(any_db, AuditConfig(key=KEY, anchor_file=None))
    _users(any_db, 3, "new")
    with any_db.reader() as s:
        kinds = [k for (k,) in s.execute(select(AuditEvent.chain_key).order_by(AuditEvent.id))]
    assert kinds == [None] * 3 + [key_id(KEY)] * 3
    assert verify_database(any_db) == (6, [])
    # Without the key nobody can check (or forge) the keyed events.
    checked, problems = verify_database(any_db, keys={})
    assert {p.problem for p in problems} == {"unknown_key"} and len(problems) == 3
    # With another key they do not verify.
    checked, problems = verify_database(any_db, keys={key_id(KEY): b"x" * 64})
    assert {p.problem for p in problems} == {"edited"}


def test_matching_run_anchors_automatically_and_cli_anchor_and_verify(keyed, tmp_path):
    path = tmp_path / "anchors.jsonl"
    with keyed.unit_of_work() as s:
        build_world(s)
    before = len(read_anchors(path)[0]) if path.exists() else 0
    run_matching(keyed, None, RunScope.COUNTY)
    anchors, problems = read_anchors(path, {key_id(KEY): KEY})
    assert problems == []
    run_anchor = [a for a in anchors if a.reason == "matching.finished"]
    assert len(anchors) > before and len(run_anchor) == 1
    with keyed.reader() as s:
        finished = s.scalar(select(AuditEvent).where(AuditEvent.action == "matching.finished"))
        assert (run_anchor[0].event_id, run_anchor[0].hash) == (finished.id, finished.hash)
        assert run_anchor[0].key_id == key_id(KEY)
    # The function others call, and the report.
    manual = write_anchor(keyed, "manual")
    assert manual.event_id == max(_ids(keyed))
    report = verify_anchors(keyed, path)
    assert report.ok and report.anchors == len(anchors) + 1


def test_daily_anchor_after_a_day_without_one(keyed, tmp_path):
    path = tmp_path / "anchors.jsonl"
    _users(keyed, 2)
    append_anchor(path, chain_head_of(keyed.engine), "manual", AuditConfig(key=KEY),
                  now=datetime.now(UTC) - timedelta(days=2))
    anchors_mod._last_anchor_at.clear()  # a fresh process: it reads the file
    _users(keyed, 1, "next")
    anchors, _ = read_anchors(path)
    assert [a.reason for a in anchors][-2:] == ["manual", "daily"]
    assert anchors[-1].event_id == max(_ids(keyed))
    _users(keyed, 1, "again")  # the newest anchor is fresh now: no new one
    assert len(read_anchors(path)[0]) == len(anchors)


def _cli(db, tmp_path, *args):
    env = {"DATABASE_URL": db.url, "HAMYAR_DATA": str(tmp_path), "HAMYAR_AUDIT_KEY": KEY.decode(),
           "HAMYAR_AUDIT_ANCHORS": str(tmp_path / "anchors.jsonl"), "HAMYAR_ENV": "development"}
    return CliRunner().invoke(cli, list(args), env=env)


def test_truncating_the_newest_events_is_reported_with_the_first_bad_id(keyed, tmp_path):
    _users(keyed, 10)
    done = _cli(keyed, tmp_path, "audit", "anchor")
    assert done.exit_code == 0, done.output
    ids = _ids(keyed)
    ok = _cli(keyed, tmp_path, "audit", "verify", "--anchors", str(tmp_path / "anchors.jsonl"))
    assert ok.exit_code == 0 and "anchored heads still in the chain" in ok.output, ok.output
    # The plain check cannot see it: the chain that is left is whole.
    conn, tx = _as_attacker(keyed)
    conn.execute(text("DELETE FROM audit_events WHERE id > :i"), {"i": ids[-4]})  # the newest 3
    _finish(keyed, conn, tx)
    assert verify_database(keyed)[1] == []
    report = verify_anchors(keyed, tmp_path / "anchors.jsonl")
    assert not report.ok and report.first_bad_id == ids[-3]
    assert [p.problem for p in report.anchor_problems] == ["missing"]
    out = _cli(keyed, tmp_path, "audit", "verify", "--anchors", str(tmp_path / "anchors.jsonl"))
    assert out.exit_code == 1 and f"first bad event: {ids[-3]}" in out.output


def test_deleting_everything_is_reported(keyed, tmp_path):
    _users(keyed, 4)
    write_anchor(keyed)
    conn, tx = _as_attacker(keyed)
    conn.execute(text("DELETE FROM audit_events"))
    _finish(keyed, conn, tx)
    assert verify_database(keyed) == (0, [])
    report = verify_anchors(keyed, tmp_path / "anchors.jsonl")
    assert report.first_bad_id == 1 and report.anchor_problems[0].problem == "missing"


def test_rewrite_without_the_key_names_the_first_rewritten_event(keyed, tmp_path):
    _users(keyed, 6)
    write_anchor(keyed)
    ids = _ids(keyed)
    _rehash_from(keyed, ids[2])  # plain SHA-256 from the third event on: a consistent chain, but unkeyed
    report = verify_anchors(keyed, tmp_path / "anchors.jsonl")
    assert report.first_bad_id == ids[2]
    assert {(p.event_id, p.problem) for p in report.chain_problems} >= {(ids[2], "unkeyed")}
    assert [p.problem for p in report.anchor_problems] == ["rewritten"]


def test_rewrite_with_a_guessed_key_names_the_first_rewritten_event(keyed, tmp_path):
    _users(keyed, 6)
    write_anchor(keyed)
    ids = _ids(keyed)
    _rehash_from(keyed, ids[3], key=b"g" * 64, key_name=key_id(KEY))
    report = verify_anchors(keyed, tmp_path / "anchors.jsonl")
    assert report.first_bad_id == ids[3] and (ids[3], "edited") in {(p.event_id, p.problem)
                                                                    for p in report.chain_problems}


def test_rewrite_by_someone_with_the_key_is_caught_by_the_anchors(keyed, tmp_path):
    """An insider with the key re-hashes consistently: only the anchors can tell; the first bad id is
    bounded by the newest anchor that still holds."""
    _users(keyed, 3)
    good = write_anchor(keyed)
    _users(keyed, 4, "later")
    write_anchor(keyed)
    ids = _ids(keyed)
    _rehash_from(keyed, ids[5], key=KEY, key_name=key_id(KEY))
    assert verify_database(keyed)[1] == []  # the chain alone is consistent
    report = verify_anchors(keyed, tmp_path / "anchors.jsonl")
    assert [p.problem for p in report.anchor_problems] == ["rewritten"]
    assert report.first_bad_id == good.event_id + 1 <= ids[5]


def test_forged_appends_are_reported(keyed, tmp_path):
    _users(keyed, 3)
    write_anchor(keyed)
    head = chain_head_of(keyed.engine)
    at = datetime.now(UTC)
    forged = {"at": at, "actor_id": None, "action": "user.role_changed", "object_type": "users",
              "object_id": 1, "table_id": None, "before": None, "after": {"is_governorate": True}}
    plain = event_digest(head.hash, forged)
    with keyed.engine.begin() as conn:  # INSERT is what the app may do: no trigger to lift
        conn.execute(AuditEvent.__table__.insert().values(**forged, prev_hash=head.hash, hash=plain, chain_key=None))
        conn.execute(AuditEvent.__table__.insert().values(
            **{**forged, "action": "user.activated"}, prev_hash=plain, hash="f" * 64, chain_key=key_id(KEY)))
    ids = _ids(keyed)
    report = verify_anchors(keyed, tmp_path / "anchors.jsonl")
    assert report.anchor_problems == []  # the anchored head is still there ...
    assert [(p.event_id, p.problem) for p in report.chain_problems] == [(ids[-2], "unkeyed"), (ids[-1], "edited")]
    assert report.first_bad_id == ids[-2]  # ... but what follows it was not written with the key


def test_anchor_file_lines_cannot_be_edited_or_invented_without_the_key(keyed, tmp_path):
    path = tmp_path / "anchors.jsonl"
    _users(keyed, 2)
    write_anchor(keyed)
    _users(keyed, 2, "b")
    write_anchor(keyed)
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    first["hash"] = "0" * 64
    path.write_text(json.dumps(first) + "\n" + lines[1] + "\n")
    _, problems = read_anchors(path, {key_id(KEY): KEY})
    assert {p.problem for p in problems} == {"forged_anchor", "file_edited"}


def test_restore_of_an_older_backup_is_told_apart_from_truncation(db, tmp_path):
    """SQLite (pg_restore: tests/security/test_pg_roles.py runs the app role through one)."""
    anchors_mod._last_anchor_at.clear()
    configure(db, AuditConfig(key=KEY, anchor_file=tmp_path / "anchors.jsonl"))
    path = tmp_path / "anchors.jsonl"
    _users(db, 4)
    kept = write_anchor(db)
    backup(db, tmp_path / "before.sqlite3")
    _users(db, 5, "lost")
    lost = write_anchor(db)
    # A truncation back to the same point would be reported ...
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(path.read_bytes())
    after = restore(db, tmp_path / "before.sqlite3")
    assert after["backup"] == "before.sqlite3" and after["returns_to"] == {"event_id": kept.event_id,
                                                                            "hash": kept.hash}
    assert after["anchor"]["event_id"] == kept.event_id
    assert after["abandoned_head"] == {"event_id": lost.event_id, "hash": lost.hash}
    with db.reader() as s:
        event = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert event.action == "database.restored" and event.chain_key == key_id(KEY)
    truncation = verify_anchors(db, copy)
    assert not truncation.ok and [p.problem for p in truncation.anchor_problems] == ["missing"]
    # ... the restore wrote its anchor, which tells verify the newer anchors are an abandoned branch.
    report = verify_anchors(db, path)
    assert report.ok, (report.chain_problems, report.anchor_problems)
    assert [(old.event_id, by.reason) for old, by in report.superseded] == [(lost.event_id, "database.restored")]
    out = _cli(db, tmp_path, "audit", "verify", "--anchors", str(path))
    assert out.exit_code == 0 and "superseded by the restore" in out.output


def test_seeded_demo_ends_with_an_anchor(db, tmp_path):
    from models.demo.seed import seed_demo

    anchors_mod._last_anchor_at.clear()
    configure(db, AuditConfig(key=KEY, anchor_file=tmp_path / "anchors.jsonl"))
    with db.unit_of_work() as s:
        seed_demo(s)
    anchors, _ = read_anchors(tmp_path / "anchors.jsonl")
    with db.reader() as s:
        newest = s.scalar(select(func.max(AuditEvent.id)))
    assert anchors[-1].reason == "demo.seeded" and anchors[-1].event_id == newest
    assert verify_anchors(db, tmp_path / "anchors.jsonl").ok


def test_production_refuses_to_start_without_an_audit_key_and_development_makes_one_0600(tmp_path):
    with pytest.raises(SettingsError, match="HAMYAR_AUDIT_KEY"):
        Settings.load({}, {"SECRET_KEY": "s", "HAMYAR_DATA": str(tmp_path)})
    assert Settings.load({}, {"SECRET_KEY": "s", "HAMYAR_AUDIT_KEY": KEY.decode()}).audit_config().key == KEY
    dev = Settings.load({}, {"HAMYAR_ENV": "development", "HAMYAR_DATA": str(tmp_path)})
    key = dev.audit_config().key
    assert key and stat.S_IMODE((tmp_path / "audit_key").stat().st_mode) == 0o600
    assert dev.audit_config().key == key == load_or_create_key_file(tmp_path / "audit_key")
    # The key file now exists: production accepts it, and the anchors go to the data folder.
    prod = Settings.load({}, {"SECRET_KEY": "s", "HAMYAR_DATA": str(tmp_path)})
    assert prod.audit_config().key == key and prod.anchor_file == tmp_path.resolve() / "audit-anchors.jsonl"


def test_publishing_pb_results_anchors(setup, tmp_path):  # noqa: F811 - the fixture imported above
    """A PB publication (here with no ballot cast: nothing funded, still a publication) anchors the head."""
    import models.pb.cycles as pbc
    from tests.pb.test_pb_cycles import _advance, _cycle

    db, w, gov, _voters, _ = setup
    anchors_mod._last_anchor_at.clear()
    configure(db, AuditConfig(key=KEY, anchor_file=tmp_path / "anchors.jsonl"))
    cid = _cycle(db, gov, w)
    _advance(db, gov, cid, "voting", "tallying")
    with db.unit_of_work() as s:
        pbc.publish_results(s, gov, cid)
    anchors, _ = read_anchors(tmp_path / "anchors.jsonl")
    with db.reader() as s:
        published = s.scalar(select(AuditEvent).where(AuditEvent.action == "pb_cycle.results_published"))
        newest = s.scalar(select(func.max(AuditEvent.id)))
    assert anchors[-1].reason == "pb_cycle.results_published" and anchors[-1].event_id == newest >= published.id
    assert verify_anchors(db, tmp_path / "anchors.jsonl").ok


def test_a_command_with_another_audit_key_is_refused_but_verify_still_runs(keyed, tmp_path):
    """A shell without the server's HAMYAR_AUDIT_KEY would make a key of its own: writing commands refuse."""
    _users(keyed, 2)
    env = {"DATABASE_URL": keyed.url, "HAMYAR_DATA": str(tmp_path / "elsewhere"), "HAMYAR_ENV": "development"}
    refused = CliRunner().invoke(cli, ["create-user", "--name", "x", "--login", "x@example.org", "--password",
                                       "a long enough password 42"], env=env)
    assert refused.exit_code == 1 and f"chained with the audit key {key_id(KEY)}" in refused.output
    checked = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    assert checked.exit_code == 1 and "chained with an audit key this check was not given" in checked.output
    assert _cli(keyed, tmp_path, "audit", "verify").exit_code == 0
