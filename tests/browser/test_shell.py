"""The web shell in a real Chromium: languages, accounts, guards, offline assets, screenshots, axe."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, AXE, log_in, wait_ready
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser
PERSIAN_DIGIT = re.compile(r"[۰-۹]")


def _assets_loaded(page) -> None:
    # Bootstrap applied (the navbar is a flex box), Vazirmatn loaded, icons font loaded.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Vazirmatn" in f for f in loaded), loaded
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href || '')")
    assert all(not s or s.startswith("http://127.0.0.1") for s in sheets)


def test_b001_home_in_persian_is_rtl_with_persian_digits(new_page):
    page = new_page("fa")
    page.goto("/")
    wait_ready(page, "#home-totals")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "fa"
    assert PERSIAN_DIGIT.search(page.inner_text("#home-totals"))
    assert "همیار" in page.inner_text("h1")
    assert page.evaluate("[...document.styleSheets].some(s => (s.href||'').includes('bootstrap.rtl.min.css'))")
    _assets_loaded(page)


def test_b002_home_in_english_is_ltr(new_page):
    page = new_page("en")
    page.goto("/")
    wait_ready(page, "#home-totals")
    assert page.get_attribute("html", "dir") == "ltr" and page.get_attribute("html", "lang") == "en"
    assert "Hamyar" in page.inner_text("h1")
    assert not PERSIAN_DIGIT.search(page.inner_text("#home-totals"))
    _assets_loaded(page)


def test_b003_language_switch_from_the_navbar(new_page):
    page = new_page("fa", width=1280)
    page.goto("/how-matching-works")
    wait_ready(page)
    page.click("#language-form button")
    page.wait_for_function("document.documentElement.lang === 'en'")
    wait_ready(page)
    assert page.url.endswith("/how-matching-works")
    assert "How matching works" in page.inner_text("h1")


def test_b004_register_then_log_in_then_log_out(new_page):
    page = new_page("en")
    page.goto("/register")
    wait_ready(page, "#register-form")
    page.fill("#register-name", "Browser Person")
    page.fill("#register-login", "۰۹۱۳ ۵۵۵ ۰۰۰۰")
    page.fill("#register-password", PASSWORD)
    page.fill("#register-password2", PASSWORD)
    page.click("#register-submit")
    page.wait_for_selector("text=Browser Person")
    page.click("#logout-form button")
    page.wait_for_selector("#navbar >> text=Log in")
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", "09135550000")
    page.fill("#login-password", PASSWORD)
    page.check("#login-remember")
    page.click("#login-submit")
    page.wait_for_selector("text=Browser Person")
    assert any(c["name"] == "remember_token" for c in page.context.cookies())
    page.click("#logout-form button")
    page.wait_for_selector("#navbar >> text=Log in")
    assert "Browser Person" not in page.inner_text("#navbar")


def test_b005_wrong_password_is_shown_on_the_form(new_page):
    page = new_page("en")
    page.goto("/login")
    wait_ready(page, "#login-form")
    page.fill("#login-login", "09120000001")
    page.fill("#login-password", "wrong password")
    page.click("#login-submit")
    page.wait_for_selector("#login-error")
    assert "wrong" in page.inner_text("#login-error")


def test_b006_anonymous_governorate_lands_on_login(new_page):
    page = new_page("fa")
    page.goto("/governorate")
    wait_ready(page, "#login-form")
    assert "/login?next=/governorate" in page.url


def test_b007_citizen_forged_governorate_callback_gets_403(new_page):
    page = new_page("en")
    log_in(page, "citizen")
    assert "Governorate" not in page.inner_text("#navbar")
    result = page.evaluate("""async () => {
        const token = document.cookie.split('; ').find(c => c.startsWith('_csrf_token=')).split('=')[1];
        const r = await fetch('/_dash-update-component', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
            body: JSON.stringify({output: 'gov-counts.children',
                                  outputs: {id: 'gov-counts', property: 'children'},
                                  inputs: [{id: 'gov-refresh', property: 'n_clicks', value: 1}],
                                  changedPropIds: ['gov-refresh.n_clicks']})});
        return {status: r.status, redirected: r.redirected, body: await r.json()};
    }""")
    assert result["status"] == 403 and not result["redirected"]
    assert result["body"]["error"] == "forbidden"


def test_b008_governorate_callback_works_for_staff(new_page):
    page = new_page("fa")
    log_in(page, "governorate")
    page.goto("/governorate")
    wait_ready(page, "#gov-refresh")
    page.click("#gov-refresh")
    page.wait_for_selector("#gov-counts dd")
    assert PERSIAN_DIGIT.search(page.inner_text("#gov-counts"))


@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_b009_screenshots_and_no_sideways_scroll(new_page, lang, width):
    page = new_page(lang, width=width, height=800)
    ARTIFACTS.mkdir(exist_ok=True)
    for path, name in [("/", "home"), ("/how-matching-works", "matching"), ("/register", "register")]:
        page.goto(path)
        wait_ready(page)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, lang, width)


# The pages tests/browser/test_axe_walk.py does not walk (it walks every role's pages, Persian on a phone and
# English at a desk; these pages were walked by both tests, at ~2.5 s a page): the shell's own answers.
PAGES = [("/logout", None), ("/403", None), ("/logout", "citizen")]


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_b010_axe_finds_no_serious_or_critical_violations(new_page, lang):
    assert AXE.is_file(), "axe-core is missing: run scripts/setup_frontend.sh (npm ci)"
    problems = {}
    pages_by_user: dict[str | None, object] = {}
    for path, who in PAGES:
        page = pages_by_user.get(who)
        if page is None:
            page = pages_by_user[who] = new_page(lang)
            if who:
                log_in(page, who)
        page.goto(path)
        wait_ready(page)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        if bad:
            problems[f"{path} as {who or 'anonymous'}"] = bad
    assert not problems, problems


CSP_PAGES = ["/", "/projects", "/tables", "/how-matching-works", "/governorate", "/admin", "/my", "/pledge"]


def test_b011_pages_render_completely_under_the_content_security_policy(new_page):
    """With the policy enforced (no bypass), every page renders and nothing is refused by it."""
    page = new_page("fa", enforce_csp=True)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    page.goto("/login")
    page.wait_for_selector("#login-form")
    page.fill("#login-login", "gov@example.org")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)
    for path in CSP_PAGES:
        page.goto(path)
        page.wait_for_selector("#_pages_content > *")
        page.wait_for_selector("#footer")
        assert page.locator("h1").count() >= 1, path
    violations = [m for m in messages if "Content Security Policy" in m]
    assert not violations, violations
    assert "script-src 'self' 'sha256-" in page.goto("/").headers["content-security-policy"]


def test_b012_one_contentinfo_landmark(new_page):
    """The page template wrapped Dash's scripts in a second <footer>: axe's landmark-no-duplicate-contentinfo
    (moderate) on every page (issue 20). Only the shell's own footer remains."""
    page = new_page("fa")
    for path in ("/", "/projects", "/login"):
        page.goto(path)
        wait_ready(page)
        assert page.evaluate("document.querySelectorAll('footer, [role=contentinfo]').length") == 1, path
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {runOnly: ['landmark-no-duplicate-contentinfo',"
                               " 'landmark-contentinfo-is-top-level', 'landmark-unique']})")
        assert not result["violations"], (path, result["violations"])
