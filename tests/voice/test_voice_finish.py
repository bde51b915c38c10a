"""Issue 21, the rules added to finish it (domain): the table's triage queue and who reads it, the governorate's
routing queue, the moderators' list of reported proposals, adopting with a key core chosen among the table's people
and the proposal's citizens, the project's link back to its proposal, a simultaneous double support answered with
the Conflict sentence, organization members reading its referrals, /my's cores in one statement. SQLite and
PostgreSQL where the database matters."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from models.core.errors import Conflict, PermissionDenied, ValidationError
from models.orm.cores import KeyCore, KeyCoreMember
from models.orm.projects import Project
from models.orm.proposals import CitizenProposal, ProposalSupport
from models.voice import cores, moderation, proposals
from models.voice import diagnosis as dx
from tests.models.world import build_world
from tests.voice.test_proposals import _new


@pytest.fixture
def setup(any_db):
    """tests/voice/test_proposals.py's world: two tables, their chairs, a member, two citizens, staff."""
    from models.audit.log import record
    from models.orm.people import User

    with any_db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test.created", gov)
        w.gov = gov.id  # type: ignore[attr-defined]
    return any_db, w


def test_the_triage_queue_lists_one_state_oldest_first_with_counts_and_pages(setup):
    db, w = setup
    a, b, c, d = (_new(db, w, title=t) for t in ("الف", "ب", "ج", "د"))
    with db.unit_of_work() as s:
        proposals.support(s, w.citizen2, b)
        dx.diagnose(s, w.member, d, dx.DiagnosisInput(cause="آبرو گرفته"))
        dx.answer(s, w.chair, a, "already_planned", "در برنامهٔ امسال است")
    with db.reader() as s:
        queue = proposals.triage(s, w.member, w.health)
        assert queue.status == "new" and [r.id for r in queue.page.items] == [b, c]  # the oldest first
        assert [r.supporters for r in queue.page.items] == [1, 0]
        assert queue.counts == {"new": 2, "diagnosis": 1, "answered": 1, "adopted": 0, "declined": 0, "merged": 0}
        assert [r.id for r in proposals.triage(s, w.chair, w.health, "diagnosis").page.items] == [d]
        assert proposals.triage(s, w.chair, w.health, "nonsense").status == "new"  # an unknown state: the new ones
        paged = proposals.triage(s, w.chair, w.health, "new", page=2, per_page=1)
        assert (paged.page.page, paged.page.pages, [r.id for r in paged.page.items]) == (2, 2, [c])
        assert proposals.triage(s, w.gov, w.health).page.total == 2  # the governorate reads every table's queue
        assert proposals.open_count(s, w.health) == 3
        # who may read a table's queue: its members, its chair, the governorate; not another table's chair
        for outsider in (w.citizen, w.other_chair):
            assert not proposals.may_triage(s, outsider, w.health)
            with pytest.raises(PermissionDenied):
                proposals.triage(s, outsider, w.health)
        assert proposals.may_triage(s, w.other_chair, w.env)


def test_the_routing_queue_is_the_governorate_s_and_routing_empties_it(setup):
    db, w = setup
    old, young = _new(db, w, table_id=None, title="قدیمی"), _new(db, w, table_id=None, title="تازه")
    _new(db, w)  # addressed to a table: not in the routing queue
    with db.reader() as s:
        for not_staff in (w.chair, w.member, w.citizen):
            with pytest.raises(PermissionDenied):
                proposals.triage(s, not_staff, None)
        assert [r.id for r in proposals.triage(s, w.gov, None).page.items] == [old, young]
        assert proposals.unrouted_count(s) == 2
    for not_staff in (w.chair, w.member):
        with pytest.raises(PermissionDenied), db.unit_of_work() as s:
            proposals.route(s, not_staff, old, w.health)
    with db.unit_of_work() as s:
        proposals.route(s, w.gov, old, w.env)
    with db.reader() as s:
        assert [r.id for r in proposals.triage(s, w.gov, None).page.items] == [young]
        assert [r.id for r in proposals.triage(s, w.other_chair, w.env).page.items] == [old]


def test_the_moderators_see_the_reported_proposals_of_their_table(setup):
    db, w = setup
    pid, other = _new(db, w), _new(db, w, table_id=None)
    with db.unit_of_work() as s:
        ev = proposals.add_evidence(s, w.citizen2, pid, "ناسزا").id
        moderation.report(s, w.member, pid, "توهین است", comment_id=ev)
        moderation.report(s, w.citizen2, pid, "نشانی خانهٔ کسی را نوشته")
        moderation.report(s, w.citizen, other, "تبلیغ")
    with db.reader() as s:
        rows = moderation.reported(s, w.chair, w.health)
        assert [(r.proposal_id, r.reports) for r in rows] == [(pid, 2)]
        assert {r.proposal_id for r in moderation.reported(s, w.gov, None)} == {pid, other}
        for not_moderator in (w.member, w.citizen, w.other_chair):
            with pytest.raises(PermissionDenied):
                moderation.reported(s, not_moderator, w.health)
        with pytest.raises(PermissionDenied):
            moderation.reported(s, w.chair, None)  # the county's reports are the governorate's
    with db.unit_of_work() as s:  # hiding resolves the report it answers; the other stays open
        moderation.hide(s, w.chair, pid, "ناسزا به همسایه", comment_id=ev)
    with db.reader() as s:
        assert [(r.proposal_id, r.reports) for r in moderation.reported(s, w.chair, w.health)] == [(pid, 1)]


