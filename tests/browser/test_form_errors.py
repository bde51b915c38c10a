"""In Chromium, at 360 px in Persian: an error is at its field and beside the button, the field is marked
(aria-invalid, aria-describedby) and has the focus (issue 20 items 1-2); a callback that fails on a real
database fault shows its sentence on the screen, where the person is (issue 15 item 5); the filters show
«همه…» on load (issue 20 item 8). Screenshots go to test-artifacts/forms-*.png."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

import models.accounts.users as accounts
from models import orm
from models.accounts.users import hash_password
from models.audit.log import record
from models.core.db import Database
from models.orm.people import User
from tests.browser.conftest import ARTIFACTS, CHROMIUM, _QuietHandler, wait_ready
from tests.models.world import build_world

PASSWORD = "correct horse 42"


@contextmanager
def _serving(db_url: str) -> Iterator[tuple[str, object]]:
    from dash_app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "browser-forms"})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        app.extensions["hamyar_db"].dispose()


@pytest.fixture
def site(tmp_path):
    path = tmp_path / "forms.sqlite3"
    db = Database(f"sqlite:///{path}")
    orm.Base.metadata.create_all(db.engine)
    with db.unit_of_work() as s:
        world = build_world(s)
        accounts.create_user(s, name="بیتا", login="bita@example.org", password=PASSWORD, language="fa")
        chair = s.get(User, world.chair)   # the health table's chair signs in too
        chair.email, chair.password_hash, chair.language = "chair@example.org", hash_password(PASSWORD), "fa"
        record(s, None, "user.login_set_for_tests", chair)
        table_id = world.health
    db.dispose()
    with _serving(db.url) as (url, app):
        app.config["TEST_TABLE_ID"] = table_id
        yield url, app, path


@pytest.fixture
def phone(browser, site):
    url, _app, _path = site
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, base_url=url, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    yield page
    ctx.close()


def _log_in(page, login: str = "bita@example.org") -> None:
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", login)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda u: "/login" not in u)
    wait_ready(page)


def _in_view(page, selector: str) -> bool:
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
                                   return r.bottom > 0 && r.top < window.innerHeight && r.height > 0; }""", selector)


def test_an_error_is_at_the_field_and_beside_the_button_and_the_field_gets_the_focus(phone):
    assert CHROMIUM
    page = phone
    _log_in(page)
    page.goto("/pledge")
    wait_ready(page, "#pledge-review")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "forms-pledge-360-fa.png", full_page=True)
    page.fill("#pledge-quantity", "خیلی")
    page.click("#pledge-review")
    page.wait_for_selector("#pledge-error .alert-danger")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'pledge-quantity'")
    field = page.locator("#pledge-quantity")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby").split()
    assert "pledge-quantity-error" in described
    assert "is-invalid" in field.get_attribute("class")
    beside = page.inner_text("#pledge-error")
    assert beside.startswith("مبلغ") and page.inner_text("#pledge-quantity-error") in beside
    assert _in_view(page, "#pledge-quantity")
    assert page.evaluate("getComputedStyle(document.querySelector('#pledge-preview .text-danger')).display") == "none"
    page.locator("#pledge-error").scroll_into_view_if_needed()
    assert _in_view(page, "#pledge-error")
    page.screenshot(path=ARTIFACTS / "forms-pledge-error-360-fa.png", full_page=False)
    # corrected: the marks go away
    page.fill("#pledge-quantity", "۵۰۰ هزار")
    page.click("#pledge-review")
    page.wait_for_selector("#pledge-review-panel", state="visible")
    page.wait_for_function("!document.querySelector('#pledge-quantity').hasAttribute('aria-invalid')")
    page.screenshot(path=ARTIFACTS / "forms-pledge-review-360-fa.png", full_page=True)


def test_a_database_fault_during_a_callback_shows_its_sentence_on_the_screen(phone, site):
    _url, app, path = site
    page = phone
    _log_in(page)
    page.goto("/pledge")
    wait_ready(page, "#pledge-review")
    page.fill("#pledge-quantity", "۱۰۰۰۰۰")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    app.extensions["hamyar_db"].engine.dispose()
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    path.write_bytes(b"this is not a database " * 200)        # the database file made unreadable
    page.click("#pledge-review")
    page.wait_for_selector("#callback-error", state="visible")
    text = page.inner_text("#callback-error")
    assert "پایگاه داده اکنون پاسخ نمی‌دهد" in text
    assert _in_view(page, "#callback-error")                 # where the person is looking, not at the top
    page.wait_for_timeout(400)  # the alert's fade-in
    page.screenshot(path=ARTIFACTS / "forms-failure-360-fa.png", full_page=False)


def test_the_filters_show_all_on_load(browser, site):
    url, _app, _path = site
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, base_url=url, bypass_csp=True)
    page = ctx.new_page()
    try:
        page.goto("/projects")
        wait_ready(page, "#projects-form")
        for sid in ("projects-table", "projects-kind", "projects-district", "projects-type"):
            shown = page.evaluate(f"document.getElementById('{sid}').selectedOptions[0].text")
            first = page.evaluate(f"document.getElementById('{sid}').options[1].text")
            assert shown and shown == first, (sid, shown, first)
    finally:
        ctx.close()


def test_a_gateway_timeout_shows_the_sentence_too(phone):
    """When no answer comes from Hamyar at all (nginx's 504 after its proxy timeout), the page's script shows
    the timeout sentence from the failure region (assets/hamyar-failures.js)."""
    page = phone
    _log_in(page)
    page.goto("/pledge")
    wait_ready(page, "#pledge-review")
    page.fill("#pledge-quantity", "۱۰۰۰۰۰")
    update = re.compile(r".*/_dash-update-component(\?.*)?$")   # the renderer adds ?endId=…
    page.route(update, lambda route: route.fulfill(status=504, body="Gateway Time-out"))
    page.click("#pledge-review")
    page.wait_for_selector("#callback-error-fallback")
    assert "بیش از اندازه طول کشید" in page.inner_text("#callback-error-fallback")
    assert _in_view(page, "#callback-error-fallback")
    page.unroute(update)
    page.click("#callback-error-fallback .btn-close")
    assert page.locator("#callback-error-fallback").count() == 0


def test_the_table_editor_marks_and_focuses_the_missing_field(phone, site):
    """The project form's error beside its Save button names the field; the field is marked and focused."""
    _url, app, _path = site
    page = phone
    _log_in(page, "chair@example.org")
    page.goto(f"/tables/{app.config['TEST_TABLE_ID']}")
    wait_ready(page, "#table-project-save")
    page.fill("#table-project-title", "آب آشامیدنی روستا")
    page.click("#table-project-save")
    page.wait_for_selector("#table-editor-form-error .alert-danger")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'table-project-problem'")
    problem = page.locator("#table-project-problem")
    assert problem.get_attribute("aria-invalid") == "true"
    assert page.inner_text("#table-editor-form-error").startswith("مسئله")      # names the field
    error_id = page.get_attribute("#table-editor-form-error .alert-danger", "id")
    assert error_id in problem.get_attribute("aria-describedby").split()
    assert _in_view(page, "#table-project-problem")
    assert "پر کنید" in page.inner_text("#table-project-problem-error")        # the sentence at the field too
    page.screenshot(path=ARTIFACTS / "forms-editor-error-360-fa.png", full_page=False)
    page.fill("#table-project-problem", "آب لوله‌کشی ندارد")
    page.click("#table-project-save")
    page.wait_for_function("!document.querySelector('#table-project-problem').hasAttribute('aria-invalid')")
    assert page.inner_text("#table-project-problem-error") == ""
