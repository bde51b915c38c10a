"""Issue 20 in Chromium on a copy of the seeded demo: the chair's queue (accepted list paged, searched and delivered
in bulk; no raw codes), the dashboard's charts (labels inside their charts, legends off the bars) and the admin's
users table (cards on a phone), at 360 px in Persian and 1280 px in English (and Persian). Screenshots go to
test-artifacts/field-*.png."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from models.audit.log import record
from models.core.enums import AllocationStatus
from models.orm.people import User
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from tests.browser.conftest import ARTIFACTS, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
PASSWORD = "Amol-1405-demo"
LONG_NAME = "ب" * 60   # the longest name registration accepts, without a space


@pytest.fixture(scope="module")
def demo(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("field-demo"))
    with db.unit_of_work() as s:
        someone = s.scalars(select(User).where(User.email.is_(None)).order_by(User.id)).first()
        someone.name = LONG_NAME
        record(s, None, "user.renamed_for_tests", someone)
    with serving(db.url, "field-fixes") as url:
        yield url, db
    db.dispose()


def _page(browser, url: str, lang: str, width: int):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=url, bypass_csp=True)
    if lang != "fa":
        ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": url}])
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    return ctx, page


def _log_in(page, who: str, db=None, lang: str = "fa") -> None:
    if db is not None:  # a signed-in user's own language wins over the cookie
        with db.unit_of_work() as s:
            user = s.scalar(select(User).where(User.email == f"{who}@hamyar.local"))
            if user.language != lang:
                user.language = lang
                record(s, None, "user.set_language", user)
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", f"{who}@hamyar.local")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda u: "/login" not in u)


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def _accepted(db) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(Allocation).join(Need).join(Project).where(
            Project.table_id == 1, Allocation.status == AllocationStatus.ACCEPTED))


@pytest.mark.parametrize("lang,width", [("fa", 360), ("en", 1280)])
def test_the_chair_reaches_every_accepted_contribution_and_delivers_in_bulk(browser, demo, lang, width):
    url, db = demo
    ARTIFACTS.mkdir(exist_ok=True)
    ctx, page = _page(browser, url, lang, width)
    try:
        _log_in(page, "chair", db, lang)
        page.goto("/tables/1")
        wait_ready(page, "#table-delivery-list")
        before = _accepted(db)
        assert before > 20
        assert page.get_attribute("#table-delivery-list", "data-awaiting") == str(before)
        text = page.inner_text("#table-review-panel")
        for raw in ("priority:", "preferred_table", "pb_cycle", "/10"):
            assert raw not in text
        assert ("از ۱۰" in text) if lang == "fa" else ("of 10" in text)
        # the last page of the accepted list: what "limit 20, no pager" hid
        pages = page.locator("[id*='table-delivery-goto']")
        assert pages.count() == -(-before // 20)
        last = str(pages.count())
        shown = last.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) if lang == "fa" else last
        pages.last.click()
        page.wait_for_function("(n) => { const a = document.querySelector('#table-delivery-body .page-item.active');"
                               " return a && a.innerText.trim() === n; }", arg=shown)
        page.screenshot(path=ARTIFACTS / f"field-queue-{lang}-{width}.png", full_page=False)
        _no_sideways_scroll(page, width)
        # tick two, mark them delivered with today's date (the dialog's default)
        boxes = page.locator("#table-delivery-body input[type=checkbox]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.click("#table-delivery-bulk")
        page.wait_for_selector("#table-deliver-modal.show, .modal.show #table-deliver-date")
        assert ("۲" if lang == "fa" else "2") in page.inner_text("#table-deliver-target")
        page.click("#table-deliver-confirm")
        page.wait_for_function(f"document.querySelector('#table-delivery-list') && document.querySelector("
                               f"'#table-delivery-list').getAttribute('data-awaiting') === '{before - 2}'")
        assert _accepted(db) == before - 2
        # search by a number narrows the list
        first = page.locator("#table-delivery-body [data-allocation]").first.get_attribute("data-allocation")
        page.fill("#table-delivery-search", first)
        page.wait_for_function("document.querySelector('#table-delivery-list').getAttribute('data-awaiting') === '1'")
    finally:
        ctx.close()


def _labels_inside(page, figure: str) -> None:
    """Every tick label and the title of the chart lie inside its SVG; the legend (the page's, under the chart)
    has every entry inside the chart's width, none over another, all below the plot."""
    page.wait_for_selector(f"{figure} .ytick text")
    out = page.evaluate("""(sel) => {
      const root = document.querySelector(sel);
      const svg = root.querySelector('.main-svg').getBoundingClientRect();
      const bad = [...root.querySelectorAll('.ytick text, .xtick text, .gtitle')].map(t => t.getBoundingClientRect())
        .filter(r => r.width > 0 && (r.left < svg.left - 1 || r.right > svg.right + 1));
      const entries = [...root.closest('figure').querySelectorAll('.chart-legend li')].map(e => e.getBoundingClientRect());
      const over = entries.filter((a, i) => entries.some((b, j) => j > i && a.left < b.right - 1 && b.left < a.right - 1
                                                                      && a.top < b.bottom - 1 && b.top < a.bottom - 1));
      const outside = entries.filter(r => r.left < svg.left - 1 || r.right > svg.right + 1 || r.top < svg.bottom - 1);
      return {bad: bad.length, entries: entries.length, over: over.length, outside: outside.length,
              plotlyLegend: root.querySelectorAll('.legend').length};
    }""", figure)
    assert out["bad"] == 0 and out["entries"] >= 2 and out["over"] == 0 and out["outside"] == 0, out
    assert out["plotlyLegend"] == 0, out


@pytest.mark.parametrize("lang,width", [("fa", 360), ("fa", 1280), ("en", 1280)])
def test_the_dashboard_charts_fit(browser, demo, lang, width):
    url, db = demo
    ctx, page = _page(browser, url, lang, width)
    try:
        _log_in(page, "gov", db, lang)
        page.goto("/governorate")
        wait_ready(page, "#gov-headline .border-primary")
        for fig in ("#gov-fig-tables", "#gov-fig-districts", "#gov-fig-months", "#gov-fig-coverage"):
            _labels_inside(page, fig)
        page.wait_for_selector("#gov-fig-sankey .sankey-node")
        # «بودجهٔ عمومی» apart from the citizens' help
        assert page.locator("#gov-public-budget").count() == 1
        page.locator("#gov-fig-tables").scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / f"field-charts-{lang}-{width}.png", full_page=True)
        _no_sideways_scroll(page, width)
        hover = page.evaluate("document.querySelector('#gov-fig-tables .js-plotly-plot').data[0].customdata[0][1]")
        assert all(ch in "۰۱۲۳۴۵۶۷۸۹٫٬" for ch in hover) if lang == "fa" else hover.replace(".", "").isdigit()
    finally:
        ctx.close()


