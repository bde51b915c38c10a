"""Model pilots: completed projects the governorate holds up as examples, with a short story, and
"replicate this", which drafts the same project in another table or district to adapt.

Imports sqlalchemy and models' foundation only. A replica is a draft of the target table with the
pilot's needs (quantities and skills, no dates), milestones (due dates moved to start today) and
indicators (targets kept, baselines empty: the new place measures its own).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.clock import county_date, county_today
from models.core.enums import ProjectStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import is_chair_of, is_governorate, require_governorate
from models.orm.geo import District
from models.orm.projects import Need, Project
from models.orm.results import Indicator, Milestone, ModelPilot, PilotReplication
from models.orm.tables import Table
from models.results.common import project_or_404, text, title_params
from models.results.indicators import Curve, curves

MAX_STORY = 2000


@dataclass
class PilotView:
    pilot_id: int
    project_id: int
    title_fa: str
    title_en: str
    table_fa: str
    table_en: str
    problem: str
    what_was_done: str
    by_whom: str
    cost_rials: int | None
    replications: int
    indicators: list[Curve] = field(default_factory=list)


def mark_pilot(session: Session, actor_id: int, project_id: object, problem: object, what_was_done: object,
               by_whom: object = "", cost_rials: object = None) -> ModelPilot:
    """The governorate marks a completed project a model pilot with its story (audited "pilot.marked")."""
    require_governorate(session, actor_id)
    project = project_or_404(session, project_id)
    if project.status is not ProjectStatus.COMPLETED:
        raise ValidationError("pilot_not_completed")
    if session.scalar(select(ModelPilot.id).where(ModelPilot.project_id == project.id)) is not None:
        raise Conflict("pilot_already_marked")
    if cost_rials is not None and (isinstance(cost_rials, bool) or not isinstance(cost_rials, int)
                                   or not 0 <= cost_rials < 10**17):
        raise ValidationError("pilot_cost_invalid", field="cost")
    pilot = ModelPilot(project_id=project.id, problem=text(problem, "problem", MAX_STORY, required=True),
                       what_was_done=text(what_was_done, "what_was_done", MAX_STORY, required=True),
                       by_whom=text(by_whom, "by_whom", MAX_STORY), cost_rials=cost_rials, marked_by_id=actor_id)
    session.add(pilot)
    record(session, actor_id, "pilot.marked", pilot, table_id=project.table_id)
    chair = session.scalar(select(Table.chair_id).where(Table.id == project.table_id))
    if chair is not None:
        notify(session, chair, "pilot_marked", **title_params(project))
    return pilot


def may_replicate(session: Session, user_id: object, table_id: object) -> bool:
    """The governorate into any table; a chair into a table they chair."""
    return is_governorate(session, user_id) or is_chair_of(session, user_id, table_id)


def replicate(session: Session, actor_id: int, pilot_id: object, table_id: object, district_id: object = None,
              today: date | None = None) -> Project:
    """Draft the pilot's project in `table_id` (and `district_id`) to adapt (audited "pilot.replicated")."""
    if isinstance(pilot_id, bool) or not isinstance(pilot_id, int) or \
            (pilot := session.get(ModelPilot, pilot_id)) is None:
        raise NotFound("pilot_not_found")
    if not may_replicate(session, actor_id, table_id):
        raise PermissionDenied("replicate_not_allowed")
    table = session.get(Table, table_id)
    if table is None or table.archived_at is not None:
        raise NotFound("table_not_found")
    source = session.get(Project, pilot.project_id)
    assert source is not None
    district = None
    if district_id is not None:
        district = session.get(District, district_id) if isinstance(district_id, int) and \
            not isinstance(district_id, bool) else None
        if district is None:
            raise ValidationError("district_unknown", field="district")
    if table.id == source.table_id and (district.id if district else None) == source.district_id:
        raise ValidationError("replica_same_place", field="district")
    copy = Project(table_id=table.id, kind=source.kind, title_fa=source.title_fa, title_en=source.title_en,
                   summary_fa=source.summary_fa, summary_en=source.summary_en, problem=source.problem,
                   evidence=None, affected=source.affected, capacity=source.capacity, horizon=source.horizon,
                   district_id=district.id if district else None, priority=source.priority,
                   status=ProjectStatus.DRAFT, estimated_cost_rials=source.estimated_cost_rials,
                   created_by_id=actor_id)
    session.add(copy)
    record(session, actor_id, "project.created", copy, table_id=table.id)
    _copy_path(session, actor_id, source, copy, today or county_today())
    link = PilotReplication(pilot_id=pilot.id, project_id=copy.id, created_by_id=actor_id)
    session.add(link)
    record(session, actor_id, "pilot.replicated", link, table_id=table.id)
    if table.chair_id is not None and table.chair_id != actor_id:
        notify(session, table.chair_id, "pilot_replicated", **title_params(copy))
    return copy


