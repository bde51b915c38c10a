"""A run and a chair's decision at the same time both succeed (issue 15 item 2).

Each test lets the run solve, then, before it stores, commits a real decision in another connection
(another thread) — and in the hold variant keeps that decision's transaction open, holding the row
locks, while the store starts, so the store waits for it and reconciles under the locks. Before the
fix the store re-proposed the pair just accepted and the capacity check rolled the whole run back.
"""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

import matching
from models.audit.log import record
from models.core.capacity import need_usage, pledge_usage
from models.core.enums import AllocationStatus, RunScope, RunStatus
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need
from models.pledging.decisions import accept, reject
from models.pledging.pledges import PledgeInput, create_pledge, withdraw_remainder
from models.runs.lifecycle import claim_run, execute_run, read_instance, run_matching, run_state
from models.runs.reconcile import reconcile
from tests.models.world import build_world


@pytest.fixture
def world(any_db):
    with any_db.unit_of_work() as s:
        w = build_world(s)
        big = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=60_000_000)).id
        small = create_pledge(s, w.citizen2, PledgeInput(kind="financial", quantity=30_000_000)).id
    run_matching(any_db, w.chair, RunScope.TABLE, w.health)  # both pledges proposed to the money need
    return any_db, w, big, small


def _proposal(db, pledge_id, need_id) -> int:
    with db.reader() as s:
        return s.scalar(select(Allocation.id).where(Allocation.pledge_id == pledge_id, Allocation.need_id == need_id,
                                                    Allocation.status == AllocationStatus.PROPOSED))


def _no_over_allocation(db):
    with db.reader() as s:
        caps = dict(s.execute(select(Pledge.id, Pledge.quantity - Pledge.withdrawn_quantity)).all())
        needs = dict(s.execute(select(Need.id, Need.quantity)).all())
        assert all(active <= caps[pid] for pid, (active, _) in pledge_usage(s, caps).items())
        assert all(active <= needs[nid] for nid, active in need_usage(s, needs).items())


def _meanwhile(monkeypatch, decide, hold: float = 0.0):
    """Make the next solve commit `decide(session)` in another thread before the run stores. With
    `hold`, the decision's transaction stays open (its row locks held) that long after the store may
    begin; returns a dict that gets the seconds the store waited."""
    solve = matching.solve_instance
    seen: dict = {}

    def solve_then_decide(instance, progress=None):
        result = solve(instance, progress=progress)
        locked, done = threading.Event(), threading.Event()
        errors: list[BaseException] = []

        def other_connection():
            try:
                decide(locked, hold)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
            finally:
                locked.set()
                done.set()

        thread = threading.Thread(target=other_connection)
        thread.start()
        locked.wait(30)
        if not hold:
            thread.join(30)
        seen.update(thread=thread, errors=errors, store_from=time.monotonic())
        return result

    monkeypatch.setattr(matching, "solve_instance", solve_then_decide)
    return seen


def _summary(db, run_id):
    with db.reader() as s:
        state = run_state(s, run_id)
    assert state.status == "done", state
    return state.summary


@pytest.mark.parametrize("hold", [0.0, 0.6], ids=["committed", "holding-locks"])
def test_a_proposal_accepted_while_the_run_solves(world, monkeypatch, hold):
    db, w, big, _small = world
    alloc = _proposal(db, big, w.money_need)

    def decide(locked, hold):
        with db.unit_of_work() as s:
            accept(s, w.chair, alloc)
            s.flush()
            locked.set()          # the pledge, allocation and need rows are locked until this commits
            time.sleep(hold)

    seen = _meanwhile(monkeypatch, decide, hold)
    run_id = claim_run(db, w.chair, RunScope.TABLE, w.health)
    summary = execute_run(db, run_id)
    waited = time.monotonic() - seen["store_from"]
    seen["thread"].join(30)
    assert not seen["errors"]
    if hold:
        assert waited >= hold * 0.8   # the store waited for the decision's locks, then read it
    with db.reader() as s:
        assert s.get(Allocation, alloc).status is AllocationStatus.ACCEPTED   # the decision stands
        assert s.get(MatchingRun, run_id).status is RunStatus.DONE             # ... and so does the run
        pair = s.scalars(select(Allocation.status).where(Allocation.pledge_id == big,
                                                         Allocation.need_id == w.money_need)).all()
        assert AllocationStatus.PROPOSED not in pair  # not proposed again on top of the acceptance
    _no_over_allocation(db)
    assert summary.reconciled == {"dropped": 1, "shrunk": 0, "reasons": {"accepted": 1}}
    assert _summary(db, run_id)["reconciled"] == summary.reconciled


