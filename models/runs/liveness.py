"""A matching run's signs of life: how often a running job says it is alive, and when silence means it died.

Imports the standard library only (the heartbeat's writer is handed in), so every layer may read the
two numbers. A run's sign of life is its newest audit event ("matching.started", a progress event or a
heartbeat, which re-states the run's progress); `models.runs.lifecycle` marks a RUNNING run
"interrupted" once it has been silent for `stale_after()`, wherever that is noticed first: the next
claim, the next page that reads the run, or the periodic reaper (`hamyar runs reap`).

The numbers (seconds) are configured once per process from the settings (HAMYAR_RUN_STALE_AFTER,
HAMYAR_RUN_HEARTBEAT; dash_app.background applies them): production keeps the defaults, the fault
tests use a few seconds. Their relation is what matters: a job beats every HEARTBEAT_EVERY seconds,
so a live run misses several beats in a row (a busy database, a slow commit) before it looks dead,
and a dead run is noticed within STALE_AFTER plus the reaper's period (30 s): under the 90 s target.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

log = logging.getLogger(__name__)

STALE_AFTER = 60.0      # seconds of silence after which a RUNNING run is taken to have died
HEARTBEAT_EVERY = 15.0  # seconds between two heartbeats of a running job
REAP_EVERY = 30.0       # seconds between two runs of the periodic reaper (docs/deploy.md)

_config = {"stale_after": STALE_AFTER, "heartbeat": HEARTBEAT_EVERY}


def configure(stale_after: float | None = None, heartbeat: float | None = None) -> None:
    """Set this process's numbers (seconds); None keeps the default. The heartbeat must come well
    within the silence that counts as death, or live runs would be reaped."""
    stale = float(STALE_AFTER if stale_after is None else stale_after)
    beat = float(HEARTBEAT_EVERY if heartbeat is None else heartbeat)
    if not (stale > 0 and 0 < beat <= stale / 2):
        raise ValueError(f"a heartbeat every {beat} s cannot keep a run alive against a {stale} s silence limit")
    _config.update(stale_after=stale, heartbeat=beat)


def stale_after() -> timedelta:
    return timedelta(seconds=_config["stale_after"])


def heartbeat_every() -> float:
    return _config["heartbeat"]


class Heartbeat:
    """A daemon thread calling `beat()` every heartbeat_every() seconds until stopped.

    The job's solver runs in the calling thread; HiGHS releases the GIL while it solves (the fault
    tests check that beats go on during a HiGHS call), so the beat is not held up by a long solve.
    A failed beat (database away for a moment) is logged and the next one tried: the run goes on.
    """

    def __init__(self, beat: Callable[[], None], every: float | None = None) -> None:
        self._beat, self._every = beat, every or heartbeat_every()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="hamyar-run-heartbeat", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self._beat()
            except Exception:  # noqa: BLE001 - a missed beat is survivable; a dead thread is not
                log.warning("a matching run's heartbeat failed; trying again in %.0f s", self._every, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)  # a beat stuck on a frozen database must not hold the run up


__all__ = ["HEARTBEAT_EVERY", "REAP_EVERY", "STALE_AFTER", "Heartbeat", "configure", "heartbeat_every", "stale_after"]
