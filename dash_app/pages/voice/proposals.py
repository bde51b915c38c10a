"""Citizen proposals (/proposals): everyone's problems and untapped talents, most supported first.

Imports dash, models (voice) and dash_app. Public: anyone reads the list. The filters (kind, table, district,
status) and the sort live in the address, so a filtered list can be bookmarked and shared; hidden proposals
are left out by models.voice.proposals.browse.
"""
from __future__ import annotations

from dash import dcc, html
from sqlalchemy import select

from dash_app.auth import ANYONE, current_roles
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_number
from dash_app.layout import icon, page
from dash_app.ui.detail import url_id
from dash_app.ui.names import name_in
from dash_app.ui.pager import pager
from dash_app.ui.proposals import KIND_LABELS, STATUS_LABELS, proposal_item
from models.core.enums import DistrictLevel
from models.orm.geo import District
from models.orm.proposals import PROPOSAL_STATUSES
from models.orm.tables import Table
from models.voice.proposals import KINDS, SORTS, ProposalFilter, browse, unrouted_count

SORT_LABELS = {"support": _l("Most supported"), "newest": _l("Newest"), "oldest": _l("Oldest")}


def _select(name: str, label: str, options: list[tuple[str, str]], chosen: str) -> html.Label:
    return html.Label([html.Span(label, className="d-block small"),
                       html.Select([html.Option(text, value=v, selected=(v == chosen)) for v, text in options],
                                   name=name, className="form-select form-select-sm")], className="me-2")


def _filters(flt: ProposalFilter, tables: list, districts: list, lang: str) -> html.Form:
    every = str(_("All"))
    return html.Form([
        _select("kind", _("Kind"), [("", every)] + [(k, str(KIND_LABELS[k])) for k in KINDS], flt.kind or ""),
        _select("table", _("Table"), [("", _("All tables"))] +
                [(str(t.id), name_in(lang, t.name_fa, t.name_en)) for t in tables], str(flt.table_id or "")),
        _select("district", _("District or city"), [("", every)] +
                [(str(d.id), name_in(lang, d.name_fa, d.name_en)) for d in districts], str(flt.district_id or "")),
        _select("status", _("State"), [("", every)] + [(st, str(STATUS_LABELS[st])) for st in PROPOSAL_STATUSES],
                flt.status or ""),
        _select("sort", _("Order"), [(so, str(SORT_LABELS[so])) for so in SORTS], flt.sort),
        html.Button([icon("funnel", "me-1"), _("Filter")], type="submit",
                    className="btn btn-sm btn-outline-primary align-self-end"),
    ], method="get", action="/proposals", className="d-flex flex-wrap gap-2 mb-2", id="proposal-filters")


def read_filter(kind=None, table=None, district=None, status=None, sort=None, page=None) -> ProposalFilter:
    """The filter an address asks for; anything unknown is simply not applied."""
    return ProposalFilter(kind=kind if kind in KINDS else None, table_id=url_id(table),
                          district_id=url_id(district), status=status if status in PROPOSAL_STATUSES else None,
                          sort=sort if sort in SORTS else "support", page=url_id(page) or 1)


def _href(flt: ProposalFilter, n: int) -> str:
    query = {"kind": flt.kind, "table": flt.table_id, "district": flt.district_id, "status": flt.status,
             "sort": flt.sort if flt.sort != "support" else None, "page": n}
    return "/proposals?" + "&".join(f"{k}={v}" for k, v in query.items() if v)


def listing(flt: ProposalFilter, lang: str) -> html.Div:
    with get_db().reader() as s:
        result = browse(s, flt)
        tables = list(s.scalars(select(Table).where(Table.archived_at.is_(None)).order_by(Table.id)))
        districts = list(s.scalars(select(District).where(District.level != DistrictLevel.COUNTY)
                                   .order_by(District.name_fa)))
    items = [proposal_item(r, lang) for r in result.items]
    return html.Div([
        _filters(flt, tables, districts, lang),
        html.P(_("%(n)s proposals", n=format_number(result.total, lang)), className="small text-body-secondary mb-1"),
        html.Ul(items, className="list-group mb-2", id="proposal-list") if items else
        html.P(_("No citizen proposal matches these filters yet. Be the first to bring one."),
               className="text-body-secondary border rounded p-3", id="proposal-list"),
        pager(result.page, result.pages, lambda n: _href(flt, n), id="proposal-pager",
              label=_("Pages of citizen proposals")),
    ])


@page(__name__, path="/proposals", title=_l("Citizen proposals"), roles={ANYONE}, nav=True, menu="take_part", order=33,
      icon="lightbulb")
def layout(kind=None, table=None, district=None, status=None, sort=None, page=None, **_kw):
    lang = current_language()
    flt = read_filter(kind, table, district, status, sort, page)
    routing = None
    if current_roles().governorate:  # the governorate's queue of the proposals no table was chosen for
        with get_db().reader() as s:
            unrouted = unrouted_count(s)
        routing = html.P(dcc.Link([icon("signpost-split", "me-1"), _("Citizen proposals to route"),
                                   html.Span(format_number(unrouted, lang), className="badge text-bg-primary ms-1 me-1")],
                                  href="/triage"), className="mb-2", id="proposal-routing-link",
                         **{"data-unrouted": str(unrouted)})
    return html.Div([
        html.Div([
            html.H1(_("Citizen proposals"), className="h3 mb-0"),
            dcc.Link([icon("plus-circle", "me-1"), _("Bring a problem or a talent")], href="/proposals/new",
                     className="btn btn-primary btn-sm"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2"),
        html.P(_("Any citizen may bring a problem of the county or an untapped talent to a table. Others support "
                 "it and add evidence; the table's members diagnose it and its chair adopts it as a project or "
                 "gives a reasoned answer."), className="text-body-secondary"),
        routing,
        listing(flt, lang),
    ])
