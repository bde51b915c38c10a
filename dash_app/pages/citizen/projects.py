"""The project list (/projects) with filters, sorting and pages, and the pieces the citizen's pages share.

Imports dash, dbc, models (browse) and dash_app. Filters travel in the address (?table=…&kind=…), so
a filtered list can be shared, bookmarked and paged without a server callback.
"""
from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app.pages.citizen import ids
from dash_app.auth import ANYONE
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_money, format_number, format_percent, parse_int
from dash_app.layout import icon, page
from models.projects.browse import (
    SORTS,
    Coverage,
    ProjectCard,
    ProjectFilter,
    browse_projects,
    district_choices,
    normalise_text,
    table_choices,
)
from models.core.enums import HelpKind, ProjectKind, ProjectStatus

# --- shared by the citizen's pages -----------------------------------------------------------------

KIND_LABEL = {
    HelpKind.FINANCIAL: _l("Money"),
    HelpKind.LOGISTICS: _l("Logistics"),
    HelpKind.DESIGN: _l("Design"),
    HelpKind.EXECUTION: _l("Execution"),
}
KIND_ICON = {HelpKind.FINANCIAL: "cash-coin", HelpKind.LOGISTICS: "truck", HelpKind.DESIGN: "rulers",
             HelpKind.EXECUTION: "tools"}
PROJECT_KIND_LABEL = {ProjectKind.PROBLEM: _l("Problem-oriented"), ProjectKind.TALENT: _l("Talent-oriented")}
PROJECT_STATUS_LABEL = {
    ProjectStatus.DRAFT: _l("Draft"),
    ProjectStatus.OPEN: _l("Open for help"),
    ProjectStatus.IN_PROGRESS: _l("In progress"),
    ProjectStatus.COMPLETED: _l("Completed"),
    ProjectStatus.CANCELLED: _l("Cancelled"),
}
SORT_LABEL = {"need": _l("Most in need"), "priority": _l("Priority"), "missing": _l("Share still missing")}


def kind_label(kind: HelpKind) -> str:
    return str(KIND_LABEL[HelpKind(kind)])


def quantity_text(kind: HelpKind, quantity: int, lang: str | None = None) -> str:
    """A quantity in its kind's unit, in the reader's language: money in toman, the rest in their units."""
    kind = HelpKind(kind)
    if kind is HelpKind.FINANCIAL:
        return format_money(int(quantity), lang)
    n = format_number(quantity, lang)
    one = quantity == 1
    if kind is HelpKind.LOGISTICS:
        return _("%(n)s unit-day", n=n) if one else _("%(n)s unit-days", n=n)
    if kind is HelpKind.DESIGN:
        return _("%(n)s hour", n=n) if one else _("%(n)s hours", n=n)
    return _("%(n)s person-hour", n=n) if one else _("%(n)s person-hours", n=n)


def name_in(lang: str, fa: str | None, en: str | None) -> str:
    return (fa or en or "") if lang == "fa" else (en or fa or "")


def coverage_bar(cov: Coverage, *, height: str = ".85rem", label: str = "") -> html.Div:
    """A stacked bar: accepted (green), proposed (amber, striped) and, as the empty rest, still missing."""
    accepted = round(cov.share(cov.accepted) * 100, 1)
    proposed = round(min(cov.share(cov.proposed) * 100, 100 - accepted), 1)

    def segment(value: float, colour: str, name: str) -> html.Div:
        return html.Div(html.Div(className=f"progress-bar {colour}"), className="progress", role="progressbar",
                        style={"width": f"{value}%"},
                        **{"aria-label": f"{label} {name}".strip(), "aria-valuenow": str(value),
                           "aria-valuemin": "0", "aria-valuemax": "100"})

    return html.Div([segment(accepted, "bg-success", _("accepted")),
                     segment(proposed, "bg-warning progress-bar-striped", _("proposed"))],
                    className="progress-stacked", style={"height": height})


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


def kind_badge(kind: HelpKind) -> html.Span:
    return html.Span([icon(KIND_ICON[HelpKind(kind)], "me-1"), kind_label(kind)],
                     className="badge text-bg-light border fw-normal")


