"""Automatic matching in the background (issue 16 item 6): once a minute, models.runs.auto.run_due runs the
matching of every table whose chair turned it on and that has news, at most every `auto_match_minutes`, and
holds (for the chair) any run that would withdraw proposals or lower coverage.

Imports the standard library, flask and models. Where it runs (Settings.auto_match): a daemon thread per web
process (the default; not under tests), or, with HAMYAR_AUTO_MATCH=worker, the Celery task AUTO_TASK that
`celery beat` schedules (dash_app.background), so that solving never takes a web process's CPU. Several
processes at once are safe: a table's run is claimed in the database (one run per scope, models.runs.lifecycle),
and a table that has just run is not due again for its minutes.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger(__name__)

EVERY = 60.0  # seconds between two looks at the tables


def tick(db) -> list:
    """One look: run (or hold) what is due; errors are logged, never raised (the thread must go on)."""
    from models.runs.auto import run_due

    try:
        return run_due(db)
    except Exception:  # noqa: BLE001 - a failed run is marked failed by the run itself; try again next minute
        log.exception("automatic matching failed")
        return []


def escalate(db) -> list:
    """Late referrals go up a level (issue 21 item 4, models.voice.referrals.escalate_due); also done by
    `hamyar referrals escalate`. Idempotent, so several processes doing it at once tell people once: the
    second one finds nothing left to raise (a clash on the row's version is retried next minute)."""
    from models.orm.base import utcnow
    from models.voice.referrals import escalate_due

    try:
        return db.run(lambda s: escalate_due(s, utcnow()))
    except Exception:  # noqa: BLE001 - logged; the next minute tries again
        log.exception("escalating late referrals failed")
        return []


def look(db) -> None:
    """What each minute does, in the web thread or in the Celery task alike."""
    tick(db)
    escalate(db)


def start(server: Flask, every: float | None = None) -> threading.Thread | None:
    """Start the daemon thread (None under tests, where runs are made by the tests themselves, and when the
    Celery beat does it: HAMYAR_AUTO_MATCH=worker)."""
    from dash_app.db import EXTENSION_KEY
    from dash_app.settings import settings_of

    settings = settings_of(server)
    if settings.testing or settings.auto_match == "worker":
        return None
    every = settings.auto_match_every if every is None else every
    db = server.extensions[EXTENSION_KEY]
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            look(db)

    thread = threading.Thread(target=loop, name="hamyar-auto-match", daemon=True)
    thread.start()
    server.extensions["hamyar_auto_match_stop"] = stop
    return thread
