"""Issue 20 item 5: the dashboard's charts fit in Persian at 1280 px and at 360 px (layout side; the browser test
tests/browser/test_field_fixes.py measures the drawn labels), and the PB comparison's ticks are round."""
from __future__ import annotations

import pytest

from dash_app.ui import governorate_charts as charts
from dash_app.ui.charts import nice_ticks
from models.core.enums import HelpKind
from models.reporting.dashboard import GroupTotal, SankeyFlows


@pytest.fixture
def ctx(app):
    def make(lang):
        return app.test_request_context("/", headers={"Cookie": f"hamyar_lang={lang}"})
    return make


def _groups(n: int) -> list[GroupTotal]:
    return [GroupTotal(i, f"میز تخصصی موضوع شمارهٔ {i} با نامی بسیار بلند برای آزمون", f"Topic {i} table",
                       {HelpKind.FINANCIAL: (n - i) * 10_000_000, HelpKind.EXECUTION: 5_000_000}) for i in range(n)]


def test_bars_keep_the_largest_ten_and_one_others_bar_that_adds_up(ctx):
    groups = _groups(15)
    with ctx("fa"):
        fig = charts.groups_figure(groups, "t", "fa", limit=charts.TOP_N)
    money = next(t for t in fig.data if t.name == "مالی")
    assert len(money.y) == 11 and money.y[-1].startswith("سایر")
    assert sum(money.x) == pytest.approx(sum(g.value_by_kind[HelpKind.FINANCIAL] for g in groups) / 10_000_000)
    # the shared «میز تخصصی» is dropped, long names are cut at LABEL_MAX, the hover keeps the whole name
    assert not any(label.startswith("میز تخصصی") for label in money.y[:-1])
    assert all(len(label) <= charts.LABEL_MAX for label in money.y)
    assert money.customdata[0][0] == groups[0].name_fa and "%{customdata[0]}" in money.hovertemplate
    with ctx("fa"):
        everything = charts.groups_figure(groups, "t", "fa", limit=None)
    assert len(everything.data[0].y) == 15


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_margins_grow_to_the_labels_and_the_legend_is_the_page_s(ctx, lang):
    with ctx(lang):
        fig = charts.groups_figure(_groups(3), "t", lang)
        legend = charts.kinds_legend()
    assert fig.layout.yaxis.automargin and fig.layout.xaxis.automargin
    assert fig.layout.yaxis.side == ("right" if lang == "fa" else None)
    # Plotly's legend wrapped to the plot's width and rose into the title on a phone: the page draws it
    assert fig.layout.showlegend is False and fig.layout.margin.t >= 40
    colours = {trace.name: trace.marker.color for trace in fig.data}
    entries = {li.children[1]: li.children[0].style["backgroundColor"] for li in legend.children}
    assert colours and all(entries[name] == colour for name, colour in colours.items())  # same words, same colours
    assert len(entries) == len(HelpKind)
    with ctx(lang):
        names = charts.groups_figure(_groups(3), "t", lang).data[0].y
    assert names[0] == ("موضوع شمارهٔ ۰ با نامی بسیار…" if lang == "fa" else "Topic 0") or len(names[0]) <= 28


def test_the_sankey_keeps_the_largest_projects_and_groups_the_rest_per_table(ctx):
    flows = SankeyFlows(
        tables={1: ("میز تخصصی سلامت", "Health table"), 2: ("میز تخصصی محیط زیست", "Environment table")},
        projects={p: (f"پروژه {p}", f"Project {p}", 1 if p < 8 else 2) for p in range(16)},
        kind_to_table={(HelpKind.FINANCIAL, 1): 800, (HelpKind.FINANCIAL, 2): 800},
        table_to_project={(1 if p < 8 else 2, p): 100 for p in range(16)})
    with ctx("en"):
        fig = charts.sankey_figure(flows, "en", limit=charts.TOP_N)
        full = charts.sankey_figure(flows, "en")
    labels = list(fig.data[0].node.label)
    assert sum(1 for lab in labels if lab.startswith("Project")) == charts.TOP_N
    assert labels.count("other projects") == 1   # projects 10-15, all of the environment table
    assert sum(fig.data[0].link.value) == sum(full.data[0].link.value)
    assert "Health" in labels and "Health table" not in labels   # the shared word "table" is dropped


def test_round_ticks_for_the_pb_comparison():
    assert nice_ticks(243_500_000 / 10) == [0, 5_000_000, 10_000_000, 15_000_000, 20_000_000, 25_000_000]
    assert nice_ticks(17.5) == [0, 5, 10, 15, 20]
