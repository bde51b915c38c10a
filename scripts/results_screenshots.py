"""Screenshots of issue 22's screens in Persian at 360 px and 1280 px and in English at 1280 px: the material for
its closing note.

Not a test: it asserts nothing. It seeds the Amol demo into a temporary folder, makes the demo member the lead of
a key core on the health table's diabetes screening (whose volunteers' hours wait for confirmation: the demo
itself has no such core), serves it and saves test-artifacts/results/shot-<screen>-<lang>-<width>.png:

    timeline     a project page's "Target and path": milestones' progress bar, indicator curves, timeline
    equity       /equity: the county map of districts and who takes part, per 1,000 residents
    hours        /my as the key core's lead: volunteers' hours to confirm

    .venv/bin/python scripts/results_screenshots.py

Needs Debian's chromium (scripts/setup_debian_packages.sh) and Playwright (the test extras).
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.field_fixes_screenshots import demo_server, log_in, ready, shoot  # noqa: E402

VIEWS = ((360, "fa"), (1280, "fa"), (1280, "en"))
CORE_PROJECT = "Diabetes screening for Amol's elderly"


def _project_with_results(db) -> int:
    from sqlalchemy import func, select

    from models.orm.results import ProgressUpdate
    with db.reader() as s:
        return s.scalar(select(ProgressUpdate.project_id).group_by(ProgressUpdate.project_id)
                        .order_by(func.count().desc(), ProgressUpdate.project_id).limit(1))


def prepare(db) -> None:
    """The demo member leads the key core of the diabetes screening (its chair forms it)."""
    from sqlalchemy import select

    from models.orm.people import User
    from models.orm.projects import Project
    from models.orm.tables import Table
    from models.voice.cores import CoreMemberInput, form_core

    with db.reader() as s:
        project = s.scalar(select(Project).where(Project.title_en == CORE_PROJECT))
        chair = s.scalar(select(Table.chair_id).where(Table.id == project.table_id))
        member = s.scalar(select(User.id).where(User.email == "member@hamyar.local"))
        pid = project.id
    db.run(lambda s: form_core(s, chair, project_id=pid, members=[CoreMemberInput(member, "lead")]))
    SCREENS_STATE["project"] = _project_with_results(db)


SCREENS_STATE: dict[str, int] = {}


def _language(page) -> str:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "hamyar_lang"), "fa")


def timeline(page) -> None:
    page.goto(f"/projects/{SCREENS_STATE['project']}")
    ready(page, "#project-results")
    page.wait_for_selector("#project-results .js-plotly-plot .xtick text")
    page.wait_for_load_state("networkidle")
    page.locator("#project-results").scroll_into_view_if_needed()


def equity(page) -> None:
    page.goto("/equity")
    ready(page, "#equity-map")
    page.wait_for_selector("#equity-map .js-plotly-plot, #equity-map svg")
    page.wait_for_load_state("networkidle")
    page.locator("#equity-map").scroll_into_view_if_needed()


def hours(page) -> None:
    lang = _language(page)
    log_in(page, "member")
    page.goto("/my")
    ready(page, "[data-hours-waiting]")
    if lang != "fa":   # signed in, the person's own language wins over the cookie: switch as a person would
        page.click("form[action='/language'] button")
        page.wait_for_selector("text=Volunteers' hours to confirm")
    ready(page, "[data-hours-waiting]")
    page.locator("[data-hours-waiting]").first.scroll_into_view_if_needed()


SCREENS = {"timeline": timeline, "equity": equity, "hours": hours}


def main() -> int:
    with demo_server(prepare) as base:
        saved = shoot(base, "shot", ROOT / "test-artifacts" / "results", SCREENS, VIEWS)
    return 0 if len(saved) == len(SCREENS) * len(VIEWS) else 1


if __name__ == "__main__":
    raise SystemExit(main())
