"""Referrals (/referrals): every table's and organization's public figures, and the officers' queue.

Imports dash, dbc, models (voice) and dash_app. Anyone reads the figures. An officer (a table's chair, an
organization's admin, governorate staff) also sees their queue: filters (state, late only, table) in the
address, so a filtered page can be bookmarked; models.voice.referrals.queue decides what each may see.
"""
from __future__ import annotations

import math

from dash import dcc, html
from sqlalchemy import select

from dash_app.auth import ANYONE, current_roles, current_user_id
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_number, format_percent, parse_int
from dash_app.layout import icon, page
from dash_app.ui.detail import url_id
from dash_app.ui.names import name_in
from dash_app.ui.pager import pager
from dash_app.ui.referrals import referral_item
from models.core.clock import county_today
from models.orm.organizations import Organization
from models.orm.tables import Table
from models.voice.organizations import organizations_of
from models.voice.referrals import Figures, QueueFilter, figures, is_officer, queue

PER_PAGE = 20


def _figure_cells(f: Figures | None, lang: str) -> list:
    if f is None:
        return [html.Td(format_number(0, lang)), html.Td("—"), html.Td("—"), html.Td("—")]
    on_time = (_("%(n)s of %(due)s (%(share)s)", n=format_number(f.on_time, lang), due=format_number(f.due, lang),
                 share=format_percent(f.on_time_share, lang)) if f.on_time_share is not None else "—")
    median = format_number(f.median_days, lang, decimals=1 if f.median_days % 1 else 0) \
        if f.median_days is not None else "—"
    adopted = format_percent(f.adopted_share, lang) if f.adopted_share is not None else "—"
    return [html.Td(format_number(f.received, lang)), html.Td(on_time), html.Td(median), html.Td(adopted)]


def figures_table(lang: str) -> html.Div:
    with get_db().reader() as s:
        got = figures(s, county_today())
        tables = list(s.scalars(select(Table).where(Table.archived_at.is_(None))
                                .order_by(Table.id)))
        orgs = [o for o in s.scalars(select(Organization).order_by(Organization.name_fa))
                if ("organization", o.id) in got]
    head = html.Thead(html.Tr([html.Th(_("Table or organization")), html.Th(_("Received")),
                               html.Th(_("Answered on time")), html.Th(_("Median days to answer")),
                               html.Th(_("Adopted"))]))
    # only the tables with requests: ten rows of dashes would bury the figures on a phone
    quiet = [t for t in tables if ("table", t.id) not in got]
    rows = [html.Tr([html.Th(name_in(lang, t.name_fa, t.name_en), scope="row"), *_figure_cells(got[("table", t.id)],
                                                                                               lang)],
                    **{"data-figures-table": str(t.id)}) for t in tables if ("table", t.id) in got]
    rows += [html.Tr([html.Th(name_in(lang, o.name_fa, o.name_en), scope="row"),
                      *_figure_cells(got.get(("organization", o.id)), lang)]) for o in orgs]
    return html.Div([
        html.Div(html.Table([head, html.Tbody(rows)], className="table table-sm align-middle mb-1"),
                 className="table-responsive") if rows else
        html.P(_("No request has been sent to a table yet."), className="text-body-secondary"),
        html.P(_("No request yet for: %(tables)s.", tables=("، " if lang == "fa" else ", ").join(
            name_in(lang, t.name_fa, t.name_en) for t in quiet)), className="small") if quiet and rows else None,
        html.P(_("On time: the first answer came by the end of its deadline, out of the requests answered or past "
                 "their deadline. Days to answer: calendar days from sending to the first answer. Adopted: the "
                 "share of answered requests whose latest answer accepted the request or promised to act on it."),
               className="small text-body-secondary"),
    ], id="referral-figures")


