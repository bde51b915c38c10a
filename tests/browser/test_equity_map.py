"""/equity in Chromium on a copy of the seeded demo: the districts drawn as cells inside the county's outline,
numbered in the page's digits with a key, the table as cards on a phone; nothing runs off a 360 px screen in
Persian, and at 1280 px in English the table is a table; axe finds nothing serious in either. Screenshots: test-artifacts/results/equity-*.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import AXE, demo_copy, serving, wait_ready

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "results"


def test_the_equity_map_fits_a_phone_in_persian_and_a_desktop_in_english(browser, seeded_sqlite_file, tmp_path,
                                                                          offline):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    db = demo_copy(seeded_sqlite_file, tmp_path)
    with serving(db.url, "equity-map") as url:
        for lang, width in (("fa", 360), ("en", 1280)):
            ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=url, bypass_csp=True)
            ctx.route("**/*", offline.route)          # no tile server, nothing from another host
            if lang != "fa":
                ctx.add_cookies([{"name": "hamyar_lang", "value": lang, "url": url}])
            page = ctx.new_page()
            page.set_default_timeout(20_000)
            page.goto("/equity?measure=projects")
            wait_ready(page, "#equity-map .js-plotly-plot")
            assert page.locator("#equity-map path.js-fill").count() == 5      # one cell per district
            key = page.inner_text("#equity-key")
            if lang == "fa":
                assert "۱" in key and "بخش مرکزی" in key and not any(ch in key for ch in "0123456789")
                assert page.locator("#equity-cards").is_visible() and not page.locator("#equity-table").is_visible()
            else:
                assert "Central District" in key and page.locator("#equity-table").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1   # no sideways scroll
            for box in (page.locator("#equity-cards"), page.locator("#equity-map"), page.locator("#equity-key")):
                if box.is_visible():
                    edge = box.bounding_box()
                    assert edge is not None and edge["x"] >= 0 and edge["x"] + edge["width"] <= width + 1
            page.screenshot(path=str(ARTIFACTS / f"equity-{lang}-{width}.png"), full_page=True)
            page.add_script_tag(path=str(AXE))             # the cards, the key and the measure links pass axe
            found = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found["violations"]
                       if v["impact"] in ("serious", "critical")]
            assert not serious, (lang, width, serious)
            ctx.close()
    db.dispose()
    assert not offline.blocked
