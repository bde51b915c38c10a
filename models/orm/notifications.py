"""In-app notifications: a status change a citizen should hear about, read or unread.

Imports sqlalchemy only.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # A catalogue key ("allocation_accepted", …) and the values it is worded with.
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # When models.messaging.dispatch looked at it (queued an SMS or e-mail, or left it to the app or a digest).
    dispatched_at: Mapped[datetime | None] = mapped_column(index=True)
