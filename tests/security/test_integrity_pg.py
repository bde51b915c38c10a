"""T22: integrity under load and faults, on PostgreSQL, with the seeded Amol demo.

50 chair decisions at once on overlapping proposals (threads, each its own session), 20 pledges made
while a matching run is being solved and written, and matching runs killed mid-way (an exception from
the progress callback while solving, and one raised inside the storing transaction just before its
commit). Afterwards: no pledge or need is over-allocated, every decided allocation and every new
pledge has its audit event, the audit chain verifies, a killed run left no proposals and is marked
failed, and the next run succeeds.
"""
from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

import models.runs.lifecycle as mr
from models.audit.chain import verify_database
from models.core.enums import AllocationStatus, RunScope, RunStatus
from models.core.errors import DomainError
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table
from models.pledging.decisions import accept, reject
from models.pledging.pledges import PledgeInput, create_pledge
from models.runs.lifecycle import MatchingRun, run_matching

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_demo():
    from tests.conftest import _postgres_db

    yield from _postgres_db(seeded=True)


@pytest.fixture
def demo(pg_demo):
    pg_db = pg_demo
    with pg_db.reader() as s:
        chair = s.scalar(select(User.id).where(User.email == "chair@hamyar.local"))
        table = s.scalar(select(Table.id).where(Table.chair_id == chair))
        gov = s.scalar(select(User.id).where(User.is_governorate.is_(True)).order_by(User.id))
    return pg_db, chair, table, gov


def _assert_invariants(db):
    with db.reader() as s:
        active = (AllocationStatus.PROPOSED, AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED)
        over_p = s.execute(
            select(Pledge.id).join(Allocation, Allocation.pledge_id == Pledge.id)
            .where(Allocation.status.in_(active)).group_by(Pledge.id, Pledge.quantity, Pledge.withdrawn_quantity)
            .having(func.sum(Allocation.quantity) > Pledge.quantity - Pledge.withdrawn_quantity)).all()
        over_n = s.execute(
            select(Need.id).join(Allocation, Allocation.need_id == Need.id)
            .where(Allocation.status.in_(active)).group_by(Need.id, Need.quantity)
            .having(func.sum(Allocation.quantity) > Need.quantity)).all()
    assert not over_p and not over_n, (over_p, over_n)
    checked, problems = verify_database(db)
    assert checked > 0 and not problems, problems[:5]


def _audited(db, object_type: str, ids, actions) -> set[int]:
    with db.reader() as s:
        return set(s.scalars(select(AuditEvent.object_id).where(
            AuditEvent.object_type == object_type, AuditEvent.object_id.in_(list(ids)),
            AuditEvent.action.in_(actions))))


