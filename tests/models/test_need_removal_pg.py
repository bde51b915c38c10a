"""Removing a need while its chair accepts one of its proposals in another tab, on PostgreSQL: both take their
locks in the one order (pledge, allocation, need), so one waits for the other instead of deadlocking, and either
the accept wins (the removal is refused) or the removal wins (the accept finds a withdrawn proposal)."""
from __future__ import annotations

import threading
import time

import pytest

from models.audit.log import record
from models.core.enums import AllocationStatus
from models.core.errors import Conflict
from models.orm.pledges import Allocation
from models.orm.projects import Need
from models.pledging.decisions import accept
from models.pledging.pledges import PledgeInput, create_pledge
from models.projects.editing import remove_need
from tests.models.world import build_world

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(pg_db):
    with pg_db.unit_of_work() as s:
        w = build_world(s)
        ids = []
        for citizen in (w.citizen, w.citizen2):
            p = create_pledge(s, citizen, PledgeInput(kind="execution", quantity=30))
            a = Allocation(pledge_id=p.id, need_id=w.hours_need, quantity=30)
            s.add(a)
            record(s, None, "allocation.proposed", a)
            s.flush()
            ids.append(a.id)
    return pg_db, w, ids


@pytest.mark.parametrize("first", ["accept", "remove"])
def test_removal_and_accept_of_its_proposal_serialise(world, first):
    db, w, (a1, a2) = world
    outcomes: dict[str, object] = {}
    holding = threading.Event()

    def do(which: str, hold: bool) -> None:
        try:
            with db.unit_of_work() as s:
                if which == "accept":
                    accept(s, w.chair, a2)
                else:
                    remove_need(s, w.chair, w.hours_need)
                s.flush()
                if hold:
                    holding.set()
                    time.sleep(0.4)  # the first transaction keeps its locks a moment
            outcomes[which] = "ok"
        except Conflict as exc:
            outcomes[which] = exc.code
        finally:
            holding.set()

    second = "remove" if first == "accept" else "accept"
    t1 = threading.Thread(target=do, args=(first, True))
    t1.start()
    holding.wait(5)
    t2 = threading.Thread(target=do, args=(second, False))
    t2.start()
    t1.join(20)
    t2.join(20)
    with db.reader() as s:
        need = s.get(Need, w.hours_need)
        statuses = {s.get(Allocation, a).status for a in (a1, a2)}
    if first == "accept":
        assert outcomes == {"accept": "ok", "remove": "need_has_decided_help"}
        assert need.removed_at is None and AllocationStatus.ACCEPTED in statuses
    else:
        assert outcomes == {"remove": "ok", "accept": "allocation_not_proposed"}
        assert need.removed_at is not None and statuses == {AllocationStatus.WITHDRAWN}