def _filters(status: str, late: bool, table_id: int | None, tables: list, lang: str) -> html.Form:
    options = [("", _("All")), ("open", _("Waiting for an answer")), ("answered", _("Answered"))]
    return html.Form([
        html.Label([html.Span(_("State"), className="d-block small"),
                    html.Select([html.Option(str(text), value=v, selected=(v == status)) for v, text in options],
                                name="status", className="form-select form-select-sm")], className="me-2"),
        html.Label([html.Span(_("Table"), className="d-block small"),
                    html.Select([html.Option(_("All tables"), value="")] +
                                [html.Option(name_in(lang, t.name_fa, t.name_en), value=str(t.id),
                                             selected=(t.id == table_id)) for t in tables],
                                name="table", className="form-select form-select-sm")], className="me-2"),
        html.Label([html.Span(_("Deadline"), className="d-block small"),
                    html.Select([html.Option(_("All"), value="", selected=not late),
                                 html.Option(_("Late only"), value="1", selected=late)],
                                name="late", className="form-select form-select-sm")], className="me-2"),
        html.Button([icon("funnel", "me-1"), _("Filter")], type="submit",
                    className="btn btn-sm btn-outline-primary align-self-end"),
    ], method="get", action="/referrals", className="d-flex flex-wrap gap-2 mb-2", id="referral-filters")


def officer_queue(actor: int, status: str, late: bool, table_id: int | None, page_no: int, lang: str):
    today = county_today()
    with get_db().reader() as s:
        if not is_officer(s, actor):
            return None
        tables = list(s.scalars(select(Table).where(Table.archived_at.is_(None)).order_by(Table.id)))
        flt = QueueFilter(status=status or None, late=late, table_id=table_id)
        page_no = max(1, page_no)
        rows, total = queue(s, actor, flt, today, offset=(page_no - 1) * PER_PAGE, limit=PER_PAGE)
        pages = max(1, math.ceil(total / PER_PAGE))
        if page_no > pages:  # an old link past the end: its last page
            page_no = pages
            rows, total = queue(s, actor, flt, today, offset=(page_no - 1) * PER_PAGE, limit=PER_PAGE)
        items = [referral_item(s, r, lang, today) for r in rows]

    def href(n: int) -> str:
        query = [f"page={n}"] + ([f"status={status}"] if status else []) + (["late=1"] if late else []) + \
            ([f"table={table_id}"] if table_id else [])
        return "/referrals?" + "&".join(query)

    return html.Section([
        html.H2([icon("inbox", "me-2"), _("Requests for you to answer")], className="h5 mt-4"),
        _filters(status, late, table_id, tables, lang),
        html.Ul(items, className="list-group mb-2", id="referral-queue") if items else
        html.P(_("No request matches these filters."), className="text-body-secondary border rounded p-3",
               id="referral-queue"),
        pager(page_no, pages, href, id="referral-pager", label=_("Pages of requests")),
    ])


def _belongs(actor: int) -> bool:
    with get_db().reader() as s:
        return bool(organizations_of(s, actor))


@page(__name__, path="/referrals", title=_l("Requests and answers"), roles={ANYONE}, nav=True, menu="take_part", order=35,
      icon="chat-square-text")
def layout(status=None, late=None, table=None, page=None, **_kw):
    lang = current_language()
    actor = current_user_id()
    status = status if status in ("open", "answered") else ""
    table_id = url_id(table)
    page_no = parse_int(page) if isinstance(page, str) and 0 < len(page) < 8 else None
    return html.Div([
        html.Div([
            html.H1(_("Requests and answers"), className="h3 mb-0"),
            dcc.Link([icon("send", "me-1"), _("Send a request")], href="/referrals/new",
                     className="btn btn-primary btn-sm"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2"),
        html.P(_("Any citizen may send a table or an organization a request or a question. It must answer with its "
                 "finding, its reasons, its decision, the next step and the person responsible, by a deadline in "
                 "working days; a late request goes up to the chair and then to the governorate."),
               className="text-body-secondary"),
        dcc.Link([icon("people", "me-1"), _("My organizations")], href="/organizations",
                 className="small d-inline-block me-3") if actor is not None and _belongs(actor) else None,
        dcc.Link([icon("building-gear", "me-1"), _("Organizations, kinds of request and holidays")],
                 href="/admin/organizations", className="small d-inline-block") if current_roles().governorate
        else None,
        officer_queue(actor, status, late == "1", table_id, page_no or 1, lang) if actor is not None else None,
        html.H2([icon("bar-chart", "me-2"), _("How each table answers")], className="h5 mt-4"),
        figures_table(lang),
    ])
