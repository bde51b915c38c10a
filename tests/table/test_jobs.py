"""Matching runs claimed then run (in the background, by dash_app.background): progress kept in the database,
the summary of what changed, one run per scope, a claimed run taken once and only by its claimant."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.core.enums import RunScope, RunStatus
from models.core.errors import Conflict, PermissionDenied
from models.orm.audit_event import AuditEvent
from models.orm.base import utcnow
from models.orm.pledges import MatchingRun
from models.pledging.pledges import PledgeInput, create_pledge
from models.runs.jobs import claim_matching, run_claimed
from models.runs.lifecycle import claim_run, execute_run, latest_run, project_changes, run_state
from tests.models.world import build_world


@pytest.fixture
def world(any_db):
    with any_db.unit_of_work() as s:
        w = build_world(s)
        create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=60_000_000))
        create_pledge(s, w.citizen2, PledgeInput(kind="financial", quantity=30_000_000))
    return any_db, w


def test_background_run_reports_progress_and_what_changed(world):
    db, w = world
    run_id = claim_matching(db, w.chair, RunScope.TABLE, w.health)
    with db.reader() as s:
        assert run_state(s, run_id).stage == "claimed"
    assert run_claimed(db, run_id, w.chair) is not None
    with db.reader() as s:
        state = run_state(s, run_id)
        stages = [e.after["stage"] for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action == "matching.progress", AuditEvent.object_id == run_id).order_by(AuditEvent.id))]
        assert latest_run(s, RunScope.TABLE, w.health).run_id == run_id
    assert state.status == "done" and state.fraction == 1.0
    assert stages[0] == "building" and "solving" in stages and stages[-1] == "writing"
    summary = state.summary
    assert summary["proposed"] >= 1 and summary["withdrawn"] == 0
    assert summary["coverage_before"]["mean"] == 0.0
    assert summary["coverage_after"]["mean"] > 0.0  # the health money need is now (partly) covered
    assert project_changes(summary)[0][0] == w.project


def test_one_run_per_scope(world):
    db, w = world
    first = claim_run(db, w.chair, RunScope.TABLE, w.health)
    with pytest.raises(Conflict, match="matching_already_running"):
        claim_run(db, w.chair, RunScope.TABLE, w.health)
    with pytest.raises(Conflict, match="matching_already_running"):
        claim_run(db, None, RunScope.COUNTY)  # the county clashes with any table's run
    other = claim_run(db, w.other_chair, RunScope.TABLE, w.env)  # another table may run meanwhile
    execute_run(db, first)
    execute_run(db, other)
    county = claim_run(db, None, RunScope.COUNTY)
    with pytest.raises(Conflict, match="matching_already_running"):
        claim_run(db, w.chair, RunScope.TABLE, w.health)  # ... and a county run clashes with every table
    execute_run(db, county)
    with db.reader() as s:
        assert {r.status for r in s.scalars(select(MatchingRun))} == {RunStatus.DONE}


def test_concurrent_claims_one_wins(world):
    db, w = world
    results = []
    barrier = threading.Barrier(4)

    def claim():
        barrier.wait()
        try:
            results.append(claim_run(db, w.chair, RunScope.TABLE, w.health))
        except Conflict as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(isinstance(r, int) for r in results) == 1
    assert results.count("matching_already_running") == 3


def test_a_run_whose_process_died_stops_blocking(world):
    db, w = world
    dead = claim_run(db, w.chair, RunScope.TABLE, w.health)
    with pytest.raises(Conflict):
        claim_run(db, w.chair, RunScope.TABLE, w.health, now=utcnow() + timedelta(seconds=30))
    # No sign of life for longer than liveness.stale_after() (60 s): the job died; the next claim expires it.
    fresh = claim_run(db, w.chair, RunScope.TABLE, w.health, now=utcnow() + timedelta(seconds=61))
    with db.reader() as s:
        assert run_state(s, dead).status == "failed" and run_state(s, dead).error == "interrupted"
        assert run_state(s, fresh).status == "running"


def test_who_may_start_a_run(world):
    db, w = world
    with pytest.raises(PermissionDenied, match="governorate_only"):
        claim_matching(db, w.chair, RunScope.COUNTY)
    with pytest.raises(PermissionDenied, match="not_chair_of_table"):
        claim_matching(db, w.other_chair, RunScope.TABLE, w.health)
    with pytest.raises(PermissionDenied, match="not_chair_of_table"):
        claim_matching(db, w.member, RunScope.TABLE, w.health)
    with db.reader() as s:
        assert s.scalar(select(MatchingRun.id)) is None  # nothing was claimed


def test_a_claimed_run_is_taken_once_and_only_by_its_claimant(world):
    db, w = world
    run_id = claim_matching(db, w.chair, RunScope.TABLE, w.health)
    assert run_claimed(db, run_id, w.other_chair) is None  # somebody else's run: not taken
    with db.reader() as s:
        assert run_state(s, run_id).stage == "claimed"
    results = []
    barrier = threading.Barrier(3)

    def take():
        barrier.wait()
        results.append(run_claimed(db, run_id, w.chair))

    threads = [threading.Thread(target=take) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sum(r is not None for r in results) == 1  # one job solved it; the others found it taken
    with db.reader() as s:
        assert run_state(s, run_id).status == "done"
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "matching.finished", AuditEvent.object_id == run_id)) == 1
    assert run_claimed(db, run_id, w.chair) is None  # a finished run is never run again
