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

import os
import uuid
from contextlib import contextmanager
from typing import Any

from flask import Flask

CELERY_KEY = "hamyar_celery"
JOB_RESULTS_EXPIRE = 60 * 60  # seconds a finished job's result waits to be collected


def backend_name(config: dict[str, Any]) -> str:
    """"celery" when REDIS_URL is set (unless HAMYAR_BACKGROUND says "diskcache"), else "diskcache"."""
    chosen = (config.get("HAMYAR_BACKGROUND") or os.environ.get("HAMYAR_BACKGROUND") or "").strip().lower()
    if chosen in ("diskcache", "celery"):
        return chosen
    if chosen:
        raise ValueError(f"HAMYAR_BACKGROUND must be 'diskcache' or 'celery', not {chosen!r}")
    return "celery" if redis_url(config) else "diskcache"


def redis_url(config: dict[str, Any]) -> str:
    return (config.get("REDIS_URL") or os.environ.get("REDIS_URL") or "").strip()


def _unique_per_request() -> str:
    # Dash keys a job's result by the callback and its arguments. Two people exporting the same sheet
    # with the same filters at once would share one result (in the other's language, and the first
    # to collect it takes it away): a fresh value per request keeps every job's result its own.
    return uuid.uuid4().hex


def make_celery(config: dict[str, Any]):
    """The Celery app of this deployment: Redis as broker and result store, one queue per deployment."""
    from celery import Celery

    url = redis_url(config)
    if not url:
        raise ValueError("the Celery background manager needs REDIS_URL")
    celery = Celery("hamyar", broker=url, backend=url)
    queue = config.get("HAMYAR_CELERY_QUEUE") or os.environ.get("HAMYAR_CELERY_QUEUE") or "hamyar"
    celery.conf.update(task_default_queue=queue, broker_connection_retry_on_startup=True,
                       result_expires=JOB_RESULTS_EXPIRE, worker_hijack_root_logger=False)
    return celery


def make_manager(server: Flask) -> Any:
    """The background callback manager the server's config asks for (see the module docstring)."""
    from dash import CeleryManager, DiskcacheManager

    from models.core.db import data_folder

    config = server.config
    if backend_name(config) == "celery":
        celery = make_celery(config)
        server.extensions[CELERY_KEY] = celery
        return CeleryManager(celery, cache_by=[_unique_per_request], expire=JOB_RESULTS_EXPIRE)
    import diskcache

    folder = config.get("HAMYAR_JOBS_FOLDER") or str(data_folder() / "jobs")
    return DiskcacheManager(diskcache.Cache(folder), cache_by=[_unique_per_request], expire=JOB_RESULTS_EXPIRE)


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


__all__ = ["backend_name", "job_request_context", "make_celery", "make_manager", "redis_url"]
