"""Running the matching engine on the database: claim a run, build the instance, solve, store proposals.

Imports sqlalchemy, `matching` and models. The instance follows docs/matching.md; ids are "p<id>",
"n<id>", "t<id>" and district slugs. A project's matching weight is
    priority (1–10, set by the chair) × (1 + PB support (0–1, share of ballots approving it)),
so a project every PB voter approved counts twice its chair-set priority.

A run has three steps: `claim_run` (a RUNNING row, committed at once; at most one run per scope —
see `claim_run` for the guard), `execute_run` (solve, then one transaction that stores the
proposals and the summary: proposals new/kept/withdrawn, what was reconciled with decisions made
while it solved, and the coverage of the scope's needs before and after), and `run_state` /
`latest_run` to read it back. `run_matching` does the first two in the calling thread.

Runs never stay stuck (issue 15): `execute_run` beats a heartbeat while it works
(`models.runs.liveness`); a RUNNING run silent for `liveness.stale_after()` is marked failed
("interrupted") by whoever notices first — the next claim, the next read (`run_state`,
`latest_run`) or the reaper (`reap_stale_runs`, `hamyar runs reap`). A run's row is locked before
anything else by the few writers of its status (the store, a heartbeat, a reaper, the pick-up), and
a reaper skips a locked row: a run that is busy storing is alive, however long its last beat ago.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from models.audit.log import SCHEMA_LOCK_SQL, record, record_many, snapshot
from models.core.capacity import assert_within_capacity, lock_rows, refresh_pledge_statuses
from models.core.db import Database, is_retryable
from models.core.enums import (
    FIXED_ALLOCATION,
    AllocationStatus,
    PledgeStatus,
    ProjectStatus,
    RunScope,
    RunStatus,
)
from models.core.errors import Conflict, DomainError, ValidationError
from models.core.notify import notify_proposed, notify_withdrawn
from models.orm.audit_event import AuditEvent
from models.orm.base import utcnow
from models.orm.geo import District
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need, Project
from models.orm.skills import Skill, need_skills, pledge_skills, pledge_tables
from models.runs import liveness
from models.runs.reconcile import reconcile

log = logging.getLogger(__name__)

MATCHABLE_PROJECTS = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)
DEFAULT_PARAMS = {"far_factor": 0.7, "near_factor": 0.85, "preferred_bonus": 0.25, "skill_floor": 0.5}


def project_weight(priority: int, pb_support: float) -> float:
    return float(priority) * (1.0 + max(0.0, min(1.0, pb_support)))


def _window(start: date | None, end: date | None) -> list[str] | None:
    if start is None or end is None:
        return None
    return [start.isoformat(), end.isoformat()]


CLAIM_LOCK_KEY = 0x48414D59  # "HAMY": the PostgreSQL advisory lock serialising claims


@dataclass
class RunSummary:
    run_id: int
    proposed: int
    kept: int
    withdrawn: int
    objective: float
    seconds: float
    pledges: int
    needs: int
    coverage_before: dict = field(default_factory=dict)
    coverage_after: dict = field(default_factory=dict)
    reconciled: dict = field(default_factory=dict)


def build_instance(session: Session, scope: RunScope, table_id: int | None = None,
                   params: dict | None = None) -> dict:
    """The docs/matching.md instance for the county or one table, from what the database holds now."""
    return read_instance(session, scope, table_id, params)[0]


def read_instance(session: Session, scope: RunScope, table_id: int | None = None,
                  params: dict | None = None) -> tuple[dict, dict[int, int]]:
    """`build_instance`, and each pledge's quantity less its withdrawn part as read (for `reconcile`)."""
    slug_of = dict(session.execute(select(District.id, District.slug)).all())
    parent_slug = {slug_of[i]: (slug_of[p] if p else None)
                   for i, p in session.execute(select(District.id, District.parent_id))}

    need_q = (select(Need.id, Need.kind, Need.quantity, Need.window_start, Need.window_end, Project.id,
                     Project.table_id, Project.priority, Project.pb_support, Project.district_id)
              .join(Project, Need.project_id == Project.id)
              .where(Project.status.in_(MATCHABLE_PROJECTS), Need.removed_at.is_(None)))
    if scope is RunScope.TABLE:
        need_q = need_q.where(Project.table_id == table_id)
    need_rows = session.execute(need_q.order_by(Need.id)).all()
    in_scope_needs = {r[0] for r in need_rows}

    # Accepted and delivered quantities per pair, and current proposals.
    fixed: defaultdict[tuple[int, int], int] = defaultdict(int)
    for pid, nid, qty in session.execute(select(Allocation.pledge_id, Allocation.need_id, func.sum(Allocation.quantity))
                                         .where(Allocation.status.in_(FIXED_ALLOCATION))
                                         .group_by(Allocation.pledge_id, Allocation.need_id)):
        fixed[(pid, nid)] += int(qty)
    proposals = session.execute(select(Allocation.pledge_id, Allocation.need_id, Allocation.quantity)
                                .where(Allocation.status == AllocationStatus.PROPOSED)).all()
    forbidden = set(session.execute(select(Allocation.pledge_id, Allocation.need_id)
                                    .where(Allocation.status == AllocationStatus.REJECTED)).all())

    # What each pledge and need still has, counting decisions and out-of-scope proposals as taken.
    pledge_rows = session.execute(select(Pledge.id, Pledge.kind, Pledge.quantity - Pledge.withdrawn_quantity,
                                         Pledge.district_id, Pledge.window_start, Pledge.window_end,
                                         Pledge.only_tables, Pledge.divisible)
                                  .where(Pledge.status != PledgeStatus.WITHDRAWN).order_by(Pledge.id)).all()
    taken_p: defaultdict[int, int] = defaultdict(int)
    taken_n: defaultdict[int, int] = defaultdict(int)
    for (pid, nid), qty in fixed.items():
        taken_p[pid] += qty
        taken_n[nid] += qty
    for pid, nid, qty in proposals:
        if nid not in in_scope_needs:
            taken_p[pid] += qty
    pledge_open = {r[0]: r[2] - taken_p[r[0]] for r in pledge_rows}
    live_pledges = {pid for pid, left in pledge_open.items() if left > 0}
    need_open = {r[0]: r[2] - taken_n[r[0]] for r in need_rows}
    live_needs = {nid for nid, left in need_open.items() if left > 0}
    fixed_live = {k: q for k, q in fixed.items() if k[0] in live_pledges and k[1] in live_needs}
    fixed_by_p: defaultdict[int, int] = defaultdict(int)
    fixed_by_n: defaultdict[int, int] = defaultdict(int)
    for (pid, nid), q in fixed_live.items():
        fixed_by_p[pid] += q
        fixed_by_n[nid] += q

    skills_of_need = defaultdict(list)
    for nid, slug in session.execute(select(need_skills.c.need_id, Skill.slug).join(Skill)
                                     .order_by(need_skills.c.need_id, Skill.slug)):
        skills_of_need[nid].append(slug)
    skills_of_pledge = defaultdict(list)
    for pid, slug in session.execute(select(pledge_skills.c.pledge_id, Skill.slug).join(Skill)
                                     .order_by(pledge_skills.c.pledge_id, Skill.slug)):
        skills_of_pledge[pid].append(slug)
    tables_of_pledge = defaultdict(list)
    for pid, tid in session.execute(select(pledge_tables.c.pledge_id, pledge_tables.c.table_id)
                                    .order_by(pledge_tables.c.pledge_id, pledge_tables.c.table_id)):
        tables_of_pledge[pid].append(f"t{tid}")

    needs = []
    for nid, kind, _qty, ws, we, project_id, tid, priority, support, did in need_rows:
        if nid not in live_needs:
            continue
        need: dict[str, Any] = {"id": f"n{nid}", "project": f"pr{project_id}", "table": f"t{tid}", "kind": kind.value,
                "quantity": need_open[nid] + fixed_by_n[nid], "priority": project_weight(priority, support),
                "skills": skills_of_need[nid]}
        if did is not None:
            need["district"] = slug_of[did]
        if (window := _window(ws, we)) is not None:
            need["window"] = window
        needs.append(need)
    kinds_needed = {n["kind"] for n in needs}
    pledges = []
    for pid, kind, _qty, did, ws, we, only_tables, divisible in pledge_rows:
        if pid not in live_pledges or kind.value not in kinds_needed:
            continue
        if scope is RunScope.TABLE and only_tables and f"t{table_id}" not in tables_of_pledge[pid]:
            continue
        pledge: dict[str, Any] = {"id": f"p{pid}", "kind": kind.value, "quantity": pledge_open[pid] + fixed_by_p[pid],
                  "skills": skills_of_pledge[pid], "tables": tables_of_pledge[pid],
                  "only_tables": bool(only_tables), "divisible": bool(divisible)}
        if did is not None:
            pledge["district"] = slug_of[did]
        if (window := _window(ws, we)) is not None:
            pledge["window"] = window
        pledges.append(pledge)
    present_p = {int(p["id"][1:]) for p in pledges}
    caps = {r[0]: int(r[2]) for r in pledge_rows if r[0] in present_p}
    instance = {
        "version": 1,
        "districts": {slug: {"parent": parent} for slug, parent in sorted(parent_slug.items())},
        "needs": needs,
        "pledges": pledges,
        "fixed": [{"pledge": f"p{p}", "need": f"n{n}", "quantity": q}
                  for (p, n), q in sorted(fixed_live.items()) if p in present_p],
        "forbidden": [{"pledge": f"p{p}", "need": f"n{n}"} for p, n in sorted(forbidden)
                      if p in present_p and n in live_needs],
        "proposed": [{"pledge": f"p{p}", "need": f"n{n}", "quantity": q} for p, n, q in sorted(proposals)
                     if p in present_p and n in live_needs],
        "params": {**DEFAULT_PARAMS, **(params or {})},
    }
    from models.runs.catalogue import add_items_and_projects  # items, substitutes, chosen projects (issue 16)

    return add_items_and_projects(session, instance, scope, table_id), caps



