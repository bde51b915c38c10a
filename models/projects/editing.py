"""A table's projects and needs: drafting (members), publishing and status changes (the chair).

Imports sqlalchemy and models only. Status machine: draft → open → in_progress → completed,
and any of the first three → cancelled. A project with undecided proposals cannot be completed;
cancelling releases its proposals and accepted-but-undelivered allocations and tells the citizens.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record, record_many, snapshot
from models.core.capacity import lock_rows, need_usage, refresh_pledge_statuses
from models.core.enums import AllocationStatus, DistrictLevel, HelpKind, Horizon, ProjectKind, ProjectStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import is_chair_of, is_member_of
from models.core.validation import SKILLED_KINDS, validate_quantity, validate_window
from models.orm.geo import District
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from models.orm.skills import Skill
from models.orm.tables import Table, TableMembership

TRANSITIONS = {
    ProjectStatus.DRAFT: {ProjectStatus.OPEN, ProjectStatus.CANCELLED},
    ProjectStatus.OPEN: {ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED},
    ProjectStatus.IN_PROGRESS: {ProjectStatus.COMPLETED, ProjectStatus.CANCELLED},
    ProjectStatus.COMPLETED: set(),
    ProjectStatus.CANCELLED: set(),
}


@dataclass(frozen=True)
class ProjectInput:
    kind: str
    title_fa: str
    title_en: str = ""
    summary_fa: str = ""
    summary_en: str = ""
    problem: str = ""
    evidence: str = ""
    affected: str = ""
    capacity: str = ""
    horizon: str | None = None
    district_id: int | None = None
    priority: int = 5
    estimated_cost_rials: int = 0


@dataclass(frozen=True)
class NeedInput:
    kind: str
    quantity: int
    description: str = ""
    skill_ids: tuple[int, ...] = field(default_factory=tuple)
    window_start: date | None = None
    window_end: date | None = None
    item_id: int | None = None                       # logistics: the catalogue item asked for (required)
    accept_ids: tuple[int, ...] = field(default_factory=tuple)  # logistics: items accepted instead


def _need_items(session: Session, kind: HelpKind, data: NeedInput) -> tuple:
    """(item, substitutes) of a need: logistics names an active catalogue item, the other kinds none."""
    from models.projects.items import active_item

    accept_ids = data.accept_ids if data.accept_ids is not None else ()
    if not isinstance(accept_ids, (list, tuple, set, frozenset)):
        raise ValidationError("item_unknown", field="accepts")
    if kind is not HelpKind.LOGISTICS:
        if data.item_id is not None or accept_ids:
            raise ValidationError("item_not_for_kind", field="item")
        return None, []
    if data.item_id is None:
        raise ValidationError("item_required", field="item")
    item = active_item(session, data.item_id)
    subs = [active_item(session, i, "accepts") for i in sorted(set(accept_ids)) if i != item.id]
    return item, subs


def _text(value: object, field_name: str, limit: int, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationError("field_required", field=field_name)
    if len(text) > limit:
        raise ValidationError("text_too_long", field=field_name, maximum=limit)
    return text


def _project_fields(session: Session, data: ProjectInput) -> dict:
    try:
        kind = ProjectKind(data.kind)
    except ValueError:
        raise ValidationError("project_kind_unknown", field="kind") from None
    if isinstance(data.priority, bool) or not isinstance(data.priority, int) or not 1 <= data.priority <= 10:
        raise ValidationError("priority_out_of_range", field="priority")
    cost = data.estimated_cost_rials
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0 or cost > 10**15:
        raise ValidationError("cost_invalid", field="estimated_cost_rials")
    if data.district_id is not None and (
            isinstance(data.district_id, bool) or not isinstance(data.district_id, int)
            or session.scalar(select(District.id).where(District.id == data.district_id,
                                                        District.level != DistrictLevel.COUNTY)) is None):
        raise ValidationError("district_unknown", field="district")
    values = dict(kind=kind, title_fa=_text(data.title_fa, "title", 200, required=True),
                  title_en=_text(data.title_en, "title_en", 200) or None,
                  summary_fa=_text(data.summary_fa, "summary", 4000), summary_en=_text(data.summary_en, "summary_en", 4000) or None,
                  district_id=data.district_id, priority=data.priority, estimated_cost_rials=cost,
                  problem=None, evidence=None, affected=None, capacity=None, horizon=None)
    if kind is ProjectKind.PROBLEM:
        values.update(problem=_text(data.problem, "problem", 4000, required=True),
                      evidence=_text(data.evidence, "evidence", 4000) or None,
                      affected=_text(data.affected, "affected", 4000) or None)
    else:
        try:
            horizon = Horizon(data.horizon or "")
        except ValueError:
            raise ValidationError("horizon_required", field="horizon") from None
        values.update(capacity=_text(data.capacity, "capacity", 4000, required=True), horizon=horizon)
    return values


def _editable_project(session: Session, actor_id: int, project_id: object) -> Project:
    if isinstance(project_id, bool) or not isinstance(project_id, int):
        raise NotFound("project_not_found")
    lock_rows(session, Project, [project_id])
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("project_not_found")
    if is_chair_of(session, actor_id, project.table_id):
        pass
    elif is_member_of(session, actor_id, project.table_id) and project.status is ProjectStatus.DRAFT:
        pass  # members may shape drafts; publishing is the chair's
    else:
        raise PermissionDenied("not_chair_of_table")
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        raise Conflict("project_closed")
    return project


def create_project(session: Session, actor_id: int, table_id: int, data: ProjectInput) -> Project:
    """A member or the chair drafts a project on their table."""
    table = session.get(Table, table_id) if isinstance(table_id, int) and not isinstance(table_id, bool) else None
    if table is None or table.archived_at is not None:
        raise NotFound("table_not_found")
    if not (is_chair_of(session, actor_id, table_id) or is_member_of(session, actor_id, table_id)):
        raise PermissionDenied("members_only")
    project = Project(table_id=table_id, status=ProjectStatus.DRAFT, created_by_id=actor_id,
                      **_project_fields(session, data))
    session.add(project)
    record(session, actor_id, "project.created", project, table_id=table_id)
    return project


def update_project(session: Session, actor_id: int, project_id: object, data: ProjectInput) -> Project:
    project = _editable_project(session, actor_id, project_id)
    before = snapshot(project)
    for key, value in _project_fields(session, data).items():
        setattr(project, key, value)
    record(session, actor_id, "project.updated", project, before=before, table_id=project.table_id)
    return project


def add_need(session: Session, actor_id: int, project_id: object, data: NeedInput) -> Need:
    project = _editable_project(session, actor_id, project_id)
    try:
        kind = HelpKind(data.kind)
    except (TypeError, ValueError):
        raise ValidationError("kind_unknown", field="kind") from None
    quantity = validate_quantity(kind, data.quantity)
    validate_window(data.window_start, data.window_end)
    skills = _skills_for(session, kind, data.skill_ids)
    item, substitutes = _need_items(session, kind, data)
    need = Need(project_id=project.id, kind=kind, quantity=quantity,
                description=_text(data.description, "description", 200),
                window_start=data.window_start, window_end=data.window_end, item_id=item.id if item else None)
    need.skills = skills
    need.accepts = substitutes
    session.add(need)
    record(session, actor_id, "need.created", need, table_id=project.table_id)
    return need


def change_need_quantity(session: Session, actor_id: int, need_id: object, quantity: int) -> Need:
    if isinstance(need_id, bool) or not isinstance(need_id, int):
        raise NotFound("need_not_found")
    need = session.get(Need, need_id)
    if need is None:
        raise NotFound("need_not_found")
    project = _editable_project(session, actor_id, need.project_id)
    lock_rows(session, Need, [need.id])
    quantity = validate_quantity(need.kind, quantity)
    taken = need_usage(session, [need.id])[need.id]
    if quantity < taken:
        raise Conflict("need_below_allocated", allocated=taken)
    before = snapshot(need, ["quantity"])
    need.quantity = quantity
    record(session, actor_id, "need.quantity_changed", need, before=before, table_id=project.table_id)
    return need


def _need_of(session: Session, actor_id: int, need_id: object, *, then_lock=None) -> tuple[Need, Project]:
    """A need still on its project, with the project the actor may edit. Locks in LOCK_ORDER
    (models.core.capacity): the project, then `then_lock(need_id)` (the pledges and allocations a removal
    touches), then the need, read again once locked."""
    if isinstance(need_id, bool) or not isinstance(need_id, int):
        raise NotFound("need_not_found")
    project_id = session.scalar(select(Need.project_id).where(Need.id == need_id))
    if project_id is None:
        raise NotFound("need_not_found")
    project = _editable_project(session, actor_id, project_id)
    if then_lock is not None:
        then_lock(need_id)
    lock_rows(session, Need, [need_id])
    need = session.get(Need, need_id, populate_existing=True)
    if need is None or need.removed_at is not None:
        raise NotFound("need_not_found")
    return need, project


def _checked_version(need: Need, version: object) -> None:
    """The version the editor showed (None: not checked); another editor's change in between refuses."""
    if version is not None and version != need.version:
        raise Conflict("need_changed")


