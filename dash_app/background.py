"""Where Dash background callbacks (matching runs, exports) do their work, and who they work for.

Imports dash, flask and the standard library; celery only when REDIS_URL asks for it.

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

import uuid
from contextlib import contextmanager
from typing import Any

from flask import Flask

from dash_app.settings import REDIS_TIMEOUT, Settings

CELERY_KEY = "hamyar_celery"
JOB_RESULTS_EXPIRE = 60 * 60  # seconds a finished job's result waits to be collected


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
                       broker_transport_options=timeouts, result_backend_transport_options=timeouts,
                       redis_socket_timeout=REDIS_TIMEOUT, redis_socket_connect_timeout=REDIS_TIMEOUT,
                       broker_connection_timeout=REDIS_TIMEOUT)
    return celery


def make_manager(server: Flask, settings: Settings) -> Any:
    """The background callback manager the settings ask for (see the module docstring)."""
    from dash import CeleryManager, DiskcacheManager

    if settings.background == "celery":
        celery = make_celery(settings)
        server.extensions[CELERY_KEY] = celery
        return CeleryManager(celery, cache_by=[_unique_per_request], expire=JOB_RESULTS_EXPIRE)
    from dash_app.job_files import install_expiry, private_jobs_folder
    from dash_app.job_results import signed_cache

    # Results are pickled: signed with a key derived from SECRET_KEY, and nothing unsigned is unpickled
    # (whoever can write the jobs folder must not run code in the web process; dash_app.job_results).
    private_jobs_folder(settings.jobs_folder)  # 0700, files 0600; old results deleted (dash_app.job_files)
    cache = signed_cache(str(settings.jobs_folder), server.config["SECRET_KEY"])
    install_expiry(server, cache, JOB_RESULTS_EXPIRE, settings.jobs_folder)
    return DiskcacheManager(cache, cache_by=[_unique_per_request], expire=JOB_RESULTS_EXPIRE)


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


__all__ = ["job_request_context", "make_celery", "make_manager"]
