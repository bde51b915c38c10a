"""The table journey in Chromium on a copy of the seeded demo: matching with progress, decisions, a forged
decision refused, and a chair election from opening to the new chair."""
from __future__ import annotations

import shutil
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

import models
from models import Allocation, AllocationStatus, Notification, Table, TableMembership
from models.accounts import create_user
from models.audit import record
from models.enums import MemberBackground
from tests.browser.conftest import ARTIFACTS, _QuietHandler, wait_ready
from tests.table.conftest import usable_demo_passwords

pytestmark = pytest.mark.browser
PASSWORD = "Amol-1405-demo"
OUTSIDER = "outsider@example.org"
OUTSIDER_PASSWORD = "another table 77"


@pytest.fixture(scope="module")
def table_server(seeded_sqlite_file, tmp_path_factory):
    from dash_app import create_app

    path = tmp_path_factory.mktemp("table-browser") / "demo.sqlite3"
    shutil.copyfile(seeded_sqlite_file, path)
    db = models.Database(f"sqlite:///{path}")
    usable_demo_passwords(db)
    with db.unit_of_work() as s:
        env = s.scalar(select(Table.id).where(Table.slug == "environment"))
        outsider = create_user(s, name="Outsider Expert", login=OUTSIDER, password=OUTSIDER_PASSWORD)
        m = TableMembership(table_id=env, user_id=outsider.id, background=MemberBackground.ACADEMIC)
        s.add(m)
        record(s, None, "table.add_member", m, table_id=env)
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "table-browser"})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", db
    server.shutdown()
    app.extensions["hamyar_db"].dispose()
    db.dispose()


@pytest.fixture
def open_page(browser, table_server, offline):
    base, _db = table_server
    contexts = []

    def make(lang: str = "fa", width: int = 1280):
        ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=base)
        ctx.route("**/*", offline.route)
        if lang != "fa":
            ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": base}])
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not offline.blocked


def log_in(page, login: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", login)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)
    wait_ready(page)


def _table_id(db, slug: str) -> int:
    with db.reader() as s:
        return s.scalar(select(Table.id).where(Table.slug == slug))


def test_bt601_chair_runs_matching_and_decides(open_page, table_server):
    _base, db = table_server
    health = _table_id(db, "health")
    page = open_page("fa", width=390)
    log_in(page, "chair@hamyar.local")
    page.goto(f"/tables/{health}")
    wait_ready(page, "#table-match-start")
    page.click("#table-match-start")
    page.wait_for_selector("[data-run-status=running]")  # the progress bar while the run works
    assert page.locator("#table-match-status .progress").count() == 1
    page.wait_for_selector("[data-run-status=done]", timeout=60_000)
    assert page.locator("#table-match-status dl").count() == 1  # the summary: proposals, coverage before/after
    page.screenshot(path=str(ARTIFACTS / "table-run-done-fa-390.png"), full_page=False)

    items = page.locator("#table-review-list li[data-allocation]")
    items.first.wait_for()
    first, second, third = (items.nth(i).get_attribute("data-allocation") for i in range(3))
    for alloc in (first, second):
        page.click(f"li[data-allocation='{alloc}'] button.btn-success")
        page.wait_for_function(f"!document.querySelector(\"li[data-allocation='{alloc}'] .btn-outline-danger\")")
    page.click(f"li[data-allocation='{third}'] .btn-outline-danger")
    page.wait_for_selector("#table-reject-modal", state="visible")
    page.click("#table-reject-confirm")  # no reason: refused with a message, nothing changed
    page.wait_for_selector("#table-review-alert .alert-danger")
    page.fill("#table-reject-reason", "این پروژه پیش‌تر از سوی شهرداری تأمین شده است")
    page.click("#table-reject-confirm")
    page.wait_for_selector("#table-review-alert .alert-success")
    page.wait_for_function(f"!document.querySelector(\"li[data-allocation='{third}']\")")
    page.screenshot(path=str(ARTIFACTS / "table-review-fa-390.png"), full_page=True)

    with db.reader() as s:
        statuses = {a.id: a for a in s.scalars(select(Allocation).where(
            Allocation.id.in_([int(first), int(second), int(third)])))}
        assert statuses[int(first)].status is AllocationStatus.ACCEPTED
        assert statuses[int(second)].status is AllocationStatus.ACCEPTED
        assert statuses[int(third)].status is AllocationStatus.REJECTED
        assert statuses[int(third)].reject_reason.startswith("این پروژه")
        # The citizens concerned are told (their /my page reads these notifications).
        for alloc_id, kind in ((int(first), "allocation_accepted"), (int(third), "allocation_rejected")):
            citizen = s.scalar(select(models.Pledge.citizen_id).where(models.Pledge.id == statuses[alloc_id].pledge_id))
            kinds = [(n.kind, n.params.get("allocation_id")) for n in s.scalars(
                select(Notification).where(Notification.user_id == citizen))]
            assert (kind, alloc_id) in kinds
