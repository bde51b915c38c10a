"""The dashboard cache (dash_app.cache): a repeated view costs one small query; a decision shows at once.

In this process by default, in the Redis of this machine when REDIS_URL is set; on SQLite and PostgreSQL.
"""
from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import event

from dash_app.cache import DashboardCache, make_cache
from dash_app.settings import Settings
from models.core.enums import HelpKind
from models.pledging.decisions import accept
from models.reporting.dashboard import DashboardFilter
from tests.governorate.fixture import build_mobilised

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def mob(any_db):
    with any_db.unit_of_work() as s:
        m = build_mobilised(s)
    return any_db, m


@pytest.fixture(params=["simple", "redis"])
def cache(request) -> DashboardCache:
    if request.param == "simple":
        yield make_cache(Settings.load({"TESTING": True}))
        return
    prefix = f"hamyar-test:{uuid.uuid4().hex[:8]}:"
    made = make_cache(Settings.load({"TESTING": True, "REDIS_URL": REDIS_URL, "HAMYAR_CACHE_PREFIX": prefix}))
    yield made
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


class Statements:
    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *args, **kwargs) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):  # SQLite's own BEGIN (models.core.db)
            self.count += 1


def _money(board) -> int:
    return next(k.quantity for k in board.headline.by_kind if k.kind is HelpKind.FINANCIAL)


def test_a_repeated_view_is_served_from_the_cache_and_a_decision_shows_at_once(mob, cache):
    db, m = mob
    f = DashboardFilter()
    first = cache.board(db, f)
    with Statements(db.engine) as seen:
        again = cache.board(db, f)
    assert again == first and cache.hits == 1
    assert seen.count == 1  # only "what is the latest audit event?"; no aggregate ran

    # The environment chair accepts the one proposal (2,000,000 rials): the next view shows it.
    with db.unit_of_work() as s:
        accept(s, m.world.other_chair, m.proposed_allocation)
    after = cache.board(db, f)
    assert cache.misses == 2
    assert _money(after) == _money(first) + 2_000_000
    assert after.headline.allocations == first.headline.allocations + 1
    # Other filters are cached apart, and follow the decision too.
    narrowed = cache.board(db, DashboardFilter(kind=HelpKind.FINANCIAL))
    assert narrowed.headline.total_value == _money(after)


def test_a_change_from_another_process_is_seen(mob):
    """A process that does not share the generation (the CLI beside a server without Redis) still
    invalidates: the latest audit event id is part of the key."""
    db, m = mob
    cache = make_cache(Settings.load({"TESTING": True}))
    before = cache.board(db, DashboardFilter())
    with db.unit_of_work() as s:
        accept(s, m.world.other_chair, m.proposed_allocation)
        s.info.pop("audit_written", None)  # as if committed elsewhere: no hook of this process fires
    generation = cache.generation()
    after = cache.board(db, DashboardFilter())
    assert cache.generation() == generation and cache.misses == 2
    assert _money(after) == _money(before) + 2_000_000


def test_workers_share_the_generation_through_redis():
    prefix = f"hamyar-test:{uuid.uuid4().hex[:8]}:"
    one = make_cache(Settings.load({"TESTING": True, "REDIS_URL": REDIS_URL, "HAMYAR_CACHE_PREFIX": prefix}))
    other = make_cache(Settings.load({"TESTING": True, "REDIS_URL": REDIS_URL, "HAMYAR_CACHE_PREFIX": prefix}))
    start = one.generation()
    other.bump()  # a commit in another worker
    assert one.generation() == start + 1
    redis.Redis.from_url(REDIS_URL).delete(f"{prefix}generation")
