"""Counting a PB cycle in the background (issue 17 item 1): claim a count, run what was claimed, follow it.

Imports the standard library, sqlalchemy and models only; never dash or flask. The same design as
matching runs (models.runs.jobs), on a table of its own (models.orm.pb.PBCount):

- `claim_count` (in the web request, with the signed-in governorate officer) checks the cycle can be
  counted and commits a "running" PBCount row; one count per cycle at a time (a running one that shows
  no sign of life for STALE_AFTER no longer blocks and is marked failed).
- `run_claimed_count` does the work wherever the web app sends it (a Dash background callback: a
  forked process or a Celery worker): only for the person who claimed it, once (picked up under the
  row's lock). It writes its progress to the row (at most every PROGRESS_EVERY seconds) and ends with
  each rule's TallyResult as JSON ("done") or the error ("failed").
- Pages read `count_state` and, for a cycle's results, `cached_tally`: the newest done count of that
  rule whose ballots are still the cycle's ballots (`ballots_fingerprint`: a paper ballot entered
  afterwards makes it stale). Nothing counts inside a request.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.capacity import lock_rows
from models.core.db import Database
from models.core.enums import PBPhase
from models.core.errors import Conflict, ValidationError
from models.core.permissions import require_governorate
from models.orm.base import utcnow
from models.orm.pb import PBBallot, PBCount, PBCycle
from models.pb.cycles import HeadingResult, TallyResult, _rule, count_cycle, get_cycle

log = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5          # seconds between two progress writes
STALE_AFTER = timedelta(minutes=10)
MAX_RULES = 3


def ballots_fingerprint(session: Session, cycle_id: int) -> str:
    """What the count saw: the number of ballots and a digest of their (random) ids. Ballots change only
    by new paper ballots once voting is closed (closing rewrote them with new ids, before any count)."""
    ids = sorted(session.scalars(select(PBBallot.id).where(PBBallot.cycle_id == cycle_id)))
    return f"{len(ids)}:{hashlib.sha256(','.join(map(str, ids)).encode()).hexdigest()[:32]}"


# ---------------------------------------------------------------------------------- (de)serialise

def _num(value) -> str:
    return str(value)


def _unnum(text: str) -> int | Fraction:
    value = Fraction(text)
    return int(value) if value.denominator == 1 else value


def to_json(result: TallyResult) -> dict:
    return {"rule": result.rule, "budget": result.budget, "n_ballots": result.n_ballots,
            "projects": {k: [_num(c), v] for k, (c, v) in result.projects.items()},
            "winners": list(result.winners), "total_cost": _num(result.total_cost),
            "explanations": result.explanations, "stopped_early": result.stopped_early,
            "headings": [{"heading_id": h.heading_id, "district_id": h.district_id, "budget": h.budget,
                          "n_ballots": h.n_ballots, "winners": list(h.winners), "total_cost": _num(h.total_cost),
                          "stopped_early": h.stopped_early} for h in result.headings]}


def from_json(data: dict) -> TallyResult:
    return TallyResult(
        data["rule"], data["budget"], data["n_ballots"],
        {k: (_unnum(c), v) for k, (c, v) in data["projects"].items()}, tuple(data["winners"]),
        _unnum(data["total_cost"]), data["explanations"], data["stopped_early"],
        tuple(HeadingResult(h["heading_id"], h["district_id"], h["budget"], h["n_ballots"], tuple(h["winners"]),
                            _unnum(h["total_cost"]), h["stopped_early"]) for h in data["headings"]))


# ------------------------------------------------------------------------------------------ claim

def _stale(count: PBCount, now) -> bool:
    return now - (count.updated_at or count.started_at) > STALE_AFTER


def claim_count(db: Database, actor_id: int, cycle_id: object, rules: tuple[str, ...] | None = None) -> int:
    """Claim a count of the cycle with `rules` (default: the cycle's rule); returns its id.

    Conflict when the cycle is not counted yet (voting) or another count of it is running."""
    with db.unit_of_work() as session:
        require_governorate(session, actor_id)
        cycle = get_cycle(session, cycle_id, lock=True)
        if cycle.phase not in (PBPhase.TALLYING, PBPhase.RESULTS):
            raise Conflict("pb_not_tallying", phase=cycle.phase.value)
        wanted = tuple(dict.fromkeys(rules or (cycle.counting_rule.value,)))
        if not 1 <= len(wanted) <= MAX_RULES:
            raise ValidationError("pb_counting_rule_unknown", field="counting_rule")
        names = [_rule(r).value for r in wanted]
        now = utcnow()
        for running in session.scalars(select(PBCount).where(PBCount.cycle_id == cycle.id,
                                                             PBCount.status == "running")):
            if not _stale(running, now):
                raise Conflict("pb_count_running")
            running.status, running.error, running.finished_at = "failed", "interrupted", now
            record(session, actor_id, "pb_count.interrupted", running)
        count = PBCount(cycle_id=cycle.id, rules=names, status="running", progress=0.0, stage="claimed",
                        started_by_id=actor_id, started_at=now, updated_at=now)
        session.add(count)
        record(session, actor_id, "pb_count.claimed", count)
        return count.id


def _pick_up(db: Database, count_id: int, actor_id: int | None) -> bool:
    with db.unit_of_work() as session:
        lock_rows(session, PBCount, [count_id])
        count = session.get(PBCount, count_id, populate_existing=True)
        if count is None or count.status != "running" or count.picked_up_at is not None or \
                count.started_by_id != actor_id:
            return False
        count.picked_up_at = count.updated_at = utcnow()
        count.stage = "counting"
        record(session, actor_id, "pb_count.picked_up", count)
        return True


class _Progress:
    """Writes the count's progress, at most every PROGRESS_EVERY seconds (best effort)."""

    def __init__(self, db: Database, count_id: int, n_rules: int) -> None:
        self.db, self.count_id, self.n_rules = db, count_id, n_rules
        self.rule_index = 0
        self.last = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY and fraction < 1:
            return
        self.last = now
        overall = (self.rule_index + min(max(fraction, 0.0), 1.0)) / self.n_rules
        try:
            with self.db.unit_of_work() as session:
                count = session.get(PBCount, self.count_id)
                if count is not None and count.status == "running":
                    count.progress, count.updated_at = overall, utcnow()
                    record(session, count.started_by_id, "pb_count.progress", count)
        except Exception:  # noqa: BLE001 - progress is best effort; the count itself goes on
            log.exception("could not record the progress of PB count %s", self.count_id)


def run_claimed_count(db: Database, count_id: object, actor_id: int | None) -> bool:
    """Run a claimed count (False when it was not this actor's to run, or already taken). Errors mark it
    failed, then propagate."""
    if isinstance(count_id, bool) or not isinstance(count_id, int) or not _pick_up(db, count_id, actor_id):
        log.warning("PB count %s was not picked up (taken already, not running, or not %s's)", count_id, actor_id)
        return False
    try:
        with db.reader() as session:
            count = session.get_one(PBCount, count_id)
            cycle = session.get_one(PBCycle, count.cycle_id)
            fingerprint = ballots_fingerprint(session, cycle.id)
            writer = _Progress(db, count_id, len(count.rules))
            results = {}
            for i, rule in enumerate(count.rules):
                writer.rule_index = i
                results[rule] = to_json(count_cycle(session, cycle, rule, writer))
    except Exception as exc:
        with db.unit_of_work() as session:
            count = session.get_one(PBCount, count_id)
            count.status, count.error = "failed", f"{type(exc).__name__}: {exc}"[:200]
            count.finished_at = count.updated_at = utcnow()
            record(session, actor_id, "pb_count.failed", count)
        raise
    with db.unit_of_work() as session:
        count = session.get_one(PBCount, count_id)
        count.status, count.results, count.fingerprint, count.progress = "done", results, fingerprint, 1.0
        count.stage = "done"
        count.finished_at = count.updated_at = utcnow()
        record(session, actor_id, "pb_count.finished", count,
               after={"rules": list(results), "stopped_early": any(r["stopped_early"] for r in results.values())})
    return True


# ------------------------------------------------------------------------------------------- read

@dataclass(frozen=True)
class CountState:
    count_id: int
    status: str                # running, done, failed
    progress: float
    rules: tuple[str, ...]
    current: bool              # done and the ballots are still those it counted
    error: str | None


def count_state(session: Session, cycle_id: int) -> CountState | None:
    """The cycle's newest count, as any worker reads it."""
    count = session.scalars(select(PBCount).where(PBCount.cycle_id == cycle_id)
                            .order_by(PBCount.id.desc()).limit(1)).first()
    if count is None:
        return None
    status = count.status
    if status == "running" and _stale(count, utcnow()):
        status = "failed"
    current = status == "done" and count.fingerprint == ballots_fingerprint(session, cycle_id)
    return CountState(count.id, status, float(count.progress), tuple(count.rules), current,
                      count.error if status == "failed" else None)


def cached_tally(session: Session, actor_id: int, cycle_id: object, rule: str | None = None) -> TallyResult | None:
    """The newest finished count of the cycle with `rule` (default: the cycle's) over the cycle's current
    ballots, or None: then a count must be started (claim_count)."""
    require_governorate(session, actor_id)
    cycle = get_cycle(session, cycle_id)
    wanted = _rule(rule if rule is not None else cycle.counting_rule.value).value
    fingerprint = ballots_fingerprint(session, cycle.id)
    for count in session.scalars(select(PBCount).where(PBCount.cycle_id == cycle.id, PBCount.status == "done",
                                                       PBCount.fingerprint == fingerprint)
                                 .order_by(PBCount.id.desc())):
        if count.results and wanted in count.results:
            return from_json(count.results[wanted])
    return None


__all__ = ["CountState", "cached_tally", "claim_count", "count_state", "run_claimed_count", "ballots_fingerprint"]
