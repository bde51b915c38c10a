"""Scale-out (issue 19 item 5): two gunicorn instances of Hamyar behind a real nginx serve the same users.

Every process is real: instances A and B (`gunicorn dash_app.wsgi:server`, gthread, each with a data
folder of its own) on their own loopback ports, Debian's nginx in front of both with the shipped
deploy/nginx/*.conf (round robin over A and B), one throwaway database on the machine's PostgreSQL,
one private Redis and a Celery worker on it. SECRET_KEY and HAMYAR_AUDIT_KEY are the same everywhere,
as a deployment's environment file gives them. Everything below is plain HTTP, as a browser sends it:

- sessions: signed in through nginx, the same cookies are signed in on A and on B directly; signing
  out on A ends the session on B (sessions live in the database, models.orm.sessions);
- rate limits: registration attempts from one address spread over A and B are counted together
  (flask-limiter in Redis), and so are failed logins (the login throttle, in the database);
- the dashboard cache (Redis): a decision posted through A shows in the figures read through B;
- a background job: a matching run pressed on A is run by the Celery worker, its progress and its end
  are read through B.

The tests share one set of processes (module scope; they start in ~15-25 s on a loaded machine) and
run in file order; each stands on its own (the cache test starts its own run when none is there).
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from dash_app.pages.table import ids
from dash_app.ui import governorate_ids as gid
from models.core.db import Database
from models.core.enums import AllocationStatus, RunStatus
from models.core.schema import migrate
from models.orm.pledges import Allocation, MatchingRun
from tests.faults.conftest import (
    free_port,
    running_redis,
    start_gunicorn,
    start_nginx,
    stop,
    throwaway_database,
    wait_for_gunicorn,
)
from tests.faults.test_stuck_runs import AUDIT_KEY, CHAIR, Worker, _attr, _text, seed
from tests.web.conftest import PASSWORD, People

SECRET = "scale-out-test-secret-key-0123456789abcdef"  # the same on A, B and the worker
STALE, BEAT = 30.0, 1.0   # run liveness, the same on every process (generous: the machine is loaded)
GOVERNORATE, CITIZEN = "gov@example.org", "09120000001"
_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٬٫", "0123456789,.")


@dataclass
class Site:
    db: Database
    people: People
    worker: Worker
    a: str          # http://127.0.0.1:port of instance A, straight
    b: str          # ... of instance B
    nginx: str      # ... of nginx, in front of both
    nginx_log: Path
    deps: list = field(default_factory=list)   # /_dash-dependencies, as the renderer reads it


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("scale-out")
    with throwaway_database() as url, running_redis(tmp) as redis:
        db = Database(url)
        worker = Worker(url, redis.url, tmp)
        worker.env.update({"SECRET_KEY": SECRET, "HAMYAR_RUN_STALE_AFTER": str(STALE),
                           "HAMYAR_RUN_HEARTBEAT": str(BEAT)})
        started: list[BaseException] = []
        boot = threading.Thread(target=lambda: _guard(started, worker.start), daemon=True)
        boot.start()
        procs, ports = [], []
        try:
            for name in ("a", "b"):
                port, data = free_port(), tmp / f"data-{name}"
                data.mkdir()
                env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis.url, "HAMYAR_BACKGROUND": "celery",
                       "HAMYAR_CELERY_QUEUE": worker.queue, "SECRET_KEY": SECRET, "HAMYAR_AUDIT_KEY": AUDIT_KEY,
                       "HAMYAR_PROXIES": "1", "HAMYAR_ENV": "development", "HAMYAR_DATA": str(data),
                       "HAMYAR_RUN_STALE_AFTER": str(STALE), "HAMYAR_RUN_HEARTBEAT": str(BEAT)}
                log = tmp / f"gunicorn-{name}.log"
                procs.append((start_gunicorn(port, env, threads=4, log=log, wait=False), port, log))
                ports.append(port)
            migrate(db)             # while the processes start (none reads the schema before a request)
            people = seed(db)
            for proc, port, log in procs:
                wait_for_gunicorn(proc, port, log)
            nginx_port = free_port()
            nginx = start_nginx(tmp / "nginx", nginx_port, ports)
            procs.append((nginx, nginx_port, None))
            boot.join(90)
            assert not started and not boot.is_alive(), started or "the Celery worker did not start"
            made = Site(db, people, worker, f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}",
                        f"http://127.0.0.1:{nginx_port}", tmp / "nginx" / "logs" / "access.log")
            made.deps = requests.get(made.a + "/_dash-dependencies", timeout=30).json()
            yield made
        finally:
            # quick: nginx first (it holds keepalive sockets to A and B), gunicorn's quick shutdown
            # (SIGQUIT; SIGTERM would wait up to 30 s for those sockets), the worker killed (it is idle)
            for proc, _port, log in reversed(procs):   # signal all, then wait for each
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM if log is None else signal.SIGQUIT)
            worker.kill()
            for proc, _port, log in reversed(procs):
                stop(proc, signal.SIGTERM if log is None else signal.SIGQUIT)
            db.dispose()


def _guard(errors: list, fn) -> None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - reported by the fixture
        errors.append(exc)


# --- a browser, over plain HTTP -------------------------------------------------------------------


def browser(cookies: requests.cookies.RequestsCookieJar | None = None) -> requests.Session:
    """A cookie jar; cookies of 127.0.0.1 go to every port (A, B and nginx), as a browser's would."""
    s = requests.Session()
    if cookies is not None:
        for c in cookies:
            s.cookies.set(c.name, c.value, domain=c.domain, path=c.path)
    return s


