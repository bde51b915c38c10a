"""What the results operations share: who may report on a project, and checking short texts and numbers.

Imports sqlalchemy and models' foundation only.
"""
from __future__ import annotations

import math
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.enums import AllocationStatus, ProjectStatus
from models.core.errors import NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import active_user, is_chair_of
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project

MAX_VALUE = 1e12
FINAL = (ProjectStatus.CANCELLED,)


def project_or_404(session: Session, project_id: object) -> Project:
    if isinstance(project_id, bool) or not isinstance(project_id, int):
        raise NotFound("project_not_found")
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("project_not_found")
    return project


def may_record_progress(session: Session, user_id: object, project: Project) -> bool:
    """The table's chair reports on its projects (the key core's lead will join here, issue 21)."""
    return is_chair_of(session, user_id, project.table_id)


def reporting_project(session: Session, user_id: object, project_id: object) -> Project:
    """The project, if `user_id` may set its targets, path and progress; a cancelled one takes none."""
    project = project_or_404(session, project_id)
    if active_user(session, user_id) is None or not may_record_progress(session, user_id, project):
        raise PermissionDenied("not_chair_of_table")
    if project.status in FINAL:
        raise ValidationError("project_cancelled_no_results")
    return project


def text(value: object, field: str, maximum: int, *, required: bool = False) -> str:
    cleaned = " ".join(value.split()) if isinstance(value, str) and field != "body" else (
        value.strip() if isinstance(value, str) else "")
    if required and not cleaned:
        raise ValidationError(f"{field}_required", field=field)
    if len(cleaned) > maximum:
        raise ValidationError("text_too_long", field=field, maximum=maximum)
    return cleaned


def number(value: object, field: str, *, required: bool = True) -> float | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > MAX_VALUE:
        raise ValidationError("indicator_value_invalid", field=field)
    return float(value)


def a_date(value: object, field: str, *, required: bool = True) -> date | None:
    if value is None and not required:
        return None
    if not isinstance(value, date):
        raise ValidationError("date_invalid", field=field)
    return value


def contributors(session: Session, project_id: int) -> list[int]:
    """The citizens whose accepted or delivered help serves the project (they hear of its progress)."""
    return sorted(set(session.scalars(
        select(Pledge.citizen_id).join(Allocation, Allocation.pledge_id == Pledge.id)
        .join(Need, Need.id == Allocation.need_id)
        .where(Need.project_id == project_id,
               Allocation.status.in_((AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED))))))


def notify_all(session: Session, user_ids, kind: str, **params) -> None:
    for uid in sorted(set(user_ids)):
        notify(session, uid, kind, **params)


def title_params(project: Project) -> dict:
    return {"project_id": project.id, "project_fa": project.title_fa,
            "project_en": project.title_en or project.title_fa}
