"""The queues of citizen proposals: a table's (/triage/<id>), for its members to diagnose and its chair to decide,
and the governorate's (/triage), where the proposals addressed to "don't know" are sent to a table.

Imports dash, dbc, models (voice) and dash_app. A table's queue lists one state at a time (new, under diagnosis,
answered, adopted, declined, merged; the state and the page live in the address), the longest waiting first, with
each state's count, support counts, paging and an empty state; its moderators (the chair, the governorate) also
see the proposals reported as abusive. Who may read a queue and route a proposal is decided by models.voice
(may_triage, route), never by the page: a crafted request is refused (4xx) and changes nothing.
"""
from __future__ import annotations

from datetime import UTC, datetime

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from sqlalchemy import select

from dash_app.auth import CITIZEN, GOVERNORATE, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_number
from dash_app.layout import forbidden_content, icon, page
from dash_app.pages.voice import ids
from dash_app.ui.detail import url_id
from dash_app.ui.forms import refuse_forged
from dash_app.ui.names import name_in
from dash_app.ui.pager import pager
from dash_app.ui.proposals import STATUS_LABELS, hidden_mark, proposal_item, waiting_text
from models.core.errors import Conflict, DomainError, NotFound, ValidationError
from models.core.permissions import is_chair_of, is_governorate
from models.orm.tables import Table
from models.voice.moderation import ReportedProposal, reported
from models.voice.proposals import TRIAGE_STATES, TriageQueue, may_triage, route, triage

EMPTY = {"new": _l("No new citizen proposal waits here. New ones appear here as citizens bring them."),
         "diagnosis": _l("No citizen proposal is under diagnosis."),
         "answered": _l("No citizen proposal has been answered without adopting it."),
         "adopted": _l("No citizen proposal has been adopted as a project yet."),
         "declined": _l("No citizen proposal has been declined."),
         "merged": _l("No citizen proposal has been merged into another.")}


def _states(queue: TriageQueue, href, lang: str) -> html.Nav:
    """One link per state with its count; the one shown is marked current."""
    items = []
    for st in TRIAGE_STATES:
        current = st == queue.status
        label = [str(STATUS_LABELS[st]), html.Span(format_number(queue.counts.get(st, 0), lang),
                                                   className="badge text-bg-light border ms-1 me-1")]
        link = (html.Span(label, className="nav-link py-1 px-2 active", **{"aria-current": "page"}) if current else
                dcc.Link(label, href=href(st, 1), className="nav-link py-1 px-2"))
        items.append(html.Li(link, className="nav-item", **{"data-state-link": st}))
    return html.Nav(html.Ul(items, className="nav nav-pills flex-wrap gap-1 small mb-2"),
                    **{"aria-label": _("States of citizen proposals")})


def _reported(rows: list[ReportedProposal] | None, lang: str):
    if rows is None:
        return None
    body = html.Ul([html.Li([
        dcc.Link(r.title, href=f"/proposals/{r.proposal_id}", className="fw-semibold me-2"),
        html.Span(_("%(n)s open reports", n=format_number(r.reports, lang)), className="small text-body-secondary"),
    ], className="list-group-item", **{"data-reported": str(r.proposal_id)}) for r in rows],
        className="list-group") if rows else html.P(_("Nobody has reported abusive text."),
                                                   className="small text-body-secondary")
    return html.Section([html.H2([icon("flag", "me-2"), _("Reported as abusive")], className="h5 mt-4"),
                         html.P(_("Open each one to read the reports and hide the text with a reason, or leave it."),
                                className="small text-body-secondary"), body], id=ids.TRIAGE_REPORTED)


def _listing(queue: TriageQueue, lang: str, href, extra_for=None) -> html.Div:
    now = datetime.now(UTC)
    items = []
    for row in queue.page.items:
        extra = [waiting_text(row, now, lang), hidden_mark() if row.hidden else None]
        if extra_for is not None:
            extra.append(extra_for(row))
        items.append(proposal_item(row, lang, extra=extra))
    return html.Div([
        html.Ul(items, className="list-group mb-2", id=ids.TRIAGE_LIST) if items else
        html.P(str(EMPTY[queue.status]), className="text-body-secondary border rounded p-3", id=ids.TRIAGE_LIST),
        pager(queue.page.page, queue.page.pages, lambda n: href(queue.status, n), id=ids.TRIAGE_PAGER,
              label=_("Pages of citizen proposals")),
    ])


def _missing() -> html.Section:
    return html.Section([html.H1(_("No such table."), className="h3"), dcc.Link(_("All tables"), href="/tables")],
                        className="py-4")


@page(__name__, path="/triage/<table_id>", path_template="/triage/<table_id>",
      title=_l("The table's citizen proposals"), roles={CITIZEN})
