"""How much of a need is covered, as a bar and its legend.

Imports dash, dash_app.i18n, dash_app.ui.quantities and models (the Coverage type).
"""
from __future__ import annotations

from dash import html

from dash_app.i18n import _, format_percent
from dash_app.ui.quantities import quantity_text
from models.core.enums import HelpKind
from models.projects.browse import Coverage


def coverage_bar(cov: Coverage | float, *, height: str = ".85rem", label: str = "", percent: bool = False) -> html.Div:
    """A stacked bar: accepted (green), proposed (amber, striped) and, as the empty rest, still missing.

    `cov` is a need's Coverage, or a share already covered (0..1, one green segment: a project's mean over its
    needs). `percent` writes the covered share beside the bar.
    """
    def segment(value: float, colour: str, name: str) -> html.Div:
        return html.Div(html.Div(className=f"progress-bar {colour}"), className="progress", role="progressbar",
                        style={"width": f"{value}%"},
                        **{"aria-label": f"{label} {name}".strip(), "aria-valuenow": str(value),
                           "aria-valuemin": "0", "aria-valuemax": "100"})

    if isinstance(cov, Coverage):
        accepted = round(cov.share(cov.accepted) * 100, 1)
        proposed = round(min(cov.share(cov.proposed) * 100, 100 - accepted), 1)
        covered = cov.share(cov.accepted + cov.proposed)
        segments = [segment(accepted, "bg-success", _("accepted")),
                    segment(proposed, "bg-warning progress-bar-striped", _("proposed"))]
    else:
        covered = max(0.0, min(1.0, float(cov)))
        segments = [segment(round(covered * 100, 1), "bg-success", _("Coverage"))]
    bar = html.Div(segments, className="progress-stacked" + (" flex-grow-1" if percent else ""),
                   style={"height": height})
    if not percent:
        return bar
    return html.Div([bar, html.Span(format_percent(min(covered, 1.0)), className="small ms-2 me-2 text-nowrap")],
                    className="d-flex align-items-center")


def coverage_legend(kind: HelpKind, cov: Coverage, lang: str, *, quantities: bool = True) -> html.Div:
    def item(colour: str, text: str) -> html.Span:
        return html.Span([html.Span(className=f"d-inline-block rounded-1 {colour} me-1 align-middle",
                                    style={"width": ".7rem", "height": ".7rem"}, **{"aria-hidden": "true"}),
                          text], className="me-3 text-nowrap d-inline-block")

    if quantities:
        parts = [item("bg-success", _("Accepted: %(q)s", q=quantity_text(kind, cov.accepted, lang))),
                 item("bg-warning", _("Proposed: %(q)s", q=quantity_text(kind, cov.proposed, lang))),
                 item("bg-secondary-subtle border", _("Missing: %(q)s", q=quantity_text(kind, cov.missing, lang)))]
    else:
        parts = [item("bg-success", _("%(p)s accepted", p=format_percent(cov.share(cov.accepted), lang))),
                 item("bg-warning", _("%(p)s proposed", p=format_percent(cov.share(cov.proposed), lang))),
                 item("bg-secondary-subtle border", _("%(p)s missing", p=format_percent(cov.missing_share, lang)))]
    return html.Div(parts, className="small text-body-secondary mt-1")


__all__ = ["coverage_bar", "coverage_legend"]