# --- coverage of the scope's needs -------------------------------------------------------------


def coverage(session: Session, scope: RunScope, table_id: int | None = None) -> dict:
    """How much of the scope's matchable needs is taken (proposed, accepted or delivered).

    A need's coverage is min(active, quantity) / quantity; a project's is the mean of its needs';
    the scope's `mean` is the mean over all its needs (each need counts once, whatever its unit).
    Returns {"needs": n, "full": fully covered needs, "mean": 0..1, "projects": {"<id>": 0..1}}.
    """
    from models.core.capacity import need_usage

    q = (select(Need.id, Need.quantity, Project.id).join(Project, Need.project_id == Project.id)
         .where(Project.status.in_(MATCHABLE_PROJECTS), Need.removed_at.is_(None)))
    if scope is RunScope.TABLE:
        q = q.where(Project.table_id == table_id)
    rows = session.execute(q).all()
    usage = need_usage(session, [r[0] for r in rows])
    per_project: dict[int, list[float]] = defaultdict(list)
    fractions = []
    for nid, qty, pid in rows:
        frac = min(usage[nid], qty) / qty if qty else 1.0
        fractions.append(frac)
        per_project[pid].append(frac)
    return {"needs": len(rows), "full": sum(1 for f in fractions if f >= 1.0),
            "mean": round(sum(fractions) / len(fractions), 6) if fractions else 0.0,
            "projects": {str(pid): round(sum(fs) / len(fs), 6) for pid, fs in sorted(per_project.items())}}


