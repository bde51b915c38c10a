"""The governorate's charts as plain functions: dashboard aggregates in, Plotly figures out.

Imports plotly, dash_app.i18n and dash_app.charts (and models' result types); no Dash, no database.
Every figure follows the language: Persian digits and separators, right-to-left axes, Vazirmatn.
Money is shown in million toman (rials / 10,000,000) so the bars stay readable.
"""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from dash import html

from dash_app.i18n import _, _l, format_number, format_percent, localise_digits, resolve_language
from dash_app.ui.charts import (
    built_figure,
    localise_labels,
    localised_layout,
    merge_layout,
    nice_ticks,
)
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
COVERED_COLOUR, PROPOSED_COLOUR = "#198754", "#ffc107"
JALALI_MONTHS = [_l("Farvardin"), _l("Ordibehesht"), _l("Khordad"), _l("Tir"), _l("Mordad"), _l("Shahrivar"),
                 _l("Mehr"), _l("Aban"), _l("Azar"), _l("Dey"), _l("Bahman"), _l("Esfand")]
MILLION_TOMAN = 10_000_000  # rials
TOP_N = 10          # bars (and Sankey projects) shown before "show all"; the rest are one "others" bar
LABEL_MAX = 28      # characters of a category label on an axis; the hover shows the whole name


def short_label(label: str) -> str:
    """A category label that fits beside an axis (the whole name stays in the hover)."""
    label = " ".join(str(label).split())
    return label if len(label) <= LABEL_MAX else label[:LABEL_MAX - 1].rstrip() + "…"


def without_common_words(names: Sequence[str]) -> list[str]:
    """Names without the words they all begin or end with («میز تخصصی …», "… table"): shorter labels, same meaning
    (the chart's title says what they are). A single name, or names left empty, are kept whole."""
    words = [n.split() for n in names]
    if len(words) < 2 or any(not w for w in words):
        return list(names)
    lead = 0
    while all(len(w) > lead + 1 and w[lead] == words[0][lead] for w in words):
        lead += 1
    tail = 0
    while all(len(w) > lead + tail + 1 and w[-1 - tail] == words[0][-1 - tail] for w in words):
        tail += 1
    return [" ".join(w[lead:len(w) - tail]) for w in words]


def fit_layout(layout: dict, lang: str, *, top: int = 50) -> dict:
    """Room for every label in both directions: margins grow to the tick labels (automargin) on whichever
    side the axis sits (the right in Persian), axis titles stand off their ticks, and the title keeps off the
    edge. The legend is the page's (`chart_legend`), not Plotly's: Plotly wraps a horizontal legend to the plot's
    width, which the names beside the bars narrow, so on a 360 px phone the four kinds of help took four rows
    and rose into the title, and a long entry ran into the next or was cut; HTML wraps them as text does."""
    return merge_layout(layout, {
        "margin": {"l": 8, "r": 8, "t": top, "b": 40},
        "showlegend": False,
        "title": {"y": 0.98, "yanchor": "top", "pad": {"l": 8, "r": 8}},
        "xaxis": {"automargin": True, "title": {"standoff": 10}},
        "yaxis": {"automargin": True, "title": {"standoff": 10}}})


def chart_legend(entries: Sequence[tuple[str, str]]) -> html.Ul:
    """A chart's legend as a list of (colour, label): swatches and words that wrap like text, in the page's
    reading direction."""
    return html.Ul([html.Li([html.Span(className="chart-legend-swatch", style={"backgroundColor": colour},
                                       **{"aria-hidden": "true"}), label]) for colour, label in entries],
                   className="chart-legend list-unstyled small mb-1")


def kinds_legend() -> html.Ul:
    """The legend of the charts coloured by kind of help."""
    return chart_legend([(KIND_COLOURS[kind], kind_label(kind)) for kind in HelpKind])


def coverage_legend() -> html.Ul:
    return chart_legend([(COVERED_COLOUR, _("Covered")), (PROPOSED_COLOUR, _("Proposed, awaiting the chair"))])


def _top(groups: Sequence[GroupTotal], limit: int | None, lang: str) -> list[GroupTotal]:
    """The `limit` largest groups and one "others" group holding the rest (so the bars still add up)."""
    groups = list(groups)
    if not limit or len(groups) <= limit:
        return groups
    rest = groups[limit:]
    merged: dict[HelpKind, int] = {}
    for g in rest:
        for k, v in g.value_by_kind.items():
            merged[k] = merged.get(k, 0) + v
    others = _("Others (%(n)s)", n=format_number(len(rest), lang))
    return groups[:limit] + [GroupTotal(-1, others, others, merged)]


def million_toman(rials: int) -> float:
    return rials / MILLION_TOMAN


def _empty(layout: dict, lang: str) -> dict:
    layout["annotations"] = [*layout.get("annotations", []), {
        "font": {"size": 14}, "showarrow": False, "text": _("Nothing mobilised for these filters yet."),
        "x": 0.5, "xref": "paper", "y": 0.5, "yref": "paper"}]
    return merge_layout(layout, {"xaxis": {"visible": False}, "yaxis": {"visible": False}})