def _skills_for(session: Session, kind: HelpKind, raw: object) -> list[Skill]:
    raw_skills = raw if raw is not None else ()
    if not isinstance(raw_skills, (list, tuple, set, frozenset)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in raw_skills):
        raise ValidationError("skill_unknown", field="skills")
    skill_ids = sorted(set(raw_skills))
    skills = list(session.scalars(select(Skill).where(Skill.id.in_(skill_ids)))) if skill_ids else []
    if len(skills) != len(skill_ids):
        raise ValidationError("skill_unknown", field="skills")
    if skills and kind not in SKILLED_KINDS:  # a hall needing "driving": skills are for design and execution
        raise ValidationError("skills_not_for_kind", field="skills")
    return skills


@dataclass(frozen=True)
class NeedEdit:
    """What the editor may change on an existing need (its kind and item stay; its quantity has its own
    operation, `change_need_quantity`)."""
    description: str = ""
    skill_ids: tuple[int, ...] = field(default_factory=tuple)
    window_start: date | None = None
    window_end: date | None = None


def update_need(session: Session, actor_id: int, need_id: object, data: NeedEdit,
                version: object = None) -> Need:
    """A need's description, skills and time window corrected (issue 20); audited with before and after.

    Proposals already made stay: the next matching run checks them against the new skills and window
    and withdraws those that no longer fit (docs/matching.md, "tie-breaks and stability")."""
    need, project = _need_of(session, actor_id, need_id)
    _checked_version(need, version)
    validate_window(data.window_start, data.window_end)
    skills = _skills_for(session, need.kind, data.skill_ids)
    description = _text(data.description, "description", 200)
    before = {"description": need.description, "skills": [s.id for s in need.skills],
              "window_start": need.window_start.isoformat() if need.window_start else None,
              "window_end": need.window_end.isoformat() if need.window_end else None}
    after = {"description": description, "skills": [s.id for s in skills],
             "window_start": data.window_start.isoformat() if data.window_start else None,
             "window_end": data.window_end.isoformat() if data.window_end else None}
    if before == after:
        return need
    need.description = description
    need.skills = skills
    need.window_start, need.window_end = data.window_start, data.window_end
    record(session, actor_id, "need.updated", need, before=before, after=after, table_id=project.table_id)
    return need