# --- one run per scope, and runs that stopped showing signs of life ------------------------------


def _last_sign_of_life(session: Session, run: MatchingRun) -> datetime:
    last = session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.object_type == MatchingRun.__tablename__, AuditEvent.object_id == run.id))
    moments = [m for m in (last, run.started_at) if m is not None]
    return max(_aware(m) for m in moments)


def _aware(moment: datetime) -> datetime:

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _fail(session: Session, run: MatchingRun, error: str, actor_id: int | None = None) -> None:
    before = {"status": run.status.value}
    run.status = RunStatus.FAILED
    run.error = error
    run.finished_at = utcnow()
    record(session, actor_id, "matching.failed", run, before=before,
           after={"status": "failed", "error": error}, table_id=run.table_id)


def _locked_run(session: Session, run_id: int, skip_locked: bool = False) -> MatchingRun | None:
    """The run's row, locked for this transaction (PostgreSQL; SQLite's writer lock covers it) and read
    fresh. With skip_locked, None when another transaction holds it (a store, a beat, a reaper)."""
    q = (select(MatchingRun).where(MatchingRun.id == run_id).with_for_update(skip_locked=skip_locked)
         .execution_options(populate_existing=True))
    return session.scalars(q).first()


def _is_stale(session: Session, run: MatchingRun, now: datetime) -> bool:
    return now - _last_sign_of_life(session, run) >= liveness.stale_after()


