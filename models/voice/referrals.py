"""Referrals with reasoned answers on time (issue 21 item 4).

Imports sqlalchemy and models' foundation (and models.voice.organizations) only.

A citizen sends a referral, a request or question, to a table or to an organization (`send_referral`).
Its type, set by the governorate, gives the deadline in **working days**: Saturday to Wednesday (the
province's offices close on Thursdays and Fridays, see WEEKEND), less the governorate's list of holidays;
`add_working_days` is the one place that counts them. The answer is due by the end of that county day.

Who answers: the chair of the table it was sent to, or an admin of the organization; once a referral has
gone up to the governorate, governorate staff too. The answer follows one template: finding, reasoning,
decision, next step, responsible person (`answer`), all required. The citizen rates an answer 1-5 (`rate`,
once per answer) and may reopen the referral once, with a reason (`reopen`): the deadline starts again
from the day of the reopening, and the second answer is a new row, so the first stays counted.

Late referrals escalate (`escalate_due`, run once a minute by dash_app.auto_match and by
`hamyar referrals escalate`): the day after the deadline to the table's chair (or the organization's
admins), then, `escalate_after_days` working days later, to the governorate. Every change is audited and
the people concerned notified.

Public figures (`figures`, defined in models.core.referral_figures for the open data too), per table and per organization, over the referrals sent to it:
received; answered on time (the first answer given by the end of the first deadline) out of those *due*
(answered, or past the first deadline); the median number of calendar days from sending to the first
answer; and the share **adopted**: among the referrals with an answer, those whose latest answer's
decision is "accepted" or "will act" (`ADOPTED`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.capacity import lock_rows
from models.core.clock import county_date
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import active_user, is_governorate, require_governorate, tables_chaired
from models.core.referral_figures import ADOPTED, FigureRow, Figures, figures, summarise
from models.orm.base import utcnow
from models.orm.organizations import Organization
from models.orm.people import User
from models.orm.referrals import DECISIONS, Referral, ReferralAnswer, ReferralHoliday, ReferralType
from models.orm.tables import Table
from models.voice.organizations import admin_ids, organizations_of

THURSDAY, FRIDAY = 3, 4  # date.weekday()
# Mazandaran's governor closed the province's government offices on Thursdays from October 2025 (Mehr News,
# 2025-10-04: «پنجشنبه‌ها در استان مازندران تعطیل خواهد بود»; banks and emergency services excepted), so an
# agency in Amol answers Saturday to Wednesday. Should the province reopen on Thursdays, drop THURSDAY here;
# one-off closures go in the governorate's holiday list.
WEEKEND = frozenset({THURSDAY, FRIDAY})
SUBJECT_MAX, BODY_MAX, FIELD_MAX, RESPONSIBLE_MAX, REASON_MAX = 200, 2000, 2000, 160, 500
DAYS_MIN, DAYS_MAX = 1, 60
TEMPLATE = ("finding", "reasoning", "decision", "next_step", "responsible")


# --- working days (pure) --------------------------------------------------------------------------------


def is_working_day(day: date, holidays: frozenset[date] = frozenset(), weekend: frozenset[int] = WEEKEND) -> bool:
    return day.weekday() not in weekend and day not in holidays


def add_working_days(start: date, n: int, holidays: frozenset[date] = frozenset(),
                     weekend: frozenset[int] = WEEKEND) -> date:
    """The n-th working day after `start` (the day itself is not counted); `start` for n == 0."""
    if n < 0:
        raise ValueError("n must not be negative")
    if len(weekend) >= 7:
        raise ValueError("a week needs a working day")
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day, holidays, weekend):
            n -= 1
    return day


def working_days_between(start: date, end: date, holidays: frozenset[date] = frozenset(),
                         weekend: frozenset[int] = WEEKEND) -> int:
    """How many working days d with start < d <= end (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day, holidays, weekend)
    return count


def holidays(session: Session) -> frozenset[date]:
    return frozenset(session.scalars(select(ReferralHoliday.day)))


