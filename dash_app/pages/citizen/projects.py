"""The project list (/projects) with filters, sorting and pages.

Imports dash, dbc, models (browse) and dash_app. Filters travel in the address (?table=…&kind=…), so
a filtered list can be shared, bookmarked and paged without a server callback.
"""
from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app.auth import ANYONE
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_number, parse_int
from dash_app.layout import icon, page
from dash_app.render_cache import cached_render
from dash_app.ui import citizen_ids as ids
from dash_app.ui.labels import PROJECT_KIND_LABEL, kind_label
from dash_app.ui.pager import pager, past_the_end
from dash_app.ui.project_cards import project_list
from models.core.enums import HelpKind, ProjectKind
from models.projects.browse import (
    SORTS,
    ProjectFilter,
    browse_projects,
    district_choices,
    normalise_text,
    table_choices,
)

SORT_LABEL = {"need": _l("Most in need"), "priority": _l("Priority"), "missing": _l("Share still missing")}


# --- the filters ------------------------------------------------------------------------------------


def filter_from_query(query: dict) -> ProjectFilter:
    """The filter a query string asks for; anything malformed is ignored rather than trusted."""
    def as_int(name: str) -> int | None:
        try:
            value = parse_int(query.get(name)) if query.get(name) not in (None, "") else None
        except (TypeError, ValueError, ArithmeticError):
            return None
        return value if value is not None and 0 < value < 2**31 else None

    kind = query.get("kind")
    ptype = query.get("type")
    sort = query.get("sort")
    return ProjectFilter(
        table_id=as_int("table"),
        help_kind=HelpKind(kind) if kind in set(HelpKind) else None,
        district_id=as_int("district"),
        project_kind=ProjectKind(ptype) if ptype in set(ProjectKind) else None,
        text=normalise_text(query.get("q")),
        sort=sort if sort in SORTS else "need",
        page=as_int("page") or 1,
    )


def query_of(flt: ProjectFilter, **change) -> dict:
    values = {"table": flt.table_id, "kind": flt.help_kind.value if flt.help_kind else None,
              "district": flt.district_id, "type": flt.project_kind.value if flt.project_kind else None,
              "q": flt.text or None, "sort": flt.sort if flt.sort != "need" else None,
              "page": flt.page if flt.page > 1 else None}
    values.update(change)
    return {k: v for k, v in values.items() if v not in (None, "", 1) or (k != "page" and v == 1)}


def projects_href(flt: ProjectFilter, **change) -> str:
    query = query_of(flt, **change)
    return "/projects" + (f"?{urlencode(query)}" if query else "")


def _select(label: str, name: str, cid: str, options: list[tuple[str, str]], value: str, *, all_label: str):
    return dbc.Col([
        dbc.Label(label, html_for=cid, className="small mb-1"),
        # dbc.Select's hidden empty option (its placeholder) is what the browser shows for value "": it carries
        # the «All …» label, else the filter looks empty on load (issue 20 item 8)
        dbc.Select(id=cid, name=name, value=value, placeholder=all_label,
                   options=[{"label": all_label, "value": ""}] + [{"label": lab, "value": v} for v, lab in options]),
    ], xs=12, sm=6, lg=4, className="mb-2")


