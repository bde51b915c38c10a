"""Writing in-app notifications for the people a change concerns.

Imports sqlalchemy and models only. The catalogue words each `kind` with its params.
"""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.notifications import Notification


def notify(session: Session, user_id: int, kind: str, **params) -> None:
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
