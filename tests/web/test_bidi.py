"""Bidi (issue 20): names and descriptions people typed are isolated inside the interface's sentences.

«پایگاه سلامت: 0% → 100%» in the English run summary read «%name: 0% → 100»: the numbers after the Persian
name joined its right-to-left run. The name now stands in a <bdi dir="auto" lang="fa">; Persian diagnosis
texts on English pages carry dir="auto" and lang="fa".
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from dash import html

from dash_app import i18n
from dash_app.ui.bidi import isolate, script_language, sentence, user_text
from models.runs.lifecycle import RunState
from tests.web.callbacks import rendered_text

PERSIAN_NAME = "پایگاه سلامت"


def _json(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def test_the_script_of_a_text():
    assert script_language(PERSIAN_NAME) == "fa"
    assert script_language("Health post") == "en"
    assert script_language("۱۲ 34 %") is None
    assert script_language("پایگاه Health") == "fa" and script_language("Health پایگاه") == "en"


def test_a_sentence_takes_components_in_its_places():
    parts = sentence("%(project)s: %(before)s → %(after)s (100%%)", project=isolate("x"), before="0%", after="9%")
    assert isinstance(parts[0], html.Bdi) and parts[1:] == [": ", "0%", " → ", "9%", " (100%)"]


def test_the_english_run_summary_isolates_a_persian_project_name(app):
    from dash_app.pages.table.runs import render_run

    summary = {"proposed": 3, "kept": 0, "withdrawn": 0, "seconds": 1.0,
               "coverage_before": {"mean": 0.0, "full": 0, "projects": {"7": 0.0}},
               "coverage_after": {"mean": 1.0, "full": 1, "projects": {"7": 1.0}}}
    state = RunState(run_id=1, scope="table", table_id=1, status="done", fraction=1.0, stage="done", kind=None,
                     started_at=datetime(2026, 1, 1, tzinfo=UTC), finished_at=None, error=None, summary=summary)
    with app.test_request_context("/", headers={"Cookie": f"{i18n.LANGUAGE_COOKIE}=en"}):
        out = render_run(state, {7: PERSIAN_NAME})
        line = out.children[2].children[1].children[0]
    assert isinstance(line.children[0], html.Bdi)
    bdi = line.children[0]
    assert bdi.children == PERSIAN_NAME and bdi.dir == "auto" and bdi.lang == "fa"
    assert line.children[1:] == [": ", "0%", " → ", "100%"]
    with app.test_request_context("/"):  # in Persian a Persian name needs no language mark, still isolated
        line = render_run(state, {7: PERSIAN_NAME}).children[2].children[1].children[0]
    assert line.children[0].dir == "auto" and getattr(line.children[0], "lang", None) is None


def test_persian_text_on_an_english_page_is_marked(app):
    with app.test_request_context("/", headers={"Cookie": f"{i18n.LANGUAGE_COOKIE}=en"}):
        p = user_text("کمبود پزشک در روستاها", html.P, className="mb-3")
        assert p.dir == "auto" and p.lang == "fa"
        assert getattr(user_text("No doctor in the villages"), "lang", None) is None


def test_the_project_page_marks_its_persian_diagnosis_in_english(demo_db):
    from sqlalchemy import select

    from dash_app import create_app
    from models.core.enums import ProjectStatus
    from models.orm.projects import Project

    with demo_db.reader() as s:
        project = s.scalar(select(Project).where(Project.problem.is_not(None), Project.status == ProjectStatus.OPEN)
                           .order_by(Project.id))
        problem = project.problem
    assert script_language(problem) == "fa"  # the demo's diagnoses are written in Persian only
    app = create_app({"TESTING": True, "DATABASE_URL": demo_db.url, "SECRET_KEY": "test"})
    try:
        client = app.test_client()
        client.set_cookie(i18n.LANGUAGE_COOKIE, "en")
        page = json.loads(rendered_text(client, f"/projects/{project.id}"))
    finally:
        app.extensions["hamyar_db"].dispose()

    def find(node):
        if isinstance(node, dict):
            props = node.get("props") or {}
            if props.get("children") == problem:
                return props
            return next((hit for v in node.values() if (hit := find(v))), None)
        if isinstance(node, list):
            return next((hit for v in node if (hit := find(v))), None)
        return None

    props = find(page)
    assert props and props.get("dir") == "auto" and props.get("lang") == "fa", props
