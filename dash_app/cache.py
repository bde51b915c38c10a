"""The governorate dashboard's aggregates, cached until the next change.

Imports cachelib, redis (with REDIS_URL), sqlalchemy and models; never dash.

Where: in this process (cachelib's SimpleCache) by default; in Redis when REDIS_URL is set, shared by
every web worker and Celery worker.

When it forgets: a cached board is keyed by the filter and by two versions read *before* the board
is computed, so a change committed meanwhile can only make the entry newer than its key, never older:
- the generation, bumped after every commit that changed audited state in any process of this
  deployment (models.audit.log.on_audited_commit; Redis INCR when shared) — every state change writes an
  audit event, so no operation can forget to invalidate;
- the latest audit event id, which also sees changes committed by a process that does not share the
  generation (the `hamyar` CLI beside a server without Redis).
"""
from __future__ import annotations

import hashlib
import logging
import threading
import weakref

from cachelib import BaseCache, RedisCache, SimpleCache
from redis.exceptions import RedisError
from sqlalchemy import func, select

from dash_app.settings import REDIS_TIMEOUT, Settings
from models.audit.log import on_audited_commit
from models.core.db import Database
from models.orm.audit_event import AuditEvent
from models.reporting.dashboard import Dashboard, DashboardFilter, dashboard

log = logging.getLogger(__name__)
EXTENSION_KEY = "hamyar_cache"
ENTRY_SECONDS = 600  # boards of old versions and rare filters leave memory (or Redis) after this

_live: weakref.WeakSet[DashboardCache] = weakref.WeakSet()


def _bump_all() -> None:
    for cache in list(_live):
        cache.bump()


class DashboardCache:
    """`board(db, filter)`: the dashboard from the cache, computed on a miss."""

    def __init__(self, backend: BaseCache, shared: bool) -> None:
        self.backend, self.shared = backend, shared
        self._generation = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        _live.add(self)
        on_audited_commit(_bump_all)

    def generation(self) -> int | None:
        """The current generation; None when the shared store cannot be read (then nothing is cached)."""
        if self.shared:
            try:
                return int(self.backend.get("generation") or 0)
            except RedisError as exc:
                log.warning("dashboard cache unavailable (%s); computing uncached", exc)
                return None
        return self._generation

    def bump(self) -> None:
        """Best effort: a commit has happened whatever Redis says, so a failure here is only logged. An entry
        cached under the old generation is still keyed by the latest audit id, so it is never served stale."""
        if self.shared:
            try:
                self.backend.inc("generation")
            except RedisError as exc:
                log.warning("could not bump the dashboard cache's generation (%s)", exc)
        else:
            with self._lock:
                self._generation += 1

    def board(self, db: Database, f: DashboardFilter) -> Dashboard:
        generation = self.generation()
        with db.reader() as session:
            if generation is None:
                self.misses += 1
                return dashboard(session, f)
            latest = session.scalar(select(func.max(AuditEvent.id))) or 0
            key = f"board:{generation}:{latest}:{hashlib.sha256(repr(f).encode()).hexdigest()[:32]}"
            try:
                cached = self.backend.get(key)
            except RedisError:
                cached = None
            if isinstance(cached, Dashboard):
                self.hits += 1
                return cached
            self.misses += 1
            result = dashboard(session, f)
        try:
            self.backend.set(key, result, timeout=ENTRY_SECONDS)
        except RedisError as exc:
            log.warning("could not store a dashboard in the cache (%s)", exc)
        return result


def make_cache(settings: Settings) -> DashboardCache:
    if settings.redis_url:
        import redis

        client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=REDIS_TIMEOUT,
                                      socket_timeout=REDIS_TIMEOUT)
        return DashboardCache(RedisCache(host=client, key_prefix=settings.cache_prefix, default_timeout=ENTRY_SECONDS), shared=True)
    return DashboardCache(SimpleCache(threshold=200, default_timeout=ENTRY_SECONDS), shared=False)


def cached_dashboard(db: Database, f: DashboardFilter) -> Dashboard:
    """The dashboard of the current app, through its cache."""
    from flask import current_app

    return current_app.extensions[EXTENSION_KEY].board(db, f)


__all__ = ["DashboardCache", "cached_dashboard", "make_cache"]
