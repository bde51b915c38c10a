"""/vote in Chromium at 360 px, in Persian: the open cycle's closing time and countdown, a project over the
budget marked, and the published cycle's results explained per project. Screenshot:
test-artifacts/pb-vote-360.png."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import models.accounts.users as accounts
import models.pb.cycles as pbc
from models import orm
from models.audit.log import record
from models.core.db import Database
from tests.browser.conftest import ARTIFACTS, serving, wait_ready
from tests.models.world import build_world

pytestmark = pytest.mark.browser
PASSWORD = "correct horse 42"


@pytest.fixture(scope="module")
def vote_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pb-browser")
    db = Database(f"sqlite:///{folder / 'pb.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    with db.unit_of_work() as s:
        w = build_world(s)
        gov = accounts.create_user(s, name="Gov", login="gov@example.org", password=PASSWORD, is_governorate=True).id
        ana = accounts.create_user(s, name="Ana", login="ana@example.org", password=PASSWORD).id
        cara = accounts.create_user(s, name="Cara", login="cara@example.org", password=PASSWORD, language="fa").id
    with db.unit_of_work() as s:
        # open: knapsack, budget 60M rials: the health post (100M) cannot fit and is marked
        closes = datetime.now(UTC) + timedelta(days=2, hours=3, minutes=30)
        open_id = pbc.create_cycle(s, gov, pbc.CycleInput(
            name_fa="بودجهٔ مشارکتی بهار", name_en="Spring", budget_rials=60_000_000, ballot_rule="knapsack",
            project_ids=(w.project, w.env_project), voting_closes_at=closes)).id
        done_id = pbc.create_cycle(s, gov, pbc.CycleInput(
            name_fa="بودجهٔ مشارکتی پاییز", name_en="Autumn", budget_rials=120_000_000,
            project_ids=(w.project, w.env_project), max_approvals=1)).id
    for cid in (open_id, done_id):
        with db.unit_of_work() as s:
            pbc.advance_phase(s, gov, cid, "voting")
    with db.unit_of_work() as s:
        for voter in (ana, cara):
            pbc.cast_ballot(s, voter, done_id, [w.project])
        pbc.advance_phase(s, gov, done_id, "tallying")
    with db.unit_of_work() as s:
        pbc.publish_results(s, gov, done_id)
    with db.unit_of_work() as s:
        cycle = s.get(orm.PBCycle, open_id)
        record(s, gov, "test.checked", cycle)
    with serving(db.url, "pb-browser-360") as url:
        yield url, db, w
    db.dispose()


def test_vote_page_at_360px_in_persian(browser, vote_server):
    # The session's one Chromium (tests/browser/conftest.py): a second sync_playwright in the same
    # process refuses to start ("Sync API inside the asyncio loop") when another browser test ran first.
    base, _db, _w = vote_server
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, base_url=base, bypass_csp=True)
    try:
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        page.goto("/login")
        wait_ready(page, "#login-form")
        page.fill("#login-login", "cara@example.org")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto("/vote")
        wait_ready(page, "#vote-countdown")
        countdown = page.inner_text("#vote-countdown")
        assert countdown.startswith("۲ روز و ۳ ساعت و ") and "تا پایان رأی‌گیری مانده است" in countdown, countdown
        assert "پایان می‌یابد" in page.inner_text("#_pages_content")          # the closing date and time
        marked = page.locator("#vote-choices .form-check:has(.pb-too-big)")
        assert marked.count() == 1 and "پایگاه سلامت" in marked.inner_text()   # 100M on a 60M budget
        assert "از کل بودجه بیشتر است" in marked.inner_text()
        page.wait_for_selector("#vote-results .pb-why")
        why = page.inner_text("#vote-results")
        assert "با سهم‌های برابر تأمین شد: ۲ حامی آن هر کدام حداکثر ۵٬۰۰۰٬۰۰۰ تومان پرداختند" in why, why
        assert "هیچ‌کس به آن رأی نداد." in why and "پشتیبانی مؤثر" in why
        assert page.evaluate("document.documentElement.scrollWidth") <= 360   # nothing wider than the phone
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "pb-vote-360.png"), full_page=True)
    finally:
        ctx.close()
