"""One Chromium (Debian's, /usr/bin/chromium) and one Hamyar server on a free local port per session.

Every request to a host other than 127.0.0.1 is aborted and remembered, so a test can prove
the page is complete offline.
"""
from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from models import orm
from models.core.db import Database
from tests.web.conftest import LOGINS, PASSWORD, make_people

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # keep the test output readable
        pass


@contextmanager
def serving(db_url: str, secret: str) -> Iterator[str]:
    """Hamyar on a free local port in a background thread; yields its base URL."""
    from dash_app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": secret})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        app.extensions["hamyar_db"].dispose()


def demo_copy(seeded_sqlite_file: Path, folder: Path) -> Database:
    """A private copy of the seeded demo database for one server."""
    path = folder / "demo.sqlite3"
    shutil.copyfile(seeded_sqlite_file, path)
    return Database(f"sqlite:///{path}")


@contextmanager
def people_server(folder: Path, secret: str) -> Iterator[str]:
    """A server on a fresh database holding the web tests' people (tests/web/conftest.make_people)."""
    db = Database(f"sqlite:///{folder / 'hamyar.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    make_people(db)
    db.dispose()
    with serving(db.url, secret) as url:
        yield url


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    with people_server(tmp_path_factory.mktemp("browser-db"), "browser-tests") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup_debian_packages.sh (./dev test does)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Offline:
    """Aborts and records every request that leaves 127.0.0.1."""

    def __init__(self) -> None:
        self.blocked: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture
def offline() -> Offline:
    return Offline()


@pytest.fixture
def new_page(browser, live_server, offline):
    """new_page(lang="fa", width=1280) -> a Playwright page in a fresh context (no cookies)."""
    contexts = []

    def make(lang: str = "fa", width: int = 1280, height: int = 900, enforce_csp: bool = False):
        # Playwright's in-page waits and axe's injected script are themselves blocked by the app's
        # Content-Security-Policy, so contexts skip it unless a test proves the policy (b011).
        ctx = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server,
                                  bypass_csp=not enforce_csp)
        ctx.route("**/*", offline.route)
        if lang != "fa":
            ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": live_server}])
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not offline.blocked, f"requests to other hosts: {offline.blocked}"


def wait_ready(page, selector: str = "#footer") -> None:
    """Dash has rendered the shell and the page content, and the fonts are loaded."""
    page.wait_for_selector(selector)
    page.wait_for_function("document.querySelector('#_pages_content') && "
                           "document.querySelector('#_pages_content').children.length > 0")
    page.evaluate("document.fonts.ready")


def dash_idle(page) -> None:
    """No Dash callback is waiting or running (the renderer's own store, as dash.testing reads it): the page has
    settled, as a person sees it before pressing the next button."""
    page.wait_for_function("""() => {
      if (!window.store) { return true; }
      const cbs = Object.assign({}, window.store.getState().callbacks);
      delete cbs.stored; delete cbs.completed;
      return Object.values(cbs).every(list => !list || list.length === 0);
    }""")


def log_in(page, who: str) -> None:
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", LOGINS[who])
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)
    wait_ready(page)
