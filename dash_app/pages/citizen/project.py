"""One project (/projects/<id>): its table and chair, its diagnosis or capacity, each need's coverage, contributions.

Imports dash, dbc, models (browse) and dash_app. Public: anyone may read a published project.
"""
from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from dash_app.auth import ANYONE, current_roles
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_date, format_number, format_percent, parse_int
from dash_app.layout import icon, page
from dash_app.render_cache import cached_render
from dash_app.ui import citizen_ids as ids
from dash_app.ui.bidi import isolate, user_text
from dash_app.ui.coverage import coverage_bar, coverage_legend
from dash_app.ui.labels import HORIZON_LABEL, KIND_ICON, PROJECT_KIND_LABEL, PROJECT_STATUS_LABEL, kind_label
from dash_app.ui.names import name_in, person_name
from dash_app.ui.pager import pager
from dash_app.ui.proposals import origin_note
from dash_app.ui.quantities import quantity_text
from models.core.enums import AllocationStatus, ProjectKind, ProjectStatus
from models.core.errors import NotFound
from models.core.permissions import ANONYMOUS, Roles
from models.projects.browse import NeedView, ProjectView, project_view
from models.results.indicators import curves as indicator_curves
from models.results.milestones import path_of
from models.results.progress import timeline
from models.voice.proposals import origin_of_project

STATUS_BADGE = {ProjectStatus.OPEN: "text-bg-success", ProjectStatus.IN_PROGRESS: "text-bg-info",
                ProjectStatus.COMPLETED: "text-bg-secondary", ProjectStatus.CANCELLED: "text-bg-danger"}


def pledge_href(view: ProjectView, kind=None) -> str:
    query = {"table": view.table.id, "project": view.project.id}
    if kind is not None:
        query["kind"] = kind.value
    return f"/pledge?{urlencode(query)}"


def _section(title: str, body, **kw) -> html.Section:
    return html.Section([html.H2(title, className="h5 mt-4 mb-2"), body], **kw)


def _text_block(label: str, text: str | None):
    if not text:
        return None
    return html.Div([html.H3(label, className="h6 mb-1"), user_text(text, html.P, className="mb-3")])


def _need_item(need: NeedView, view: ProjectView, lang: str) -> html.Li:
    cov = need.coverage
    title = need.description or kind_label(need.kind)
    details = []
    if need.skills:
        names = ("، " if lang == "fa" else ", ").join(s.name(lang) for s in need.skills)
        details.append(html.Span(_("Skills: %(skills)s", skills=names), className="me-3"))
    if need.window_start and need.window_end:
        details.append(html.Span(_("When: %(start)s to %(end)s", start=format_date(need.window_start, lang),
                                   end=format_date(need.window_end, lang)), className="me-3"))
    missing = cov.missing > 0 and view.project.status in (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)
    return html.Li([
        html.Div([
            html.H3([icon(KIND_ICON[need.kind], "me-2"), kind_label(need.kind),
                     html.Span([" · ", isolate(need.description)], className="fw-normal") if need.description
                     else None],
                    className="h6 mb-0"),
            html.Span(_("Needs %(q)s", q=quantity_text(need.kind, cov.quantity, lang)), className="small"),
        ], className="d-flex flex-wrap justify-content-between gap-2 mb-1"),
        coverage_bar(cov, height="1rem", label=title),
        coverage_legend(need.kind, cov, lang),
        html.Div(details, className="small text-body-secondary mt-1") if details else None,
        dcc.Link([icon("plus-circle", "me-1"), _("Offer this kind of help")], href=pledge_href(view, need.kind),
                 className="btn btn-sm btn-outline-primary mt-2") if missing else None,
    ], className="list-group-item py-3", **{"data-need": str(need.id)})


