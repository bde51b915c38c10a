"""A project's path: milestones with a due date, who answers for them, the needs they use, when done.

Imports sqlalchemy and models' foundation only. A milestone is late when it is not done by its due
date (or was done after it); the progress bar is the share of milestones done.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.clock import county_today
from models.core.errors import Conflict, NotFound, ValidationError
from models.orm.projects import Need
from models.orm.results import Milestone
from models.results.common import a_date, contributors, notify_all, reporting_project, text, title_params

MAX_MILESTONES = 30


@dataclass
class MilestoneView:
    milestone_id: int
    title: str
    due_on: date
    responsible: str
    need_ids: list[int]
    done_on: date | None
    late: bool          # not done and past due, or done after the due date


def add_milestone(session: Session, actor_id: int, project_id: object, title: object, due_on: object,
                  responsible: object = "", need_ids: object = ()) -> Milestone:
    """The chair adds a step to the project's path (audited "milestone.added")."""
    project = reporting_project(session, actor_id, project_id)
    if len(list(session.scalars(select(Milestone.id).where(Milestone.project_id == project.id)))) >= MAX_MILESTONES:
        raise ValidationError("too_many_milestones", maximum=MAX_MILESTONES)
    if not isinstance(need_ids, (list, tuple)) or not all(isinstance(n, int) and not isinstance(n, bool)
                                                          for n in need_ids):
        raise ValidationError("milestone_need_unknown", field="needs")
    wanted = sorted(set(need_ids))
    own = set(session.scalars(select(Need.id).where(Need.project_id == project.id)))
    if not set(wanted) <= own:  # another project's need
        raise ValidationError("milestone_need_unknown", field="needs")
    milestone = Milestone(project_id=project.id, title=text(title, "title", 200, required=True),
                          due_on=a_date(due_on, "due_on"), responsible=text(responsible, "responsible", 200),
                          need_ids=wanted)
    session.add(milestone)
    record(session, actor_id, "milestone.added", milestone, table_id=project.table_id)
    return milestone


def mark_milestone_done(session: Session, actor_id: int, milestone_id: object, done_on: object,
                        today: date | None = None) -> Milestone:
    """The chair records that a step was reached; its contributors are told (audited "milestone.done")."""
    if isinstance(milestone_id, bool) or not isinstance(milestone_id, int) or \
            (milestone := session.get(Milestone, milestone_id)) is None:
        raise NotFound("milestone_not_found")
    project = reporting_project(session, actor_id, milestone.project_id)
    day = a_date(done_on, "done_on")
    assert day is not None
    if day > (today or county_today()):
        raise ValidationError("done_in_future", field="done_on")
    if milestone.done_on is not None:
        raise Conflict("milestone_already_done")
    before = snapshot(milestone, ["done_on"])
    milestone.done_on = day
    record(session, actor_id, "milestone.done", milestone, before=before, table_id=project.table_id)
    notify_all(session, contributors(session, project.id), "milestone_done", milestone=milestone.title,
               **title_params(project))
    return milestone


def path_of(session: Session, project_id: int, today: date | None = None) -> list[MilestoneView]:
    """The project's milestones by due date, each flagged late or not."""
    day = today or county_today()
    return [MilestoneView(m.id, m.title, m.due_on, m.responsible, list(m.need_ids or []), m.done_on,
                          late=m.is_late(day))
            for m in session.scalars(select(Milestone).where(Milestone.project_id == project_id)
                                     .order_by(Milestone.due_on, Milestone.id))]


def share_done(path: list[MilestoneView]) -> float:
    return sum(1 for m in path if m.done_on is not None) / len(path) if path else 0.0
