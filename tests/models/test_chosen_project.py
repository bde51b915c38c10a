"""Issue 16 item 2 in the app: a pledge to one chosen project ("only this project": it waits for that project
and is never matched elsewhere) or preferring it (a bonus larger than the preferred table's)."""

import pytest
from sqlalchemy import select

from models.core.enums import AllocationStatus, ProjectStatus, RunScope
from models.core.errors import ValidationError
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.pledging.pledges import PledgeInput, create_pledge
from models.runs.lifecycle import build_instance, run_matching
from tests.models.world import build_world


@pytest.fixture
def world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        w.db = db
        return w


def _money(w, who, quantity, **kw):
    with w.db.unit_of_work() as s:
        return create_pledge(s, who, PledgeInput(kind="financial", quantity=quantity, **kw)).id


def _proposals(w):
    with w.db.reader() as s:
        return {(a.pledge_id, a.need_id): a.quantity for a in s.scalars(select(Allocation))}


def test_only_this_project_is_never_matched_elsewhere(world):
    """The field-test case: 500,000 toman "for the health house's equipment" went to another project.
    The env project (50,000,000 rials) would take it; it waits for the health project instead."""
    w = world
    with w.db.unit_of_work() as s:  # the health project's money need is covered already
        s.get(Need, w.money_need).quantity = 10_000_000
        from models.audit.log import record
        record(s, None, "test.changed", s.get(Need, w.money_need))
    first = _money(w, w.citizen2, 10_000_000)
    run_matching(w.db, w.chair, RunScope.COUNTY)  # the governorate would run the county; the actor does not matter
    assert _proposals(w) == {(first, w.money_need): 10_000_000}
    from models.pledging.decisions import accept
    with w.db.unit_of_work() as s:  # the chair accepts it: the need is covered
        accept(s, w.chair, s.scalars(select(Allocation.id)).one())
    only = _money(w, w.citizen, 5_000_000, project_id=w.project, only_project=True)
    run_matching(w.db, w.chair, RunScope.COUNTY)
    got = _proposals(w)
    assert all(p != only for p, _ in got), got  # not on the env need, which has room
    with w.db.reader() as s:
        inst = build_instance(s, RunScope.COUNTY)
        mine = next(p for p in inst["pledges"] if p["id"] == f"p{only}")
        assert {"project": f"pr{w.project}", "only_project": True}.items() <= mine.items()
        inst_env = build_instance(s, RunScope.TABLE, w.env)
        assert all(p["id"] != f"p{only}" for p in inst_env["pledges"])  # another table's run leaves it out
        assert s.get(Pledge, only).project_id == w.project


def test_only_this_project_goes_to_it_when_it_has_room(world):
    w = world
    only = _money(w, w.citizen, 5_000_000, project_id=w.project, only_project=True)
    run_matching(w.db, w.chair, RunScope.COUNTY)
    assert _proposals(w) == {(only, w.money_need): 5_000_000}
    with w.db.reader() as s:
        assert "preferred project" in s.scalars(select(Allocation)).one().reasons


def test_prefer_this_project_is_a_weight_not_a_restriction(world):
    """Worth per rial: health 8 / 100,000,000 = 8e-8 < env 5 / 50,000,000 = 1e-7, so plain money goes to the
    env project; money preferring the health project goes there (8e-8 x 1.5 = 1.2e-7), and when the health
    project has no room it still helps elsewhere (a preference, not "only")."""
    w = world
    plain = _money(w, w.citizen2, 5_000_000)
    prefers = _money(w, w.citizen, 5_000_000, project_id=w.project)
    run_matching(w.db, w.chair, RunScope.COUNTY)
    assert _proposals(w) == {(plain, w.env_need): 5_000_000, (prefers, w.money_need): 5_000_000}
    with w.db.unit_of_work() as s:
        from models.audit.log import record
        need = s.get(Need, w.money_need)
        need.quantity = 1
        record(s, None, "test.changed", need)
        for a in s.scalars(select(Allocation)):
            a.status = AllocationStatus.WITHDRAWN
            record(s, None, "test.changed", a)
    run_matching(w.db, w.chair, RunScope.COUNTY)
    with w.db.reader() as s:
        live = {(a.pledge_id, a.need_id): a.quantity for a in s.scalars(select(Allocation).where(
            Allocation.status == AllocationStatus.PROPOSED))}
    assert live.get((prefers, w.env_need), 0) > 0, live


def test_choosing_a_project_is_checked(world):
    w = world
    with w.db.unit_of_work() as s:
        with pytest.raises(ValidationError) as e:
            create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=5_000_000, only_project=True))
        assert e.value.code == "only_project_without_project"
        with pytest.raises(ValidationError) as e:  # the project asks for no design hours
            create_pledge(s, w.citizen, PledgeInput(kind="design", quantity=5, project_id=w.project,
                                                    only_project=True))
        assert e.value.code == "project_has_no_such_need"
        create_pledge(s, w.citizen, PledgeInput(kind="design", quantity=5, project_id=w.project))  # preferring is fine
        s.get(Project, w.env_project).status = ProjectStatus.DRAFT
        s.flush()
        with pytest.raises(ValidationError) as e:
            create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=5_000_000, project_id=w.env_project))
        assert e.value.code == "project_unknown"
        s.rollback()