def groups_figure(groups: Sequence[GroupTotal], title: str, lang: str | None = None,
                  unknown_label: str | None = None, limit: int | None = None) -> go.Figure:
    """Horizontal stacked bars: one bar per table or district, one colour per kind of help.

    `limit`: the largest that many, the rest as one "others" bar (the phone layout; "show all" lifts it).
    """
    lang = resolve_language(lang)
    groups = _top(groups, limit, lang)
    full = [name_in(lang, g.name_fa, g.name_en) or (unknown_label or _("Unknown")) for g in groups]
    real = [i for i, g in enumerate(groups) if g.id != -1]   # the "others" bar keeps its own words
    stripped = dict(zip(real, without_common_words([full[i] for i in real])))
    names = [short_label(stripped.get(i, n)) for i, n in enumerate(full)]
    traces = []
    for kind in HelpKind:
        values = [million_toman(g.value_by_kind.get(kind, 0)) for g in groups]
        if not any(values):
            continue
        traces.append(go.Bar(
            y=names, x=values, name=kind_label(kind), orientation="h", marker_color=KIND_COLOURS[kind],
            customdata=[[n, format_number(v, lang, decimals=1)] for n, v in zip(full, values)],
            hovertemplate="%{customdata[0]}<br>" + kind_label(kind) + ": %{customdata[1]} " + _("million toman")
            + "<extra></extra>"))
    layout = {"barmode": "stack", "title": {"text": title}, "height": max(280, 110 + 34 * len(groups)),
              "xaxis": {"title": {"text": _("million toman")}},
              "yaxis": {"autorange": "reversed"}}  # largest first, at the top
    if not groups:
        return built_figure(traces, localised_layout(_empty(layout, lang), lang))
    top = max(million_toman(g.value) for g in groups)
    return built_figure(traces, fit_layout(localised_layout(layout, lang, numeric_axis="x", ticks=nice_ticks(top)),
                                           lang))


def month_label(year: int, month: int, lang: str | None = None) -> str:
    return f"{JALALI_MONTHS[month - 1]} {localise_digits(year, lang)}"


def months_figure(months: Sequence[MonthTotal], lang: str | None = None) -> go.Figure:
    """Stacked columns per Jalali month (right to left in Persian)."""
    lang = resolve_language(lang)
    labels = [month_label(m.year, m.month, lang) for m in months]
    traces = []
    for kind in HelpKind:
        values = [million_toman(m.value_by_kind.get(kind, 0)) for m in months]
        if not any(values):
            continue
        traces.append(go.Bar(x=labels, y=values, name=kind_label(kind), marker_color=KIND_COLOURS[kind],
                             customdata=[format_number(v, lang, decimals=1) for v in values],
                             hovertemplate="%{x}<br>" + kind_label(kind) + ": %{customdata} " + _("million toman")
                             + "<extra></extra>"))
    layout = {"barmode": "stack", "title": {"text": _("Over time, by Jalali month")}, "height": 360,
              "yaxis": {"title": {"text": _("million toman")}}}
    if not months:
        return built_figure(traces, localised_layout(_empty(layout, lang), lang))
    top = max(million_toman(m.value) for m in months)
    return built_figure(traces, fit_layout(localised_layout(layout, lang, numeric_axis="y", ticks=nice_ticks(top)),
                                           lang))


def coverage_figure(rows: Sequence[ProjectCoverage], lang: str | None = None, limit: int = 25) -> go.Figure:
    """The least covered open projects: covered (accepted, delivered) and proposed share of their needs."""
    lang = resolve_language(lang)
    rows = [r for r in rows if r.needed_value > 0][:limit]
    full = [name_in(lang, r.title_fa, r.title_en) for r in rows]
    names = [short_label(n) for n in full]
    covered = [100 * r.covered_value / r.needed_value for r in rows]
    proposed = [100 * r.proposed_value / r.needed_value for r in rows]
    traces = [
        go.Bar(y=names, x=covered, orientation="h", name=_("Covered"), marker_color=COVERED_COLOUR,
               customdata=[[n, format_percent(c / 100, lang)] for n, c in zip(full, covered)],
               hovertemplate="%{customdata[0]}<br>" + _("Covered") + ": %{customdata[1]}<extra></extra>"),
        go.Bar(y=names, x=proposed, orientation="h", name=_("Proposed, awaiting the chair"),
               marker_color=PROPOSED_COLOUR, customdata=[[n, format_percent(p / 100, lang)] for n, p in zip(full, proposed)],
               hovertemplate="%{customdata[0]}<br>" + _("Proposed, awaiting the chair") + ": %{customdata[1]}"
               "<extra></extra>"),
    ]
    # a title and a subtitle: on a phone the title in one line overran the chart on both sides
    layout = {"barmode": "stack", "title": {"text": _("Coverage of open projects' needs"),
                                            "subtitle": {"text": _("least covered first")}},
              "height": max(300, 110 + 28 * len(rows)),
              "xaxis": {"title": {"text": _("percent of needs (valued in toman)")}}}
    if not rows:
        return built_figure(traces, localised_layout(_empty(layout, lang), lang))
    localised_layout(layout, lang, numeric_axis="x", ticks=[0, 25, 50, 75, 100])
    merge_layout(layout, {"xaxis": {"range": [0, 100] if lang != "fa" else [100, 0], "autorange": False},
                          "yaxis": {"autorange": "reversed"}})
    # the subtitle needs the room
    return built_figure(traces, fit_layout(layout, lang, top=72))


