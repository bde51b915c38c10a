"""Redis is a helper, never a single point of failure: with a private Redis killed or paused (SIGSTOP),
people still sign in (the limiter counts in memory), the dashboard is computed uncached, and a write
returns within seconds instead of hanging after its commit."""
from __future__ import annotations

import signal
import time

import pytest

from dash_app import create_app
from dash_app.cache import make_cache
from dash_app.settings import Settings
from models.pledging.pledges import PledgeInput, create_pledge
from models.reporting.dashboard import DashboardFilter
from tests.web.conftest import PASSWORD, csrf, make_people


@pytest.fixture
def redis_app(web_db, private_redis, tmp_path):
    people = make_people(web_db)
    server = create_app({"TESTING": True, "SECRET_KEY": "r", "DATABASE_URL": web_db.url,
                         "REDIS_URL": private_redis.url, "HAMYAR_BACKGROUND": "diskcache",
                         "HAMYAR_JOBS_FOLDER": str(tmp_path / "jobs"), "RATELIMIT_KEY_PREFIX": "faults"})
    return server, people


def _sign_in(server) -> tuple[int, str, float]:
    client = server.test_client()
    token = csrf(client)
    started = time.monotonic()
    resp = client.post("/login", data={"csrf_token": token, "login": "09120000001", "password": PASSWORD})
    return resp.status_code, resp.headers.get("Location", ""), time.monotonic() - started


@pytest.mark.parametrize("fault", ["killed", "paused"])
def test_sign_in_and_the_dashboard_survive_redis(redis_app, private_redis, web_db, fault):
    server, people = redis_app
    assert _sign_in(server)[:2] == (303, "/")
    private_redis.process.send_signal(signal.SIGKILL if fault == "killed" else signal.SIGSTOP)
    status, location, seconds = _sign_in(server)
    assert (status, location) == (303, "/")          # signed in, not an error page
    assert seconds < 6                                # a paused Redis costs a timeout or two, not a hang
    cache = make_cache(Settings.load({"TESTING": True, "REDIS_URL": private_redis.url}))
    started = time.monotonic()
    board = cache.board(web_db, DashboardFilter())
    assert board.headline is not None and time.monotonic() - started < 6


def test_a_write_while_redis_is_paused_returns_and_is_stored_once(redis_app, private_redis, web_db):
    server, people = redis_app
    private_redis.process.send_signal(signal.SIGSTOP)
    started = time.monotonic()
    with server.app_context(), web_db.unit_of_work() as s:   # the commit bumps the cache's generation
        create_pledge(s, people.citizen, PledgeInput(kind="financial", quantity=1_000_000))
    assert time.monotonic() - started < 4
    from sqlalchemy import func, select

    from models.orm.pledges import Pledge
    with web_db.reader() as s:
        assert s.scalar(select(func.count(Pledge.id)).where(Pledge.citizen_id == people.citizen)) == 1
