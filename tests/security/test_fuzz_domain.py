"""T20 (domain): Hypothesis throws malformed and hostile input at every domain operation a page calls.

Every attempt either succeeds or raises a DomainError (the 4xx family: worded to the user); anything
else would be a 5xx. When the operation refuses, every row of every table is the same as before
(a full dump of the database is compared). Actor ids come from the signed-in session in the app, so
they are drawn from the world's real users; everything the user types or the browser sends is fuzzed.

Example counts: the `ci` profile (default) runs ~40 per test, `HYPOTHESIS_PROFILE=nightly` 1,600 per
test (see tests/security/conftest.py).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

import models.pb.cycles as pbc
from models import orm
from models.accounts.password_reset import issue_reset, redeem_reset
from models.audit.log import record
from models.core.errors import DomainError
from models.orm.people import User
from models.orm.pledges import Allocation
from models.pledging.decisions import accept, mark_delivered, reject
from models.pledging.pledges import PledgeInput, create_pledge, withdraw_remainder
from models.projects.editing import NeedInput, ProjectInput, add_need, create_project
from models.reporting.valuation import set_rate
from models.tables.elections import cast_ballot, nominate, open_election
from tests.models.world import build_world

# --- hostile values -----------------------------------------------------------------------------

NASTY_STRINGS = [
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
    "'; DROP TABLE pledges; --", "1 OR 1=1", "1; UPDATE users SET is_governorate=1", "' UNION SELECT * FROM users --",
    "\u202egnp.exe", "\u200f\u200e\u200d\u200c", "\x00", "\ufeff", "ﷺ" * 50, "𝟙𝟚𝟛", "۱۲۳۴", "١٢٣", "12\u066b5",
    "%s%n%x", "{0}{1}", "${7*7}", "{{7*7}}", "../../etc/passwd", "NaN", "Infinity", "-0", "1e309", "0x10",
    "   ", "", "a" * 5000, "\n\r\t", "=cmd|' /C calc'!A0", "null", "true", "[]", "{}",
]
hostile_text = st.one_of(st.sampled_from(NASTY_STRINGS), st.text(max_size=400))
# Integers beyond 64 bits never reach the domain: the callback guard refuses them (400, see
# test_fuzz_callbacks.py::test_integers_beyond_64_bits_are_refused), and a browser cannot send one.
huge_ints = st.one_of(st.integers(min_value=-(2**63), max_value=2**63 - 1),
                      st.sampled_from([0, -1, 2**31, 2**31 - 1, 2**63 - 1, -(2**63), 10**15, 10**16, 10**18]))
hostile = st.one_of(
    st.none(), st.booleans(), huge_ints, st.floats(allow_nan=True, allow_infinity=True), hostile_text,
    st.decimals(allow_nan=True), st.lists(st.one_of(huge_ints, hostile_text), max_size=4),
    st.dictionaries(st.text(max_size=5), huge_ints, max_size=3), st.just(object()), st.binary(max_size=20),
)


def mixed(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly hostile, sometimes valid (so some attempts get through and change things)."""
    return st.one_of(valid, hostile)


KINDS = st.sampled_from(["financial", "logistics", "design", "execution", "FINANCIAL", "money", ""])
dates = st.one_of(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
                  st.just(date.today()), st.just(date.today() + timedelta(days=30)))


# --- the database before and after ----------------------------------------------------------------

