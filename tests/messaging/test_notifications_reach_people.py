"""Done when (issue 23): an accepted proposal reaches the person by SMS (real HTTP gateway) and e-mail (real SMTP
server); preferences, off, digest, unsubscribe; the PB and run withdrawals and election texts notify."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.core.enums import AllocationStatus
from models.core.errors import NotFound
from models.core.notify import notify
from models.messaging.dispatch import dispatch_pending, send_digests
from models.messaging.preferences import set_preference, unsubscribe, unsubscribe_token
from models.messaging.sender import send_due
from models.orm.base import utcnow
from models.orm.notifications import Notification
from models.orm.outbox import NotificationPreference, OutboxMessage
from models.orm.people import User
from models.orm.pledges import Allocation
from models.pledging.decisions import accept
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world

PUBLIC = "https://hamyar.example"


@pytest.fixture
def world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        citizen = s.get(User, w.citizen)
        citizen.phone, citizen.phone_verified_at, citizen.email = "+989121110000", utcnow(), "citizen@amol.example"
        citizen.email_verified_at = utcnow()
        from models.audit.log import record
        record(s, None, "test.changed", citizen)
    w.db = db
    return w


def _proposal(w) -> int:
    with w.db.unit_of_work() as s:
        pledge = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=5_000_000))
        alloc = Allocation(pledge_id=pledge.id, need_id=w.money_need, quantity=5_000_000, score=1.0, reasons=[],
                           status=AllocationStatus.PROPOSED)
        s.add(alloc)
        from models.audit.log import record
        record(s, None, "allocation.proposed", alloc)
        s.flush()
        return alloc.id


def test_an_accepted_proposal_reaches_the_person_by_sms_and_email(world, transports, smtp_server, gateway):
    w = world
    with w.db.unit_of_work() as s:
        set_preference(s, w.citizen, "decisions", "sms_email", "immediate")
    alloc = _proposal(w)
    with w.db.unit_of_work() as s:
        accept(s, w.chair, alloc)
    with w.db.unit_of_work() as s:
        assert dispatch_pending(s, public_url=PUBLIC) == 2
    report = send_due(w.db, transports)
    assert report.sent == 2, report.errors
    sms = gateway.received[0]
    assert sms["to"] == "+989121110000"
    first, link, stop = sms["text"].split("\n")
    assert first == "همیار: کمک شما به «پایگاه سلامت» پذیرفته شد." and len(first) <= 70
    assert link == f"{PUBLIC}/my" and stop.startswith(f"لغو این پیام‌ها: {PUBLIC}/unsubscribe/{w.citizen}-decisions-")
    (rcpt, mail), = smtp_server.messages
    assert rcpt == ["citizen@amol.example"] and mail["Subject"] == "کمک شما پذیرفته شد"
    assert "رئیس میز کمک شما به پروژهٔ «پایگاه سلامت» را پذیرفت." in mail.get_content()
    token = stop.rsplit("/", 1)[1]
    assert mail["List-Unsubscribe"].strip() == f"<{PUBLIC}/unsubscribe/{token}>"
    with w.db.unit_of_work() as s:  # nothing is dispatched twice
        assert dispatch_pending(s, public_url=PUBLIC) == 0
    # one click on the link: the group goes back to the app only, audited
    with w.db.unit_of_work() as s:
        assert unsubscribe(s, token) == (w.citizen, "decisions")
    with w.db.reader() as s:
        pref = s.scalars(select(NotificationPreference)).one()
        assert (pref.channel, pref.frequency) == ("in_app", "immediate")
    with w.db.unit_of_work() as s:
        with pytest.raises(NotFound):
            unsubscribe(s, token[:-1] + ("A" if token[-1] != "A" else "B"))  # a forged link


def test_by_default_and_when_off_nothing_leaves_the_app(world):
    w = world
    with w.db.unit_of_work() as s:
        notify(s, w.citizen, "allocation_accepted", project_fa="پایگاه سلامت", project_en="Health post")
        set_preference(s, w.member, "elections", "off")
        notify(s, w.member, "election_opened", table_id=w.health, table_fa="سلامت", table_en="Health")
    with w.db.unit_of_work() as s:
        assert dispatch_pending(s) == 0
    with w.db.reader() as s:
        assert s.scalars(select(OutboxMessage)).all() == []
        by_user = {n.user_id: n for n in s.scalars(select(Notification))}
        assert by_user[w.citizen].read_at is None and by_user[w.member].read_at is not None  # off: never rung for


def test_sms_only_to_a_confirmed_phone(world):
    w = world
    with w.db.unit_of_work() as s:
        s.get(User, w.citizen).phone_verified_at = None
        from models.audit.log import record
        record(s, None, "test.changed", s.get(User, w.citizen))
        set_preference(s, w.citizen, "decisions", "sms_email")
        notify(s, w.citizen, "allocation_delivered", project_fa="پایگاه سلامت", project_en="Health post")
    with w.db.unit_of_work() as s:
        assert dispatch_pending(s) == 1
    with w.db.reader() as s:
        assert [m.channel for m in s.scalars(select(OutboxMessage))] == ["email"]


def test_the_daily_digest_is_one_message_per_person_and_day(world):
    w = world
    from models.core.clock import county_today
    with w.db.unit_of_work() as s:
        set_preference(s, w.citizen, "decisions", "email", "daily")
        for kind in ("allocation_accepted", "allocation_delivered"):
            notify(s, w.citizen, kind, project_fa="پایگاه سلامت", project_en="Health post")
    with w.db.unit_of_work() as s:
        assert dispatch_pending(s) == 0  # left for the digest
        assert send_digests(s, county_today(), public_url=PUBLIC) == 1
        assert send_digests(s, county_today(), public_url=PUBLIC) == 0  # once a day
        assert send_digests(s, county_today() - timedelta(days=1)) == 0  # nothing that day
    with w.db.reader() as s:
        digest = s.scalars(select(OutboxMessage)).one()
        assert digest.kind == "digest" and digest.subject == "اعلان‌های امروز شما در همیار"
        assert "• رئیس میز کمک شما به پروژهٔ «پایگاه سلامت» را پذیرفت." in digest.text
        assert "• تحویل کمک شما به پروژهٔ «پایگاه سلامت» ثبت شد." in digest.text


def test_a_kind_with_a_template_goes_out_any_kind_else_stays(world):
    """Generic: a referral kind needs only its template; a kind without one stays in the app."""
    w = world
    with w.db.unit_of_work() as s:
        set_preference(s, w.citizen, "other", "email")
        notify(s, w.citizen, "matching_held", table_id=w.health)
    with w.db.unit_of_work() as s:
        assert dispatch_pending(s) == 0
        assert unsubscribe_token(s, w.citizen, "other").startswith(f"{w.citizen}-other-")


def test_election_notices_name_the_table_and_the_winner(world):
    from models.core.notify import recent_notifications
    from models.tables import elections

    w = world
    with w.db.unit_of_work() as s:
        s.get(User, w.chair).is_governorate = True
        from models.audit.log import record
        record(s, None, "test.changed", s.get(User, w.chair))
        election = elections.open_election(s, w.chair, w.health, utcnow() + timedelta(days=3))
        eid = election.id
    with w.db.reader() as s:
        opened = recent_notifications(s, w.member)[0]
        assert opened.kind == "election_opened" and opened.params["table_fa"] == "سلامت"
    with w.db.unit_of_work() as s:
        candidate = elections.nominate(s, w.member, eid).id
    with w.db.unit_of_work() as s:
        elections.cast_ballot(s, w.member, eid, [candidate])
        elections.cast_ballot(s, w.chair, eid, [candidate])
    with w.db.unit_of_work() as s:
        elections.close_election(s, w.chair, eid)
    with w.db.reader() as s:
        closed = recent_notifications(s, w.member)[0]
        assert closed.kind == "election_closed" and closed.params["winner_name"] == "member"
        assert closed.params["table_fa"] == "سلامت"
