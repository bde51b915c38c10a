"""Issue 18 item 5 for PB: "who voted" apart from "what was voted" (SQLite and PostgreSQL).

Ballot rows carry no voter and no time; a participation says who voted; while voting is open a ballot
is found by HMAC(key, cycle, voter) under a key that is not in the database; closing the vote erases
every link and rewrites the ballots with new random ids in random order, so a backup holds no link
at all. The audit names participations, never ballots. Migration 0017 moves existing ballots."""
from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select, text

import models.pb.cycles as pbc
import models.pb.stations as st
from models.core.db import Database
from models.core.schema import alembic_config
from models.orm.audit_event import AuditEvent
from models.orm.pb import PBBallot, PBBallotChoice, PBParticipation
from tests.pb.test_pb_cycles import _advance, _cycle

KEY = b"k" * 32


@pytest.fixture
def voting(setup):
    db, w, gov, voters, _ = setup
    pbc.configure_ballot_key(db, KEY)
    cid = _cycle(db, gov, w, max_approvals=2)
    _advance(db, gov, cid, "voting")
    with db.unit_of_work() as s:
        for i, v in enumerate(voters[:4]):
            pbc.cast_ballot(s, v, cid, [w.project] if i % 2 else [w.project, w.env_project])
        st.assign_officer(s, gov, cid, gov, "Station")
    with db.unit_of_work() as s:
        st.enter_ballot(s, gov, cid, "A-1", [w.env_project], assisted_citizen_id=voters[4])
        st.enter_ballot(s, gov, cid, "P-1", [w.project])
    return db, w, gov, voters, cid


def test_ballot_rows_name_no_voter_and_no_time(setup):
    db, *_ = setup
    columns = {c["name"] for c in inspect(db.engine).get_columns("pb_ballots")}
    assert not columns & {"voter_id", "cast_at", "user_id", "created_at"}
    assert {c["name"] for c in inspect(db.engine).get_columns("pb_participations")} >= {"cycle_id", "user_id"}


def test_while_voting_a_keyed_link_finds_ones_own_ballot(voting):
    db, w, _gov, voters, cid = voting
    with db.reader() as s:
        links = set(s.scalars(select(PBBallot.link).where(PBBallot.cycle_id == cid)))
        who = set(s.scalars(select(PBParticipation.user_id).where(PBParticipation.cycle_id == cid)))
        assert pbc.my_ballot(s, voters[0], cid) == sorted([w.project, w.env_project])
        assert pbc.my_ballot(s, voters[4], cid) == [w.env_project]            # the assisted vote
    assert who == set(voters[:5])
    assert None in links and len(links) == 6                                 # the paper ballot has none
    assert links - {None} == {pbc.ballot_link(KEY, cid, v) for v in voters[:5]}
    pbc.configure_ballot_key(db, b"another key, not this database's")
    with db.reader() as s:
        assert pbc.my_ballot(s, voters[0], cid) == []                        # without the key: no link
    pbc.configure_ballot_key(db, KEY)


def test_closing_erases_the_links_and_rewrites_the_ballots(voting):
    db, w, gov, voters, cid = voting
    with db.reader() as s:
        before_ids = set(s.scalars(select(PBBallot.id)))
        tally_before = sorted(sorted(c) for c in _choices(s, cid).values())
    _advance(db, gov, cid, "tallying")
    with db.reader() as s:
        rows = list(s.scalars(select(PBBallot).where(PBBallot.cycle_id == cid)))
        assert [r.link for r in rows] == [None] * 6
        assert not before_ids & {r.id for r in rows}                          # new random ids
        assert sorted(sorted(c) for c in _choices(s, cid).values()) == tally_before
        assert pbc.my_ballot(s, voters[0], cid) == []                         # nobody's any more, even with the key
        result = pbc.tally(s, gov, cid)
        paper = [r for r in rows if r.source == "paper"]
        assert [(p.ballot_number, p.station) for p in paper] == [("P-1", "Station")]
    assert result.n_ballots == 6 and result.projects[str(w.project)][1] == 5
    with db.engine.connect() as conn:      # a backup: no row of pb_ballots holds a link or a voter
        assert conn.execute(text("SELECT count(*) FROM pb_ballots WHERE link IS NOT NULL")).scalar() == 0


def test_the_audit_names_participations_never_ballots(voting):
    db, *_ = voting
    with db.reader() as s:
        types = {t for (t,) in s.execute(select(AuditEvent.object_type).where(AuditEvent.action.like("pb_ballot.%")))}
    assert types <= {"pb_participations", "pb_polling_officers"} and "pb_ballots" not in types


def _choices(s, cid):
    out: dict[int, list[int]] = {}
    for b, cp in s.execute(select(PBBallotChoice.ballot_id, PBBallotChoice.cycle_project_id)
                           .join(PBBallot, PBBallot.id == PBBallotChoice.ballot_id).where(PBBallot.cycle_id == cid)):
        out.setdefault(b, []).append(cp)
    return out


def test_migration_0017_moves_existing_ballots(tmp_path):
    """Ballots of a cycle still voting keep a legacy link until it closes; a closed cycle's keep none."""
    from alembic import command

    db = Database(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0016")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, name, email, password_hash, language, is_governorate, is_active,"
                          " show_name_publicly, created_at) VALUES (1, 'a', 'a@x', '!', 'fa', 0, 1, 0, '2026-01-01'),"
                          " (2, 'b', 'b@x', '!', 'fa', 0, 1, 0, '2026-01-01')"))
        for cid, phase in ((1, "voting"), (2, "tallying")):
            conn.execute(text("INSERT INTO pb_cycles (id, name_fa, name_en, budget_rials, phase, ballot_rule,"
                              " max_approvals, counting_rule, created_at) VALUES (:i, 'c', 'c', 100, :p, 'approval',"
                              " 1, 'mes', '2026-01-01')"), {"i": cid, "p": phase})
        for bid, cid, voter in ((1, 1, 1), (2, 1, 2), (3, 2, 1)):
            conn.execute(text("INSERT INTO pb_ballots (id, cycle_id, voter_id, cast_at, source) VALUES"
                              " (:b, :c, :v, '2026-01-02', 'online')"), {"b": bid, "c": cid, "v": voter})
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0017")
    with db.reader() as s:
        assert s.scalar(select(func.count(PBParticipation.id))) == 3
        links = {(c, link) for c, link in s.execute(select(PBBallot.cycle_id, PBBallot.link))}
        assert links == {(1, "legacy:1"), (1, "legacy:2"), (2, None)}
        assert pbc._ballot_of(s, 1, 2) is not None and pbc._ballot_of(s, 2, 1) is None
    db.dispose()