def running_runs(session: Session, scope: RunScope | None = None, table_id: int | None = None,
                 now: datetime | None = None) -> list[MatchingRun]:
    """Runs still RUNNING that would clash with a run of (scope, table_id) (all of them when scope is None).

    A county run clashes with every run; a table run with a county run and with its own table's.
    Runs that have shown no sign of life for `liveness.stale_after()` are left out (`expire_stale_runs`
    marks them failed).
    """
    now = now or utcnow()
    q = select(MatchingRun).where(MatchingRun.status == RunStatus.RUNNING).order_by(MatchingRun.id)
    if scope is RunScope.TABLE:
        q = q.where((MatchingRun.scope == RunScope.COUNTY) | (MatchingRun.table_id == table_id))
    return [r for r in session.scalars(q) if not _is_stale(session, r, now)]


def expire_stale_runs(session: Session, now: datetime | None = None, run_ids: list[int] | None = None) -> list[int]:
    """Mark failed ("interrupted") the RUNNING runs (of `run_ids`, else all) silent for stale_after().

    The silent runs' rows are locked first, all of them before anything is written (one lock order:
    run rows, then the audit chain), skipping rows another transaction holds: a run that is storing
    its answer holds its row and is alive. Each is checked again once locked (a beat may have come).
    """
    now = now or utcnow()
    q = select(MatchingRun).where(MatchingRun.status == RunStatus.RUNNING)
    if run_ids is not None:
        q = q.where(MatchingRun.id.in_(run_ids))
    silent = [r.id for r in session.scalars(q) if _is_stale(session, r, now)]
    if not silent:
        return []
    locked = list(session.scalars(select(MatchingRun).where(MatchingRun.id.in_(silent)).order_by(MatchingRun.id)
                                  .with_for_update(skip_locked=True).execution_options(populate_existing=True)))
    expired = [r for r in locked if r.status is RunStatus.RUNNING and _is_stale(session, r, now)]
    for run in expired:
        _fail(session, run, "interrupted")
    return [r.id for r in expired]


def reap_stale_runs(db: Database, now: datetime | None = None) -> list[int]:
    """The periodic reaper (`hamyar runs reap`, the Celery beat task): expire every silent run."""
    with db.unit_of_work() as session:
        return expire_stale_runs(session, now)


def fail_run(db: Database, run_id: int, error: str, actor_id: int | None = None) -> bool:
    """Mark a RUNNING run failed with `error` (a catalogue code); False when it no longer ran."""
    with db.unit_of_work() as session:
        run = _locked_run(session, run_id)
        if run is None or run.status is not RunStatus.RUNNING:
            return False
        _fail(session, run, error, actor_id)
        return True


def claim_run(db: Database, actor_id: int | None, scope: RunScope, table_id: int | None = None,
              params: dict | None = None, now: datetime | None = None) -> int:
    """Start a run of `scope`: a RUNNING MatchingRun, committed at once; Conflict if one already runs.

    The guard is in the database, so it holds across threads and worker processes: on PostgreSQL the
    claim takes a transaction-level advisory lock (`pg_advisory_xact_lock`), so claims are serialised
    and each sees the runs committed before it; on SQLite a unit of work takes the single write lock
    when it begins (BEGIN IMMEDIATE, models.core.db), so a second claim waits for the first to commit and
    then sees it (if SQLite gives up waiting, that is reported as the same Conflict). Silent runs are
    expired first; a silent run whose row is locked (busy storing) still clashes.
    """
    if (scope is RunScope.TABLE) != (table_id is not None):
        raise ValidationError("run_scope_invalid", field="scope")
    now = now or utcnow()
    try:
        with db.unit_of_work() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text(SCHEMA_LOCK_SQL), {"key": CLAIM_LOCK_KEY})
            expire_stale_runs(session, now)
            q = select(MatchingRun.id).where(MatchingRun.status == RunStatus.RUNNING).order_by(MatchingRun.id)
            if scope is RunScope.TABLE:
                q = q.where((MatchingRun.scope == RunScope.COUNTY) | (MatchingRun.table_id == table_id))
            clash = session.scalars(q).first()
            if clash is not None:
                raise Conflict("matching_already_running", run_id=clash)
            run = MatchingRun(started_by_id=actor_id, scope=scope, table_id=table_id,
                              params={**DEFAULT_PARAMS, **(params or {})}, status=RunStatus.RUNNING,
                              started_at=now)
            session.add(run)
            session.flush()
            record(session, actor_id, "matching.started", run, table_id=table_id,
                   after={"scope": scope.value, "table_id": table_id,
                          "coverage": coverage(session, scope, table_id)})
            return run.id
    except OperationalError as exc:
        if db.is_sqlite and "locked" in str(exc).lower():
            raise Conflict("matching_already_running") from None
        raise


