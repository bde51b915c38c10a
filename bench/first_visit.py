"""First and repeat visits on a slow phone: seconds until the content shows, KiB transferred (issue 19).

Drives Debian's Chromium (Playwright, /usr/bin/chromium) against a running Hamyar with Lighthouse's
mobile profile: a 390 px wide screen, 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trips and a 4×
slower CPU (Chrome DevTools' network and CPU emulation). Each page is visited with an empty cache in
a fresh browser context ("first"), then again in the same context ("repeat"). Bytes are what went
over the wire (compressed sizes, headers included), summed from DevTools' loadingFinished events.

    python -m bench.first_visit --url http://127.0.0.1:8077 [--runs 3] [--lang fa]
    python -m bench.loadtest --first-visit      # the same against gunicorn on PostgreSQL with the demo

Start the demo first (`HAMYAR_DATA=/tmp/demo hamyar demo --port 8077`); the dashboard is visited
signed in as the demo's governorate officer. Prints the median of --runs runs per page.
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
PROFILE = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
CPU_SLOWDOWN = 4
WIDTH, HEIGHT = 390, 844
DEMO_LOGIN = ("gov@hamyar.local", "Amol-1405-demo")


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    ready: str  # a CSS selector that is visible once the page's content shows
    signed_in: bool = False


TARGETS = (
    Target("home", "/", 'a.stretched-link[href^="/projects/"]'),
    Target("projects", "/projects", 'a.stretched-link[href^="/projects/"]'),
    Target("project page", "/projects/{project}", "#_pages_content h1"),
    Target("pledge form", "/pledge", "#_pages_content input:not([type=hidden])"),
    Target("dashboard", "/governorate", ".js-plotly-plot .main-svg", signed_in=True),
)


def _first_project(browser, url: str) -> str:
    page = browser.new_page()
    page.goto(f"{url}/projects")
    href = page.locator('a.stretched-link[href^="/projects/"]').first.get_attribute("href", timeout=30_000)
    page.close()
    return href.rsplit("/", 1)[-1]


def _sign_in(page, url: str) -> None:
    page.goto(f"{url}/login")
    page.locator("#login-login").fill(DEMO_LOGIN[0])
    page.locator("#login-password").fill(DEMO_LOGIN[1])
    page.locator("#login-submit").click()
    page.wait_for_url(lambda u: "/login" not in u, timeout=30_000)


def _visit(page, cdp, url: str, target: Target, project: str) -> tuple[float, float]:
    """Seconds until target.ready is visible and KiB received, for one navigation."""
    received = {"bytes": 0.0}

    def finished(event):
        received["bytes"] += event.get("encodedDataLength", 0)

    cdp.on("Network.loadingFinished", finished)
    started = time.monotonic()
    page.goto(url + target.path.format(project=project), wait_until="commit")
    page.locator(target.ready).first.wait_for(state="visible", timeout=120_000)
    took = time.monotonic() - started
    page.wait_for_load_state("networkidle", timeout=120_000)  # count late bytes (fonts, chunks) too
    cdp.remove_listener("Network.loadingFinished", finished)
    return took, received["bytes"] / 1024


def measure(url: str, runs: int, lang: str) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        project = _first_project(browser, url)
        for _ in range(runs):
            for target in TARGETS:
                context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT},
                                              locale="fa-IR" if lang == "fa" else "en-US")
                context.add_cookies([{"name": "hamyar_lang", "value": lang, "url": url}])
                page = context.new_page()
                if target.signed_in:
                    _sign_in(page, url)
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.clearBrowserCache")
                cdp.send("Network.emulateNetworkConditions", PROFILE)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                first = _visit(page, cdp, url, target, project)
                repeat = _visit(page, cdp, url, target, project)
                row = rows.setdefault(target.name, {"first s": [], "first KiB": [], "repeat s": [], "repeat KiB": []})
                for key, value in zip(row, (*first, *repeat)):
                    row[key].append(value)
                context.close()
        browser.close()
    return {name: {k: statistics.median(v) for k, v in row.items()} for name, row in rows.items()}


def table(result: dict[str, dict[str, float]], runs: int, lang: str) -> str:
    lines = [f"first and repeat visits, {WIDTH} px, 1.6 Mbit/s / 750 kbit/s / 150 ms, CPU {CPU_SLOWDOWN}x, "
             f"median of {runs}, lang={lang}",
             f"{'page':<14}{'first s':>9}{'first KiB':>11}{'repeat s':>10}{'repeat KiB':>12}"]
    for name, row in result.items():
        lines.append(f"{name:<14}{row['first s']:>9.2f}{row['first KiB']:>11.0f}{row['repeat s']:>10.2f}"
                     f"{row['repeat KiB']:>12.0f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8077")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", default="fa", choices=["fa", "en"])
    args = parser.parse_args()
    print(table(measure(args.url.rstrip("/"), args.runs, args.lang), args.runs, args.lang))


if __name__ == "__main__":
    main()
