"""Background work (dash_app.background): matching runs queued by the request that claims them, exports
as Dash background callbacks.

On one machine a run's job is a process of its own and an export a process forked from the web
worker (diskcache); with REDIS_URL both are tasks in a Celery worker, which this test starts for
real against the Redis on this machine. Either way a claimed run is run once (a job delivered twice
does nothing), an export job checks its user again from the cookies of the request that started it,
and the outcome is in the database for every page.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from dash_app.pages.table import ids
from dash_app.ui import governorate_ids as gid
from models.core.enums import RunStatus
from models.orm.audit_event import AuditEvent
from models.orm.pledges import MatchingRun
from tests.table.conftest import csrf, health_table, log_in

REDIS_URL = "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parents[2]


def _end_id(client) -> str:
    """The signed page-load token the renderer sends with every callback (binds background handles)."""
    html = client.get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    return config["end_id"]


def _item(cid, prop, value):
    return {"id": cid, "property": prop, "value": value}


def _without_values(items: list[dict]) -> list[dict]:
    return [{**i, "value": None} for i in items]


def start(client, output: list[tuple[str, str]], inputs: list[dict], state: list[dict], changed: list[str]):
    """Start a background callback's job as the renderer does; returns (first response, poll(client))."""
    end_id = _end_id(client)
    key = output[0][0] + "." + output[0][1] if len(output) == 1 else \
        ".." + "...".join(f"{c}.{p}" for c, p in output) + ".."
    outputs = [{"id": c, "property": p} for c, p in output]
    body = {"output": key, "outputs": outputs[0] if len(outputs) == 1 else outputs, "inputs": inputs,
            "state": state, "changedPropIds": changed}
    headers = {"X-CSRFToken": csrf(client)}
    first = client.post(f"/_dash-update-component?endId={end_id}", json=body, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)[:500]
    handles = first.get_json()
    assert "cacheKey" in handles and "job" in handles, handles
    query = f"endId={end_id}&cacheKey={handles['cacheKey']}&job={handles['job']}"
    # While polling, the renderer sends the same callback with no values, only the job's handles.
    poll_body = {**body, "inputs": _without_values(inputs), "state": _without_values(state)}

    def poll(who):
        return who.post(f"/_dash-update-component?{query}", json=poll_body, headers={"X-CSRFToken": csrf(who)})

    return first, poll


def fire(client, output, inputs, state, changed, timeout: float = 90.0):
    """Start a background callback's job, then poll until it answers."""
    _first, poll = start(client, output, inputs, state, changed)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        resp = poll(client)
        assert resp.status_code in (200, 204), resp.get_data(as_text=True)[:500]
        if resp.status_code == 200 and "response" in (resp.get_json(silent=True) or {}):
            return resp
        time.sleep(0.2)
    raise AssertionError("the background job did not answer in time")


def _press_run(client, table_id: int, button: str):
    confirm = {"scope": "table", "type": ids.MATCH_CONFIRM}
    pressed = json.dumps(confirm, separators=(",", ":"), sort_keys=True) if button == ids.MATCH_CONFIRM else button
    resp = client.post("/_dash-update-component", headers={"X-CSRFToken": csrf(client)}, json={
        "output": f"..{ids.MATCH_STATUS}.children...{ids.MATCH_INTERVAL}.disabled...{ids.MATCH_START}.disabled..."
                  f"{ids.MATCH_DONE}.children...{ids.MATCH_CLAIMED}.children..",
        "outputs": [{"id": i, "property": p} for i, p in (
            (ids.MATCH_STATUS, "children"), (ids.MATCH_INTERVAL, "disabled"), (ids.MATCH_START, "disabled"),
            (ids.MATCH_DONE, "children"), (ids.MATCH_CLAIMED, "children"))],
        "inputs": [_item(ids.MATCH_START, "n_clicks", 1), _item(ids.MATCH_INTERVAL, "n_intervals", None),
                   [_item(confirm, "n_clicks", 1)] if button == ids.MATCH_CONFIRM else []],
        "state": [_item(ids.TABLE_ID, "data", table_id), _item(ids.MATCH_DONE, "children", None)],
        "changedPropIds": [f"{pressed}.n_clicks"]})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


