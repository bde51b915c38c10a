"""A polling officer's page (/pb/station): enter paper ballots and assisted votes for a cycle.

Imports dash, dbc, models (pb_cycles, pb stations, accounts for the assisted citizen's login) and
dash_app. Any signed-in person may open it; only the cycles the governorate made them an officer of
are offered, and models.pb.stations.enter_ballot checks that again on the server for every ballot.
The page never shows what earlier ballots said: only how many this officer has entered.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

import models.pb.cycles as pb_cycles
import models.pb.stations as stations
from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_number, parse_int
from dash_app.layout import icon, page
from dash_app.pages.pb import ids
from dash_app.ui.names import name_in
from models.accounts.users import find_user_by_login
from models.core.errors import DomainError, NotFound
from models.core.residency import user_of_national_code


@page(__name__, path="/pb/station", title=_l("Polling station"), roles={CITIZEN})
def layout(cycle=None, **_kw):
    lang = current_language()
    uid = current_user_id()
    with get_db().reader() as s:
        mine = stations.officer_cycles(s, uid)
        wanted = parse_int(cycle) if isinstance(cycle, str) and len(cycle) < 12 else None
        current = next(((c, o) for c, o in mine if c.id == wanted), mine[0] if mine else None)
        if current is not None:
            items = pb_cycles.ballot_items(s, current[0].id)
            entered = stations.station_count(s, uid, current[0].id)
    header = html.H1([icon("inboxes", "me-2"), _("Polling station")], className="h3 mb-3")
    if current is None:
        return html.Div([header, html.P(_("You are not a polling officer of any cycle that is voting or being "
                                          "counted."), className="alert alert-info")], lang=lang)
    cycle_row, officer = current
    return html.Div([
        header,
        dcc.Store(id=ids.PAPER_CYCLE, data={"cycle_id": cycle_row.id}),
        html.H2(name_in(lang, cycle_row.name_fa, cycle_row.name_en), className="h5"),
        html.P(_("Station: %(station)s", station=officer.station), className="small text-body-secondary"),
        html.Nav([dcc.Link(name_in(lang, c.name_fa, c.name_en), href=f"/pb/station?cycle={c.id}",
                           className="me-2 small") for c, _o in mine if c.id != cycle_row.id]) if len(mine) > 1 else None,
        html.P(_("Enter each paper form once, with the number printed on it. For an assisted vote, also enter the "
                 "citizen's phone or e-mail: it becomes their own ballot."), className="small"),
        html.Div([
            html.Div([dbc.Label(_("Ballot number"), html_for=ids.PAPER_NUMBER, className="small fw-semibold mb-1"),
                      dbc.Input(id=ids.PAPER_NUMBER, maxLength=40, autoComplete="off")], className="col-12 col-md-6"),
            html.Div([dbc.Label(_("Assisted citizen's phone, e-mail or national code (optional)"),
                                html_for=ids.PAPER_ASSISTED,
                                className="small fw-semibold mb-1"),
                      dbc.Input(id=ids.PAPER_ASSISTED, maxLength=254, autoComplete="off")], className="col-12 col-md-6"),
        ], className="row g-2 mb-3"),
        html.Fieldset([
            html.Legend(_("Projects marked on the ballot"), className="fs-6 fw-semibold"),
            dbc.Checklist(id=ids.PAPER_CHOICES, value=[], className="mb-3",
                          options=[{"label": name_in(lang, i.title_fa, i.title_en), "value": i.project_id}
                                   for i in items]),
        ]),
        html.Div(id=ids.PAPER_MESSAGE),
        html.Button([icon("check2-square", "me-1"), _("Enter this ballot")], id=ids.PAPER_SUBMIT, n_clicks=0,
                    className="btn btn-primary w-100 mb-2"),
        html.P(_("%(n)s ballots entered by you in this cycle.", n=format_number(entered, lang)), id=ids.PAPER_COUNT,
               className="small text-body-secondary"),
    ], lang=lang)


@secured_callback(Output(ids.PAPER_MESSAGE, "children"), Output(ids.PAPER_COUNT, "children"),
                  Output(ids.PAPER_NUMBER, "value"), Output(ids.PAPER_CHOICES, "value"),
                  Output(ids.PAPER_ASSISTED, "value"),
                  Input(ids.PAPER_SUBMIT, "n_clicks"), State(ids.PAPER_CYCLE, "data"), State(ids.PAPER_NUMBER, "value"),
                  State(ids.PAPER_CHOICES, "value"), State(ids.PAPER_ASSISTED, "value"),
                  roles={CITIZEN}, prevent_initial_call=True)
def enter(n, data, number, choices, assisted):
    """Enter one ballot; the domain checks the officer, the number, the limits and the phase."""
    require({CITIZEN})
    if not n:
        return (no_update,) * 5
    lang = current_language()
    uid = current_user_id()
    cycle_id = data.get("cycle_id") if isinstance(data, dict) else None
    try:
        with get_db().unit_of_work() as s:
            citizen_id = None
            if isinstance(assisted, str) and assisted.strip():
                citizen = find_user_by_login(s, assisted[:254]) or user_of_national_code(s, assisted[:20])
                if citizen is None:
                    raise NotFound("user_not_found")
                citizen_id = citizen.id
            ballot = stations.enter_ballot(s, uid, cycle_id, number, choices, citizen_id)
            shown = ballot.ballot_number
        with get_db().reader() as s:
            entered = stations.station_count(s, uid, cycle_id)
    except DomainError as exc:
        return (html.Div(error_message(exc), className="alert alert-danger", role="alert"), no_update, no_update,
                no_update, no_update)
    ok = html.Div([icon("check-circle", "me-1"), _("Ballot %(number)s is entered.", number=shown)],
                  className="alert alert-success", role="status")
    return ok, _("%(n)s ballots entered by you in this cycle.", n=format_number(entered, lang)), "", [], ""