def test_adopting_forms_the_key_core_from_the_table_s_people_and_the_proposal_s_citizens(setup):
    db, w = setup
    pid = _new(db, w)
    with db.unit_of_work() as s:
        proposals.support(s, w.citizen2, pid)
        got = {c.user_id: (c.origin, c.role) for c in dx.core_candidates(s, s.get(CitizenProposal, pid))}
        assert got == {w.chair: ("member", "lead"), w.member: ("member", "expert"),
                       w.citizen: ("volunteer", "field"), w.citizen2: ("volunteer", "field")}
    # someone neither of the table nor of the proposal (another table's chair) cannot be chosen; nor two leads
    for bad, code in ((dx.AdoptInput(core_lead_id=w.member, core_people=(w.other_chair,)), "core_person_not_candidate"),
                      (dx.AdoptInput(core_members=(cores.CoreMemberInput(w.other_chair, "expert"),)),
                       "core_person_not_candidate"),
                      (dx.AdoptInput(core_lead_id=w.member, core_members=(cores.CoreMemberInput(w.citizen, "lead"),)),
                       "core_one_lead"),
                      (dx.AdoptInput(estimated_cost_rials=-10), "cost_invalid")):
        with pytest.raises(ValidationError) as err, db.unit_of_work() as s:
            dx.adopt(s, w.chair, pid, bad)
        assert err.value.code == code
    with db.reader() as s:
        assert s.get(CitizenProposal, pid).status == "new" and s.scalar(select(KeyCore.id)) is None
    with db.unit_of_work() as s:  # the member leads; the chair and the citizens join with their suggested roles
        project = dx.adopt(s, w.chair, pid, dx.AdoptInput(
            title="بازگشایی آبروی کوچه", estimated_cost_rials=1_500_000_000, core_lead_id=w.member,
            core_people=(w.chair, w.citizen, w.citizen2, w.member)))
        project_id = project.id
    with db.reader() as s:
        project = s.get(Project, project_id)
        assert (project.title_fa, project.estimated_cost_rials, project.kind.value) == (
            "بازگشایی آبروی کوچه", 1_500_000_000, "problem")
        core = s.scalar(select(KeyCore).where(KeyCore.project_id == project_id))
        roles = {m.user_id: (m.role, m.origin) for m in s.scalars(select(KeyCoreMember).where(
            KeyCoreMember.core_id == core.id))}
        assert roles == {w.member: ("lead", "member"), w.chair: ("expert", "member"),
                         w.citizen: ("field", "volunteer"), w.citizen2: ("field", "volunteer")}
        origin = proposals.origin_of_project(s, project_id)
        assert (origin.id, origin.supporters, origin.kind) == (pid, 1, "problem")
        assert proposals.origin_of_project(s, w.project) is None  # a project nobody proposed
    with db.unit_of_work() as s:  # a hidden proposal is no longer linked from its project's page
        moderation.hide(s, w.gov, pid, "نشانی خصوصی")
    with db.reader() as s:
        assert proposals.origin_of_project(s, project_id) is None


def test_a_simultaneous_second_support_is_the_conflict_sentence(setup, monkeypatch):
    """Two presses at once both pass the "already supports?" check; the unique key refuses the second, which
    hears the same sentence as a later press, and the unit of work is not broken."""
    db, w = setup
    pid = _new(db, w)
    with db.unit_of_work() as s:
        proposals.support(s, w.citizen2, pid)
    monkeypatch.setattr(proposals, "supports", lambda *_a, **_k: False)  # the other press's row is not seen yet
    with pytest.raises(Conflict) as err, db.unit_of_work() as s:
        proposals.support(s, w.citizen2, pid)
    assert err.value.code == "proposal_already_supported"
    with db.unit_of_work() as s:  # the same unit of work goes on after the refusal
        with pytest.raises(Conflict):
            proposals.support(s, w.citizen2, pid)
        proposals.support(s, w.member, pid)
    with db.reader() as s:
        assert sorted(s.scalars(select(ProposalSupport.user_id))) == sorted([w.citizen2, w.member])


def test_members_of_an_organization_read_its_referrals_and_only_admins_answer(db):
    from models.orm.referrals import Referral
    from models.voice import organizations as orgs
    from models.voice import referrals as rf
    from tests.voice.test_referrals import GOOD, NOW, _send, _setup

    db, w, ids = _setup(db)
    with db.unit_of_work() as s:
        orgs.add_member(s, ids["gov"], ids["org"], w.citizen2, "member")
    ref_id = _send(db, w, ids, organization_id=ids["org"])
    with db.reader() as s:
        ref = s.get(Referral, ref_id)
        assert rf.may_see(s, w.citizen2, ref) and not rf.may_answer(s, w.citizen2, ref)
        assert [r.id for r in rf.queue(s, w.citizen2, rf.QueueFilter(), NOW.date())[0]] == [ref_id]
        assert rf.is_officer(s, w.citizen2)
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:
        rf.answer(s, w.citizen2, ref_id, GOOD, now=NOW)
    with db.unit_of_work() as s:  # one who left sees it no more
        orgs.remove_member(s, ids["gov"], ids["org"], w.citizen2)
    with db.reader() as s:
        assert not rf.may_see(s, w.citizen2, s.get(Referral, ref_id))


def test_my_cores_are_read_in_one_statement(db):
    with db.unit_of_work() as s:
        w = build_world(s)
    with db.unit_of_work() as s:
        for project in (w.project, w.env_project):
            chair = w.chair if project == w.project else w.other_chair
            core = cores.form_core(s, chair, project_id=project, members=[cores.CoreMemberInput(w.citizen, "field")])
            cores.add_task(s, chair, core.id, "بازدید میدانی", w.citizen)
    seen: list[str] = []
    listener = lambda *a: seen.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with db.reader() as s:
            mine = cores.cores_of_user(s, w.citizen)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert [(role, n) for _c, role, n in mine] == [("field", 1), ("field", 1)]
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 1
