"""Load benchmark: Hamyar under gunicorn on PostgreSQL with the demo, driven over HTTP on loopback.

    python -m bench.loadtest [--users 50 200] [--seconds 30] [--workers 3] [--threads 8] [--redis URL]
    python -m bench.loadtest --arrivals 2 --think 10 --pages 8 --seconds 120 [--redis URL]

Two load models:
- closed (`--users`): that many users loop over the mix for `--seconds`, back to back or with
  `--think` (a uniform 0..2x pause after each page). Measures saturation.
- open (`--arrivals RATE`): users arrive at RATE per second (Poisson), each browses a visit of
  `--pages` pages on average (geometric) with an exponential think time of mean `--think` seconds
  between pages, then leaves; arrivals do not wait for the server, so a slow server is not spared
  load (as on a campaign's evening). The expected number of users on the site is
  RATE x pages x (think + response time) (Little's law); the report gives the measured mean and peak.
  Arriving users are people who signed in before (a session from a pool signed in through the form
  at the start); a visit that finds no free session of its role is counted as "no session".
Both print req/s, p50/p95/p99 and errors per action, and the CPU used during the run by the gunicorn
this benchmark started (its master and workers), this load generator, and the machine's PostgreSQL
and Redis processes (all of them: on a shared machine that includes other users of the server).

It creates a schema of its own in the PostgreSQL database named by HAMYAR_TEST_PG (default the
local `test` database), migrates and seeds the demo there, gives bench citizens and every table's
chair a password (a direct UPDATE in the bench schema, since the demo's citizens cannot sign in),
starts gunicorn on 127.0.0.1 with login rate limits off (every simulated user comes from the same
address), and drops the schema at the end. With --redis the workers share Redis as production does
(login counters and the dashboard cache; background jobs stay on the single-machine manager, since
the mix starts none); without it each worker keeps its own.

Virtual users sign in through the login form (CSRF token from the form's cookie), then loop over a
realistic mix of the requests the browser sends: the Dash Pages router callback for each page they
open (POST /_dash-update-component with the location's pathname and search, exactly as the renderer
does), the navbar's unread-count callback, the pledge form's review and confirm callbacks, the
review queue's accept callback (with the allocation id and version read from the rendered queue),
and the governorate dashboard's filter callback. The callback payloads are built from the app's own
/_dash-dependencies, so a changed callback signature shows up as an error here, not as silence.

Imports requests and the standard library; the server side imports models and dash_app.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

ROUTER = "_pages_content.children"
UNREAD = "nav-unread.children"
PLEDGE_STEP = "pledge-form.style"
REVIEW = "table-review-list.children"
DASHBOARD = "gov-headline.children"
BENCH_PASSWORD = "bench-Amol-1405"
READ_ACTIONS = ("home", "browse", "filter", "project", "my", "review_queue", "dashboard", "unread")
WRITE_ACTIONS = ("pledge_review", "pledge_confirm", "accept")


# --- the browser's protocol ------------------------------------------------------------------------


def _split_output(text: str) -> dict:
    cid, prop = text.rsplit(".", 1)
    return {"id": json.loads(cid) if cid.startswith("{") else cid, "property": prop}


def find_dependency(deps: list[dict], output_part: str) -> dict:
    """The callback (from /_dash-dependencies) whose output key names `output_part` (e.g. "x.children")."""
    for dep in deps:
        outputs = dep["output"].strip(".").split("...")
        if any(o == output_part or o.startswith(output_part + "@") for o in outputs):
            return dep
    raise LookupError(f"no callback writes {output_part}")


def prop_id(cid: Any, prop: str) -> str:
    """Dash's changedPropIds entry: `id.prop`, a pattern id as sorted compact JSON."""
    if isinstance(cid, dict):
        cid = json.dumps(cid, sort_keys=True, separators=(",", ":"))
    return f"{cid}.{prop}"


