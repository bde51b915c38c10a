"""Where background work (matching runs, exports) is done, and who it is done for.

Imports dash, flask, models and the standard library; celery only when REDIS_URL asks for it.

Matching runs are queued by the request that claims them (`enqueue_run`, called by
models.runs.jobs.start_matching): never by a second request from the browser, which a closed tab
or a web worker killed in between would never send.
- One machine: the job is a process of its own (`python -m models.runs.process`, in a session of
  its own so that it outlives the web worker; the database URL goes to it on stdin).
- With Celery: the task RUN_TASK on the deployment's queue. Publishing gives up after a second or
  two when Redis is away (PUBLISH_RETRY and the 1 s socket timeouts); the run is then marked failed
  and the chair told. Tasks are acknowledged late and rejected back to the queue when their worker
  dies (a killed prefork child at once; a whole worker killed, after VISIBILITY_TIMEOUT): the
  delivery again is harmless, models.runs.lifecycle.pick_up_run runs a run once.
- The reaper (REAP_TASK, every liveness.REAP_EVERY seconds under `celery beat`, or the systemd
  timer of docs/deploy.md running `hamyar runs reap`) marks runs whose job fell silent interrupted.
- Tables' automatic matching (AUTO_TASK, every HAMYAR_AUTO_MATCH_EVERY seconds under `celery beat`) when
  HAMYAR_AUTO_MATCH=worker; otherwise a thread of each web process does it (dash_app.auto_match).

Exports are Dash background callbacks:

- One machine (the default): `DiskcacheManager`; each job is a process forked from the web worker,
  its result kept in a diskcache folder under the data folder, so any worker process can collect it.
- Several machines: with `REDIS_URL` set, `CeleryManager` with Redis as broker and result store;
  jobs run in Celery workers started with `celery -A dash_app.worker worker` (docs/deploy.md).
  `HAMYAR_BACKGROUND=diskcache` keeps the single-machine manager even when REDIS_URL is set (Redis
  then only shares the rate limits and the dashboard cache).

A job runs outside the request that started it, so it has no Flask request and no signed-in user.
`job_request_context` rebuilds one from the cookies the starting request carried (Dash copies them
into the job's callback context): flask-login then loads the same user from the same signed session
cookie, and the secured callback checks that user's roles again, inside the job, before any work.
"""
from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from typing import Any

from flask import Flask

from dash_app.settings import REDIS_TIMEOUT, Settings, settings_of
from models.runs import liveness

log = logging.getLogger(__name__)

CELERY_KEY = "hamyar_celery"
JOB_RESULTS_EXPIRE = 60 * 60  # seconds a finished job's result waits to be collected
RUN_TASK = "hamyar.matching.run"
REAP_TASK = "hamyar.matching.reap"
AUTO_TASK = "hamyar.matching.automatic"
# Publishing a job: one more try after a failed connect, then give up (with 1 s socket timeouts, a
# stopped Redis costs the chair's click about 2 s and a sentence, never a hang).
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.5}
# Queueing an export (Dash's background callbacks): no second try, a paused Redis then costs the press one
# 1 s socket timeout and the sentence; pressing again is harmless (an export stores nothing).
EXPORT_PUBLISH_RETRY = {**PUBLISH_RETRY, "max_retries": 0}
# A job taken by a worker that then died wholesale (kill -9 of the worker itself, the machine lost)
# goes back to the queue after this many seconds. Longer than the longest job (a county run of
# 100,000 pledges took ~60 s in docs/matching-bench.md), or a slow job would be handed out twice;
# a matching run handed out twice is a no-op anyway (pick_up_run), an export is done again.
VISIBILITY_TIMEOUT = 15 * 60
# Reading or writing the result store: one more try, then give up (Celery's default is 20 tries a second
# apart, which held an export's request ~20 s while Redis was away).
RESULT_RETRY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.5}
# The job handle of an export that could not be queued (Redis away): its result is the failure sentence.
UNQUEUED = "hamyar-unqueued-"
QUEUE_QUIET = 2.0  # seconds after a failure during which background-job calls do not wait for Redis again


def _unique_per_request() -> str:
    # Dash keys a job's result by the callback and its arguments. Two people exporting the same sheet
    # with the same filters at once would share one result (in the other's language, and the first
    # to collect it takes it away): a fresh value per request keeps every job's result its own.
    return uuid.uuid4().hex


