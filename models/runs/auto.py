"""Automatic matching per table (issue 16 item 6): a table's chair turns it on; then, in the background, the
table's matching runs after new pledges or decisions, at most every `auto_match_minutes`, and never silently
withdraws or shrinks proposals or lowers coverage (such a run is held for the chair to confirm).

Imports sqlalchemy and models only. `due_tables` says which tables should run now; `run_due` runs them, each
after a preview (models.runs.preview): when the preview warns, the run is not made, the chair gets a
notification and the table's audit log an "matching.auto_held" event with the figures; otherwise the run is
made as the system (actor None) and an "matching.auto" event records what the preview said it would change.
`dash_app.auto_match` calls `run_due` every minute.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.db import Database
from models.core.enums import RunScope, RunStatus
from models.core.errors import Conflict, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import is_chair_of
from models.orm.base import utcnow
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table

MIN_MINUTES, MAX_MINUTES = 5, 24 * 60


def set_auto_matching(session: Session, actor_id: int, table_id: int, enabled: bool, minutes: int) -> Table:
    """The chair turns automatic matching on or off and sets its pace; audited."""
    table = session.get(Table, table_id) if isinstance(table_id, int) and not isinstance(table_id, bool) else None
    if table is None or table.archived_at is not None or not is_chair_of(session, actor_id, table.id):
        raise PermissionDenied("not_chair_of_table")
    if not isinstance(enabled, bool):
        raise ValidationError("field_required", field="auto_match")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ValidationError("auto_minutes_invalid", field="minutes", minimum=MIN_MINUTES, maximum=MAX_MINUTES)
    before = snapshot(table, ["auto_match", "auto_match_minutes"])
    table.auto_match, table.auto_match_minutes = enabled, minutes
    record(session, actor_id, "table.auto_matching", table, before=before,
           after={"auto_match": enabled, "auto_match_minutes": minutes}, table_id=table.id)
    return table


def _aware(moment: datetime | None) -> datetime | None:
    from datetime import UTC

    return None if moment is None else moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _last_run_start(session: Session, table_id: int) -> datetime | None:
    """The newest start of a run of this table (or of the county, which covers it), held ones included."""
    runs = session.scalar(select(func.max(MatchingRun.started_at)).where(
        (MatchingRun.table_id == table_id) | (MatchingRun.scope == RunScope.COUNTY)))
    from models.orm.audit_event import AuditEvent

    held = session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.action == "matching.auto_held", AuditEvent.object_type == Table.__tablename__,
        AuditEvent.object_id == table_id))
    moments = [m for m in (_aware(runs), _aware(held)) if m is not None]
    return max(moments) if moments else None


def _news_since(session: Session, table_id: int, since: datetime | None) -> bool:
    """A pledge made, a decision taken or a need added since `since` (always True without a run yet)."""
    if since is None:
        return True
    if session.scalar(select(Pledge.id).where(Pledge.created_at > since).limit(1)) is not None:
        return True
    decided = (select(Allocation.id).join(Need, Need.id == Allocation.need_id).join(Project, Project.id == Need.project_id)
               .where(Project.table_id == table_id, Allocation.decided_at > since).limit(1))
    if session.scalar(decided) is not None:
        return True
    return session.scalar(select(Need.id).join(Project, Project.id == Need.project_id)
                          .where(Project.table_id == table_id, Need.created_at > since).limit(1)) is not None


def due_tables(session: Session, now: datetime | None = None) -> list[int]:
    """Tables with automatic matching whose last run (or held run) is at least `auto_match_minutes` old and
    that have news since: new pledges, decisions on their proposals, new needs. No table while a run of it
    (or of the county) is running."""
    now = now or utcnow()
    due = []
    for tid, minutes in session.execute(select(Table.id, Table.auto_match_minutes).where(
            Table.auto_match.is_(True), Table.archived_at.is_(None)).order_by(Table.id)):
        last = _last_run_start(session, tid)
        if last is not None and now - last < timedelta(minutes=minutes):
            continue
        running = session.scalar(select(MatchingRun.id).where(
            MatchingRun.status == RunStatus.RUNNING,
            (MatchingRun.table_id == tid) | (MatchingRun.scope == RunScope.COUNTY)).limit(1))
        if running is None and _news_since(session, tid, last):
            due.append(tid)
    return due


@dataclass(frozen=True)
class AutoOutcome:
    table_id: int
    ran: bool                 # False: held for the chair (the preview warned) or a run was already going
    run_id: int | None
    withdrawn: int
    coverage_before: float
    coverage_after: float


def run_due(db: Database, now: datetime | None = None) -> list[AutoOutcome]:
    """Run every due table's matching, unless its preview warns (then hold it and tell the chair)."""
    from models.runs.lifecycle import run_matching
    from models.runs.preview import preview_run

    with db.reader() as session:
        tables = due_tables(session, now)
    out = []
    for tid in tables:
        with db.reader() as session:
            pv = preview_run(session, RunScope.TABLE, tid)
        if pv.warns:
            with db.unit_of_work() as session:
                table = session.get(Table, tid)
                if table is None:
                    continue
                record(session, None, "matching.auto_held", table, table_id=tid, after=pv.as_record())
                if table.chair_id is not None:
                    notify(session, table.chair_id, "matching_held", table_id=tid, withdrawn=pv.withdrawn,
                           coverage_before=pv.coverage_before, coverage_after=pv.coverage_after)
            out.append(AutoOutcome(tid, False, None, pv.withdrawn, pv.coverage_before, pv.coverage_after))
            continue
        try:
            summary = run_matching(db, None, RunScope.TABLE, tid)
        except Conflict:
            out.append(AutoOutcome(tid, False, None, 0, pv.coverage_before, pv.coverage_before))
            continue
        with db.unit_of_work() as session:
            run = session.get(MatchingRun, summary.run_id)
            record(session, None, "matching.auto", run, table_id=tid, after=pv.as_record())
        out.append(AutoOutcome(tid, True, summary.run_id, summary.withdrawn, float(summary.coverage_before.get("mean", 0)),
                               float(summary.coverage_after.get("mean", 0))))
    return out


__all__ = ["AutoOutcome", "due_tables", "run_due", "set_auto_matching"]
