"""Voting without an account (/vote/resident): a resident in the register votes in a budgeting cycle for
residents with their national code and Jalali year of birth (issue 23 item 4).

Imports dash, dbc, models (pb cycles, pb census) and dash_app. Anyone may open it; models.pb.census checks the
cycle, the register, the cycle's rule, the ballot's limits and that the national code has not voted (through
an account or this form). Attempts are rate-limited per address. The one-time code to the resident's phone
is not asked yet (models.pb.census's `confirm` seam): until the outbox lands, the code and the year admit.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

import models.pb.cycles as pb_cycles
from dash_app.auth import ANYONE, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_money, parse_int
from dash_app.layout import icon, page
from dash_app.pages.pb import ids_census as ids
from dash_app.ratelimit import resident_attempt_allowed
from dash_app.ui.alerts import error_alert, success
from dash_app.ui.eligibility import census_enabled, cycle_sentence
from dash_app.ui.names import name_in
from models.core.errors import DomainError
from models.pb.census import cast_census_ballot, census_offered


@page(__name__, path="/vote/resident", title=_l("Vote without an account"), roles={ANYONE})
def layout(cycle=None, **_kw):
    lang = current_language()
    with get_db().reader() as s:
        offered = [c for c in pb_cycles.open_cycles(s) if census_offered(s, c.id)] if census_enabled() else []
        wanted = parse_int(cycle) if isinstance(cycle, str) and len(cycle) < 12 else None
        current = next((c for c in offered if c.id == wanted), offered[0] if offered else None)
        if current is not None:
            items = pb_cycles.ballot_items(s, current.id)
            who = cycle_sentence(s, current.id, lang)
    header = html.H1([icon("person-check", "me-2"), _("Vote without an account")], className="h3 mb-3")
    if current is None:
        return html.Div([header, html.P(_("No budgeting vote for residents is open right now."),
                                        className="alert alert-info")], lang=lang)
    return html.Div([
        header,
        dcc.Store(id=ids.CENSUS_CYCLE, data={"cycle_id": current.id}),
        html.H2(name_in(lang, current.name_fa, current.name_en), className="h4"),
        html.P(who, className="fw-semibold"),
        html.Nav([dcc.Link(name_in(lang, c.name_fa, c.name_en), href=f"/vote/resident?cycle={c.id}",
                           className="me-2 small") for c in offered if c.id != current.id]),
        html.P(_("If you are in the governorate's resident register you can vote here once, with your national "
                 "code and year of birth, without making an account. Your vote cannot be changed afterwards; "
                 "nobody can see what you chose.")),
        html.Div([
            html.Div([dbc.Label(_("National code"), html_for=ids.CENSUS_CODE, className="small fw-semibold mb-1"),
                      dbc.Input(id=ids.CENSUS_CODE, inputMode="numeric", maxLength=14, autoComplete="off")],
                     className="col-12 col-md-6"),
            html.Div([dbc.Label(_("Year of birth (Jalali, e.g. 1360)"), html_for=ids.CENSUS_YEAR,
                                className="small fw-semibold mb-1"),
                      dbc.Input(id=ids.CENSUS_YEAR, inputMode="numeric", maxLength=4, autoComplete="off")],
                     className="col-12 col-md-6"),
        ], className="row g-2 mb-3"),
        html.Fieldset([
            html.Legend(_("Projects on the ballot"), className="fs-6 fw-semibold"),
            dbc.Checklist(id=ids.CENSUS_CHOICES, value=[], className="mb-3", options=[
                {"label": f"{name_in(lang, i.title_fa, i.title_en)} · {format_money(i.cost, lang)}",
                 "value": i.project_id} for i in items]),
        ]),
        html.Div(id=ids.CENSUS_MESSAGE),
        html.Button([icon("send", "me-1"), _("Cast my vote")], id=ids.CENSUS_SUBMIT, n_clicks=0,
                    className="btn btn-primary btn-lg w-100 mb-4"),
    ], lang=lang)


@secured_callback(Output(ids.CENSUS_MESSAGE, "children"), Output(ids.CENSUS_CODE, "value"),
                  Output(ids.CENSUS_CHOICES, "value"),
                  Input(ids.CENSUS_SUBMIT, "n_clicks"), State(ids.CENSUS_CYCLE, "data"), State(ids.CENSUS_CODE, "value"),
                  State(ids.CENSUS_YEAR, "value"), State(ids.CENSUS_CHOICES, "value"),
                  roles={ANYONE}, prevent_initial_call=True)
def vote(n, data, code, year, choices):
    require({ANYONE})
    if not n:
        return no_update, no_update, no_update
    if not census_enabled():
        return error_alert("census_vote_not_offered"), no_update, no_update
    if not resident_attempt_allowed("census"):
        return error_alert("too_many_attempts"), no_update, no_update
    cycle_id = data.get("cycle_id") if isinstance(data, dict) else None
    try:
        with get_db().unit_of_work() as s:
            cast_census_ballot(s, cycle_id, code if isinstance(code, str) else "",
                               year if isinstance(year, str) else "", choices if isinstance(choices, list) else None)
    except DomainError as exc:
        return error_alert(exc), no_update, no_update
    return success(_("Your vote is counted. Thank you!")), "", []