def test_50_concurrent_decisions_and_20_pledges_during_a_run(demo):
    db, chair, table, gov = demo
    run_matching(db, chair, RunScope.TABLE, table)
    with db.reader() as s:
        proposals = list(s.scalars(select(Allocation.id).join(Need).join(Project).where(
            Project.table_id == table, Allocation.status == AllocationStatus.PROPOSED).order_by(Allocation.id)))
    assert len(proposals) >= 10, "the demo's table run proposes enough to fight over"
    pool = proposals[:12]  # 50 decisions on 12 proposals: every one is contested several times
    rng = random.Random(9)
    plan = [(rng.choice(["accept", "reject"]), rng.choice(pool)) for _ in range(50)]
    start = threading.Barrier(50)
    outcomes: list[str] = []

    def decide(op, alloc):
        start.wait()
        try:
            with db.unit_of_work() as s:
                if op == "accept":
                    accept(s, chair, alloc)
                else:
                    reject(s, chair, alloc, "decided in a race")
            return "ok"
        except DomainError as exc:
            return f"{exc.http_status} {exc.code}"

    with ThreadPoolExecutor(50) as ex:
        outcomes = list(ex.map(lambda p: decide(*p), plan))
    assert all(o == "ok" or o.startswith("409 ") for o in outcomes), outcomes  # losers get a Conflict
    wins = outcomes.count("ok")
    contested = {a for _, a in plan}
    assert wins == len(contested), (wins, outcomes)  # each contested proposal decided exactly once
    with db.reader() as s:
        decided = dict(s.execute(select(Allocation.id, Allocation.status).where(Allocation.id.in_(pool))).all())
    assert {a for a, st in decided.items() if st is not AllocationStatus.PROPOSED} == contested
    assert _audited(db, "allocations", pool, ["allocation.accepted", "allocation.rejected"]) == contested

    # 20 pledges while a county run is solved and written
    with db.reader() as s:
        citizens = list(s.scalars(select(User.id).where(User.is_governorate.is_(False)).order_by(User.id).limit(20)))
    solving = threading.Event()
    run_result: dict = {}

    def the_run():
        try:
            run_result["summary"] = run_matching(db, gov, RunScope.COUNTY, None,
                                                 progress=lambda f, m: solving.set())
        except DomainError as exc:
            run_result["error"] = exc.code
        finally:
            solving.set()

    def pledge(uid):
        solving.wait(60)
        with db.unit_of_work() as s:
            return create_pledge(s, uid, PledgeInput(kind="financial", quantity=5_000_000)).id

    runner = threading.Thread(target=the_run)
    runner.start()
    with ThreadPoolExecutor(20) as ex:
        new_pledges = list(ex.map(pledge, citizens))
    runner.join(120)
    assert not runner.is_alive() and "summary" in run_result, run_result
    assert len(set(new_pledges)) == 20
    assert _audited(db, "pledges", new_pledges, ["pledge.created"]) == set(new_pledges)
    _assert_invariants(db)
    print(f"\n50 concurrent decisions ({wins} won, {50 - wins} refused), 20 pledges during a county run")


class Killed(Exception):
    pass


def _proposals_of(db, run_id):
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(Allocation).where(Allocation.matching_run_id == run_id))


def test_a_run_killed_mid_way_leaves_nothing_and_the_next_run_succeeds(demo, monkeypatch):
    db, chair, table, gov = demo
    faults = 0
    with db.reader() as s:
        seeded_runs = s.scalar(select(func.coalesce(func.max(MatchingRun.id), 0)))
    # 1. killed while solving: the progress callback raises
    def die_while_solving(fraction, message):
        if fraction > 0.1:
            raise Killed("killed while solving")

    with pytest.raises(Killed):
        run_matching(db, chair, RunScope.TABLE, table, progress=die_while_solving)
    faults += 1
    # 2. killed inside the storing transaction, after the proposals were flushed, before the commit
    real = mr.assert_within_capacity

    def die_before_commit(session, pledge_ids, need_ids):
        real(session, pledge_ids, need_ids)
        raise Killed("killed before commit")

    monkeypatch.setattr(mr, "assert_within_capacity", die_before_commit)
    with pytest.raises(Killed):
        run_matching(db, chair, RunScope.TABLE, table)
    faults += 1
    monkeypatch.setattr(mr, "assert_within_capacity", real)
    with db.reader() as s:
        runs = list(s.execute(select(MatchingRun.id, MatchingRun.status).where(MatchingRun.id > seeded_runs)
                              .order_by(MatchingRun.id)))
    assert [st for _, st in runs] == [RunStatus.FAILED, RunStatus.FAILED]
    assert all(_proposals_of(db, rid) == 0 for rid, _ in runs)
    _assert_invariants(db)
    summary = run_matching(db, chair, RunScope.TABLE, table)
    assert summary.proposed > 0 and _proposals_of(db, summary.run_id) == summary.proposed
    with db.reader() as s:
        assert s.get(MatchingRun, summary.run_id).status is RunStatus.DONE
    _assert_invariants(db)
    print(f"\n{faults} faults injected into matching runs: no partial run, next run succeeded")
