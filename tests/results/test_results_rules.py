"""Issue 22 items 1-3 in the domain: targets and path, progress updates with photos, partial delivery with
proof, confirmed hours, model pilots and their replicas — who may, what is refused (nothing changed), audited,
notified."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from models.core import uploads
from models.core.enums import AllocationStatus, PledgeStatus, ProjectStatus
from models.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.notifications import Notification
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.results import Indicator, Milestone
from models.pledging.decisions import mark_delivered
from models.results import delivery_proof, indicators, milestones, pilots, progress
from tests.results.conftest import jpeg

TODAY = date(2026, 12, 2)


def _count(db, model) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _refused(db, work, error=DomainError, code=None):
    events = _count(db, AuditEvent)
    with pytest.raises(error) as err:
        db.run(work)
    assert _count(db, AuditEvent) == events  # nothing changed
    if code:
        assert err.value.code == code
    return err.value


def _upload(db, owner, purpose):
    return db.run(lambda s: uploads.store_upload(s, owner, purpose, "p.jpg", jpeg()).token)


def test_the_chair_states_targets_and_a_path_and_a_late_milestone_is_flagged(web_db, world):
    db = web_db
    db.run(lambda s: indicators.add_indicator(s, world.chair, world.project, indicators.IndicatorInput(
        "households with safe water", 400, "households", 120, "health centre survey", date(2026, 10, 1))))
    db.run(lambda s: milestones.add_milestone(s, world.chair, world.project, "Buy the wood", date(2026, 11, 1),
                                              "Ali Rezaei", [world.need]))
    db.run(lambda s: milestones.add_milestone(s, world.chair, world.project, "Open the library", date(2027, 1, 1)))
    with db.reader() as s:
        path = milestones.path_of(s, world.project, TODAY)
        assert [(m.title, m.late) for m in path] == [("Buy the wood", True), ("Open the library", False)]
        assert path[0].need_ids == [world.need] and milestones.share_done(path) == 0
    db.run(lambda s: milestones.mark_milestone_done(s, world.chair, path[0].milestone_id, date(2026, 11, 20),
                                                    today=TODAY))
    with db.reader() as s:
        path = milestones.path_of(s, world.project, TODAY)
        assert path[0].done_on == date(2026, 11, 20) and path[0].late  # done, but after its due date
        assert milestones.share_done(path) == 0.5
        assert s.scalar(select(Notification.kind).where(Notification.user_id == world.citizen)) == "milestone_done"
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"indicator.added", "milestone.added", "milestone.done"} <= actions


@pytest.mark.parametrize("who", ["member", "citizen", "governorate"])
def test_only_the_chair_records_targets_milestones_and_updates(web_db, world, who):
    actor = getattr(world, who)
    _refused(web_db, lambda s: indicators.add_indicator(s, actor, world.project, indicators.IndicatorInput("x", 1)),
             PermissionDenied)
    _refused(web_db, lambda s: milestones.add_milestone(s, actor, world.project, "x", TODAY), PermissionDenied)
    _refused(web_db, lambda s: progress.post_update(s, actor, world.project, "news"), PermissionDenied)


@pytest.mark.parametrize("work, code", [
    (lambda s, w: indicators.add_indicator(s, w.chair, w.project, indicators.IndicatorInput("", 5)), "indicator_name_required"),
    (lambda s, w: indicators.add_indicator(s, w.chair, w.project, indicators.IndicatorInput("x", float("nan"))),
     "indicator_value_invalid"),
    (lambda s, w: indicators.add_indicator(s, w.chair, w.project, indicators.IndicatorInput("x", "400")),
     "indicator_value_invalid"),
    (lambda s, w: indicators.add_indicator(s, w.chair, w.project, indicators.IndicatorInput("x", 5, baseline=5)),
     "target_equals_baseline"),
    (lambda s, w: milestones.add_milestone(s, w.chair, w.project, "x", "1405/09/01"), "date_invalid"),
    (lambda s, w: milestones.add_milestone(s, w.chair, w.project, " ", TODAY), "title_required"),
    (lambda s, w: milestones.add_milestone(s, w.chair, w.project, "x", TODAY, "", [10**6]), "milestone_need_unknown"),
    (lambda s, w: progress.post_update(s, w.chair, w.project, "  "), "update_empty"),
    (lambda s, w: progress.post_update(s, w.chair, w.project, "x" * 2001), "text_too_long"),
    (lambda s, w: progress.post_update(s, w.chair, w.project, "x", indicator_id=10**6, value=3), "indicator_unknown"),
    (lambda s, w: progress.post_update(s, w.chair, w.project, "x", value=3), "indicator_unknown"),
    (lambda s, w: progress.post_update(s, w.chair, w.project, "x", ["nosuchtoken"]), "upload_not_yours"),
])
def test_bad_input_is_refused_with_a_sentence_and_nothing_changes(web_db, world, work, code, app):
    from dash_app.i18n import error_message

    err = _refused(web_db, lambda s: work(s, world), ValidationError, code)
    with app.test_request_context("/"):
        assert f"({code})" not in error_message(err)  # a sentence of its own, not the fallback


def test_a_progress_update_moves_the_curve_and_its_photo_is_public(web_db, world):
    db = web_db
    ind = db.run(lambda s: indicators.add_indicator(s, world.chair, world.project, indicators.IndicatorInput(
        "households with safe water", 400, "households", 120, "survey", date(2026, 10, 1))).id)
    token = _upload(db, world.chair, progress.PHOTO_PURPOSE)
    db.run(lambda s: progress.post_update(s, world.chair, world.project, "The first pipes are in.", [token],
                                          indicator_id=ind, value=180, measured_on=date(2026, 11, 15), today=TODAY))
    with db.reader() as s:
        curve = indicators.curves(s, world.project)[0]
        assert curve.points == [(date(2026, 10, 1), 120), (date(2026, 11, 15), 180)]
        assert curve.share_reached == pytest.approx(60 / 280)
        entry = progress.timeline(s, world.project, TODAY)[0]
        assert entry.kind == "update" and entry.update.files[0][0] == token
        upload = uploads.get_upload(s, token)
        assert upload.is_public and uploads.may_view(s, None, upload)
        assert s.scalar(select(Notification.kind).where(Notification.user_id == world.citizen)) == "progress_posted"
    # the same photo cannot be attached twice, nor a future measurement recorded
    _refused(db, lambda s: progress.post_update(s, world.chair, world.project, "again", [token]), ValidationError,
             "upload_not_yours")
    _refused(db, lambda s: progress.post_update(s, world.chair, world.project, "x", indicator_id=ind, value=1,
                                                measured_on=date(2027, 1, 1), today=TODAY), ValidationError,
             "measured_in_future")
    other = _upload(db, world.citizen, progress.PHOTO_PURPOSE)  # someone else's upload
    _refused(db, lambda s: progress.post_update(s, world.chair, world.project, "x", [other]), ValidationError,
             "upload_not_yours")


def test_a_draft_projects_photo_is_seen_by_its_chair_and_the_governorate_only(web_db, world):
    db = web_db
    with db.unit_of_work() as s:
        from models.audit.log import record
        project = s.get(Project, world.project)
        project.status = ProjectStatus.DRAFT
        record(s, world.chair, "project.updated", project)
    token = _upload(db, world.chair, progress.PHOTO_PURPOSE)
    db.run(lambda s: progress.post_update(s, world.chair, world.project, "draft news", [token]))
    with db.reader() as s:
        upload = uploads.get_upload(s, token)
        assert not upload.is_public
        assert uploads.may_view(s, s.get(User, world.chair), upload)
        assert uploads.may_view(s, s.get(User, world.governorate), upload)
        assert not uploads.may_view(s, s.get(User, world.member), upload)
        assert not uploads.may_view(s, s.get(User, world.citizen), upload)
        assert not uploads.may_view(s, None, upload)


def _deliver_part(s, world, quantity, tokens=()):
    part = delivery_proof.split_for_delivery(s, world.chair, world.allocation, quantity)
    mark_delivered(s, world.chair, part.id, date(2026, 11, 20), today=TODAY)
    delivery_proof.attach_proof(s, world.chair, part.id, list(tokens))
    return part.id


def test_partial_delivery_keeps_the_rest_accepted_with_proof_seen_by_the_citizen_and_the_chair(web_db, world):
    db = web_db
    token = _upload(db, world.chair, delivery_proof.PROOF_PURPOSE)
    part = db.run(lambda s: _deliver_part(s, world, 4, [token]))
    with db.reader() as s:
        rest, done = s.get(Allocation, world.allocation), s.get(Allocation, part)
        assert (rest.status, rest.quantity) == (AllocationStatus.ACCEPTED, 6)
        assert (done.status, done.quantity, done.need_id) == (AllocationStatus.DELIVERED, 4, world.need)
        assert s.get(Pledge, world.pledge).status is PledgeStatus.ALLOCATED
        upload = uploads.get_upload(s, token)
        assert uploads.may_view(s, s.get(User, world.citizen), upload)
        assert uploads.may_view(s, s.get(User, world.chair), upload)
        assert not uploads.may_view(s, s.get(User, world.member), upload) and not uploads.may_view(s, None, upload)
        mine = delivery_proof.results_of_citizen(s, world.citizen)
        assert [(r.quantity, r.project_en, r.files[0][0]) for r in mine] == [(4, "The library's shelves", token)]
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert {"allocation.split", "allocation.split_off", "allocation.delivered",
                "result_file.proof_attached"} <= set(actions)
        kinds = set(s.scalars(select(Notification.kind).where(Notification.user_id == world.citizen)))
        assert {"allocation_delivered", "delivery_proof_added"} <= kinds


@pytest.mark.parametrize("quantity", [0, 11, -1, True, "4"])
def test_a_partial_delivery_beyond_the_accepted_quantity_is_refused(web_db, world, quantity):
    _refused(web_db, lambda s: delivery_proof.split_for_delivery(s, world.chair, world.allocation, quantity),
             ValidationError, "delivered_quantity_invalid")
    _refused(web_db, lambda s: delivery_proof.split_for_delivery(s, world.member, world.allocation, 2),
             PermissionDenied)


def test_hours_are_confirmed_by_the_chair_once_and_no_more_than_delivered(web_db, world):
    db = web_db
    part = db.run(lambda s: _deliver_part(s, world, 4))
    for who in (world.member, world.citizen, world.governorate):
        _refused(db, lambda s, who=who: delivery_proof.confirm_hours(s, who, part, 4), PermissionDenied)
    _refused(db, lambda s: delivery_proof.confirm_hours(s, world.chair, part, 5), ValidationError, "hours_invalid")
    _refused(db, lambda s: delivery_proof.confirm_hours(s, world.chair, world.allocation, 2), Conflict,
             "allocation_not_delivered")
    db.run(lambda s: delivery_proof.confirm_hours(s, world.chair, part, 4))
    _refused(db, lambda s: delivery_proof.confirm_hours(s, world.chair, part, 4), Conflict, "hours_already_confirmed")
    with db.reader() as s:
        assert delivery_proof.results_of_citizen(s, world.citizen)[0].hours_confirmed == 4
        assert "hours_confirmed" in set(s.scalars(select(Notification.kind).where(Notification.user_id == world.citizen)))


def test_the_key_cores_lead_confirms_hours_and_sees_what_awaits_them(web_db, world):
    from models.voice.cores import CoreMemberInput, form_core

    db = web_db
    part = db.run(lambda s: _deliver_part(s, world, 4))
    with db.reader() as s:
        assert delivery_proof.hours_to_confirm(s, world.member) == []
    _refused(db, lambda s: delivery_proof.confirm_hours(s, world.member, part, 4), PermissionDenied)
    db.run(lambda s: form_core(s, world.chair, project_id=world.project,
                               members=[CoreMemberInput(world.member, "lead")]))
    with db.reader() as s:
        assert [a.id for a in delivery_proof.hours_to_confirm(s, world.member)] == [part]
        assert delivery_proof.hours_to_confirm(s, world.citizen) == []
    db.run(lambda s: delivery_proof.confirm_hours(s, world.member, part, 3))
    with db.reader() as s:
        assert delivery_proof.hours_to_confirm(s, world.member) == []
        assert delivery_proof.results_of_citizen(s, world.citizen)[0].hours_confirmed == 3


def _complete(db, world):
    from models.audit.log import record

    with db.unit_of_work() as s:
        project = s.get(Project, world.project)
        project.status = ProjectStatus.COMPLETED
        record(s, world.chair, "project.updated", project)


def test_the_governorate_marks_a_completed_project_a_pilot_and_it_is_replicated_elsewhere(web_db, world):
    db = web_db
    db.run(lambda s: indicators.add_indicator(s, world.chair, world.project, indicators.IndicatorInput(
        "books lent a month", 300, "books", 40, "library register", date(2026, 10, 1))))
    db.run(lambda s: milestones.add_milestone(s, world.chair, world.project, "Shelves up", date(2026, 10, 20),
                                              "", [world.need]))
    story = ("Books in boxes", "Volunteers built shelves", "Forty neighbours", 12_000_000)
    _refused(db, lambda s: pilots.mark_pilot(s, world.governorate, world.project, *story), ValidationError,
             "pilot_not_completed")
    _complete(db, world)
    for who in (world.chair, world.citizen):
        _refused(db, lambda s, who=who: pilots.mark_pilot(s, who, world.project, *story), PermissionDenied)
    _refused(db, lambda s: pilots.mark_pilot(s, world.governorate, world.project, "", "x"), ValidationError,
             "problem_required")
    pilot = db.run(lambda s: pilots.mark_pilot(s, world.governorate, world.project, *story).id)
    _refused(db, lambda s: pilots.mark_pilot(s, world.governorate, world.project, *story), Conflict)
    # a chair replicates only into a table they chair; the governorate anywhere, but not the same place
    _refused(db, lambda s: pilots.replicate(s, world.chair, pilot, world.other_table), PermissionDenied)
    _refused(db, lambda s: pilots.replicate(s, world.member, pilot, world.table), PermissionDenied)
    _refused(db, lambda s: pilots.replicate(s, world.governorate, pilot, world.table), ValidationError,
             "replica_same_place")
    _refused(db, lambda s: pilots.replicate(s, world.governorate, 10**6, world.other_table), NotFound)
    copy = db.run(lambda s: pilots.replicate(s, world.governorate, pilot, world.other_table, today=TODAY).id)
    with db.reader() as s:
        project = s.get(Project, copy)
        assert project.status is ProjectStatus.DRAFT and project.table_id == world.other_table
        assert sorted(n.kind.value for n in project.needs) == ["execution", "financial"]
        ind = s.scalars(select(Indicator).where(Indicator.project_id == copy)).one()
        assert (ind.name, ind.baseline, ind.target) == ("books lent a month", None, 300)
        m = s.scalars(select(Milestone).where(Milestone.project_id == copy)).one()
        assert m.due_on == date(2026, 12, 21)  # 19 days after the start, as on the pilot
        assert m.need_ids == [n.id for n in project.needs if n.kind.value == "execution"]
        view = pilots.gallery(s)[0]
        assert (view.project_id, view.replications) == (world.project, 1)
        assert view.indicators[0].baseline == 40
        assert {"pilot.marked", "pilot.replicated"} <= set(s.scalars(select(AuditEvent.action)))
        assert s.scalar(select(Notification.kind).where(Notification.user_id == world.chair)) == "pilot_marked"
        assert s.scalar(select(func.count()).select_from(Need).where(Need.project_id == world.project)) == 2
    # a chair replicates into their own table, in another district
    from models.orm.geo import District
    with db.unit_of_work() as s:
        from models.audit.log import record
        from models.core.enums import DistrictLevel
        d = District(slug="d2", name_fa="بخش دو", name_en="District two", level=DistrictLevel.DISTRICT)
        s.add(d)
        record(s, world.governorate, "district.created", d)
        district = d.id
    assert db.run(lambda s: pilots.replicate(s, world.chair, pilot, world.table, district).id)
