"""Pieces the citizen proposal pages share: the wording of kinds, statuses and answer types, one row of a list.

Imports dash, dash_app (i18n, layout, names) and models (voice).
"""
from __future__ import annotations

from dash import dcc, html

from dash_app.i18n import _l, format_date, format_number
from dash_app.layout import icon
from dash_app.ui.names import name_in
from models.voice.proposals import ProposalRow

KIND_LABELS = {"problem": _l("Problem"), "talent": _l("Untapped talent")}
STATUS_LABELS = {"new": _l("New"), "diagnosis": _l("Under diagnosis"), "adopted": _l("Adopted as a project"),
                 "answered": _l("Answered"), "declined": _l("Declined"), "merged": _l("Merged")}
ANSWER_LABELS = {"already_planned": _l("Already planned"), "not_remit": _l("Not this table's remit"),
                 "not_feasible": _l("Not feasible"), "needs_evidence": _l("Needs more evidence")}
STATUS_COLOURS = {"new": "primary", "diagnosis": "info", "adopted": "success", "answered": "secondary",
                  "declined": "dark", "merged": "light"}


def status_badge(status: str) -> html.Span:
    return html.Span(str(STATUS_LABELS.get(status, status)),
                     className=f"badge text-bg-{STATUS_COLOURS.get(status, 'secondary')}",
                     **{"data-status": status})


def proposal_item(row: ProposalRow, lang: str) -> html.Li:
    table = name_in(lang, row.table_fa, row.table_en) if row.table_id else str(_l("No table chosen yet"))
    facts = [str(KIND_LABELS.get(row.kind, row.kind)), name_in(lang, row.district_fa, row.district_en), table,
             format_date(row.created_at, lang)]
    return html.Li([
        html.Div([dcc.Link(row.title, href=f"/proposals/{row.id}", className="fw-semibold"), status_badge(row.status)],
                 className="d-flex justify-content-between gap-2"),
        html.Div([" · ".join(facts), html.Span([icon("hand-thumbs-up", "ms-2 me-1"),
                                                format_number(row.supporters, lang)],
                                               **{"data-supporters": str(row.supporters)})],
                 className="small text-body-secondary"),
    ], className="list-group-item", **{"data-proposal": str(row.id)})