def test_a_pledge_withdrawn_and_a_pair_rejected_while_the_run_solves(world, monkeypatch):
    db, w, big, small = world
    big_alloc = _proposal(db, big, w.money_need)

    def decide(locked, hold):
        with db.unit_of_work() as s:
            withdraw_remainder(s, w.citizen2, small)
        with db.unit_of_work() as s:
            reject(s, w.chair, big_alloc, "not this one")

    seen = _meanwhile(monkeypatch, decide)
    run_id = claim_run(db, w.chair, RunScope.TABLE, w.health)
    summary = execute_run(db, run_id)
    assert not seen["errors"]
    assert summary.reconciled == {"dropped": 2, "shrunk": 0, "reasons": {"rejected": 1, "withdrawn": 1}}
    with db.reader() as s:
        assert s.get(Allocation, big_alloc).status is AllocationStatus.REJECTED
        assert s.get(Pledge, small).withdrawn_quantity == 30_000_000
        assert not s.scalars(select(Allocation).where(Allocation.status == AllocationStatus.PROPOSED)).all()
    _no_over_allocation(db)


def test_nothing_to_reconcile_is_said_as_zero(world):
    db, w, _big, _small = world
    summary = run_matching(db, w.chair, RunScope.TABLE, w.health)
    assert summary.reconciled == {"dropped": 0, "shrunk": 0, "reasons": {}}


def test_reconcile_shrinks_to_the_room_left_and_never_cuts_a_whole_pledge(any_db):
    """The fitting itself, on a hand-made answer: what was taken since the snapshot is given up, the
    most valuable proposals first; a divisible pledge is cut to its room, a whole one dropped."""
    db = any_db
    with db.unit_of_work() as s:
        w = build_world(s)
        cut = create_pledge(s, w.citizen, PledgeInput(kind="execution", quantity=100)).id
        whole = create_pledge(s, w.citizen2, PledgeInput(kind="execution", quantity=20, divisible=False)).id
        third = create_pledge(s, w.member, PledgeInput(kind="execution", quantity=105)).id
    with db.reader() as s:
        instance, caps = read_instance(s, RunScope.COUNTY)
    # Meanwhile the chair accepted 105 of the 120 hours from a third pledge: 15 hours are left.
    with db.unit_of_work() as s:
        a = Allocation(pledge_id=third, need_id=w.hours_need, quantity=105, status=AllocationStatus.ACCEPTED)
        s.add(a)
        record(s, None, "allocation.accepted", a)
    answer = {(whole, w.hours_need): {"quantity": 20, "worth": 10.0},   # the most valuable per hour
              (cut, w.hours_need): {"quantity": 100, "worth": 20.0}}
    with db.unit_of_work() as s:
        fitted = reconcile(s, answer, instance, caps)
    assert [(p, n, q) for p, n, q, _a in fitted.proposals] == [(cut, w.hours_need, 15)]
    assert (fitted.dropped, fitted.shrunk) == (1, 1)
    assert fitted.summary() == {"dropped": 1, "shrunk": 1, "reasons": {"taken": 2}}


def test_the_summary_line_on_the_table_page(tmp_path):
    """The run panel words the reconciliation, in Persian by default and in English on request."""
    from datetime import UTC, datetime

    from dash_app import create_app
    from dash_app.i18n import LANGUAGE_COOKIE
    from dash_app.pages.table.runs import render_run
    from models.runs.lifecycle import RunState

    app = create_app({"TESTING": True, "SECRET_KEY": "r", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "HAMYAR_JOBS_FOLDER": str(tmp_path / "jobs")})
    state = RunState(run_id=7, scope="table", table_id=1, status="done", fraction=1.0, stage="done", kind=None,
                     started_at=datetime(2026, 1, 1, tzinfo=UTC), finished_at=None, error=None,
                     summary={"proposed": 3, "kept": 0, "withdrawn": 0, "seconds": 1.0,
                              "reconciled": {"dropped": 2, "shrunk": 1, "reasons": {"accepted": 2, "withdrawn": 1}}})

    def text(node) -> str:
        if isinstance(node, str | int | float):
            return str(node)
        children = getattr(node, "children", None)
        if children is None:
            return ""
        return " ".join(text(c) for c in (children if isinstance(children, list) else [children]))

    with app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
        english = text(render_run(state))
    with app.test_request_context("/"):
        persian = text(render_run(state))
    assert "Changed while the run was solving" in english
    assert "2 left out, 1 reduced (accepted meanwhile: 2, pledge withdrawn: 1)" in english
    assert "تغییرهای هم‌زمان با اجرای تطبیق" in persian and "۲ پیشنهاد کنار گذاشته" in persian
    app.extensions["hamyar_db"].dispose()
