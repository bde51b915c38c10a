"""Issue 21 items 1-3, 6 in Chromium at 360 px in Persian, on a copy of the seeded demo: a citizen brings the
health table a problem from the phone form with a real small JPEG chosen through the file input; the proposal is
public with its photo; the table's chair adopts it as a project. Screenshots: test-artifacts/voice/proposal-*.png."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from models.orm.projects import Project
from models.orm.proposals import CitizenProposal, ProposalAttachment
from models.orm.tables import Table
from tests.browser.conftest import ARTIFACTS, demo_copy, serving, wait_ready
from tests.browser.test_referrals_journey import _log_in, _no_sideways_scroll, _page

pytestmark = pytest.mark.browser
TITLE = "آب‌گرفتگی کوچهٔ پشت مدرسه"


@pytest.fixture(scope="module")
def demo(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("proposal-demo"))
    with serving(db.url, "proposal-journey") as url:
        yield url, db
    db.dispose()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_citizen_proposes_with_a_photo_the_chair_adopts(browser, demo):
    url, db = demo
    shots = ARTIFACTS / "voice"
    shots.mkdir(parents=True, exist_ok=True)
    with db.reader() as s:
        health = s.scalar(select(Table.id).where(Table.slug == "health"))
    ctx, page = _page(browser, url)
    _log_in(page, "citizen@hamyar.local")
    page.goto("/proposals/new")
    wait_ready(page, "#prop-new-send")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.select_option("#prop-new-table", str(health))
    district = page.eval_on_selector("#prop-new-district", "s => [...s.options].find(o => o.value).value")
    page.select_option("#prop-new-district", district)
    page.fill("#prop-new-title", TITLE)
    page.fill("#prop-new-body", "پس از هر باران آب چند روز در کوچه می‌ماند و بچه‌ها از میان آن به مدرسه می‌روند.")
    page.fill("#prop-new-affected", "دانش‌آموزان مدرسه و چهل خانوار کوچه")
    page.set_input_files("#prop-new-files", files=[{"name": "kooche.jpg", "mimeType": "image/jpeg",
                                                    "buffer": _jpeg()}])
    page.wait_for_function("document.getElementById('prop-new-tokens').value.trim().length > 0")
    _no_sideways_scroll(page)
    page.click("#prop-new-send")
    page.wait_for_selector("#prop-new-result a[href^='/proposals/']")
    with db.reader() as s:
        p = s.scalar(select(CitizenProposal).where(CitizenProposal.title == TITLE))
        assert p is not None and p.table_id == health
        assert s.scalar(select(ProposalAttachment.id).where(ProposalAttachment.proposal_id == p.id)) is not None
    page.screenshot(path=str(shots / "proposal-1-sent.png"), full_page=True)
    page.goto(f"/proposals/{p.id}")
    wait_ready(page, "img.upload-thumb")
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "proposal-2-public.png"), full_page=True)
    ctx.close()

    ctx, page = _page(browser, url)
    _log_in(page, "chair@hamyar.local")
    page.goto("/proposals?sort=newest")
    wait_ready(page, "#proposal-list")
    _no_sideways_scroll(page)
    page.click(f"[data-proposal='{p.id}'] a")
    wait_ready(page, "#prop-decision-send")
    page.select_option("#prop-decision", "adopt")
    page.fill("#prop-decision-text", "شهرداری این هفته آبراه کوچه را باز می‌کند.")
    page.click("#prop-decision-send")
    page.wait_for_selector("[data-status='adopted']")
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "proposal-3-adopted.png"), full_page=True)
    ctx.close()
    with db.reader() as s:
        p = s.get(CitizenProposal, p.id)
        assert p.status == "adopted" and s.get(Project, p.project_id).table_id == health
