"""axe on every page, as every role, on a phone and at a desk (issue 20, "done when").

A copy of the seeded demo (real tables, projects, pledges, proposals), Debian's Chromium, axe-core from
node_modules. Each role walks the pages it can use; a serious or critical violation on any of them
fails the test with the page, the rule and the first elements it names.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.orm.people import User
from models.orm.pledges import Pledge
from models.orm.projects import Project
from models.orm.tables import Table, TableMembership
from models.pledging.pledge_edit import editable
from tests.browser.conftest import AXE, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
PASSWORD = "Amol-1405-demo"
LOGINS = {"citizen": "citizen@hamyar.local", "member": "member@hamyar.local", "chair": "chair@hamyar.local",
          "governorate": "gov@hamyar.local"}


@pytest.fixture(scope="module")
def walk_server(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("axe-walk"))
    with db.reader() as s:
        project = s.scalar(select(Project.id).order_by(Project.id))
        tables = list(s.scalars(select(Table.id).order_by(Table.id)))
        chair = s.scalar(select(User.id).where(User.email == LOGINS["chair"]))
        member = s.scalar(select(User.id).where(User.email == LOGINS["member"]))
        chaired = list(s.scalars(select(Table.id).where(Table.chair_id == chair).order_by(Table.id)))
        sits_on = list(s.scalars(select(TableMembership.table_id).where(TableMembership.user_id == member)))
        citizen = s.scalar(select(User.id).where(User.email == LOGINS["citizen"]))
        pledge = next(p.id for p in s.scalars(select(Pledge).where(Pledge.citizen_id == citizen).order_by(Pledge.id))
                      if editable(p))  # the pledge editor (issue 20)
    assert chaired and sits_on  # the demo gives both roles a table
    with serving(db.url, "axe-walk") as url:
        yield url, {"project": project, "table": tables[0], "chaired": chaired, "member_of": sits_on[:1],
                    "pledge": pledge}
    db.dispose()


# Walked by the anonymous visitor on the phone only: at the desk the same pages differ in width alone, and
# axe's serious rules (names, labels, contrast, roles) do not depend on it; the forms and each role's own
# pages are walked at both widths. (The walk is among the suite's slowest tests: ~2.5 s a page.)
PHONE_ONLY = {"/projects", "/tables", "/how-matching-works", "/transparency", "/no-such-page"}


def pages_of(role: str, ids: dict, width: int = 360) -> list[str]:
    public = ["/", "/projects", f"/projects/{ids['project']}", "/tables", f"/tables/{ids['table']}",
              "/how-matching-works", "/transparency", "/vote", "/no-such-page"]
    if width != 360:
        public = [p for p in public if p not in PHONE_ONLY]
    return {
        "anonymous": [*public, "/login", "/register", "/pledge"],
        "citizen": ["/my", "/pledge", f"/pledge?project={ids['project']}", "/account",
                    f"/my/pledges/{ids['pledge']}/edit", "/admin",  # /admin: the refusal page
                    # the public pages the anonymous visitor walks, signed in (the menu differs)
                    *(["/", "/vote", f"/projects/{ids['project']}"] if width == 360 else [])],
        "member": ["/my", "/tables", *(f"/tables/{t}" for t in ids["member_of"])],
        "chair": ["/my", *(f"/tables/{t}" for t in ids["chaired"])],
        "governorate": ["/governorate", "/admin", "/admin/pb", "/pb/station", f"/tables/{ids['table']}", "/account"],
    }[role]


def _violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("role", ["anonymous", "citizen", "member", "chair", "governorate"])
def test_no_serious_or_critical_violation_on_any_page(browser, walk_server, offline, role, width):
    base, ids = walk_server
    lang = "fa" if width == 360 else "en"  # Persian on the phone, English at the desk
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900}, base_url=base)
    ctx.route("**/*", offline.route)
    if lang != "fa":
        ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": base}])
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    try:
        if role != "anonymous":
            page.goto("/login")
            wait_ready(page, "#login-form")
            page.fill("#login-login", LOGINS[role])
            page.fill("#login-password", PASSWORD)
            page.click("#login-submit")
            page.wait_for_url(lambda url: "/login" not in url)
            wait_ready(page)
        problems = {}
        for path in pages_of(role, ids, width):
            page.goto(path)
            wait_ready(page)
            page.wait_for_load_state("networkidle")
            bad = _violations(page)
            if bad:
                problems[path] = bad
        assert not problems, problems
    finally:
        ctx.close()
    assert not offline.blocked


def test_a_dropdown_is_reached_by_tab_and_opened_by_enter(browser, walk_server, offline):
    """The dropdown repair (assets/hamyar-a11y.js) keeps the keyboard path: Tab lands on the dropdown's
    button, Enter shows its options."""
    base, ids = walk_server
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 900}, base_url=base)
    ctx.route("**/*", offline.route)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto("/login")
        wait_ready(page, "#login-form")
        page.fill("#login-login", LOGINS["chair"])
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"/tables/{ids['chaired'][0]}")
        wait_ready(page, ".dash-dropdown-wrapper button")
        page.wait_for_load_state("networkidle")
        button = page.locator(".dash-dropdown-wrapper button").first
        button.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        assert button.evaluate("b => document.activeElement === b")
        page.keyboard.press("Enter")
        page.wait_for_selector("[role=option]")
        assert page.locator("[role=option]").count() > 1
    finally:
        ctx.close()
