"""Safety around the chair's accepts (issue 20): undoing one, and what a bulk accept is about to accept.

The chair takes back an accept and the allocation is a proposal again ("one tap accepts irrevocably").

Imports sqlalchemy and models only. An accept may be undone for `UNDO_MINUTES` after it was made, and only
while nothing has come to rest on it: not delivered, no payment reported, no contact shared, no message
written, not PB funding (those are accepted by publishing a cycle, not by a chair). Undoing keeps the
quantity where it was (accepted and proposed are both active), so capacity cannot break; it is checked
anyway, as every operation that moves allocations does. The citizen, who was told of the accept, is told
it was taken back.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.capacity import assert_within_capacity, refresh_pledge_statuses
from models.core.enums import AllocationStatus, HelpKind
from models.core.errors import Conflict
from models.core.notify import notify
from models.orm.base import utcnow
from models.orm.contact import ContactConsent, ContributionMessage
from models.orm.notifications import Notification
from models.orm.payments import AllocationPayment
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from models.pledging.decisions import _decidable, _title

UNDO_MINUTES = 10


def _as_utc(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def undo_blocker(session: Session, alloc: Allocation, now: datetime | None = None) -> str | None:
    """Why this accepted allocation can no longer be undone (an error code), or None when it still can."""
    if alloc.status is not AllocationStatus.ACCEPTED:
        return "allocation_not_accepted"
    if "pb_cycle" in (alloc.reasons or []) or alloc.decided_at is None:
        return "undo_not_a_chair_accept"
    if (now or utcnow()) - _as_utc(alloc.decided_at) > timedelta(minutes=UNDO_MINUTES):
        return "undo_too_late"
    for model in (AllocationPayment, ContactConsent, ContributionMessage):
        if session.scalar(select(model.id).where(model.allocation_id == alloc.id).limit(1)) is not None:
            return "undo_depends"
    return None


def undoable_ids(session: Session, allocation_ids: list[int], now: datetime | None = None) -> set[int]:
    """Which of these allocations the chair may still undo (for the page's buttons; the operation checks again)."""
    if not allocation_ids:
        return set()
    limit = (now or utcnow()) - timedelta(minutes=UNDO_MINUTES)
    fresh = set(session.scalars(select(Allocation.id).where(
        Allocation.id.in_(allocation_ids), Allocation.status == AllocationStatus.ACCEPTED,
        Allocation.decided_at.is_not(None), Allocation.decided_at >= limit)))
    for model in (AllocationPayment, ContactConsent, ContributionMessage):
        if fresh:
            fresh -= set(session.scalars(select(model.allocation_id).where(model.allocation_id.in_(fresh))))
    pb = {a.id for a in session.scalars(select(Allocation).where(Allocation.id.in_(fresh)))
          if "pb_cycle" in (a.reasons or [])} if fresh else set()
    return fresh - pb


def _citizen_was_told(session: Session, citizen_id: int, allocation_id: int) -> bool:
    return any(n.params.get("allocation_id") == allocation_id for n in session.scalars(
        select(Notification).where(Notification.user_id == citizen_id, Notification.kind == "allocation_accepted")))


def undo_accept(session: Session, actor_id: int, allocation_id: object, expected_version: int | None = None,
                now: datetime | None = None) -> Allocation:
    """Put an accepted allocation back among the proposals, if still allowed (see the module's rules)."""
    alloc, table_id = _decidable(session, actor_id, allocation_id, expected_version, (AllocationStatus.ACCEPTED,))
    blocker = undo_blocker(session, alloc, now)
    if blocker is not None:
        raise Conflict(blocker, minutes=UNDO_MINUTES)
    before = snapshot(alloc, ["status", "decided_by_id", "decided_at"])
    alloc.status = AllocationStatus.PROPOSED
    alloc.decided_by_id = None
    alloc.decided_at = None
    record(session, actor_id, "allocation.accept_undone", alloc, before=before, table_id=table_id)
    assert_within_capacity(session, [alloc.pledge_id], [alloc.need_id])
    refresh_pledge_statuses(session, actor_id, [alloc.pledge_id])
    citizen_id = alloc.pledge.citizen_id
    if _citizen_was_told(session, citizen_id, alloc.id):
        notify(session, citizen_id, "allocation_accept_undone", allocation_id=alloc.id, **_title(alloc))
    return alloc


def bulk_summary(session: Session, table_id: int, allocation_ids: object) -> list[tuple[HelpKind, int, int]]:
    """What accepting this selection would accept: (kind, how many proposals, total quantity) per kind.

    Only the table's current proposals count, so the confirmation never states more than `accept_many` takes.
    """
    ids = [i for i in (allocation_ids if isinstance(allocation_ids, (list, set, tuple)) else [])
           if isinstance(i, int) and not isinstance(i, bool)]
    if not ids:
        return []
    rows = session.execute(
        select(Need.kind, func.count(Allocation.id), func.sum(Allocation.quantity))
        .join(Need, Allocation.need_id == Need.id).join(Project, Need.project_id == Project.id)
        .where(Allocation.id.in_(ids), Project.table_id == table_id, Allocation.status == AllocationStatus.PROPOSED)
        .group_by(Need.kind)).all()
    order = list(HelpKind)
    return sorted(((HelpKind(k), int(n), int(q)) for k, n, q in rows), key=lambda r: order.index(r[0]))


__all__ = ["UNDO_MINUTES", "bulk_summary", "undo_accept", "undo_blocker", "undoable_ids"]