def _copy_path(session: Session, actor_id: int, source: Project, copy: Project, today: date) -> None:
    new_need = {}
    for need in (n for n in source.needs if n.removed_at is None):
        twin = Need(project_id=copy.id, kind=need.kind, quantity=need.quantity, description=need.description,
                    item_id=need.item_id)
        twin.skills = list(need.skills)
        twin.accepts = list(need.accepts)
        session.add(twin)
        record(session, actor_id, "need.created", twin, table_id=copy.table_id)
        new_need[need.id] = twin.id
    start = county_date(source.created_at)
    for m in session.scalars(select(Milestone).where(Milestone.project_id == source.id).order_by(Milestone.id)):
        twin_m = Milestone(project_id=copy.id, title=m.title, responsible=m.responsible,
                           due_on=today + max(m.due_on - start, today - today),
                           need_ids=sorted(new_need[n] for n in (m.need_ids or []) if n in new_need))
        session.add(twin_m)
        record(session, actor_id, "milestone.added", twin_m, table_id=copy.table_id)
    for i in session.scalars(select(Indicator).where(Indicator.project_id == source.id).order_by(Indicator.id)):
        twin_i = Indicator(project_id=copy.id, name=i.name, unit=i.unit, baseline=None, target=i.target,
                           source=i.source)
        session.add(twin_i)
        record(session, actor_id, "indicator.added", twin_i, table_id=copy.table_id)


def _view(session: Session, pilot: ModelPilot, project: Project, table: Table, count: int) -> PilotView:
    return PilotView(pilot.id, project.id, project.title_fa, project.title_en or project.title_fa, table.name_fa,
                     table.name_en or table.name_fa, pilot.problem, pilot.what_was_done, pilot.by_whom,
                     pilot.cost_rials, count, curves(session, project.id))


def _counts(session: Session) -> dict[int, int]:
    return dict(session.execute(select(PilotReplication.pilot_id, func.count())
                                .group_by(PilotReplication.pilot_id)).all())


def gallery(session: Session) -> list[PilotView]:
    """Every model pilot, newest first, for the public /pilots."""
    counts = _counts(session)
    rows = session.execute(select(ModelPilot, Project, Table).join(Project, Project.id == ModelPilot.project_id)
                           .join(Table, Table.id == Project.table_id).order_by(ModelPilot.marked_at.desc(),
                                                                                 ModelPilot.id.desc())).all()
    return [_view(session, pilot, project, table, counts.get(pilot.id, 0)) for pilot, project, table in rows]


def pilot_view(session: Session, pilot_id: object) -> PilotView:
    if isinstance(pilot_id, bool) or not isinstance(pilot_id, int) or \
            (pilot := session.get(ModelPilot, pilot_id)) is None:
        raise NotFound("pilot_not_found")
    project = session.get(Project, pilot.project_id)
    assert project is not None
    return _view(session, pilot, project, project.table, _counts(session).get(pilot.id, 0))


def pilot_of_project(session: Session, project_id: int) -> int | None:
    return session.scalar(select(ModelPilot.id).where(ModelPilot.project_id == project_id))
