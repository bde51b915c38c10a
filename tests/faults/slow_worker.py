"""dash_app.worker for the fault tests, whose solver first waits while the file HAMYAR_TEST_SLOW_FLAG
exists (at most a minute): a run that is still solving when the test kills its worker. With
`celery -A tests.faults.slow_worker worker`.

The wait is spent in the solver's place, reported as solving, with the run's heartbeat beating as it
does during a long HiGHS solve; then the real solver runs.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import matching

_solve = matching.solve_instance


def _slow_solve(instance, progress=None):
    flag = os.environ.get("HAMYAR_TEST_SLOW_FLAG")
    if progress:
        progress(0.0, "financial: solving")
    end = time.monotonic() + 60
    while flag and Path(flag).exists() and time.monotonic() < end:
        time.sleep(0.05)
    return _solve(instance, progress=progress)


matching.solve_instance = _slow_solve

from dash_app.worker import app, celery_app, server  # noqa: E402 - after the patch, which the jobs read

__all__ = ["app", "celery_app", "server"]
