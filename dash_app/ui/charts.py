"""Plotly figures that follow the user's language: font, digits, separators and reading direction.

Imports plotly and dash_app.i18n only. Pages build a figure, then pass it through `localise_figure`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

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


def localise_figure(fig: go.Figure, lang: str | None = None, *, numeric_axis: str | None = None,
                    ticks: Iterable[float] | None = None) -> go.Figure:
    """Apply the language to `fig` in place and return it.

    In Persian the horizontal axis runs right to left and the vertical axis sits on the right.
    `numeric_axis` ("x" or "y") with `ticks` writes that axis's tick labels in Persian digits.
    """
    lang = resolve_language(lang)
    fig.update_layout(**figure_layout(lang))
    if lang == "fa":
        fig.update_xaxes(autorange="reversed")
        fig.update_yaxes(side="right")
    if numeric_axis and ticks is not None:
        update = fig.update_xaxes if numeric_axis == "x" else fig.update_yaxes
        update(**persian_ticks(ticks, lang))
    return fig
