"""The grouped navbar in Chromium on a copy of the seeded demo (issue 20: at 1280 px the Persian navbar wrapped
every label and the governorate's overflowed; its focus ring was dark blue on the dark teal).

A few links at the top, the "Take part" and "Results" menus and each person's own workspace (a citizen's
contributions, a chair's tables, the staff's dashboard and administration). At 1280 px in Persian every
role's navbar is one row whose labels never wrap; at 360 px it is collapsed behind the menu button and its
menus open in place; the keyboard opens a menu and its focus ring stands out from the teal; axe finds no
serious or critical violation with a menu open. Screenshots: test-artifacts/field-fixes/navbar-*.png.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, AXE, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
PASSWORD = "Amol-1405-demo"
LOGINS = {"citizen": "citizen@hamyar.local", "member": "member@hamyar.local", "chair": "chair@hamyar.local",
          "governorate": "gov@hamyar.local"}
SHOTS = ARTIFACTS / "field-fixes"

# the contrast of two computed colours (WCAG's relative luminance), read in the page
CONTRAST_JS = """([a, b]) => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}"""


@pytest.fixture(scope="module")
def nav_server(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("navbar"))
    with serving(db.url, "navbar") as url:
        yield url
    db.dispose()


def _page(browser, base: str, offline, role: str, lang: str, width: int):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800}, base_url=base)
    ctx.route("**/*", offline.route)
    ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": base}])
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    if role != "anonymous":
        page.goto("/login")
        wait_ready(page, "#login-form")
        page.fill("#login-login", LOGINS[role])
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(lambda url: "/login" not in url)
        wait_ready(page)
    return ctx, page


def _axe(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _menu_hrefs(page, button: str) -> list[str]:
    return page.eval_on_selector_all(f"#{button} + .dropdown-menu a", "as => as.map(a => a.getAttribute('href'))")


@pytest.mark.parametrize("role", ["anonymous", "citizen", "chair", "governorate"])
def test_the_persian_navbar_is_one_row_at_1280(browser, nav_server, offline, role):
    ctx, page = _page(browser, nav_server, offline, role, "fa", 1280)
    try:
        page.goto("/projects")
        wait_ready(page)
        layout = page.evaluate("""() => {
          const nav = document.querySelector('#navbar');
          const items = [...nav.querySelectorAll('.navbar-brand, .navbar-nav > .nav-item > .nav-link,'
            + ' .nav-account-items > *')].filter(e => e.getBoundingClientRect().width > 0);
          const lineHeight = e => parseFloat(getComputedStyle(e).lineHeight) || 24;
          return {height: nav.getBoundingClientRect().height,
                  middles: items.map(e => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; }),
                  wrapped: items.filter(e => e.matches('.nav-link') && e.getBoundingClientRect().height
                                        > 1.6 * lineHeight(e) + 16).map(e => e.textContent),
                  outside: items.filter(e => { const r = e.getBoundingClientRect();
                                               return r.left < 0 || r.right > innerWidth; }).map(e => e.textContent),
                  scroll: document.documentElement.scrollWidth};
        }""")
        assert layout["height"] < 72, layout           # one row: brand, links, menus and account side by side
        assert max(layout["middles"]) - min(layout["middles"]) < 12, layout   # side by side, not stacked
        assert not layout["wrapped"] and not layout["outside"], layout
        assert layout["scroll"] <= 1280
        # the groups: projects and tables at the top; the rest in two menus and the person's workspace
        tops = page.eval_on_selector_all("#navbar .navbar-nav > .nav-item > a.nav-link",
                                         "as => as.map(a => a.getAttribute('href'))")
        assert tops[:2] == ["/projects", "/tables"], tops
        assert {"/proposals", "/referrals"} <= set(_menu_hrefs(page, "nav-menu-take-part"))
        assert {"/pilots", "/equity", "/transparency"} <= set(_menu_hrefs(page, "nav-menu-results"))
        if role == "citizen":
            assert "/my" in tops and page.locator("#nav-menu-workspace").count() == 0
            assert {"/pledge", "/vote"} <= set(_menu_hrefs(page, "nav-menu-take-part"))
        elif role == "chair":
            work = _menu_hrefs(page, "nav-menu-workspace")
            assert work[0] == "/my" and any(h.startswith("/tables/") for h in work), work
        elif role == "governorate":
            assert {"/my", "/governorate", "/admin"} <= set(_menu_hrefs(page, "nav-menu-workspace"))
        else:
            assert page.locator("#nav-menu-workspace").count() == 0 and "/my" not in tops
        SHOTS.mkdir(parents=True, exist_ok=True)
        if role in ("governorate", "chair"):
            page.click("#nav-menu-workspace")
            page.wait_for_selector("#nav-menu-workspace + .dropdown-menu.show")
            assert not _axe(page)
        page.screenshot(path=SHOTS / f"navbar-{role}-fa-1280.png", clip={"x": 0, "y": 0, "width": 1280, "height": 260})
    finally:
        ctx.close()


def test_the_keyboard_opens_a_menu_and_its_focus_ring_shows_on_the_teal(browser, nav_server, offline):
    ctx, page = _page(browser, nav_server, offline, "governorate", "fa", 1280)
    try:
        page.goto("/")
        wait_ready(page)
        page.locator(".navbar-brand").focus()
        for _step in range(12):  # Tab through the navbar to the "Results" button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "nav-menu-results":
                break
        assert page.evaluate("document.activeElement.id") == "nav-menu-results"
        ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor,
                    bg: getComputedStyle(document.querySelector('#navbar')).backgroundColor}; }""")
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        assert page.evaluate(CONTRAST_JS, [ring["colour"], ring["bg"]]) >= 3, ring   # WCAG 1.4.11: 3:1
        page.keyboard.press("Enter")
        page.wait_for_selector("#nav-menu-results + .dropdown-menu.show")
        assert page.get_attribute("#nav-menu-results", "aria-expanded") == "true"
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.classList.contains('dropdown-item')")
        page.keyboard.press("Escape")
        page.wait_for_selector("#nav-menu-results + .dropdown-menu:not(.show)", state="attached")
        # a mouse follows a menu's link to its page
        page.click("#nav-menu-take-part")
        page.click("#nav-menu-take-part + .dropdown-menu a[href='/proposals']")
        page.wait_for_url("**/proposals")
        wait_ready(page)
    finally:
        ctx.close()