def _contribution_row(c, lang: str) -> html.Li:
    who = person_name(c.citizen_name) or _("A citizen who prefers not to be named")
    if c.organization is not None:  # pledged on behalf of an organization: shown under its name (issue 21)
        who = name_in(lang, *c.organization)
    if c.status is AllocationStatus.DELIVERED and c.delivered_at:
        state = _("delivered on %(date)s", date=format_date(c.delivered_at, lang))
        badge = "text-bg-success"
    else:
        state = (_("accepted on %(date)s", date=format_date(c.decided_at, lang)) if c.decided_at
                 else _("accepted"))
        badge = "text-bg-primary"
    return html.Li([
        html.Div([icon(KIND_ICON[c.kind], "me-2"), html.Strong(quantity_text(c.kind, c.quantity, lang)),
                  html.Span(f" · {who}")], className="me-2"),
        html.Span(state, className=f"badge {badge} fw-normal"),
    ], className="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-1")


def results_of_project(session, project, roles: Roles):
    """The "Target and path" section (dash_app.ui.results); its chair gets the link to the editor."""
    from dash_app.ui.results import results_section
    from models.results.pilots import pilot_of_project

    editor = f"/progress/{project.id}" if project.table_id in roles.chair_of else None
    pilot = pilot_of_project(session, project.id)
    pilot_href = f"/pilots/{pilot}" if pilot else (
        f"/pilot-story/{project.id}" if roles.governorate and project.status is ProjectStatus.COMPLETED else None)
    path = path_of(session, project.id)
    return results_section(path, indicator_curves(session, project.id), timeline(session, project.id, path=path),
                           editor_href=editor, pilot_href=pilot_href)


def not_found() -> html.Section:
    return html.Section([
        html.H1(_("No such project"), className="h3"),
        html.P(_("This project does not exist or is not published yet.")),
        dcc.Link(_("See all projects"), href="/projects", className="btn btn-primary"),
    ], className="py-5 text-center")


@page(__name__, path="/projects/<project_id>", path_template="/projects/<project_id>", title=_l("Project"),
      roles={ANYONE})
def layout(project_id=None, contributions=None, **_kw):
    pid = parse_int(project_id) if isinstance(project_id, str) and len(project_id) < 12 else None
    page_no = parse_int(contributions) if isinstance(contributions, str) and len(contributions) < 8 else None
    roles = current_roles()
    if roles.chair_of or roles.governorate:
        return _project(pid, page_no, roles)  # a chair's editor link, the staff's pilot link: theirs, never cached
    # Everyone else sees the same page: cached per language, project and contributions page (~1 s stale at most).
    return cached_render(__name__, (pid, page_no), lambda: _project(pid, page_no, ANONYMOUS))


