"""Issue 18 item 3: no user text reaches a Plotly chart as live markup.

Plotly renders a subset of HTML (<a href>, <b>, <span style>, <br>, ...) in category labels, legend
names, titles, Sankey node labels and hover text. A table or project title with such tags must show as
the literal text: every string the figure JSON carries outside this code's own hover templates has no
`<` or `>` left (they arrive as `&lt;`, `&gt;`, `&amp;`, which Plotly shows as the characters).
The figures are taken from the real callbacks' JSON answers (the governorate dashboard, the PB rule
comparison), on a real SQLite database.
"""
from __future__ import annotations

import base64
import json

import pytest

from dash_app.pages.pb import ids as pb_ids
from dash_app.ui.charts import chart_text, escape_figure_text
from models.audit.log import record
from models.orm.projects import Project
from models.orm.tables import Table
from tests.governorate.test_gov_web import _body, gov_app  # noqa: F401 - fixture
from tests.pb.test_pb_web import _client, _key, _post, site, template  # noqa: F401 - fixtures
from tests.web.conftest import csrf, log_in

LINK = '<a href="https://evil.example/phish">Click to claim</a>'
STYLE = ('<span style="font-size:48px;color:red;background:red">OVERLAY</span>')
BOLD = "<b>Bold</b> & <i>italic</i><br>second line<sup>x</sup>"
PAYLOADS = (LINK, STYLE, BOLD)


def _strings(value, key=""):
    """Every (key, string) in a figure's JSON, except the hover/text templates (this code's own markup)."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if not str(k).endswith("template"):
                yield from _strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)


def _figures(value):
    """Every Plotly figure ({"data": [...], "layout": {...}}) inside a callback's JSON answer."""
    if isinstance(value, dict):
        if isinstance(value.get("data"), list) and isinstance(value.get("layout"), dict):
            yield value
        for v in value.values():
            yield from _figures(v)
    elif isinstance(value, list):
        for v in value:
            yield from _figures(v)


def _assert_no_live_markup(answer, expected: int):
    figures = list(_figures(answer))
    assert len(figures) >= expected, len(figures)
    live = [(k, s) for fig in figures for k, s in _strings({"data": fig["data"], "layout": {
        k: v for k, v in fig["layout"].items() if k != "template"}}) if "<" in s or ">" in s]
    assert not live, live[:5]
    text = json.dumps(figures, ensure_ascii=False)
    for payload in PAYLOADS:
        assert payload not in text
    return text


def test_chart_text_escapes_the_three_characters():
    assert chart_text(LINK) == '&lt;a href="https://evil.example/phish"&gt;Click to claim&lt;/a&gt;'
    assert chart_text("A & B") == "A &amp; B"
    assert chart_text("&lt;") == "&amp;lt;"  # typed entities stay literal too


def test_escaping_keeps_the_codes_own_hover_markup_and_happens_once():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[LINK], y=[1], name=STYLE, hovertemplate="%{x}<br>n<extra></extra>"))
    fig.update_layout(title=BOLD)
    escape_figure_text(fig)
    escape_figure_text(fig)
    assert fig.data[0].x == (chart_text(LINK),) and fig.data[0].name == chart_text(STYLE)
    assert fig.data[0].hovertemplate == "%{x}<br>n<extra></extra>"
    assert fig.layout.title.text == chart_text(BOLD)