def csrf(s: requests.Session, base: str) -> str:
    if s.cookies.get("_csrf_token") is None:
        s.get(base + "/", timeout=30)
    return s.cookies.get("_csrf_token")


def sign_in(s: requests.Session, base: str, login: str, password: str = PASSWORD, address: str | None = None):
    """POST /login as the form does; `address` is the client's address as nginx would forward it."""
    headers = {"X-Forwarded-For": address} if address else {}
    resp = s.post(base + "/login", data={"csrf_token": csrf(s, base), "login": login, "password": password},
                  headers=headers, allow_redirects=False, timeout=60)
    assert resp.status_code == 303, resp.text[:300]
    return resp


def callback(site: Site, s: requests.Session, base: str, output: str, values: dict, trigger: str,
             patterns: dict | None = None) -> requests.Response:
    """POST the callback whose outputs include `output` ("id.prop") as the renderer would. `values` gives
    plain ids' values; `patterns` the matched components of a pattern id by its type: [(id, value)]."""
    # the callback that owns the output; others may write it too (allow_duplicate: "id.prop@<hash>")
    entries = [d for d in site.deps if output in d["output"].strip(".").split("...")]
    assert len(entries) == 1, [d["output"] for d in entries]
    entry = entries[0]

    def dep(d):
        cid = d["id"]
        if cid.startswith("{"):
            kind = json.loads(cid)["type"]
            return [{"id": i, "property": d["property"], "value": v} for i, v in (patterns or {}).get(kind, [])]
        return {"id": cid, "property": d["property"], "value": values.get(cid)}

    key = entry["output"]
    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop.split("@")[0]})
    body = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": [dep(d) for d in entry["inputs"]], "state": [dep(d) for d in entry.get("state", [])],
            "changedPropIds": [trigger]}
    return s.post(base + "/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(s, base)}, timeout=60)


def dashboard(site: Site, s: requests.Session, base: str) -> requests.Response:
    """The governorate dashboard's figures as the page loads them (no filter)."""
    return callback(site, s, base, f"{gid.HEADLINE}.children", {}, f"{gid.F_KIND}.value")


def run_panel(site: Site, s: requests.Session, base: str, press: bool = False) -> dict:
    """The chair's run panel on /tables/<id>: the Run button pressed, or the page's poll."""
    resp = callback(site, s, base, f"{ids.MATCH_STATUS}.children",
                    {ids.MATCH_START: 1 if press else 0, ids.MATCH_INTERVAL: 1, ids.TABLE_ID: site.people.table},
                    f"{ids.MATCH_START}.n_clicks" if press else f"{ids.MATCH_INTERVAL}.n_intervals")
    assert resp.status_code == 200, resp.text[:500]
    status = resp.json()["response"][ids.MATCH_STATUS]["children"]
    return {"text": _text(status), "run_status": _attr(status, "data-run-status"), "stage": _attr(status, "data-stage")}


def wait_for(predicate, seconds: float, what: str, every: float = 0.3):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: not within {seconds} s")


def upstreams(site: Site) -> set[str]:
    return {line.split()[-1] for line in site.nginx_log.read_text().splitlines() if line.strip()}


# --- (a) sessions ------------------------------------------------------------------------------


def test_a_session_made_through_nginx_is_the_same_on_both_instances_and_ends_on_both(site):
    gov = browser()
    sign_in(gov, site.nginx, GOVERNORATE)
    assert gov.cookies.get("session"), "no session cookie after signing in"
    on_a, on_b = browser(gov.cookies), browser(gov.cookies)
    assert dashboard(site, on_a, site.a).status_code == 200
    assert dashboard(site, on_b, site.b).status_code == 200
    anonymous = dashboard(site, browser(), site.b)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "not_signed_in"   # the check can fail

    out = on_a.post(site.a + "/logout", data={"csrf_token": csrf(on_a, site.a)}, allow_redirects=False, timeout=30)
    assert out.status_code == 303
    later = browser(gov.cookies)   # the cookies as they were before signing out, now sent to B
    ended = dashboard(site, later, site.b)
    assert ended.status_code == 401 and ended.json()["error"] == "not_signed_in", ended.text[:300]
    assert dashboard(site, browser(gov.cookies), site.nginx).status_code == 401


# --- (b) rate limits and the login throttle ------------------------------------------------------


def _register(s: requests.Session, base: str, address: str) -> str:
    """A registration whose passwords differ (refused without creating anyone): the error it comes back with."""
    resp = s.post(base + "/register", data={"csrf_token": csrf(s, base), "name": "Someone", "login": "09121112233",
                                            "password": "one password 11", "password2": "another one 22"},
                  headers={"X-Forwarded-For": address}, allow_redirects=False, timeout=30)
    assert resp.status_code == 303, resp.text[:300]
    return resp.headers["Location"]


def test_b_rate_limits_and_the_login_throttle_count_attempts_on_both_instances_together(site):
    from dash_app.ratelimit import REGISTER_PER_ADDRESS
    from models.accounts.throttle import ACCOUNT_ADDRESS

    per_minute = int(REGISTER_PER_ADDRESS.split()[0])          # 10 per minute per address
    s, address = browser(), f"10.19.5.{uuid.uuid4().int % 200 + 1}"
    for i in range(per_minute):                                 # alternately on A and B: 5 each
        where = _register(s, site.a if i % 2 == 0 else site.b, address)
        assert "error=password_mismatch" in where, (i, where)
    # The next one, on A, is A's sixth: a limit counted per instance would let it through.
    assert "error=too_many_attempts" in _register(s, site.a, address)
    assert "error=too_many_attempts" in _register(s, site.b, address)
    assert "error=password_mismatch" in _register(s, site.b, "10.19.6.1")   # another address is not limited

    # Failed logins of one account from one address: the throttle allows ACCOUNT_ADDRESS.free (5), then asks
    # to wait. Spread 3 + 2 over A and B, the right password on B is refused without being checked.
    thief = f"10.19.7.{uuid.uuid4().int % 200 + 1}"
    for i in range(ACCOUNT_ADDRESS.free):
        where = sign_in(browser(), site.a if i % 2 == 0 else site.b, CITIZEN, "wrong password", thief).headers["Location"]
        assert "error=bad_credentials" in where, (i, where)
    held = sign_in(browser(), site.b, CITIZEN, PASSWORD, thief)
    assert "error=too_many_attempts" in held.headers["Location"]
    owner = sign_in(browser(), site.a, CITIZEN, PASSWORD, "10.19.8.1")   # the owner elsewhere gets in
    assert "error=" not in owner.headers["Location"], owner.headers["Location"]


# --- (d) a background job: pressed on A, run by the Celery worker, read through B ----------------------


def _newest_run(site: Site) -> tuple[int, RunStatus] | None:
    with site.db.reader() as s:
        run = s.scalars(select(MatchingRun).order_by(MatchingRun.id.desc()).limit(1)).first()
        return (run.id, run.status) if run is not None else None


def matching_run(site: Site, *, hold: bool) -> int:
    """The chair presses Run on A; with `hold`, the worker's solver waits until the test reads the
    progress through B. Returns the run id once B shows it done."""
    chair = browser()
    sign_in(chair, site.nginx, CHAIR)
    if hold:
        site.worker.slow.touch()
    try:
        pressed = run_panel(site, chair, site.a, press=True)
        assert pressed["run_status"] == "running", pressed
        run_id, _ = _newest_run(site)
        if hold:
            solving = wait_for(lambda: (p := run_panel(site, chair, site.b))["stage"] == "solving" and p, 30,
                               "B showing the run solving")
            assert solving["run_status"] == "running", solving
    finally:
        site.worker.slow.unlink(missing_ok=True)
    done = wait_for(lambda: (p := run_panel(site, chair, site.b))["run_status"] != "running" and p, 60,
                    "B showing the run's end")
    assert done["run_status"] == "done", done
    return run_id


def test_d_a_run_pressed_on_a_is_run_by_the_celery_worker_and_followed_on_b(site):
    run_id = matching_run(site, hold=True)
    assert _newest_run(site) == (run_id, RunStatus.DONE)
    from dash_app.background import RUN_TASK

    log = site.worker.log()   # the Celery worker took the job and finished it (A only queued it)
    took = [line for line in log.splitlines() if f"Task {RUN_TASK}[" in line]
    assert any("received" in line for line in took) and any("succeeded" in line for line in took), log[-2000:]
    with site.db.reader() as s:
        proposed = s.scalars(select(Allocation).where(Allocation.status == AllocationStatus.PROPOSED)).all()
    assert len(proposed) == 1 and proposed[0].quantity == 40_000_000


# --- (c) the dashboard cache: a write through A, the figures read through B -----------------------


def _headline_and_runs(resp: requests.Response) -> tuple[str, str]:
    assert resp.status_code == 200, resp.text[:300]
    out = resp.json()["response"]
    return (json.dumps(out[gid.HEADLINE]["children"], ensure_ascii=False).translate(_TO_LATIN),
            json.dumps(out[gid.RUNS]["children"], ensure_ascii=False).translate(_TO_LATIN))


def _shows_the_pledge(headline: str) -> bool:
    """The accepted 40,000,000 rials in the headline: 4,000,000 toman in Persian, rials in English."""
    return "4,000,000 تومان" in headline or "40,000,000" in headline


def test_c_a_decision_through_a_shows_in_the_dashboard_read_through_b(site):
    with site.db.reader() as s:
        alloc = s.scalars(select(Allocation).where(Allocation.status == AllocationStatus.PROPOSED)).first()
    if alloc is None:                           # the run test did not run (or failed): make a proposal
        matching_run(site, hold=False)
        with site.db.reader() as s:
            alloc = s.scalars(select(Allocation).where(Allocation.status == AllocationStatus.PROPOSED)).first()
    alloc_id, version = alloc.id, alloc.version

    gov = browser()
    sign_in(gov, site.nginx, GOVERNORATE)
    for base in (site.b, site.b, site.a):       # read on B twice (the second from the cache) and on A
        before, runs = _headline_and_runs(dashboard(site, gov, base))
        assert not _shows_the_pledge(before), before[:800]
        assert '"Tbody"' in runs                 # the run (done by the worker) is already in the runs table

    chair = browser()
    sign_in(chair, site.nginx, CHAIR)
    accept_id = {"alloc": alloc_id, "type": ids.ACCEPT_TYPE, "v": version}
    resp = callback(site, chair, site.a, f"{ids.REVIEW_LIST}.children", {ids.TABLE_ID: site.people.table},
                    json.dumps(accept_id, separators=(",", ":"), sort_keys=True) + ".n_clicks",
                    patterns={ids.ACCEPT_TYPE: [(accept_id, 1)]})
    assert resp.status_code == 200, resp.text[:500]
    with site.db.reader() as s:
        assert s.get(Allocation, alloc_id).status is AllocationStatus.ACCEPTED

    after, _runs = _headline_and_runs(dashboard(site, gov, site.b))   # at once, on the other instance
    assert _shows_the_pledge(after), after[:800]
    assert _headline_and_runs(dashboard(site, gov, site.nginx))[0] == after


def test_nginx_spread_the_requests_over_both_instances(site):
    """Round robin: the requests sent through nginx above reached A and B both."""
    seen = upstreams(site)
    assert {site.a.removeprefix("http://"), site.b.removeprefix("http://")} <= seen, seen
