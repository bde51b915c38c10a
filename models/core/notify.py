"""Writing in-app notifications for the people a change concerns.

Imports sqlalchemy and models only. The catalogue words each `kind` with its params. Whether a notification
also goes out by SMS or e-mail is the person's choice per group of kinds (`kind_group`,
models.orm.outbox.NotificationPreference); models.messaging.dispatch sends it on, and marks a switched-off
group's notifications read (the in-app list keeps them, the bell stops counting them).
"""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.orm.base import utcnow
from models.orm.notifications import Notification

# The groups a person chooses for (issue 23 item 4); a kind not named here is "referrals" when it starts so,
# else "other", so a new kind needs only its wording and templates.
GROUPS = ("decisions", "elections", "messages", "referrals", "other")
_GROUP_OF = {
    "allocation_proposed": "decisions", "allocation_accepted": "decisions", "allocation_rejected": "decisions",
    "allocation_delivered": "decisions", "allocation_withdrawn": "decisions", "project_cancelled": "decisions",
    "pledge_lowered": "decisions",
    "election_opened": "elections", "election_closed": "elections",
    "contribution_message": "messages",
}


def kind_group(kind: str) -> str:
    return _GROUP_OF.get(kind) or ("referrals" if kind.startswith("referral") else "other")


def notify(session: Session, user_id: int, kind: str, **params) -> None:
    """One notification for `user_id`, in the same transaction as the change it tells of. It costs no query:
    the person's preferences are read when models.messaging.dispatch sends it on (seconds later)."""
    session.add(Notification(user_id=user_id, kind=kind, params=params, created_at=utcnow()))


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def recent_notifications(session: Session, user_id: int, limit: int = 20) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == user_id)
                                .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(session: Session, user_id: int) -> None:
    session.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
                    .values(read_at=utcnow()))


def mark_read_up_to(session: Session, user_id: int, last_seen_id: int) -> int:
    """Mark read the user's notifications up to the newest one they were shown; returns how many."""
    if isinstance(last_seen_id, bool) or not isinstance(last_seen_id, int):
        return 0
    result = session.execute(update(Notification)
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None),
                                    Notification.id <= last_seen_id)
                             .values(read_at=utcnow()))
    return getattr(result, "rowcount", 0) or 0  # a CursorResult for an UPDATE


def notify_proposed(session: Session, allocations) -> None:
    """Tell each citizen that a matching run proposed parts of their pledges (one notice per citizen).

    For the matching run to call on the allocations it creates, after flushing them.
    """
    from models.orm.pledges import Pledge

    allocations = list(allocations)
    pledge_ids = sorted({a.pledge_id for a in allocations})
    citizen_of: dict[int, int] = {}
    for start in range(0, len(pledge_ids), 900):  # one query per 900 pledges, not one per allocation
        chunk = pledge_ids[start:start + 900]
        citizen_of.update(session.execute(select(Pledge.id, Pledge.citizen_id).where(Pledge.id.in_(chunk))).all())
    per_citizen: dict[int, list] = {}
    for alloc in allocations:
        per_citizen.setdefault(citizen_of[alloc.pledge_id], []).append(alloc)
    for citizen_id, allocs in sorted(per_citizen.items()):
        notify(session, citizen_id, "allocation_proposed", count=len(allocs),
               allocation_ids=[a.id for a in allocs][:50])


def notify_withdrawn(session: Session, allocations, why: str) -> None:
    """Tell each citizen that proposals on their pledges were withdrawn (`why`: "run", a later matching run
    did not repeat them; "pb", a budgeting cycle funded the need; "need_removed", the table removed the need):
    one notice per citizen."""
    from models.orm.pledges import Pledge

    allocations = [a for a in allocations]
    if not allocations:
        return
    pledge_ids = sorted({a.pledge_id for a in allocations})
    citizen_of: dict[int, int] = {}
    for start in range(0, len(pledge_ids), 900):
        chunk = pledge_ids[start:start + 900]
        citizen_of.update(session.execute(select(Pledge.id, Pledge.citizen_id).where(Pledge.id.in_(chunk))).all())
    per_citizen: dict[int, list] = {}
    for alloc in allocations:
        per_citizen.setdefault(citizen_of[alloc.pledge_id], []).append(alloc)
    for citizen_id, allocs in sorted(per_citizen.items()):
        notify(session, citizen_id, "allocation_withdrawn", why=why, count=len(allocs),
               allocation_ids=[a.id for a in allocs][:50])
