"""The sender: one tick claims the due messages, hands each to its transport, records what happened.

Imports the standard library and models. Run periodically in the web process (dash_app.outbox_loop) and by
`hamyar outbox send`; several at once are safe (models.messaging.outbox.claim_due). The transport is called
outside any transaction, so a slow SMTP server holds no row lock.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from models.core.db import Database
from models.messaging.outbox import CLAIM_BATCH, claim_due, mark_failed, mark_sent, reap_stuck
from models.messaging.transports import TransportError, Transports
from models.orm.base import utcnow

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    reaped: int = 0
    errors: list[str] = field(default_factory=list)


def send_due(db: Database, transports: Transports, *, now: datetime | None = None,
             limit: int = CLAIM_BATCH) -> SendReport:
    """Send what is due now (one batch of at most `limit`)."""
    report = SendReport()
    with db.unit_of_work() as s:
        report.reaped = reap_stuck(s, now=now)
        claimed = claim_due(s, now=now, limit=limit)
    for message in claimed:
        transport = transports.for_channel(message.channel)
        try:
            provider_id = transport.send(message)
        except TransportError as exc:
            error, retryable = str(exc), exc.retryable
        except Exception as exc:  # noqa: BLE001 - a transport's bug must not stop the other messages
            log.exception("transport %s failed on message %s", transport.name, message.id)
            error, retryable = f"{type(exc).__name__}: {exc}", True
        else:
            with db.unit_of_work() as s:
                mark_sent(s, message.id, provider_id, now=now or utcnow())
            report.sent += 1
            continue
        with db.unit_of_work() as s:
            status = mark_failed(s, message.id, error, retryable=retryable, now=now or utcnow())
        report.errors.append(f"{message.id}: {error}")
        if status == "dead":
            report.dead += 1
        else:
            report.failed += 1
    return report


__all__ = ["SendReport", "send_due"]