def filters_form(flt: ProjectFilter, lang: str, tables, districts) -> html.Form:
    def district_label(d) -> str:
        return d.name(lang) if d.level == "district" else f"— {d.name(lang)}"

    return html.Form([
        dbc.Row([
            dbc.Col([
                dbc.Label(_("Search"), html_for=ids.PROJECTS_TEXT, className="small mb-1"),
                dbc.Input(id=ids.PROJECTS_TEXT, name="q", type="search", value=flt.text, maxLength=100,
                          placeholder=_("Words from the title or summary")),
            ], xs=12, lg=4, className="mb-2"),
            _select(_("Table"), "table", ids.PROJECTS_TABLE, [(str(t.id), t.name(lang)) for t in tables],
                    str(flt.table_id or ""), all_label=_("All tables")),
            _select(_("Help still needed"), "kind", ids.PROJECTS_KIND,
                    [(k.value, kind_label(k)) for k in HelpKind], flt.help_kind.value if flt.help_kind else "",
                    all_label=_("Any kind of help")),
            _select(_("District or city"), "district", ids.PROJECTS_DISTRICT,
                    [(str(d.id), district_label(d)) for d in districts], str(flt.district_id or ""),
                    all_label=_("All of Amol county")),
            _select(_("Project type"), "type", ids.PROJECTS_TYPE,
                    [(k.value, str(PROJECT_KIND_LABEL[k])) for k in ProjectKind],
                    flt.project_kind.value if flt.project_kind else "", all_label=_("Both types")),
            dbc.Col([
                dbc.Label(_("Sort by"), html_for=ids.PROJECTS_SORT, className="small mb-1"),
                dbc.Select(id=ids.PROJECTS_SORT, name="sort", value=flt.sort,
                           options=[{"label": str(SORT_LABEL[s]), "value": s} for s in SORTS]),
            ], xs=12, sm=6, lg=4, className="mb-2"),
        ], className="g-2"),
        html.Div([
            html.Button([icon("funnel", "me-1"), _("Show projects")], type="submit", id=ids.PROJECTS_SUBMIT,
                        className="btn btn-primary"),
            dcc.Link(_("Clear filters"), href="/projects", className="btn btn-link"),
        ], className="d-flex gap-2 align-items-center mt-1"),
    ], action="/projects", method="GET", id=ids.PROJECTS_FORM, className="border rounded p-3 mb-3 bg-body-tertiary",
        role="search")


@page(__name__, path="/projects", title=_l("Projects"), roles={ANYONE}, nav=True, order=10, icon="kanban")
def layout(**query):
    # The same for everyone (a GET form, no token, nothing of the person's): cached per language and filter;
    # a free-text search is rendered afresh (its words are too many to keep).
    flt = filter_from_query(query)
    if flt.text:
        return _projects(flt)
    return cached_render(__name__, repr(flt), lambda: _projects(flt))


def _projects(flt: ProjectFilter):
    lang = current_language()
    with get_db().reader() as s:
        result = browse_projects(s, flt)
        tables = table_choices(s)
        districts = district_choices(s)
    flt_now = ProjectFilter(**{**flt.__dict__, "page": result.page})
    if result.items:
        listing = project_list(result.items, lang, id=ids.PROJECTS_LIST)
    else:
        listing = html.Div([
            html.P([icon("search", "me-2"), _("No open project matches these filters.")], className="mb-2"),
            dcc.Link(_("Show all projects"), href="/projects", className="btn btn-outline-primary btn-sm"),
        ], className="alert alert-light border text-center", id=ids.PROJECTS_LIST)
    first = (result.page - 1) * result.per_page + 1
    last = first + len(result.items) - 1
    count = (_("Projects %(first)s–%(last)s of %(total)s", first=format_number(first, lang),
               last=format_number(last, lang), total=format_number(result.total, lang))
             if result.items else _("No projects"))
    return html.Div([
        html.H1(_("Projects that need help"), className="h3 mb-2"),
        html.P(_("Every project is run by a specialized table. Choose one to see what it still needs, or "
                 "offer help and let Hamyar find where it does the most good."), className="text-body-secondary"),
        filters_form(flt_now, lang, tables, districts),
        past_the_end(flt.page if flt.page != result.page else None, result.pages, id=ids.PROJECTS_PAGE_NOTICE),
        html.P(count, id=ids.PROJECTS_COUNT, className="small text-body-secondary", **{"aria-live": "polite"}),
        listing,
        html.Div(pager(result.page, result.pages, lambda n: projects_href(flt_now, page=n), id=ids.PROJECTS_PAGER,
                       label=_("Pages of projects")), className="mt-3"),
        html.Div(dcc.Link([icon("heart", "me-1"), _("Offer help")], href="/pledge", className="btn btn-primary"),
                 className="text-center mt-4"),
    ])
