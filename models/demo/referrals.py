"""Amol's demo referrals and organizations (issue 21 items 4-5): a few requests to the tables, most answered on
time with the standard template, one answered late, one still unanswered and escalated to the governorate; an
NGO and the municipality's agency with their admins.

Imports sqlalchemy and models. Called by models.demo.seed inside its audit bypass, with fixed times (the demo is
the same on every run); it adds one audit row per change to the seed's list.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models.core.clock import county_date
from models.orm.organizations import Organization, OrganizationMember, OrganizationRemit
from models.orm.referrals import Referral, ReferralAnswer, ReferralType
from models.voice.referrals import add_working_days

TYPES = [("درخواست خدمت یا رسیدگی", "Request for a service or action", 10, 5),
         ("پرسش و اطلاع‌رسانی", "Question or request for information", 5, 3),
         ("شکایت از یک خدمت", "Complaint about a service", 15, 5)]

# (table key, type index, days before "now" it was sent, subject, body, answer or None, days to answer, rating)
REFERRALS = [
    ("infrastructure_urban_rural", 0, 40, "آب‌گرفتگی کوچه شهید رجایی پس از هر باران",
     "کوچهٔ شهید رجایی در محلهٔ اسپه‌کلا پس از هر بارندگی تا زانو آب می‌گیرد و بچه‌ها نمی‌توانند به مدرسه بروند.",
     ("جوی کوچه با نخالهٔ ساختمانی پر شده و دریچهٔ آب‌رو به کانال اصلی بسته است.",
      "لایروبی سال گذشته انجام شد، اما ساخت‌وساز کناری دوباره آب‌رو را بسته است؛ تا سازنده جریمه نشود تکرار می‌شود.",
      "will_act", "گروه خدمات شهری تا پایان هفته آب‌رو را باز می‌کند و به سازنده اخطار داده می‌شود.",
      "مهندس حسین رضایی، مسئول خدمات شهری منطقهٔ ۲ شهرداری آمل"), 6, 5),
    ("health", 1, 30, "ساعت کار خانهٔ بهداشت رینه",
     "خانهٔ بهداشت رینه فقط صبح‌ها باز است؛ آیا برای کشاورزان عصرها هم باز می‌شود؟",
     ("خانهٔ بهداشت رینه یک بهورز دارد و عصرها بسته است.",
      "با یک بهورز، باز کردن عصرها بدون نیروی تازه ممکن نیست؛ داوطلبان پرستار بازنشستهٔ میز سلامت می‌توانند کمک کنند.",
      "partly", "از ماه آینده سه‌شنبه‌ها عصر با کمک داوطلبان پرستار باز می‌شود.",
      "دکتر مریم طبری، رئیس میز سلامت"), 3, 4),
    ("environment", 0, 25, "زباله‌های رها‌شده در حاشیهٔ هراز",
     "در حاشیهٔ رود هراز نزدیک پل معلق زباله رها می‌کنند و بوی بد آن تا خانه‌ها می‌آید.",
     ("در سه نقطهٔ حاشیهٔ هراز زبالهٔ رها‌شده دیده شد.",
      "جمع‌آوری با شهرداری است؛ میز محیط زیست پاک‌سازی داوطلبانه و تابلوی هشدار را می‌پذیرد.",
      "accepted", "پاک‌سازی داوطلبانه جمعهٔ آینده و نصب دو تابلوی هشدار.",
      "خانم نرگس کاظمی، دبیر میز محیط زیست"), 16, 2),
    ("health", 0, 18, "نبود پزشک زن در درمانگاه گزنک",
     "زنان گزنک برای معاینه باید تا آمل بروند؛ درخواست داریم پزشک زن دست‌کم یک روز در هفته بیاید.",
     None, None, None),
]


def seed_referrals(session: Session, now: datetime, accounts: dict[str, int], table_ids: dict[str, int],
                   chairs: dict[int, int | None], citizens: list[int], audit_rows: list[dict]) -> int:
    """Insert the demo's referral types, organizations and referrals; returns how many referrals."""

    def audit(at, actor, action, obj, table_id=None, after=None):
        audit_rows.append(dict(at=at, actor_id=actor, action=action, object_type=obj.__tablename__, object_id=obj.id,
                               table_id=table_id, before=None, after=after or {}))

    gov, start = accounts["governorate"], now - timedelta(days=60)
    types = []
    for fa, en, days, after in TYPES:
        t = ReferralType(name_fa=fa, name_en=en, deadline_days=days, escalate_after_days=after)
        session.add(t)
        session.flush()
        audit(start, gov, "referral_type.created", t, after={"deadline_days": days})
        types.append(t)
    ngo = Organization(name_fa="انجمن حامیان سلامت آمل", name_en="Amol Health Supporters (NGO)", kind="ngo",
                       created_by_id=gov, created_at=start)
    agency = Organization(name_fa="شهرداری آمل", name_en="Amol Municipality", kind="agency", created_by_id=gov,
                          created_at=start)
    session.add_all([ngo, agency])
    session.flush()
    for org, tables, admin in ((ngo, ["health"], accounts["member"]),
                               (agency, ["infrastructure_urban_rural", "environment"], citizens[5])):
        audit(start, gov, "organization.created", org)
        for key in tables:
            remit = OrganizationRemit(organization_id=org.id, table_id=table_ids[key])
            session.add(remit)
            session.flush()
            audit(start, gov, "organization.remit_added", remit, table_ids[key])
        member = OrganizationMember(organization_id=org.id, user_id=admin, role="admin", joined_at=start)
        session.add(member)
        session.flush()
        audit(start, gov, "organization.member_added", member)
    for i, (key, t_index, ago, subject, body, template, took, rating) in enumerate(REFERRALS):
        rtype, table_id = types[t_index], table_ids[key]
        sent = now - timedelta(days=ago, hours=i)
        due = add_working_days(county_date(sent), rtype.deadline_days)
        citizen = accounts["citizen"] if i in (0, 3) else citizens[10 + i]
        ref = Referral(citizen_id=citizen, type_id=rtype.id, table_id=table_id, subject=subject, body=body,
                       received_at=sent, due_on=due, first_due_on=due, status="open")
        session.add(ref)
        session.flush()
        audit(sent, citizen, "referral.sent", ref, table_id)
        if template is None:  # never answered: past its deadline and the further days, so with the governorate
            level_at = sent + timedelta(days=30)
            ref.escalation_level, ref.escalated_at = 2, min(level_at, now)
            audit(ref.escalated_at, None, "referral.escalated", ref, table_id, {"escalation_level": 2})
            continue
        finding, reasoning, decision, next_step, responsible = template
        at = sent + timedelta(days=took or 0)
        ans = ReferralAnswer(referral_id=ref.id, round=1, answered_by_id=chairs[table_id] or gov, answered_at=at,
                             on_time=county_date(at) <= due, finding=finding, reasoning=reasoning, decision=decision,
                             next_step=next_step, responsible=responsible, rating=rating,
                             rated_at=at + timedelta(days=1) if rating else None)
        session.add(ans)
        ref.status = "answered"
        session.flush()
        audit(at, ans.answered_by_id, "referral_answer.written", ans, table_id)
        audit(at, ans.answered_by_id, "referral.answered", ref, table_id)
        if rating:
            audit(at + timedelta(days=1), citizen, "referral.rated", ans, table_id, {"rating": rating})
    return len(REFERRALS)
