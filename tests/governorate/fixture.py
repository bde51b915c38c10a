"""A small mobilisation on top of tests/models/world.py, with values computed by hand in the tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from models.audit.log import record
from models.core.enums import AllocationStatus, HelpKind, PledgeStatus
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need
from models.orm.valuation import ValuationRate
from tests.models.world import World, build_world

NOV_1 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)   # 1405/08/10 (Aban)
DEC_1 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)   # 1405/09/10 (Azar)


@dataclass
class Mobilised:
    world: World
    logistics_need: int
    money_pledge: int
    hours_pledge: int
    truck_pledge: int
    tractor_pledge: int
    spare_pledge: int
    proposed_allocation: int


def _add(s, obj, action="test.created"):
    s.add(obj)
    record(s, None, action, obj)
    return obj


def build_mobilised(s) -> Mobilised:
    w = build_world(s)
    for kind, item, rate in ((HelpKind.LOGISTICS, "", 15_000_000), (HelpKind.LOGISTICS, "وانت", 25_000_000),
                             (HelpKind.EXECUTION, "", 1_500_000)):
        _add(s, ValuationRate(kind=kind, item=item, rials_per_unit=rate))
    logistics = _add(s, Need(project_id=w.env_project, kind=HelpKind.LOGISTICS, quantity=10, description="وانت"))

    def pledge(kind, qty, desc="", citizen=w.citizen):
        return _add(s, Pledge(citizen_id=citizen, kind=kind, quantity=qty, description=desc,
                              status=PledgeStatus.ALLOCATED, district_id=w.amol))

    money = pledge(HelpKind.FINANCIAL, 10_000_000)
    hours = pledge(HelpKind.EXECUTION, 40)
    truck = pledge(HelpKind.LOGISTICS, 3, "وانت", citizen=w.citizen2)
    tractor = pledge(HelpKind.LOGISTICS, 2, "تراکتور", citizen=w.citizen2)
    spare = pledge(HelpKind.FINANCIAL, 5_000_000, citizen=w.citizen2)
    spare.status = PledgeStatus.PARTLY_ALLOCATED

    def alloc(p, need, qty, status, at):
        a = Allocation(pledge_id=p.id, need_id=need, quantity=qty, status=status,
                       decided_at=at if status is not AllocationStatus.PROPOSED else None,
                       decided_by_id=w.chair if status is not AllocationStatus.PROPOSED else None,
                       delivered_at=at.date() if status is AllocationStatus.DELIVERED else None,
                       reject_reason="no" if status is AllocationStatus.REJECTED else None)
        return _add(s, a)

    alloc(money, w.money_need, 10_000_000, AllocationStatus.ACCEPTED, NOV_1)
    alloc(hours, w.hours_need, 40, AllocationStatus.DELIVERED, DEC_1)
    alloc(truck, logistics.id, 3, AllocationStatus.ACCEPTED, DEC_1)
    alloc(tractor, logistics.id, 2, AllocationStatus.ACCEPTED, DEC_1)
    proposed = alloc(spare, w.env_need, 2_000_000, AllocationStatus.PROPOSED, DEC_1)
    alloc(spare, w.money_need, 1_000_000, AllocationStatus.REJECTED, DEC_1)
    s.flush()
    return Mobilised(w, logistics.id, money.id, hours.id, truck.id, tractor.id, spare.id, proposed.id)


__all__ = ["DEC_1", "NOV_1", "Mobilised", "build_mobilised", "date"]
