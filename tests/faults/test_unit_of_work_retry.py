"""A unit of work that PostgreSQL aborts for a deadlock runs again whole (issue 15 item 3).

Two real transactions lock the same two rows in opposite orders and meet at a barrier in between, so
PostgreSQL must abort one of them (deadlock_detected, after its 1 s deadlock_timeout). Through
`Database.run` both finish; through a bare unit of work the loser's caller gets the error.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from models.core.db import is_retryable
from models.orm.people import User
from tests.models.world import build_world

pytestmark = pytest.mark.postgres


def _crossing_lockers(db, first, second, attempts):
    """Two workers: each locks its first row, waits for the other, then locks its second."""
    barrier = threading.Barrier(2, timeout=20)
    tries = {0: 0, 1: 0}
    results: dict[int, object] = {}

    def work_for(i, a, b):
        def work(session):
            tries[i] += 1
            session.execute(select(User.id).where(User.id == a).with_for_update())
            if tries[i] == 1:  # only the first try meets the other: a retry must get through
                barrier.wait()
            session.execute(select(User.id).where(User.id == b).with_for_update())
            return i
        return work

    def run(i, a, b):
        try:
            results[i] = db.run(work_for(i, a, b), attempts=attempts)
        except Exception as exc:  # noqa: BLE001 - the test reads what each worker ended with
            results[i] = exc

    threads = [threading.Thread(target=run, args=(0, first, second)),
               threading.Thread(target=run, args=(1, second, first))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, tries


def test_a_deadlocked_unit_of_work_runs_again_and_both_finish(pg_db):
    with pg_db.unit_of_work() as s:
        w = build_world(s)
    results, tries = _crossing_lockers(pg_db, w.citizen, w.chair, attempts=4)
    assert results == {0: 0, 1: 1}, results
    assert sorted(tries.values()) == [1, 2], tries  # exactly one was aborted and ran again


def test_without_retry_the_deadlock_reaches_the_caller(pg_db):
    with pg_db.unit_of_work() as s:
        w = build_world(s)
    results, _ = _crossing_lockers(pg_db, w.citizen, w.chair, attempts=1)
    errors = [r for r in results.values() if isinstance(r, DBAPIError)]
    assert len(errors) == 1 and is_retryable(errors[0]), results


def test_a_domain_error_is_not_retried(pg_db):
    calls = []

    def work(session):
        calls.append(1)
        raise ValueError("not the database's fault")

    with pytest.raises(ValueError):
        pg_db.run(work)
    assert calls == [1]
