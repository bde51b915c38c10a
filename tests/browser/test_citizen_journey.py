"""The citizen's whole journey in Chromium, on a copy of the seeded Amol demo.

Register, find a project, pledge money typed in Persian digits, see it on /my, see it proposed after a
matching run, see it accepted after the chair accepts, withdraw the remainder: in Persian on a 360 px
phone and in English on a 1280 px desktop.
"""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from models.core.enums import AllocationStatus, RunScope
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table
from models.pledging.decisions import accept
from models.runs.lifecycle import run_matching
from tests.browser.conftest import ARTIFACTS, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
PERSIAN_DIGIT = re.compile(r"[۰-۹]")


@pytest.fixture
def demo_site(seeded_sqlite_file, tmp_path):
    """A Hamyar server on a private copy of the seeded demo; yields (base url, database)."""
    db = demo_copy(seeded_sqlite_file, tmp_path)
    with serving(db.url, "journey") as url:
        yield url, db
    db.dispose()


def _page(browser, base, offline, lang, width):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900}, base_url=base)
    ctx.route("**/*", offline.route)
    if lang != "fa":
        ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": base}])
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    return ctx, page


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("lang, width", [("fa", 360), ("en", 1280)])
def test_c001_pledge_and_follow_it(browser, demo_site, offline, lang, width):
    base, db = demo_site
    ctx, page = _page(browser, base, offline, lang, width)
    try:
        # Register (the form posts to the account routes and comes back signed in).
        page.goto("/register")
        wait_ready(page, "#register-form")
        page.fill("#register-name", "سارا آملی" if lang == "fa" else "Sara Amoli")
        page.fill("#register-login", f"sara-{uuid.uuid4().hex[:8]}@example.org")
        page.fill("#register-password", "a long journey 1405")
        page.fill("#register-password2", "a long journey 1405")
        page.click("#register-submit")
        page.wait_for_selector("#nav-notifications", state="attached")
        wait_ready(page)

        # Find a project that still needs money, and open it.
        page.goto("/projects")
        wait_ready(page, "#projects-form")
        page.select_option("#projects-kind", "financial")
        page.click("#projects-submit")
        page.wait_for_url(re.compile(r"kind=financial"))
        wait_ready(page, "#projects-list")
        _no_horizontal_scroll(page)
        page.locator("#projects-list article a").first.click()
        wait_ready(page, "#project-needs")
        project_id = int(page.url.rstrip("/").split("/")[-1])
        _no_horizontal_scroll(page)
        page.screenshot(path=ARTIFACTS / f"citizen-project-{lang}-{width}.png", full_page=True)

        # Pledge money, typed in Persian digits; the page shows it with separators before saving.
        page.click("#project-pledge")
        wait_ready(page, "#pledge-form")
        page.fill("#pledge-quantity", "۵۰۰۰۰۰۰۰۰۰")  # more than one need takes
        page.wait_for_function("document.querySelector('#pledge-preview').innerText.length > 0")
        preview = page.inner_text("#pledge-preview")
        assert ("۵٬۰۰۰٬۰۰۰٬۰۰۰ تومان" in preview) if lang == "fa" else ("5,000,000,000 toman" in preview)
        _no_horizontal_scroll(page)
        page.click("#pledge-review")
        page.wait_for_selector("#pledge-summary dl")
        page.screenshot(path=ARTIFACTS / f"citizen-review-{lang}-{width}.png", full_page=True)
        # 5 billion toman is above the second-look threshold (CONFIRM_MONEY_ABOVE): "Yes, I really mean …"
        page.check("#pledge-big-ok")
        page.click("#pledge-confirm")
        page.wait_for_selector("#pledge-done [data-pledge]")
        pledge_id = int(page.get_attribute("#pledge-done [data-pledge]", "data-pledge"))
        with db.reader() as s:
            pledge = s.get(Pledge, pledge_id)
            project = s.get(Project, project_id)
            assert pledge.quantity == 50_000_000_000 and [t.id for t in pledge.tables] == [project.table_id]
            table_id, chair_id = project.table_id, s.get(Table, project.table_id).chair_id

        # My contributions: the pledge, waiting for a match.
        page.click("#pledge-done a[href='/my']")
        card = page.locator(f"#my-list [data-pledge='{pledge_id}']")
        card.wait_for()
        assert card.get_attribute("data-status") == "open"

        # The table's matching run proposes it; the page says where and why.
        run_matching(db, chair_id, RunScope.TABLE, table_id)
        with db.reader() as s:
            proposals = list(s.scalars(select(Allocation).where(Allocation.pledge_id == pledge_id,
                                                                Allocation.status == AllocationStatus.PROPOSED)
                                       .order_by(Allocation.id)))
            assert proposals, "the matching run proposed nothing of the new pledge"
            first = proposals[0].id
            assert s.scalar(select(Need.project_id).where(Need.id == proposals[0].need_id)) is not None
        page.reload()
        wait_ready(page, f"[data-allocation='{first}']")
        part = page.locator(f"[data-allocation='{first}']")
        assert part.get_attribute("data-status") == "proposed"
        assert ("میزی که دوست دارید" if lang == "fa" else "a table you prefer") in part.inner_text()

        # The chair accepts it: the part says so; the navbar counts two unread notifications
        # (the run's proposal and the chair's acceptance).
        with db.unit_of_work() as s:
            accept(s, chair_id, first)
        page.reload()
        wait_ready(page, f"[data-allocation='{first}'][data-status='accepted']")
        assert page.text_content("#nav-unread").strip() == ("۲" if lang == "fa" else "2")
        assert PERSIAN_DIGIT.search(page.inner_text("#my-list")) if lang == "fa" \
            else not PERSIAN_DIGIT.search(page.inner_text("#my-list"))
        page.screenshot(path=ARTIFACTS / f"citizen-my-{lang}-{width}.png", full_page=True)

        # Withdraw the remainder, after confirming; the accepted part stays.
        card.locator("button[id*='my-withdraw']").click()
        page.wait_for_selector("#my-withdraw-modal-body p")
        page.click("#my-withdraw-confirm")
        page.wait_for_selector("#my-flash .alert-success")
        with db.reader() as s:
            pledge = s.get(Pledge, pledge_id)
            accepted = sum(a.quantity for a in pledge.allocations if a.status is AllocationStatus.ACCEPTED)
            assert accepted > 0 and pledge.withdrawn_quantity == pledge.quantity - accepted
        assert page.locator(f"#my-list [data-pledge='{pledge_id}'] button[id*='my-withdraw']").count() == 0
        _no_horizontal_scroll(page)

        # Reading the notifications clears the count.
        page.click("#my-mark-read")
        page.wait_for_function("document.querySelector('#nav-unread').textContent.trim() === ''")
        assert not page.console_errors, page.console_errors
    finally:
        ctx.close()
    assert not offline.blocked
