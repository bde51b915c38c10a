"""Two tabs (or two chairs' sessions) deciding the same or overlapping allocations at once, on PostgreSQL:
one wins, the other gets a Conflict, and nothing is ever over-allocated."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from models.audit.log import record
from models.core.capacity import need_usage, pledge_usage
from models.core.enums import AllocationStatus
from models.core.errors import Conflict
from models.orm.pledges import Allocation
from models.pledging.decisions import accept, accept_many, reject
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(pg_db):
    with pg_db.unit_of_work() as s:
        w = build_world(s)
        p = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=90_000_000))
        allocs = []
        for qty in (20_000_000, 30_000_000, 40_000_000):
            a = Allocation(pledge_id=p.id, need_id=w.money_need, quantity=qty)
            s.add(a)
            record(s, None, "allocation.proposed", a)
            allocs.append(a.id)
    return pg_db, w, allocs


def _race(first, second, hold: float = 0.4):
    """Run `first` in a transaction that holds its locks `hold` seconds after deciding, and `second`
    in another transaction started while the first is still open. Returns (outcome1, outcome2)."""
    outcomes = [None, None]
    decided = threading.Event()

    def one():
        try:
            first(decided, hold)
            outcomes[0] = "ok"
        except Conflict as exc:
            outcomes[0] = exc.code
            decided.set()

    def two():
        decided.wait(5)
        started = time.monotonic()
        try:
            second()
            outcomes[1] = ("ok", time.monotonic() - started)
        except Conflict as exc:
            outcomes[1] = (exc.code, time.monotonic() - started)

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def _invariant(db):
    with db.reader() as s:
        for _pid, (active, _) in pledge_usage(s, [a.pledge_id for a in s.scalars(select(Allocation))]).items():
            assert active <= 90_000_000
        for _nid, active in need_usage(s, [a.need_id for a in s.scalars(select(Allocation))]).items():
            assert active <= 100_000_000


def test_two_tabs_accept_the_same_allocation(world):
    db, w, (a1, _, _) = world

    def first(decided, hold):
        with db.unit_of_work() as s:
            accept(s, w.chair, a1, expected_version=1)
            s.flush()
            decided.set()
            time.sleep(hold)  # the first tab's transaction still holds the row lock

    def second():
        with db.unit_of_work() as s:
            accept(s, w.chair, a1, expected_version=1)

    one, (two, waited) = _race(first, second)
    assert one == "ok" and two == "allocation_changed"
    assert waited >= 0.3  # the second tab really waited for the first one's lock
    with db.reader() as s:
        alloc = s.get(Allocation, a1)
        assert alloc.status is AllocationStatus.ACCEPTED and alloc.version == 2
    _invariant(db)


def test_accept_against_reject_without_a_version(world):
    db, w, (a1, _, _) = world

    def first(decided, hold):
        with db.unit_of_work() as s:
            reject(s, w.chair, a1, "duplicate of another pledge")
            s.flush()
            decided.set()
            time.sleep(hold)

    def second():
        with db.unit_of_work() as s:
            accept(s, w.chair, a1)

    one, (two, _) = _race(first, second)
    assert one == "ok" and two == "allocation_not_proposed"
    with db.reader() as s:
        assert s.get(Allocation, a1).status is AllocationStatus.REJECTED


def test_overlapping_bulk_accepts_all_or_nothing(world):
    db, w, (a1, a2, a3) = world

    def first(decided, hold):
        with db.unit_of_work() as s:
            accept_many(s, w.chair, {a1: 1, a2: 1})
            s.flush()
            decided.set()
            time.sleep(hold)

    def second():
        with db.unit_of_work() as s:
            accept_many(s, w.chair, {a2: 1, a3: 1})

    one, (two, _) = _race(first, second)
    assert one == "ok" and two == "allocation_changed"
    with db.reader() as s:
        statuses = {a.id: a.status for a in s.scalars(select(Allocation))}
    # a3 was in the losing selection: it stays proposed (nothing of the loser was applied).
    assert statuses == {a1: AllocationStatus.ACCEPTED, a2: AllocationStatus.ACCEPTED, a3: AllocationStatus.PROPOSED}
    _invariant(db)


def test_many_tabs_at_once_only_one_wins(world):
    db, w, (a1, _, _) = world
    results = []
    barrier = threading.Barrier(6)

    def tab():
        barrier.wait()
        try:
            with db.unit_of_work() as s:
                accept(s, w.chair, a1, expected_version=1)
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=tab) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results.count("ok") == 1 and results.count("allocation_changed") == 5
    with db.reader() as s:
        # one acceptance, one audit event for it, one notification
        from models.orm.audit_event import AuditEvent
        from models.orm.notifications import Notification

        assert len(list(s.scalars(select(AuditEvent).where(AuditEvent.action == "allocation.accepted",
                                                           AuditEvent.object_id == a1)))) == 1
        assert len(list(s.scalars(select(Notification).where(Notification.user_id == w.citizen)))) == 1
