"""Issue 21 item 3 (domain): key cores — the chair forms one and chooses its people; its members keep tasks and a
meeting log; who may read and write; /my lists a person's cores. SQLite."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.core.errors import Conflict, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.notifications import Notification
from models.voice import cores
from tests.models.world import build_world


@pytest.fixture
def setup(db):
    with db.unit_of_work() as s:
        w = build_world(s)
    with db.unit_of_work() as s:
        core = cores.form_core(s, w.chair, project_id=w.project, members=[cores.CoreMemberInput(w.member, "lead"),
                                                                         cores.CoreMemberInput(w.citizen, "field", "volunteer")])
        core_id = core.id
    return db, w, core_id


def test_only_the_chair_forms_a_core_once_and_chooses_its_people(setup):
    db, w, core_id = setup
    with db.reader() as s:
        view = cores.core_view(s, w.member, core_id)
        assert {(m.user_id, m.role, m.origin) for m, _n in view.members} == {(w.member, "lead", "member"),
                                                                               (w.citizen, "field", "volunteer")}
        assert s.scalar(select(Notification.params).where(Notification.user_id == w.citizen))["event"] == "added"
    for actor, project in ((w.member, w.env_project), (w.other_chair, w.project), (w.citizen, w.project)):
        with pytest.raises((PermissionDenied, Conflict)):
            with db.unit_of_work() as s:
                cores.form_core(s, actor, project_id=project)
    with pytest.raises(Conflict):
        with db.unit_of_work() as s:
            cores.form_core(s, w.chair, project_id=w.project)  # one core per project
    with pytest.raises(ValidationError):
        with db.unit_of_work() as s:
            cores.add_member(s, w.chair, core_id, cores.CoreMemberInput(w.citizen2, "boss"))
    with pytest.raises(PermissionDenied):
        with db.unit_of_work() as s:
            cores.add_member(s, w.member, core_id, cores.CoreMemberInput(w.citizen2, "expert"))
    with db.unit_of_work() as s:
        cores.add_member(s, w.chair, core_id, cores.CoreMemberInput(w.citizen2, "expert", "agency"))
        cores.remove_member(s, w.chair, core_id, w.citizen2)
        assert not cores.is_core_member(s, w.citizen2, core_id)


def test_members_keep_tasks_and_meetings_others_may_not(setup):
    db, w, core_id = setup
    with pytest.raises(PermissionDenied):
        with db.unit_of_work() as s:
            cores.add_task(s, w.citizen2, core_id, "بازدید")
    with pytest.raises(ValidationError):
        with db.unit_of_work() as s:
            cores.add_task(s, w.member, core_id, "بازدید", owner_id=w.citizen2)  # not in the core
    with db.unit_of_work() as s:
        task = cores.add_task(s, w.member, core_id, "بازدید از کوچه", owner_id=w.citizen, due_on=date(2026, 12, 20))
        cores.set_task_done(s, w.citizen, task.id)
        cores.log_meeting(s, w.member, core_id, date(2026, 12, 1), "مریم، علی", "بازدید شد", "لایروبی آبرو")
    with pytest.raises(ValidationError):
        with db.unit_of_work() as s:
            cores.log_meeting(s, w.member, core_id, date.today() + timedelta(days=3), "", "آینده", "")
    with db.reader() as s:
        view = cores.core_view(s, w.chair, core_id)
        assert view.tasks[0].done_at is not None and view.meetings[0].decisions == "لایروبی آبرو"
        with pytest.raises(PermissionDenied):
            cores.core_view(s, w.citizen2, core_id)
        assert [(c.id, role, n) for c, role, n in cores.cores_of_user(s, w.citizen)] == [(core_id, "field", 0)]
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"key_core.formed", "key_core.member_added", "key_core.task_added", "key_core.task_done",
                "key_core.meeting_logged"} <= actions
