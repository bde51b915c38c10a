"""A chair's decisions on proposed allocations: accept, reject with a reason, mark delivered.

Imports sqlalchemy and models only. Each decision locks the allocation and its pledge and need,
checks the version the chair saw (so two tabs cannot both decide), is audited, and tells the
citizen concerned.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import record, snapshot
from models.base import utcnow
from models.capacity import assert_within_capacity, lock_rows, refresh_pledge_statuses
from models.enums import AllocationStatus
from models.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.notify import notify
from models.pledges import Allocation, Pledge
from models.projects import Need, Project
from models.tables import Table

MAX_REASON = 500


def table_of_allocation(session: Session, allocation_id: int) -> int | None:
    return session.scalar(select(Project.table_id).join(Need, Need.project_id == Project.id)
                          .join(Allocation, Allocation.need_id == Need.id).where(Allocation.id == allocation_id))


def _decidable(session: Session, actor_id: int, allocation_id: object, expected_version: int | None,
               allowed_from: tuple[AllocationStatus, ...]) -> tuple[Allocation, int]:
    if isinstance(allocation_id, bool) or not isinstance(allocation_id, int):
        raise NotFound("allocation_not_found")
    table_id = table_of_allocation(session, allocation_id)
    if table_id is None:
        raise NotFound("allocation_not_found")
    if session.scalar(select(Table.chair_id).where(Table.id == table_id)) != actor_id:
        raise PermissionDenied("not_chair_of_table")
    lock_rows(session, Allocation, [allocation_id])
    alloc = session.get(Allocation, allocation_id, populate_existing=True)
    lock_rows(session, Pledge, [alloc.pledge_id])
    lock_rows(session, Need, [alloc.need_id])
    if expected_version is not None and alloc.version != expected_version:
        raise Conflict("allocation_changed", status=alloc.status.value)
    if alloc.status not in allowed_from:
        code = "allocation_not_proposed" if allowed_from[0] is AllocationStatus.PROPOSED else "allocation_not_accepted"
        raise Conflict(code, status=alloc.status.value)
    return alloc, table_id


def _title(alloc: Allocation) -> dict:
    project = alloc.need.project
    return {"project_id": project.id, "project_fa": project.title_fa, "project_en": project.title_en or project.title_fa,
            "help_kind": alloc.need.kind.value, "quantity": alloc.quantity}


def accept(session: Session, actor_id: int, allocation_id: object, expected_version: int | None = None) -> Allocation:
    alloc, table_id = _decidable(session, actor_id, allocation_id, expected_version, (AllocationStatus.PROPOSED,))
    before = snapshot(alloc, ["status"])
    alloc.status = AllocationStatus.ACCEPTED
    alloc.decided_by_id = actor_id
    alloc.decided_at = utcnow()
    record(session, actor_id, "allocation.accepted", alloc, before=before, table_id=table_id)
    assert_within_capacity(session, [alloc.pledge_id], [alloc.need_id])
    refresh_pledge_statuses(session, actor_id, [alloc.pledge_id])
    notify(session, alloc.pledge.citizen_id, "allocation_accepted", allocation_id=alloc.id, **_title(alloc))
    return alloc


def reject(session: Session, actor_id: int, allocation_id: object, reason: str,
           expected_version: int | None = None) -> Allocation:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError("reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError("reason_too_long", field="reason", maximum=MAX_REASON)
    alloc, table_id = _decidable(session, actor_id, allocation_id, expected_version, (AllocationStatus.PROPOSED,))
    before = snapshot(alloc, ["status"])
    alloc.status = AllocationStatus.REJECTED
    alloc.reject_reason = reason
    alloc.decided_by_id = actor_id
    alloc.decided_at = utcnow()
    record(session, actor_id, "allocation.rejected", alloc, before=before, table_id=table_id)
    refresh_pledge_statuses(session, actor_id, [alloc.pledge_id])
    notify(session, alloc.pledge.citizen_id, "allocation_rejected", allocation_id=alloc.id, reason=reason,
           **_title(alloc))
    return alloc


def mark_delivered(session: Session, actor_id: int, allocation_id: object, delivered_on: date, note: str = "",
                   expected_version: int | None = None, today: date | None = None) -> Allocation:
    if not isinstance(delivered_on, date):
        raise ValidationError("date_invalid", field="delivered_on")
    if delivered_on > (today or utcnow().date()):
        raise ValidationError("delivered_in_future", field="delivered_on")
    note = (note or "").strip() if isinstance(note, str) else ""
    if len(note) > MAX_REASON:
        raise ValidationError("note_too_long", field="note", maximum=MAX_REASON)
    alloc, table_id = _decidable(session, actor_id, allocation_id, expected_version, (AllocationStatus.ACCEPTED,))
    if alloc.decided_at and delivered_on < alloc.decided_at.date():
        raise ValidationError("delivered_before_accepted", field="delivered_on")
    before = snapshot(alloc, ["status"])
    alloc.status = AllocationStatus.DELIVERED
    alloc.delivered_at = delivered_on
    alloc.delivery_note = note or None
    record(session, actor_id, "allocation.delivered", alloc, before=before, table_id=table_id)
    refresh_pledge_statuses(session, actor_id, [alloc.pledge_id])
    notify(session, alloc.pledge.citizen_id, "allocation_delivered", allocation_id=alloc.id, **_title(alloc))
    return alloc


def review_queue(session: Session, table_id: int, *, offset: int = 0, limit: int = 50) -> list[Allocation]:
    """Proposals awaiting the chair of `table_id`, grouped by project, largest first."""
    from sqlalchemy.orm import selectinload

    return list(session.scalars(
        select(Allocation).join(Need).join(Project)
        .where(Project.table_id == table_id, Allocation.status == AllocationStatus.PROPOSED)
        .order_by(Project.id, Allocation.need_id, Allocation.quantity.desc(), Allocation.id)
        .offset(offset).limit(limit)
        .options(selectinload(Allocation.pledge).selectinload(Pledge.citizen),
                 selectinload(Allocation.pledge).selectinload(Pledge.skills),
                 selectinload(Allocation.pledge).selectinload(Pledge.tables),
                 selectinload(Allocation.need).selectinload(Need.project))))