@pytest.mark.parametrize("role", ["anonymous", "governorate"])
def test_at_360_the_navbar_is_collapsed_and_its_menus_open_in_place(browser, nav_server, offline, role):
    ctx, page = _page(browser, nav_server, offline, role, "fa", 360)
    try:
        page.goto("/")
        wait_ready(page)
        assert page.is_visible(".navbar-toggler") and not page.is_visible("#navbar-collapse")
        assert page.evaluate("document.querySelector('#navbar').getBoundingClientRect().height") < 80
        page.click(".navbar-toggler")
        page.wait_for_selector("#navbar-collapse.show")
        page.click("#nav-menu-take-part")
        page.wait_for_selector("#nav-menu-take-part + .dropdown-menu.show")
        page.wait_for_timeout(400)  # the collapse's animation
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        menu = page.locator("#nav-menu-take-part + .dropdown-menu").bounding_box()
        assert menu and menu["x"] >= 0 and menu["x"] + menu["width"] <= 361
        assert not _axe(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"navbar-{role}-fa-360.png")
        # following a menu's link opens its page and folds the menu away (it would cover the new page)
        page.click("#nav-menu-take-part + .dropdown-menu a[href='/proposals']")
        page.wait_for_url("**/proposals")
        page.wait_for_selector("#navbar-collapse:not(.show):not(.collapsing)", state="attached")
        assert not page.is_visible("#navbar-collapse")
    finally:
        ctx.close()
