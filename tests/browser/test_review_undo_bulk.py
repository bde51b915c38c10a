"""The chair's safety nets in Chromium, at 360 px in Persian (issue 20: "one tap accepts irrevocably; bulk accept
has no select all and no confirmation").

On a copy of the seeded demo, whose seeding ran matching, so the health table's queue holds real proposals (the
browser tests' small people-only database has none): the chair accepts one, presses "undo" in the message
within the window and it is a proposal again, for the page and in the database; then "select all on this
page", "accept selected…": the dialog states how many of each kind, and accepting accepts exactly those.
Screenshots: test-artifacts/field-fixes/review-*.png.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from models.core.enums import AllocationStatus
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from models.orm.tables import Table
from tests.browser.conftest import ARTIFACTS, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
PASSWORD = "Amol-1405-demo"
SHOTS = ARTIFACTS / "field-fixes"
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture(scope="module")
def review_demo(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("review-undo"))
    with serving(db.url, "review-undo") as url:
        yield url, db
    db.dispose()


def _status(db, alloc_id: int) -> AllocationStatus:
    with db.reader() as s:
        return s.get(Allocation, alloc_id).status


def _proposed(db, table_id: int) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(Allocation).join(Need).join(Project).where(
            Project.table_id == table_id, Allocation.status == AllocationStatus.PROPOSED))


def _pending_shown(page) -> int:
    return int(page.get_attribute("#table-review-list [data-pending]", "data-pending"))


def test_the_chair_undoes_an_accept_then_accepts_a_whole_page_after_confirming(browser, review_demo):
    url, db = review_demo
    with db.reader() as s:
        table_id = s.scalar(select(Table.id).join(Table.chair).where(Table.chair.has(email="chair@hamyar.local"))
                            .order_by(Table.id))
    before = _proposed(db, table_id)
    assert before > 20  # more than a page: "select all" is about this page only
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 360, "height": 800}, base_url=url, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(45_000)  # each decision renders the whole queue again: seconds on a loaded machine
    try:
        page.goto("/login")
        wait_ready(page, "#login-form")
        page.fill("#login-login", "chair@hamyar.local")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(lambda u: "/login" not in u)
        page.goto(f"/tables/{table_id}")
        wait_ready(page, "#table-review-list li[data-allocation]")
        page.wait_for_load_state("networkidle")
        assert _pending_shown(page) == before

        # 1. accept one; the message offers the way back
        first = page.locator("#table-review-list li[data-allocation]").first
        alloc = int(first.get_attribute("data-allocation"))
        first.locator("button.btn-success").click()
        undo = page.locator("#table-review-alert button", has_text="لغو پذیرش")
        undo.wait_for()
        page.wait_for_function("(n) => { const p = document.querySelector('#table-review-list [data-pending]');"
                               " return p && +p.dataset.pending === n; }", arg=before - 1)
        assert _status(db, alloc) is AllocationStatus.ACCEPTED
        page.locator("#table-review-alert").scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "review-accepted-undo-fa-360.png")

        # 2. undo within the window: a proposal again, on the page and in the database
        undo.click()
        page.wait_for_selector("#table-review-alert .alert-success:has-text('پذیرش لغو شد')")
        page.wait_for_function("(n) => { const p = document.querySelector('#table-review-list [data-pending]');"
                               " return p && +p.dataset.pending === n; }", arg=before)
        assert _status(db, alloc) is AllocationStatus.PROPOSED
        assert page.locator(f"#table-review-list li[data-allocation='{alloc}']").count() == 1
        page.screenshot(path=SHOTS / "review-undone-fa-360.png")

        # 3. select all on this page; the confirmation states the counts, by kind
        on_page = page.locator("#table-review-list li[data-allocation]")
        ids = [int(on_page.nth(i).get_attribute("data-allocation")) for i in range(on_page.count())]
        assert len(ids) == 20
        page.check("#table-review-all")
        page.wait_for_function("() => [...document.querySelectorAll('#table-review-list li[data-allocation] "
                               "input[type=checkbox]')].every(b => b.checked)")
        page.click("#table-review-bulk-ask")
        page.wait_for_selector(".modal.show [data-bulk-count]")
        assert page.get_attribute("[data-bulk-count]", "data-bulk-count") == "20"
        dialog = page.inner_text("#table-review-bulk-text")
        assert "۲۰" in dialog
        # each kind's line says how many of the 20 it holds; together they are the 20
        per_kind = [int(m.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")))
                    for m in re.findall(r":\s*([۰-۹]+)\s*پیشنهاد", dialog)]
        assert per_kind and sum(per_kind) == 20, dialog
        page.screenshot(path=SHOTS / "review-bulk-confirm-fa-360.png")
        page.click("#table-review-bulk")
        page.wait_for_function("(n) => { const p = document.querySelector('#table-review-list [data-pending]');"
                               " return p && +p.dataset.pending === n; }", arg=before - 20)
        page.wait_for_selector(".modal.show", state="detached")
        assert str(20).translate(FA_DIGITS) in page.inner_text("#table-review-alert")
        with db.reader() as s:
            statuses = set(s.scalars(select(Allocation.status).where(Allocation.id.in_(ids))))
        assert statuses == {AllocationStatus.ACCEPTED}
        assert _proposed(db, table_id) == before - 20
        page.screenshot(path=SHOTS / "review-bulk-accepted-fa-360.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= 361
    finally:
        ctx.close()