def project_card(card: ProjectCard, lang: str, *, heading: str = "h3") -> html.Article:
    """One project in a list: title, table, place, priority and a coverage bar per kind of help."""
    title = card.title(lang)
    place = name_in(lang, card.district_fa, card.district_en)
    rows = []
    for kind, cov in card.by_kind.items():
        rows.append(html.Div([
            html.Div([html.Span([icon(KIND_ICON[kind], "me-1"), kind_label(kind)], className="small"),
                      html.Span(_("%(p)s missing", p=format_percent(cov.missing_share, lang)),
                                className="small text-body-secondary")],
                     className="d-flex justify-content-between"),
            coverage_bar(cov, height=".5rem", label=f"{title} · {kind_label(kind)}"),
        ], className="mb-2"))
    summary = card.summary(lang)
    if len(summary) > 180:
        summary = summary[:177].rsplit(" ", 1)[0] + "…"
    Heading = getattr(html, heading.upper())
    return html.Article(html.Div([
        html.Div([
            html.Span(str(PROJECT_KIND_LABEL[card.kind]), className="badge text-bg-secondary fw-normal"),
            html.Span(_("Priority %(p)s of 10", p=format_number(card.priority, lang)),
                      className="badge text-bg-light border fw-normal"),
        ], className="d-flex flex-wrap gap-1 mb-2"),
        Heading(dcc.Link(title, href=f"/projects/{card.id}", className="stretched-link text-decoration-none"),
                className="h6 mb-1"),
        html.P([icon("people", "me-1"), name_in(lang, card.table_fa, card.table_en)]
               + ([" · ", icon("geo-alt", "me-1"), place] if place else []),
               className="small text-body-secondary mb-2"),
        html.P(summary, className="small mb-2") if summary else None,
        html.Div(rows),
    ], className="card-body position-relative"), className="card h-100 shadow-sm",
        **{"data-project": str(card.id)})


def project_list(items: list[ProjectCard], lang: str, *, id: str, heading: str = "h2") -> html.Ul:
    return html.Ul([html.Li(project_card(c, lang, heading=heading), className="col") for c in items],
                   className="list-unstyled row row-cols-1 row-cols-md-2 row-cols-xl-3 g-3", id=id)


def pager(current: int, pages: int, href_for, *, id: str, label: str) -> html.Nav | html.Div:
    """Numbered page links (first, neighbours, last) with previous and next; nothing when one page."""
    if pages <= 1:
        return html.Div(id=id)
    lang = current_language()
    shown = sorted({1, pages, current, current - 1, current + 1} & set(range(1, pages + 1)))
    items = []

    def link(n: int, text, *, disabled: bool = False, active: bool = False, aria: str | None = None):
        cls = "page-item" + (" disabled" if disabled else "") + (" active" if active else "")
        if aria:
            text = [text, html.Span(aria, className="visually-hidden")]
        if active:
            inner = html.Span(text, className="page-link", **{"aria-current": "page"})
        elif disabled:
            inner = html.Span(text, className="page-link")
        else:
            inner = dcc.Link(text, href=href_for(n), className="page-link", title=aria)
        return html.Li(inner, className=cls)

    prev_icon = "chevron-right" if lang == "fa" else "chevron-left"
    next_icon = "chevron-left" if lang == "fa" else "chevron-right"
    items.append(link(current - 1, icon(prev_icon), disabled=current <= 1, aria=_("Previous page")))
    last = 0
    for n in shown:
        if n - last > 1:
            items.append(html.Li(html.Span("…", className="page-link"), className="page-item disabled"))
        items.append(link(n, format_number(n, lang), active=n == current))
        last = n
    items.append(link(current + 1, icon(next_icon), disabled=current >= pages, aria=_("Next page")))
    return html.Nav(html.Ul(items, className="pagination flex-wrap justify-content-center mb-0"),
                    id=id, **{"aria-label": label})


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
        dbc.Select(id=cid, name=name, value=value,
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
    lang = current_language()
    flt = filter_from_query(query)
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
        html.P(count, id=ids.PROJECTS_COUNT, className="small text-body-secondary", **{"aria-live": "polite"}),
        listing,
        html.Div(pager(result.page, result.pages, lambda n: projects_href(flt_now, page=n), id=ids.PROJECTS_PAGER,
                       label=_("Pages of projects")), className="mt-3"),
        html.Div(dcc.Link([icon("heart", "me-1"), _("Offer help")], href="/pledge", className="btn btn-primary"),
                 className="text-center mt-4"),
    ])