@dataclass(frozen=True)
class NeedRemoval:
    """What removing a need would do, for the editor's confirmation."""
    need_id: int
    proposals: int        # proposed allocations that would be withdrawn
    citizens: int         # whose citizens would be told
    decided: int          # accepted or delivered allocations: while any, the need cannot be removed

    @property
    def allowed(self) -> bool:
        return self.decided == 0


def _need_allocations(session: Session, need_id: int) -> list[Allocation]:
    return list(session.scalars(select(Allocation).where(Allocation.need_id == need_id).order_by(Allocation.id)))


def removal_preview(session: Session, need_id: int) -> NeedRemoval:
    allocations = _need_allocations(session, need_id)
    proposed = [a for a in allocations if a.status is AllocationStatus.PROPOSED]
    return NeedRemoval(need_id, len(proposed), len({a.pledge.citizen_id for a in proposed}),
                       sum(1 for a in allocations if a.status in (AllocationStatus.ACCEPTED,
                                                                   AllocationStatus.DELIVERED)))


def removal_previews(session: Session, need_ids: list[int]) -> dict[int, NeedRemoval]:
    """removal_preview for many needs in two queries (the editor lists every need)."""
    from models.orm.pledges import Pledge

    out = {nid: NeedRemoval(nid, 0, 0, 0) for nid in need_ids}
    if not need_ids:
        return out
    rows = session.execute(select(Allocation.need_id, Allocation.status, Pledge.citizen_id)
                           .join(Pledge, Pledge.id == Allocation.pledge_id)
                           .where(Allocation.need_id.in_(need_ids))).all()
    proposals: dict[int, int] = {}
    citizens: dict[int, set[int]] = {}
    decided: dict[int, int] = {}
    for nid, status, citizen in rows:
        if status is AllocationStatus.PROPOSED:
            proposals[nid] = proposals.get(nid, 0) + 1
            citizens.setdefault(nid, set()).add(citizen)
        elif status in (AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED):
            decided[nid] = decided.get(nid, 0) + 1
    return {nid: NeedRemoval(nid, proposals.get(nid, 0), len(citizens.get(nid, ())), decided.get(nid, 0))
            for nid in need_ids}


