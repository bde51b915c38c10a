"""The outbox: every SMS and e-mail Hamyar sends, with its status, retries and delivery receipt; and each
person's choice of how they hear about each group of notifications.

Imports sqlalchemy only. Writing messages is models.core.outbox; sending them models.messaging.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow

CHANNELS = ("sms", "email")
# queued: waiting; sending: claimed by one sender; sent: the transport took it; failed: the last try failed and
# another is due at next_attempt_at; dead: given up (too many tries, or interrupted while sending).
STATUSES = ("queued", "sending", "sent", "failed", "dead")


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("channel IN ('sms', 'email')", name="channel"),
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'dead')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # the sender's claim: due rows in id order
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # The template's key ("code_sign_in", "allocation_accepted", "digest", …): what the page and the tests read.
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    # The one-click unsubscribe address of a notification (the e-mail's List-Unsubscribe header).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(300))
    # A one-time code is in the text: shown on /outbox only with the development transport.
    secret: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(8), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    provider_id: Mapped[str | None] = mapped_column(String(100), index=True)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set for messages that must go at most once whoever queues them (a day's digest): unique.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)


PREF_CHANNELS = ("off", "in_app", "sms", "email", "sms_email")
PREF_FREQUENCIES = ("immediate", "daily")


class NotificationPreference(Base):
    """How one person hears about one group of notifications; no row means in the app only."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "group"),
        CheckConstraint("channel IN ('off', 'in_app', 'sms', 'email', 'sms_email')", name="channel"),
        CheckConstraint("frequency IN ('immediate', 'daily')", name="frequency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    group: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(12), default="in_app")
    frequency: Mapped[str] = mapped_column(String(12), default="immediate")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
