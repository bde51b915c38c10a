"""Issue 18 item 5 (chair elections): ballots are secret in the database and every backup too.

"Who voted" (chair_participations) and "what was voted" (chair_ballots + chair_ballot_choices) are
kept apart. While a ballot may still be changed, it carries a keyed link (HMAC of election and voter
under a key that is not in the database); the close erases every link and rewrites the counted
ballots with new random ids in random order. These tests read the raw rows, the audit log and a real
backup file, on SQLite and PostgreSQL, and upgrade a database holding old-style ballots.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from models.audit.log import record
from models.core import backup as backups
from models.core.enums import MemberBackground
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.orm.tables import ChairBallot, ChairBallotChoice, ChairParticipation, TableMembership
from models.tables import elections
from models.tables.elections import (
    ballot_link,
    cast_ballot,
    close_election,
    configure_ballot_key,
    election_view,
    nominate,
    open_election,
    published_result,
)
from tests.models.world import build_world

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
KEY = b"a key the database never sees, 0123456789abcdef"


def _rows(db, model) -> list[dict]:
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(model.__table__))]


def _world(db, members: int = 4):
    """The small county plus `members` extra members of the health table and a governorate officer."""
    with db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test", gov)
        extra = []
        for i in range(members):
            u = User(name=f"voter {i}", email=f"voter{i}@example.org", password_hash="!x")
            s.add(u)
            record(s, None, "test", u)
            s.flush()
            m = TableMembership(table_id=w.health, user_id=u.id, background=MemberBackground.FIELD)
            s.add(m)
            record(s, None, "test", m)
            extra.append(u.id)
    with db.unit_of_work() as s:
        eid = open_election(s, gov.id, w.health, NOW + timedelta(days=7), now=NOW).id
    with db.unit_of_work() as s:
        a = nominate(s, w.member, eid, now=NOW).id
        b = nominate(s, extra[0], eid, now=NOW + timedelta(minutes=1)).id
    return w, gov.id, extra, eid, a, b


@pytest.fixture
def keyed_db(any_db):
    configure_ballot_key(any_db, KEY)
    return any_db


def test_ballot_rows_name_no_voter_and_the_link_needs_the_key(keyed_db):
    db = keyed_db
    w, _gov, extra, eid, a, b = _world(db)
    voters = [w.chair, w.member, *extra]
    with db.unit_of_work() as s:
        for n, v in enumerate(voters):
            cast_ballot(s, v, eid, [a] if n % 2 else [a, b], now=NOW)
    ballots, participations = _rows(db, ChairBallot), _rows(db, ChairParticipation)
    assert set(ballots[0]) == {"id", "election_id", "link"}          # no voter, no time
    assert {p["user_id"] for p in participations} == set(voters)     # who voted: here
    assert set(_rows(db, ChairBallotChoice)[0]) == {"ballot_id", "candidate_id"}
    links = {r["link"] for r in ballots}
    # The link is the keyed MAC; without the key nothing computed from the voter's id finds it.
    assert links == {ballot_link(KEY, eid, v) for v in voters}
    for v in voters:
        for guess in (str(v), f"{eid}:{v}", hashlib.sha256(f"{eid}:{v}".encode()).hexdigest(),
                      hashlib.sha256(f"hamyar-chair-ballot:{eid}:{v}".encode()).hexdigest(),
                      ballot_link(b"\0" * 32, eid, v), ballot_link(b"wrong key 0123456789", eid, v)):
            assert guess not in links
    # Ids are random, not in casting order (ids in order would line up with participations and the audit).
    ids = [r["id"] for r in sorted(ballots, key=lambda r: r["link"])]
    assert all(i > 2**20 for i in ids) and len(set(ids)) == len(ids)
    with db.reader() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action.like("election.ballot%"))).all()
    assert len(events) == len(voters)
    assert {e.object_type for e in events} == {"chair_participations"}
    text_of_events = json.dumps([[e.object_id, e.before, e.after] for e in events], default=str)
    assert not any(str(i) in text_of_events for i in ids) and not any(link in text_of_events for link in links)


def test_a_voter_changes_their_own_ballot_and_sees_only_it(keyed_db):
    db = keyed_db
    w, _gov, extra, eid, a, b = _world(db)
    with db.unit_of_work() as s:
        cast_ballot(s, w.member, eid, [a], now=NOW)
        cast_ballot(s, extra[1], eid, [b], now=NOW)
    with db.unit_of_work() as s:
        cast_ballot(s, w.member, eid, [a, b], now=NOW + timedelta(hours=1))
    assert len(_rows(db, ChairBallot)) == 2 and len(_rows(db, ChairParticipation)) == 2
    with db.reader() as s:
        assert election_view(s, w.health, w.member, now=NOW).my_choices == sorted([a, b])
        assert election_view(s, w.health, extra[1], now=NOW).my_choices == [b]
        assert election_view(s, w.health, extra[2], now=NOW).my_choices == []
        assert election_view(s, w.health, w.member, now=NOW).voted == 2
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.action.like("election.ballot%"))
                                              .order_by(AuditEvent.id))]
    assert actions == ["election.ballot_cast", "election.ballot_cast", "election.ballot_changed"]


def test_the_close_erases_every_link_and_renumbers_the_ballots(keyed_db, tmp_path):
    db = keyed_db
    w, gov, extra, eid, a, b = _world(db)
    votes = {w.chair: [a], w.member: [a, b], extra[0]: [b], extra[1]: [b], extra[2]: [a], extra[3]: [b]}
    with db.unit_of_work() as s:
        for v, choice in votes.items():
            cast_ballot(s, v, eid, choice, now=NOW)
    with db.unit_of_work() as s:  # extra[3] leaves the table before the close: their ballot does not count
        m = s.scalar(select(TableMembership).where(TableMembership.user_id == extra[3]))
        m.left_at = NOW + timedelta(days=1)
        record(s, gov, "test.left", m)
    before = _rows(db, ChairBallot)
    old_ids, old_links = {r["id"] for r in before}, {r["link"] for r in before}
    with db.unit_of_work() as s:
        close_election(s, gov, eid, now=NOW + timedelta(days=2))
    after = _rows(db, ChairBallot)
    assert all(r["link"] is None for r in after)
    assert not old_ids & {r["id"] for r in after}
    assert len(after) == 5  # the counted ballots only (the member who left is not among them)
    # The anonymous ballots recount to the published result.
    with db.reader() as s:
        result = published_result(s, eid)
        candidates = {c: s.scalar(text("SELECT user_id FROM chair_candidates WHERE id = :c"), {"c": c}) for c in (a, b)}
        assert election_view(s, w.health, w.member).my_choices == []  # no link: not even the voter's own
    recount = {str(candidates[c]): 0 for c in (a, b)}
    for row in _rows(db, ChairBallotChoice):
        recount[str(candidates[row["candidate_id"]])] += 1
    assert recount == result == {str(candidates[a]): 3, str(candidates[b]): 3}
    assert {p["user_id"] for p in _rows(db, ChairParticipation)} == set(votes)  # who voted stays known
    # Nothing in any table, nor in a backup file, holds a link or an old ballot id.
    dumped = json.dumps({t: _rows_of_table(db, t) for t in _table_names(db)}, default=str)
    assert not any(link in dumped for link in old_links)
    file = backups.backup(db, tmp_path / "after-close.backup")
    data = file.read_bytes()
    assert not any(link.encode() in data for link in old_links)
    assert b"chair_participations" in data or db.is_sqlite is False


def _table_names(db) -> list[str]:
    from models.orm.base import Base

    return [t.name for t in Base.metadata.sorted_tables]


def _rows_of_table(db, name: str) -> list:
    with db.engine.connect() as conn:
        return [list(r) for r in conn.execute(text(f'SELECT * FROM "{name}"'))]


def test_without_a_configured_key_the_process_key_still_works_in_one_process(any_db):
    """Models used without the web app (scripts, these tests) link with a per-process key."""
    w, gov, extra, eid, a, b = _world(any_db)
    with any_db.unit_of_work() as s:
        cast_ballot(s, w.member, eid, [a], now=NOW)
        cast_ballot(s, w.member, eid, [b], now=NOW)
    assert len(_rows(any_db, ChairBallot)) == 1
    assert _rows(any_db, ChairBallot)[0]["link"] == ballot_link(elections._PROCESS_KEY, eid, w.member)


def test_the_web_app_links_with_a_key_derived_from_its_secret_key(web_db):
    from dash_app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "ballot-secret"})
    try:
        db = app.extensions["hamyar_db"]
        w, _gov, _extra, eid, a, _b = _world(db, members=1)
        with db.unit_of_work() as s:
            cast_ballot(s, w.member, eid, [a], now=NOW)
        key = elections.ballot_key_from_secret("ballot-secret")
        assert _rows(db, ChairBallot)[0]["link"] == ballot_link(key, eid, w.member)
        assert key != b"ballot-secret" and b"ballot-secret" not in key
    finally:
        app.extensions["hamyar_db"].dispose()


# --- the migration ----------------------------------------------------------------------------------


def test_the_migration_separates_existing_ballots(tmp_path):
    """A database at 0014 with old ballots (voter_id, cast_at) in a closed and an open election."""
    from alembic import command

    from models.core.db import Database
    from models.core.schema import alembic_config

    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0014")
    with db.engine.begin() as conn:
        for uid in (1, 2, 3):
            conn.execute(text("INSERT INTO users (id, name, email, password_hash, language, is_governorate, "
                              "is_active, show_name_publicly, created_at) VALUES (:id, :n, :e, '!x', 'fa', 0, 1, 0, "
                              "'2026-01-01 00:00:00')"), {"id": uid, "n": f"u{uid}", "e": f"u{uid}@example.org"})
        conn.execute(text("INSERT INTO tables (id, slug, name_fa, name_en, domain, description_fa, description_en, "
                          "created_at) VALUES (1, 'h', 'h', 'h', 'health', '', '', '2026-01-01 00:00:00')"))
        for uid in (1, 2, 3):
            conn.execute(text("INSERT INTO table_memberships (table_id, user_id, background, affiliation, joined_at) "
                              "VALUES (1, :u, 'field', '', '2026-01-01 00:00:00')"), {"u": uid})
        for eid, status in ((1, "closed"), (2, "open")):
            conn.execute(text("INSERT INTO chair_elections (id, table_id, opens_at, closes_at, status) VALUES "
                              "(:i, 1, '2026-01-01 00:00:00', '2099-01-01 00:00:00', :s)"), {"i": eid, "s": status})
            conn.execute(text("INSERT INTO chair_candidates (id, election_id, user_id, nominated_at) VALUES "
                              "(:c, :e, 1, '2026-01-01 00:00:00')"), {"c": eid, "e": eid})
        bid = 0
        for eid in (1, 2):
            for voter in (1, 2, 3):
                bid += 1
                conn.execute(text("INSERT INTO chair_ballots (id, election_id, voter_id, cast_at) VALUES "
                                  "(:b, :e, :v, '2026-01-02 00:00:00')"), {"b": bid, "e": eid, "v": voter})
                conn.execute(text("INSERT INTO chair_ballot_choices (ballot_id, candidate_id) VALUES (:b, :c)"),
                             {"b": bid, "c": eid})
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0015")
    with db.engine.connect() as conn:
        cols = {r[1] for r in conn.execute(text("PRAGMA table_info(chair_ballots)"))}
        assert cols == {"id", "election_id", "link"}
        parts = set(conn.execute(text("SELECT election_id, user_id FROM chair_participations")).all())
        assert parts == {(e, v) for e in (1, 2) for v in (1, 2, 3)}
        rows = conn.execute(text("SELECT id, election_id, link FROM chair_ballots")).all()
        assert len(rows) == 6 and not {r[0] for r in rows} & set(range(1, 7))
        assert {r[2] for r in rows if r[1] == 1} == {None}
        assert {r[2] for r in rows if r[1] == 2} == {"legacy:1", "legacy:2", "legacy:3"}
        assert conn.execute(text("SELECT count(*) FROM chair_ballot_choices")).scalar() == 6
    db.dispose()


def test_a_legacy_ballot_is_changed_by_its_voter_and_counted_once(keyed_db):
    """An open election's ballot from before the migration (link legacy:<voter>) is found by its voter,
    relinked with the key when changed, and counted at the close; then its link is gone."""
    db = keyed_db
    w, gov, extra, eid, a, b = _world(db)
    with db.unit_of_work() as s:
        s.add(ChairParticipation(election_id=eid, user_id=w.member))
        s.add(ChairParticipation(election_id=eid, user_id=extra[1]))
        s.execute(insert(ChairBallot).values(id=987654321, election_id=eid, link=f"legacy:{w.member}"))
        s.execute(insert(ChairBallot).values(id=987654322, election_id=eid, link=f"legacy:{extra[1]}"))
        s.execute(insert(ChairBallotChoice), [{"ballot_id": 987654321, "candidate_id": a},
                                              {"ballot_id": 987654322, "candidate_id": b}])
        record(s, None, "test.legacy", s.get(User, w.member))
    with db.reader() as s:
        assert election_view(s, w.health, w.member, now=NOW).my_choices == [a]
    with db.unit_of_work() as s:
        cast_ballot(s, w.member, eid, [b], now=NOW)
    assert {r["link"] for r in _rows(db, ChairBallot)} == {ballot_link(KEY, eid, w.member), f"legacy:{extra[1]}"}
    with db.unit_of_work() as s:  # at the closing time: 2 of 6 voted, below the quorum an early close needs
        close_election(s, None, eid, now=NOW + timedelta(days=8))
    with db.reader() as s:
        result = published_result(s, eid)
    assert result[str(extra[0])] == 2 and result[str(w.member)] == 0
    assert {r["link"] for r in _rows(db, ChairBallot)} == {None}


def test_pg_ballots_are_dumped_in_no_casting_order(pg_db):
    """On PostgreSQL a dump lists rows in storage order: after the close that order is random."""
    configure_ballot_key(pg_db, KEY)
    w, gov, extra, eid, a, b = _world(pg_db, members=12)
    with pg_db.unit_of_work() as s:
        for v in [w.chair, w.member, *extra]:
            cast_ballot(s, v, eid, [a], now=NOW)
    with pg_db.unit_of_work() as s:
        close_election(s, gov, eid, now=NOW + timedelta(days=1))
    with pg_db.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT id FROM chair_ballots ORDER BY ctid"))]
    assert len(stored) == 14 and stored != sorted(stored)  # ids random and rows not in id (or casting) order


def test_the_governorate_exports_hold_no_link_even_while_the_election_is_open(web_db):
    """Every export sheet, taken while the links exist (and after the close), has no link and no ballot id."""
    from dash_app import create_app
    from dash_app.i18n import LANGUAGE_COOKIE
    from models.reporting import exports
    from models.reporting.audit_views import AuditFilter
    from models.reporting.dashboard import DashboardFilter

    app = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "ballot-exports"})
    from dash_app.pages.governorate.governorate import export_file  # a page module: after the app exists

    try:
        db = app.extensions["hamyar_db"]
        w, gov, extra, eid, a, b = _world(db)
        with db.unit_of_work() as s:
            for v in (w.chair, w.member, *extra):
                cast_ballot(s, v, eid, [a, b], now=NOW)
        ballots = _rows(db, ChairBallot)
        secrets_ = {r["link"] for r in ballots} | {str(r["id"]) for r in ballots}

        def exported() -> str:
            out = []
            with app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
                for sheet in exports.SHEETS:  # CSV: the same cells as xlsx, searchable
                    data, _name = export_file(sheet, "csv", DashboardFilter(), AuditFilter(), True, "en")
                    out.append(data.decode("utf-8"))
            return "\n".join(out)

        text_open = exported()
        assert "voted in the chair election" in text_open  # the audit sheet has the ballots' events ...
        assert not any(s_ in text_open for s_ in secrets_)  # ... and no link, no ballot id
        with db.unit_of_work() as s:
            close_election(s, gov, eid, now=NOW + timedelta(days=1))
        after = _rows(db, ChairBallot)
        text_closed = exported()
        assert not any(s_ in text_closed for s_ in secrets_ | {str(r["id"]) for r in after})
    finally:
        app.extensions["hamyar_db"].dispose()
