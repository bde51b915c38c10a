"""Issue 20: the chair undoes an accept (a short window, nothing resting on it) and the bulk-accept summary."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.audit.log import record
from models.core.clock import county_today
from models.core.enums import AllocationStatus, HelpKind, PledgeStatus
from models.core.errors import Conflict, PermissionDenied
from models.orm.audit_event import AuditEvent
from models.orm.base import utcnow
from models.orm.notifications import Notification
from models.orm.pledges import Allocation, Pledge
from models.pledging.chair_review import UNDO_MINUTES, bulk_summary, undo_accept, undoable_ids
from models.pledging.contact import share_contact
from models.pledging.decisions import accept, mark_delivered, report_payment
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world


def _world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        p = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=50_000_000))
        allocs = []
        for qty in (20_000_000, 30_000_000):
            a = Allocation(pledge_id=p.id, need_id=w.money_need, quantity=qty)
            s.add(a)
            record(s, None, "allocation.proposed", a)
            allocs.append(a)
        s.flush()
        ids = [a.id for a in allocs]
    return db, w, p.id, ids


@pytest.fixture
def setup_any(any_db):
    return _world(any_db)


@pytest.fixture
def setup(db):  # SQLite only: the rules, not the database, are under test
    return _world(db)


def _status(db, alloc_id):
    with db.reader() as s:
        return s.get(Allocation, alloc_id).status


def test_undo_puts_the_accept_back_audited_and_tells_the_citizen(setup_any):
    db, w, pid, (a1, a2) = setup_any
    with db.unit_of_work() as s:
        accept(s, w.chair, a1)
        accept(s, w.chair, a2)
    with db.reader() as s:
        assert s.get(Pledge, pid).status is PledgeStatus.ALLOCATED
        version = s.get(Allocation, a1).version
    with db.unit_of_work() as s:
        undo_accept(s, w.chair, a1, version)
    with db.reader() as s:
        alloc = s.get(Allocation, a1)
        assert alloc.status is AllocationStatus.PROPOSED and alloc.decided_at is None and alloc.decided_by_id is None
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "allocation.accept_undone")).one()
        assert event.actor_id == w.chair and event.before["status"] == "accepted" and event.after["status"] == "proposed"
        kinds = [n.kind for n in s.scalars(select(Notification).where(Notification.user_id == w.citizen)
                                           .order_by(Notification.id))]
        assert kinds[-1] == "allocation_accept_undone"
        # still fully taken (proposed + accepted), so the pledge status holds and nothing is over-allocated
        assert s.get(Pledge, pid).status is PledgeStatus.ALLOCATED
    with pytest.raises(Conflict, match="allocation_not_accepted"), db.unit_of_work() as s:
        undo_accept(s, w.chair, a1)  # twice: it is a proposal now
    with db.unit_of_work() as s:
        accept(s, w.chair, a1)  # and it can be accepted again
    assert _status(db, a1) is AllocationStatus.ACCEPTED


def test_only_the_chair_undoes_and_a_stale_version_is_refused(setup):
    db, w, pid, (a1, _a2) = setup
    with db.unit_of_work() as s:
        seen = accept(s, w.chair, a1).version - 1
    for outsider in (w.other_chair, w.member, w.citizen):
        with pytest.raises(PermissionDenied), db.unit_of_work() as s:
            undo_accept(s, outsider, a1)
    with pytest.raises(Conflict, match="allocation_changed"), db.unit_of_work() as s:
        undo_accept(s, w.chair, a1, seen)
    assert _status(db, a1) is AllocationStatus.ACCEPTED


def test_the_window_closes(setup):
    db, w, pid, (a1, a2) = setup
    with db.unit_of_work() as s:
        accept(s, w.chair, a1)
    later = utcnow() + timedelta(minutes=UNDO_MINUTES, seconds=5)
    with db.reader() as s:
        assert undoable_ids(s, [a1, a2]) == {a1}
        assert undoable_ids(s, [a1, a2], now=later) == set()
    with pytest.raises(Conflict, match="undo_too_late"), db.unit_of_work() as s:
        undo_accept(s, w.chair, a1, now=later)
    assert _status(db, a1) is AllocationStatus.ACCEPTED


@pytest.mark.parametrize("what", ["delivered", "paid", "contact"])
def test_nothing_may_rest_on_it(setup, what):
    db, w, pid, (a1, _a2) = setup
    with db.unit_of_work() as s:
        accept(s, w.chair, a1)
    with db.unit_of_work() as s:
        if what == "delivered":
            mark_delivered(s, w.chair, a1, county_today())
        elif what == "paid":
            report_payment(s, w.citizen, a1, "TRX-20261202")
        else:
            share_contact(s, w.citizen, a1, "email")
    with db.reader() as s:
        assert undoable_ids(s, [a1]) == set()
    code = "allocation_not_accepted" if what == "delivered" else "undo_depends"
    with pytest.raises(Conflict, match=code), db.unit_of_work() as s:
        undo_accept(s, w.chair, a1)
    assert _status(db, a1) is (AllocationStatus.DELIVERED if what == "delivered" else AllocationStatus.ACCEPTED)


def test_bulk_summary_counts_only_this_tables_proposals(setup):
    db, w, pid, (a1, a2) = setup
    with db.unit_of_work() as s:
        other = create_pledge(s, w.citizen2, PledgeInput(kind="execution", quantity=10, skill_ids=(w.nursing,)))
        h = Allocation(pledge_id=other.id, need_id=w.hours_need, quantity=6)
        e = Allocation(pledge_id=other.id, need_id=w.env_need, quantity=4)  # another table's: never counted
        s.add_all([h, e])
        s.flush()
        record(s, None, "allocation.proposed", h)
        record(s, None, "allocation.proposed", e)
        accept(s, w.chair, a2)  # no longer a proposal
        h_id, e_id = h.id, e.id
    with db.reader() as s:
        rows = bulk_summary(s, w.health, [a1, a2, h_id, e_id, "x", True])
    assert rows == [(HelpKind.FINANCIAL, 1, 20_000_000), (HelpKind.EXECUTION, 1, 6)]


def test_the_chair_hears_of_a_reported_payment(setup):
    db, w, pid, (a1, _a2) = setup
    with db.unit_of_work() as s:
        accept(s, w.chair, a1)
    with db.unit_of_work() as s:
        report_payment(s, w.citizen, a1, "TRX-20261202")
    with db.reader() as s:
        note = s.scalars(select(Notification).where(Notification.user_id == w.chair)).one()
        assert note.kind == "payment_reported" and note.params["reference"] == "TRX-20261202"
        assert note.params["allocation_id"] == a1
