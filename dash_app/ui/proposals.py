"""Pieces the citizen proposal pages share: the wording of kinds, statuses and answer types, one row of a list.

Imports dash, dash_app (i18n, layout, names) and models (voice).
"""
from __future__ import annotations

from datetime import datetime

from dash import dcc, html

from dash_app.i18n import _, _l, format_date, format_number, ngettext
from dash_app.layout import icon
from dash_app.ui.names import name_in
from models.voice.proposals import ProposalOrigin, ProposalRow

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


def proposal_item(row: ProposalRow, lang: str, *, mine: bool = False, extra=None) -> html.Li:
    """One proposal in a list; `extra` (children) goes on a line of its own under the facts (the queues' age,
    a moderator's mark, the governorate's routing control)."""
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
        html.Div(extra, className="small mt-1") if extra else None,
    ], className="list-group-item", **{"data-my-proposal" if mine else "data-proposal": str(row.id)})


def waiting_text(row: ProposalRow, now: datetime, lang: str) -> html.Span:
    """How long a proposal has waited, for the queues (oldest first)."""
    days = max(0, (now - row.created_at).days) if row.created_at else 0
    return html.Span([icon("hourglass-split", "me-1"),
                      ngettext("Waiting for %(n)s day", "Waiting for %(n)s days", days, n=format_number(days, lang))],
                     className="text-body-secondary me-2", **{"data-waiting-days": str(days)})


def hidden_mark(reason: str | None = None) -> html.Span:
    return html.Span([icon("eye-slash", "me-1"), _("Hidden by a moderator")],
                     className="badge text-bg-warning fw-normal me-2", title=reason or None,
                     **{"data-hidden": "1"})


def hidden_sentence(reason: str, *, comment: bool = False) -> str:
    """What stands in place of text a moderator hid: that it was hidden, and why."""
    if comment:
        return _("A moderator hid this comment: %(reason)s", reason=reason)
    return _("A moderator hid this citizen proposal: %(reason)s", reason=reason)


def origin_note(origin: ProposalOrigin | None, lang: str) -> html.Aside | None:
    """On a project's page: the citizen proposal it was adopted from, and how many supported it."""
    if origin is None:
        return None
    kind = _("a problem a citizen brought") if origin.kind == "problem" else _("a talent a citizen brought")
    return html.Aside([
        icon("lightbulb", "me-2"),
        html.Span(_("This project began as %(kind)s:", kind=kind), className="me-1"),
        dcc.Link(origin.title, href=f"/proposals/{origin.id}", className="fw-semibold me-1"),
        html.Span([icon("hand-thumbs-up", "ms-1 me-1"),
                   ngettext("%(n)s supporter", "%(n)s supporters", origin.supporters,
                            n=format_number(origin.supporters, lang))],
                  className="text-body-secondary text-nowrap", **{"data-supporters": str(origin.supporters)}),
    ], className="border rounded p-2 mb-3 small", id="project-origin", **{"data-proposal": str(origin.id)})


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
