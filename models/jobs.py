"""Matching runs in the background: start one, follow its progress, read what it changed.

Imports the standard library, sqlalchemy and models only; never dash or flask.

Design (and why):
- A run is a worker thread in the server process that calls `matching_runs.execute_run`. Thread,
  not Dash background callbacks: the run must outlive the page that started it (the chair may
  close the tab) and must be visible from every page and every worker process, which a Dash
  callback's cache entry is not; and it adds no broker or cache package to install.
- Everything a page shows lives in the database, not in the thread: `claim_run` commits a RUNNING
  `MatchingRun` row before the thread starts; the thread writes its progress as
  "matching.progress" audit events (at most one a `PROGRESS_EVERY` seconds, plus one per stage)
  and ends with "matching.finished" (the summary: new, kept and withdrawn proposals, coverage
  before and after) or "matching.failed". Any gunicorn worker reads them with `run_state`; a
  reloaded or reopened page finds the run with `latest_run`.
- One run per scope at a time is guarded in the database by `claim_run` (a PostgreSQL advisory
  lock around "is a clashing run RUNNING? then insert mine"; on SQLite, the single write lock a unit
  of work takes when it begins). A county run clashes with every run; a table run with the county's
  and with its own table's.
- A process that dies mid-run leaves its row RUNNING; once it has shown no sign of life for
  `matching_runs.STALE_AFTER` it no longer blocks new runs and is marked failed ("interrupted").
"""
from __future__ import annotations

import logging
import threading
import time

from models.db import Database
from models.enums import RunScope
from models.matching_runs import claim_run, execute_run

log = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between two progress events of the same stage

# Threads of this process by run id, so tests (and a clean shutdown) can wait for them.
_threads: dict[int, threading.Thread] = {}
_lock = threading.Lock()


class _ProgressWriter:
    """Writes progress events, one per stage change and otherwise at most every PROGRESS_EVERY seconds."""

    def __init__(self, db: Database, run_id: int) -> None:
        self.db, self.run_id = db, run_id
        self.last_key: tuple | None = None
        self.last_at = 0.0

    def __call__(self, fraction: float, stage: str, kind: str | None) -> None:
        from models.matching_runs import record_progress

        key = (stage, kind)
        now = time.monotonic()
        if key == self.last_key and now - self.last_at < PROGRESS_EVERY:
            return
        self.last_key, self.last_at = key, now
        try:
            record_progress(self.db, self.run_id, fraction, stage, kind)
        except Exception:  # noqa: BLE001 - progress is best effort; the run itself must go on
            log.exception("could not record the progress of matching run %s", self.run_id)


def _work(db: Database, run_id: int) -> None:
    try:
        execute_run(db, run_id, _ProgressWriter(db, run_id))
    except Exception:  # noqa: BLE001 - execute_run has marked the run failed; keep the server alive
        log.exception("matching run %s failed", run_id)
    finally:
        with _lock:
            _threads.pop(run_id, None)


def start_matching(db: Database, actor_id: int | None, scope: RunScope, table_id: int | None = None,
                   params: dict | None = None) -> int:
    """Claim a run (Conflict if one of a clashing scope runs) and solve it in a background thread.

    Returns the run id at once; follow it with `matching_runs.run_state`. Who may start which scope
    is checked here: the governorate runs the county, a table's chair (or the governorate) its table.
    """
    authorise_run(db, actor_id, scope, table_id)
    run_id = claim_run(db, actor_id, scope, table_id, params)
    thread = threading.Thread(target=_work, args=(db, run_id), name=f"matching-run-{run_id}", daemon=True)
    with _lock:
        _threads[run_id] = thread
    thread.start()
    return run_id


def authorise_run(db: Database, actor_id: int | None, scope: RunScope, table_id: int | None) -> None:
    from sqlalchemy import select

    from models.errors import NotFound, PermissionDenied, ValidationError
    from models.people import User
    from models.tables import Table

    if not isinstance(scope, RunScope) or (scope is RunScope.TABLE) != (table_id is not None):
        raise ValidationError("run_scope_invalid", field="scope")
    with db.reader() as session:
        user = session.get(User, actor_id) if isinstance(actor_id, int) else None
        if user is None:
            raise PermissionDenied("forbidden")
        if scope is RunScope.COUNTY:
            if not user.is_governorate:
                raise PermissionDenied("governorate_only")
            return
        chair = session.execute(select(Table.chair_id, Table.archived_at).where(Table.id == table_id)).first()
        if chair is None or chair[1] is not None:
            raise NotFound("table_not_found")
        if chair[0] != actor_id and not user.is_governorate:
            raise PermissionDenied("not_chair_of_table")


def wait_for(run_id: int, timeout: float = 60.0) -> bool:
    """Wait for this process's thread of `run_id` to end; True when it has (or was not here)."""
    with _lock:
        thread = _threads.get(run_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


def running_here() -> list[int]:
    """Run ids whose threads are alive in this process."""
    with _lock:
        return sorted(rid for rid, t in _threads.items() if t.is_alive())


__all__ = ["PROGRESS_EVERY", "authorise_run", "running_here", "start_matching", "wait_for"]
