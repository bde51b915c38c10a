"""Issue 21 items 1, 2, 6 (domain): citizen proposals — making one with a photo, support (one per person), evidence,
routing, diagnosis, and the chair's decisions (adopt into a project with a key core, answer, forward, decline,
merge), with who may do each, audit and notifications. SQLite and PostgreSQL."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models.audit.log import record
from models.core.enums import ProjectKind, ProjectStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.uploads import may_view, store_upload
from models.orm.audit_event import AuditEvent
from models.orm.cores import KeyCore, KeyCoreMember
from models.orm.notifications import Notification
from models.orm.people import User
from models.orm.projects import Project
from models.orm.proposals import CitizenProposal, ProposalSupport
from models.voice import diagnosis as dx
from models.voice import moderation, proposals
from models.voice.cores import CoreMemberInput
from tests.models.world import build_world


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 90, 160)).save(out, format="JPEG")
    return out.getvalue()


def _problem(w, **change) -> proposals.ProposalInput:
    values = dict(kind="problem", title="کوچهٔ آب‌گرفته", body="هر باران کوچه زیر آب می‌رود", district_id=w.amol,
                  table_id=w.health, affected="ساکنان کوچه", since="از پارسال، هر باران")
    values.update(change)
    return proposals.ProposalInput(**values)


@pytest.fixture
def setup(any_db):
    with any_db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test.created", gov)
        w.gov = gov.id  # type: ignore[attr-defined]
    return any_db, w


def _new(db, w, actor=None, **change) -> int:
    with db.unit_of_work() as s:
        return proposals.create_proposal(s, actor or w.citizen, _problem(w, **change)).id


def _actions(s, obj_type=None):
    q = select(AuditEvent.action)
    if obj_type:
        q = q.where(AuditEvent.object_type == obj_type)
    return list(s.scalars(q.order_by(AuditEvent.id)))


def test_a_problem_with_a_photo_is_public_and_supported_once_per_person(setup):
    db, w = setup
    with db.unit_of_work() as s:
        up = store_upload(s, w.citizen, proposals.PURPOSE, "alley.jpg", _jpeg())
        token = up.token
    pid = _new(db, w, upload_tokens=(token,))
    with db.unit_of_work() as s:
        files = proposals.attachments(s, pid)
        assert [u.token for u, _c in files] == [token] and files[0][0].is_public
        assert may_view(s, None, files[0][0])  # public: anyone sees the evidence
        assert "citizen_proposal.created" in _actions(s)
        # the health table's chair is told a new proposal arrived
        assert s.scalar(select(Notification.params).where(Notification.user_id == w.chair))["event"] == "new_for_table"
        proposals.support(s, w.citizen2, pid)
    with db.unit_of_work() as s:
        with pytest.raises(Conflict) as again:
            proposals.support(s, w.citizen2, pid)
        assert again.value.code == "proposal_already_supported"
        with pytest.raises(Conflict):
            proposals.support(s, w.citizen, pid)  # the author's own
    with db.reader() as s:
        assert proposals.support_count(s, pid) == 1
        note = s.scalars(select(Notification).where(Notification.user_id == w.citizen)).all()
        assert [n.params["event"] for n in note] == ["supported"]
    # the database itself refuses a second support
    with pytest.raises(IntegrityError):
        with db.unit_of_work() as s:
            row = ProposalSupport(proposal_id=pid, user_id=w.citizen2)
            s.add(row)
            record(s, None, "test.created", row)


def test_bad_input_is_refused_with_a_code_and_changes_nothing(setup):
    db, w = setup
    cases = [(dict(kind="rumour"), "proposal_kind_unknown"), (dict(title="  "), "field_required"),
             (dict(district_id=None), "proposal_district_required"), (dict(district_id=w.county), "proposal_district_required"),
             (dict(table_id=9999), "proposal_table_unknown"), (dict(lat=100.0, lon=52.0), "proposal_point_invalid"),
             (dict(body="x" * 4001), "text_too_long"), (dict(kind="talent", serves=""), "field_required")]
    for change, code in cases:
        with pytest.raises(ValidationError) as err:
            _new(db, w, **change)
        assert err.value.code == code, change
    with db.unit_of_work() as s:  # someone else's upload cannot be attached
        token = store_upload(s, w.citizen2, proposals.PURPOSE, "x.jpg", _jpeg()).token
    with pytest.raises(ValidationError):
        _new(db, w, upload_tokens=(token,))
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(CitizenProposal)) == 0
    with pytest.raises(PermissionDenied):
        with db.unit_of_work() as s:
            proposals.create_proposal(s, 999999, _problem(w))


def test_dont_know_is_routed_by_the_governorate_only(setup):
    db, w = setup
    pid = _new(db, w, table_id=None)
    for actor in (w.chair, w.citizen):
        with pytest.raises(PermissionDenied):
            with db.unit_of_work() as s:
                proposals.route(s, actor, pid, w.health)
    with db.unit_of_work() as s:
        assert [r.id for r in proposals.triage(s, w.gov, None).page.items] == [pid]
        proposals.route(s, w.gov, pid, w.env)
    with db.reader() as s:
        assert s.get(CitizenProposal, pid).table_id == w.env
        assert "citizen_proposal.routed" in _actions(s)


def test_members_diagnose_and_the_chair_adopts_into_a_draft_project_with_a_key_core(setup):
    db, w = setup
    pid = _new(db, w)
    with db.unit_of_work() as s:
        proposals.support(s, w.citizen2, pid)
        proposals.add_evidence(s, w.citizen2, pid, "عکس‌های زمستان پارسال")
    for outsider in (w.citizen2, w.other_chair):  # not members of the health table
        with pytest.raises(PermissionDenied):
            with db.unit_of_work() as s:
                dx.diagnose(s, outsider, pid, dx.DiagnosisInput(cause="آبرو گرفته"))
    with pytest.raises(ValidationError) as err:
        with db.unit_of_work() as s:
            dx.diagnose(s, w.member, pid, dx.DiagnosisInput(cause="آبرو", cost_min_toman=9, cost_max_toman=3))
    assert err.value.code == "proposal_cost_order"
    with db.unit_of_work() as s:
        dx.comment(s, w.member, pid, "باید از شهرداری هم پرسید")
        dx.diagnose(s, w.member, pid, dx.DiagnosisInput(cause="آبروی کوچه گرفته است", scale="۴۰ خانه",
                                                         options="لایروبی یا لوله‌گذاری", cost_min_toman=50_000_000,
                                                         cost_max_toman=200_000_000))
        assert s.get(CitizenProposal, pid).status == "diagnosis"
    for not_chair in (w.member, w.other_chair, w.gov):  # a member, another table's chair, staff: may not adopt
        with pytest.raises(PermissionDenied):
            with db.unit_of_work() as s:
                dx.adopt(s, not_chair, pid, dx.AdoptInput())
    with db.unit_of_work() as s:
        project = dx.adopt(s, w.chair, pid, dx.AdoptInput(core_members=(CoreMemberInput(w.member, "expert"),
                                                                        CoreMemberInput(w.citizen2, "field", "volunteer"))))
        project_id = project.id
    with db.reader() as s:
        project = s.get(Project, project_id)
        assert project.status is ProjectStatus.DRAFT and project.kind is ProjectKind.PROBLEM
        assert project.table_id == w.health and "آبروی کوچه" in project.evidence and project.problem.startswith("هر باران")
        proposal = s.get(CitizenProposal, pid)
        assert proposal.status == "adopted" and proposal.project_id == project_id
        core = s.scalar(select(KeyCore).where(KeyCore.project_id == project_id))
        assert core.proposal_id == pid
        roles = dict(s.execute(select(KeyCoreMember.user_id, KeyCoreMember.role).where(KeyCoreMember.core_id == core.id)).all())
        assert roles == {w.chair: "lead", w.member: "expert", w.citizen2: "field"}
        assert {"citizen_proposal.adopted", "project.created", "key_core.formed"} <= set(_actions(s))
        told = {n.user_id for n in s.scalars(select(Notification).where(Notification.kind == "citizen_proposal"))
                if n.params["event"] == "adopted"}
        assert told == {w.citizen, w.citizen2}  # author and supporter
    with pytest.raises(Conflict):
        with db.unit_of_work() as s:
            dx.decline(s, w.chair, pid, "دیگر نه")


def test_answers_forward_and_decline_need_reasons_and_the_chair(setup):
    db, w = setup
    a, b, c = (_new(db, w, title=t) for t in ("الف", "ب", "ج"))
    with pytest.raises(ValidationError):
        with db.unit_of_work() as s:
            dx.answer(s, w.chair, a, "already_planned", "  ")
    with pytest.raises(ValidationError):
        with db.unit_of_work() as s:
            dx.answer(s, w.chair, a, "maybe", "چون")
    with pytest.raises(PermissionDenied):
        with db.unit_of_work() as s:
            dx.answer(s, w.member, a, "already_planned", "در برنامهٔ امسال است")
    with db.unit_of_work() as s:
        dx.answer(s, w.chair, a, "needs_evidence", "عکس بیشتری لازم است")
        dx.answer(s, w.chair, b, "not_remit", "کار محیط زیست است", forward_to=w.env)
        dx.decline(s, w.chair, c, "با قانون سازگار نیست")
    with db.unit_of_work() as s:
        pa, pb, pc = (s.get(CitizenProposal, i) for i in (a, b, c))
        assert (pa.status, pa.answer_type) == ("answered", "needs_evidence")
        assert (pb.status, pb.table_id, pb.forwarded_from_id) == ("new", w.env, w.health)
        assert pc.status == "declined" and pc.answer_text
        # needing more evidence leaves it open to a later decision; the new table's chair decides b now
        dx.answer(s, w.chair, a, "already_planned", "در برنامهٔ سال آینده است")
        with pytest.raises(PermissionDenied):
            dx.decline(s, w.chair, b, "نه")
        dx.answer(s, w.other_chair, b, "not_feasible", "زمین در اختیار نیست")
    with db.reader() as s:
        assert {"citizen_proposal.answered", "citizen_proposal.forwarded", "citizen_proposal.declined"} <= set(_actions(s))


def test_merging_carries_supports_over_without_counting_anyone_twice(setup):
    db, w = setup
    target = _new(db, w, title="آب‌گرفتگی خیابان")
    dup = _new(db, w, actor=w.citizen2, title="آب‌گرفتگی کوچه")
    with db.unit_of_work() as s:
        proposals.support(s, w.member, target)
        proposals.support(s, w.member, dup)       # supports both: counts once after the merge
        proposals.support(s, w.other_chair, dup)
    with pytest.raises(ValidationError):
        with db.unit_of_work() as s:
            dx.merge(s, w.chair, dup, dup)
    with pytest.raises(PermissionDenied):
        with db.unit_of_work() as s:
            dx.merge(s, w.member, dup, target)
    with db.unit_of_work() as s:
        dx.merge(s, w.chair, dup, target)
    with db.reader() as s:
        assert s.get(CitizenProposal, dup).status == "merged" and s.get(CitizenProposal, dup).merged_into_id == target
        assert sorted(proposals.supporter_ids(s, target)) == sorted([w.member, w.other_chair, w.citizen2])
        told = {n.user_id for n in s.scalars(select(Notification)) if n.params.get("event") == "merged"}
        assert told == {w.citizen, w.citizen2, w.member, w.other_chair}
    with pytest.raises(Conflict):
        with db.unit_of_work() as s:
            proposals.support(s, w.chair, dup)  # a merged proposal takes no more support


def test_moderation_reports_and_hides_with_a_reason(setup):
    db, w = setup
    with db.unit_of_work() as s:
        token = store_upload(s, w.citizen, proposals.PURPOSE, "a.jpg", _jpeg()).token
    pid = _new(db, w, upload_tokens=(token,))
    with db.unit_of_work() as s:
        ev = proposals.add_evidence(s, w.citizen2, pid, "متن توهین‌آمیز").id
        moderation.report(s, w.member, pid, "توهین است", comment_id=ev)
    with pytest.raises(Conflict):
        with db.unit_of_work() as s:
            moderation.report(s, w.member, pid, "باز هم", comment_id=ev)
    for not_moderator in (w.member, w.citizen2, w.other_chair):
        with pytest.raises(PermissionDenied):
            with db.unit_of_work() as s:
                moderation.hide(s, not_moderator, pid, "توهین", comment_id=ev)
    with pytest.raises(ValidationError):
        with db.unit_of_work() as s:
            moderation.hide(s, w.chair, pid, "  ", comment_id=ev)
    with db.unit_of_work() as s:
        moderation.hide(s, w.chair, pid, "توهین به همسایه", comment_id=ev)
        moderation.hide(s, w.gov, pid, "نشانی خصوصی افراد")
    with db.reader() as s:
        proposal = s.get(CitizenProposal, pid)
        assert proposal.hidden_reason == "نشانی خصوصی افراد"
        upload = proposals.attachments(s, pid)[0][0]
        assert not upload.is_public and not may_view(s, s.get(User, w.citizen2), upload)
        assert may_view(s, s.get(User, w.chair), upload)  # the table's chair still sees it
        assert moderation.open_reports(s, pid) == []
        assert {"citizen_proposal.hidden", "citizen_proposal.comment_hidden", "citizen_proposal.reported"} <= set(_actions(s))
        assert proposals.browse(s, proposals.ProposalFilter()).total == 0  # hidden: not listed
    with pytest.raises(Conflict):
        with db.unit_of_work() as s:
            proposals.support(s, w.member, pid)


def test_browse_filters_sorts_and_pages(setup):
    db, w = setup
    ids = [_new(db, w, title=f"مورد {i}") for i in range(3)]
    _new(db, w, kind="talent", title="مدرسهٔ خالی", district_id=w.larijan, table_id=w.env, serves="کارگاه",
         body="ساختمان مدرسه")
    with db.unit_of_work() as s:
        proposals.support(s, w.citizen2, ids[0])
        proposals.support(s, w.member, ids[0])
        proposals.support(s, w.member, ids[1])
    with db.reader() as s:
        by_support = proposals.browse(s, proposals.ProposalFilter(kind="problem"))
        assert [r.id for r in by_support.items] == [ids[0], ids[1], ids[2]] and by_support.items[0].supporters == 2
        assert proposals.browse(s, proposals.ProposalFilter(kind="talent")).items[0].title == "مدرسهٔ خالی"
        assert proposals.browse(s, proposals.ProposalFilter(district_id=w.markazi)).total == 3  # the city is inside
        paged = proposals.browse(s, proposals.ProposalFilter(sort="oldest", per_page=2, page=9))
        assert paged.page == 2 and paged.pages == 2 and [r.id for r in paged.items][0] == ids[2]
        with pytest.raises(PermissionDenied):
            proposals.triage(s, w.citizen, w.health)
        assert proposals.triage(s, w.member, w.health).page.total == 3
        with pytest.raises(NotFound):
            proposals.get_proposal(s, True)
