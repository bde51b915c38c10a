"""/pilots: the public gallery of model pilots; /pilots/<id>: one pilot's story, its indicators before and
after, and "replicate this" for a chair (into a table they chair) or the governorate (any table);
/projects/<id>/pilot: the governorate marks a completed project a model pilot with its story.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html, no_update
from sqlalchemy import select

from dash_app.auth import (
    ANYONE,
    CHAIR,
    GOVERNORATE,
    current_roles,
    current_user_id,
    require,
    secured_callback,
)
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_number, parse_int
from dash_app.layout import forbidden_content, page
from dash_app.pages.results import ids
from dash_app.ui.alerts import alert
from dash_app.ui.names import name_in
from dash_app.ui.quantities import parse_amount
from dash_app.ui.results import cost_text, value_text
from models.core.enums import ProjectStatus
from models.core.errors import DomainError, NotFound, PermissionDenied, ValidationError
from models.orm.geo import District
from models.orm.tables import Table
from models.results.common import project_or_404
from models.results.pilots import PilotView, gallery, mark_pilot, pilot_of_project, pilot_view, replicate


def _before_after(view: PilotView, lang: str) -> html.Ul | None:
    if not view.indicators:
        return None
    return html.Ul([html.Li(_("%(name)s: %(before)s before, %(after)s after (target %(target)s)", name=c.name,
                              before=value_text(c.baseline, c.unit, lang), after=value_text(c.latest, c.unit, lang),
                              target=value_text(c.target, c.unit, lang))) for c in view.indicators],
                   className="small mb-1")


def _card(view: PilotView, lang: str) -> html.Div:
    return html.Div(html.Div([
        html.H2(dcc.Link(name_in(lang, view.title_fa, view.title_en), href=f"/pilots/{view.pilot_id}"),
                className="h6"),
        html.P(name_in(lang, view.table_fa, view.table_en), className="small text-body-secondary mb-1"),
        html.P(view.problem, className="small mb-1"),
        _before_after(view, lang),
        html.P(_("Replicated %(n)s times", n=format_number(view.replications, lang)), className="small mb-0")
        if view.replications else None,
    ], className="card-body"), className="card mb-2", **{"data-pilot": str(view.pilot_id)})


@page(__name__, path="/pilots", title=_l("Model pilots"), roles={ANYONE}, nav=True, menu="results", order=25, icon="stars")
def layout(**_kw):
    lang = current_language()
    with get_db().reader() as s:
        views = gallery(s)
    return html.Div([
        html.H1(_("Model pilots"), className="h3"),
        html.P(_("Completed projects the governorate holds up as examples: what the problem was, what was done, "
                 "by whom, at what cost, and what changed. Any table can copy one and adapt it."),
               className="text-body-secondary"),
        html.Div([_card(v, lang) for v in views]) if views else
        html.P(_("No model pilot yet."), className="text-body-secondary"),
    ])


def _replicate_form(lang: str) -> html.Section | None:
    roles = current_roles()
    if not (roles.governorate or roles.chair_of):
        return None
    with get_db().reader() as s:
        tables = list(s.scalars(select(Table).where(Table.archived_at.is_(None)).order_by(Table.id)))
        districts = list(s.scalars(select(District).order_by(District.id)))
    tables = [t for t in tables if roles.governorate or t.id in roles.chair_of]
    return html.Section([
        html.H2(_("Replicate this"), className="h5"),
        html.P(_("Makes a draft project with the same needs, milestones and indicators (baselines empty) "
                 "for you to adapt."), className="small text-body-secondary"),
        html.Div([
            # radio buttons, not a select: the guard reads the table id as the integer it is
            html.Fieldset([html.Legend(_("Table"), className="small mb-0"),
                           dbc.RadioItems(id=ids.REPL_TABLE, value=tables[0].id if tables else None,
                                          options=[{"label": name_in(lang, t.name_fa, t.name_en), "value": t.id}
                                                   for t in tables])]),
            html.Div([dbc.Label(_("District"), html_for=ids.REPL_DISTRICT, className="small mb-0"),
                      dbc.Select(id=ids.REPL_DISTRICT, value="", options=[{"label": _("All of the county"), "value": ""}]
                                 + [{"label": name_in(lang, d.name_fa, d.name_en), "value": str(d.id)}
                                    for d in districts])]),
        ], className="d-flex flex-wrap gap-2 mb-2"),
        html.Button(_("Replicate as a draft"), id=ids.REPL_SAVE, n_clicks=0, className="btn btn-primary btn-sm"),
        html.Div(id=ids.REPL_ALERT, className="mt-2", **{"aria-live": "polite"}),
    ], className="border rounded p-3 mt-3")


@page(__name__ + ".one", path="/pilots/<pilot_id>", path_template="/pilots/<pilot_id>", title=_l("Model pilot"),
      roles={ANYONE})
def pilot_layout(pilot_id=None, **_kw):
    lang = current_language()
    pid = parse_int(pilot_id) if isinstance(pilot_id, str) and len(pilot_id) < 12 else None
    try:
        with get_db().reader() as s:
            view = pilot_view(s, pid)
    except NotFound:
        return html.P(_("This model pilot does not exist."), className="py-5 text-center")
    return html.Article([
        dcc.Link(_("All model pilots"), href="/pilots", className="small"),
        html.H1(name_in(lang, view.title_fa, view.title_en), className="h3 mt-1"),
        html.P(name_in(lang, view.table_fa, view.table_en), className="text-body-secondary"),
        html.Dl([html.Dt(_("The problem or talent")), html.Dd(view.problem),
                 html.Dt(_("What was done")), html.Dd(view.what_was_done),
                 html.Dt(_("By whom")), html.Dd(view.by_whom or "—"),
                 html.Dt(_("What it cost")), html.Dd(cost_text(view.cost_rials, lang))]),
        html.H2(_("Indicators before and after"), className="h6") if view.indicators else None,
        _before_after(view, lang),
        dcc.Link(_("See the project"), href=f"/projects/{view.project_id}", className="btn btn-link px-0"),
        _replicate_form(lang),
        dcc.Store(id=ids.PILOT_ID, data=view.pilot_id),
    ])


@secured_callback(Output(ids.REPL_ALERT, "children"), Input(ids.REPL_SAVE, "n_clicks"),
                  State(ids.PILOT_ID, "data"), State(ids.REPL_TABLE, "value"), State(ids.REPL_DISTRICT, "value"),
                  roles={CHAIR, GOVERNORATE}, table_from=State(ids.REPL_TABLE, "value"), prevent_initial_call=True)
def replicate_pilot(clicks, pilot_id, table_value, district_value):
    table_id = parse_int(table_value) if isinstance(table_value, (str, int)) and not isinstance(table_value, bool) \
        else None
    require({CHAIR, GOVERNORATE}, table_id)
    if not clicks:
        return no_update
    district = parse_int(district_value) if isinstance(district_value, str) and district_value else None
    try:
        copy = get_db().run(lambda s: replicate(s, current_user_id(), pilot_id, table_id, district).id)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return alert(error_message(exc))
    return alert([_("A draft was made on the table; adapt it there. "),
                  dcc.Link(_("Open the table"), href=f"/tables/{table_id}")], "success") if copy else no_update


@page(__name__ + ".mark", path="/pilot-story/<project_id>", path_template="/pilot-story/<project_id>",
      title=_l("Make a model pilot"), roles={GOVERNORATE})
def mark_layout(project_id=None, **_kw):
    lang = current_language()
    pid = parse_int(project_id) if isinstance(project_id, str) and len(project_id) < 12 else None
    try:
        with get_db().reader() as s:
            project = project_or_404(s, pid)
            title, completed = name_in(lang, project.title_fa, project.title_en), project.status is ProjectStatus.COMPLETED
            existing = pilot_of_project(s, project.id)
    except NotFound:
        return forbidden_content()
    if existing is not None:
        return html.P(dcc.Link(_("This project is already a model pilot."), href=f"/pilots/{existing}"))
    return html.Article([
        html.H1(_("Make “%(title)s” a model pilot", title=title), className="h4"),
        None if completed else html.P(error_message(ValidationError("pilot_not_completed")), className="text-danger"),
        html.Div([dbc.Label(_("The problem or talent it started from"), html_for=ids.PILOT_PROBLEM),
                  dbc.Textarea(id=ids.PILOT_PROBLEM, rows=2, maxLength=2000, value="")], className="mb-2"),
        html.Div([dbc.Label(_("What was done"), html_for=ids.PILOT_DONE),
                  dbc.Textarea(id=ids.PILOT_DONE, rows=2, maxLength=2000, value="")], className="mb-2"),
        html.Div([dbc.Label(_("By whom"), html_for=ids.PILOT_BY),
                  dbc.Input(id=ids.PILOT_BY, maxLength=2000, value="")], className="mb-2"),
        html.Div([dbc.Label(_("What it cost (toman)"), html_for=ids.PILOT_COST),
                  dbc.Input(id=ids.PILOT_COST, inputMode="numeric", value="")], className="mb-2"),
        html.Button(_("Make it a model pilot"), id=ids.PILOT_SAVE, n_clicks=0, className="btn btn-primary"),
        html.Div(id=ids.PILOT_ALERT, className="mt-2", **{"aria-live": "polite"}),
        dcc.Store(id=ids.PROJECT_ID, data=project.id),
    ])


@secured_callback(Output(ids.PILOT_ALERT, "children"), Input(ids.PILOT_SAVE, "n_clicks"),
                  State(ids.PROJECT_ID, "data"), State(ids.PILOT_PROBLEM, "value"), State(ids.PILOT_DONE, "value"),
                  State(ids.PILOT_BY, "value"), State(ids.PILOT_COST, "value"), roles={GOVERNORATE},
                  prevent_initial_call=True)
def save_pilot(clicks, project_id, problem, done, by_whom, cost):
    require({GOVERNORATE})
    if not clicks:
        return no_update
    try:
        rials = None
        if isinstance(cost, str) and cost.strip():
            try:
                rials = int(parse_amount(cost) * 10)  # toman -> rials
            except (ValueError, ArithmeticError, DomainError):
                raise ValidationError("pilot_cost_invalid", field="cost") from None
        pilot = get_db().run(lambda s: mark_pilot(s, current_user_id(), project_id, problem, done, by_whom, rials).id)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return alert(error_message(exc))
    return alert([_("It is now a model pilot. "), dcc.Link(_("See its page"), href=f"/pilots/{pilot}")], "success") \
        if ctx.triggered else no_update
