"""Projects and needs: who may draft, publish, complete and cancel, and what each does."""
from __future__ import annotations

import pytest

from models.audit.log import record
from models.core.enums import AllocationStatus
from models.core.errors import Conflict, PermissionDenied, ValidationError
from models.core.notify import unread_count
from models.orm.pledges import Allocation
from models.orm.projects import Project
from models.pledging.pledges import PledgeInput, create_pledge
from models.projects.editing import (
    NeedInput,
    ProjectInput,
    add_need,
    change_need_quantity,
    change_status,
    create_project,
)
from tests.models.world import build_world

PROBLEM = ProjectInput(kind="problem", title_fa="لایروبی نهر", problem="رسوب در نهر", priority=7)


@pytest.fixture
def world(any_db):
    with any_db.unit_of_work() as s:
        return any_db, build_world(s)


def test_member_drafts_chair_publishes(world):
    db, w = world
    with db.unit_of_work() as s:
        pid = create_project(s, w.member, w.health, PROBLEM).id
        add_need(s, w.member, pid, NeedInput(kind="execution", quantity=200, skill_ids=(w.nursing,)))
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:
        change_status(s, w.member, pid, "open")
    with db.unit_of_work() as s:
        change_status(s, w.chair, pid, "open")
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:  # published: members no longer edit
        add_need(s, w.member, pid, NeedInput(kind="financial", quantity=1_000_000))
    with db.reader() as s:
        assert s.get(Project, pid).status.value == "open"


def test_bad_projects_are_refused(world):
    db, w = world
    cases = [
        (ProjectInput(kind="problem", title_fa=" ", problem="x"), "field_required"),
        (ProjectInput(kind="problem", title_fa="t"), "field_required"),
        (ProjectInput(kind="talent", title_fa="t", capacity="c"), "horizon_required"),
        (ProjectInput(kind="problem", title_fa="t", problem="p", priority=11), "priority_out_of_range"),
        (ProjectInput(kind="hobby", title_fa="t"), "project_kind_unknown"),
    ]
    for data, code in cases:
        with pytest.raises(ValidationError) as err, db.unit_of_work() as s:
            create_project(s, w.chair, w.health, data)
        assert err.value.code == code
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:
        create_project(s, w.citizen, w.health, PROBLEM)
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:
        create_project(s, w.other_chair, w.health, PROBLEM)


def _proposal(db, w, status=AllocationStatus.PROPOSED):
    with db.unit_of_work() as s:
        p = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=10_000_000))
        a = Allocation(pledge_id=p.id, need_id=w.money_need, quantity=10_000_000, status=status)
        s.add(a)
        record(s, None, "test", a)
        return a.id


def test_undecided_proposals_block_completion(world):
    db, w = world
    _proposal(db, w)
    with pytest.raises(Conflict, match="project_has_undecided_proposals"), db.unit_of_work() as s:
        change_status(s, w.chair, w.project, "completed")
    with pytest.raises(Conflict, match="status_transition_invalid"), db.unit_of_work() as s:
        change_status(s, w.chair, w.project, "draft")


def test_cancelling_releases_proposals_and_tells_citizens(world):
    db, w = world
    aid = _proposal(db, w)
    with db.unit_of_work() as s:
        change_status(s, w.chair, w.project, "cancelled")
    with db.reader() as s:
        assert s.get(Allocation, aid).status is AllocationStatus.WITHDRAWN
        assert unread_count(s, w.citizen) == 1
    with pytest.raises(Conflict, match="project_closed"), db.unit_of_work() as s:
        change_status(s, w.chair, w.project, "open")


def test_need_cannot_shrink_below_what_is_allocated(world):
    db, w = world
    _proposal(db, w, AllocationStatus.ACCEPTED)
    with pytest.raises(Conflict, match="need_below_allocated"), db.unit_of_work() as s:
        change_need_quantity(s, w.chair, w.money_need, 5_000_000)
    with db.unit_of_work() as s:
        assert change_need_quantity(s, w.chair, w.money_need, 10_000_000).quantity == 10_000_000
