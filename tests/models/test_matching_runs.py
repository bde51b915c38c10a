"""Matching on the database: the demo county, scopes, decisions that stick, no churn."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.core.capacity import need_usage, pledge_usage
from models.core.enums import AllocationStatus, RunScope
from models.orm.audit_event import AuditEvent
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need, Project
from models.pledging.decisions import accept, reject
from models.runs.lifecycle import build_instance, run_matching


@pytest.fixture
def demo(demo_db):
    return demo_db


def _no_over_allocation(db):
    with db.reader() as s:
        pledges = dict(s.execute(select(Pledge.id, Pledge.quantity - Pledge.withdrawn_quantity)).all())
        needs = dict(s.execute(select(Need.id, Need.quantity)).all())
        for pid, (active, _) in pledge_usage(s, pledges).items():
            assert active <= pledges[pid]
        for nid, active in need_usage(s, needs).items():
            assert active <= needs[nid]


def _proposals(db):
    with db.reader() as s:
        return set(s.execute(select(Allocation.pledge_id, Allocation.need_id, Allocation.quantity)
                             .where(Allocation.status == AllocationStatus.PROPOSED)).all())


def test_county_run_on_the_demo(any_demo_db):
    demo = any_demo_db
    with demo.reader() as s:
        decided_before = set(s.execute(select(Allocation.id, Allocation.status).where(
            Allocation.status.in_([AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED]))).all())
    summary = run_matching(demo, None, RunScope.COUNTY)
    assert summary.proposed > 0 and summary.objective > 0
    _no_over_allocation(demo)
    with demo.reader() as s:
        run = s.get(MatchingRun, summary.run_id)
        assert run.status.value == "done" and run.n_pledges > 1000 and run.seconds is not None
        assert s.scalar(select(func.count()).select_from(Allocation).where(
            Allocation.matching_run_id == run.id)) == summary.proposed
        decided_after = set(s.execute(select(Allocation.id, Allocation.status).where(
            Allocation.status.in_([AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED]))).all())
        assert decided_after == decided_before  # decisions are never touched by a run
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "allocation.proposed")) >= summary.proposed
        # every proposal goes to an open project's need of the same kind
        rows = s.execute(select(Pledge.kind, Need.kind, Project.status).select_from(Allocation)
                         .join(Pledge).join(Need).join(Project)
                         .where(Allocation.status == AllocationStatus.PROPOSED)).all()
        assert all(pk == nk and st.value in ("open", "in_progress") for pk, nk, st in rows)


def test_rerun_with_nothing_changed_keeps_every_proposal(demo):
    run_matching(demo, None, RunScope.COUNTY)
    first = _proposals(demo)
    again = run_matching(demo, None, RunScope.COUNTY)
    assert (again.proposed, again.withdrawn) == (0, 0)
    assert _proposals(demo) == first


def test_decisions_stick_in_later_runs(any_demo_db):
    demo = any_demo_db
    run_matching(demo, None, RunScope.COUNTY)
    with demo.reader() as s:
        proposals = list(s.execute(select(Allocation.id, Allocation.pledge_id, Allocation.need_id, Project.table_id)
                                   .join(Need, Allocation.need_id == Need.id).join(Project)
                                   .where(Allocation.status == AllocationStatus.PROPOSED)
                                   .order_by(Allocation.id).limit(2)).all())
        chairs = {t: s.scalar(select(Project.table.property.mapper.class_.chair_id)
                              .where(Project.table.property.mapper.class_.id == t)) for *_, t in proposals}
    (a_ok, *_rest1, t1), (a_no, p_no, n_no, t2) = proposals
    with demo.unit_of_work() as s:
        accept(s, chairs[t1], a_ok)
        reject(s, chairs[t2], a_no, "not suitable")
    run_matching(demo, None, RunScope.COUNTY)
    with demo.reader() as s:
        assert s.get(Allocation, a_ok).status is AllocationStatus.ACCEPTED
        assert s.scalar(select(func.count()).select_from(Allocation).where(
            Allocation.pledge_id == p_no, Allocation.need_id == n_no,
            Allocation.status == AllocationStatus.PROPOSED)) == 0
        instance = build_instance(s, RunScope.COUNTY)
    assert {"pledge": f"p{p_no}", "need": f"n{n_no}"} in instance["forbidden"]
    _no_over_allocation(demo)


def test_table_run_touches_only_its_table(demo):
    run_matching(demo, None, RunScope.COUNTY)
    with demo.reader() as s:
        other = set(s.execute(select(Allocation.id, Allocation.status).join(Need).join(Project)
                              .where(Project.table_id != 1)).all())
    run_matching(demo, None, RunScope.TABLE, table_id=1)
    with demo.reader() as s:
        assert set(s.execute(select(Allocation.id, Allocation.status).join(Need).join(Project)
                             .where(Project.table_id != 1)).all()) == other
    _no_over_allocation(demo)


def test_a_chair_deciding_while_the_county_runs_does_not_fail_the_run(any_demo_db, monkeypatch):
    """Issue 15 item 2 on the demo county: while a county run solves, a chair accepts 20 of its
    table's proposals and rejects 5 (committed in another connection). The run still finishes, each
    decision stands, nothing is over-allocated, and the summary says what was given way."""
    import threading

    import matching
    from models.orm.tables import Table
    from models.pledging.decisions import accept_many

    demo = any_demo_db
    run_matching(demo, None, RunScope.COUNTY)
    with demo.reader() as s:
        table_id, chair = s.execute(select(Table.id, Table.chair_id).where(Table.chair_id.is_not(None))
                                    .order_by(Table.id)).first()
        ids = list(s.scalars(select(Allocation.id).join(Need).join(Project).where(
            Project.table_id == table_id, Allocation.status == AllocationStatus.PROPOSED)
            .order_by(Allocation.id).limit(25)))
    to_accept, to_reject = ids[:20], ids[20:]
    assert len(to_reject) == 5
    solve = matching.solve_instance

    def solve_while_the_chair_decides(instance, progress=None):
        result = solve(instance, progress=progress)

        def decide():
            with demo.unit_of_work() as s:
                accept_many(s, chair, dict.fromkeys(to_accept))
            for alloc_id in to_reject:
                with demo.unit_of_work() as s:
                    reject(s, chair, alloc_id, "not now")

        thread = threading.Thread(target=decide)
        thread.start()
        thread.join(60)
        return result

    monkeypatch.setattr(matching, "solve_instance", solve_while_the_chair_decides)
    summary = run_matching(demo, None, RunScope.COUNTY)
    with demo.reader() as s:
        assert s.get(MatchingRun, summary.run_id).status.value == "done"
        statuses = dict(s.execute(select(Allocation.id, Allocation.status).where(Allocation.id.in_(ids))).all())
    assert all(statuses[a] is AllocationStatus.ACCEPTED for a in to_accept)
    assert all(statuses[a] is AllocationStatus.REJECTED for a in to_reject)
    _no_over_allocation(demo)
    reasons = summary.reconciled["reasons"]
    assert reasons.get("accepted", 0) + reasons.get("rejected", 0) >= 20   # the solver had re-proposed them
    assert summary.reconciled["dropped"] >= 20
