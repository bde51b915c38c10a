"""A participatory-budgeting cycle in Chromium on a copy of the seeded demo, from creation to a funded project.

The governorate creates a cycle (approval of at most one project) and opens voting; a citizen is refused
when ticking two projects, then votes for one; the governorate closes voting, counts, publishes; the
funded project's page shows the governorate budget's accepted money.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import orm
from models.core.enums import AllocationStatus, PBPhase
from models.orm.pb import PBCycle
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Project
from models.pb.cycles import BUDGET_USER_EMAIL, eligible_projects
from tests.browser.conftest import ARTIFACTS, AXE, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "Amol-1405-demo"


@pytest.fixture(scope="module")
def pb_server(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("pb-demo"))
    with serving(db.url, "pb-browser") as url:
        yield url, db
    db.dispose()


def _log_in(browser, base: str, login: str):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, base_url=base)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda d: d.accept())          # the confirmations of phase changes and publishing
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", login)
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)
    return ctx, page


def _text_has(page, selector: str, needle: str) -> None:
    page.wait_for_function("([sel, needle]) => { const el = document.querySelector(sel);"
                           " return el && el.innerText.includes(needle); }", arg=[selector, needle])


def _serious_axe_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    # dcc.Upload renders a hidden file input that Dash gives no way to label (its visible drop zone carries
    # the text); it is the one element left out.
    result = page.evaluate("async () => await axe.run({exclude: [['#pb-upload input[type=file]']]},"
                           " {resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_b801_cycle_from_creation_to_a_funded_project(browser, pb_server):
    base, db = pb_server
    gov = citizen = None
    with db.reader() as s:
        gov_id = s.scalar(select(User.id).where(User.email == "gov@hamyar.local"))
        first, second = eligible_projects(s, gov_id)[:2]
    try:
        # The governorate creates a cycle with two projects, approval of at most one, and opens voting.
        gov, page = _log_in(browser, base, "gov@hamyar.local")
        page.goto("/admin")                                      # /admin's PB tab links to the cycles page
        wait_ready(page)
        page.get_by_role("tab", name="بودجه‌ریزی مشارکتی").click()
        page.click("a[href='/admin/pb']")
        wait_ready(page, "#pb-list")
        _text_has(page, "#pb-list", "هنوز دوره‌ای نیست")
        page.fill("#pb-name-fa", "بودجهٔ مشارکتی ۱۴۰۵")
        page.fill("#pb-name-en", "PB 1405")
        # In rials, Persian digits: both projects do not fit, so the unvoted one cannot be added by greedy.
        budget = first.cost + second.cost - 1
        page.select_option("#pb-unit", "rial")
        page.fill("#pb-budget", f"{budget:,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")))
        page.fill("#pb-k", "۱")
        for item in (first, second):
            page.check(f"#pb-projects input[value='{item.project_id}']")
        page.click("#pb-create")
        _text_has(page, "#pb-create-message", "در مرحلهٔ پیشنهاد ساخته شد")
        _text_has(page, "#pb-detail", "پیشنهاد")
        page.click("#pb-advance-button")                         # confirm dialog accepted
        _text_has(page, "#pb-message", "رأی‌گیری")
        with db.reader() as s:
            cycle = s.scalars(select(PBCycle)).one()
            assert (cycle.phase, cycle.budget_rials, cycle.max_approvals) == (PBPhase.VOTING, budget, 1)

        # A citizen ticks two projects: the counter warns and saving is refused; with one it is saved.
        citizen, vote = _log_in(browser, base, "citizen@hamyar.local")
        vote.goto("/vote")
        wait_ready(vote, "#vote-choices")
        _text_has(vote, "#vote-mine", "هنوز در این دوره رأی نداده‌اید")
        vote.check(f"#vote-choices input[value='{first.project_id}']")
        _text_has(vote, "#vote-counter", "۱ از حداکثر ۱ پروژه")
        vote.check(f"#vote-choices input[value='{second.project_id}']")
        _text_has(vote, "#vote-counter", "۲ پروژه انتخاب کرده‌اید")
        vote.click("#vote-submit")
        _text_has(vote, "#vote-message", "حداکثر ۱ پروژه می‌توانید انتخاب کنید")
        with db.reader() as s:
            assert s.scalar(select(orm.PBBallot.id)) is None          # nothing was saved
        vote.uncheck(f"#vote-choices input[value='{second.project_id}']")
        vote.click("#vote-submit")
        _text_has(vote, "#vote-message", "رأی شما ثبت شد")
        _text_has(vote, "#vote-mine", first.title_fa)
        vote.screenshot(path=str(ARTIFACTS / "pb-vote.png"), full_page=True)
        assert _serious_axe_violations(vote) == []

        # The governorate closes voting, sees the count, publishes.
        page.reload()
        wait_ready(page, "#pb-list")
        page.select_option("#pb-select", str(cycle.id))
        _text_has(page, "#pb-advance-button", "پایان رأی‌گیری")
        page.click("#pb-advance-button")
        _text_has(page, "#pb-message", "شمارش")
        _text_has(page, "#pb-detail", "هنوز شمرده نشده")            # closing counts nothing in the request
        page.click("#pb-count-start")                            # a background job counts, the page polls
        _text_has(page, "#pb-detail", "پروژهٔ برنده")
        _text_has(page, "#pb-detail", "چرا هر پروژه تأمین شد یا نشد")
        _text_has(page, "#pb-detail", first.title_fa)
        page.wait_for_selector("#pb-compare-graph .main-svg")
        page.click("#pb-publish-button")
        _text_has(page, "#pb-message", "نتایج منتشر شد")
        _text_has(page, "#pb-list", "نتایج منتشر شده")
        _text_has(page, "#pb-detail", "پروژهٔ برنده")
        page.screenshot(path=str(ARTIFACTS / "pb-admin.png"), full_page=True)
        assert _serious_axe_violations(page) == []
        with db.reader() as s:
            budget_pledge = s.scalars(select(Pledge).join(User, User.id == Pledge.citizen_id)
                                      .where(User.email == BUDGET_USER_EMAIL)).one()
            funded = s.scalars(select(Allocation).where(Allocation.pledge_id == budget_pledge.id)).all()
            assert {a.status for a in funded} == {AllocationStatus.ACCEPTED}
            assert sum(a.quantity for a in funded) == first.cost
            assert s.get(Project, first.project_id).pb_support == 1.0
            assert s.get(Project, second.project_id).pb_support == 0.0

        # The funded project's page shows the money from the governorate budget; /vote shows the aggregates.
        vote.goto(f"/projects/{first.project_id}")
        wait_ready(vote)
        _text_has(vote, "#_pages_content", "فرمانداری")   # "بودجهٔ فرمانداری" (issue 20 wording)
        vote.goto("/vote")
        wait_ready(vote, "#vote-results")
        _text_has(vote, "#vote-empty", "هیچ رأی‌گیری بودجه‌ای باز نیست")
        results = vote.inner_text("#vote-results")
        assert "تأمین‌شده" in results and re.search(r"۱۰۰\s*٪|٪\s*۱۰۰|۱۰۰٪", results), results
    finally:
        for ctx in (gov, citizen):
            if ctx is not None:
                ctx.close()
