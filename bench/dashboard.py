"""Benchmark of the governorate's dashboard: `python -m bench.dashboard [--scale 10] [--runs 5] [--postgres URL]`.

A script, not a test. It seeds the demo (5,000 pledges) into a temporary SQLite file (and, with
--postgres, into a fresh schema there), measures every aggregate and the whole dashboard, then
multiplies the pledges and their allocations by `--scale` with bulk INSERT ... SELECT and measures
again. It prints the median of several runs, in milliseconds.

Imports sqlalchemy and models; only `time_callback` imports dash_app (lazily), to time the real
dashboard callback through the app's test client — server time, including the figures.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

import models.reporting.dashboard as dash_q
from models.core.db import Database
from models.orm.pledges import Allocation, Pledge

PLEDGE_COLUMNS = ("citizen_id, kind, quantity, withdrawn_quantity, description, district_id, window_start, window_end, "
                  "only_tables, divisible, status, created_at, version")
ALLOCATION_COLUMNS = ("need_id, quantity, score, reasons, matching_run_id, status, reject_reason, decided_by_id, "
                      "decided_at, delivered_at, delivery_note, created_at, version")


def seed(db: Database) -> None:
    from models.core.schema import migrate
    from models.demo.seed import seed_demo

    migrate(db)
    with db.unit_of_work() as s:
        seed_demo(s)


def scale_up(db: Database, factor: int) -> tuple[int, int]:
    """Copy the demo's pledges and allocations (factor - 1) times, in bulk; returns the new counts."""
    with db.engine.begin() as conn:
        n_pledges = conn.execute(select(func.max(Pledge.id))).scalar()
        n_allocs = conn.execute(select(func.max(Allocation.id))).scalar()
        for k in range(1, factor):
            conn.execute(text(f"INSERT INTO pledges ({PLEDGE_COLUMNS}) SELECT {PLEDGE_COLUMNS} FROM pledges "
                              f"WHERE id <= :n ORDER BY id"), {"n": n_pledges})
            conn.execute(text(f"INSERT INTO allocations (pledge_id, {ALLOCATION_COLUMNS}) "
                              f"SELECT pledge_id + :offset, {ALLOCATION_COLUMNS} FROM allocations "
                              f"WHERE id <= :n ORDER BY id"), {"offset": k * n_pledges, "n": n_allocs})
        conn.execute(text("ANALYZE"))
        return (conn.execute(select(func.count()).select_from(Pledge)).scalar(),
                conn.execute(select(func.count()).select_from(Allocation)).scalar())


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm the statement cache and the database's pages
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def time_aggregates(db: Database, runs: int) -> dict[str, float]:
    f = dash_q.DashboardFilter()
    results = {}
    with db.reader() as s:
        for name in ("headline", "by_table", "by_district", "by_month", "flows", "coverage", "matching_runs"):
            fn = getattr(dash_q, name)
            results[name] = median_ms(lambda fn=fn: fn(s, f), runs)
        results["dashboard (all aggregates)"] = median_ms(lambda: dash_q.dashboard(s, f), runs)
        table_id = s.scalar(select(func.min(dash_q.Table.id)))
        narrow = dash_q.DashboardFilter(table_id=table_id)
        results["dashboard, one table"] = median_ms(lambda: dash_q.dashboard(s, narrow), runs)
    return results


def time_callback(db: Database, runs: int) -> float:
    """Median server time of the dashboard callback (figures and JSON included), via the test client."""
    import models.accounts.users as accounts
    from dash_app import create_app

    login, password = f"bench-{uuid.uuid4().hex[:8]}@example.org", "bench horse 42 staple"
    with db.unit_of_work() as s:
        accounts.create_user(s, name="Bench", login=login, password=password, is_governorate=True)
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "bench"})
    client = app.test_client()
    client.get("/")
    token = client.get_cookie("_csrf_token").value
    client.post("/login", data={"csrf_token": token, "login": login, "password": password})
    client.get("/")
    token = client.get_cookie("_csrf_token").value
    dash_app = app.extensions["hamyar_dash"]
    key = next(k for k in dash_app.callback_map if "gov-headline" in k)
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs, "changedPropIds": [],
            "inputs": [{"id": i, "property": "value", "value": ""} for i in
                       ("gov-f-date-from", "gov-f-date-to", "gov-f-table", "gov-f-kind", "gov-f-district")]}

    def call():
        resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": token})
        assert resp.status_code == 200, resp.status_code

    try:
        return median_ms(call, runs)
    finally:
        app.extensions["hamyar_db"].dispose()


def report(label: str, db: Database, runs: int, with_callback: bool) -> None:
    with db.reader() as s:
        pledges = s.scalar(select(func.count()).select_from(Pledge))
        allocs = s.scalar(select(func.count()).select_from(Allocation))
    print(f"\n{label}: {pledges:,} pledges, {allocs:,} allocations (median of {runs} runs)")
    for name, ms in time_aggregates(db, runs).items():
        print(f"  {name:<28} {ms:8.1f} ms")
    if with_callback:
        print(f"  {'dashboard callback (server)':<28} {time_callback(db, runs):8.1f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", help="also measure on PostgreSQL (a fresh schema, dropped afterwards)")
    parser.add_argument("--no-callback", action="store_true", help="time the aggregates only")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hamyar-bench-") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        seed(db)
        report("SQLite, demo", db, args.runs, not args.no_callback)
        scale_up(db, args.scale)
        report(f"SQLite, demo x{args.scale}", db, args.runs, not args.no_callback)
        db.dispose()

    if args.postgres:
        schema = f"hamyar_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        db = Database(f"{args.postgres}{sep}options=-csearch_path%3D{schema}")
        try:
            seed(db)
            report("PostgreSQL, demo", db, args.runs, not args.no_callback)
            scale_up(db, args.scale)
            report(f"PostgreSQL, demo x{args.scale}", db, args.runs, not args.no_callback)
        finally:
            db.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
