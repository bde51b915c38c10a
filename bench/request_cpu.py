"""CPU per request, in process: `python -m bench.request_cpu [--runs 30] [--profile NAME] [--only NAME ...]`.

A script, not a test. It seeds the demo into a temporary SQLite file, publishes a participatory-budgeting
cycle (so /vote shows public results), builds the app and drives it with Flask's test client exactly as
the browser does (bench.loadtest's Browser: the Pages router callback for a page, the pledge form's
confirm callback, the review queue's accept callback). For each request it measures the CPU time of this
thread (`time.thread_time`) spent inside the app's WSGI call (the test client runs the whole request in
this thread, database included, since SQLite is in-process; building the request and parsing the answer
on the client side are not counted) and prints the median of `--runs` runs (after two warm-up runs), the SQL
statements of one run, and the machine's load average at the start and end.

`--profile NAME` prints cProfile's top functions (cumulative) over the runs of one request.
`--encoders` compares, in this process, the JSON encoders Dash can use on /projects' render (as
components, and as the plain JSON the render cache keeps): plotly's json engine, plotly's orjson
engine, and dash_app.encoding's (the one the app installs when orjson is there).

Imports sqlalchemy, models and dash_app (the app under test) and bench.loadtest's protocol helpers.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from bench.loadtest import Browser, FlaskTransport, accept_first, pledge, refresh_dashboard, walk_ids
from models.core.db import Database
from models.demo.seed import DEMO_PASSWORD

CHAIR_TABLE = 1  # the demo chair's table (health), whose queue holds many proposals


def seed(path: Path) -> None:
    from models.core.schema import migrate
    from models.demo.seed import seed_demo

    db = Database(f"sqlite:///{path}")
    migrate(db)
    with db.unit_of_work() as s:
        seed_demo(s)
    db.dispose()


def publish_cycle(db: Database) -> int:
    """A budgeting cycle on three projects with uncovered money, voted by six citizens, counted and published."""
    import models.pb.cycles as pbc
    from models.core.enums import HelpKind, ProjectStatus
    from models.orm.people import User
    from models.orm.projects import Need, Project

    with db.reader() as s:
        gov = s.scalar(select(User.id).where(User.email == "gov@hamyar.local"))
        projects: list[int] = []
        for pid in s.scalars(select(Project.id).join(Need, Need.project_id == Project.id)
                             .where(Project.status == ProjectStatus.OPEN, Need.kind == HelpKind.FINANCIAL)
                             .order_by(Project.id)):
            if pid not in projects and pbc.uncovered_financial_need(s, [pid]).get(pid, 0) > 0:
                projects.append(pid)
            if len(projects) == 3:
                break
        voters = list(s.scalars(select(User.id).where(User.is_governorate.is_(False), User.phone.is_not(None))
                                .order_by(User.id).limit(6)))
        gaps = pbc.uncovered_financial_need(s, projects)
    with db.unit_of_work() as s:
        cid = pbc.create_cycle(s, gov, pbc.CycleInput(
            name_fa="بودجه‌ریزی مشارکتی ۱۴۰۵", name_en="Participatory budget 1405",
            budget_rials=max(gaps.values()) + min(gaps.values()), project_ids=tuple(projects),
            ballot_rule="approval", max_approvals=2)).id
    with db.unit_of_work() as s:
        pbc.advance_phase(s, gov, cid, "voting")
    for k, v in enumerate(voters):
        with db.unit_of_work() as s:
            pbc.cast_ballot(s, v, cid, [projects[k % 3], projects[(k + 1) % 3]] if k % 2 else [projects[0]])
    with db.unit_of_work() as s:
        pbc.advance_phase(s, gov, cid, "tallying")
    with db.unit_of_work() as s:
        pbc.publish_results(s, gov, cid)
    return cid


def make_app(path: Path):
    from dash_app import create_app

    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench",
                       "RATELIMIT_ENABLED": False})


def browser(app, who: str | None) -> Browser:
    b = Browser(FlaskTransport(app.test_client()))
    if who:
        b.log_in(f"{who}@hamyar.local", DEMO_PASSWORD)
    return b


def _page(path: str, search: str = "", must: str | None = None) -> Callable[[Browser], Any]:
    def run(b: Browser) -> Any:
        tree = b.open_page(path, search)
        if must is not None and must not in str(tree):
            raise RuntimeError(f"{path}{search} did not render {must!r}")
        return tree
    return run


class ChairQueue:
    """The chair's accept press, each run on the next proposal of the re-rendered queue."""

    def __init__(self) -> None:
        self.queue: Any = None

    def __call__(self, b: Browser) -> Any:
        if self.queue is None or not walk_ids(self.queue, "table-accept"):
            tree = b.open_page(f"/tables/{CHAIR_TABLE}")
            self.queue = _find(tree, "table-review-list")
        pressed, self.queue = accept_first(b, CHAIR_TABLE, self.queue)
        if not pressed:
            raise RuntimeError("the chair's queue is empty")
        return self.queue


def _find(tree: Any, cid: str) -> Any:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == cid:
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise RuntimeError(f"no {cid} in the page")


def _cold(app, action: Callable[[Browser], Any]) -> Callable[[Browser], Any]:
    """The action with the render cache emptied first (a miss each time; the same as `action` on main)."""
    def run(b: Browser) -> Any:
        renders = app.extensions.get("hamyar_renders")
        if renders is not None:
            renders.clear()
        return action(b)
    return run