def remove_need(session: Session, actor_id: int, need_id: object, version: object = None,
                now: datetime | None = None) -> NeedRemoval:
    """Take a need off its project (issue 20). Refused while help for it is accepted or delivered
    (Conflict("need_has_decided_help")); otherwise its proposals are withdrawn, their citizens told, and the
    need is marked removed (the row stays for the history of its allocations). Audited."""
    from models.core.notify import notify_withdrawn
    from models.orm.base import utcnow
    from models.orm.pledges import Pledge

    def lock_help(nid: int) -> None:  # decisions lock pledge, allocation, need: the same order here
        rows = session.execute(select(Allocation.id, Allocation.pledge_id).where(Allocation.need_id == nid)).all()
        lock_rows(session, Pledge, [p for _a, p in rows])
        lock_rows(session, Allocation, [a for a, _p in rows])

    need, project = _need_of(session, actor_id, need_id, then_lock=lock_help)
    _checked_version(need, version)
    allocations = list(session.scalars(select(Allocation).where(Allocation.need_id == need.id)
                                       .order_by(Allocation.id).execution_options(populate_existing=True)))
    decided = [a for a in allocations if a.status in (AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED)]
    if decided:
        raise Conflict("need_has_decided_help", count=len(decided))
    proposals = [a for a in allocations if a.status is AllocationStatus.PROPOSED]
    preview = NeedRemoval(need.id, len(proposals), len({a.pledge.citizen_id for a in proposals}), 0)
    for alloc in proposals:
        alloc.status = AllocationStatus.WITHDRAWN
    record_many(session, actor_id, "allocation.withdrawn_by_need_removal", proposals,
                table_of=lambda a: project.table_id)
    refresh_pledge_statuses(session, actor_id, {a.pledge_id for a in proposals})
    notify_withdrawn(session, proposals, "need_removed")
    need.removed_at = now or utcnow()
    record(session, actor_id, "need.removed", need, before=snapshot(need, ["kind", "quantity", "description"]),
           after={"removed_at": need.removed_at.isoformat(), "proposals_withdrawn": len(proposals)},
           table_id=project.table_id)
    return preview