def _claim_table_run(client, db, table_id: int) -> int:
    """Press Run: the same request claims the run and queues its job; returns the run's id."""
    response = _press_run(client, table_id, ids.MATCH_START)
    if "data-run-warning" in json.dumps(response[ids.MATCH_STATUS]):  # the demo's re-run withdraws proposals:
        response = _press_run(client, table_id, ids.MATCH_CONFIRM)   # the chair confirms (issue 16)
    # No second request starts the job any more: the claimed span is never set.
    assert ids.MATCH_CLAIMED not in response
    with db.reader() as s:
        return s.scalar(select(MatchingRun.id).order_by(MatchingRun.id.desc()).limit(1))


def _wait_until_done(db, run_id: int, timeout: float = 90.0) -> tuple[RunStatus, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, progress = _run_status(db, run_id)
        if status is not RunStatus.RUNNING:
            return status, progress
        time.sleep(0.2)
    raise AssertionError(f"matching run {run_id} did not end within {timeout} s")


def _run_status(db, run_id: int) -> tuple[RunStatus, int]:
    with db.reader() as s:
        run = s.get(MatchingRun, run_id)
        progress = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "matching_runs", AuditEvent.object_id == run_id,
            AuditEvent.action == "matching.progress"))
        return run.status, progress


def _export_args(sheet: str = "allocations"):
    audit_states = [_item(c, "value", None) for c in (gid.AU_ACTOR, gid.AU_ACTION, gid.AU_TABLE, gid.AU_OBJECT,
                                                       gid.AU_OBJECT_ID, gid.AU_DATE_FROM, gid.AU_DATE_TO)]
    return ([(gid.EX_DOWNLOAD, "data"), (gid.EX_MESSAGE, "children")], [_item(gid.EX_BUTTON, "n_clicks", 1)],
            [_item(gid.EX_SHEET, "value", sheet), _item(gid.EX_FORMAT, "value", "csv"),
             _item(gid.EX_CONTACTS, "value", []), _item(gid.F_STORE, "data", None), *audit_states],
            [f"{gid.EX_BUTTON}.n_clicks"])


def _export(client, sheet: str = "allocations"):
    return fire(client, *_export_args(sheet))


def _check_jobs(app, db):
    """What both managers must do: run a claimed run once, for its claimant only; build exports."""
    from dash_app.background import enqueue_run
    from models.orm.people import User

    table_id = health_table(db)
    chair = app.test_client()
    log_in(chair, "chair")
    run_id = _claim_table_run(chair, db, table_id)
    status, progress = _wait_until_done(db, run_id)
    assert status is RunStatus.DONE and progress >= 2  # picked up, then solving/writing

    # The pages' old second step is refused to anyone but the chair, and does nothing for the chair.
    outsider = app.test_client()
    log_in(outsider, "member")
    refused = outsider.post(f"/_dash-update-component?endId={_end_id(outsider)}",
                            headers={"X-CSRFToken": csrf(outsider)},
                            json={"output": f"{ids.MATCH_EXECUTED}.children",
                                  "outputs": {"id": ids.MATCH_EXECUTED, "property": "children"},
                                  "inputs": [_item(ids.MATCH_CLAIMED, "children", run_id)],
                                  "state": [_item(ids.TABLE_ID, "data", table_id)],
                                  "changedPropIds": [f"{ids.MATCH_CLAIMED}.children"]})
    assert refused.status_code == 403

    # The same job delivered again (as Celery does when a worker dies) does nothing: the run was taken once.
    with db.reader() as s:
        events_before = s.scalar(select(func.count()).select_from(AuditEvent))
        chair_id = s.scalar(select(User.id).where(User.email == "chair@hamyar.local"))
    job = enqueue_run(app, run_id, chair_id)
    if isinstance(job, subprocess.Popen):
        assert job.wait(60) == 0                         # the process started, found the run ended, stopped
    else:
        deadline = time.monotonic() + 60
        while job.id not in _worker_log(app) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert job.id in _worker_log(app)                # the worker received it ...
        time.sleep(1)                                    # ... and acknowledged it
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events_before

    gov = app.test_client()
    log_in(gov, "governorate")
    # The job's handles are good only in the session that started it, even for the same person.
    _first, poll = start(gov, *_export_args())
    other_session = app.test_client()
    log_in(other_session, "governorate")
    assert poll(other_session).status_code == 403
    assert poll(app.test_client()).status_code in (401, 403)
    resp = _export(gov)
    out = resp.get_json()["response"]
    assert out[gid.EX_DOWNLOAD]["data"]["filename"].endswith(".csv")
    assert out[gid.EX_DOWNLOAD]["data"]["base64"] is True and len(out[gid.EX_DOWNLOAD]["data"]["content"]) > 100