def cases(app, project_id: int) -> list[tuple[str, str | None, Callable[[Browser], Any]]]:
    return [
        ("anon /", None, _page("/", must="home-totals")),
        ("anon / (render cache cold)", None, _cold(app, _page("/", must="home-totals"))),
        ("anon /projects (cold)", None, _cold(app, _page("/projects", must="projects-list"))),
        ("anon /projects", None, _page("/projects", must="projects-list")),
        ("anon /projects filtered p2", None, _page("/projects", "?table=1&kind=financial&page=2")),
        ("anon project page", None, _page(f"/projects/{project_id}", must="data-need")),
        ("anon how-matching-works", None, _page("/how-matching-works")),
        ("citizen /vote (PB results)", "citizen", _page("/vote", must="vote-results")),
        ("citizen /", "citizen", _page("/", must="home-totals")),
        ("citizen /my", "citizen", _page("/my")),
        ("citizen unread badge", "citizen", lambda b: b.unread("/my")),
        ("pledge confirm (write)", "citizen", lambda b: pledge(b, "pledge-confirm", "250000")),
        ("chair accept (write)", "chair", ChairQueue()),
        ("gov dashboard refresh", "gov", lambda b: refresh_dashboard(b)),
        ("gov dashboard refresh (cold)", "gov", _cold_board(app, lambda b: refresh_dashboard(b))),
    ]


def _cold_board(app, action: Callable[[Browser], Any]) -> Callable[[Browser], Any]:
    """The dashboard's refresh after a write (as in a campaign: every audited commit moves the generation)."""
    def run(b: Browser) -> Any:
        app.extensions["hamyar_cache"].bump()
        return action(b)
    return run


class ServerTime:
    """WSGI middleware: the CPU time of this thread inside the app, summed over the requests of an action."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app, self.total = wsgi_app, 0.0

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        start = time.thread_time()
        try:
            return list(self.wsgi_app(environ, start_response))  # the body made here, inside the timing
        finally:
            self.total += time.thread_time() - start


def measure(fn: Callable[[], Any], timer: ServerTime, runs: int, profile: cProfile.Profile | None = None) -> list[float]:
    for _ in range(2):
        fn()
    times = []
    for _ in range(runs):
        if profile is not None:
            profile.enable()
        timer.total = 0.0
        fn()
        times.append(timer.total * 1000)
        if profile is not None:
            profile.disable()
    return times


def count_statements(app, fn: Callable[[], Any]) -> int:
    seen = [0]

    def before(*_a: Any) -> None:
        seen[0] += 1

    engine = app.extensions["hamyar_db"].engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen[0]


def compare_encoders(app, runs: int) -> None:
    """Median ms per encoding of /projects' render by each encoder, three interleaved rounds (the best)."""
    import plotly.io.json as plotly_json

    from dash_app.pages.citizen import projects
    from dash_app.render_cache import json_form

    plotly_encode = getattr(plotly_json.to_json_plotly, "plotly_encode", None)
    if plotly_encode is None:
        print("encoders: dash_app.encoding is not installed (no orjson)")
        return
    with app.test_request_context("/"):
        tree = projects._projects(projects.filter_from_query({}))
        payloads = {"components": {"response": {"x": {"children": tree}}},
                    "cached render": {"response": {"x": {"children": json_form(tree)}}}}
    encoders = {"plotly json": lambda o: plotly_encode(o, engine="json"),
                "plotly orjson": lambda o: plotly_encode(o, engine="orjson"),
                "dash_app.encoding": plotly_json.to_json_plotly}
    for what, payload in payloads.items():
        best: dict[str, float] = {}
        for _round in range(3):
            for name, encode in encoders.items():
                times = []
                for _ in range(runs):
                    start = time.thread_time()
                    encode(payload)
                    times.append((time.thread_time() - start) * 1000)
                best[name] = min(best.get(name, 1e9), statistics.median(times))
        size = len(plotly_encode(payload, engine="json")) // 1024
        print(f"encode /projects ({what}, {size} KiB): " + ", ".join(f"{n} {ms:.2f} ms" for n, ms in best.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", nargs="*", default=None, help="substrings of the case names to run")
    parser.add_argument("--profile", default=None, help="a substring of one case name: print its cProfile")
    parser.add_argument("--profile-lines", type=int, default=35)
    parser.add_argument("--encoders", action="store_true", help="also compare the JSON encoders on /projects")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.sqlite3"
        seed(path)
        app = make_app(path)
        timer = ServerTime(app.wsgi_app)
        app.wsgi_app = timer  # type: ignore[method-assign]
        db = app.extensions["hamyar_db"]
        publish_cycle(db)
        from models.core.enums import ProjectStatus
        from models.orm.projects import Project

        with db.reader() as s:  # an open project (a published page with needs, coverage and contributions)
            project_id = s.scalar(select(Project.id).where(Project.status == ProjectStatus.OPEN).order_by(Project.id))
        browsers: dict[str | None, Browser] = {}
        rows = []
        for name, who, action in cases(app, project_id):
            if args.only and not any(o in name for o in args.only):
                continue
            if who not in browsers:
                browsers[who] = browser(app, who)
            prof = cProfile.Profile() if args.profile and args.profile in name else None
            run = functools.partial(action, browsers[who])
            times = measure(run, timer, args.runs, prof)
            statements = count_statements(app, run)
            rows.append((name, statistics.median(times), min(times), statements))
            if prof is not None:
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.profile_lines)
                print(out.getvalue())
        if args.encoders:
            compare_encoders(app, max(args.runs, 50))
        db.dispose()
    load_after = os.getloadavg()
    print(f"CPU ms per request inside the app (time.thread_time), median of {args.runs} runs after 2 warm-ups; "
          "SQLite demo")
    print(f"{'request':32} {'median ms':>10} {'min ms':>8} {'SQL':>5}")
    for name, median, low, statements in rows:
        print(f"{name:32} {median:10.2f} {low:8.2f} {statements:5d}")
    print("load average before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(*load_before, *load_after))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