def record_progress(db: Database, run_id: int, fraction: float, stage: str, kind: str | None = None) -> bool:
    """Keep a run's progress in the database (an audit event), where every worker process can read it.

    Also the run's heartbeat (`execute_run` re-states its progress every heartbeat_every() seconds).
    Skipped (False) when the run's row is locked by another transaction or the run no longer runs.
    """
    with db.unit_of_work() as session:
        run = _locked_run(session, run_id, skip_locked=True)
        if run is None or run.status is not RunStatus.RUNNING:
            return False
        record(session, run.started_by_id, "matching.progress", run, table_id=run.table_id,
               after={"fraction": round(max(0.0, min(1.0, fraction)), 4), "stage": stage, "kind": kind})
        return True


def pick_up_run(db: Database, run_id: int, actor_id: int | None) -> bool:
    """Take a claimed run for execution: True once, for the person who claimed it, while it still runs.

    "Taken" is the run's first progress event (stage "building"), written under the run's row lock
    (FOR UPDATE on PostgreSQL; SQLite's single write lock), so two jobs given the same run id
    cannot both run it. A job delivered again (Celery redelivers a job whose worker died) finds its
    run taken, finished or interrupted, and does nothing; so does one whose run's row is locked.
    """
    with db.unit_of_work() as session:
        run = _locked_run(session, run_id, skip_locked=True)
        if run is None or run.status is not RunStatus.RUNNING or run.started_by_id != actor_id:
            return False
        taken = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == MatchingRun.__tablename__, AuditEvent.object_id == run_id,
            AuditEvent.action == "matching.progress"))
        if taken:
            return False
        record(session, actor_id, "matching.progress", run, table_id=run.table_id,
               after={"fraction": 0.0, "stage": "building", "kind": None})
        return True


# --- the run itself ----------------------------------------------------------------------------

SOLVER_KINDS = ("financial", "logistics", "design", "execution")
# Seconds between tries when PostgreSQL went away under a run (a restart, killed connections): a
# blip of up to ~15 s costs the run a wait, not its answer.
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


def _solver_stage(message: str) -> tuple[str, str | None]:
    head = message.split(":", 1)[0].strip()
    if head in SOLVER_KINDS:
        return "solving", head
    if head == "instance":
        return "solving", None
    return "solving", None


def _connection_lost(exc: BaseException) -> bool:
    """A PostgreSQL error after which the same unit of work may simply be tried again: the connection
    died or could not be made (no SQLSTATE, class 08, or 57P0x: terminated, crash, starting up), or a
    deadlock / serialization failure."""
    if not isinstance(exc, DBAPIError) or exc.orig is None or type(exc.orig).__module__.startswith("sqlite3"):
        return False
    if exc.connection_invalidated or is_retryable(exc):
        return True
    code = getattr(exc.orig, "sqlstate", None)
    return isinstance(exc, OperationalError) and (code is None or code.startswith(("08", "57P")))


