"""Benchmark of a county's matching run as the app makes it: `python -m bench.county_run`.

Seeds the demo county into a fresh SQLite file (or the database of --url, which must be empty and
migrated), makes one county run (it proposes), then --repeats more that keep those proposals (the
common case: a run after a few new pledges or decisions), each through models.runs.lifecycle.run_matching:
read the instance, solve, store. Prints the median of the reruns, and, as the baseline measured in the
same process, the solver alone (matching.solve_instance) on the instance the last rerun read, so the
ratio is what reading and storing add. Issue 16's target: a rerun under 1 s.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from matching import solve_instance
from models.core.db import Database
from models.core.enums import RunScope
from models.core.schema import migrate
from models.demo.seed import seed_demo
from models.orm.people import User
from models.runs.lifecycle import build_instance, run_matching


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--url", help="an empty database (default: a fresh SQLite file)")
    a = ap.parse_args()
    url = a.url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='county-run-')) / 'demo.sqlite3'}"
    db = Database(url)
    migrate(db)
    with db.unit_of_work() as s:
        seed_demo(s)
    with db.reader() as s:
        gov = s.scalar(select(User.id).where(User.email == "gov@hamyar.local"))
    t = time.perf_counter()
    first = run_matching(db, gov, RunScope.COUNTY)
    first_s = time.perf_counter() - t
    runs, solver = [], []
    last = first
    for _ in range(a.repeats):
        t = time.perf_counter()
        last = run_matching(db, gov, RunScope.COUNTY)
        runs.append(time.perf_counter() - t)
    with db.reader() as s:
        instance = build_instance(s, RunScope.COUNTY)
    for _ in range(a.repeats):
        t = time.perf_counter()
        solve_instance(instance)
        solver.append(time.perf_counter() - t)
    run_m, solver_m = statistics.median(runs), statistics.median(solver)
    print(f"demo county: {last.pledges} pledges x {last.needs} needs, objective {last.objective:.8f}")
    print(f"first run: {first_s:.2f} s ({first.proposed} proposed, {first.withdrawn} withdrawn)")
    print(f"rerun keeping its proposals: median {run_m:.3f} s {[round(x, 2) for x in runs]}, "
          f"{last.kept} kept, {last.proposed} proposed, {last.withdrawn} withdrawn")
    print(f"solver alone on that instance: median {solver_m:.3f} s {[round(x, 2) for x in solver]}; "
          f"ratio run / solver {run_m / solver_m:.2f}")


if __name__ == "__main__":
    main()
