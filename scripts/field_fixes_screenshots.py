"""Screenshots of the five screens issue 20 changed most, at 360 px in Persian: the material for its closing note.

Not a test: it asserts nothing. It seeds the Amol demo into a temporary folder, serves it on a free local
port (or uses a server already running with --url, e.g. an older checkout's `./dev demo`, for "before"), and
saves test-artifacts/field-fixes/<label>-<screen>.png:

    pledge-errors   /pledge as the citizen, a wrong amount: the sentence at the field and beside the button
    chair-queue     /tables/<health> as its chair: the review queue (no raw codes, select all, undo)
    editor          the same page's project editor after Save with the problem left empty
    admin-users     /admin's users as staff, searched as one types, namesakes told apart
    dashboard       /governorate's charts (labels inside the charts, legends off the bars)

    .venv/bin/python scripts/field_fixes_screenshots.py                 # after-*.png, from this checkout
    .venv/bin/python scripts/field_fixes_screenshots.py --label before --url http://127.0.0.1:8050

Needs Debian's chromium (scripts/setup_debian_packages.sh) and Playwright (the test extras).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Amol-1405-demo"
WIDTH, HEIGHT = 360, 800


@contextmanager
def demo_server(prepare: Callable | None = None) -> Iterator[str]:
    """The seeded Amol demo served from a temporary folder; yields its base URL. `prepare(db)`, when given, runs
    domain operations on the seeded database before it is served (a screen that needs a state the demo lacks)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    from dash_app import create_app
    from models.core.db import Database
    from models.core.schema import migrate
    from models.demo.seed import seed_demo

    with tempfile.TemporaryDirectory(prefix="hamyar-shots-") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'demo.sqlite3'}")
        migrate(db)
        with db.unit_of_work() as s:
            seed_demo(s)
        if prepare is not None:
            prepare(db)
        db.dispose()
        app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "screenshots"})
        class Quiet(WSGIRequestHandler):
            def log_request(self, *args, **kwargs) -> None:
                pass

        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            app.extensions["hamyar_db"].dispose()


def ready(page, selector: str = "#footer") -> None:
    page.wait_for_selector(selector)
    page.wait_for_function("document.querySelector('#_pages_content') && "
                           "document.querySelector('#_pages_content').children.length > 0")
    page.evaluate("document.fonts.ready")


def log_in(page, who: str) -> None:
    page.goto("/login")
    ready(page, "#login-form")
    page.fill("#login-login", f"{who}@hamyar.local")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)


def health_table(page) -> str:
    """The chair's own table, read from their navbar workspace (else the first table)."""
    href = page.evaluate("(document.querySelector('#navbar a[href^=\"/tables/\"]') || {}).getAttribute"
                         " ? document.querySelector('#navbar a[href^=\"/tables/\"]').getAttribute('href') : null")
    return href or "/tables/1"


def pledge_errors(page) -> None:
    log_in(page, "citizen")
    page.goto("/pledge")
    ready(page, "#pledge-review")
    page.fill("#pledge-quantity", "خیلی")
    page.click("#pledge-review")
    page.wait_for_selector("#pledge-error .alert-danger, #pledge-quantity-error:not(:empty)")
    page.wait_for_timeout(500)


def chair_queue(page) -> None:
    log_in(page, "chair")
    page.goto(health_table(page))
    ready(page, "#table-review-list")
    page.wait_for_load_state("networkidle")
    page.locator("#table-review-panel").scroll_into_view_if_needed()


def editor(page) -> None:
    log_in(page, "chair")
    page.goto(health_table(page))
    ready(page, "#table-project-save")
    page.fill("#table-project-title", "آب آشامیدنی روستا")
    page.click("#table-project-save")
    page.wait_for_selector("#table-editor-form-error .alert-danger")
    page.wait_for_timeout(500)


def admin_users(page) -> None:
    log_in(page, "gov")
    page.goto("/admin")
    ready(page, ".nav-tabs")
    page.get_by_role("tab", name="کاربران").click()
    page.wait_for_selector("#adm-u-search")
    page.locator("#adm-u-search").press_sequentially("بهروز علیزاده", delay=40)
    page.wait_for_timeout(1500)
    page.locator("#adm-u-search").scroll_into_view_if_needed()


def dashboard(page) -> None:
    log_in(page, "gov")
    page.goto("/governorate")
    ready(page, "#gov-headline .border-primary")
    page.wait_for_selector("#gov-fig-tables .ytick text")
    page.wait_for_load_state("networkidle")
    page.locator("#gov-fig-tables").scroll_into_view_if_needed()


SCREENS: dict[str, Callable] = {"pledge-errors": pledge_errors, "chair-queue": chair_queue, "editor": editor,
                                "admin-users": admin_users, "dashboard": dashboard}


def shoot(base: str, label: str, out: Path, screens: dict[str, Callable] | None = None,
          views: tuple[tuple[int, str], ...] = ((WIDTH, "fa"),)) -> list[Path]:
    """Each screen at each (width, language) of `views`; files <label>-<screen>.png, or
    <label>-<screen>-<lang>-<width>.png when there is more than one view."""
    from playwright.sync_api import sync_playwright

    screens = SCREENS if screens is None else screens

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        for (width, lang), (name, steps) in ((v, sc) for sc in screens.items() for v in views):
            ctx = browser.new_context(viewport={"width": width, "height": HEIGHT}, base_url=base, bypass_csp=True)
            ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": base}])
            page = ctx.new_page()
            page.set_default_timeout(20_000)
            suffix = f"-{lang}-{width}" if len(views) > 1 else ""
            path = out / f"{label}-{name}{suffix}.png"
            try:
                steps(page)
                page.screenshot(path=str(path))
                saved.append(path)
                print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
            except Exception as exc:  # noqa: BLE001 - an older checkout may lack a screen: say so, go on
                print(f"{name}: not taken ({type(exc).__name__}: {str(exc).splitlines()[0]})")
            finally:
                ctx.close()
        browser.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="after", help="file name prefix (after, before, …)")
    parser.add_argument("--url", help="a Hamyar already serving the seeded demo (default: seed and serve one here)")
    parser.add_argument("--out", default=str(ROOT / "test-artifacts" / "field-fixes"))
    args = parser.parse_args()
    if args.url:
        saved = shoot(args.url.rstrip("/"), args.label, Path(args.out))
    else:
        with demo_server() as base:
            saved = shoot(base, args.label, Path(args.out))
    return 0 if len(saved) == len(SCREENS) else 1


if __name__ == "__main__":
    raise SystemExit(main())
