"""A chair's decisions: transitions, authority, reasons, dates, and never deciding twice."""
from __future__ import annotations

from datetime import timedelta

import pytest

from models.audit.log import record
from models.core.clock import county_today
from models.core.enums import AllocationStatus
from models.core.errors import Conflict, PermissionDenied, ValidationError
from models.core.notify import unread_count
from models.orm.pledges import Allocation, Pledge
from models.pledging.decisions import accept, mark_delivered, reject, review_queue
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world


@pytest.fixture
def setup(any_db):
    with any_db.unit_of_work() as s:
        w = build_world(s)
        p = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=60_000_000))
        allocs = []
        for qty in (20_000_000, 30_000_000):
            a = Allocation(pledge_id=p.id, need_id=w.money_need, quantity=qty)
            s.add(a)
            record(s, None, "allocation.proposed", a)
            allocs.append(a.id)
    return any_db, w, p.id, allocs


def test_accept_then_deliver(setup):
    db, w, pid, (a1, _) = setup
    with db.unit_of_work() as s:
        accept(s, w.chair, a1)
    with db.unit_of_work() as s:
        mark_delivered(s, w.chair, a1, county_today(), "received in cash")
    with db.reader() as s:
        a = s.get(Allocation, a1)
        assert a.status is AllocationStatus.DELIVERED and a.decided_by_id == w.chair
        assert unread_count(s, w.citizen) == 2


def test_reject_needs_a_reason_and_tells_the_citizen(setup):
    db, w, pid, (a1, _) = setup
    with pytest.raises(ValidationError, match="reason_required"), db.unit_of_work() as s:
        reject(s, w.chair, a1, "   ")
    with db.unit_of_work() as s:
        reject(s, w.chair, a1, "project funded by the municipality")
    with db.reader() as s:
        a = s.get(Allocation, a1)
        assert a.status is AllocationStatus.REJECTED and a.reject_reason == "project funded by the municipality"
        assert unread_count(s, w.citizen) == 1


def test_only_the_tables_chair_decides(setup):
    db, w, pid, (a1, _) = setup
    for outsider in (w.other_chair, w.member, w.citizen):
        with pytest.raises(PermissionDenied), db.unit_of_work() as s:
            accept(s, outsider, a1)
    with db.reader() as s:
        assert s.get(Allocation, a1).status is AllocationStatus.PROPOSED


def test_nothing_is_decided_twice(setup):
    db, w, pid, (a1, _) = setup
    with db.reader() as s:
        seen = s.get(Allocation, a1).version
    with db.unit_of_work() as s:
        accept(s, w.chair, a1, expected_version=seen)
    with pytest.raises(Conflict), db.unit_of_work() as s:
        reject(s, w.chair, a1, "second tab", expected_version=seen)
    with pytest.raises(Conflict), db.unit_of_work() as s:
        accept(s, w.chair, a1)
    with db.reader() as s:
        assert s.get(Allocation, a1).status is AllocationStatus.ACCEPTED


def test_delivery_date_rules(setup):
    db, w, pid, (a1, a2) = setup
    with pytest.raises(Conflict), db.unit_of_work() as s:
        mark_delivered(s, w.chair, a1, county_today())  # still only proposed
    with db.unit_of_work() as s:
        accept(s, w.chair, a1)
    with pytest.raises(ValidationError, match="delivered_in_future"), db.unit_of_work() as s:
        mark_delivered(s, w.chair, a1, county_today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="delivered_before_accepted"), db.unit_of_work() as s:
        mark_delivered(s, w.chair, a1, county_today() - timedelta(days=30))


def test_review_queue_and_pledge_status(setup):
    db, w, pid, (a1, a2) = setup
    with db.reader() as s:
        assert [a.id for a in review_queue(s, w.health)] == [a2, a1]
        assert review_queue(s, w.env) == []
    with db.unit_of_work() as s:
        accept(s, w.chair, a1)
        accept(s, w.chair, a2)
    with db.reader() as s:
        assert s.get(Pledge, pid).status.value == "partly_allocated"  # 50 of 60 million taken
        assert review_queue(s, w.health) == []
