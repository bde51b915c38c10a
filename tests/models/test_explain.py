"""Issue 16 item 7 in the domain: why each proposal was made (kind, item or substitute, skills, district,
chosen project or table, weight and the project's rank) and the next-best pledges for a need."""

import pytest
from sqlalchemy import select

from models.audit.log import record
from models.core.enums import RunScope
from models.core.errors import NotFound
from models.orm.items import LogisticsItem
from models.orm.pledges import Allocation
from models.orm.projects import Project
from models.pledging.pledges import PledgeInput, create_pledge
from models.projects.editing import NeedInput, add_need
from models.runs.explain import explain, next_best, project_ranks
from models.runs.lifecycle import run_matching
from tests.models.world import build_world


@pytest.fixture
def world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        w.db = db
        w.item = dict(s.execute(select(LogisticsItem.slug, LogisticsItem.id)).all())
        second = Project(table_id=w.health, kind=s.get(Project, w.project).kind, title_fa="دوم", priority=3,
                         status=s.get(Project, w.project).status)
        s.add(second)
        record(s, None, "test.created", second)
        s.flush()
        w.second = second.id
        return w


def test_each_proposal_says_why_and_the_next_best_pledges_are_ranked(world):
    w = world
    with w.db.unit_of_work() as s:
        need = add_need(s, w.chair, w.project, NeedInput(kind="logistics", quantity=4, item_id=w.item["pickup"],
                                                        accept_ids=(w.item["van"],))).id
        pickup = create_pledge(s, w.citizen, PledgeInput(kind="logistics", quantity=4, item_id=w.item["pickup"],
                                                         district_id=w.amol, project_id=w.project)).id
        van = create_pledge(s, w.citizen2, PledgeInput(kind="logistics", quantity=3, item_id=w.item["van"])).id
        create_pledge(s, w.citizen2, PledgeInput(kind="logistics", quantity=3, item_id=w.item["hall"]))
        nurse = create_pledge(s, w.citizen2, PledgeInput(kind="execution", quantity=10, skill_ids=(w.nursing,),
                                                         table_ids=(w.health,))).id
    run_matching(w.db, w.chair, RunScope.TABLE, w.health)
    with w.db.reader() as s:
        allocs = {a.pledge_id: a.id for a in s.scalars(select(Allocation))}
        assert set(allocs) == {pickup, nurse}
        why = explain(s, w.health, list(allocs.values()))
        a = why[allocs[pickup]]
        assert (a.kind, a.item, a.wanted, a.substitute) == ("logistics", ("وانت", "Pickup truck"),
                                                            ("وانت", "Pickup truck"), False)
        assert a.chose_project == "preferred" and a.district == "same district"
        assert (a.rank, a.ranked, a.weight) == (1, 2, 8.0)
        assert project_ranks(s, w.health)[w.second][0] == 2
        b = why[allocs[nurse]]
        assert b.skills == ["nursing"] and b.preferred_table and b.chose_project is None
        alts = next_best(s, w.health, need, 3)
        assert [x.pledge_id for x in alts] == [pickup, van]  # the hall is not an alternative for a pickup
        assert alts[0].proposed_here == 4 and alts[0].relative == 1.0
        assert alts[1].relative < 1.0 and alts[1].reasons[0] == "substitute: van"
        assert [x.pledge_id for x in next_best(s, w.health, need, 3, exclude_pledges=(pickup,))] == [van]
        with pytest.raises(NotFound):
            next_best(s, w.env, need)  # not that table's need
