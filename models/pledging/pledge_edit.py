"""A citizen edits their own pledge (issue 20): quantity, availability window, district and note.

Imports sqlalchemy and models only. Allowed while nothing of the pledge is accepted or delivered (after
that a table counts on it: the citizen withdraws the open part instead). The edit carries the version the
citizen saw; a change in between (a run's proposal, a chair's decision, another tab) refuses it with
Conflict("pledge_changed"). Lowering the quantity below what is proposed withdraws the proposals that no
longer fit, keeping the oldest first, and tells each table's chair; raising it keeps every proposal. A
whole (indivisible) pledge's proposals were for all of it, so any change of its quantity withdraws them.
The window, district and note change freely; proposals made on the old ones stay until the next matching
run, which checks them again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record, record_many, snapshot
from models.core.capacity import assert_within_capacity, lock_rows, refresh_pledge_statuses
from models.core.clock import county_today
from models.core.enums import AllocationStatus, DistrictLevel, HelpKind
from models.core.errors import Conflict, ValidationError
from models.core.notify import notify
from models.core.validation import validate_quantity, validate_window
from models.orm.geo import District
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table
from models.pledging.pledges import MAX_DESCRIPTION, own_pledge

DECIDED = (AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED)


@dataclass(frozen=True)
class PledgeEdit:
    quantity: int
    district_id: int | None = None
    window_start: date | None = None
    window_end: date | None = None
    description: str = ""


@dataclass(frozen=True)
class PledgeEdited:
    pledge: Pledge
    withdrawn: int              # proposals withdrawn because they no longer fit
    tables_told: list[int]      # tables whose chair was told


def editable(pledge: Pledge) -> bool:
    """Whether /my offers "edit": something is still open or proposed, and nothing accepted or delivered."""
    return (pledge.quantity > pledge.withdrawn_quantity
            and not any(a.status in DECIDED for a in pledge.allocations))


def _district(session: Session, district_id: object) -> int | None:
    if district_id is None:
        return None
    if isinstance(district_id, bool) or not isinstance(district_id, int) or session.scalar(
            select(District.id).where(District.id == district_id, District.level != DistrictLevel.COUNTY)) is None:
        raise ValidationError("district_unknown", field="district")
    return district_id


def edit_pledge(session: Session, citizen_id: int, pledge_id: object, data: PledgeEdit, version: object,
                *, today: date | None = None) -> PledgeEdited:
    """Change one's own pledge; audited as pledge.edited (and each withdrawn proposal as
    allocation.withdrawn_by_pledge_edit). Raises ValidationError naming the field, or Conflict."""
    pledge = own_pledge(session, citizen_id, pledge_id, lock=True)
    allocations = sorted(pledge.allocations, key=lambda a: a.id)
    lock_rows(session, Allocation, [a.id for a in allocations])
    if version != pledge.version:
        raise Conflict("pledge_changed")
    if any(a.status in DECIDED for a in allocations):
        raise Conflict("pledge_has_decided_help")
    if pledge.quantity <= pledge.withdrawn_quantity:
        raise Conflict("pledge_already_withdrawn")
    kind = pledge.kind
    quantity = validate_quantity(kind, data.quantity)
    if quantity <= pledge.withdrawn_quantity:
        raise ValidationError("pledge_below_withdrawn", field="quantity", withdrawn=pledge.withdrawn_quantity)
    description = data.description.strip() if isinstance(data.description, str) else ""
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError("description_too_long", field="description", maximum=MAX_DESCRIPTION)
    if kind is HelpKind.FINANCIAL:  # money has no place and no availability window (the pledge form's rule)
        district_id, start, end = pledge.district_id, pledge.window_start, pledge.window_end
    else:
        district_id = _district(session, data.district_id)
        start, end = data.window_start, data.window_end
        validate_window(start, end)
        if (start, end) != (pledge.window_start, pledge.window_end) and end is not None \
                and end < (today or county_today()):
            raise ValidationError("window_in_past", field="window")
    after = {"quantity": quantity, "district_id": district_id, "description": description,
             "window_start": start.isoformat() if start else None, "window_end": end.isoformat() if end else None}
    before = snapshot(pledge, list(after))
    if before == after:
        return PledgeEdited(pledge, 0, [])

    proposals = [a for a in allocations if a.status is AllocationStatus.PROPOSED]
    room = quantity - pledge.withdrawn_quantity
    unfit: list[Allocation] = []
    if not pledge.divisible and quantity != pledge.quantity:
        unfit = proposals  # a whole pledge's proposals were for all of the old quantity
    else:
        for alloc in proposals:  # the oldest proposals keep their place while they fit
            if alloc.quantity <= room:
                room -= alloc.quantity
            else:
                unfit.append(alloc)
    for alloc in unfit:
        alloc.status = AllocationStatus.WITHDRAWN
    need_ids = sorted({a.need_id for a in unfit})
    tables: dict[int, int] = {}
    if unfit:
        lock_rows(session, Need, need_ids)
        table_of = dict(session.execute(select(Need.id, Project.table_id).join(Project, Project.id == Need.project_id)
                                        .where(Need.id.in_(need_ids))).all())
        for alloc in unfit:
            tables[table_of[alloc.need_id]] = tables.get(table_of[alloc.need_id], 0) + 1
        record_many(session, citizen_id, "allocation.withdrawn_by_pledge_edit", unfit,
                    table_of=lambda a: table_of[a.need_id])

    pledge.quantity, pledge.district_id, pledge.description = quantity, district_id, description
    pledge.window_start, pledge.window_end = start, end
    record(session, citizen_id, "pledge.edited", pledge, before=before,
           after={**after, "proposals_withdrawn": len(unfit)})
    assert_within_capacity(session, [pledge.id], need_ids)
    refresh_pledge_statuses(session, citizen_id, [pledge.id])
    for table_id, count in sorted(tables.items()):
        table = session.get(Table, table_id)
        if table is not None and table.chair_id is not None:
            notify(session, table.chair_id, "pledge_lowered", count=count, table_id=table_id,
                   table_fa=table.name_fa, table_en=table.name_en, pledge_id=pledge.id)
    return PledgeEdited(pledge, len(unfit), sorted(tables))


__all__ = ["PledgeEdit", "PledgeEdited", "editable", "edit_pledge"]