# --- helpers ---------------------------------------------------------------------------------------------


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _text(value: object, field: str, limit: int, code: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError(code, field=field)
    if len(text) > limit:
        raise ValidationError("text_too_long", field=field, maximum=limit)
    return text


def _days(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not DAYS_MIN <= value <= DAYS_MAX:
        raise ValidationError("referral_days_invalid", field=field, minimum=DAYS_MIN, maximum=DAYS_MAX)
    return value


def _params(ref: Referral) -> dict:
    return {"referral_id": ref.id, "subject": ref.subject[:80]}


def _answerers(session: Session, ref: Referral) -> list[int]:
    """Whom a referral is for at the first level: the organization's admins, or the table's chair."""
    if ref.organization_id is not None:
        return admin_ids(session, ref.organization_id)
    table = session.get(Table, ref.table_id)
    return [table.chair_id] if table is not None and table.chair_id and table.archived_at is None else []


def _governorate_staff(session: Session) -> list[int]:
    return list(session.scalars(select(User.id).where(User.is_governorate.is_(True), User.is_active.is_(True))
                                .order_by(User.id)))


# --- the governorate's settings --------------------------------------------------------------------------


def active_types(session: Session) -> list[ReferralType]:
    return list(session.scalars(select(ReferralType).where(ReferralType.archived_at.is_(None))
                                .order_by(ReferralType.deadline_days, ReferralType.id)))


def create_type(session: Session, actor_id: int, name_fa: object, name_en: object, deadline_days: object,
                escalate_after_days: object = 5) -> ReferralType:
    require_governorate(session, actor_id)
    fa = _text(name_fa, "name_fa", 120, "field_required")
    en = name_en.strip()[:120] if isinstance(name_en, str) else ""
    if session.scalar(select(ReferralType.id).where(ReferralType.name_fa == fa)) is not None:
        raise Conflict("referral_type_taken", field="name_fa")
    row = ReferralType(name_fa=fa, name_en=en, deadline_days=_days(deadline_days, "deadline_days"),
                       escalate_after_days=_days(escalate_after_days, "escalate_after_days"))
    session.add(row)
    record(session, actor_id, "referral_type.created", row)
    return row


def update_type(session: Session, actor_id: int, type_id: object, deadline_days: object,
                escalate_after_days: object) -> ReferralType:
    """New days apply to referrals sent from now on; those already sent keep the deadline they were told."""
    require_governorate(session, actor_id)
    row = session.get(ReferralType, type_id) if _is_id(type_id) else None
    if row is None:
        raise NotFound("referral_type_not_found")
    before = snapshot(row, ["deadline_days", "escalate_after_days"])
    row.deadline_days = _days(deadline_days, "deadline_days")
    row.escalate_after_days = _days(escalate_after_days, "escalate_after_days")
    record(session, actor_id, "referral_type.updated", row, before=before)
    return row


def add_holiday(session: Session, actor_id: int, day: object, name_fa: object = "") -> ReferralHoliday:
    require_governorate(session, actor_id)
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationError("holiday_date_invalid", field="day")
    if session.scalar(select(ReferralHoliday.id).where(ReferralHoliday.day == day)) is not None:
        raise Conflict("holiday_exists", field="day")
    name = name_fa.strip()[:120] if isinstance(name_fa, str) else ""
    row = ReferralHoliday(day=day, name_fa=name)
    session.add(row)
    record(session, actor_id, "referral_holiday.added", row)
    return row


def remove_holiday(session: Session, actor_id: int, holiday_id: object) -> None:
    """Deadlines already set stay as they were told to the citizens."""
    require_governorate(session, actor_id)
    row = session.get(ReferralHoliday, holiday_id) if _is_id(holiday_id) else None
    if row is None:
        raise NotFound("holiday_not_found")
    before = snapshot(row)
    session.delete(row)
    record(session, actor_id, "referral_holiday.removed", row, before=before, after={"deleted": True})


def holiday_list(session: Session) -> list[ReferralHoliday]:
    return list(session.scalars(select(ReferralHoliday).order_by(ReferralHoliday.day)))


# --- sending ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralInput:
    type_id: object
    subject: object
    body: object
    table_id: object = None
    organization_id: object = None


def _addressee(session: Session, data: ReferralInput) -> tuple[int | None, int | None]:
    """(table id, organization id): one table, or one organization (with a table of its remit, or none)."""
    from models.voice.organizations import remit_of

    table_id = data.table_id if data.table_id not in (None, "") else None
    org_id = data.organization_id if data.organization_id not in (None, "") else None
    if table_id is None and org_id is None:
        raise ValidationError("referral_addressee_required", field="table")
    if table_id is not None:
        table = session.get(Table, table_id) if _is_id(table_id) else None
        if table is None or table.archived_at is not None:
            raise ValidationError("referral_addressee_required", field="table")
    if org_id is not None:
        org = session.get(Organization, org_id) if _is_id(org_id) else None
        if org is None or org.archived_at is not None:
            raise ValidationError("referral_addressee_required", field="organization")
        if table_id is not None and table_id not in remit_of(session, org.id):
            raise ValidationError("referral_not_in_remit", field="organization")
    return table_id, org_id  # type: ignore[return-value]  # ids checked above


def send_referral(session: Session, citizen_id: int, data: ReferralInput, now: datetime | None = None) -> Referral:
    if active_user(session, citizen_id) is None:
        raise PermissionDenied("not_signed_in")
    now = now or utcnow()
    rtype = session.get(ReferralType, data.type_id) if _is_id(data.type_id) else None
    if rtype is None or rtype.archived_at is not None:
        raise ValidationError("referral_type_required", field="type")
    subject = _text(data.subject, "subject", SUBJECT_MAX, "referral_subject_required")
    body = _text(data.body, "body", BODY_MAX, "referral_body_required")
    table_id, org_id = _addressee(session, data)
    due = add_working_days(county_date(now), rtype.deadline_days, holidays(session))
    ref = Referral(citizen_id=citizen_id, type_id=rtype.id, table_id=table_id, organization_id=org_id,
                   subject=subject, body=body, status="open", received_at=now, due_on=due, first_due_on=due)
    session.add(ref)
    record(session, citizen_id, "referral.sent", ref, table_id=table_id)
    for user_id in _answerers(session, ref):
        notify(session, user_id, "referral_received", **_params(ref), due_on=due.isoformat())
    return ref


# --- who may see and answer ----------------------------------------------------------------------------------


def _officer_of(session: Session, actor_id: object, ref: Referral) -> bool:
    """The chair of its table (sent to the table) or an admin of its organization."""
    if ref.organization_id is not None:
        return any(m.organization_id == ref.organization_id and m.role == "admin"
                   for m in organizations_of(session, actor_id))
    return ref.table_id in tables_chaired(session, actor_id)


def may_answer(session: Session, actor_id: object, ref: Referral) -> bool:
    if ref.status != "open":
        return False
    if _officer_of(session, actor_id, ref):
        return True
    return ref.escalation_level >= 2 and is_governorate(session, actor_id)


def _reader_of(session: Session, actor_id: object, ref: Referral) -> bool:
    """Every current member of its organization reads it (its admins also answer it); the chair of its table."""
    if ref.organization_id is not None:
        return any(m.organization_id == ref.organization_id for m in organizations_of(session, actor_id))
    return ref.table_id in tables_chaired(session, actor_id)


def may_see(session: Session, actor_id: object, ref: Referral) -> bool:
    if active_user(session, actor_id) is None:
        return False
    return ref.citizen_id == actor_id or _reader_of(session, actor_id, ref) or is_governorate(session, actor_id)


def get_referral(session: Session, actor_id: object, referral_id: object, *, lock: bool = False) -> Referral:
    """The referral if the actor may see it; 'not found' otherwise (as if it did not exist). `lock`: its row
    is locked and re-read first (two admins answering at once: the second finds it answered)."""
    ref = _locked(session, referral_id) if lock else (session.get(Referral, referral_id) if _is_id(referral_id)
                                                       else None)
    if ref is None or not may_see(session, actor_id, ref):
        raise NotFound("referral_not_found")
    return ref


def _locked(session: Session, referral_id: object) -> Referral | None:
    if not _is_id(referral_id):
        return None
    lock_rows(session, Referral, [referral_id])  # type: ignore[list-item]  # an id, checked above
    return session.scalar(select(Referral).where(Referral.id == referral_id)
                          .execution_options(populate_existing=True))


def answers_of(session: Session, referral_id: int) -> list[ReferralAnswer]:
    return list(session.scalars(select(ReferralAnswer).where(ReferralAnswer.referral_id == referral_id)
                                .order_by(ReferralAnswer.round)))


# --- answering, rating, reopening ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    finding: object
    reasoning: object
    decision: object
    next_step: object
    responsible: object


def validate_answer(data: AnswerInput) -> dict[str, str]:
    """The template's five parts, each required; the first missing or bad one is refused with its sentence."""
    out = {}
    for field in TEMPLATE:
        value = getattr(data, field)
        if field == "decision":
            if value not in DECISIONS:
                raise ValidationError("answer_decision_required", field="decision")
            out[field] = str(value)
            continue
        limit = RESPONSIBLE_MAX if field == "responsible" else FIELD_MAX
        out[field] = _text(value, field, limit, f"answer_{field}_required")
    return out


def answer(session: Session, actor_id: int, referral_id: object, data: AnswerInput,
           now: datetime | None = None, expected_version: int | None = None) -> ReferralAnswer:
    ref = get_referral(session, actor_id, referral_id, lock=True)
    if ref.status != "open":
        raise Conflict("referral_already_answered")
    if not may_answer(session, actor_id, ref):
        raise PermissionDenied("not_referral_officer")
    if expected_version is not None and expected_version != ref.version:
        raise Conflict("referral_changed")
    fields = validate_answer(data)
    now = now or utcnow()
    row = ReferralAnswer(referral_id=ref.id, round=ref.reopen_count + 1, answered_by_id=actor_id, answered_at=now,
                         on_time=county_date(now) <= ref.due_on, **fields)
    session.add(row)
    record(session, actor_id, "referral_answer.written", row, table_id=ref.table_id)
    before = snapshot(ref, ["status"])
    ref.status = "answered"
    record(session, actor_id, "referral.answered", ref, before=before, table_id=ref.table_id)
    notify(session, ref.citizen_id, "referral_answered", **_params(ref), decision=row.decision)
    return row


def _own_answered(session: Session, citizen_id: int, referral_id: object) -> tuple[Referral, ReferralAnswer]:
    ref = _locked(session, referral_id)
    if ref is None or active_user(session, citizen_id) is None or ref.citizen_id != citizen_id:
        raise NotFound("referral_not_found")
    if ref.status != "answered":
        raise Conflict("referral_not_answered")
    return ref, answers_of(session, ref.id)[-1]


def rate(session: Session, citizen_id: int, referral_id: object, stars: object,
         now: datetime | None = None) -> ReferralAnswer:
    """The citizen rates the latest answer to their referral, 1 to 5, once."""
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationError("rating_invalid", field="rating")
    ref, last = _own_answered(session, citizen_id, referral_id)
    if last.rating is not None:
        raise Conflict("referral_already_rated")
    before = snapshot(last, ["rating", "rated_at"])
    last.rating, last.rated_at = stars, now or utcnow()
    record(session, citizen_id, "referral.rated", last, before=before, table_id=ref.table_id)
    if last.answered_by_id != citizen_id:
        notify(session, last.answered_by_id, "referral_rated", **_params(ref), rating=stars)
    return last


def reopen(session: Session, citizen_id: int, referral_id: object, reason: object,
           now: datetime | None = None) -> Referral:
    """The citizen reopens an answered referral once, saying why; a new deadline starts from today."""
    text = _text(reason, "reason", REASON_MAX, "reopen_reason_required")
    ref, _last = _own_answered(session, citizen_id, referral_id)
    if ref.reopen_count >= 1:
        raise Conflict("referral_reopened_once")
    now = now or utcnow()
    rtype = session.get(ReferralType, ref.type_id)
    assert rtype is not None  # a foreign key
    before = snapshot(ref, ["status", "due_on", "escalation_level", "reopen_count"])
    ref.status, ref.reopen_count, ref.reopened_at, ref.reopen_reason = "open", 1, now, text
    ref.due_on = add_working_days(county_date(now), rtype.deadline_days, holidays(session))
    ref.escalation_level, ref.escalated_at = 0, None
    record(session, citizen_id, "referral.reopened", ref, before=before, table_id=ref.table_id)
    for user_id in _answerers(session, ref):
        notify(session, user_id, "referral_reopened", **_params(ref), due_on=ref.due_on.isoformat())
    return ref


# --- escalation ------------------------------------------------------------------------------------------------


def escalation_level_due(due_on: date, today: date, escalate_after_days: int,
                         days_off: frozenset[date] = frozenset()) -> int:
    """0 on time; 1 from the day after the deadline; 2 once `escalate_after_days` more working days passed."""
    if today <= due_on:
        return 0
    return 2 if today > add_working_days(due_on, escalate_after_days, days_off) else 1


def escalate_due(session: Session, now: datetime) -> list[tuple[int, int]]:
    """Raise every late open referral to the level its lateness calls for; [(referral id, new level)].

    Run by the system (actor None) once a minute; doing it again changes nothing. Level 1 tells the
    table's chair or the organization's admins; level 2 tells the governorate's staff (and the citizen).
    """
    today = county_date(now)
    days_off = holidays(session)
    late = select(Referral.id).where(Referral.status == "open", Referral.escalation_level < 2, Referral.due_on < today)
    lock_rows(session, Referral, session.scalars(late))  # an answer given meanwhile is seen, not overwritten
    rows = session.execute(select(Referral, ReferralType.escalate_after_days)
                           .join(ReferralType, ReferralType.id == Referral.type_id)
                           .where(Referral.status == "open", Referral.escalation_level < 2, Referral.due_on < today)
                           .order_by(Referral.id).execution_options(populate_existing=True)).all()
    changed = []
    for ref, after_days in rows:
        level = escalation_level_due(ref.due_on, today, after_days, days_off)
        if level <= ref.escalation_level:
            continue
        before = snapshot(ref, ["escalation_level", "escalated_at"])
        start = ref.escalation_level
        ref.escalation_level, ref.escalated_at = level, now
        record(session, None, "referral.escalated", ref, before=before, table_id=ref.table_id)
        params = {**_params(ref), "due_on": ref.due_on.isoformat()}
        if start < 1:
            for user_id in _answerers(session, ref):
                notify(session, user_id, "referral_late", **params)
        if level == 2:
            for user_id in _governorate_staff(session):
                notify(session, user_id, "referral_escalated", **params)
            notify(session, ref.citizen_id, "referral_escalated_citizen", **params)
        changed.append((ref.id, level))
    return changed


# --- lists ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None      # "open", "answered" or None for both
    late: bool = False             # only open referrals past their deadline
    table_id: int | None = None


def _scope(session: Session, actor_id: object):
    """The referrals an officer sees: all for the governorate, else their tables' and their organizations' (every
    member of an organization sees its referrals; its admins answer them)."""
    if is_governorate(session, actor_id):
        return None
    chaired = sorted(tables_chaired(session, actor_id))
    orgs = sorted(m.organization_id for m in organizations_of(session, actor_id))
    if not chaired and not orgs:
        raise PermissionDenied("not_referral_officer")
    return or_(Referral.table_id.in_(chaired) & Referral.organization_id.is_(None),
               Referral.organization_id.in_(orgs))


def is_officer(session: Session, actor_id: object) -> bool:
    try:
        _scope(session, actor_id)
    except PermissionDenied:
        return False
    return True


def queue(session: Session, actor_id: object, flt: QueueFilter, today: date, *, offset: int = 0,
          limit: int = 20) -> tuple[list[Referral], int]:
    """The officer's referrals, the most urgent first (open ones by deadline, then answered, newest first)."""
    query = select(Referral)
    scope = _scope(session, actor_id)
    if scope is not None:
        query = query.where(scope)
    if flt.status in ("open", "answered"):
        query = query.where(Referral.status == flt.status)
    if flt.late:
        query = query.where(Referral.status == "open", Referral.due_on < today)
    if flt.table_id is not None:
        query = query.where(Referral.table_id == flt.table_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by((Referral.status != "open"), Referral.due_on, Referral.id.desc())
                           .offset(offset).limit(limit))
    return list(rows), total


def referrals_of(session: Session, citizen_id: int, *, offset: int = 0, limit: int = 20
                 ) -> tuple[list[Referral], int]:
    query = select(Referral).where(Referral.citizen_id == citizen_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Referral.id.desc()).offset(offset).limit(limit))), total


__all__ = ["ADOPTED", "AnswerInput", "DECISIONS", "FigureRow", "Figures", "QueueFilter", "ReferralInput",
           "TEMPLATE", "WEEKEND", "active_types", "add_holiday", "add_working_days", "answer", "answers_of",
           "create_type", "escalate_due", "escalation_level_due", "figures", "get_referral", "holiday_list",
           "holidays", "is_officer", "is_working_day", "may_answer", "may_see", "queue", "rate", "referrals_of",
           "remove_holiday", "reopen", "send_referral", "summarise", "update_type", "validate_answer",
           "working_days_between"]
