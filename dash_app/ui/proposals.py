"""Pieces the citizen proposal pages share: the wording of kinds, statuses and answer types, one row of a list.

Imports dash, dash_app (i18n, layout, names) and models (voice).
"""
from __future__ import annotations

from dash import dcc, html

from dash_app.i18n import _, _l, format_date, format_number
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


def proposal_item(row: ProposalRow, lang: str, *, mine: bool = False) -> html.Li:
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
    ], className="list-group-item", **{"data-my-proposal" if mine else "data-proposal": str(row.id)})


CORE_ROLES = {"lead": _l("Lead of the key core"), "expert": _l("Expert in the key core"),
              "field": _l("Field member of the key core")}


def my_proposals_section(citizen_id: int, lang: str) -> html.Section:
    """On /my: the citizen's own proposals (the newest ten) and the key cores they work in."""
    from dash_app.db import get_db
    from models.voice.cores import cores_of_user
    from models.voice.proposals import ProposalFilter, browse

    with get_db().reader() as s:
        mine = browse(s, ProposalFilter(author_id=citizen_id, sort="newest"), public=False)
        cores = cores_of_user(s, citizen_id)
    items = [proposal_item(r, lang, mine=True) for r in mine.items]
    core_items = [html.Li([
        dcc.Link(core.name, href=f"/projects/{core.project_id}" if core.project_id else f"/proposals/{core.proposal_id}"),
        html.Span(f" · {CORE_ROLES.get(role, role)} · " + _("%(n)s open tasks", n=format_number(n, lang)),
                  className="small text-body-secondary"),
    ], className="list-group-item", **{"data-my-core": str(core.id)}) for core, role, n in cores]
    return html.Section([
        html.Div([
            html.H2(_("My citizen proposals"), className="h5 mb-0"),
            dcc.Link(_("Bring a problem or a talent"), href="/proposals/new",
                     className="btn btn-sm btn-outline-primary"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2"),
        html.Ul(items, className="list-group") if items else
        html.P(_("You have not brought a citizen proposal yet."), className="text-body-secondary small"),
        html.H3(_("My key cores"), className="h6 mt-3") if core_items else None,
        html.Ul(core_items, className="list-group") if core_items else None,
    ], id="my-proposals", className="mt-4")
