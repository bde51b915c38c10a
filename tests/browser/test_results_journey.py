"""Issue 22's journey in Chromium: the chair records a milestone and a progress update with a real JPEG through
the file input, the project page's curve shows the new point (screenshots at 360 px Persian and 1280 px
English to test-artifacts/results/), the governorate makes the completed project a model pilot and
replicates it into another district."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from models.audit.log import record
from models.core.db import Database
from models.core.enums import DistrictLevel, ProjectStatus
from models.orm import Base
from models.orm.geo import District
from models.orm.projects import Project
from models.orm.results import PilotReplication
from models.results import indicators
from tests.browser.conftest import log_in, serving, wait_ready
from tests.results.conftest import build_world, jpeg

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "results"


@pytest.fixture
def results_site(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'results.sqlite3'}")
    Base.metadata.create_all(db.engine)
    world = build_world(db)
    db.run(lambda s: indicators.add_indicator(s, world.chair, world.project, indicators.IndicatorInput(
        "households with safe water", 400, "households", 120, "health centre survey", date(2026, 10, 1))))
    with db.unit_of_work() as s:
        d = District(slug="larijan", name_fa="لاریجان", name_en="Larijan", level=DistrictLevel.DISTRICT)
        s.add(d)
        record(s, world.governorate, "district.created", d)
    with serving(db.url, "results-journey") as url:
        yield url, db, world
    db.dispose()


def _page(browser, url, lang="fa", width=1280):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=url, bypass_csp=True)
    if lang != "fa":
        ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": url}])
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return ctx, page


def test_chair_records_progress_and_the_governorate_replicates_the_pilot(browser, results_site, tmp_path):
    url, db, world = results_site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "shelves.jpg"
    photo.write_bytes(jpeg((200, 120, 40)))

    ctx, page = _page(browser, url)
    log_in(page, "chair")
    page.goto(f"/projects/{world.project}")
    wait_ready(page, "#project-results")
    page.click("text=ویرایش هدف‌ها، گام‌ها و پیشرفت")
    wait_ready(page, "#ms-title")
    page.fill("#ms-title", "Buy the wood")
    page.fill("#ms-due", "1405/08/10")              # 1 November 2026: already late
    page.click("#ms-save")
    page.wait_for_selector("#results-alert .alert-success")
    page.wait_for_selector("#up-files")             # made by hamyar-upload.js
    page.fill("#up-body", "The first pipes are in.")
    page.set_input_files("#up-files", str(photo))
    page.wait_for_selector("[data-upload-token]")
    page.select_option("#up-indicator", label="households with safe water")
    page.fill("#up-value", "180")
    before = page.inner_text("#results-alert")
    page.click("#up-save")
    # the milestone's success alert is still shown: wait for the update's own sentence
    page.wait_for_function("t => { const a = document.querySelector('#results-alert .alert-success');"
                           " return a && a.innerText !== t; }", arg=before)
    ctx.close()
    from models.results.progress import updates_of
    with db.reader() as s:
        assert updates_of(s, world.project)[0].files, "the photo is attached to the update"

    ctx, page = _page(browser, url, "fa", 360)
    page.goto(f"/projects/{world.project}")
    wait_ready(page, "#project-results")
    card = page.locator("[data-indicator]").first
    assert card.get_attribute("data-points") == "2"    # the baseline and the new point
    assert page.locator("[data-late='1']").count() == 1
    page.wait_for_function("Array.from(document.querySelectorAll('#project-results img.upload-thumb'))"
                           ".some(img => img.complete && img.naturalWidth > 0)")  # the photo is served
    page.wait_for_selector("#project-results .js-plotly-plot")
    assert page.evaluate("document.documentElement.scrollWidth") <= 362  # nothing wider than the phone
    page.locator("#project-results").screenshot(path=str(ARTIFACTS / "timeline-fa-360.png"))
    ctx.close()
    ctx, page = _page(browser, url, "en", 1280)
    page.goto(f"/projects/{world.project}")
    wait_ready(page, "#project-results")
    page.wait_for_selector("#project-results .js-plotly-plot")
    page.locator("#project-results").screenshot(path=str(ARTIFACTS / "timeline-en-1280.png"))
    ctx.close()

    with db.unit_of_work() as s:  # the table completes the project (its own page, not this journey)
        project = s.get(Project, world.project)
        project.status = ProjectStatus.COMPLETED
        record(s, world.chair, "project.completed", project)
    ctx, page = _page(browser, url)
    log_in(page, "governorate")
    page.goto(f"/pilot-story/{world.project}")
    wait_ready(page, "#pilot-problem")
    page.fill("#pilot-problem", "Books in boxes, no shelves")
    page.fill("#pilot-done", "Neighbours built shelves")
    page.fill("#pilot-by", "Forty volunteers")
    page.fill("#pilot-cost", "12000000")
    page.click("#pilot-save")
    page.click("#pilot-alert a")
    wait_ready(page, "#repl-save")
    page.get_by_label("میز tourism").check()
    page.select_option("#repl-district", label="لاریجان")
    with page.expect_response(lambda r: "_dash-update-component" in r.url and "repl-alert" in (r.request.post_data or "")) as resp:
        page.click("#repl-save")
    assert resp.value.status == 200, (resp.value.status, resp.value.text()[:300], resp.value.request.post_data[:600])
    page.wait_for_selector("#repl-alert .alert")
    assert page.locator("#repl-alert .alert-success").count() == 1, page.inner_text("#repl-alert")
    ctx.close()
    with db.reader() as s:
        copy = s.get(Project, s.scalar(select(PilotReplication.project_id)))
        assert copy.status is ProjectStatus.DRAFT and copy.table_id == world.other_table
        assert copy.district.name_en == "Larijan"


def test_the_chair_delivers_part_with_proof_and_hours_and_the_citizen_sees_it_on_my(browser, results_site, tmp_path):
    """The delivery dialog at 360 px in Persian: 4 of the citizen's 10 volunteer hours delivered, a receipt photo
    through the file input, the 4 hours confirmed; the rest stays accepted; the citizen's /my shows the proof."""
    from models.core.enums import AllocationStatus
    from models.orm.pledges import Allocation
    from models.orm.results import HoursConfirmation, ResultFile

    url, db, world = results_site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "hours-sheet.jpg"
    photo.write_bytes(jpeg((40, 160, 90)))

    ctx, page = _page(browser, url, "fa", 360)
    log_in(page, "chair")
    page.goto(f"/tables/{world.table}")
    item = f'#table-delivery-body [data-allocation="{world.allocation}"]'
    wait_ready(page, item)
    page.locator(item).get_by_role("button", name="ثبت تحویل").click()
    page.wait_for_selector(".modal.show #table-deliver-date")
    page.fill("#deliver-quantity", "۴")                 # Persian digits, as a phone keyboard types them
    page.fill("#deliver-hours", "۴")
    page.wait_for_selector("#deliver-proof")            # made by hamyar-upload.js
    page.set_input_files("#deliver-proof", str(photo))
    page.wait_for_selector(".modal.show [data-upload-token]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 362
    page.locator(".modal.show .modal-content").screenshot(path=str(ARTIFACTS / "delivery-dialog-fa-360.png"))
    page.click("#table-deliver-confirm")
    page.wait_for_selector(".modal.show #table-deliver-date", state="detached")
    ctx.close()
    with db.reader() as s:
        rest = s.get(Allocation, world.allocation)
        part = s.scalar(select(Allocation).where(Allocation.pledge_id == world.pledge,
                                                 Allocation.status == AllocationStatus.DELIVERED))
        assert rest.status is AllocationStatus.ACCEPTED and rest.quantity == 6
        assert part is not None and part.quantity == 4
        assert s.scalar(select(HoursConfirmation.hours).where(HoursConfirmation.allocation_id == part.id)) == 4
        assert s.scalar(select(ResultFile.id).where(ResultFile.allocation_id == part.id)) is not None

    ctx, page = _page(browser, url, "fa", 360)
    log_in(page, "citizen")
    page.goto("/my")
    wait_ready(page, "#my-help-results")
    result = page.locator(f'[data-help-result="{part.id}"]')
    text = result.inner_text()
    assert "قفسه‌های کتابخانه" in text and "۴ ساعت تأیید شده است" in text
    page.wait_for_function("Array.from(document.querySelectorAll('#my-help-results img.upload-thumb'))"
                           ".some(img => img.complete && img.naturalWidth > 0)")  # the proof is served to them
    assert page.evaluate("document.documentElement.scrollWidth") <= 362
    page.locator("#my-help-results").screenshot(path=str(ARTIFACTS / "delivery-my-fa-360.png"))
    ctx.close()
