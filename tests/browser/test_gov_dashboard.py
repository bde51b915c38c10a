"""The governorate in Chromium on a copy of the seeded demo: filter, Sankey, xlsx download, audit event."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

import models.accounts.users as accounts
from tests.browser.conftest import demo_copy, serving, wait_ready
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser
STAFF = "staff-browser@example.org"


@pytest.fixture(scope="module")
def demo_server(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("gov-demo"))
    with db.unit_of_work() as s:
        accounts.create_user(s, name="Staff", login=STAFF, password=PASSWORD, is_governorate=True)
    db.dispose()
    with serving(db.url, "gov-browser") as url:
        yield url


def test_b701_governorate_filters_sees_sankey_downloads_xlsx_and_finds_an_audit_event(browser, demo_server):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, base_url=demo_server, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/login")
        wait_ready(page, "#login-form")
        page.fill("#login-login", STAFF)
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto("/governorate")
        wait_ready(page, "#gov-headline .border-primary")
        total_all = page.inner_text("#gov-headline .border-primary")
        page.wait_for_selector("#gov-fig-sankey .sankey .sankey-node")
        # Filter to the health table (id 1): the total changes and the Sankey shows only that table.
        page.select_option("#gov-f-table", "1")
        page.wait_for_function("(before) => { const el = document.querySelector('#gov-headline .border-primary');"
                               " return el && el.innerText !== before; }", arg=total_all)
        page.wait_for_selector("#gov-fig-sankey .sankey-node")
        labels = page.eval_on_selector_all("#gov-fig-sankey .sankey-node .node-label", "els => els.map(e => e.textContent)")
        assert "میز تخصصی سلامت" in labels and "میز تخصصی محیط زیست" not in labels
        # Download the allocations of that table as xlsx and read it.
        page.select_option("#gov-ex-sheet", "allocations")
        with page.expect_download() as info:
            page.click("#gov-ex-button")
        data = info.value.path().read_bytes()
        ws = load_workbook(io.BytesIO(data)).active
        headers = [c.value for c in ws[1]]
        assert headers[0] == "شماره تخصیص" and ws.max_row > 10
        table_col = headers.index("میز") + 1
        assert {ws.cell(r, table_col).value for r in range(2, ws.max_row + 1)} == {"میز تخصصی سلامت"}
        # Find an acceptance in the audit log.
        page.select_option("#gov-au-action", "allocation.accepted")
        page.wait_for_function("document.querySelector('#gov-au-list') && "
                               "document.querySelector('#gov-au-list').innerText.includes('پذیرفت')")
        first = page.inner_text("#gov-au-list li")
        assert "رئیس میز" in first and "از شهروند" in first
    finally:
        ctx.close()
