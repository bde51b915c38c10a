"""The chair election's close in Persian on a 360 px phone (issue 20 item 6): the "open an election"
controls are gone while one is open, "close now" asks first with the turnout in Persian digits, below the
quorum it offers no close (the server would refuse) and the governorate extends the election instead."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.orm.tables import ChairElection, Table
from tests.browser.conftest import ARTIFACTS, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def quorum_server(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("quorum-browser"))
    with serving(db.url, "quorum-browser") as url:
        yield url, db
    db.dispose()


def test_close_below_quorum_in_persian_at_360(browser, quorum_server, offline):
    base, db = quorum_server
    with db.reader() as s:
        tid = s.scalar(select(Table.id).where(Table.slug.like("tourism%")).limit(1))
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 780}, base_url=base)
    ctx.route("**/*", offline.route)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/login")
        wait_ready(page, "#login-form")
        page.fill("#login-login", "gov@hamyar.local")
        page.fill("#login-password", "Amol-1405-demo")
        page.click("#login-submit")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"/tables/{tid}")
        wait_ready(page, "#table-election-open")
        page.click("#table-election-open")
        page.wait_for_selector("[data-election=open]")
        assert page.locator("[data-election-controls=open]").is_hidden()
        assert page.locator("#table-election-open").is_hidden()
        rule = page.inner_text("[data-quorum-rule]")
        assert "حد نصاب" in rule and "۵۰٪" in rule and not any(d in rule for d in "0123456789")

        page.click("#table-election-close")
        page.wait_for_selector("#table-election-modal [data-quorum=not-met]")
        body = page.inner_text("#table-election-modal-body")
        assert "۰ نفر از" in body and "صبر کنید یا انتخابات را تمدید کنید" in body
        assert not any(d in body for d in "0123456789")
        assert page.locator("#table-election-confirm").is_hidden()
        page.wait_for_selector(".modal.show .modal-content")
        page.wait_for_timeout(400)  # the fade-in
        page.screenshot(path=str(ARTIFACTS / "election-close-below-quorum-fa-360.png"))
        page.click("#table-election-extend")
        page.wait_for_selector("#table-election-alert .alert-success:has-text('تمدید شد')")
        page.wait_for_selector("#table-election-modal", state="hidden")
        with db.reader() as s:
            election = s.scalar(select(ChairElection).where(ChairElection.table_id == tid,
                                                            ChairElection.status == "open"))
            assert election is not None and election.winner_id is None
    finally:
        ctx.close()
    assert not offline.blocked
