"""Dash's answers encoded by orjson (dash_app/encoding.py, issue 19): the same JSON as plotly's json engine
for real pages and figures, as safe inside an HTML page, and what orjson cannot encode still encoded."""
from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

import numpy as np
import plotly.graph_objects as go
import plotly.io.json as plotly_json
import pytest
from dash import dcc, html

pytest.importorskip("orjson")


@pytest.fixture(scope="module")
def app(seeded_sqlite_file, tmp_path_factory):
    from dash_app import create_app

    path = tmp_path_factory.mktemp("encoding") / "demo.sqlite3"
    shutil.copy(seeded_sqlite_file, path)
    server = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "encoding"})
    yield server
    server.extensions["hamyar_db"].dispose()


def _both(obj):
    fast = plotly_json.to_json_plotly(obj)
    slow = plotly_json.to_json_plotly.plotly_encode(obj, engine="json")
    return fast, slow


def test_the_app_encodes_through_orjson(app):
    assert hasattr(plotly_json.to_json_plotly, "plotly_encode")


def test_pages_and_figures_encode_to_the_same_json(app):
    from dash_app.pages.citizen import home, projects
    from dash_app.pages.table import tables

    with app.test_request_context("/", headers={"Cookie": "hamyar_lang=en"}):
        trees = [home._home(False), projects._projects(projects.filter_from_query({"page": "2"})), tables._tables()]
    figure = go.Figure(go.Bar(x=np.array(["a", "b"]), y=np.array([1.5, float("nan")])))
    figure.add_trace(go.Scatter(x=[datetime(2026, 3, 21, 8, 30, tzinfo=UTC), date(2026, 3, 22)], y=np.arange(2)))
    trees.append(html.Div([dcc.Graph(figure=figure), html.P("ok")]))
    trees.append({"response": {"x": {"children": trees[0]}}, "multi": True})
    for tree in trees:
        fast, slow = _both(tree)
        assert json.loads(fast) == json.loads(slow)


def test_the_text_is_safe_inside_a_page_and_odd_values_still_encode(app):
    fast, slow = _both(html.Div(["</script><script>alert(1)</script>", "\u2028\u2029 / >"]))
    assert "</" not in fast and "<" not in fast and "\u2028" not in fast and "\u2029" not in fast
    assert json.loads(fast) == json.loads(slow)
    big, _slow = _both({"n": 2**70})  # beyond orjson's integers: plotly's encoder takes it
    assert json.loads(big) == {"n": 2**70}