def change_status(session: Session, actor_id: int, project_id: object, status: str) -> Project:
    """The chair moves a project along its status machine; returns the project."""
    try:
        target = ProjectStatus(status)
    except ValueError:
        raise ValidationError("status_unknown", field="status") from None
    project = _editable_project(session, actor_id, project_id)
    if not is_chair_of(session, actor_id, project.table_id):
        raise PermissionDenied("not_chair_of_table")
    if target not in TRANSITIONS[project.status]:
        raise Conflict("status_transition_invalid", current=project.status.value, target=target.value)
    allocations = list(session.scalars(select(Allocation).join(Need).where(Need.project_id == project.id)))
    if target is ProjectStatus.OPEN and not [n for n in project.needs if n.removed_at is None]:
        raise ValidationError("project_without_needs")
    if target is ProjectStatus.COMPLETED and any(a.status is AllocationStatus.PROPOSED for a in allocations):
        raise Conflict("project_has_undecided_proposals")
    before = snapshot(project, ["status"])
    project.status = target
    record(session, actor_id, f"project.{target.value}", project, before=before, table_id=project.table_id)
    if target is ProjectStatus.CANCELLED:
        released = [a for a in allocations if a.status in (AllocationStatus.PROPOSED, AllocationStatus.ACCEPTED)]
        for alloc in released:
            alloc.status = AllocationStatus.WITHDRAWN
        record_many(session, actor_id, "allocation.released_by_cancel", released, table_of=lambda a: project.table_id)
        refresh_pledge_statuses(session, actor_id, {a.pledge_id for a in released})
        for citizen_id in sorted({a.pledge.citizen_id for a in released}):
            notify(session, citizen_id, "project_cancelled", project_id=project.id, project_fa=project.title_fa,
                   project_en=project.title_en or project.title_fa)
    return project


# --- what the table page reads -----------------------------------------------------------------


@dataclass
class NeedRow:
    need_id: int
    kind: str
    quantity: int
    taken: int            # proposed + accepted + delivered
    decided: int          # accepted + delivered
    description: str
    skills: list[tuple[str, str]]
    window_start: date | None
    window_end: date | None
    item: tuple[str, str] | None = None                              # logistics: (name_fa, name_en)
    accepts: list[tuple[str, str]] = field(default_factory=list)     # substitutes accepted
    skill_ids: list[int] = field(default_factory=list)
    version: int = 1

    @property
    def coverage(self) -> float:
        return min(self.taken, self.quantity) / self.quantity if self.quantity else 1.0


@dataclass
class ProjectRow:
    project_id: int
    kind: str
    status: str
    title_fa: str
    title_en: str
    summary_fa: str
    summary_en: str
    priority: int
    district_id: int | None
    estimated_cost_rials: int
    problem: str
    evidence: str
    affected: str
    capacity: str
    horizon: str | None
    version: int
    needs: list[NeedRow]

    @property
    def coverage(self) -> float:
        """The mean coverage of the project's needs (each need counts once, whatever its unit)."""
        return sum(n.coverage for n in self.needs) / len(self.needs) if self.needs else 0.0


