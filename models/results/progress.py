"""The chair's progress updates (a text, photos and documents, an indicator's new value) and the timeline
the project page shows: updates and milestones in date order.

Imports sqlalchemy and models' foundation only. A progress photo is seen by anyone while it is attached to
an update of a published project; while the project is a draft (not yet published, or back to draft) only
by the table's chair and the governorate. The rule reads the project's status each time the file is
served (`decides`), so a photo made public never stays public when its project stops being so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.clock import county_date, county_today
from models.core.enums import ProjectStatus
from models.core.errors import ValidationError
from models.core.permissions import is_chair_of
from models.core.uploads import register_viewer, set_public, uploads_by_token
from models.orm.people import User
from models.orm.projects import Project
from models.orm.results import Indicator, ProgressUpdate, ResultFile
from models.orm.uploads import Upload
from models.results.common import (
    a_date,
    contributors,
    notify_all,
    number,
    project_or_404,
    reporting_project,
    text,
    title_params,
)
from models.results.milestones import MilestoneView, path_of

PHOTO_PURPOSE = "progress_photo"
MAX_BODY = 2000
MAX_FILES = 8


@dataclass
class UpdateView:
    update_id: int
    posted_at: datetime
    body: str
    indicator_name: str | None
    value: float | None
    unit: str
    measured_on: date | None
    files: list[tuple[str, str, str]] = field(default_factory=list)   # (token, kind, name)


@dataclass
class TimelineEntry:
    day: date
    kind: str                     # "update" or "milestone"
    update: UpdateView | None = None
    milestone: MilestoneView | None = None


def _published(project: Project) -> bool:
    return project.status is not ProjectStatus.DRAFT


def post_update(session: Session, actor_id: int, project_id: object, body: object, tokens: object = (),
                indicator_id: object = None, value: object = None, measured_on: object = None,
                today: date | None = None) -> ProgressUpdate:
    """The chair reports progress (audited "progress.posted"); the project's contributors are told."""
    project = reporting_project(session, actor_id, project_id)
    words = text(body, "body", MAX_BODY)
    if not isinstance(tokens, (list, tuple)) or len(tokens) > MAX_FILES:
        raise ValidationError("too_many_files", maximum=MAX_FILES)
    indicator = None
    if indicator_id is not None:
        indicator = session.get(Indicator, indicator_id) if isinstance(indicator_id, int) and \
            not isinstance(indicator_id, bool) else None
        if indicator is None or indicator.project_id != project.id:
            raise ValidationError("indicator_unknown", field="indicator")
        value = number(value, "value")
        measured_on = a_date(measured_on if measured_on is not None else (today or county_today()), "measured_on")
        if measured_on is None or measured_on > (today or county_today()):
            raise ValidationError("measured_in_future", field="measured_on")
    elif value is not None:
        raise ValidationError("indicator_unknown", field="indicator")
    files = uploads_by_token(session, list(tokens), actor_id)
    if not words and indicator is None and not files:
        raise ValidationError("update_empty", field="body")
    if any(u.purpose != PHOTO_PURPOSE for u in files) or _attached(session, files):
        raise ValidationError("upload_not_yours", field="file")
    update = ProgressUpdate(project_id=project.id, author_id=actor_id, body=words,
                            indicator_id=indicator.id if indicator else None,
                            value=value if indicator else None, measured_on=measured_on if indicator else None)
    session.add(update)
    record(session, actor_id, "progress.posted", update, table_id=project.table_id)
    for upload in files:
        row = ResultFile(upload_id=upload.id, update_id=update.id, attached_by_id=actor_id)
        session.add(row)
        record(session, actor_id, "result_file.attached", row, table_id=project.table_id)
    if _published(project):
        set_public(session, actor_id, files, True)
    notify_all(session, [c for c in contributors(session, project.id) if c != actor_id], "progress_posted",
               **title_params(project))
    return update


def _attached(session: Session, files: list[Upload]) -> bool:
    ids = [u.id for u in files]
    return bool(ids) and session.scalar(select(ResultFile.id).where(ResultFile.upload_id.in_(ids)).limit(1)) is not None


def updates_of(session: Session, project_id: int) -> list[UpdateView]:
    rows = list(session.execute(select(ProgressUpdate, Indicator).outerjoin(Indicator,
                                Indicator.id == ProgressUpdate.indicator_id)
                                .where(ProgressUpdate.project_id == project_id)
                                .order_by(ProgressUpdate.posted_at.desc(), ProgressUpdate.id.desc())))
    views = {u.id: UpdateView(u.id, u.posted_at, u.body, i.name if i else None, u.value, i.unit if i else "",
                              u.measured_on) for u, i in rows}
    if views:
        for update_id, token, kind, name in session.execute(
                select(ResultFile.update_id, Upload.token, Upload.kind, Upload.name)
                .join(Upload, Upload.id == ResultFile.upload_id)
                .where(ResultFile.update_id.in_(list(views)), Upload.hidden_at.is_(None)).order_by(ResultFile.id)):
            if update_id is not None:
                views[update_id].files.append((token, kind, name))
    return list(views.values())


def timeline(session: Session, project_id: int, today: date | None = None,
             path: list[MilestoneView] | None = None) -> list[TimelineEntry]:
    """Updates and milestones, newest first (a milestone sits at its done date, else its due date); `path`
    when the caller has read it already."""
    entries = [TimelineEntry(county_date(u.posted_at), "update", update=u) for u in updates_of(session, project_id)]
    milestones = path if path is not None else path_of(session, project_id, today)
    entries += [TimelineEntry(m.done_on or m.due_on, "milestone", milestone=m) for m in milestones]
    return sorted(entries, key=lambda e: (e.day, e.kind == "update"), reverse=True)


def _may_see_photo(session: Session, user: User | None, upload: Upload) -> bool | None:
    """Anyone while the project is published; its table's chair while it is a draft; None while the photo is
    attached to no update (its owner's, as the upload widget shows it)."""
    project_id = session.scalar(select(ProgressUpdate.project_id).join(ResultFile, ResultFile.update_id ==
                                ProgressUpdate.id).where(ResultFile.upload_id == upload.id))
    if project_id is None:
        return None
    project = project_or_404(session, project_id)
    if _published(project):
        return True
    return user is not None and is_chair_of(session, user.id, project.table_id)


register_viewer(PHOTO_PURPOSE, _may_see_photo, decides=True)
