"""The outbox: queue a message, claim due ones for sending, record what the transport said, take receipts.

Imports the standard library, sqlalchemy and models.orm only. A message goes at most once: a sender claims
rows by moving them to "sending" in one UPDATE ... RETURNING (on PostgreSQL over rows selected FOR UPDATE
SKIP LOCKED, so two senders never wait on nor take each other's rows), sends after that commit, and records
the outcome. A row left in "sending" by a sender that died is never sent again (it may have gone): after
STUCK_AFTER it is "dead", for the governorate to see on /outbox. A failed try is retried after an
exponentially growing wait, at most MAX_ATTEMPTS tries; a refusal that no retry can cure (an unknown
recipient, a 4xx of the gateway) is dead at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.orm.base import utcnow
from models.orm.outbox import OutboxMessage

MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(seconds=30)   # waits of 30 s, 1, 2, 4, 8 min between the six tries
BACKOFF_CAP = timedelta(hours=1)
STUCK_AFTER = timedelta(minutes=10)
CLAIM_BATCH = 50
ERROR_MAX = 500


@dataclass(frozen=True)
class Outgoing:
    """What a transport needs of one message (read from its row; no session travels to the transport)."""

    id: int
    channel: str
    recipient: str
    subject: str
    text: str
    unsubscribe_url: str | None = None


def queue(session: Session, *, channel: str, recipient: str, kind: str, text: str, subject: str = "",
          user_id: int | None = None, secret: bool = False, unsubscribe_url: str | None = None,
          dedupe_key: str | None = None, now: datetime | None = None) -> OutboxMessage:
    """A queued message, sent by the next sender tick (same transaction as the caller's change)."""
    now = now or utcnow()
    message = OutboxMessage(channel=channel, recipient=recipient, kind=kind, text=text, subject=subject[:200],
                            user_id=user_id, secret=secret, unsubscribe_url=unsubscribe_url, dedupe_key=dedupe_key,
                            status="queued", attempts=0, next_attempt_at=now, created_at=now)
    session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` tries."""
    return min(BACKOFF_BASE * 2 ** max(0, attempts - 1), BACKOFF_CAP)


def reap_stuck(session: Session, *, now: datetime | None = None) -> int:
    """Rows claimed longer than STUCK_AFTER ago and never recorded: dead, not retried (they may have gone)."""
    now = now or utcnow()
    result = session.execute(update(OutboxMessage).where(
        OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - STUCK_AFTER)
        .values(status="dead", last_error="interrupted while sending; not sent again in case it went"))
    return getattr(result, "rowcount", 0) or 0


def claim_due(session: Session, *, now: datetime | None = None, limit: int = CLAIM_BATCH) -> list[Outgoing]:
    """Move up to `limit` due messages to "sending" (one more try each) and return them; the caller commits
    before sending. Rows another sender holds are skipped, never waited for."""
    now = now or utcnow()
    due = (select(OutboxMessage.id).where(OutboxMessage.status.in_(("queued", "failed")),
                                          OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        return []
    # The status in the WHERE as well: on SQLite another process may have claimed a row since the SELECT.
    rows = session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                       OutboxMessage.status.in_(("queued", "failed")))
                           .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
                           .returning(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.recipient,
                                      OutboxMessage.subject, OutboxMessage.text, OutboxMessage.unsubscribe_url))
    return sorted((Outgoing(*row) for row in rows), key=lambda o: o.id)


def mark_sent(session: Session, message_id: int, provider_id: str | None, *, now: datetime | None = None) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
                    .values(status="sent", sent_at=now or utcnow(), provider_id=(provider_id or None) and
                            str(provider_id)[:100], last_error=None))


def mark_failed(session: Session, message_id: int, error: str, *, retryable: bool = True,
                now: datetime | None = None) -> str:
    """Record a failed try: "failed" (another try after the backoff) or "dead"; returns the new status."""
    now = now or utcnow()
    attempts = session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)) or 0
    status = "failed" if retryable and attempts < MAX_ATTEMPTS else "dead"
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
                    .values(status=status, last_error=(error or "error")[:ERROR_MAX],
                            next_attempt_at=now + backoff(attempts)))
    return status


def record_receipt(session: Session, provider_id: object, delivered: bool, *, error: str | None = None,
                   at: datetime | None = None) -> bool:
    """A delivery receipt from the SMS gateway: the sent message with this provider id is delivered (or its
    delivery failed, kept in last_error). False when no sent message has that id."""
    if not isinstance(provider_id, str) or not provider_id or len(provider_id) > 100:
        return False
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.provider_id == provider_id,
                                                          OutboxMessage.status == "sent")).first()
    if message is None:
        return False
    if delivered:
        message.delivered_at = message.delivered_at or at or utcnow()
    else:
        message.last_error = f"not delivered: {error or 'no reason given'}"[:ERROR_MAX]
    return True


def messages_page(session: Session, *, status: str | None = None, page: int = 1,
                  per_page: int = 25) -> tuple[list[OutboxMessage], int]:
    """One page of the outbox, newest first, and how many messages the filter holds."""
    from sqlalchemy import func

    where = [OutboxMessage.status == status] if status else []
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    rows = list(session.scalars(select(OutboxMessage).where(*where).order_by(OutboxMessage.id.desc())
                                .offset(max(0, page - 1) * per_page).limit(per_page)))
    return rows, total


__all__ = ["MAX_ATTEMPTS", "Outgoing", "backoff", "claim_due", "mark_failed", "mark_sent", "messages_page",
           "queue", "reap_stuck", "record_receipt"]