def _again_after_blips(work: Callable[[int], Any], what: str, run_id: int) -> Any:
    """`work(attempt)`, tried again while the database is away for a moment (RECONNECT_DELAYS)."""
    for attempt, delay in enumerate((*RECONNECT_DELAYS, None), start=1):
        try:
            return work(attempt)
        except DBAPIError as exc:
            if delay is None or not _connection_lost(exc):
                raise
            log.warning("matching run %s: the database went away while %s (%s); trying again in %.1f s",
                        run_id, what, type(exc.orig).__name__, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def execute_run(db: Database, run_id: int,
                progress: Callable[[float, str, str | None], None] | None = None) -> RunSummary:
    """Solve a claimed run's instance and, in one transaction, store its proposals and summary.

    Proposals that the new answer repeats are kept as they are (no churn); the others in scope are
    withdrawn. Decided allocations are never touched, and what was decided while the run solved is
    reconciled with its answer (`models.runs.reconcile`), never a reason to fail. While it works the
    run beats a heartbeat (its progress re-stated every `liveness.heartbeat_every()` seconds); reading
    and storing are tried again when PostgreSQL goes away for a moment. On any other error the run is
    marked failed (with the domain error's code, or "error") and the error is raised again.

    `progress(fraction, stage, kind)`: stage is "building", "solving" (kind = the kind of help being
    solved, when known), "writing" or "done"; fraction goes from 0 to 1.
    """
    from matching import solve_instance

    last: list[tuple[float, str, str | None]] = [(0.0, "building", None)]

    def report(fraction: float, stage: str, kind: str | None = None) -> None:
        last[0] = (fraction, stage, kind)
        if progress:
            progress(fraction, stage, kind)

    def beat() -> None:
        record_progress(db, run_id, *last[0])

    started = time.perf_counter()
    with db.reader() as session:
        run = session.get(MatchingRun, run_id)
        if run is None:
            raise ValidationError("run_not_found")
        actor_id, scope, table_id, params = run.started_by_id, run.scope, run.table_id, dict(run.params or {})
        if run.status is not RunStatus.RUNNING:
            raise Conflict("run_not_running")
    try:
        with liveness.Heartbeat(beat):
            report(0.0, "building")

            def read(_attempt: int) -> tuple[dict, dict[int, int], dict]:
                with db.reader() as session:
                    instance, caps = read_instance(session, scope, table_id, params)
                    before = session.scalar(select(AuditEvent.after).where(
                        AuditEvent.object_type == MatchingRun.__tablename__, AuditEvent.object_id == run_id,
                        AuditEvent.action == "matching.started"))
                return instance, caps, (before or {}).get("coverage") or {}

            instance, caps, coverage_before = _again_after_blips(read, "reading the instance", run_id)

            def solver_progress(fraction: float, message: str) -> None:
                stage, kind = _solver_stage(message)
                report(0.1 + 0.8 * fraction, stage, kind)

            result = solve_instance(instance, progress=solver_progress)
            report(0.9, "writing")
            summary = _again_after_blips(
                lambda attempt: _store(db, run_id, actor_id, scope, table_id, instance, caps, result, started,
                                       coverage_before, retried=attempt > 1), "storing its answer", run_id)
    except Exception as exc:
        code = exc.code if isinstance(exc, DomainError) else "error"
        detail = code if isinstance(exc, DomainError) else f"error: {type(exc).__name__}: {exc}"[:500]
        try:
            _again_after_blips(lambda _a: fail_run(db, run_id, detail, actor_id), "marking it failed", run_id)
        except Exception:  # noqa: BLE001 - the database is gone: the reaper marks the silent run later
            log.exception("matching run %s could not be marked failed", run_id)
        raise
    report(1.0, "done")
    return summary


def _summary_of(session: Session, run: MatchingRun) -> RunSummary:
    """A finished run's summary as its "matching.finished" event keeps it."""
    s = session.scalar(select(AuditEvent.after).where(
        AuditEvent.object_type == MatchingRun.__tablename__, AuditEvent.object_id == run.id,
        AuditEvent.action == "matching.finished")) or {}
    return RunSummary(run_id=run.id, proposed=s.get("proposed", 0), kept=s.get("kept", 0),
                      withdrawn=s.get("withdrawn", 0), objective=run.objective or 0.0, seconds=run.seconds or 0.0,
                      pledges=run.n_pledges, needs=run.n_needs, coverage_before=s.get("coverage_before") or {},
                      coverage_after=s.get("coverage_after") or {}, reconciled=s.get("reconciled") or {})


def _store(db: Database, run_id: int, actor_id: int | None, scope: RunScope, table_id: int | None,
           instance: dict, pledge_caps: dict[int, int], result: dict, started: float, coverage_before: dict,
           retried: bool = False) -> RunSummary:
    new = {(int(a["pledge"][1:]), int(a["need"][1:])): a for a in result["allocations"]}
    in_scope = {int(n["id"][1:]) for n in instance["needs"]}
    with db.unit_of_work() as session:
        # The run's own row first (its status writers lock it before anything else), then the one
        # order of models.core.capacity.LOCK_ORDER: pledges, allocations, needs, ids ascending, so a
        # chair deciding or a citizen withdrawing while a run is written waits for it instead of
        # deadlocking, and nothing the answer touches changes while it is reconciled.
        run = _locked_run(session, run_id)
        if run is not None and run.status is RunStatus.DONE and retried:
            return _summary_of(session, run)  # the lost connection had committed it
        if run is None or run.status is not RunStatus.RUNNING:
            raise Conflict("run_not_running")
        stale_q = select(Allocation).where(Allocation.status == AllocationStatus.PROPOSED)
        if scope is RunScope.TABLE:
            stale_q = stale_q.join(Need).join(Project).where(Project.table_id == table_id)
        seen = session.execute(select(Allocation.pledge_id).where(
            Allocation.id.in_(stale_q.with_only_columns(Allocation.id)))).scalars().all()
        touched_p = set(seen) | {k[0] for k in new}
        lock_rows(session, Pledge, touched_p)
        # columns, not objects: a run usually keeps most proposals as they are, and only the ones it
        # withdraws need an object (building 3,199 kept ones took a fifth of the demo county's run)
        rows_q = stale_q.with_only_columns(Allocation.id, Allocation.pledge_id, Allocation.need_id,
                                           Allocation.quantity)
        if session.get_bind().dialect.name == "postgresql":
            rows_q = rows_q.with_for_update(of=Allocation)
        current = session.execute(rows_q.order_by(Allocation.id)).all()
        lock_rows(session, Pledge, {a.pledge_id for a in current} - touched_p)  # proposed meanwhile (rare)
        touched_p |= {a.pledge_id for a in current}
        touched_n = {a.need_id for a in current} | {k[1] for k in new}
        lock_rows(session, Need, touched_n)

        run_before = snapshot(run, ["status"])
        run.params = instance["params"]
        run.n_pledges = len(instance["pledges"])
        run.n_needs = len(instance["needs"])
        run.n_pairs = int(result["stats"].get("pairs", 0))
        run.objective = float(result["objective"])
        run.gap = float(result["stats"].get("gap", 0.0) or 0.0)

        kept, gone = [], []
        for row in current:
            key = (row.pledge_id, row.need_id)
            if key in new and new[key]["quantity"] == row.quantity and row.need_id in in_scope:
                kept.append(new.pop(key))
            else:
                gone.append(row.id)
        withdrawn = list(session.scalars(select(Allocation).where(Allocation.id.in_(gone)).order_by(Allocation.id)
                                         .execution_options(populate_existing=True))) if gone else []
        for alloc in withdrawn:
            alloc.status = AllocationStatus.WITHDRAWN
        record_many(session, actor_id, "allocation.superseded", withdrawn)
        notify_withdrawn(session, withdrawn, "run")  # the citizen hears of it, as of a new proposal (issue 23)
        fitted = reconcile(session, new, instance, pledge_caps)
        created = [Allocation(pledge_id=p, need_id=n, quantity=q,
                              score=float(a.get("worth", 0.0)) * q / max(1, int(a["quantity"])),
                              reasons=list(a.get("reasons", [])), matching_run_id=run.id,
                              status=AllocationStatus.PROPOSED) for p, n, q, a in fitted.proposals]
        session.add_all(created)
        record_many(session, actor_id, "allocation.proposed", created)
        notify_proposed(session, created)
        assert_within_capacity(session, touched_p, touched_n)
        refresh_pledge_statuses(session, actor_id, touched_p)
        coverage_after = coverage(session, scope, table_id)
        run.status = RunStatus.DONE
        run.n_proposed = len(created)
        run.n_withdrawn = len(withdrawn)
        run.seconds = round(time.perf_counter() - started, 3)
        run.finished_at = utcnow()
        reconciled = fitted.summary()
        if fitted.dropped or fitted.shrunk:
            log.info("matching run %s reconciled with decisions made while it solved: %s", run.id, reconciled)
        record(session, actor_id, "matching.finished", run, before=run_before, table_id=table_id,
               after={"status": "done", "proposed": len(created), "kept": len(kept), "withdrawn": len(withdrawn),
                      "objective": run.objective, "seconds": run.seconds, "pledges": run.n_pledges,
                      "needs": run.n_needs, "coverage_before": coverage_before, "coverage_after": coverage_after,
                      "reconciled": reconciled})
        return RunSummary(run_id=run.id, proposed=len(created), kept=len(kept), withdrawn=len(withdrawn),
                          objective=run.objective or 0.0, seconds=run.seconds, pledges=run.n_pledges,
                          needs=run.n_needs, coverage_before=coverage_before, coverage_after=coverage_after,
                          reconciled=reconciled)


def run_matching(db: Database, actor_id: int | None, scope: RunScope, table_id: int | None = None,
                 params: dict | None = None, progress: Callable[[float, str], None] | None = None) -> RunSummary:
    """Claim, solve and store a run in the calling thread (the CLI, tests); see models.runs.jobs for the background.

    `progress(fraction, message)` as the solver reports it. Conflict("matching_already_running")
    when a run of a clashing scope is in progress.
    """
    run_id = claim_run(db, actor_id, scope, table_id, params)

    def relay(fraction: float, stage: str, kind: str | None) -> None:
        if progress:
            progress(fraction, f"{kind}: {stage}" if kind else stage)

    return execute_run(db, run_id, relay)


# --- reading a run back ------------------------------------------------------------------------


@dataclass
class RunState:
    """What a page shows of a run: where it is, and once done what it changed."""

    run_id: int
    scope: str
    table_id: int | None
    status: str            # running | done | failed
    fraction: float
    stage: str             # claimed | building | solving | writing | done | failed
    kind: str | None
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    summary: dict | None   # the "matching.finished" event's data once done


def run_state(session: Session, run_id: int, now: datetime | None = None) -> RunState | None:
    """Where a run is. A RUNNING run silent for `liveness.stale_after()` is marked interrupted on the way
    (in a transaction of its own, `_expire_on_read`), so a page that reads it shows the Run button again."""
    run = session.get(MatchingRun, run_id)
    if run is None:
        return None
    status, error = run.status.value, run.error
    if run.status is RunStatus.RUNNING and _is_stale(session, run, now or utcnow()):
        status, error = _expire_on_read(session, run_id, now) or (status, error)
    events = session.execute(select(AuditEvent.action, AuditEvent.after).where(
        AuditEvent.object_type == MatchingRun.__tablename__, AuditEvent.object_id == run_id)
        .order_by(AuditEvent.id)).all()
    fraction, stage, kind, summary = 0.0, "claimed", None, None
    for action, after in events:
        after = after or {}
        if action == "matching.progress":
            fraction, stage, kind = float(after.get("fraction", fraction)), after.get("stage", stage), after.get("kind")
        elif action == "matching.finished":
            fraction, stage, kind, summary = 1.0, "done", None, after
            break  # a heartbeat that raced the commit may come after it
        elif action == "matching.failed":
            stage = "failed"
            break
    if status == "failed":
        stage = "failed"
    return RunState(run_id=run.id, scope=run.scope.value, table_id=run.table_id, status=status, fraction=fraction,
                    stage=stage, kind=kind, started_at=run.started_at, finished_at=run.finished_at,
                    error=error, summary=summary)


def _expire_on_read(session: Session, run_id: int, now: datetime | None) -> tuple[str, str | None] | None:
    """Mark a silent run interrupted in a writer transaction of its own, beside the caller's read;
    returns its (status, error) afterwards, or None when that could not be done (the next claim or the
    reaper will)."""
    from models.audit.keys import INFO_KEY

    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    # the same audit chain key and anchors as the reader's database (models.audit.keys)
    info = {INFO_KEY: session.info[INFO_KEY]} if INFO_KEY in session.info else {}
    try:
        with Session(bind=engine, expire_on_commit=False, info=info) as writer, writer.begin():
            writer.connection(execution_options={"hamyar_writer": True})  # SQLite: BEGIN IMMEDIATE
            expire_stale_runs(writer, now, [run_id])
            run = writer.get(MatchingRun, run_id)
            return (run.status.value, run.error) if run is not None else None
    except Exception:  # noqa: BLE001 - reading must not fail for this; the run stays as it is
        log.warning("could not mark the silent matching run %s interrupted", run_id, exc_info=True)
        return None


def latest_run(session: Session, scope: RunScope, table_id: int | None = None) -> RunState | None:
    """The newest run of exactly this scope (a table's own runs, or the county's)."""
    q = select(MatchingRun.id).where(MatchingRun.scope == scope)
    if scope is RunScope.TABLE:
        q = q.where(MatchingRun.table_id == table_id)
    run_id = session.scalar(q.order_by(MatchingRun.id.desc()).limit(1))
    return run_state(session, run_id) if run_id is not None else None


def project_changes(summary: dict | None) -> list[tuple[int, float, float]]:
    """(project id, coverage before, after) for the projects a finished run changed, biggest gain first."""
    if not summary:
        return []
    before = (summary.get("coverage_before") or {}).get("projects") or {}
    after = (summary.get("coverage_after") or {}).get("projects") or {}
    rows = [(int(pid), float(before.get(pid, 0.0)), float(a)) for pid, a in after.items()
            if abs(float(a) - float(before.get(pid, 0.0))) > 1e-9]
    return sorted(rows, key=lambda r: (-(r[2] - r[1]), r[0]))