def callback_body(dep: dict, values: dict[tuple[str, str], Any], triggered: list[tuple[Any, str]]) -> dict:
    """The JSON the Dash renderer POSTs for `dep`.

    `values[(id, prop)]` is a plain component's value; for a pattern (ALL) dependency the key is
    (the pattern's "type", prop) and the value a list of (id dict, value) pairs. `triggered` lists
    the (id, prop) that changed.
    """
    key = dep["output"]
    outputs = [_split_output(o) for o in key.strip(".").split("...")]

    def item(d: dict) -> Any:
        cid, prop = d["id"], d["property"]
        if cid.startswith("{"):
            kind = json.loads(cid).get("type")
            return [{"id": i, "property": prop, "value": v} for i, v in values.get((kind, prop), [])]
        return {"id": cid, "property": prop, "value": values.get((cid, prop))}

    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": [item(d) for d in dep.get("inputs", [])],
        "state": [item(d) for d in dep.get("state", [])],
        "changedPropIds": [prop_id(c, p) for c, p in triggered],
    }


def walk_ids(tree: Any, kind: str) -> list[dict]:
    """Every pattern id {"type": kind, ...} in a rendered component tree (a callback's JSON)."""
    found: list[dict] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            cid = node.get("id")
            if isinstance(cid, dict) and cid.get("type") == kind:
                found.append(cid)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


class CallbackError(RuntimeError):
    """A request the browser would show as an error (HTTP status other than 200/204)."""


class Browser:
    """One signed-in (or anonymous) person's requests, over any transport with get/post.

    `transport` is a requests.Session bound to a base URL (see HttpTransport) or a Flask test client
    wrapped in FlaskTransport; both answer (status, headers, body bytes) and keep cookies.
    """

    def __init__(self, transport, deps: list[dict] | None = None) -> None:
        self.t = transport
        self._deps = deps

    @property
    def deps(self) -> list[dict]:
        if self._deps is None:
            status, _h, body = self.t.get("/_dash-dependencies")
            if status != 200:
                raise CallbackError(f"/_dash-dependencies answered {status}")
            self._deps = json.loads(body)
        return self._deps

    def csrf(self) -> str:
        token = self.t.cookie("_csrf_token")
        if token is None:
            self.t.get("/login")
            token = self.t.cookie("_csrf_token")
        return token

    def log_in(self, login: str, password: str) -> None:
        self.t.get("/login")
        status, headers, _b = self.t.post_form("/login", {"csrf_token": self.csrf(), "login": login,
                                                          "password": password})
        location = headers.get("Location", "")
        if status not in (302, 303) or "error=" in location:
            raise CallbackError(f"log in as {login} failed: {status} {location}")
        self.t.get("/")  # the token rotated at sign-in: the page load sets the new cookie

    def callback(self, output_part: str, values: dict, triggered: list[tuple[Any, str]]) -> dict:
        body = callback_body(find_dependency(self.deps, output_part), values, triggered)
        status, _h, raw = self.t.post_json("/_dash-update-component", body, {"X-CSRFToken": self.csrf()})
        if status == 204:
            return {}
        if status != 200:
            raise CallbackError(f"{output_part}: HTTP {status} {raw[:200]!r}")
        return json.loads(raw)

    def open_page(self, pathname: str, search: str = "") -> dict:
        """What dcc.Location's change sends: the Pages router renders the page's layout."""
        out = self.callback(ROUTER, {("_pages_location", "pathname"): pathname,
                                     ("_pages_location", "search"): search},
                            [("_pages_location", "pathname")])
        return out["response"]["_pages_content"]["children"]

    def unread(self, pathname: str) -> dict:
        return self.callback(UNREAD, {("_pages_location", "pathname"): pathname},
                             [("_pages_location", "pathname")])


class FlaskTransport:
    """A Flask test client as a transport (for the query-budget tests)."""

    def __init__(self, client) -> None:
        self.c = client

    def get(self, path):
        r = self.c.get(path)
        return r.status_code, r.headers, r.data

    def post_form(self, path, data):
        r = self.c.post(path, data=data)
        return r.status_code, r.headers, r.data

    def post_json(self, path, body, headers):
        r = self.c.post(path, json=body, headers=headers)
        return r.status_code, r.headers, r.data

    def cookie(self, name):
        c = self.c.get_cookie(name)
        return c.value if c is not None else None


class HttpTransport:
    """requests over loopback with a kept-alive connection."""

    def __init__(self, base: str, timeout: float = 30.0) -> None:
        import requests

        self.base = base
        self.s = requests.Session()
        self.timeout = timeout

    def get(self, path):
        r = self.s.get(self.base + path, allow_redirects=False, timeout=self.timeout)
        return r.status_code, r.headers, r.content

    def post_form(self, path, data):
        r = self.s.post(self.base + path, data=data, allow_redirects=False, timeout=self.timeout)
        return r.status_code, r.headers, r.content

    def post_json(self, path, body, headers):
        r = self.s.post(self.base + path, json=body, headers=headers, allow_redirects=False, timeout=self.timeout)
        return r.status_code, r.headers, r.content

    def cookie(self, name):
        return self.s.cookies.get(name)


