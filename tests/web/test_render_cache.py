"""The render cache of public pages (dash_app.render_cache, issue 19 item 2), through the app as the browser
drives it (the Pages router callback, bench.loadtest's Browser) on a copy of the demo (SQLite).

It proves: a second render is a hit; a change made through the domain operations shows in the next render
(at once with no staleness allowed, after the window with the default second); what a signed-in person,
a chair or the staff see of their own is never served to somebody else, in either order; Persian and
English renders are kept apart.
"""
from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select

from bench.loadtest import Browser, FlaskTransport
from dash_app.render_cache import EXTENSION_KEY
from models.core.enums import ProjectStatus
from models.demo.seed import DEMO_PASSWORD
from models.orm.people import User
from models.orm.projects import Project
from models.projects.editing import ProjectInput, update_project


@pytest.fixture
def site(seeded_site):
    return seeded_site


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _browser(app, who: str | None = None, lang: str = "fa") -> Browser:
    client = app.test_client()
    client.set_cookie("hamyar_lang", lang)
    b = Browser(FlaskTransport(client))
    if who:
        b.log_in(f"{who}@hamyar.local", DEMO_PASSWORD)
    return b


def _render(b: Browser, path: str, search: str = "") -> str:
    return json.dumps(b.open_page(path, search), ensure_ascii=False)


def _chair_project(app) -> tuple[int, int]:
    """An open project of the demo chair's table, and the chair's user id."""
    db = app.extensions["hamyar_db"]
    with db.reader() as s:
        chair = s.scalar(select(User.id).where(User.email == "chair@hamyar.local"))
        from models.orm.tables import Table

        table = s.scalar(select(Table.id).where(Table.chair_id == chair).order_by(Table.id))
        pid = s.scalar(select(Project.id).where(Project.table_id == table, Project.status == ProjectStatus.OPEN)
                       .order_by(Project.id))
    return pid, chair


def _retitle(app, pid: int, actor: int, fa: str, en: str) -> None:
    """The chair edits the project's titles through the domain operation (an audited commit)."""
    db = app.extensions["hamyar_db"]
    with db.unit_of_work() as s:
        p = s.get(Project, pid)
        update_project(s, actor, pid, ProjectInput(
            kind=p.kind.value, title_fa=fa, title_en=en, summary_fa=p.summary_fa or "", summary_en=p.summary_en or "",
            problem=p.problem or "", evidence=p.evidence or "", affected=p.affected or "", capacity=p.capacity or "",
            horizon=p.horizon.value if p.horizon else None, district_id=p.district_id, priority=p.priority,
            estimated_cost_rials=p.estimated_cost_rials))


def test_a_second_render_is_a_hit_and_the_same(site):
    cache = site.extensions[EXTENSION_KEY]
    anon = _browser(site)
    for path, search in (("/", ""), ("/projects", "?page=2"), ("/how-matching-works", ""), ("/tables", "")):
        misses, hits = cache.misses, cache.hits
        first = _render(anon, path, search)
        assert (cache.misses, cache.hits) == (misses + 1, hits), path
        second = _render(anon, path, search)
        assert (cache.misses, cache.hits) == (misses + 1, hits + 1), path
        assert second == first
    other_page = _render(anon, "/projects", "?page=1")
    assert other_page != _render(anon, "/projects", "?page=2")  # the query is part of the key


def test_a_change_shows_in_the_next_render(site):
    cache = site.extensions[EXTENSION_KEY]
    cache.stale_seconds = 0.0
    pid, chair = _chair_project(site)
    anon = _browser(site, lang="en")
    before = _render(anon, f"/projects/{pid}")
    assert "A freshly named project" not in before
    card = f'"data-project": "{pid}"'
    search = next(q for q in (f"?sort=priority&page={n}" for n in range(1, 10)) if card in _render(anon, "/projects", q))
    _retitle(site, pid, chair, "پروژه‌ای با نام تازه", "A freshly named project")
    assert "A freshly named project" in _render(anon, f"/projects/{pid}")
    assert "A freshly named project" in _render(anon, "/projects", search)
    fa = _browser(site, lang="fa")
    assert "پروژه‌ای با نام تازه" in _render(fa, f"/projects/{pid}")


def test_within_the_staleness_window_the_old_render_is_served_then_the_new(site):
    cache = site.extensions[EXTENSION_KEY]
    clock = Clock()
    cache.clock, cache.stale_seconds = clock, 1.0
    pid, chair = _chair_project(site)
    anon = _browser(site, lang="en")
    _render(anon, f"/projects/{pid}")
    _retitle(site, pid, chair, "نام دوم", "The second name")
    clock.now += 0.5
    assert "The second name" not in _render(anon, f"/projects/{pid}")  # a second of staleness is allowed
    clock.now += 0.6
    assert "The second name" in _render(anon, f"/projects/{pid}")


