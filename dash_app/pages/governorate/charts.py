"""The governorate's charts as plain functions: dashboard aggregates in, Plotly figures out.

Imports plotly, dash_app.i18n and dash_app.charts (and models' result types); no Dash, no database.
Every figure follows the language: Persian digits and separators, right-to-left axes, Vazirmatn.
Money is shown in million toman (rials / 10,000,000) so the bars stay readable.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from dash_app.i18n import _, _l, format_number, format_percent, localise_digits, resolve_language
from dash_app.ui.charts import localise_figure, localise_labels
from dash_app.ui.labels import kind_label
from dash_app.ui.names import name_in
from models.core.enums import HelpKind
from models.reporting.dashboard import GroupTotal, MonthTotal, ProjectCoverage, SankeyFlows

KIND_COLOURS = {
    HelpKind.FINANCIAL: "#0d6efd",
    HelpKind.LOGISTICS: "#fd7e14",
    HelpKind.DESIGN: "#6f42c1",
    HelpKind.EXECUTION: "#198754",
}
JALALI_MONTHS = [_l("Farvardin"), _l("Ordibehesht"), _l("Khordad"), _l("Tir"), _l("Mordad"), _l("Shahrivar"),
                 _l("Mehr"), _l("Aban"), _l("Azar"), _l("Dey"), _l("Bahman"), _l("Esfand")]
MILLION_TOMAN = 10_000_000  # rials


def million_toman(rials: int) -> float:
    return rials / MILLION_TOMAN


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `maximum` (1, 2 or 5 times a power of ten apart)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    n = math.ceil(maximum / step)
    return [round(i * step, 10) for i in range(n + 1)]


def _empty(fig: go.Figure, lang: str) -> go.Figure:
    fig.add_annotation(text=_("Nothing mobilised for these filters yet."), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper", font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def groups_figure(groups: Sequence[GroupTotal], title: str, lang: str | None = None,
                  unknown_label: str | None = None) -> go.Figure:
    """Horizontal stacked bars: one bar per table or district, one colour per kind of help."""
    lang = resolve_language(lang)
    names = [name_in(lang, g.name_fa, g.name_en) or (unknown_label or _("Unknown")) for g in groups]
    fig = go.Figure()
    for kind in HelpKind:
        values = [million_toman(g.value_by_kind.get(kind, 0)) for g in groups]
        if not any(values):
            continue
        fig.add_trace(go.Bar(
            y=names, x=values, name=kind_label(kind), orientation="h", marker_color=KIND_COLOURS[kind],
            customdata=[format_number(v, lang, decimals=1) for v in values],
            hovertemplate="%{y}<br>" + kind_label(kind) + ": %{customdata} " + _("million toman") + "<extra></extra>"))
    fig.update_layout(barmode="stack", title=title, height=max(260, 60 + 34 * len(groups)),
                      xaxis_title=_("million toman"))
    fig.update_yaxes(autorange="reversed")  # largest first, at the top
    if not groups:
        return localise_figure(_empty(fig, lang), lang)
    top = max(million_toman(g.value) for g in groups)
    fig = localise_figure(fig, lang, numeric_axis="x", ticks=nice_ticks(top))
    fig.update_yaxes(autorange="reversed")
    return fig


def month_label(year: int, month: int, lang: str | None = None) -> str:
    return f"{JALALI_MONTHS[month - 1]} {localise_digits(year, lang)}"


def months_figure(months: Sequence[MonthTotal], lang: str | None = None) -> go.Figure:
    """Stacked columns per Jalali month (right to left in Persian)."""
    lang = resolve_language(lang)
    labels = [month_label(m.year, m.month, lang) for m in months]
    fig = go.Figure()
    for kind in HelpKind:
        values = [million_toman(m.value_by_kind.get(kind, 0)) for m in months]
        if not any(values):
            continue
        fig.add_trace(go.Bar(x=labels, y=values, name=kind_label(kind), marker_color=KIND_COLOURS[kind],
                             customdata=[format_number(v, lang, decimals=1) for v in values],
                             hovertemplate="%{x}<br>" + kind_label(kind) + ": %{customdata} " + _("million toman")
                             + "<extra></extra>"))
    fig.update_layout(barmode="stack", title=_("Over time, by Jalali month"), height=340,
                      yaxis_title=_("million toman"))
    if not months:
        return localise_figure(_empty(fig, lang), lang)
    top = max(million_toman(m.value) for m in months)
    return localise_figure(fig, lang, numeric_axis="y", ticks=nice_ticks(top))


def coverage_figure(rows: Sequence[ProjectCoverage], lang: str | None = None, limit: int = 25) -> go.Figure:
    """The least covered open projects: covered (accepted, delivered) and proposed share of their needs."""
    lang = resolve_language(lang)
    rows = [r for r in rows if r.needed_value > 0][:limit]
    names = [name_in(lang, r.title_fa, r.title_en) for r in rows]
    covered = [100 * r.covered_value / r.needed_value for r in rows]
    proposed = [100 * r.proposed_value / r.needed_value for r in rows]
    fig = go.Figure([
        go.Bar(y=names, x=covered, orientation="h", name=_("Covered"), marker_color="#198754",
               customdata=[format_percent(c / 100, lang) for c in covered],
               hovertemplate="%{y}<br>" + _("Covered") + ": %{customdata}<extra></extra>"),
        go.Bar(y=names, x=proposed, orientation="h", name=_("Proposed, awaiting the chair"),
               marker_color="#ffc107", customdata=[format_percent(p / 100, lang) for p in proposed],
               hovertemplate="%{y}<br>" + _("Proposed, awaiting the chair") + ": %{customdata}<extra></extra>"),
    ])
    fig.update_layout(barmode="stack", title=_("Coverage of open projects' needs (least covered first)"),
                      height=max(280, 60 + 26 * len(rows)), xaxis_title=_("percent of needs (valued in rials)"))
    if not rows:
        return localise_figure(_empty(fig, lang), lang)
    fig = localise_figure(fig, lang, numeric_axis="x", ticks=[0, 25, 50, 75, 100])
    fig.update_xaxes(range=[0, 100] if lang != "fa" else [100, 0], autorange=False)
    fig.update_yaxes(autorange="reversed")
    return fig


def sankey_figure(flows: SankeyFlows, lang: str | None = None) -> go.Figure:
    """Kinds of help -> tables -> projects, link widths in rials (labels in million toman)."""
    lang = resolve_language(lang)
    labels: list[str] = []
    colours: list[str] = []
    index: dict[tuple[str, object], int] = {}

    def node(key: tuple[str, object], label: str, colour: str) -> int:
        if key not in index:
            index[key] = len(labels)
            labels.append(label)
            colours.append(colour)
        return index[key]

    source, target, value, link_colours, custom = [], [], [], [], []
    for (kind, tid), rials in sorted(flows.kind_to_table.items(), key=lambda kv: (list(HelpKind).index(kv[0][0]),
                                                                                    kv[0][1])):
        if rials <= 0:
            continue
        k = node(("kind", kind), kind_label(kind), KIND_COLOURS[kind])
        fa, en = flows.tables.get(tid, ("", ""))
        t = node(("table", tid), name_in(lang, fa, en), "#6c757d")
        source.append(k)
        target.append(t)
        value.append(rials)
        link_colours.append(KIND_COLOURS[kind] + "66")
        custom.append(format_number(million_toman(rials), lang, decimals=1))
    for (tid, pid), rials in sorted(flows.table_to_project.items()):
        if rials <= 0:
            continue
        fa, en = flows.tables.get(tid, ("", ""))
        t = node(("table", tid), name_in(lang, fa, en), "#6c757d")
        pfa, pen, _tid = flows.projects.get(pid, ("", "", tid))
        p = node(("project", pid), name_in(lang, pfa, pen), "#adb5bd")
        source.append(t)
        target.append(p)
        value.append(rials)
        link_colours.append("rgba(108,117,125,0.3)")
        custom.append(format_number(million_toman(rials), lang, decimals=1))
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "color": colours, "pad": 12, "thickness": 14,
              "hovertemplate": "%{label}<extra></extra>"},
        link={"source": source, "target": target, "value": value, "color": link_colours, "customdata": custom,
              "hovertemplate": "%{source.label} → %{target.label}<br>%{customdata} " + _("million toman")
              + "<extra></extra>"},
        valueformat=",.0f",
    ))
    fig.update_layout(title=_("From kinds of help to tables to projects"),
                      height=max(360, 18 * len([k for k in index if k[0] == "project"]) + 120))
    if not value:
        fig = _empty(fig, lang)
    fig = localise_figure(fig, lang)
    return fig


__all__ = ["JALALI_MONTHS", "KIND_COLOURS", "coverage_figure", "groups_figure", "kind_label",
           "million_toman", "month_label", "months_figure", "nice_ticks", "sankey_figure", "localise_labels"]