def layout(table_id=None, state=None, page=None, **_kw):
    lang = current_language()
    tid, actor = url_id(table_id), current_user_id()
    with get_db().reader() as s:
        table = s.get(Table, tid) if tid else None
        if table is None:
            return _missing()
        if not may_triage(s, actor, tid):
            return forbidden_content()
        queue = triage(s, actor, tid, state if state in TRIAGE_STATES else "new", url_id(page) or 1)
        chair = is_chair_of(s, actor, tid)
        moderator = chair or is_governorate(s, actor)
        flagged = reported(s, actor, tid) if moderator else None
        name = name_in(lang, table.name_fa, table.name_en)

    def href(st: str, n: int) -> str:
        return f"/triage/{tid}?state={st}" + (f"&page={n}" if n > 1 else "")

    hint = (_("You chair this table: open a proposal to decide on it — adopt it as a project with its key core, "
              "answer it with reasons, forward it or merge it.") if chair else
            _("Open a proposal to add a comment or a structured diagnosis; the chair decides on it."))
    return html.Div([
        dcc.Link([icon("arrow-right" if lang == "fa" else "arrow-left", "me-1"), name], href=f"/tables/{tid}",
                 className="small d-inline-block mb-2"),
        html.H1(_("Citizen proposals to %(table)s", table=name), className="h4"),
        html.P([_("The longest waiting first."), " ", hint], className="small text-body-secondary"),
        _states(queue, href, lang),
        _listing(queue, lang, href),
        _reported(flagged, lang),
    ], **{"data-triage": str(tid), "data-state": queue.status})


# --- the governorate's routing queue -----------------------------------------------------------------------


def _route_control(row, tables, lang: str) -> html.Div:
    pid = {"proposal": row.id}
    return html.Div([
        html.Label([html.Span(_("Send to the table"), className="visually-hidden"),
                    dbc.Select(id={"type": ids.ROUTE_TABLE, **pid}, value="", size="sm", options=[
                        {"label": _("Choose a table…"), "value": ""}] +
                        [{"label": name_in(lang, t.name_fa, t.name_en), "value": str(t.id)} for t in tables])],
                   className="flex-grow-1 mb-0"),
        html.Button([icon("send", "me-1"), _("Send")], id={"type": ids.ROUTE_SEND, **pid}, n_clicks=0, type="button",
                    className="btn btn-sm btn-primary"),
    ], className="d-flex flex-wrap gap-2 align-items-center mt-1")


def routing_body(state: str | None, page_no: int | None, lang: str):
    actor = current_user_id()
    with get_db().reader() as s:
        queue = triage(s, actor, None, state if state in ("new", "diagnosis") else "new", page_no or 1)
        tables = list(s.scalars(select(Table).where(Table.archived_at.is_(None)).order_by(Table.id)))
        flagged = reported(s, actor, None)

    def href(st: str, n: int) -> str:
        return "/triage" + (f"?page={n}" if n > 1 else "")

    return html.Div([
        html.P(_("%(n)s citizen proposals wait for a table.", n=format_number(queue.page.total, lang)),
               className="mb-2", **{"data-unrouted": str(queue.page.total)}),
        _listing(queue, lang, href, extra_for=lambda row: _route_control(row, tables, lang)),
        _reported(flagged, lang),
    ])


@page(__name__ + ".route", path="/triage", title=_l("Citizen proposals to route"), roles={GOVERNORATE})
def routing_layout(page=None, **_kw):
    lang = current_language()
    return html.Div([
        dcc.Link([icon("arrow-right" if lang == "fa" else "arrow-left", "me-1"), _("All citizen proposals")],
                 href="/proposals", className="small d-inline-block mb-2"),
        html.H1(_("Citizen proposals to route"), className="h4"),
        html.P(_("Their authors did not know which table should take them. Send each to the table whose remit it "
                 "is; its author, its supporters and that table's chair are told. The longest waiting first."),
               className="small text-body-secondary"),
        html.Div(id=ids.TRIAGE_FLASH, **{"aria-live": "polite"}),
        dcc.Store(id=ids.TRIAGE_PAGE, data=url_id(page) or 1),
        html.Div(routing_body("new", url_id(page), lang), id=ids.TRIAGE_BODY),
    ])


@secured_callback(
    Output(ids.TRIAGE_FLASH, "children"), Output(ids.TRIAGE_BODY, "children"),
    Input({"type": ids.ROUTE_SEND, "proposal": ALL}, "n_clicks"),
    State({"type": ids.ROUTE_TABLE, "proposal": ALL}, "value"), State(ids.TRIAGE_PAGE, "data"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def send_route(clicks, tables, page_no):
    """The governorate sends one proposal to the table chosen beside it."""
    require({GOVERNORATE})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    pid = trigger.get("proposal")
    chosen = [item.get("value") for item in (ctx.states_list[0] or [])
              if isinstance(item, dict) and item.get("id", {}).get("proposal") == pid]
    table_id = url_id(chosen[0]) if chosen and isinstance(chosen[0], str) else None
    lang = current_language()
    page_no = page_no if isinstance(page_no, int) and not isinstance(page_no, bool) else 1
    actor = current_user_id()
    if table_id is None:
        return dbc.Alert(error_message("proposal_table_unknown"), color="warning"), no_update
    try:
        get_db().run(lambda s: route(s, actor, pid, table_id))
    except (ValidationError, Conflict) as exc:
        return dbc.Alert(error_message(exc), color="warning"), routing_body("new", page_no, lang)
    except (NotFound, DomainError) as exc:
        refuse_forged(exc)
    return (dbc.Alert([icon("check-circle", "me-2"), _("Sent to the table. Its chair, the author and the supporters "
                                                       "have been told.")], color="success", dismissable=True),
            routing_body("new", page_no, lang))