def test_the_governorate_dashboard_charts_carry_no_markup_from_titles(gov_app):  # noqa: F811
    app, m = gov_app
    db = app.extensions["hamyar_db"]
    with db.unit_of_work() as s:
        for n, table in enumerate(s.query(Table).all()):
            table.name_fa = table.name_en = PAYLOADS[n % 3] + f" {n}"
            record(s, None, "test.renamed", table)
        for n, project in enumerate(s.query(Project).all()):
            project.title_fa = project.title_en = PAYLOADS[(n + 1) % 3] + f" {n}"
            record(s, None, "test.renamed", project)
    staff = app.test_client()
    log_in(staff, "staff@example.org")
    for lang in ("fa", "en"):
        staff.set_cookie("hamyar_lang", lang)
        board = _body(app, "gov-headline", [(i, "value", "") for i in (
            "gov-f-date-from", "gov-f-date-to", "gov-f-table", "gov-f-kind", "gov-f-district")],
            [("gov-f-show-all", "value", False)])
        resp = staff.post("/_dash-update-component", json=board, headers={"X-CSRFToken": csrf(staff)})
        assert resp.status_code == 200
        # by table, by district, by month, coverage, Sankey
        text = _assert_no_live_markup(resp.get_json(), 5)
        assert chart_text(LINK).replace('"', '\\"') in text or chart_text(LINK) in text
        assert "&lt;span style=" in text and "&lt;b&gt;Bold&lt;/b&gt; &amp; " in text


def test_the_pb_rule_comparison_carries_no_markup_from_project_names(site):  # noqa: F811
    app, db, _world, users, _cycle = site
    # A .pb field cannot hold ";" and keeps quotes literally only in pairs: the same payloads, single-quoted.
    names = ["<a href='https://evil.example/phish'>Click to claim</a>", "<span style='font-size:48px'>BIG</span>",
             "<b>x</b> & <i>y</i>"]
    pb = ("META\nkey;value\ndescription;Tiny\nnum_projects;3\nnum_votes;3\nbudget;200\nvote_type;approval\n"
          "PROJECTS\nproject_id;cost;name\n" + "".join(f"p{i};50;{n}\n" for i, n in enumerate(names))
          + "VOTES\nvoter_id;vote\nv1;p0\nv2;p0,p1\nv3;p2\n").encode()
    client = _client(app, "gov")
    resp = _post(client, app, _key(app, f"{pb_ids.PB_IMPORT_MESSAGE}."), {
        pb_ids.PB_UPLOAD: "data:text/plain;base64," + base64.b64encode(pb).decode(), pb_ids.PB_IMPORT_RULE: "greedy"},
        f"{pb_ids.PB_UPLOAD}.contents")
    assert "Imported as cycle" in str(resp.get_json())
    from sqlalchemy import func, select

    from models.orm.pb import PBCycle

    with db.reader() as s:
        cid = s.scalar(select(func.max(PBCycle.id)))
    import models.pb.counting_jobs as counting_jobs  # counting runs as a job; compare reads its results

    counting_jobs.run_claimed_count(db, counting_jobs.claim_count(db, users["gov"], cid, ("greedy", "mes")),
                                    users["gov"])
    out = _post(client, app, _key(app, f"{pb_ids.PB_COMPARE}."), {
        pb_ids.PB_RULE_A: "greedy", pb_ids.PB_RULE_B: "mes", pb_ids.PB_SELECT: str(cid), pb_ids.PB_REFRESH: 0},
        f"{pb_ids.PB_SELECT}.value")
    assert out.status_code == 200
    text = _assert_no_live_markup(out.get_json(), 1)
    assert "&lt;span style=" in text and "&lt;b&gt;x&lt;/b&gt; &amp; &lt;i&gt;" in text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_chart_builder_escapes(payload):
    """The five governorate builders, fed the payload directly as every name they show."""
    from dash_app.ui import governorate_charts as charts_gov
    from models.core.enums import HelpKind
    from models.reporting.dashboard import GroupTotal, ProjectCoverage, SankeyFlows

    group = GroupTotal(1, payload, payload, {HelpKind.FINANCIAL: 50_000_000})
    figures = [charts_gov.groups_figure([group], payload, "en", unknown_label=payload),
               charts_gov.coverage_figure([ProjectCoverage(1, payload, payload, 1, 10, 5, 2)], "fa"),
               charts_gov.sankey_figure(SankeyFlows({1: (payload, payload)}, {2: (payload, payload, 1)},
                                                    {(HelpKind.FINANCIAL, 1): 100}, {(1, 2): 100}), "fa")]
    _assert_no_live_markup(json.loads(json.dumps([f.to_plotly_json() for f in figures], default=list)), 3)
