"""Issue 21 item 4 (domain): referrals to a table or an organization, their working-day deadlines, the answer
template, escalation to the chair then the governorate, rating and the one reopening, who may do each, and
the public figures. SQLite and PostgreSQL; the working-day arithmetic also by Hypothesis."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from models.audit.log import record
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.notifications import Notification
from models.orm.people import User
from models.orm.referrals import Referral
from models.voice import organizations as orgs
from models.voice import referrals as rf
from tests.models.world import build_world

# Saturday 5 December 2026, 10:00 in Tehran
NOW = datetime(2026, 12, 5, 6, 30, tzinfo=UTC)
GOOD = rf.AnswerInput(finding="The alley's drain is blocked by construction waste.",
                      reasoning="The municipality's crew cleared it last year; the waste came back.",
                      decision="will_act", next_step="A crew clears it this week; the builder is fined.",
                      responsible="Mr. Rezaei, head of the municipal services office")


# --- working days (pure) ---------------------------------------------------------------------------------


def test_working_days_are_saturday_to_wednesday_less_holidays():
    sat = date(2026, 12, 5)
    assert sat.weekday() == 5
    assert rf.add_working_days(sat, 0) == sat
    assert rf.add_working_days(sat, 4) == date(2026, 12, 9)     # Sun..Wed
    assert rf.add_working_days(sat, 5) == date(2026, 12, 12)    # Thursday 10 and Friday 11 skipped
    assert rf.add_working_days(sat, 6, frozenset({date(2026, 12, 12)})) == date(2026, 12, 14)
    assert rf.add_working_days(date(2026, 12, 10), 1) == rf.add_working_days(date(2026, 12, 11), 1) == \
        date(2026, 12, 12)                                       # from a Thursday or a Friday
    assert rf.working_days_between(sat, date(2026, 12, 12)) == 5
    assert rf.add_working_days(sat, 5, weekend=frozenset({rf.FRIDAY})) == date(2026, 12, 10)  # Thursdays on
    with pytest.raises(ValueError):
        rf.add_working_days(sat, -1)


@given(start=st.dates(date(2020, 1, 1), date(2035, 1, 1)), n=st.integers(0, 80),
       off=st.frozensets(st.dates(date(2020, 1, 1), date(2035, 6, 1)), max_size=40))
def test_add_working_days_properties(start, n, off):
    end = rf.add_working_days(start, n, off)
    assert end >= start
    assert rf.working_days_between(start, end, off) == n            # exactly n working days counted
    if n:
        assert rf.is_working_day(end, off) and end.weekday() not in rf.WEEKEND and end not in off
        assert rf.add_working_days(start, n - 1, off) < end          # the first day with n of them
    assert rf.add_working_days(start, n + 1, off) > end             # monotone


@given(due=st.dates(date(2025, 1, 1), date(2030, 1, 1)), late=st.integers(-5, 40), after=st.integers(1, 20))
def test_escalation_level_grows_with_lateness(due, late, after):
    today = due + timedelta(days=late)
    level = rf.escalation_level_due(due, today, after)
    assert level == (0 if late <= 0 else 2 if today > rf.add_working_days(due, after) else 1)
    assert rf.escalation_level_due(due, today + timedelta(days=1), after) >= level


def test_summarise_defines_the_public_figures():
    d = date(2026, 12, 1)
    rows = [rf.FigureRow(d, d + timedelta(10), d + timedelta(3), True, "accepted"),
            rf.FigureRow(d, d + timedelta(10), d + timedelta(14), False, "declined"),
            rf.FigureRow(d, d + timedelta(10), d + timedelta(5), True, "will_act"),
            rf.FigureRow(d, d + timedelta(2), None, False, None),       # late, unanswered: due, not on time
            rf.FigureRow(d, d + timedelta(30), None, False, None)]      # still within its time: not due
    f = rf.summarise(rows, d + timedelta(15))
    assert (f.received, f.due, f.on_time, f.answered, f.adopted, f.median_days) == (5, 4, 2, 3, 2, 5)
    assert f.on_time_share == 0.5 and f.adopted_share == pytest.approx(2 / 3)
    empty = rf.summarise([], d)
    assert empty.median_days is None and empty.adopted_share is None and empty.on_time_share is None


# --- the database ---------------------------------------------------------------------------------------------


def _setup(db):
    """The world, a governorate officer, a 10-day type, an NGO (admin: w.member) serving the health table."""
    with db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test.created", gov)
        rtype = rf.create_type(s, gov.id, "درخواست خدمت", "Service request", 10, 5)
        org = orgs.create_organization(s, gov.id, "انجمن حامیان سلامت", "Health supporters", "ngo", [w.health])
        orgs.add_member(s, gov.id, org.id, w.member, "admin")
        ids = {"gov": gov.id, "type": rtype.id, "org": org.id}
    return db, w, ids


@pytest.fixture
def setup(any_db):
    return _setup(any_db)


@pytest.fixture
def lite(db):
    """The same on SQLite only: for the many small refusals (a PostgreSQL schema costs seconds)."""
    return _setup(db)


def _send(db, w, ids, **kw):
    data = rf.ReferralInput(type_id=ids["type"], subject="Flooded alley", body="Water stands after every rain.",
                            **({"table_id": w.health} | kw))
    with db.unit_of_work() as s:
        return rf.send_referral(s, w.citizen, data, now=NOW).id


def _kinds(db, user_id):
    with db.reader() as s:
        return [n.kind for n in s.scalars(select(Notification).where(Notification.user_id == user_id)
                                          .order_by(Notification.id))]


def test_send_sets_the_deadline_in_working_days_and_tells_the_chair(lite):
    db, w, ids = lite
    with db.unit_of_work() as s:
        rf.add_holiday(s, ids["gov"], date(2026, 12, 16), "holiday")
    ref_id = _send(db, w, ids)
    with db.reader() as s:
        ref = s.get(Referral, ref_id)
        # 10 working days from Saturday 5 Dec: skips Thursdays, Fridays and the holiday on the 16th
        assert ref.due_on == ref.first_due_on == date(2026, 12, 20) and ref.status == "open"
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "referrals")) == "referral.sent"
    assert _kinds(db, w.chair) == ["referral_received"]


BAD_REFERRALS = [
    ({"subject": "  "}, "referral_subject_required"), ({"body": ""}, "referral_body_required"),
    ({"type_id": 999}, "referral_type_required"), ({"table_id": None}, "referral_addressee_required"),
    ({"table_id": 999}, "referral_addressee_required"), ({"subject": "x" * 201}, "text_too_long")]


def test_bad_referrals_are_refused_and_change_nothing(lite):
    db, w, ids = lite
    for change, code in BAD_REFERRALS:
        data = {"type_id": ids["type"], "subject": "s", "body": "b", "table_id": w.health} | change
        with pytest.raises(ValidationError) as exc, db.unit_of_work() as s:
            rf.send_referral(s, w.citizen, rf.ReferralInput(**data), now=NOW)
        assert exc.value.code == code
    with db.reader() as s:
        assert s.scalar(select(Referral.id)) is None


def test_an_organization_gets_referrals_only_about_its_remit(lite):
    db, w, ids = lite
    with pytest.raises(ValidationError) as exc:
        _send(db, w, ids, table_id=w.env, organization_id=ids["org"])
    assert exc.value.code == "referral_not_in_remit"
    ref_id = _send(db, w, ids, organization_id=ids["org"])
    assert _kinds(db, w.member) == ["organization_member_added", "referral_received"]
    assert _kinds(db, w.chair) == []  # the organization answers it, not the table's chair
    with db.unit_of_work() as s, pytest.raises(NotFound):  # not the chair's to see either
        rf.answer(s, w.chair, ref_id, GOOD, now=NOW)
    with db.unit_of_work() as s:
        assert rf.answer(s, w.member, ref_id, GOOD, now=NOW).on_time


def test_every_part_of_the_template_is_required(lite):
    db, w, ids = lite
    ref_id = _send(db, w, ids)
    for field in rf.TEMPLATE:
        bad = rf.AnswerInput(**{f: getattr(GOOD, f) for f in rf.TEMPLATE} | {field: " "})
        with pytest.raises(ValidationError) as exc, db.unit_of_work() as s:
            rf.answer(s, w.chair, ref_id, bad, now=NOW)
        assert exc.value.code == f"answer_{field}_required" and exc.value.field == field
    with db.unit_of_work() as s, pytest.raises(ValidationError) as exc:
        rf.answer(s, w.chair, ref_id, rf.AnswerInput(**{f: getattr(GOOD, f) for f in rf.TEMPLATE} |
                                                      {"decision": "maybe"}), now=NOW)
    with db.reader() as s:
        assert s.get(Referral, ref_id).status == "open" and rf.answers_of(s, ref_id) == []


def test_who_may_answer_see_rate_and_reopen(lite):
    db, w, ids = lite
    ref_id = _send(db, w, ids)
    # others (another chair, a member, another citizen, the citizen, staff before escalation) cannot answer
    for outsider in (w.other_chair, w.citizen2):
        with db.unit_of_work() as s, pytest.raises(NotFound):
            rf.answer(s, outsider, ref_id, GOOD, now=NOW)
    for cannot in (w.citizen, ids["gov"]):
        with db.unit_of_work() as s, pytest.raises(PermissionDenied):
            rf.answer(s, cannot, ref_id, GOOD, now=NOW)
    with db.reader() as s:
        assert {u for u in (w.chair, w.citizen, ids["gov"], w.member, w.other_chair, w.citizen2)
                if rf.may_see(s, u, s.get(Referral, ref_id))} == {w.chair, w.citizen, ids["gov"]}
    with db.unit_of_work() as s:
        rf.answer(s, w.chair, ref_id, GOOD, now=NOW + timedelta(days=2))
    with db.unit_of_work() as s, pytest.raises(Conflict):
        rf.answer(s, w.chair, ref_id, GOOD, now=NOW)  # answered already
    # only the citizen rates and reopens
    for other in (w.chair, w.citizen2, ids["gov"]):
        with db.unit_of_work() as s, pytest.raises(NotFound):
            rf.rate(s, other, ref_id, 5)
        with db.unit_of_work() as s, pytest.raises(NotFound):
            rf.reopen(s, other, ref_id, "Not fixed")
    for stars in (0, 6, True, "5"):
        with db.unit_of_work() as s, pytest.raises(ValidationError):
            rf.rate(s, w.citizen, ref_id, stars)
    with db.unit_of_work() as s:
        assert rf.rate(s, w.citizen, ref_id, 4).rating == 4
    with db.unit_of_work() as s, pytest.raises(Conflict):
        rf.rate(s, w.citizen, ref_id, 5)
    assert _kinds(db, w.citizen) == ["referral_answered"]
    assert _kinds(db, w.chair)[-1] == "referral_rated"


def test_reopening_once_restarts_the_deadline_and_keeps_the_first_answer(setup):
    db, w, ids = setup
    ref_id = _send(db, w, ids)
    with db.unit_of_work() as s, pytest.raises(Conflict):
        rf.reopen(s, w.citizen, ref_id, "Too early")  # not answered yet
    with db.unit_of_work() as s:
        rf.answer(s, w.chair, ref_id, GOOD, now=NOW + timedelta(days=1))
    with db.unit_of_work() as s, pytest.raises(ValidationError):
        rf.reopen(s, w.citizen, ref_id, "  ")
    later = NOW + timedelta(days=20)
    with db.unit_of_work() as s:
        ref = rf.reopen(s, w.citizen, ref_id, "The water is still there.", now=later)
        assert ref.status == "open" and ref.due_on == rf.add_working_days(date(2026, 12, 25), 10)
        assert ref.first_due_on == date(2026, 12, 19)
    assert _kinds(db, w.chair)[-1] == "referral_reopened"
    with db.unit_of_work() as s:
        second = rf.answer(s, w.chair, ref_id, GOOD, now=later + timedelta(days=1))
        assert second.round == 2 and second.on_time
    with db.unit_of_work() as s:
        rf.rate(s, w.citizen, ref_id, 2)  # the second answer has its own rating
    with db.unit_of_work() as s, pytest.raises(Conflict) as exc:
        rf.reopen(s, w.citizen, ref_id, "Again")
    assert exc.value.code == "referral_reopened_once"
    with db.reader() as s:
        assert [a.round for a in rf.answers_of(s, ref_id)] == [1, 2]
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.object_type.in_(
            ["referrals", "referral_answers"])).order_by(AuditEvent.id)))
        assert actions == ["referral.sent", "referral_answer.written", "referral.answered", "referral.reopened",
                           "referral_answer.written", "referral.answered", "referral.rated"]


def test_late_referrals_escalate_to_the_chair_then_the_governorate(setup):
    db, w, ids = setup
    ref_id = _send(db, w, ids)  # due Saturday 19 December; +5 working days: Saturday 26
    with db.unit_of_work() as s:
        assert rf.escalate_due(s, datetime(2026, 12, 19, 19, 0, tzinfo=UTC)) == []  # 22:30 on the due day
    with db.unit_of_work() as s:
        assert rf.escalate_due(s, datetime(2026, 12, 20, 6, 0, tzinfo=UTC)) == [(ref_id, 1)]
    with db.unit_of_work() as s:
        assert rf.escalate_due(s, datetime(2026, 12, 20, 7, 0, tzinfo=UTC)) == []  # nothing new: idempotent
    assert _kinds(db, w.chair) == ["referral_received", "referral_late"]
    with db.unit_of_work() as s, pytest.raises(PermissionDenied):
        rf.answer(s, ids["gov"], ref_id, GOOD, now=NOW)  # not yet the governorate's
    with db.unit_of_work() as s:
        assert rf.escalate_due(s, datetime(2026, 12, 26, 12, 0, tzinfo=UTC)) == []
        assert rf.escalate_due(s, datetime(2026, 12, 27, 6, 0, tzinfo=UTC)) == [(ref_id, 2)]
    assert _kinds(db, ids["gov"]) == ["referral_escalated"]
    assert _kinds(db, w.citizen) == ["referral_escalated_citizen"]
    with db.reader() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "referral.escalated")))
        assert [e.actor_id for e in events] == [None, None] and [e.after["escalation_level"] for e in events] == [1, 2]
    with db.unit_of_work() as s:  # now the governorate may answer, late
        assert not rf.answer(s, ids["gov"], ref_id, GOOD, now=datetime(2026, 12, 27, 8, tzinfo=UTC)).on_time
    with db.reader() as s:
        f = rf.figures(s, date(2026, 12, 28))[("table", w.health)]
        assert (f.received, f.due, f.on_time, f.answered, f.adopted, f.median_days) == (1, 1, 0, 1, 1, 22)


def test_the_queue_shows_each_officer_their_own(setup):
    db, w, ids = setup
    mine = _send(db, w, ids)
    to_org = _send(db, w, ids, organization_id=ids["org"])
    env = _send(db, w, ids, table_id=w.env)
    today = date(2026, 12, 5)
    with db.reader() as s:
        got = lambda actor, **f: [r.id for r in rf.queue(s, actor, rf.QueueFilter(**f), today)[0]]  # noqa: E731
        assert got(w.chair) == [mine]
        assert got(w.member) == [to_org]
        assert sorted(got(ids["gov"])) == sorted([mine, to_org, env])
        assert got(ids["gov"], table_id=w.env) == [env]
        assert got(ids["gov"], late=True) == []
        assert sorted(got(ids["gov"], late=True) + got(ids["gov"], status="open")) == sorted([mine, to_org, env])
        assert rf.queue(s, ids["gov"], rf.QueueFilter(), today, offset=2, limit=2)[1] == 3
        with pytest.raises(PermissionDenied):
            rf.queue(s, w.citizen2, rf.QueueFilter(), today)
        assert rf.is_officer(s, w.chair) and not rf.is_officer(s, w.citizen)
        assert rf.referrals_of(s, w.citizen)[1] == 3 and rf.referrals_of(s, w.citizen2) == ([], 0)


def test_referral_settings_are_the_governorate_s(lite):
    db, w, ids = lite
    for actor in (w.chair, w.citizen):
        with db.unit_of_work() as s, pytest.raises(PermissionDenied):
            rf.create_type(s, actor, "x", "x", 5)
        with db.unit_of_work() as s, pytest.raises(PermissionDenied):
            rf.add_holiday(s, actor, date(2027, 3, 21))
    for days in (0, 61, "5", None):
        with db.unit_of_work() as s, pytest.raises(ValidationError):
            rf.create_type(s, ids["gov"], "x", "x", days)
    with db.unit_of_work() as s, pytest.raises(Conflict):
        rf.create_type(s, ids["gov"], "درخواست خدمت", "", 3)
    with db.unit_of_work() as s:
        rf.update_type(s, ids["gov"], ids["type"], 7, 3)
        h = rf.add_holiday(s, ids["gov"], date(2027, 3, 21), "Nowruz")
    with db.unit_of_work() as s, pytest.raises(Conflict):
        rf.add_holiday(s, ids["gov"], date(2027, 3, 21))
    with db.unit_of_work() as s:
        rf.remove_holiday(s, ids["gov"], h.id)
        assert rf.holidays(s) == frozenset() and rf.active_types(s)[0].deadline_days == 7


def test_the_minute_loop_and_the_cli_escalate_late_referrals(tmp_path):
    """dash_app.auto_match.escalate (each minute in the web process) and `hamyar referrals escalate`."""
    from click.testing import CliRunner

    from dash_app.auto_match import escalate
    from dash_app.cli import main
    from models.core.db import Database
    from models.core.schema import migrate

    url = f"sqlite:///{tmp_path / 'hamyar.sqlite3'}"
    db = Database(url)
    migrate(db)
    _db, w, ids = _setup(db)
    long_ago = datetime.now(UTC) - timedelta(days=60)
    for _ in range(2):
        with db.unit_of_work() as s:
            rf.send_referral(s, w.citizen, rf.ReferralInput(type_id=ids["type"], subject="s", body="b",
                                                            table_id=w.health), now=long_ago)
    first, second = (r[0] for r in _rows(db))
    assert escalate(db) == [(first, 2), (second, 2)] and escalate(db) == []
    with db.unit_of_work() as s:
        third = rf.send_referral(s, w.citizen, rf.ReferralInput(type_id=ids["type"], subject="s", body="b",
                                                                table_id=w.health), now=long_ago).id
    db.dispose()
    env = {"DATABASE_URL": url, "HAMYAR_DATA": str(tmp_path), "HAMYAR_ENV": "development"}
    result = CliRunner().invoke(main, ["referrals", "escalate"], env=env)
    assert result.exit_code == 0, result.output
    assert f"escalated 1 late referral(s): {third} to level 2" in result.output


def _rows(db):
    with db.reader() as s:
        return s.execute(select(Referral.id).order_by(Referral.id)).all()


@pytest.mark.postgres
def test_two_admins_answering_at_once_one_wins_the_other_is_told(pg_db):
    """PostgreSQL: the referral's row is locked; the second admin waits, then finds it answered (a Conflict),
    never a second round-1 answer nor a server error."""
    import threading

    db, w, ids = _setup(pg_db)
    with db.unit_of_work() as s:
        orgs.add_member(s, ids["gov"], ids["org"], w.citizen2, "admin")
    ref_id = _send(db, w, ids, organization_id=ids["org"])
    outcome: dict = {}
    first_holds = threading.Event()

    def second():
        first_holds.wait(10)
        try:
            with db.unit_of_work() as s:
                rf.answer(s, w.citizen2, ref_id, GOOD, now=NOW)
            outcome["second"] = "answered"
        except Conflict as exc:
            outcome["second"] = exc.code

    t = threading.Thread(target=second)
    t.start()
    with db.unit_of_work() as s:
        rf.answer(s, w.member, ref_id, GOOD, now=NOW)
        first_holds.set()
        t.join(0.5)  # the second is blocked on the row lock while this transaction is open
        assert t.is_alive()
    t.join(10)
    assert outcome == {"second": "referral_already_answered"}
    with db.reader() as s:
        assert [a.answered_by_id for a in rf.answers_of(s, ref_id)] == [w.member]