def dump(db) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order (values as repr so any type compares)."""
    out = {}
    with db.engine.connect() as conn:
        for table in orm.Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(repr(v) for v in row) for row in rows]
    return out


class Tally:
    def __init__(self):
        self.accepted = self.refused = 0


def attempt(db, op, tally: Tally) -> bool:
    """Run `op(session)` in one unit of work: True when it went through; on a DomainError, prove that
    nothing changed. Any other exception escapes (Hypothesis shrinks it to the smallest input)."""
    before = dump(db)
    try:
        with db.unit_of_work() as s:
            op(s)
    except DomainError as exc:
        assert exc.http_status in (400, 403, 404, 409), exc
        after = dump(db)
        changed = [t for t in before if before[t] != after[t]]
        assert not changed, f"refused ({exc.code}) but changed {changed}"
        tally.refused += 1
        return False
    tally.accepted += 1
    return True


@pytest.fixture
def world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test.created", gov)
        pledge = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=90_000_000))
        allocs = []
        for qty in (10_000_000, 20_000_000, 30_000_000):
            a = Allocation(pledge_id=pledge.id, need_id=w.money_need, quantity=qty)
            s.add(a)
            record(s, None, "allocation.proposed", a)
            allocs.append(a)
    w.gov = gov.id
    w.pledge = pledge.id
    w.allocs = [a.id for a in allocs]
    w.users = [w.chair, w.other_chair, w.member, w.citizen, w.citizen2, gov.id]
    return db, w


# --- pledges ------------------------------------------------------------------------------------------

@given(data=st.data())
def test_fuzz_create_pledge(world, data):
    db, w = world
    tally = Tally()
    fields = dict(
        kind=data.draw(mixed(KINDS)), quantity=data.draw(mixed(st.integers(1, 10**9))),
        district_id=data.draw(mixed(st.sampled_from([None, w.amol, w.larijan]))),
        window_start=data.draw(mixed(st.one_of(st.none(), dates))),
        window_end=data.draw(mixed(st.one_of(st.none(), dates))),
        skill_ids=data.draw(mixed(st.lists(st.sampled_from([w.nursing, w.carpentry, 10**6]), max_size=3).map(tuple))),
        table_ids=data.draw(mixed(st.lists(st.sampled_from([w.health, w.env, -1]), max_size=3).map(tuple))),
        only_tables=data.draw(mixed(st.booleans())), divisible=data.draw(mixed(st.booleans())),
        description=data.draw(hostile_text),
    )
    citizen = data.draw(st.sampled_from(w.users))
    attempt(db, lambda s: create_pledge(s, citizen, PledgeInput(**fields)), tally)


@given(data=st.data())
def test_fuzz_withdraw_remainder(world, data):
    db, w = world
    pledge_id = data.draw(mixed(st.sampled_from([w.pledge, str(w.pledge), 10**6])))
    expected = data.draw(st.one_of(st.none(), st.integers(0, 10**8), hostile))
    who = data.draw(st.sampled_from(w.users))
    attempt(db, lambda s: withdraw_remainder(s, who, pledge_id, expected), Tally())


# --- a chair's decisions ------------------------------------------------------------------------------

@given(data=st.data())
def test_fuzz_decisions(world, data):
    db, w = world
    op = data.draw(st.sampled_from(["accept", "reject", "deliver"]))
    alloc = data.draw(mixed(st.sampled_from(w.allocs)))
    version = data.draw(st.one_of(st.none(), st.integers(0, 3), hostile))
    who = data.draw(st.sampled_from([w.chair, w.chair, w.other_chair, w.member, w.gov]))
    if op == "accept":
        attempt(db, lambda s: accept(s, who, alloc, version), Tally())
    elif op == "reject":
        reason = data.draw(mixed(st.just("the project is already funded")))
        attempt(db, lambda s: reject(s, who, alloc, reason, version), Tally())
    else:
        on = data.draw(mixed(dates))
        note = data.draw(hostile)
        attempt(db, lambda s: mark_delivered(s, who, alloc, on, note, version), Tally())


# --- projects and needs -------------------------------------------------------------------------------

@given(data=st.data())
def test_fuzz_create_project_and_add_need(world, data):
    db, w = world
    fields = dict(
        kind=data.draw(mixed(st.sampled_from(["problem", "talent"]))),
        title_fa=data.draw(mixed(st.just("پروژه"))), title_en=data.draw(hostile_text),
        summary_fa=data.draw(hostile_text), problem=data.draw(hostile),
        horizon=data.draw(mixed(st.sampled_from([None, "short", "medium", "long"]))),
        district_id=data.draw(mixed(st.sampled_from([None, w.amol]))),
        priority=data.draw(mixed(st.integers(1, 10))), estimated_cost_rials=data.draw(mixed(st.integers(0, 10**12))),
    )
    who = data.draw(st.sampled_from([w.chair, w.member, w.citizen, w.other_chair]))
    table = data.draw(mixed(st.sampled_from([w.health, w.env])))
    attempt(db, lambda s: create_project(s, who, table, ProjectInput(**fields)), Tally())
    need = dict(kind=data.draw(mixed(KINDS)), quantity=data.draw(mixed(st.integers(1, 10**6))),
                description=data.draw(hostile_text),
                skill_ids=data.draw(mixed(st.lists(st.sampled_from([w.nursing, 10**6]), max_size=2).map(tuple))),
                window_start=data.draw(mixed(st.one_of(st.none(), dates))),
                window_end=data.draw(mixed(st.one_of(st.none(), dates))))
    project = data.draw(mixed(st.sampled_from([w.project, w.env_project])))
    attempt(db, lambda s: add_need(s, who, project, NeedInput(**need)), Tally())


# --- ballots: chair elections and PB ----------------------------------------------------------------

NOW = datetime.now(UTC)


@pytest.fixture
def election(world):
    db, w = world
    with db.unit_of_work() as s:
        eid = open_election(s, w.gov, w.health, NOW + timedelta(days=7), now=NOW - timedelta(hours=1)).id
    with db.unit_of_work() as s:
        cand = nominate(s, w.chair, eid, now=NOW).id
    return db, w, eid, cand


@given(data=st.data())
def test_fuzz_chair_ballot(election, data):
    db, w, eid, cand = election
    election_id = data.draw(mixed(st.sampled_from([eid, str(eid)])))
    choices = data.draw(mixed(st.lists(st.sampled_from([cand, cand + 1000, -1]), max_size=3)))
    who = data.draw(st.sampled_from([w.member, w.chair, w.citizen, w.other_chair]))
    attempt(db, lambda s: cast_ballot(s, who, election_id, choices), Tally())


@pytest.fixture
def pb_cycle(world):
    db, w = world
    with db.unit_of_work() as s:
        cid = pbc.create_cycle(s, w.gov, pbc.CycleInput(
            name_fa="دوره ۱", name_en="Cycle 1", budget_rials=80_000_000, project_ids=(w.project, w.env_project),
            ballot_rule="approval", max_approvals=1)).id
    with db.unit_of_work() as s:
        pbc.advance_phase(s, w.gov, cid, "voting")
    return db, w, cid


@given(data=st.data())
def test_fuzz_pb_ballot_and_cycle(pb_cycle, data):
    db, w, cid = pb_cycle
    cycle_id = data.draw(mixed(st.sampled_from([cid, str(cid)])))
    projects = data.draw(mixed(st.lists(st.sampled_from([w.project, w.env_project, 10**6]), max_size=3)))
    who = data.draw(st.sampled_from(w.users))
    attempt(db, lambda s: pbc.cast_ballot(s, who, cycle_id, projects), Tally())
    cycle = dict(name_fa=data.draw(hostile_text), name_en=data.draw(hostile),
                 budget_rials=data.draw(mixed(st.integers(1, 10**12))),
                 project_ids=data.draw(mixed(st.lists(st.sampled_from([w.project, 10**6]), max_size=2).map(tuple))),
                 ballot_rule=data.draw(mixed(st.sampled_from(["approval", "knapsack"]))),
                 max_approvals=data.draw(mixed(st.one_of(st.none(), st.integers(1, 3)))))
    attempt(db, lambda s: pbc.create_cycle(s, w.gov, pbc.CycleInput(**cycle)), Tally())
    phase = data.draw(mixed(st.sampled_from(["proposal", "voting", "tallying", "results"])))
    actor = data.draw(st.sampled_from([w.gov, w.citizen]))
    attempt(db, lambda s: pbc.advance_phase(s, actor, cycle_id, phase), Tally())


# --- valuation rates -------------------------------------------------------------------------------

@given(data=st.data())
def test_fuzz_valuation_rate(world, data):
    db, w = world
    kind = data.draw(mixed(KINDS))
    item = data.draw(mixed(st.sampled_from(["", "cement", "hour"])))
    rate = data.draw(mixed(st.integers(1, 10**9)))
    who = data.draw(st.sampled_from([w.gov, w.gov, w.chair, w.citizen]))
    attempt(db, lambda s: set_rate(s, who, kind, item, rate), Tally())


# --- password-reset links (T21) ---------------------------------------------------------------------

@given(data=st.data())
def test_fuzz_password_reset(world, data):
    db, w = world
    who = data.draw(st.sampled_from([w.gov, w.gov, w.chair, w.citizen]))
    target = data.draw(mixed(st.sampled_from(w.users)))
    issued: list[str] = []
    attempt(db, lambda s: issued.append(issue_reset(s, who, target)), Tally())
    token = data.draw(mixed(st.sampled_from(issued or ["A" * 43])))
    password = data.draw(mixed(st.just("battery staple 1405")))
    attempt(db, lambda s: redeem_reset(s, token, password), Tally())