# --- page actions shared by the benchmark and the query-budget tests --------------------------------


def pledge_values(amount: str = "250000") -> dict:
    return {("pledge-kind", "value"): "financial", ("pledge-quantity", "value"): amount,
            ("pledge-unit", "value"): "toman", ("pledge-description", "value"): "",
            ("pledge-skills", "value"): [], ("pledge-district", "value"): None,
            ("pledge-start", "value"): "", ("pledge-end", "value"): "",
            ("pledge-tables", "value"): [], ("pledge-only-tables", "value"): False,
            ("pledge-divisible", "value"): True}


def pledge(b: Browser, button: str, amount: str = "250000") -> dict:
    """The pledge form's review (`pledge-review`) or confirm (`pledge-confirm`) press."""
    values = pledge_values(amount)
    values[(button, "n_clicks")] = 1
    out = b.callback(PLEDGE_STEP, values, [(button, "n_clicks")])
    resp = out.get("response", {})
    if "alert-danger" in json.dumps(resp.get("pledge-error", {})):
        raise CallbackError(f"{button}: the form refused: {json.dumps(resp)[:300]}")
    if button == "pledge-confirm" and not resp.get("pledge-done", {}).get("children"):
        raise CallbackError(f"pledge-confirm stored nothing: {json.dumps(resp)[:300]}")
    return out


def review_values(table_id: int, queue: Any) -> dict:
    accepts = walk_ids(queue, "table-accept")
    return {("table-id", "data"): table_id, ("table-review-refresh", "data"): {"page": 0},
            ("table-accept", "n_clicks"): [(i, None) for i in accepts],
            ("table-select", "value"): [(i, False) for i in walk_ids(queue, "table-select")]}


def accept_first(b: Browser, table_id: int, queue: Any, pick: int = 0) -> tuple[bool, Any]:
    """Press "accept" on a proposal shown in `queue`; (pressed?, the re-rendered list)."""
    accepts = walk_ids(queue, "table-accept")
    if not accepts:
        return False, queue
    target = accepts[pick % len(accepts)]
    values = review_values(table_id, queue)
    values[("table-accept", "n_clicks")] = [(i, 1 if i == target else None) for i in accepts]
    out = b.callback(REVIEW, values, [(target, "n_clicks")])
    resp = out["response"]
    alert = json.dumps(resp.get("table-review-alert", {}))
    if "danger" in alert:
        raise CallbackError(f"accept refused: {alert[:300]}")
    if "table-review-list" in resp:  # the queue drawn again (the page's last proposal, or a refusal)
        return True, resp["table-review-list"]["children"]
    return True, apply_side_updates(queue, out.get("sideUpdate", {}))  # answered in place


def apply_side_updates(tree: Any, side: dict) -> Any:
    """What the renderer does with a callback's set_props on the components of `tree`, in place: each
    component whose id (as the renderer spells a pattern id) is in `side` takes those props. A Patch
    (a dict with "__dash_patch_update") is left out: the bench reads only the ids of what is on screen."""
    def key(cid: Any) -> str:
        return json.dumps(cid, sort_keys=True, separators=(",", ":")) if isinstance(cid, dict) else str(cid)

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and key(props.get("id")) in side:
                props.update({k: v for k, v in side[key(props.get("id"))].items()
                              if not (isinstance(v, dict) and "__dash_patch_update" in v)})
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return tree


def dashboard_values(table: Any = "", kind: Any = "", district: Any = "") -> dict:
    return {("gov-f-date-from", "value"): "", ("gov-f-date-to", "value"): "", ("gov-f-table", "value"): table,
            ("gov-f-kind", "value"): kind, ("gov-f-district", "value"): district}


def refresh_dashboard(b: Browser, **filters: Any) -> dict:
    out = b.callback(DASHBOARD, dashboard_values(**filters), [("gov-f-table", "value")])
    if "alert" in json.dumps(out.get("response", {}).get("gov-f-error", {})):
        raise CallbackError("dashboard filter refused")
    if "gov-fig-tables" not in out.get("response", {}):  # a failed callback answers without its figures
        raise CallbackError(f"the dashboard did not draw: {json.dumps(out)[:300]}")
    return out


