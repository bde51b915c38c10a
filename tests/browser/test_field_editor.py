"""Issue 20's editor items in Chromium on a copy of the seeded demo, as the health table's chair: at 360 px in
Persian the add-need form is collapsed under each project behind "Add a need" and a need is removed through its
confirmation (which says what becomes of its proposals); at 1280 px in English the forms are open. Screenshots
go to test-artifacts/field-fixes/."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.audit.log import record
from models.core.enums import AllocationStatus, ProjectStatus
from models.orm.people import User
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from models.orm.tables import Table
from tests.browser.conftest import ARTIFACTS, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
PASSWORD = "Amol-1405-demo"
SHOTS = ARTIFACTS / "field-fixes"


@pytest.fixture(scope="module")
def demo(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("editor-demo"))
    with serving(db.url, "field-editor") as url:
        yield url, db
    db.dispose()


def _log_in(browser, url, db, lang: str, width: int):
    with db.unit_of_work() as s:  # a signed-in user's own language wins over the cookie
        chair = s.scalar(select(User).where(User.email == "chair@hamyar.local"))
        chair.language = lang
        record(s, None, "user.set_language", chair)
        table_id = s.scalar(select(Table.id).where(Table.chair_id == chair.id))
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=url, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", "chair@hamyar.local")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda u: "/login" not in u)
    page.goto(f"/tables/{table_id}")
    wait_ready(page, "#table-editor-list")
    return ctx, page, table_id


def _removable_need(db, table_id: int) -> tuple[int, int, int]:
    """(need, its project, its proposals): a need of an open project of the table with proposals and no
    accepted or delivered help (the demo's matching has proposed to most)."""
    with db.reader() as s:
        decided = select(Allocation.need_id).where(Allocation.status.in_([AllocationStatus.ACCEPTED,
                                                                           AllocationStatus.DELIVERED]))
        proposals = func.count(Allocation.id)
        row = s.execute(select(Need.id, Need.project_id, proposals).join(Project, Project.id == Need.project_id)
                        .outerjoin(Allocation, (Allocation.need_id == Need.id)
                                   & (Allocation.status == AllocationStatus.PROPOSED))
                        .where(Project.table_id == table_id, Project.status == ProjectStatus.OPEN,
                               Need.id.not_in(decided))
                        .group_by(Need.id, Need.project_id).order_by(proposals.desc(), Need.id)).first()
    assert row is not None
    return row[0], row[1], int(row[2])


def test_the_editor_on_a_phone_collapses_add_need_and_removes_a_need_through_its_confirmation(browser, demo):
    url, db = demo
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx, page, table_id = _log_in(browser, url, db, "fa", 360)
    try:
        need_id, project_id, proposals = _removable_need(db, table_id)
        form = page.locator(f"#table-need-form-{project_id}")
        toggle = page.locator(f'[data-need-toggle="{project_id}"]')
        assert not form.is_visible() and toggle.is_visible()
        assert toggle.inner_text().strip() == "افزودن یک نیاز"
        # the editor is no longer ~4,000 px of forms: every project's add-need form is folded away
        folded = page.evaluate("[...document.querySelectorAll('[id^=table-need-form-]')]"
                               ".filter(e => e.offsetParent !== null).length")
        assert folded == 0
        toggle.click()
        form.wait_for(state="visible")
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.evaluate("document.documentElement.scrollWidth") <= 361  # no sideways scroll
        form.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-add-need-fa-360.png"))
        toggle.click()  # folded again (once the animation ends: the lines below stop moving)
        form.wait_for(state="hidden")

        line = page.locator(f'li[data-need="{need_id}"]')
        line.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-need-fa-360.png"))
        said = []
        page.once("dialog", lambda d: (said.append(d.message), d.accept()))
        line.locator(".btn-outline-danger").click()
        page.wait_for_selector(f'li[data-need="{need_id}"]', state="detached")
        assert said and "حذف شود؟" in said[0] and "گزارش رویدادها" in said[0]
        if proposals:
            assert "پیشنهاد تطبیق آن پس گرفته می‌شود" in said[0]
        alert = page.inner_text("#table-editor-alert")
        assert "نیاز حذف شد" in alert
        with db.reader() as s:
            assert s.get(Need, need_id).removed_at is not None
            assert s.scalar(select(func.count()).select_from(Allocation).where(
                Allocation.need_id == need_id, Allocation.status == AllocationStatus.PROPOSED)) == 0
        page.locator("#table-editor-alert").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-need-removed-fa-360.png"))
    finally:
        ctx.close()

    ctx, page, table_id = _log_in(browser, url, db, "en", 1280)
    try:  # at 1280 px in English the add-need forms are open and the toggles hidden
        form = page.locator(f"#table-need-form-{project_id}")
        assert form.is_visible() and not page.locator(f'[data-need-toggle="{project_id}"]').is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1281
        form.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-en-1280.png"))
    finally:
        ctx.close()
