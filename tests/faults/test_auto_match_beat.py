"""Automatic matching under `celery beat` (issue 16 item 6): with HAMYAR_AUTO_MATCH=worker the web processes start
no thread of their own and a real Celery worker with its embedded beat runs a due table's matching."""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from dash_app import auto_match
from dash_app.db import EXTENSION_KEY as DB_KEY
from dash_app.settings import EXTENSION_KEY as SETTINGS_KEY
from dash_app.settings import Settings, SettingsError, settings_of
from models.core.enums import RunStatus
from models.orm.audit_event import AuditEvent
from models.orm.pledges import MatchingRun
from models.runs.auto import set_auto_matching
from tests.faults.test_stuck_runs import AUDIT_KEY, ROOT, make_app, seed, wait_for


def test_the_web_leaves_automatic_matching_to_the_beat_only_when_told(db, tmp_path):
    server = make_app(db.url, tmp_path)
    running = dataclasses.replace(settings_of(server), environment="development")
    for where, starts in (("worker", False), ("web", True)):
        fake = SimpleNamespace(extensions={SETTINGS_KEY: dataclasses.replace(running, auto_match=where),
                                           DB_KEY: server.extensions[DB_KEY]})
        thread = auto_match.start(fake, every=3600)
        assert (thread is not None) is starts
        if thread is not None:
            fake.extensions["hamyar_auto_match_stop"].set()
            thread.join(5)
    with pytest.raises(SettingsError, match="HAMYAR_AUTO_MATCH=worker needs"):
        Settings.load({"TESTING": True, "HAMYAR_AUTO_MATCH": "worker", "HAMYAR_BACKGROUND": "diskcache"}, {})
    with pytest.raises(SettingsError, match="'web' or 'worker'"):
        Settings.load({"TESTING": True, "HAMYAR_AUTO_MATCH": "sometimes"}, {})


def test_celery_beat_runs_a_due_tables_matching(db, private_redis, tmp_path):
    people = seed(db)
    db.run(lambda s: set_auto_matching(s, people.chair, people.table, True, 5))
    queue = f"auto-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": db.url, "SECRET_KEY": "faults", "REDIS_URL": private_redis.url,
           "HAMYAR_BACKGROUND": "celery", "HAMYAR_CELERY_QUEUE": queue, "HAMYAR_DATA": str(tmp_path),
           "HAMYAR_AUTO_MATCH": "worker", "HAMYAR_AUTO_MATCH_EVERY": "1", "HAMYAR_AUDIT_KEY": AUDIT_KEY}
    log_path = tmp_path / "worker.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker", "-B", "--schedule",
             str(tmp_path / "beat-schedule"), "--pool", "solo", "--queues", queue, "--without-heartbeat",
             "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def automatic_run():
            with db.reader() as s:
                return s.scalar(select(AuditEvent.object_id).where(AuditEvent.action == "matching.auto"))
        try:
            run_id = wait_for(automatic_run, 90, "the beat's automatic run")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{log_path.read_text(errors='replace')[-3000:]}") from None
        with db.reader() as s:
            run = s.get(MatchingRun, run_id)
            assert run.table_id == people.table and run.started_by_id is None   # nobody pressed Run
            assert run.status is RunStatus.DONE and run.n_proposed > 0             # solved in the worker
        time.sleep(3)                                                            # a few more beats ...
        with db.reader() as s:                                                   # ... and no news: no second run
            assert len(s.scalars(select(AuditEvent.id).where(AuditEvent.action == "matching.auto")).all()) == 1
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
