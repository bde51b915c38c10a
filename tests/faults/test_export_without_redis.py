"""The governorate's export is a Dash background callback that goes through Celery (issue 15 item 4):
with Redis stopped, pressing Download answers within seconds with the translated failure sentence
(dash_app.__init__.on_callback_error). On main before this test, the page got an empty 204 and no sentence:
Dash drops on_error's set_props when a background callback fails while queueing or polling its job
(dash_app.background._queue_safe). With Redis back, the export is queued again. The Redis here is a
private one (tests/faults/conftest.py).
"""
from __future__ import annotations

import signal
import subprocess
import time
import uuid

import pytest

from dash_app.background import QUEUE_QUIET, UNQUEUED
from dash_app.ui import governorate_ids as gid
from dash_app.ui import ids as ui_ids
from tests.faults.conftest import free_port, wait_for_port
from tests.web.conftest import PASSWORD, csrf, make_people

FAST = 2.5   # seconds: a press and a poll each answer within this (measured: at most 1.0 s)


def _export(client, app, poll: dict | None = None):
    """The export button pressed, as the renderer posts a background callback's first request; with `poll`
    (the first answer's cacheKey and job), the renderer's next request asking whether the job is done."""
    key = next(k for k in app.extensions["hamyar_dash"].callback_map if f"{gid.EX_DOWNLOAD}.data" in k)
    entry = app.extensions["hamyar_dash"].callback_map[key]
    values = {gid.EX_BUTTON: 1, gid.EX_SHEET: "pledges", gid.EX_FORMAT: "csv", gid.EX_CONTACTS: False}

    def dep(d):
        return {"id": d["id"], "property": d["property"], "value": values.get(d["id"])}

    outputs = [{"id": k.split(".")[0], "property": k.split(".")[1].split("@")[0]} for k in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
            "state": [dep(d) for d in entry.get("state", [])], "changedPropIds": [f"{gid.EX_BUTTON}.n_clicks"]}
    started = time.monotonic()
    query = {k: poll[k] for k in ("cacheKey", "job")} if poll else None
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)},
                       query_string=query)
    return resp, time.monotonic() - started


SENTENCES = ("مشکلی از سوی ما پیش آمد و این کار انجام نشد", "Something went wrong on our side and this was not done")


def _failure(resp) -> str:
    """The sentence the shell's failure region shows after this answer ("" when it shows none)."""
    assert resp.status_code in (200, 204), resp.data[:300]
    side = (resp.get_json() or {}).get("sideUpdate", {}) if resp.status_code == 200 else {}
    region = side.get(ui_ids.CALLBACK_ERROR, {})
    return region.get("children") or "" if region.get("is_open") else ""


def _redis(port: int, folder) -> subprocess.Popen:
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    wait_for_port(port)
    return proc


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGCONT)
        proc.kill()
    proc.wait()


@pytest.mark.parametrize("fault", ["stopped", "paused"])
def test_the_export_fails_fast_with_a_sentence_while_redis_is_down_and_works_once_it_is_back(db, tmp_path, fault):
    """Redis stopped (SIGKILL: connections refused) or paused (SIGSTOP: connections hang until the 1 s
    socket timeouts)."""
    from dash_app import create_app

    make_people(db)
    port = free_port()
    redis = _redis(port, tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "faults", "DATABASE_URL": db.url,
                      "REDIS_URL": f"redis://127.0.0.1:{port}/0", "HAMYAR_BACKGROUND": "celery",
                      "HAMYAR_CELERY_QUEUE": f"export-{uuid.uuid4().hex[:8]}", "HAMYAR_JOBS_FOLDER": str(tmp_path / "jobs"),
                      "RATELIMIT_KEY_PREFIX": f"export-{uuid.uuid4().hex[:6]}"})
    try:
        client = app.test_client()
        resp = client.post("/login", data={"csrf_token": csrf(client), "login": "gov@example.org",
                                           "password": PASSWORD})
        assert resp.status_code in (302, 303), resp.data[:300]
        queued, _took = _export(client, app)
        assert queued.status_code == 200 and "cacheKey" in queued.get_json(), queued.data[:300]  # the job is queued

        if fault == "stopped":
            _stop(redis)                               # Redis stopped for real
        else:
            redis.send_signal(signal.SIGSTOP)          # paused: it accepts connections and never answers
        # the page polling the job queued before: the result store does not answer -> the sentence
        polled, took = _export(client, app, poll=queued.get_json())
        print(f"\n[redis {fault}] the poll of a queued export answered in {took:.1f} s")
        assert took < FAST, took
        assert any(s in _failure(polled) for s in SENTENCES), polled.data[:500]
        # a new press (after the manager's quiet window, so that it really tries Redis): the job cannot be
        # queued; the press answers, and its first poll shows the sentence
        # Pressed twice: with Redis stopped, Celery's first failed publish raises kombu's OperationalError, the
        # second the RuntimeError of its result consumer ("Retry limit exceeded ..."), which gave an empty 204
        # before dash_app.background._is_queue_failure (the CI of stop 28 met it)
        for press in (1, 2):
            time.sleep(QUEUE_QUIET)
            pressed, took_press = _export(client, app)
            assert pressed.status_code == 200 and "cacheKey" in pressed.get_json(), (press, pressed.data[:300])
            polled, took_poll = _export(client, app, poll=pressed.get_json())
            print(f"[redis {fault}] press {press} answered in {took_press:.1f} s, its poll in {took_poll:.1f} s")
            assert took_press < FAST and took_poll < FAST, (took_press, took_poll)
            assert any(s in _failure(polled) for s in SENTENCES), polled.data[:500]

        if fault == "stopped":
            redis = _redis(port, tmp_path)             # Redis back on its port: exports are queued again
        else:
            redis.send_signal(signal.SIGCONT)
        time.sleep(QUEUE_QUIET)                        # the quiet window after the last failure is over
        again, took = _export(client, app)
        assert again.status_code == 200 and "cacheKey" in again.get_json(), again.data[:300]
        assert not again.get_json()["job"].startswith(UNQUEUED)
        waiting, _took = _export(client, app, poll=again.get_json())   # queued, not done (no worker here): no failure
        assert _failure(waiting) == "", waiting.data[:500]
        print(f"[redis back] the export was queued again in {took:.1f} s")
    finally:
        _stop(redis)
        app.extensions["hamyar_db"].dispose()