def _worker_log(app) -> str:
    path = app.config.get("TEST_WORKER_LOG")
    return Path(path).read_text(errors="replace") if path else ""


def _check_jobs_with(db, manager: str, **config) -> None:
    from dash_app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "bg-tests", **config})
    app.test_client().get("/")
    assert type(app.extensions["hamyar_dash"]._background_manager).__name__ == manager
    try:
        _check_jobs(app, db)
    finally:
        app.extensions["hamyar_db"].dispose()


def test_jobs_on_one_machine_run_in_a_forked_process_on_sqlite(demo_db, tmp_path):
    _check_jobs_with(demo_db, "DiskcacheManager", HAMYAR_BACKGROUND="diskcache",
                     HAMYAR_JOBS_FOLDER=str(tmp_path / "jobs"))


def test_a_job_checks_its_user_again(demo_db, tmp_path):
    """Were the guard bypassed, the job itself refuses a request whose cookies carry the wrong user."""
    import dash
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from dash_app import auth, create_app
    from models.core.errors import PermissionDenied

    app = create_app({"TESTING": True, "DATABASE_URL": demo_db.url, "SECRET_KEY": "bg-tests",
                      "HAMYAR_BACKGROUND": "diskcache", "HAMYAR_JOBS_FOLDER": str(tmp_path / "jobs")})
    table_id = health_table(demo_db)
    citizen = app.test_client()
    log_in(citizen, "citizen")
    spec = auth._SPECS["dash_app.pages.table.table_detail.table_execute"]
    job = auth._checked(spec, app)
    cookies = {c.key: c.value for c in citizen._cookies.values()}
    state = [_item(ids.TABLE_ID, "data", table_id)]
    token = context_value.set(AttributeDict(cookies=cookies, headers={}, inputs_list=[], states_list=state))
    try:
        assert not dash.callback_context.inputs_list
        with pytest.raises(PermissionDenied):
            job(1, table_id)  # outside any request, as in a forked job or a Celery worker
    finally:
        context_value.reset(token)
        app.extensions["hamyar_db"].dispose()


@pytest.fixture
def pg_demo_db():
    """The seeded demo in a fresh PostgreSQL schema: production's database for the Celery test."""
    from tests.conftest import _postgres_db

    yield from _postgres_db(seeded=True)


@pytest.fixture
def celery_worker(pg_demo_db, tmp_path):
    """A real Celery worker on the Redis of this machine, on a queue of its own."""
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    queue = f"hamyar-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": pg_demo_db.url, "SECRET_KEY": "bg-tests", "REDIS_URL": REDIS_URL,
           "HAMYAR_AUDIT_KEY": "bg-tests-audit-key-" + "0" * 16,
           "HAMYAR_BACKGROUND": "celery", "HAMYAR_CELERY_QUEUE": queue, "HAMYAR_DATA": str(tmp_path)}
    log = open(tmp_path / "worker.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker", "--pool", "solo",
                             "--concurrency", "1", "--queues", queue, "--without-heartbeat", "--without-gossip",
                             "--without-mingle", "--loglevel", "INFO"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b"ready." not in (tmp_path / "worker.log").read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the Celery worker did not start:\n" +
                                 (tmp_path / "worker.log").read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    yield queue
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    client.delete(queue)


@pytest.mark.postgres
def test_jobs_with_redis_run_in_a_celery_worker_on_postgresql(pg_demo_db, celery_worker, tmp_path):
    """Production's combination: PostgreSQL, Redis and a Celery worker, with the same code as SQLite alone."""
    _check_jobs_with(pg_demo_db, "CeleryManager", REDIS_URL=REDIS_URL, HAMYAR_BACKGROUND="celery",
                     HAMYAR_CELERY_QUEUE=celery_worker, TEST_WORKER_LOG=str(tmp_path / "worker.log"))
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "succeeded" in log  # the tasks ran in the worker, not here