def _project(pid: int | None, page_no: int | None, roles: Roles):
    lang = current_language()
    try:
        with get_db().reader() as s:
            view = project_view(s, pid, contributions_page=page_no or 1)
            results = results_of_project(s, view.project, roles)  # issue 22: target, path, timeline
            origin = origin_of_project(s, view.project.id)  # issue 21: the citizen proposal it was adopted from
    except NotFound:
        return not_found()
    p = view.project
    title = name_in(lang, p.title_fa, p.title_en)
    summary = name_in(lang, p.summary_fa, p.summary_en)
    place = name_in(lang, view.district.name_fa, view.district.name_en) if view.district else None
    table_name = name_in(lang, view.table.name_fa, view.table.name_en)
    total = view.coverage

    if p.kind is ProjectKind.PROBLEM:
        about = _section(_("The diagnosis"), html.Div([
            _text_block(_("The problem"), p.problem),
            _text_block(_("The evidence"), p.evidence),
            _text_block(_("Who is affected"), p.affected),
        ]))
    else:
        about = _section(_("The capacity it develops"), html.Div([
            _text_block(_("The untapped capacity"), p.capacity),
            _text_block(_("Horizon"), str(HORIZON_LABEL[p.horizon]) if p.horizon else None),
        ]))

    pledge_button = (dcc.Link([icon("heart-fill", "me-2"), _("Pledge to this project")], href=pledge_href(view),
                              className="btn btn-primary btn-lg", id=ids.PROJECT_PLEDGE)
                     if view.open_for_help else
                     html.P(_("This project needs no more help right now. Other projects do."),
                            className="text-body-secondary", id=ids.PROJECT_PLEDGE))
    share_missing = [n.coverage.missing_share for n in view.needs]
    mean_missing = sum(share_missing) / len(share_missing) if share_missing else 0.0

    contributions_list = (html.Ul([_contribution_row(c, lang) for c in view.contributions],
                                  className="list-group", id=ids.PROJECT_CONTRIBUTIONS)
                          if view.contributions else
                          html.P(_("No contribution has been accepted yet. Yours could be the first."),
                                 className="text-body-secondary", id=ids.PROJECT_CONTRIBUTIONS))

    return html.Article([
        html.Nav(html.Ol([
            html.Li(dcc.Link(_("Projects"), href="/projects"), className="breadcrumb-item"),
            html.Li(table_name, className="breadcrumb-item"),
        ], className="breadcrumb small mb-2"), **{"aria-label": _("Breadcrumb")}),
        html.Div([
            html.Span(str(PROJECT_KIND_LABEL[p.kind]), className="badge text-bg-secondary fw-normal"),
            html.Span(str(PROJECT_STATUS_LABEL[p.status]), className=f"badge {STATUS_BADGE.get(p.status, '')} fw-normal"),
            html.Span(_("Priority %(p)s of 10", p=format_number(p.priority, lang)),
                      className="badge text-bg-light border fw-normal"),
        ], className="d-flex flex-wrap gap-1 mb-2"),
        html.H1(title, className="h3", id=ids.PROJECT_TITLE),
        html.P(summary, className="lead fs-6") if summary else None,
        origin_note(origin, lang),
        html.Dl([
            html.Dt(_("Table"), className="col-5 col-sm-3 fw-normal text-body-secondary"),
            html.Dd(table_name, className="col-7 col-sm-9"),
            html.Dt(_("Chair"), className="col-5 col-sm-3 fw-normal text-body-secondary"),
            html.Dd(view.chair_name or _("Not elected yet"), className="col-7 col-sm-9"),
            html.Dt(_("Where"), className="col-5 col-sm-3 fw-normal text-body-secondary"),
            html.Dd(place or _("All of Amol county"), className="col-7 col-sm-9"),
            html.Dt(_("Still missing"), className="col-5 col-sm-3 fw-normal text-body-secondary"),
            html.Dd(_("%(p)s of what it needs, on average over its needs", p=format_percent(mean_missing, lang)),
                    className="col-7 col-sm-9"),
        ], className="row mb-3 small"),
        html.Div(pledge_button, className="my-3"),
        about,
        results,
        _section(_("What it needs"), html.Ul([_need_item(n, view, lang) for n in view.needs],
                                             className="list-group", id=ids.PROJECT_NEEDS)
                 if view.needs else html.P(_("No needs listed."), id=ids.PROJECT_NEEDS)),
        html.P([icon("info-circle", "me-1"),
                _("Green is accepted by the table's chair, amber is proposed by matching and awaits the chair, "
                  "and the empty part is still missing.")], className="small text-body-secondary mt-2"),
        _section(_("Contributions accepted so far (%(n)s)", n=format_number(view.contributions_total, lang)),
                 html.Div([
                     contributions_list,
                     html.Div(pager(view.contributions_page, view.contributions_pages,
                                    lambda n: f"/projects/{p.id}?contributions={n}", id="project-contributions-pager",
                                    label=_("Pages of contributions")), className="mt-2"),
                 ])),
        html.P(_("Citizens are named only if they chose to be."), className="small text-body-secondary mt-2"),
        html.Div(dcc.Link([icon("arrow-right" if lang == "fa" else "arrow-left", "me-1"), _("Back to all projects")],
                          href="/projects", className="btn btn-link px-0"), className="mt-3"),
    ], **{"data-total-missing": str(total.missing)})
