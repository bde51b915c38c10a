"""Plotly figures that follow the user's language: font, digits, separators and reading direction.

Imports plotly and dash_app.i18n only. Pages build a figure, then pass it through `localise_figure`,
which also escapes every text in it (`escape_figure_text`): Plotly renders a subset of HTML in labels,
titles, legends and hover text, so a project or table title could otherwise add links and styling.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import plotly.graph_objects as go

from dash_app.i18n import (
    PERSIAN_DECIMAL,
    PERSIAN_THOUSANDS,
    format_number,
    localise_digits,
    resolve_language,
)

FONT_FAMILY = "Vazirmatn, Tahoma, sans-serif"


def figure_layout(lang: str | None = None) -> dict:
    """Layout settings for `fig.update_layout(**figure_layout())`."""
    lang = resolve_language(lang)
    rtl = lang == "fa"
    return {
        "font": {"family": FONT_FAMILY},
        # Plotly's number separators: decimal then thousands.
        "separators": (PERSIAN_DECIMAL + PERSIAN_THOUSANDS) if rtl else ".,",
        "legend": {"xanchor": "right" if rtl else "left", "x": 1 if rtl else 0},
        "title": {"x": 1 if rtl else 0, "xanchor": "right" if rtl else "left"},
        "hoverlabel": {"font": {"family": FONT_FAMILY}, "align": "right" if rtl else "left"},
        "margin": {"l": 40, "r": 40, "t": 50, "b": 40},
    }


def persian_ticks(values: Iterable[float], lang: str | None = None) -> dict:
    """tickvals/ticktext for an axis, so its numbers show in the language's digits."""
    values = list(values)
    return {"tickmode": "array", "tickvals": values, "ticktext": [format_number(v, lang) for v in values]}


def localise_labels(labels: Sequence[object], lang: str | None = None) -> list[str]:
    """Category labels (years, ids) with the language's digits."""
    return [localise_digits(label, lang) for label in labels]


def chart_text(value: object) -> str:
    """`value` as Plotly shows it literally: `&`, `<` and `>` as entities, so no tag in it is rendered."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _is_template_key(key: str) -> bool:
    # hovertemplate, texttemplate, ... hold this code's own markup (<br>, <extra>) around %{...}
    # placeholders, never user text; the values they show are escaped where they are stored.
    return key.endswith("template")


def _escape_tree(value: Any) -> Any:
    if isinstance(value, str):
        return chart_text(value)
    if isinstance(value, dict):
        return {k: v if _is_template_key(str(k)) else _escape_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escape_tree(v) for v in value]
    tolist = getattr(value, "tolist", None)  # a NumPy array of text
    if callable(tolist) and getattr(getattr(value, "dtype", None), "kind", "") in "OUS":
        return _escape_tree(tolist())
    return value


def escape_figure_text(fig: go.Figure) -> go.Figure:
    """Escape every text of every trace and of the layout in place (once; the template is Plotly's own)."""
    if getattr(fig, "_hamyar_escaped", False):
        return fig
    for trace in fig.data:
        trace.update(_escape_tree(trace.to_plotly_json()), overwrite=True)
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    fig.layout.update(_escape_tree(layout), overwrite=True)
    fig._hamyar_escaped = True
    return fig


def localise_figure(fig: go.Figure, lang: str | None = None, *, numeric_axis: str | None = None,
                    ticks: Iterable[float] | None = None) -> go.Figure:
    """Apply the language to `fig` in place and return it.

    In Persian the horizontal axis runs right to left and the vertical axis sits on the right.
    `numeric_axis` ("x" or "y") with `ticks` writes that axis's tick labels in Persian digits.
    Every text already in the figure is escaped (`escape_figure_text`): call this after adding traces.
    """
    escape_figure_text(fig)
    fig.update_layout(localised_layout({}, lang, numeric_axis=numeric_axis, ticks=ticks))  # one x and one y axis
    return fig


def merge_layout(layout: dict, update: dict) -> dict:
    """`update` merged into the layout dict `layout` as `fig.update_layout` merges: dicts key by key, the rest
    replaced. With `localised_layout` and `built_figure` a chart is built in one go: each `update_layout` on a
    Figure runs Plotly's validators over what it sets, and the governorate's charts did that ~8 times each."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            merge_layout(layout[key], value)
        else:
            layout[key] = merge_layout({}, value) if isinstance(value, dict) else value
    return layout


def localised_layout(layout: dict, lang: str | None = None, *, numeric_axis: str | None = None,
                     ticks: Iterable[float] | None = None) -> dict:
    """What `localise_figure` sets, merged into a layout dict (the escaping is `built_figure`'s)."""
    lang = resolve_language(lang)
    merge_layout(layout, figure_layout(lang))
    if lang == "fa":
        merge_layout(layout, {"xaxis": {"autorange": "reversed"}, "yaxis": {"side": "right"}})
    if numeric_axis and ticks is not None:
        merge_layout(layout, {f"{numeric_axis}axis": persian_ticks(ticks, lang)})
    return layout


def built_figure(traces: Sequence[Any], layout: dict) -> go.Figure:
    """The Figure of `traces` and a finished `layout` dict, validated once, every text escaped."""
    return escape_figure_text(go.Figure(data=list(traces), layout=layout))


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `maximum` (1, 2 or 5 times a power of ten apart)."""
    import math

    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    n = math.ceil(maximum / step)
    return [round(i * step, 10) for i in range(n + 1)]
