"""Voting without an account (/vote/resident): a resident in the register votes in a budgeting cycle for
residents with their national code, Jalali year of birth and a one-time code sent to their phone (issue 23
item 4).

Imports dash, dbc, flask, models (pb cycles, pb census, accounts codes, messaging dispatch) and dash_app. Anyone
may open it. "Send me a code" makes every check of the ballot (models.pb.census.census_voter: the cycle, the
register, the cycle's rule, the ballot's limits, not voted yet) and sends a "vote" code (models.accounts.codes)
to the confirmed phone of the account linked to the register entry; an entry without one is told to sign up
(/signup) or vote at a polling station. "Cast my vote" spends the code and casts the ballot in one transaction;
a wrong code counts as one of the code's tries. Attempts are rate-limited per address (and codes per number and
address, models.accounts.codes). HAMYAR_CENSUS_VOTING=0 switches the page off.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html, no_update
from flask import request

import models.pb.cycles as pb_cycles
from dash_app.auth import ANYONE, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    _l,
    current_language,
    error_message,
    format_money,
    format_number,
    localise_digits,
    parse_int,
)
from dash_app.layout import icon, page
from dash_app.pages.pb import ids_census as ids
from dash_app.ratelimit import resident_attempt_allowed
from dash_app.ui.alerts import error_alert, success
from dash_app.ui.eligibility import census_enabled, cycle_sentence
from dash_app.ui.names import name_in
from models.accounts import codes
from models.core.errors import DomainError, ValidationError
from models.messaging.dispatch import queue_code
from models.orm.people import User
from models.pb.census import CensusVoter, cast_census_ballot, census_offered, census_voter


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
                 "code and year of birth, without making an account. A code is sent to the mobile number confirmed "
                 "on the account linked to your register entry. Your vote cannot be changed afterwards; nobody can "
                 "see what you chose.")),
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
        html.Button([icon("phone", "me-1"), _("Send me a code")], id=ids.CENSUS_SEND, n_clicks=0,
                    className="btn btn-outline-primary btn-lg w-100 mb-3"),
        html.Div([
            html.Div(id=ids.CENSUS_SENT, role="status", className="small mb-2"),
            dbc.Label(_("The code sent to your phone"), html_for=ids.CENSUS_OTP, className="small fw-semibold mb-1"),
            dbc.Input(id=ids.CENSUS_OTP, inputMode="numeric", maxLength=6, autoComplete="one-time-code",
                      className="mb-3"),
            html.Button([icon("send", "me-1"), _("Cast my vote")], id=ids.CENSUS_SUBMIT, n_clicks=0,
                        className="btn btn-primary btn-lg w-100 mb-4"),
        ], id=ids.CENSUS_CODE_STEP, hidden=True),
    ], lang=lang)


def _no_phone_help() -> html.Div:
    return html.Div([error_message("census_no_phone"), " ",
                     dcc.Link(_("Sign up with your mobile number"), href="/signup", className="alert-link"), " · ",
                     dcc.Link(_("Link your account to the register"), href="/resident", className="alert-link")],
                    className="alert alert-warning py-2 mb-2", role="alert")


def _masked(phone: str) -> str:
    """The end of the number, so the voter knows which phone to look at (never the whole number)."""
    return phone[-4:]


def _send_code(cycle_id, code, year, choices) -> tuple[object, object, object]:
    try:
        with get_db().unit_of_work() as s:
            voter = census_voter(s, cycle_id, code, year, choices)
            user_language = current_language()
            issued = codes.issue_code(s, purpose="vote", login=voter.phone, address=request.remote_addr,
                                      language=user_language, account=s.get(User, voter.user_id))
            if issued.code is not None:
                queue_code(s, channel=issued.channel, recipient=issued.recipient, code=issued.code, purpose="vote",
                           language=user_language, user_id=voter.user_id,
                           minutes=int(codes.CODE_VALID_FOR.total_seconds() // 60))
    except DomainError as exc:
        if exc.code == "census_no_phone":
            return _no_phone_help(), True, no_update
        return error_alert(exc), no_update, no_update
    sent = _("A code is on its way to your phone ending in %(end)s. It works for %(minutes)s minutes.",
             end=localise_digits(_masked(voter.phone)),
             minutes=format_number(int(codes.CODE_VALID_FOR.total_seconds() // 60)))
    return None, False, sent


def _cast(cycle_id, code, year, choices, otp) -> tuple[object, bool]:
    typed = otp if isinstance(otp, str) else ""
    wrong: list[CensusVoter] = []

    def confirm(voter: CensusVoter) -> None:
        if codes.check_code(s, purpose="vote", login=voter.phone, code=typed) is None:
            wrong.append(voter)
            raise ValidationError("code_wrong", field="code")

    try:
        with get_db().unit_of_work() as s:
            cast_census_ballot(s, cycle_id, code, year, choices, confirm=confirm)
    except DomainError as exc:
        if wrong:  # the ballot's transaction rolled back: count the wrong try in one of its own
            with get_db().unit_of_work() as s:
                codes.check_code(s, purpose="vote", login=wrong[0].phone, code=typed)
        return error_alert(exc), False
    return success(_("Your vote is counted. Thank you!")), True


@secured_callback(Output(ids.CENSUS_MESSAGE, "children"), Output(ids.CENSUS_CODE_STEP, "hidden"),
                  Output(ids.CENSUS_SENT, "children"), Output(ids.CENSUS_CODE, "value"),
                  Output(ids.CENSUS_CHOICES, "value"), Output(ids.CENSUS_OTP, "value"),
                  Input(ids.CENSUS_SEND, "n_clicks"), Input(ids.CENSUS_SUBMIT, "n_clicks"),
                  State(ids.CENSUS_CYCLE, "data"), State(ids.CENSUS_CODE, "value"), State(ids.CENSUS_YEAR, "value"),
                  State(ids.CENSUS_CHOICES, "value"), State(ids.CENSUS_OTP, "value"),
                  roles={ANYONE}, prevent_initial_call=True)
def vote(n_send, n_submit, data, code, year, choices, otp):
    require({ANYONE})
    keep = (no_update,) * 6
    trigger = ctx.triggered_id
    if trigger not in (ids.CENSUS_SEND, ids.CENSUS_SUBMIT) or not (n_send or n_submit):
        return keep
    if not census_enabled():
        return (error_alert("census_vote_not_offered"), *keep[1:])
    if not resident_attempt_allowed("census"):
        return (error_alert("too_many_attempts"), *keep[1:])
    cycle_id = data.get("cycle_id") if isinstance(data, dict) else None
    code = code if isinstance(code, str) else ""
    year = year if isinstance(year, str) else ""
    choices = choices if isinstance(choices, list) else None
    if trigger == ids.CENSUS_SEND:
        message, hidden, sent = _send_code(cycle_id, code, year, choices)
        return message, hidden, sent, no_update, no_update, no_update
    message, done = _cast(cycle_id, code, year, choices, otp)
    if done:
        return message, True, "", "", [], ""
    return message, no_update, no_update, no_update, no_update, ""