def sankey_figure(flows: SankeyFlows, lang: str | None = None, limit: int | None = None) -> go.Figure:
    """Kinds of help -> tables -> projects, link widths in rials (labels in million toman).

    `limit`: the largest that many projects by name; each table's other projects are one "other projects"
    node, so the labels stay apart (the phone layout; "show all" lifts it).
    """
    lang = resolve_language(lang)
    kept: set[int] | None = None
    if limit:
        by_project: dict[int, int] = {}
        for (_tid, pid), rials in flows.table_to_project.items():
            by_project[pid] = by_project.get(pid, 0) + rials
        kept = {pid for pid, _v in sorted(by_project.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]}
    labels: list[str] = []
    colours: list[str] = []
    index: dict[tuple[str, object], int] = {}

    def node(key: tuple[str, object], label: str, colour: str) -> int:
        if key not in index:
            index[key] = len(labels)
            labels.append(label)
            colours.append(colour)
        return index[key]

    table_ids = sorted(flows.tables)
    table_label = dict(zip(table_ids, without_common_words([name_in(lang, *flows.tables[t]) for t in table_ids])))
    source, target, value, link_colours, custom = [], [], [], [], []
    for (kind, tid), rials in sorted(flows.kind_to_table.items(), key=lambda kv: (list(HelpKind).index(kv[0][0]),
                                                                                    kv[0][1])):
        if rials <= 0:
            continue
        k = node(("kind", kind), kind_label(kind), KIND_COLOURS[kind])
        fa, en = flows.tables.get(tid, ("", ""))
        t = node(("table", tid), short_label(table_label.get(tid) or name_in(lang, fa, en)), "#6c757d")
        source.append(k)
        target.append(t)
        value.append(rials)
        link_colours.append(KIND_COLOURS[kind] + "66")
        custom.append(format_number(million_toman(rials), lang, decimals=1))
    others: dict[int, int] = {}
    for (tid, pid), rials in sorted(flows.table_to_project.items()):
        if rials <= 0:
            continue
        if kept is not None and pid not in kept:
            others[tid] = others.get(tid, 0) + rials
            continue
        fa, en = flows.tables.get(tid, ("", ""))
        t = node(("table", tid), short_label(table_label.get(tid) or name_in(lang, fa, en)), "#6c757d")
        pfa, pen, _tid = flows.projects.get(pid, ("", "", tid))
        p = node(("project", pid), short_label(name_in(lang, pfa, pen)), "#adb5bd")
        source.append(t)
        target.append(p)
        value.append(rials)
        link_colours.append("rgba(108,117,125,0.3)")
        custom.append(format_number(million_toman(rials), lang, decimals=1))
    for tid, rials in sorted(others.items()):
        fa, en = flows.tables.get(tid, ("", ""))
        t = node(("table", tid), short_label(table_label.get(tid) or name_in(lang, fa, en)), "#6c757d")
        p = node(("others", tid), _("other projects"), "#dee2e6")
        source.append(t)
        target.append(p)
        value.append(rials)
        link_colours.append("rgba(108,117,125,0.2)")
        custom.append(format_number(million_toman(rials), lang, decimals=1))
    sankey = go.Sankey(
        arrangement="snap",
        node={"label": labels, "color": colours, "pad": 20, "thickness": 14,
              "hovertemplate": "%{label}<extra></extra>"},
        textfont={"size": 11},
        link={"source": source, "target": target, "value": value, "color": link_colours, "customdata": custom,
              "hovertemplate": "%{source.label} → %{target.label}<br>%{customdata} " + _("million toman")
              + "<extra></extra>"},
        valueformat=",.0f",
    )
    ends = len([k for k in index if k[0] in ("project", "others")])
    layout = {"title": {"text": _("From kinds of help to tables to projects")}, "height": max(380, 30 * ends + 120)}
    if not value:
        _empty(layout, lang)
    localised_layout(layout, lang)
    merge_layout(layout, {"margin": {"l": 8, "r": 8, "t": 60, "b": 16}})
    return built_figure([sankey], layout)


__all__ = ["JALALI_MONTHS", "KIND_COLOURS", "LABEL_MAX", "TOP_N", "chart_legend", "coverage_figure", "coverage_legend",
           "fit_layout", "groups_figure", "kind_label", "kinds_legend", "short_label", "without_common_words",
           "million_toman", "month_label", "months_figure", "nice_ticks", "sankey_figure", "localise_labels"]
