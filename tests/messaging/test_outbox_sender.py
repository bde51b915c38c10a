"""The outbox and its sender against a real SMTP server (aiosmtpd) and a real HTTP SMS gateway on loopback:
delivered once, retried with backoff, given up, never twice; receipts (issue 23 item 1)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.messaging import outbox
from models.messaging.sender import send_due
from models.messaging.transports import DevTransport, HttpSmsTransport, SmtpTransport, Transports
from models.orm.base import utcnow
from models.orm.outbox import OutboxMessage
from tests.messaging.servers import free_port


def _queue(db, channel="email", recipient="resident@amol.example", text="سلام از همیار", **kw) -> int:
    with db.unit_of_work() as s:
        m = outbox.queue(s, channel=channel, recipient=recipient, kind="test", text=text,
                         subject=kw.pop("subject", "آزمایش"), **kw)
        s.flush()
        return m.id


def _row(db, mid) -> OutboxMessage:
    with db.reader() as s:
        return s.get(OutboxMessage, mid)


def test_an_email_reaches_the_smtp_server_once(db, smtp_server, transports):
    mid = _queue(db, unsubscribe_url="https://hamyar.example/unsubscribe/1-decisions-abcdefghijklmnop")
    report = send_due(db, transports)
    assert (report.sent, report.failed, report.dead) == (1, 0, 0)
    assert len(smtp_server.messages) == 1
    rcpt, mail = smtp_server.messages[0]
    assert rcpt == ["resident@amol.example"] and mail["Subject"] == "آزمایش"
    assert mail.get_content().strip() == "سلام از همیار"
    assert mail["List-Unsubscribe"].strip() == "<https://hamyar.example/unsubscribe/1-decisions-abcdefghijklmnop>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = _row(db, mid)
    assert row.status == "sent" and row.attempts == 1 and row.provider_id == mail["Message-ID"]
    assert send_due(db, transports).sent == 0 and len(smtp_server.messages) == 1  # never twice


def test_an_sms_reaches_the_gateway_and_its_receipt_marks_it_delivered(db, gateway, transports):
    mid = _queue(db, channel="sms", recipient="+989121234567", text="همیار: کمک شما پذیرفته شد.")
    assert send_due(db, transports).sent == 1
    assert gateway.received == [{"to": "+989121234567", "text": "همیار: کمک شما پذیرفته شد.", "sender": "Hamyar",
                                 "reference": str(mid)}]
    assert _row(db, mid).provider_id == "gw-1"
    with db.unit_of_work() as s:
        assert outbox.record_receipt(s, "gw-1", True)
        assert not outbox.record_receipt(s, "gw-unknown", True)
    assert _row(db, mid).delivered_at is not None


def test_a_failing_server_is_retried_with_growing_waits_then_given_up(db):
    closed = Transports(sms=DevTransport(), email=SmtpTransport("127.0.0.1", free_port(), timeout=2))
    mid = _queue(db)
    now = utcnow()
    waits = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert send_due(db, closed, now=now).sent == 0
        row = _row(db, mid)
        assert row.attempts == attempt and "unreachable" in (row.last_error or "")
        if attempt < outbox.MAX_ATTEMPTS:
            assert row.status == "failed"
            wait = row.next_attempt_at - now
            waits.append(wait)
            assert send_due(db, closed, now=now + wait - timedelta(seconds=1)).errors == []  # not yet due
            now = row.next_attempt_at
    assert _row(db, mid).status == "dead"
    assert waits == [timedelta(seconds=30 * 2 ** i) for i in range(outbox.MAX_ATTEMPTS - 1)]
    assert send_due(db, closed, now=now + timedelta(days=1)).errors == []  # dead stays dead


def test_a_refusal_no_retry_can_cure_is_given_up_at_once(db, smtp_server, gateway, transports):
    smtp_server.refuse.add("nobody@amol.example")
    mail = _queue(db, recipient="nobody@amol.example")
    gateway.status = 400
    sms = _queue(db, channel="sms", recipient="+989121234567")
    report = send_due(db, transports)
    assert report.dead == 2 and smtp_server.messages == [] and gateway.received == []
    assert _row(db, mail).status == "dead" and "recipient refused" in _row(db, mail).last_error
    assert _row(db, sms).status == "dead" and "HTTP 400" in _row(db, sms).last_error


def test_a_gateway_error_or_a_wrong_key_is_retried_or_given_up(db, gateway):
    gateway.status = 503
    mid = _queue(db, channel="sms", recipient="+989121234567")
    good = Transports(sms=HttpSmsTransport(gateway.url, gateway.api_key, timeout=5), email=DevTransport())
    send_due(db, good)
    assert _row(db, mid).status == "failed"
    gateway.status = 200
    send_due(db, good, now=utcnow() + timedelta(minutes=1))
    assert _row(db, mid).status == "sent" and _row(db, mid).attempts == 2 and len(gateway.received) == 1
    other = _queue(db, channel="sms", recipient="+989121234567")
    wrong_key = Transports(sms=HttpSmsTransport(gateway.url, "not-the-key", timeout=5), email=DevTransport())
    send_due(db, wrong_key)
    assert _row(db, other).status == "dead"  # 401: a wrong key does not heal by itself


def test_a_message_left_sending_by_a_dead_sender_is_not_sent_again(db, smtp_server, transports):
    mid = _queue(db)
    with db.unit_of_work() as s:  # a sender claimed it and died before recording anything
        assert [m.id for m in outbox.claim_due(s)] == [mid]
    assert send_due(db, transports).sent == 0
    assert _row(db, mid).status == "sending"
    report = send_due(db, transports, now=utcnow() + outbox.STUCK_AFTER + timedelta(seconds=1))
    assert report.reaped == 1 and report.sent == 0 and smtp_server.messages == []
    assert _row(db, mid).status == "dead" and "interrupted" in _row(db, mid).last_error


@pytest.mark.postgres
def test_two_senders_on_postgresql_never_take_the_same_message(pg_db):
    ids = [_queue(pg_db, text=f"پیام {i}") for i in range(6)]
    first = pg_db.sessions()
    first.begin()
    try:
        mine = outbox.claim_due(first, limit=4)  # the first sender holds its rows (not yet committed)
        with pg_db.unit_of_work() as s:          # the second skips them instead of waiting
            theirs = outbox.claim_due(s, limit=10)
        first.commit()
    finally:
        first.close()
    assert [m.id for m in mine] == ids[:4] and [m.id for m in theirs] == ids[4:]
    with pg_db.reader() as s:
        assert set(s.scalars(select(OutboxMessage.status))) == {"sending"}
        assert set(s.scalars(select(OutboxMessage.attempts))) == {1}
