"""Issue 16 item 6: automatic matching per table: after new pledges or decisions, at most every N minutes,
and never a run that withdraws proposals or lowers coverage without the chair (it is held and the chair told)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.core.errors import PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.base import utcnow
from models.orm.notifications import Notification
from models.orm.pledges import Allocation, MatchingRun
from models.orm.tables import Table
from models.pledging.pledges import PledgeInput, create_pledge
from models.runs.auto import due_tables, run_due, set_auto_matching
from tests.models.world import build_world


@pytest.fixture
def world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        w.db = db
        return w


def _count(db, model, *where):
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_only_the_chair_turns_it_on(world):
    w = world
    with w.db.unit_of_work() as s:
        with pytest.raises(PermissionDenied):
            set_auto_matching(s, w.citizen, w.health, True, 30)
        with pytest.raises(PermissionDenied):
            set_auto_matching(s, w.other_chair, w.health, True, 30)
        with pytest.raises(ValidationError):
            set_auto_matching(s, w.chair, w.health, True, 1)
        set_auto_matching(s, w.chair, w.health, True, 15)
    with w.db.reader() as s:
        t = s.get(Table, w.health)
        assert (t.auto_match, t.auto_match_minutes) == (True, 15)


def test_runs_after_news_at_most_every_n_minutes(world):
    w = world
    with w.db.reader() as s:
        assert due_tables(s) == []  # off
    with w.db.unit_of_work() as s:
        set_auto_matching(s, w.chair, w.health, True, 30)
        create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=5_000_000))
    with w.db.reader() as s:
        assert due_tables(s) == [w.health]
    outcome = run_due(w.db)
    assert [(o.table_id, o.ran) for o in outcome] == [(w.health, True)]
    assert _count(w.db, Allocation) == 1
    assert _count(w.db, AuditEvent, AuditEvent.action == "matching.auto") == 1
    with w.db.unit_of_work() as s:  # news, but the last run is younger than 30 minutes
        create_pledge(s, w.citizen2, PledgeInput(kind="financial", quantity=7_000_000))
    with w.db.reader() as s:
        assert due_tables(s) == []
        assert due_tables(s, utcnow() + timedelta(minutes=31)) == [w.health]
    run_due(w.db, utcnow() + timedelta(minutes=31))
    assert _count(w.db, Allocation) == 2
    with w.db.reader() as s:  # no news since: not due however long it waits
        assert due_tables(s, utcnow() + timedelta(hours=5)) == []
        assert s.scalar(select(func.count()).select_from(MatchingRun)) == 2


def test_a_run_that_would_withdraw_proposals_is_held_for_the_chair(demo_db):
    """The demo's health table: a re-run would withdraw 140 proposals. Automatic matching does not make it."""
    with demo_db.unit_of_work() as s:
        table = s.scalars(select(Table).where(Table.slug == "health")).one()
        tid, chair = table.id, table.chair_id
        set_auto_matching(s, chair, tid, True, 10)
    runs_before = _count(demo_db, MatchingRun)
    proposed_before = _count(demo_db, Allocation, Allocation.status == "proposed")
    outcome = run_due(demo_db)
    mine = [o for o in outcome if o.table_id == tid]
    assert len(mine) == 1 and not mine[0].ran and mine[0].withdrawn > 100
    assert _count(demo_db, MatchingRun) == runs_before
    assert _count(demo_db, Allocation, Allocation.status == "proposed") == proposed_before
    with demo_db.reader() as s:
        held = s.scalars(select(AuditEvent).where(AuditEvent.action == "matching.auto_held")).one()
        assert held.object_id == tid and held.after["withdrawn"] == mine[0].withdrawn
        note = s.scalars(select(Notification).where(Notification.user_id == chair,
                                                    Notification.kind == "matching_held")).one()
        assert note.params["withdrawn"] == mine[0].withdrawn
        assert due_tables(s) == []  # held counts as a run for the pace
