"""/tables: the specialized tables; for the governorate, matching the whole county in the background.

Imports dash, dbc, models and dash_app. The run panel is the section dash_app.pages.table.runs (shared with a
table's own page).
"""
from __future__ import annotations

from dash import Input, Output, ctx, dcc, html, no_update

from dash_app.auth import ANYONE, GOVERNORATE, admits, current_roles, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_number
from dash_app.layout import icon, page
from dash_app.pages.table import ids
from dash_app.pages.table.runs import execute_claimed, run_panel, start_or_poll
from dash_app.render_cache import cached_render
from dash_app.ui.names import name_in
from models.core.enums import RunScope
from models.projects.editing import tables_overview
from models.runs.lifecycle import latest_run


def _card(card, lang: str):
    name = name_in(lang, card.name_fa, card.name_en)
    chair_bits = [icon("person-badge", "me-1"), _("Chair: %(name)s", name=card.chair_name)] if card.chair_name \
        else [_("No chair yet")]
    pending = None
    if card.proposals and admits({"chair"}, current_roles(), card.table_id):
        pending = html.Span(_("%(n)s proposals await you", n=format_number(card.proposals)),
                            className="badge text-bg-warning")
    return html.Li(html.Div([
        html.H2(dcc.Link(name, href=f"/tables/{card.table_id}"), className="h6 mb-1"),
        html.P(chair_bits, className="small mb-1"),
        html.P([icon("people", "me-1"), _("%(n)s members", n=format_number(card.members)), " · ",
                icon("kanban", "me-1"), _("%(n)s open projects", n=format_number(card.active_projects))],
               className="small text-body-secondary mb-1"),
        pending,
    ], className="p-3 border rounded h-100"), className="col-12 col-md-6 col-lg-4")


def _project_titles(lang: str) -> dict[int, str]:
    from sqlalchemy import select

    from models.orm.projects import Project

    with get_db().reader() as s:
        return {pid: name_in(lang, fa, en) for pid, fa, en in
                s.execute(select(Project.id, Project.title_fa, Project.title_en))}


@page(__name__, path="/tables", title=_l("Tables"), roles={ANYONE}, nav=True, order=20, icon="people")
def layout(**_kw):
    roles = current_roles()
    if roles.governorate or roles.chair_of:
        return _tables()  # the county run panel, a chair's "proposals await you": theirs, never cached
    return cached_render(__name__, None, _tables)  # everyone else: the same list, per language


def _tables():
    lang = current_language()
    with get_db().reader() as s:
        cards = tables_overview(s)
        county = latest_run(s, RunScope.COUNTY) if current_roles().governorate else None
    county_panel = None
    if current_roles().governorate:
        county_panel = html.Div(run_panel(_("Match the whole county"), COUNTY_PANEL_IDS, county,
                                          _project_titles(lang)), id=ids.COUNTY_PANEL)
    return html.Div([
        html.H1(_("Specialized tables"), className="h3 mb-2"),
        html.P(_("Each table is a standing committee for one domain: its members are experts, and its elected "
                 "chair decides which help each project accepts."), className="mb-3"),
        county_panel,
        html.Ul([_card(c, lang) for c in cards], className="row g-3 list-unstyled", id=ids.TABLES_LIST)
        if cards else html.P(_("No tables yet."), id=ids.TABLES_LIST),
    ])


COUNTY_PANEL_IDS = (ids.COUNTY_START, ids.COUNTY_STATUS, ids.COUNTY_INTERVAL, ids.COUNTY_CLAIMED, ids.COUNTY_EXECUTED)


@secured_callback(Output(ids.COUNTY_STATUS, "children"), Output(ids.COUNTY_INTERVAL, "disabled"),
                  Output(ids.COUNTY_START, "disabled"), Output(ids.COUNTY_CLAIMED, "children"),
                  Input(ids.COUNTY_START, "n_clicks"), Input(ids.COUNTY_INTERVAL, "n_intervals"),
                  roles={GOVERNORATE}, prevent_initial_call=True)
def county_run(_n_clicks, _n_intervals):
    require({GOVERNORATE})
    started = ctx.triggered_id == ids.COUNTY_START
    if not started and _n_intervals is None:
        return no_update, no_update, no_update, no_update
    body, interval_off, button_off, _state, claimed = start_or_poll(RunScope.COUNTY, None, started,
                                                                    _project_titles(current_language()))
    return body, interval_off, button_off, claimed


@secured_callback(Output(ids.COUNTY_EXECUTED, "children"), Input(ids.COUNTY_CLAIMED, "children"),
                  roles={GOVERNORATE}, background=True, prevent_initial_call=True)
def county_execute(run_id):
    require({GOVERNORATE})
    return execute_claimed(run_id)


__all__ = ["layout"]
