"""Key cores: the small team around a project or a citizen proposal (issue 21 item 3).

Imports sqlalchemy and models only. The table's chair forms a core (on adopting a proposal, or for any project
of the table) and adds or removes its people with a role (lead, expert, field) and where they come from (a
member of the table, an expert, agency staff, a volunteer who pledged help). The core's members and the chair
keep its task list (title, owner, due date, done) and its meeting log (date, attendees, minutes, decisions);
the table's members and the governorate may read it. Every change is audited; a person added is notified.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import active_user, is_chair_of, is_governorate, is_member_of
from models.orm.base import utcnow
from models.orm.cores import CORE_ORIGINS, CORE_ROLES, KeyCore, KeyCoreMeeting, KeyCoreMember, KeyCoreTask
from models.orm.projects import Project
from models.orm.proposals import CitizenProposal

MAX_CORE = 30
TEXT_MAX = 4000


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationError("field_required", field=field)
    if len(text) > limit:
        raise ValidationError("text_too_long", field=field, maximum=limit)
    return text


@dataclass(frozen=True)
class CoreMemberInput:
    user_id: int
    role: str = "field"
    origin: str = "member"


def get_core(session: Session, core_id: object) -> KeyCore:
    core = session.get(KeyCore, core_id) if _is_id(core_id) else None
    if core is None:
        raise NotFound("core_not_found")
    return core


def is_core_member(session: Session, user_id: object, core_id: int) -> bool:
    return active_user(session, user_id) is not None and session.scalar(select(KeyCoreMember.id).where(
        KeyCoreMember.core_id == core_id, KeyCoreMember.user_id == user_id, KeyCoreMember.left_at.is_(None))) is not None


def may_read_core(session: Session, user_id: object, core: KeyCore) -> bool:
    return (is_core_member(session, user_id, core.id) or is_member_of(session, user_id, core.table_id)
            or is_chair_of(session, user_id, core.table_id) or is_governorate(session, user_id))


def _require_chair(session: Session, actor_id: object, table_id: int) -> None:
    if not is_chair_of(session, actor_id, table_id):
        raise PermissionDenied("core_chair_only")


def _require_worker(session: Session, actor_id: object, core: KeyCore) -> None:
    """The core's own members and the table's chair keep its tasks and meetings."""
    if not (is_core_member(session, actor_id, core.id) or is_chair_of(session, actor_id, core.table_id)):
        raise PermissionDenied("core_members_only")


def _add_member(session: Session, actor_id: int, core: KeyCore, data: CoreMemberInput) -> KeyCoreMember:
    if data.role not in CORE_ROLES:
        raise ValidationError("core_role_unknown", field="role")
    if data.origin not in CORE_ORIGINS:
        raise ValidationError("core_origin_unknown", field="origin")
    if active_user(session, data.user_id) is None:
        raise ValidationError("core_person_unknown", field="person")
    row = session.scalar(select(KeyCoreMember).where(KeyCoreMember.core_id == core.id,
                                                     KeyCoreMember.user_id == data.user_id))
    if row is not None and row.left_at is None:
        raise Conflict("core_already_member")
    count = len(list(session.scalars(select(KeyCoreMember.id).where(KeyCoreMember.core_id == core.id,
                                                                    KeyCoreMember.left_at.is_(None)))))
    if count >= MAX_CORE:
        raise Conflict("core_full", maximum=MAX_CORE)
    before = snapshot(row, ["role", "origin", "left_at"]) if row is not None else None
    if row is None:
        row = KeyCoreMember(core_id=core.id, user_id=data.user_id)
        session.add(row)
    row.role, row.origin, row.added_at, row.left_at = data.role, data.origin, utcnow(), None
    record(session, actor_id, "key_core.member_added", row, before=before, table_id=core.table_id)
    if data.user_id != actor_id:
        notify(session, data.user_id, "key_core", event="added", core_id=core.id, name=core.name[:120],
               role=data.role)
    return row


def form_core(session: Session, actor_id: int, *, project_id: int | None = None, proposal_id: int | None = None,
              name: str = "", members: tuple[CoreMemberInput, ...] | list[CoreMemberInput] = ()) -> KeyCore:
    """The chair forms the key core of a project or proposal of their table; the chair leads it unless someone
    else is named lead."""
    project = session.get(Project, project_id) if _is_id(project_id) else None
    proposal = session.get(CitizenProposal, proposal_id) if _is_id(proposal_id) else None
    if project is None and proposal is None:
        raise NotFound("core_subject_not_found")
    table_id = project.table_id if project is not None else proposal.table_id  # type: ignore[union-attr]
    if table_id is None or (project is not None and proposal is not None and proposal.table_id != table_id):
        raise ValidationError("core_subject_mismatch", field="project")
    _require_chair(session, actor_id, table_id)
    taken = select(KeyCore.id).where((KeyCore.project_id == project_id) if project is not None
                                     else (KeyCore.proposal_id == proposal_id))
    if session.scalar(taken) is not None:
        raise Conflict("core_exists")
    title = _text(name, "core_name", 200) or (project.title_fa if project is not None else proposal.title)  # type: ignore[union-attr]
    core = KeyCore(table_id=table_id, project_id=project.id if project else None,
                   proposal_id=proposal.id if proposal else None, name=title, formed_by_id=actor_id)
    session.add(core)
    record(session, actor_id, "key_core.formed", core, table_id=table_id)
    wanted = list(members)
    if not any(m.role == "lead" for m in wanted) and all(m.user_id != actor_id for m in wanted):
        wanted.insert(0, CoreMemberInput(actor_id, "lead", "member"))
    seen: set[int] = set()
    for m in wanted:
        if m.user_id in seen:
            raise ValidationError("core_person_twice", field="person")
        seen.add(m.user_id)
        _add_member(session, actor_id, core, m)
    return core


def add_member(session: Session, actor_id: int, core_id: object, data: CoreMemberInput) -> KeyCoreMember:
    core = get_core(session, core_id)
    _require_chair(session, actor_id, core.table_id)
    return _add_member(session, actor_id, core, data)


def remove_member(session: Session, actor_id: int, core_id: object, user_id: object) -> KeyCoreMember:
    core = get_core(session, core_id)
    _require_chair(session, actor_id, core.table_id)
    row = session.scalar(select(KeyCoreMember).where(KeyCoreMember.core_id == core.id, KeyCoreMember.user_id == user_id,
                                                     KeyCoreMember.left_at.is_(None))) if _is_id(user_id) else None
    if row is None:
        raise NotFound("core_member_not_found")
    row.left_at = utcnow()
    record(session, actor_id, "key_core.member_removed", row, before={"left_at": None}, table_id=core.table_id)
    return row


def _current_member(session: Session, core: KeyCore, user_id: object, field: str) -> int | None:
    if user_id is None:
        return None
    if not is_core_member(session, user_id, core.id):
        raise ValidationError("core_owner_not_member", field=field)
    return int(user_id)  # type: ignore[call-overload]


def add_task(session: Session, actor_id: int, core_id: object, title: object, owner_id: object = None,
             due_on: object = None) -> KeyCoreTask:
    core = get_core(session, core_id)
    _require_worker(session, actor_id, core)
    if due_on is not None and not isinstance(due_on, date):
        raise ValidationError("date_invalid", field="due")
    task = KeyCoreTask(core_id=core.id, title=_text(title, "task", 200, required=True),
                       owner_id=_current_member(session, core, owner_id, "owner"), due_on=due_on)
    session.add(task)
    record(session, actor_id, "key_core.task_added", task, table_id=core.table_id)
    if task.owner_id is not None and task.owner_id != actor_id:
        notify(session, task.owner_id, "key_core", event="task", core_id=core.id, name=core.name[:120],
               task=task.title[:120])
    return task


def set_task_done(session: Session, actor_id: int, task_id: object, done: bool = True) -> KeyCoreTask:
    task = session.get(KeyCoreTask, task_id) if _is_id(task_id) else None
    if task is None:
        raise NotFound("core_task_not_found")
    core = get_core(session, task.core_id)
    _require_worker(session, actor_id, core)
    if (task.done_at is not None) == bool(done):
        return task
    before = snapshot(task, ["done_at"])
    task.done_at = utcnow() if done else None
    record(session, actor_id, "key_core.task_done" if done else "key_core.task_reopened", task, before=before,
           table_id=core.table_id)
    return task


def log_meeting(session: Session, actor_id: int, core_id: object, held_on: object, attendees: object,
                minutes: object, decisions: object) -> KeyCoreMeeting:
    core = get_core(session, core_id)
    _require_worker(session, actor_id, core)
    if not isinstance(held_on, date) or held_on > utcnow().date():
        raise ValidationError("core_meeting_date_invalid", field="held_on")
    meeting = KeyCoreMeeting(core_id=core.id, held_on=held_on, recorded_by_id=actor_id,
                             attendees=_text(attendees, "attendees", 1000),
                             minutes=_text(minutes, "minutes", TEXT_MAX, required=True),
                             decisions=_text(decisions, "decisions", TEXT_MAX))
    session.add(meeting)
    record(session, actor_id, "key_core.meeting_logged", meeting, table_id=core.table_id)
    return meeting


@dataclass(frozen=True)
class CoreView:
    core: KeyCore
    members: list[tuple[KeyCoreMember, str]]     # (membership, person's name)
    tasks: list[KeyCoreTask]
    meetings: list[KeyCoreMeeting]


def core_view(session: Session, reader_id: object, core_id: object) -> CoreView:
    from models.orm.people import User

    core = get_core(session, core_id)
    if not may_read_core(session, reader_id, core):
        raise PermissionDenied("core_members_only")
    members = [(m, name) for m, name in session.execute(
        select(KeyCoreMember, User.name).join(User, User.id == KeyCoreMember.user_id)
        .where(KeyCoreMember.core_id == core.id, KeyCoreMember.left_at.is_(None)).order_by(KeyCoreMember.id)).all()]
    tasks = list(session.scalars(select(KeyCoreTask).where(KeyCoreTask.core_id == core.id).order_by(KeyCoreTask.id)))
    meetings = list(session.scalars(select(KeyCoreMeeting).where(KeyCoreMeeting.core_id == core.id)
                                    .order_by(KeyCoreMeeting.held_on.desc(), KeyCoreMeeting.id.desc())))
    return CoreView(core, members, tasks, meetings)


def core_of(session: Session, *, project_id: int | None = None, proposal_id: int | None = None) -> KeyCore | None:
    if project_id is not None:
        return session.scalar(select(KeyCore).where(KeyCore.project_id == project_id))
    return session.scalar(select(KeyCore).where(KeyCore.proposal_id == proposal_id)) if proposal_id else None


def cores_of_user(session: Session, user_id: int) -> list[tuple[KeyCore, str, int]]:
    """(core, the person's role, open tasks) of the cores someone belongs to, for /my: one statement, however
    many cores."""
    open_tasks = (select(func.count()).select_from(KeyCoreTask)
                  .where(KeyCoreTask.core_id == KeyCore.id, KeyCoreTask.done_at.is_(None)).scalar_subquery())
    rows = session.execute(select(KeyCore, KeyCoreMember.role, open_tasks)
                           .join(KeyCoreMember, KeyCoreMember.core_id == KeyCore.id)
                           .where(KeyCoreMember.user_id == user_id, KeyCoreMember.left_at.is_(None))
                           .order_by(KeyCore.id.desc())).all()
    return [(core, role, int(n or 0)) for core, role, n in rows]


__all__ = ["CoreMemberInput", "CoreView", "add_member", "add_task", "core_of", "core_view", "cores_of_user",
           "form_core", "get_core", "is_core_member", "log_meeting", "may_read_core", "remove_member",
           "set_task_done"]
