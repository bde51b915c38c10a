"""The demo's results (issue 22 item 6): two Amol projects under way with indicators, a path of milestones
(one late) and progress updates with a photo, and one completed project made a model pilot.

Imports Pillow, sqlalchemy and models. Rows are inserted directly with fixed times and their audit rows
returned, like the rest of the seed (models.demo.seed), so seeding twice gives identical data; the
photos are drawn here with Pillow (a few hundred bytes each), not shipped.
"""
from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models.core.enums import ProjectStatus
from models.orm.projects import Need, Project
from models.orm.results import Indicator, Milestone, ModelPilot, ProgressUpdate, ResultFile
from models.orm.tables import Table
from models.orm.uploads import Upload, UploadBlob

# (indicator fa, unit fa, baseline, target, source fa), then (value, days after the baseline) measured since
UNDER_WAY = [
    (("خانوارهای دارای آب آشامیدنی سالم", "خانوار", 120, 400, "پایش مرکز بهداشت شهرستان آمل"), [(180, 30), (240, 55)]),
    (("دانش‌آموزان کارگاه", "نفر", 0, 60, "فهرست حضور کارگاه"), [(18, 40)]),
]
MILESTONES = [("خرید مصالح", -25, True), ("اجرای بخش نخست", -10, False), ("تحویل و افتتاح", 45, False)]
UPDATES = ["مصالح رسید و کار بخش نخست آغاز شد.", "بخش نخست پیش می‌رود؛ عکس از کار امروز."]


def _photo(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 200), (210, 225, 235))
    draw = ImageDraw.Draw(img)
    draw.rectangle((20 + seed * 10, 60, 300, 180), fill=(90 + seed * 40, 140, 80))
    draw.ellipse((240, 15, 290, 55), fill=(250, 200, 60))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _audit(rows: list, at: datetime, actor: int | None, action: str, model, object_id: int, table_id: int) -> None:
    rows.append(dict(at=at, actor_id=actor, action=action, object_type=model.__tablename__, object_id=object_id,
                     table_id=table_id, before=None, after={"demo": True}))


def _insert(session: Session, model, row: dict) -> int:
    return int(session.execute(insert(model).returning(model.id), [row]).scalar_one())


def seed_results(session: Session, now: datetime, governorate_id: int) -> list[dict]:
    """Add the demo's results; the audit rows to chain with the seed's."""
    audit: list[dict] = []
    projects = list(session.scalars(select(Project).where(Project.status == ProjectStatus.IN_PROGRESS)
                                    .order_by(Project.id).limit(len(UNDER_WAY))))
    for n, (project, (indicator, values)) in enumerate(zip(projects, UNDER_WAY)):
        chair = session.scalar(select(Table.chair_id).where(Table.id == project.table_id)) or governorate_id
        _under_way(session, audit, project, chair, indicator, values, now, n)
    completed = session.scalar(select(Project).where(Project.status == ProjectStatus.COMPLETED).order_by(Project.id))
    if completed is not None:
        _pilot(session, audit, completed, governorate_id, now)
    return audit


def _under_way(session, audit, project, chair, indicator, values, now: datetime, n: int) -> None:
    name, unit, baseline, target, source = indicator
    today = now.date()
    start = today - timedelta(days=60)
    ind = _insert(session, Indicator, dict(project_id=project.id, name=name, unit=unit, baseline=baseline,
                                           target=target, source=source, baseline_on=start,
                                           target_on=today + timedelta(days=120), created_at=now))
    _audit(audit, now, chair, "indicator.added", Indicator, ind, project.table_id)
    need_ids = list(session.scalars(select(Need.id).where(Need.project_id == project.id).order_by(Need.id)))
    for title, offset, done in MILESTONES:
        due = today + timedelta(days=offset)
        mid = _insert(session, Milestone, dict(project_id=project.id, title=title, due_on=due,
                                               responsible="رئیس میز", need_ids=need_ids[:1],
                                               done_on=due - timedelta(days=2) if done else None, created_at=now))
        _audit(audit, now, chair, "milestone.added", Milestone, mid, project.table_id)
    for k, (value, days) in enumerate(values):
        posted = now - timedelta(days=60 - days)
        uid = _insert(session, ProgressUpdate, dict(project_id=project.id, author_id=chair,
                                                    body=UPDATES[k % len(UPDATES)], indicator_id=ind, value=value,
                                                    measured_on=start + timedelta(days=days), posted_at=posted))
        _audit(audit, posted, chair, "progress.posted", ProgressUpdate, uid, project.table_id)
        if k == len(values) - 1:
            _attach_photo(session, audit, uid, chair, project.table_id, posted, n * 10 + k)


def _attach_photo(session, audit, update_id: int, owner: int, table_id: int, at: datetime, seed: int) -> None:
    data = _photo(seed % 4)
    token = hashlib.sha256(f"hamyar-demo-photo-{seed}".encode()).hexdigest()[:43]
    upload = _insert(session, Upload, dict(token=token, owner_id=owner, purpose="progress_photo", kind="image",
                                           content_type="image/jpeg", size=len(data),
                                           sha256=hashlib.sha256(data).hexdigest(), width=320, height=200,
                                           name="progress.jpg", is_public=True, created_at=at, hidden_at=None))
    session.execute(insert(UploadBlob), [dict(upload_id=upload, data=data)])
    _audit(audit, at, owner, "upload.add", Upload, upload, table_id)
    fid = _insert(session, ResultFile, dict(upload_id=upload, update_id=update_id, allocation_id=None,
                                            attached_by_id=owner, attached_at=at))
    _audit(audit, at, owner, "result_file.attached", ResultFile, fid, table_id)


def _pilot(session, audit, project, governorate_id: int, now: datetime) -> None:
    start = now.date() - timedelta(days=200)
    ind = _insert(session, Indicator, dict(project_id=project.id, name="بازدیدکنندگان ماهانه", unit="نفر",
                                           baseline=150, target=600, source="دفتر ثبت بازدید",
                                           baseline_on=start, target_on=start + timedelta(days=180), created_at=now))
    _audit(audit, now, governorate_id, "indicator.added", Indicator, ind, project.table_id)
    chair = session.scalar(select(Table.chair_id).where(Table.id == project.table_id)) or governorate_id
    uid = _insert(session, ProgressUpdate, dict(project_id=project.id, author_id=chair,
                                                body="پروژه به پایان رسید و بازدیدها به ۶۴۰ نفر در ماه رسید.",
                                                indicator_id=ind, value=640, measured_on=start + timedelta(days=170),
                                                posted_at=now - timedelta(days=30)))
    _audit(audit, now - timedelta(days=30), chair, "progress.posted", ProgressUpdate, uid, project.table_id)
    pid = _insert(session, ModelPilot, dict(
        project_id=project.id, problem=project.problem or project.capacity or project.summary_fa,
        what_was_done="داوطلبان محله با کمک کارشناسان میز، کار را در شش ماه به انجام رساندند.",
        by_whom="اعضای میز، ۴۰ داوطلب محلی و دو کارشناس", cost_rials=project.estimated_cost_rials or None,
        marked_by_id=governorate_id, marked_at=now))
    _audit(audit, now, governorate_id, "pilot.marked", ModelPilot, pid, project.table_id)


__all__ = ["seed_results"]