def table_projects(session: Session, table_id: int, *, include_drafts: bool = False) -> list[ProjectRow]:
    """A table's projects with their needs and coverage, in three queries (open first, then by priority)."""
    from sqlalchemy import case, func
    from sqlalchemy.orm import selectinload

    from models.core.enums import ACTIVE_ALLOCATION, FIXED_ALLOCATION

    q = select(Project).where(Project.table_id == table_id).options(
        selectinload(Project.needs).selectinload(Need.skills),
        selectinload(Project.needs).selectinload(Need.item), selectinload(Project.needs).selectinload(Need.accepts))
    if not include_drafts:
        q = q.where(Project.status != ProjectStatus.DRAFT)
    order = {ProjectStatus.OPEN: 0, ProjectStatus.IN_PROGRESS: 1, ProjectStatus.DRAFT: 2,
             ProjectStatus.COMPLETED: 3, ProjectStatus.CANCELLED: 4}
    projects = sorted(session.scalars(q), key=lambda p: (order[p.status], -p.priority, p.id))
    live = {p.id: [n for n in p.needs if n.removed_at is None] for p in projects}  # removed needs: history only
    need_ids = [n.id for p in projects for n in live[p.id]]
    sums: dict[int, tuple[int, int]] = {}
    if need_ids:
        active = func.sum(case((Allocation.status.in_(ACTIVE_ALLOCATION), Allocation.quantity), else_=0))
        fixed = func.sum(case((Allocation.status.in_(FIXED_ALLOCATION), Allocation.quantity), else_=0))
        sums = {nid: (int(a or 0), int(f or 0)) for nid, a, f in session.execute(
            select(Allocation.need_id, active, fixed).where(Allocation.need_id.in_(need_ids))
            .group_by(Allocation.need_id))}
    return [ProjectRow(
        p.id, p.kind.value, p.status.value, p.title_fa, p.title_en or p.title_fa, p.summary_fa or "", p.summary_en or "",
        p.priority, p.district_id, p.estimated_cost_rials, p.problem or "", p.evidence or "", p.affected or "",
        p.capacity or "", p.horizon.value if p.horizon else None, p.version,
        [NeedRow(n.id, n.kind.value, n.quantity, *sums.get(n.id, (0, 0)), n.description or "",
                 [(s.name_fa, s.name_en) for s in n.skills], n.window_start, n.window_end,
                 (n.item.name_fa, n.item.name_en) if n.item else None,
                 [(a.name_fa, a.name_en) for a in n.accepts], [s.id for s in n.skills],
                 n.version) for n in live[p.id]])
        for p in projects]


def allowed_transitions(status: str) -> list[str]:
    """The statuses a project in `status` may move to, in the order the page offers them."""
    targets = TRANSITIONS[ProjectStatus(status)]
    return [s.value for s in ProjectStatus if s in targets]


@dataclass
class TableCard:
    table_id: int
    name_fa: str
    name_en: str
    chair_name: str | None
    members: int
    active_projects: int
    proposals: int        # awaiting the chair's decision


def tables_overview(session: Session) -> list[TableCard]:
    """Every table that is not archived, with its chair, member count, active projects and pending proposals."""
    from sqlalchemy import func

    from models.orm.people import User

    members = (select(TableMembership.table_id, func.count().label("n")).where(TableMembership.left_at.is_(None))
               .group_by(TableMembership.table_id).subquery())
    projects = (select(Project.table_id, func.count().label("n"))
                .where(Project.status.in_([ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS]))
                .group_by(Project.table_id).subquery())
    proposals = (select(Project.table_id, func.count().label("n")).select_from(Allocation)
                 .join(Need, Allocation.need_id == Need.id).join(Project, Need.project_id == Project.id)
                 .where(Allocation.status == AllocationStatus.PROPOSED).group_by(Project.table_id).subquery())
    rows = session.execute(
        select(Table.id, Table.name_fa, Table.name_en, User.name, func.coalesce(members.c.n, 0),
               func.coalesce(projects.c.n, 0), func.coalesce(proposals.c.n, 0))
        .outerjoin(User, User.id == Table.chair_id)
        .outerjoin(members, members.c.table_id == Table.id).outerjoin(projects, projects.c.table_id == Table.id)
        .outerjoin(proposals, proposals.c.table_id == Table.id)
        .where(Table.archived_at.is_(None)).order_by(Table.id)).all()
    return [TableCard(tid, fa, en, chair, int(m), int(p), int(q)) for tid, fa, en, chair, m, p, q in rows]


def editor_choices(session: Session) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """(districts, skills) a project or need may name, each as (id, name_fa, name_en)."""
    districts = [(r[0], r[1], r[2]) for r in session.execute(select(District.id, District.name_fa, District.name_en)
                                                    .where(District.level != DistrictLevel.COUNTY)
                                                    .order_by(District.id))]
    skills = [(r[0], r[1], r[2]) for r in session.execute(
        select(Skill.id, Skill.name_fa, Skill.name_en).order_by(Skill.id))]
    return districts, skills