@pytest.mark.parametrize("lang,width", [("fa", 360), ("en", 1280)])
def test_the_admin_users_table_fits(browser, demo, lang, width):
    url, db = demo
    ctx, page = _page(browser, url, lang, width)
    try:
        _log_in(page, "gov", db, lang)
        page.goto("/admin")
        wait_ready(page, ".nav-tabs")
        page.locator(".nav-tabs .nav-link").nth(3).click()
        page.fill("#adm-u-search", LONG_NAME[:10])
        page.press("#adm-u-search", "Enter")
        # the search re-renders the list: wait for the row of the long name, then read its cells' layout
        page.wait_for_function("(name) => [...document.querySelectorAll('#adm-u-list tr[data-user] td')]"
                               ".some(td => td.textContent.includes(name))", arg=LONG_NAME)
        expected = "block" if width < 768 else "table-cell"
        page.wait_for_function("(want) => { const td = document.querySelector('#adm-u-list tr[data-user] td');"
                               " return td && getComputedStyle(td).display === want; }", arg=expected)
        row = page.locator("#adm-u-list tr[data-user]").first
        # the actions stay on screen beside a 60-letter name without spaces
        buttons = row.locator("button")
        for i in range(buttons.count()):
            box = buttons.nth(i).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
        _no_sideways_scroll(page, width)
        page.screenshot(path=ARTIFACTS / f"field-users-{lang}-{width}.png", full_page=False)
    finally:
        ctx.close()


def _sankey_nodes(page) -> int:
    return page.evaluate("(document.querySelector('#gov-fig-sankey .js-plotly-plot').data[0] || {node: {label: []}})"
                         ".node.label.length")


