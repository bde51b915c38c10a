"""Matching runs in the background: claim one, run what was claimed, follow its progress.

Imports the standard library, sqlalchemy and models only; never dash or flask.

Design (and why):
- Starting a run is one request: `start_matching` (with the signed-in user) checks who may run
  which scope, commits a RUNNING `MatchingRun` row, so every page in every worker process sees the
  run at once, and hands the job to the queue the web app gives it (dash_app.background: a process
  of its own on one machine, a Celery task with Redis on several), so the run outlives the page that
  started it. If the job cannot be queued (Redis down) the run is marked failed at once
  ("matching_queue_unavailable") and the person is told; a run is never left claimed with no job.
  `run_claimed` is the job's body.
- Everything a page shows lives in the database, not in the job: the job writes its progress as
  "matching.progress" audit events (at most one a `PROGRESS_EVERY` seconds, plus one per stage) and
  ends with "matching.finished" (the summary: new, kept and withdrawn proposals, coverage before and
  after) or "matching.failed". Any worker reads them with `run_state`; a reloaded or reopened page
  finds the run with `latest_run`.
- A claimed run is executed once: `matching_runs.pick_up_run` marks it taken (its first progress
  event) under the run's row lock, and only for the person who claimed it, so a replayed or forged
  request cannot run it twice or run somebody else's.
- One run per scope at a time is guarded in the database by `claim_run` (a PostgreSQL advisory
  lock around "is a clashing run RUNNING? then insert mine"; on SQLite, the single write lock a unit
  of work takes when it begins). A county run clashes with every run; a table run with the county's
  and with its own table's.
- A running job beats a heartbeat (`models.runs.liveness`; a thread, every 15 s, also while the
  solver is inside HiGHS, which releases the GIL). A job that dies mid-run (or never starts: the web
  worker killed between the claim and the queue) leaves its row RUNNING with no beat; once it has
  been silent for `liveness.stale_after()` (60 s) it no longer blocks new runs and is marked failed
  ("interrupted") by the next claim, the next page that reads it, or the reaper (`hamyar runs reap`).
- Celery acknowledges a job only when it ends and puts it back when its worker dies
  (dash_app.background), so a job lost with its worker is delivered again; `pick_up_run` makes the
  second delivery a no-op when the first had already taken the run (a half-done run is interrupted,
  never run twice).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from models.core.db import Database
from models.core.enums import RunScope
from models.core.errors import DomainError
from models.runs.lifecycle import RunSummary, claim_run, execute_run, fail_run, pick_up_run

log = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between two progress events of the same stage


class _ProgressWriter:
    """Writes progress events, one per stage change and otherwise at most every PROGRESS_EVERY seconds."""

    def __init__(self, db: Database, run_id: int) -> None:
        self.db, self.run_id = db, run_id
        self.last_key: tuple | None = None
        self.last_at = 0.0

    def __call__(self, fraction: float, stage: str, kind: str | None) -> None:
        from models.runs.lifecycle import record_progress

        key = (stage, kind)
        now = time.monotonic()
        if key == self.last_key and now - self.last_at < PROGRESS_EVERY:
            return
        self.last_key, self.last_at = key, now
        try:
            record_progress(self.db, self.run_id, fraction, stage, kind)
        except Exception:  # noqa: BLE001 - progress is best effort; the run itself must go on
            log.exception("could not record the progress of matching run %s", self.run_id)


def claim_matching(db: Database, actor_id: int | None, scope: RunScope, table_id: int | None = None,
                   params: dict | None = None) -> int:
    """Check who may run `scope` and claim a run (Conflict if a clashing one runs); returns its id.

    The governorate runs the county, a table's chair (or the governorate) its table. Hand the id to
    `run_claimed`, in the background.
    """
    authorise_run(db, actor_id, scope, table_id)
    return claim_run(db, actor_id, scope, table_id, params)


class RunNotStarted(DomainError):
    """The run was claimed but its job could not be queued; the run is marked failed, try again later."""

    http_status = 503


def start_matching(db: Database, actor_id: int | None, scope: RunScope, table_id: int | None,
                   enqueue: Callable[[int, int | None], None], params: dict | None = None) -> int:
    """Claim a run and queue its job in one go (`enqueue(run_id, actor_id)`); returns the run's id.

    When `enqueue` raises (the queue is unreachable), the run is marked failed with
    "matching_queue_unavailable" and RunNotStarted is raised with that code: the Run button is free
    again at once and nothing else changed.
    """
    run_id = claim_matching(db, actor_id, scope, table_id, params)
    try:
        enqueue(run_id, actor_id)
    except Exception as exc:
        log.error("the job of matching run %s could not be queued (%s: %s); the run is marked failed",
                  run_id, type(exc).__name__, exc)
        fail_run(db, run_id, "matching_queue_unavailable", actor_id)
        raise RunNotStarted("matching_queue_unavailable", run_id=run_id) from exc
    return run_id


def run_claimed(db: Database, run_id: int, actor_id: int | None) -> RunSummary | None:
    """Solve and store a claimed run, writing its progress; None when it was not this actor's to run
    or was already taken (see `matching_runs.pick_up_run`). Errors mark the run failed, then propagate."""
    if not pick_up_run(db, run_id, actor_id):
        log.warning("matching run %s was not picked up (taken already, not running, or not %s's)", run_id, actor_id)
        return None
    writer = _ProgressWriter(db, run_id)
    writer.last_key, writer.last_at = ("building", None), time.monotonic()  # pick_up_run wrote it
    return execute_run(db, run_id, writer)


def authorise_run(db: Database, actor_id: int | None, scope: RunScope, table_id: int | None) -> None:
    from sqlalchemy import select

    from models.core.errors import NotFound, PermissionDenied, ValidationError
    from models.core.permissions import active_user, is_chair_of, is_governorate, require_governorate
    from models.orm.tables import Table

    if not isinstance(scope, RunScope) or (scope is RunScope.TABLE) != (table_id is not None):
        raise ValidationError("run_scope_invalid", field="scope")
    with db.reader() as session:
        if active_user(session, actor_id) is None:
            raise PermissionDenied("forbidden")
        if scope is RunScope.COUNTY:
            require_governorate(session, actor_id)
            return
        archived = session.execute(select(Table.archived_at).where(Table.id == table_id)).first()
        if archived is None or archived[0] is not None:
            raise NotFound("table_not_found")
        if not (is_chair_of(session, actor_id, table_id) or is_governorate(session, actor_id)):
            raise PermissionDenied("not_chair_of_table")


__all__ = ["PROGRESS_EVERY", "RunNotStarted", "authorise_run", "claim_matching", "run_claimed", "start_matching"]