# --- the benchmark -------------------------------------------------------------------------------

PG_URL = os.environ.get("HAMYAR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def checkpoint() -> None:
    """Vacuum and analyse the seeded tables and write their dirty pages out now (needs a superuser), so that
    PostgreSQL's after-load work (autovacuum, the checkpoint the seeding's WAL calls for) does not fall inside
    the measurement. It did not remove the open model's write tail: that is CPU bursts (docs/deploy.md)."""
    import psycopg

    try:
        with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")  # and autovacuum finds nothing of the seeding to do meanwhile
            conn.execute("CHECKPOINT")
    except psycopg.Error as exc:
        print(f"  (no CHECKPOINT: {exc}; a checkpoint may fall inside the measurement)", flush=True)


def bench_app():
    """gunicorn's app factory: Hamyar with the per-address sign-in limit raised, since every bench
    user comes from 127.0.0.1 (the per-account limit on failed attempts stays)."""
    from dash_app import create_app, ratelimit

    ratelimit.LOGIN_PER_ADDRESS = "100000 per minute"
    return create_app()


@dataclass
class Setup:
    schema: str
    url: str
    chairs: dict[int, str]      # table id -> chair's login
    citizens: list[str]
    project_ids: list[int]
    table_ids: list[int]
    districts: list[int]


def prepare_database(n_citizens: int) -> Setup:
    from sqlalchemy import create_engine, select, text

    from models.accounts.users import hash_password
    from models.core.db import Database
    from models.core.schema import migrate
    from models.demo.seed import seed_demo
    from models.orm.projects import Project
    from models.orm.tables import Table

    schema = f"hamyar_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    db = Database(url)
    migrate(db)
    with db.unit_of_work() as s:
        seed_demo(s)
    hashed = hash_password(BENCH_PASSWORD)
    with db.engine.begin() as conn:
        chairs = {tid: login for tid, login in conn.execute(text(
            "SELECT t.id, coalesce(u.email, u.phone) FROM tables t JOIN users u ON u.id = t.chair_id ORDER BY t.id"))}
        citizens = [r[0] for r in conn.execute(text(
            "SELECT phone FROM users WHERE phone LIKE '+98912%' ORDER BY id LIMIT :n"), {"n": n_citizens})]
        # The demo's citizens and experts have no password; give the bench's ones one (bench schema only).
        conn.execute(text("UPDATE users SET password_hash = :h WHERE password_hash = '!seeded' AND "
                          "(phone = ANY(:logins) OR id IN (SELECT chair_id FROM tables))"),
                     {"h": hashed, "logins": citizens})
        districts = [r[0] for r in conn.execute(text("SELECT id FROM districts WHERE level = 'district'"))]
    with db.reader() as s:
        project_ids = list(s.scalars(select(Project.id).order_by(Project.id)))
        table_ids = list(s.scalars(select(Table.id).order_by(Table.id)))
    db.dispose()
    return Setup(schema, url, chairs, citizens, project_ids, table_ids, districts)


def drop_schema(schema: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def start_server(setup: Setup, workers: int, threads: int, redis_url: str = "") -> tuple[subprocess.Popen, str]:
    port = _free_port()
    # production settings need an audit key since the audit chain is keyed: a throwaway one for the bench schema
    env = dict(os.environ, DATABASE_URL=setup.url, SECRET_KEY=uuid.uuid4().hex, HAMYAR_DATA="/tmp/hamyar-bench",
               HAMYAR_AUDIT_KEY=os.environ.get("HAMYAR_AUDIT_KEY") or f"bench-{uuid.uuid4().hex}{uuid.uuid4().hex}")
    env.pop("REDIS_URL", None)
    if redis_url:
        env.update(REDIS_URL=redis_url, HAMYAR_BACKGROUND="diskcache",
                   HAMYAR_CACHE_PREFIX=f"hamyar-bench:{setup.schema}:")
    cmd = [sys.executable, "-m", "gunicorn", "bench.loadtest:bench_app()", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
           "--backlog", "2048", "--timeout", "120", "--keep-alive", "30", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            if requests.get(base + "/healthz", timeout=2).status_code < 500:
                # Every worker imports and builds the app lazily on its first requests: warm them.
                for _ in range(workers * 4):
                    requests.get(base + "/", timeout=30)
                return proc, base
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 120 s")


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, action: str, fn, *a, **kw):
        t0 = time.perf_counter()
        try:
            result = fn(*a, **kw)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
            with self.lock:
                self.errors[action] += 1
                self.samples.setdefault(action, f"{type(exc).__name__}: {str(exc)[:200]}")
            return None
        dt = time.perf_counter() - t0
        with self.lock:
            self.times[action].append(dt)
        return result


class VirtualUser(threading.Thread):
    def __init__(self, n: int, role: str, browser: Browser, setup: Setup, stats: Stats, stop: threading.Event,
                 table_id: int | None = None, think: float = 0.0, exponential: bool = False) -> None:
        super().__init__(daemon=True)
        self.n, self.role, self.b, self.setup, self.stats, self.stop = n, role, browser, setup, stats, stop
        self.table_id = table_id
        self.think = think
        self.exponential = exponential  # think times: exponential of mean `think` (open model), else 0..2x uniform
        self.rng = random.Random(n)

    def pause(self) -> None:
        if self.think:
            self.stop.wait(self.rng.expovariate(1 / self.think) if self.exponential
                           else self.rng.uniform(0, 2 * self.think))

    def run(self) -> None:
        while not self.stop.is_set():
            getattr(self, f"loop_{self.role}")()

    def steps(self):
        """The role's mix as an endless sequence of steps (a page and what the person does on it), for
        a visit of the open model: the same pages in the same order as the closed loop."""
        s, rng = self.setup, self.rng
        while True:
            if self.role == "citizen":
                yield lambda: self.page("home", "/")
                yield lambda: self.page("browse", "/projects", f"?page={rng.randint(1, 3)}")
                yield lambda: self.page("filter", "/projects", f"?table={rng.choice(s.table_ids)}&kind=financial")
                yield lambda: self.page("project", f"/projects/{rng.choice(s.project_ids)}")
                if rng.random() < 0.5:
                    yield self.pledge_visit
                yield lambda: self.page("my", "/my")
            elif self.role == "chair":
                yield self.loop_chair
            else:
                yield self.loop_gov

    def pledge_visit(self) -> None:
        rng = self.rng
        self.page("pledge_form", "/pledge")
        self.stats.timed("pledge_review", pledge, self.b, "pledge-review", str(rng.randint(1, 90) * 10_000))
        self.stats.timed("pledge_confirm", pledge, self.b, "pledge-confirm", str(rng.randint(1, 90) * 10_000))
        self.pause()

    def page(self, action: str, path: str, search: str = "") -> Any:
        out = self.stats.timed(action, self.b.open_page, path, search)
        self.stats.timed("unread", self.b.unread, path)
        self.pause()
        return out

    def loop_citizen(self) -> None:
        s, rng = self.setup, self.rng
        self.page("home", "/")
        self.page("browse", "/projects", f"?page={rng.randint(1, 3)}")
        self.page("filter", "/projects", f"?table={rng.choice(s.table_ids)}&kind=financial")
        self.page("project", f"/projects/{rng.choice(s.project_ids)}")
        if rng.random() < 0.5:
            self.pledge_visit()
        self.page("my", "/my")

    def loop_chair(self) -> None:
        queue = self.page("review_queue", f"/tables/{self.table_id}")
        if queue is None:
            return
        section = _find_component(queue, "table-review-list")
        if section is not None:
            self.stats.timed("accept", accept_first, self.b, self.table_id, section)
        self.pause()

    def loop_gov(self) -> None:
        s, rng = self.setup, self.rng
        self.page("dashboard_page", "/governorate")
        choice = rng.random()
        filters = ({"table": rng.choice(s.table_ids)} if choice < 0.4 else
                   {"kind": "financial"} if choice < 0.6 else {"district": rng.choice(s.districts)} if choice < 0.8
                   else {})
        self.stats.timed("dashboard", refresh_dashboard, self.b, **filters)
        self.pause()


def _find_component(tree: Any, cid: str) -> Any:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == cid if isinstance(node.get("props"), dict) else False:
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def sign_in_all(base: str, logins: list[tuple[str, str]], deps: list[dict], parallel: int = 8) -> list[Browser]:
    browsers: list[Browser | None] = [None] * len(logins)
    errors: list[str] = []

    def work(i: int) -> None:
        b = Browser(HttpTransport(base), deps)
        try:
            b.log_in(logins[i][0], logins[i][1])
            browsers[i] = b
        except Exception as exc:  # noqa: BLE001
            errors.append(str(exc))

    idx = list(range(len(logins)))
    threads = []
    for k in range(parallel):
        t = threading.Thread(target=lambda k=k: [work(i) for i in idx[k::parallel]])
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} sign-ins failed, e.g. {errors[0]}")
    return browsers  # type: ignore[return-value]


def run_level(base: str, setup: Setup, users: int, seconds: float, deps: list[dict],
              think: float, pool: dict[str, list[Browser]]) -> tuple[Stats, float, tuple[float, float, float]]:
    """`users` concurrent virtual users for `seconds`: ~85% citizens, 10 chairs (one per table), the rest
    governorate staff."""
    n_chairs = min(len(setup.chairs), max(1, users // 20))
    n_gov = max(1, users // 20)
    n_cit = users - n_chairs - n_gov
    stats, stop = Stats(), threading.Event()
    vus: list[VirtualUser] = []
    chair_tables = list(setup.chairs)
    for i in range(n_cit):
        vus.append(VirtualUser(i, "citizen", pool["citizen"][i], setup, stats, stop, think=think))
    for i in range(n_chairs):
        tid = chair_tables[i]
        vus.append(VirtualUser(1000 + i, "chair", pool["chair"][i], setup, stats, stop, table_id=tid, think=think))
    for i in range(n_gov):
        vus.append(VirtualUser(2000 + i, "gov", pool["gov"][i], setup, stats, stop, think=think))
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    for v in vus:
        v.start()
    stop.wait(seconds)
    stop.set()
    for v in vus:
        v.join(timeout=60)
    elapsed = time.perf_counter() - t0
    load1 = os.getloadavg()
    return stats, elapsed, (load0[0], load1[0], load1[1])


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))
    return xs[k]


def report(users: int | str, stats: Stats, elapsed: float, load: tuple[float, float, float]) -> str:
    lines = [f"\n{users if isinstance(users, str) else f'{users} users'}, {elapsed:.1f} s, load average {load[0]:.2f} before -> {load[1]:.2f} (1 min), "
             f"{load[2]:.2f} (5 min)",
             f"{'action':<15}{'kind':>6}{'n':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"]
    total = 0
    total_err = 0
    for action in sorted(set(stats.times) | set(stats.errors)):
        xs = stats.times.get(action, [])
        kind = "write" if action in WRITE_ACTIONS else "read"
        total += len(xs)
        total_err += stats.errors.get(action, 0)
        lines.append(f"{action:<15}{kind:>6}{len(xs):>7}{len(xs) / elapsed:>8.1f}{_pct(xs, 50) * 1000:>9.0f}"
                     f"{_pct(xs, 95) * 1000:>9.0f}{_pct(xs, 99) * 1000:>9.0f}{stats.errors.get(action, 0):>8}")
    everything = [x for xs in stats.times.values() for x in xs]
    lines.append(f"{'all':<15}{'':>6}{total:>7}{total / elapsed:>8.1f}{_pct(everything, 50) * 1000:>9.0f}"
                 f"{_pct(everything, 95) * 1000:>9.0f}{_pct(everything, 99) * 1000:>9.0f}{total_err:>8}")
    for action, sample in stats.samples.items():
        lines.append(f"  error in {action}: {sample}")
    return "\n".join(lines)


# --- CPU by process (from /proc, as bench/cpu_by_process.py) -------------------------------------------


def _descendants(root: int, table: dict[int, int]) -> set[int]:
    found, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for pid, ppid in table.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                todo.append(pid)
    return found


def cpu_sample(server_pid: int | None) -> dict[str, dict[int, float]]:
    """CPU seconds so far per pid, in groups: this gunicorn's tree, this process, PostgreSQL, Redis."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    cmds: dict[int, str] = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{name}/cmdline") as f:
                cmds[int(name)] = f.read().replace("\0", " ")
        except OSError:   # ended meanwhile
            continue
        parents[int(name)] = int(fields[1])
        cpu[int(name)] = (int(fields[11]) + int(fields[12])) / ticks
    server = _descendants(server_pid, parents) if server_pid else set()
    groups: dict[str, dict[int, float]] = {"gunicorn (this benchmark's)": {}, "load generator (this process)": {},
                                            "postgresql (machine-wide)": {}, "redis (machine-wide)": {}}
    for pid, seconds in cpu.items():
        cmd = cmds.get(pid, "")
        if pid in server:
            groups["gunicorn (this benchmark's)"][pid] = seconds
        elif pid == os.getpid():
            groups["load generator (this process)"][pid] = seconds
        elif cmd.startswith("postgres") or "/postgres " in cmd or cmd.startswith("/usr/lib/postgresql"):
            groups["postgresql (machine-wide)"][pid] = seconds
        elif "redis-server" in cmd:
            groups["redis (machine-wide)"][pid] = seconds
    return groups


def cpu_report(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]], window: float,
               requests_done: int) -> str:
    lines = [f"CPU by process over {window:.1f} s:"]
    for group, pids in after.items():
        used = sum(sec - before.get(group, {}).get(pid, 0.0) for pid, sec in pids.items())
        per_request = f", {used / requests_done * 1000:.1f} ms per request" if requests_done and "gunicorn" in group else ""
        lines.append(f"  {group:<31}{used:7.1f} s = {used / window:4.2f} cores{per_request}")
    return "\n".join(lines)


# --- open arrivals: users arrive, browse with think times, leave -----------------------------------


@dataclass
class OpenLoad:
    arrived: int = 0
    left: int = 0
    no_session: int = 0
    on_site: int = 0
    peak: int = 0
    area: float = 0.0     # user-seconds on the site (for the mean number of users)
    last: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def change(self, delta: int) -> None:
        with self.lock:
            now = time.perf_counter()
            self.area += self.on_site * (now - self.last)
            self.last = now
            self.on_site += delta
            self.peak = max(self.peak, self.on_site)


class Visit(threading.Thread):
    """One person's visit: `pages` steps of their role's mix, an exponential think time after each."""

    def __init__(self, vu: VirtualUser, pages: int, load: OpenLoad, release) -> None:
        super().__init__(daemon=True)
        self.vu, self.pages, self.load, self.release = vu, pages, load, release

    def run(self) -> None:
        self.load.change(+1)
        try:
            steps = self.vu.steps()
            for _ in range(self.pages):
                if self.vu.stop.is_set():
                    break
                next(steps)()
        finally:
            self.load.change(-1)
            with self.load.lock:
                self.load.left += 1
            self.release()


def run_open(setup: Setup, rate: float, seconds: float, think: float, pages: float,
             pool: dict[str, list[Browser]], seed: int = 1) -> tuple[Stats, float, tuple[float, float, float], OpenLoad]:
    """Poisson arrivals at `rate` per second for `seconds`; 90% citizens, 5% chairs, 5% governorate staff
    (the closed mix's shares). Visits still under way at the end are stopped at their next page."""
    import queue

    rng = random.Random(seed)
    stats, stop, load = Stats(), threading.Event(), OpenLoad(last=time.perf_counter())
    free = {role: queue.SimpleQueue() for role in pool}
    for role, browsers in pool.items():
        for i, b in enumerate(browsers):
            free[role].put((i, b))
    chair_tables = list(setup.chairs)
    visits: list[Visit] = []
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    end = t0 + seconds
    n = 0
    while True:
        now = time.perf_counter()
        wait = rng.expovariate(rate)
        if now + wait >= end:
            stop.wait(max(0.0, end - now))
            break
        stop.wait(wait)
        n += 1
        draw = rng.random()
        role = "citizen" if draw < 0.90 else "chair" if draw < 0.95 else "gov"
        with load.lock:
            load.arrived += 1
        try:
            i, b = free[role].get_nowait()
        except queue.Empty:
            with load.lock:
                load.no_session += 1
            continue
        table_id = chair_tables[i % len(chair_tables)] if role == "chair" else None
        vu = VirtualUser(n, role, b, setup, stats, stop, table_id=table_id, think=think, exponential=True)
        visit_pages = 1 + int(rng.expovariate(1 / max(pages - 1, 1e-9))) if pages > 1 else 1
        v = Visit(vu, visit_pages, load, lambda role=role, i=i, b=b: free[role].put((i, b)))
        v.start()
        visits.append(v)
    stop.set()
    for v in visits:
        v.join(timeout=60)
    elapsed = time.perf_counter() - t0
    load.change(0)
    load1 = os.getloadavg()
    return stats, elapsed, (load0[0], load1[0], load1[1]), load


def open_report(load: OpenLoad, elapsed: float, rate: float, think: float, pages: float) -> str:
    return (f"open arrivals: {rate:g}/s asked, {load.arrived} arrived, {load.left} visits ended, "
            f"{load.no_session} found no free session; users on the site: mean {load.area / elapsed:.1f}, "
            f"peak {load.peak} (think {think:g} s exponential, {pages:g} pages a visit on average)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean think time between a user's pages in seconds (0: back-to-back, the worst case)")
    ap.add_argument("--arrivals", type=float, default=0.0, metavar="RATE",
                    help="open model: users arrive at RATE per second (Poisson) instead of --users looping")
    ap.add_argument("--pages", type=float, default=8.0,
                    help="open model: mean pages per visit (geometric; each page with its callbacks)")
    ap.add_argument("--pool", type=int, default=0,
                    help="open model: sessions signed in beforehand (default: 2x the expected users on the site)")
    ap.add_argument("--keep", action="store_true", help="keep the bench schema")
    ap.add_argument("--redis", default="", metavar="URL",
                    help="share Redis between the workers as production does (e.g. redis://127.0.0.1:6379/0)")
    ap.add_argument("--first-visit", action="store_true",
                    help="instead of load: a throttled phone's first and repeat visits in Chromium (bench.first_visit)")
    ap.add_argument("--runs", type=int, default=3, help="with --first-visit: runs per page (median)")
    args = ap.parse_args(argv)
    if args.first_visit:
        args.users = [1]
    if args.arrivals:
        # Little's law with ~0.5 s per page on a busy server: users on the site = rate x pages x (think + 0.5)
        expected = args.arrivals * args.pages * (args.think + 0.5)
        args.users = [args.pool or max(20, int(2 * expected) + 5)]
    most = max(args.users)
    print(f"preparing a PostgreSQL schema with the demo ({PG_URL.rsplit('@', 1)[-1]}) ...", flush=True)
    t = time.perf_counter()
    setup = prepare_database(most)
    print(f"  seeded in {time.perf_counter() - t:.1f} s (schema {setup.schema})", flush=True)
    checkpoint()
    proc = None
    try:
        proc, base = start_server(setup, args.workers, args.threads, args.redis)
        print(f"gunicorn: {args.workers} workers x {args.threads} threads (gthread) on {base}"
              f"{' with Redis' if args.redis else ''}", flush=True)
        if args.first_visit:  # the production stack (gunicorn, PostgreSQL, the demo) seen from a slow phone
            from bench import first_visit

            print(first_visit.table(first_visit.measure(base, args.runs, "fa"), args.runs, "fa"), flush=True)
            return 0
        import requests

        deps = requests.get(base + "/_dash-dependencies", timeout=30).json()
        t = time.perf_counter()
        n_chairs, n_gov = min(len(setup.chairs), max(1, most // 20)), max(1, most // 20)
        pool = {
            "citizen": sign_in_all(base, [(c, BENCH_PASSWORD) for c in setup.citizens], deps),
            "chair": sign_in_all(base, [(setup.chairs[tid], BENCH_PASSWORD if not setup.chairs[tid].endswith(
                "@hamyar.local") else "Amol-1405-demo") for tid in list(setup.chairs)[:n_chairs]], deps),
            "gov": sign_in_all(base, [("gov@hamyar.local", "Amol-1405-demo")] * n_gov, deps),
        }
        print(f"  {sum(map(len, pool.values()))} sign-ins through the login form in {time.perf_counter() - t:.1f} s",
              flush=True)
        levels = [None] if args.arrivals else args.users
        for users in levels:
            cpu0 = cpu_sample(proc.pid)
            if users is None:
                stats, elapsed, load, arrivals = run_open(setup, args.arrivals, args.seconds, args.think, args.pages,
                                                          pool)
                users_label = f"open arrivals ({sum(map(len, pool.values()))} sessions)"
            else:
                stats, elapsed, load = run_level(base, setup, users, args.seconds, deps, args.think, pool)
                users_label = users
            cpu1 = cpu_sample(proc.pid)
            print(report(users_label, stats, elapsed, load), flush=True)
            if users is None:
                print(open_report(arrivals, elapsed, args.arrivals, args.think, args.pages), flush=True)
            print(cpu_report(cpu0, cpu1, elapsed, sum(map(len, stats.times.values()))), flush=True)
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if not args.keep:
            drop_schema(setup.schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