def test_show_all_stays_on_when_a_filter_changes(browser, demo):
    """"Show every table, district and project" was reset by changing a filter (issue 20): it is kept, in the
    charts drawn for the new filter and when the page is opened again in the same tab."""
    url, db = demo
    ctx, page = _page(browser, url, "fa", 360)
    try:
        _log_in(page, "gov", db, "fa")
        page.goto("/governorate")
        wait_ready(page, "#gov-headline .border-primary")
        page.wait_for_selector("#gov-fig-sankey .sankey-node")
        page.wait_for_load_state("networkidle")  # the first drawing's callbacks are done
        top = _sankey_nodes(page)
        page.click("#gov-f-show-all")
        page.wait_for_function("(n) => document.querySelector('#gov-fig-sankey .js-plotly-plot').data[0]"
                               ".node.label.length > n", arg=top)
        every = _sankey_nodes(page)
        # a filter: the figures are drawn again for it, still with every project
        before = page.inner_text("#gov-headline .border-primary")
        page.select_option("#gov-f-kind", "financial")
        page.wait_for_function("(b) => { const el = document.querySelector('#gov-headline .border-primary');"
                               " return el && el.innerText !== b; }", arg=before)
        # money only: fewer kinds and projects, but still every project that money went to, not the largest 10
        page.wait_for_function("(n) => document.querySelector('#gov-fig-sankey .js-plotly-plot').data[0]"
                               ".node.label.length !== n", arg=every)
        assert page.is_checked("#gov-f-show-all")
        shown = _sankey_nodes(page)
        page.click("#gov-f-show-all")  # off again: the same filter's largest ones only
        page.wait_for_function("(n) => document.querySelector('#gov-fig-sankey .js-plotly-plot').data[0]"
                               ".node.label.length < n", arg=shown)
        assert _sankey_nodes(page) < shown <= every
        page.click("#gov-f-show-all")
        page.wait_for_function("(n) => document.querySelector('#gov-fig-sankey .js-plotly-plot').data[0]"
                               ".node.label.length === n", arg=shown)
        # the same tab opens the dashboard again: the switch is still on, the charts show every project
        page.goto("/governorate")
        wait_ready(page, "#gov-headline .border-primary")
        page.wait_for_selector("#gov-fig-sankey .sankey-node")
        assert page.is_checked("#gov-f-show-all")
        page.wait_for_function("(n) => document.querySelector('#gov-fig-sankey .js-plotly-plot').data[0]"
                               ".node.label.length === n", arg=every)
        page.screenshot(path=ARTIFACTS / "field-fixes" / "show-all-kept-fa-360.png", full_page=False)
    finally:
        ctx.close()


def test_users_are_searched_as_one_types_and_namesakes_told_apart(browser, demo):
    """/admin's users search fired only on Enter or leaving the field, and people of the same name were told
    apart only by their full phone (issue 20): it searches as one types, from the second letter, and each row
    says the account number, a masked phone, the district and the roles."""
    url, db = demo
    with db.reader() as s:
        name, count = s.execute(select(User.name, func.count()).group_by(User.name)
                                .order_by(func.count().desc(), User.name)).first()
    assert count >= 4  # the demo has namesakes
    ctx, page = _page(browser, url, "fa", 360)
    try:
        _log_in(page, "gov", db, "fa")
        page.goto("/admin")
        wait_ready(page, ".nav-tabs")
        page.locator(".nav-tabs .nav-link").nth(3).click()
        page.wait_for_selector("#adm-u-list tr[data-user]")
        everyone = page.inner_text("#adm-u-list caption")
        page.locator("#adm-u-search").press_sequentially(name[0])   # one letter: still everyone
        page.wait_for_timeout(1200)
        assert page.inner_text("#adm-u-list caption") == everyone
        page.locator("#adm-u-search").press_sequentially(name[1:], delay=40)  # no Enter, no leaving the field
        page.wait_for_function("(n) => { const rows = [...document.querySelectorAll('#adm-u-list tr[data-user]')];"
                               " return rows.length === n; }", arg=min(count, 20))
        assert page.evaluate("document.activeElement.id") == "adm-u-search"
        who = page.eval_on_selector_all("#adm-u-list tr[data-user] [data-who]", "els => els.map(e => e.innerText)")
        assert len(who) == min(count, 20) and len(set(who)) == len(who), who   # no two rows alike
        for line in who:
            assert "حساب شمارهٔ" in line
        logins = page.eval_on_selector_all("#adm-u-list tr[data-user] td[data-label='شناسه ورود']",
                                           "els => els.map(e => e.innerText)")
        # every phone masked (in the login column, or in the line when the login is an e-mail)
        phones = [t for t in logins + who if "***" in t]
        assert phones and not any(re.search(r"[0-9۰-۹]{8}", t) for t in logins + who)  # no whole number shown
        page.screenshot(path=ARTIFACTS / "field-fixes" / "users-namesakes-fa-360.png", full_page=False)
        _no_sideways_scroll(page, 360)
    finally:
        ctx.close()