def test_nothing_of_a_person_is_served_to_another(site):
    pid, _chair = _chair_project(site)
    editor_link = f"/progress/{pid}"
    anon, citizen, chair, gov = (_browser(site), _browser(site, "citizen"), _browser(site, "chair"),
                                 _browser(site, "gov"))
    # The chair renders first (their editor link), then the others: none gets it.
    assert editor_link in _render(chair, f"/projects/{pid}")
    assert editor_link not in _render(citizen, f"/projects/{pid}")
    assert editor_link not in _render(anon, f"/projects/{pid}")
    # The other order: the cached render for everyone does not hide the chair's own link.
    assert editor_link in _render(chair, f"/projects/{pid}")
    # The staff's county run panel on /tables, before and after the public render.
    assert "tables-county-start" in _render(gov, "/tables")
    assert "tables-county-start" not in _render(anon, "/tables")
    assert "tables-county-start" in _render(gov, "/tables")
    # Home: where "Offer help" leads depends on being signed in, both ways round.
    assert "/login?next=/pledge" in _render(anon, "/")
    citizen_home = _render(citizen, "/")
    assert "/login?next=/pledge" not in citizen_home
    assert "/login?next=/pledge" in _render(anon, "/")
    # No cached page carries a person's name or CSRF token; their own navbar still does.
    with site.extensions["hamyar_db"].reader() as s:
        name = s.scalar(select(User.name).where(User.email == "citizen@hamyar.local"))
    token = citizen.csrf()
    for path in ("/", "/projects", f"/projects/{pid}", "/tables", "/how-matching-works"):
        page = _render(citizen, path)
        assert name not in page and token not in page, path
    _status, _h, shell = citizen.t.get("/_dash-layout")
    shell_text = shell.decode()
    assert json.dumps(name)[1:-1] in shell_text or name in shell_text
    _status, _h, anon_shell = anon.t.get("/_dash-layout")
    assert name not in anon_shell.decode() and json.dumps(name)[1:-1] not in anon_shell.decode()


def test_persian_and_english_are_cached_apart(site):
    cache = site.extensions[EXTENSION_KEY]
    fa, en = _browser(site, lang="fa"), _browser(site, lang="en")
    for path in ("/", "/projects", "/how-matching-works"):
        misses = cache.misses
        fa_page, en_page = _render(fa, path), _render(en, path)
        assert cache.misses == misses + 2, path
        assert fa_page != en_page
        assert _render(fa, path) == fa_page and _render(en, path) == en_page
    assert "How matching works" in _render(en, "/how-matching-works")
    assert "How matching works" not in _render(fa, "/how-matching-works")


def test_with_redis_the_generation_is_shared_between_processes(seeded_sqlite_file, tmp_path):
    """Another process's write reaches this process's cached renders through the generation in Redis: simulated
    by a change this process does not see happen (SQL on the database file) and that process's bump (INCR)."""
    import sqlite3
    import uuid

    import redis

    from dash_app import create_app

    path = tmp_path / "demo.sqlite3"
    shutil.copy(seeded_sqlite_file, path)
    prefix = f"hamyar-test-renders-{uuid.uuid4().hex[:8]}:"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "renders",
                      "RATELIMIT_ENABLED": False, "REDIS_URL": "redis://127.0.0.1:6379/0",
                      "HAMYAR_BACKGROUND": "diskcache", "HAMYAR_CACHE_PREFIX": prefix})
    client = redis.Redis(host="127.0.0.1", port=6379)
    try:
        app.extensions[EXTENSION_KEY].stale_seconds = 0.0
        pid, _chair = _chair_project(app)
        anon = _browser(app, lang="en")
        assert "Renamed elsewhere" not in _render(anon, f"/projects/{pid}")
        conn = sqlite3.connect(path)
        with conn:
            conn.execute("UPDATE projects SET title_en = 'Renamed elsewhere' WHERE id = ?", (pid,))
        conn.close()
        assert "Renamed elsewhere" not in _render(anon, f"/projects/{pid}")  # nothing told this process yet
        client.incr(f"{prefix}generation")  # the other process's bump after its commit
        assert "Renamed elsewhere" in _render(anon, f"/projects/{pid}")
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        app.extensions["hamyar_db"].dispose()
