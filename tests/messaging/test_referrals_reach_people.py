"""Done when (issue 23): a late referral and its answer reach the citizen by SMS (a real HTTP gateway) and e-mail
(a real SMTP server), each with a link to the request's page; the late request also rings its chair."""
from __future__ import annotations

from datetime import UTC, datetime

from models.audit.log import record
from models.messaging.dispatch import dispatch_pending
from models.messaging.preferences import set_preference
from models.messaging.sender import send_due
from models.orm.base import utcnow
from models.orm.people import User
from models.voice import referrals as rf
from tests.models.world import build_world

PUBLIC = "https://hamyar.example"
SENT = datetime(2026, 12, 5, 6, 30, tzinfo=UTC)  # due Saturday 19 December (10 working days), then +5
ANSWER = rf.AnswerInput(finding="The alley's drain is blocked by construction waste.",
                        reasoning="The crew cleared it last year; the waste came back.", decision="will_act",
                        next_step="A crew clears it this week.", responsible="Mr. Rezaei, municipal services")


def test_a_late_referral_and_its_answer_reach_the_citizen_by_sms_and_email(db, transports, smtp_server, gateway):
    with db.unit_of_work() as s:
        w = build_world(s)
        for uid, phone, mail in ((w.citizen, "+989121110000", "citizen@amol.example"),
                                 (w.chair, "+989121110001", "chair@amol.example")):
            person = s.get(User, uid)
            person.phone, person.phone_verified_at, person.email, person.email_verified_at = phone, utcnow(), mail, utcnow()
            record(s, None, "test.changed", person)
            set_preference(s, uid, "referrals", "sms_email", "immediate")
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test.created", gov)
        rtype = rf.create_type(s, gov.id, "درخواست خدمت", "Service request", 10, 5)
        ref = rf.send_referral(s, w.citizen, rf.ReferralInput(
            type_id=rtype.id, subject="آب‌گرفتگی کوچهٔ شهید بهشتی", body="بعد از هر باران آب می‌ماند.",
            table_id=w.health), now=SENT)
        ref_id, gov_id = ref.id, gov.id
    with db.unit_of_work() as s:
        assert rf.escalate_due(s, datetime(2026, 12, 20, 6, 0, tzinfo=UTC)) == [(ref_id, 1)]  # late: the chair
        assert rf.escalate_due(s, datetime(2026, 12, 27, 6, 0, tzinfo=UTC)) == [(ref_id, 2)]  # the governorate
    with db.unit_of_work() as s:
        rf.answer(s, gov_id, ref_id, ANSWER, now=datetime(2026, 12, 27, 8, tzinfo=UTC))
    with db.unit_of_work() as s:
        dispatch_pending(s, public_url=PUBLIC)
    report = send_due(db, transports)
    assert not report.errors
    texts = {m["to"]: [] for m in gateway.received}
    for m in gateway.received:
        texts[m["to"]].append(m["text"].split("\n"))
    citizen = {lines[0]: lines[1] for lines in texts["+989121110000"]}
    link = f"{PUBLIC}/referrals/{ref_id}"
    assert citizen == {"همیار: درخواست «آب‌گرفتگی کوچهٔ شهید بهشتی» دیر شد و به فرمانداری رفت.": link,
                       "همیار: درخواست «آب‌گرفتگی کوچهٔ شهید بهشتی» پاسخ گرفت.": link}
    assert all(len(first) <= 70 for first in citizen)
    chair = [lines[0] for lines in texts["+989121110001"]]
    assert "همیار: مهلت پاسخ به «آب‌گرفتگی کوچهٔ شهید بهشتی» گذشته است." in chair
    mails = {rcpt[0]: [] for rcpt, _ in smtp_server.messages}
    for rcpt, mail in smtp_server.messages:
        mails[rcpt[0]].append(str(mail["Subject"]))
    assert sorted(mails["citizen@amol.example"]) == sorted(["درخواست شما به فرمانداری ارجاع شد",
                                                            "درخواست شما پاسخ گرفت"])
    assert "مهلت پاسخ گذشته است" in mails["chair@amol.example"]