def make_celery(settings: Settings):
    """The Celery app of this deployment: Redis as broker and result store, one queue per deployment."""
    from celery import Celery

    if not settings.redis_url:
        raise ValueError("the Celery background manager needs REDIS_URL")
    celery = Celery("hamyar", broker=settings.redis_url, backend=settings.redis_url)
    timeouts = {"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT}
    celery.conf.update(task_default_queue=settings.celery_queue, broker_connection_retry_on_startup=True,
                       result_expires=JOB_RESULTS_EXPIRE, worker_hijack_root_logger=False,
                       # a job whose worker dies (kill -9) goes back to the queue instead of being lost
                       task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
                       broker_transport_options={**timeouts, "visibility_timeout": VISIBILITY_TIMEOUT},
                       result_backend_transport_options={**timeouts, "retry_policy": RESULT_RETRY},
                       task_publish_retry_policy=EXPORT_PUBLISH_RETRY,
                       beat_schedule={"reap-silent-matching-runs": {"task": REAP_TASK,
                                                                    "schedule": liveness.REAP_EVERY},
                                      # issue 16 item 6; the web processes leave it to this with HAMYAR_AUTO_MATCH=worker
                                      "automatic-matching": {"task": AUTO_TASK, "schedule": settings.auto_match_every}},
                       redis_socket_timeout=REDIS_TIMEOUT, redis_socket_connect_timeout=REDIS_TIMEOUT,
                       broker_connection_timeout=REDIS_TIMEOUT)
    return celery


def make_manager(server: Flask, settings: Settings) -> Any:
    """The background callback manager the settings ask for (see the module docstring)."""
    from dash import CeleryManager, DiskcacheManager

    liveness.configure(settings.run_stale_after, settings.run_heartbeat)
    if settings.background == "celery":
        celery = make_celery(settings)
        _register_run_tasks(celery, server)
        server.extensions[CELERY_KEY] = celery
        return _queue_safe(CeleryManager)(celery, cache_by=[_unique_per_request], expire=JOB_RESULTS_EXPIRE)
    from dash_app.job_files import install_expiry, private_jobs_folder
    from dash_app.job_results import signed_cache

    # Results are pickled: signed with a key derived from SECRET_KEY, and nothing unsigned is unpickled
    # (whoever can write the jobs folder must not run code in the web process; dash_app.job_results).
    private_jobs_folder(settings.jobs_folder)  # 0700, files 0600; old results deleted (dash_app.job_files)
    cache = signed_cache(str(settings.jobs_folder), server.config["SECRET_KEY"])
    install_expiry(server, cache, JOB_RESULTS_EXPIRE, settings.jobs_folder)
    return DiskcacheManager(cache, cache_by=[_unique_per_request], expire=JOB_RESULTS_EXPIRE)


def _queue_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    return OperationalError, RedisError, OSError


def _is_queue_failure(exc: BaseException, errors: tuple[type[BaseException], ...]) -> bool:
    """Redis away, however Celery reports it: directly, or as the RuntimeError its result consumer raises
    ("Retry limit exceeded while trying to reconnect to the Celery result store") from a connection error
    when a job's result channel cannot be subscribed to. The CI of stop 28 met the second: the press
    answered an empty 204 instead of the sentence (tests/faults/test_export_without_redis.py)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, errors):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _queue_safe(base: type) -> type:
    """Dash's CeleryManager, for which Redis being away is a failure the person is told about (issue 15 item 4).

    Dash drops what on_error shows (set_props) when a background callback fails while its job is queued or
    polled; only a job whose *result* is an error gets the app's sentence. So: a job that cannot be queued gets
    a handle of its own (UNQUEUED) whose result is that error, and a result store that does not answer while
    the page polls gives the same error; the page then shows the translated failure sentence
    (dash_app.__init__.on_callback_error) within a second or two, and the button is free again."""
    errors = _queue_errors()

    def failed(why: str) -> dict:
        return {"background_callback_error": {"msg": why, "tb": ""}}

    class QueueSafeManager(base):
        # After a failure the next calls of the next QUEUE_QUIET seconds do not wait for Redis again (a
        # paused Redis costs each call its 1 s socket timeout; one poll makes three or four of them).
        _quiet_until = 0.0

        def _down(self) -> bool:
            return time.monotonic() < self._quiet_until

        def _failed(self, what: str, exc: BaseException) -> None:
            log.warning("background jobs: %s: %s", what, exc)
            self._quiet_until = time.monotonic() + QUEUE_QUIET

        def _guard(self, what: str, call, fallback):
            if self._down():
                return fallback
            try:
                return call()
            except Exception as exc:
                if not _is_queue_failure(exc, errors):
                    raise
                self._failed(what, exc)
                return fallback

        def call_job_fn(self, key, job_fn, args, context):
            unqueued = f"{UNQUEUED}{uuid.uuid4().hex}"
            return self._guard("not queued", lambda: super(QueueSafeManager, self).call_job_fn(
                key, job_fn, args, context), unqueued)

        def get_result(self, key, job):
            if isinstance(job, str) and job.startswith(UNQUEUED):
                return failed("the job queue is not answering (not queued)")
            return self._guard("result not readable", lambda: super(QueueSafeManager, self).get_result(key, job),
                               failed("the job queue is not answering"))

        def job_running(self, job):
            if isinstance(job, str) and job.startswith(UNQUEUED):
                return False
            return self._guard("job state not readable", lambda: super(QueueSafeManager, self).job_running(job),
                               False)

        def terminate_job(self, job):
            if isinstance(job, str) and job.startswith(UNQUEUED):
                return None
            return self._guard("job not revoked", lambda: super(QueueSafeManager, self).terminate_job(job), None)

        def get_updated_props(self, key):
            return self._guard("props not readable", lambda: super(QueueSafeManager, self).get_updated_props(key),
                               {})

        def get_progress(self, key):
            return self._guard("progress not readable", lambda: super(QueueSafeManager, self).get_progress(key),
                               None)

    # Still named as Dash's manager it guards (what the settings chose: tests/web/test_background_jobs.py reads it).
    QueueSafeManager.__name__ = base.__name__
    QueueSafeManager.__qualname__ = f"QueueSafe{base.__name__}"
    return QueueSafeManager


def _register_run_tasks(celery, server: Flask) -> None:
    """The matching tasks, run by the Celery workers (dash_app.worker builds the same app)."""

    def database():
        from dash_app.db import EXTENSION_KEY

        return server.extensions[EXTENSION_KEY]

    @celery.task(name=RUN_TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
    def run_matching_job(run_id: int, actor_id: int | None) -> None:
        from models.runs.jobs import run_claimed

        try:
            run_claimed(database(), run_id, actor_id)
        except Exception:  # noqa: BLE001 - the run is marked failed; a retry would find it ended anyway
            log.exception("matching run %s failed", run_id)

    @celery.task(name=AUTO_TASK, ignore_result=True)
    def automatic_matching() -> None:
        from dash_app import auto_match

        auto_match.look(database())

    @celery.task(name=REAP_TASK, ignore_result=True)
    def reap_silent_runs() -> list[int]:
        from models.runs.lifecycle import reap_stale_runs

        return reap_stale_runs(database())


def enqueue_run(server: Flask, run_id: int, actor_id: int | None) -> Any:
    """Queue the job of a claimed matching run (see the module docstring); raises when it cannot.
    Returns the Celery task's handle, or the job's process on one machine."""
    settings = settings_of(server)
    celery = server.extensions.get(CELERY_KEY)
    if celery is not None:
        # No result is kept (the run's row is the result): sending then never touches the result
        # store, whose reconnect loop would hold the request ~20 s while Redis is away.
        return celery.send_task(RUN_TASK, args=[run_id, actor_id], queue=settings.celery_queue, ignore_result=True,
                                retry=True, retry_policy=PUBLISH_RETRY)
    from dash_app.db import EXTENSION_KEY
    from models.audit.keys import config_of

    audit = config_of(server.extensions[EXTENSION_KEY])  # the job chains its audit events as the web does
    job = {"database_url": settings.database_url, "run_id": run_id, "actor_id": actor_id,
           "stale_after": settings.run_stale_after, "heartbeat": settings.run_heartbeat,
           "audit_key": audit.key.decode() if audit.key else None,
           "anchor_file": str(audit.anchor_file) if audit.anchor_file else None}
    proc = subprocess.Popen([sys.executable, "-m", "models.runs.process"], stdin=subprocess.PIPE,
                            start_new_session=True, close_fds=True)
    assert proc.stdin is not None
    with proc.stdin:
        proc.stdin.write(json.dumps(job).encode() + b"\n")
    # Collect its exit status when it ends (no zombie); it does not die with this process.
    threading.Thread(target=proc.wait, name=f"hamyar-run-{run_id}", daemon=True).start()
    return proc


@contextmanager
def job_request_context(server: Flask):
    """Inside a background job: a request context carrying the cookies of the request that started it."""
    from dash import callback_context

    cookies = dict(getattr(callback_context, "cookies", None) or {})
    headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())} if cookies else {}
    lang = (getattr(callback_context, "headers", None) or {}).get("Accept-Language")
    if lang:
        headers["Accept-Language"] = lang
    with server.test_request_context("/_dash-update-component", method="POST", headers=headers):
        yield


__all__ = ["AUTO_TASK", "REAP_TASK", "RUN_TASK", "enqueue_run", "job_request_context", "make_celery", "make_manager"]
