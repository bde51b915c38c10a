"""Cached renders of the user-independent parts of public pages (issue 19 item 2).

Imports dash's JSON encoder (plotly.io.json), flask and dash_app.cache; pages import this.

`cached_render(name, key, build)` returns the JSON form (plain dicts, lists and text, as Dash's renderer
receives it) of the component tree `build()` makes, from this process's memory when it can. A page puts
that form where a component would go; what depends on the person (their navbar, CSRF tokens, "my" data,
a chair's or the governorate's buttons) must stay OUT of `build`: render it beside the cached part, or
render the page uncached for the people who see more than everyone else.

An entry is keyed by the page's name, the language and the page's own `key` (its query), and remembers
the data generation (dash_app.cache: bumped after every audited commit, shared in Redis when REDIS_URL is
set) it was rendered under. It is served while:
- the generation is unchanged, for at most MAX_AGE seconds (a change committed by a process that does
  not share the generation, such as the `hamyar` CLI beside a server without Redis, shows within that); or
- it is at most `stale_seconds` old (RENDER_STALE_SECONDS, default 1 s), whatever the generation: during
  a campaign the generation moves several times a second, and a second of staleness on public totals
  is what keeps every read from being a miss (docs/deploy.md).
When the shared generation cannot be read (Redis down) nothing is cached.

The renders stay in each worker's memory (never in Redis): a hit costs no unpickling, and only the
generation, one small Redis GET, is shared.
"""
from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

EXTENSION_KEY = "hamyar_renders"
MAX_AGE = 30.0
MAX_ENTRIES = 128  # a /projects render is ~100 KiB of JSON: bounded memory per worker
DEFAULT_STALE_SECONDS = 1.0


def json_form(tree: Any) -> Any:
    """What Dash would send for `tree`: its JSON, parsed back into plain Python values."""
    from plotly.io.json import to_json_plotly

    return json.loads(to_json_plotly(tree))


class RenderCache:
    def __init__(self, generation: Callable[[], int | None], stale_seconds: float = DEFAULT_STALE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.generation, self.stale_seconds, self.clock = generation, stale_seconds, clock
        self._entries: OrderedDict[tuple, tuple[int, float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple, build: Callable[[], Any]) -> Any:
        generation = self.generation()
        if generation is None:
            self.misses += 1
            return json_form(build())
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            made_under, made_at, value = entry
            age = now - made_at
            if age < self.stale_seconds or (made_under == generation and age <= MAX_AGE):
                self.hits += 1
                return value
        self.misses += 1
        value = json_form(build())
        with self._lock:
            self._entries[key] = (generation, now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def make_render_cache(dashboard_cache: Any, stale_seconds: float = DEFAULT_STALE_SECONDS) -> RenderCache:
    """A render cache that reads its generation from the app's dashboard cache (one generation for both)."""
    return RenderCache(dashboard_cache.generation, stale_seconds)


def cached_render(name: str, key: Hashable, build: Callable[[], Any]) -> Any:
    """The JSON form of `build()` for (`name`, the current language, `key`), from the current app's cache.
    `build` must not read who is signed in: everyone with the same language and key gets its result."""
    from flask import current_app

    from dash_app.i18n import current_language

    return current_app.extensions[EXTENSION_KEY].get((name, current_language(), key), build)


__all__ = ["RenderCache", "cached_render", "json_form", "make_render_cache"]
