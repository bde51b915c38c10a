"""Linking one's account to the resident register (/resident): national code and Jalali year of birth.

Imports dash, dbc, models (residents.claims, residency) and dash_app. The page shows whether the account is
linked and where the register places the person; models.residents.claims.claim does every check (the
checksum, the match, one entry per account and one account per entry). Attempts are rate-limited per
address, because the form could otherwise be used to guess who is in the register.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html, no_update

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, localise_digits
from dash_app.layout import icon, page
from dash_app.ratelimit import resident_attempt_allowed
from dash_app.ui import resident_ids as ids
from dash_app.ui.alerts import error_alert, success
from dash_app.ui.names import name_in
from models.core.errors import DomainError
from models.core.residency import resident_of
from models.orm.geo import District
from models.residents.claims import claim


def status(uid: int, lang: str) -> html.Div:
    with get_db().reader() as s:
        resident = resident_of(s, uid)
        place = s.get(District, resident.district_id) if resident is not None else None
        where = name_in(lang, place.name_fa, place.name_en) if place is not None else ""
        year = localise_digits(str(resident.birth_year), lang) if resident is not None else ""
    if resident is None:
        return html.Div(html.P(_("Your account is not linked to the resident register yet."), className="mb-0"),
                        className="alert alert-info", id=ids.RES_STATUS)
    return html.Div(html.P([icon("patch-check", "me-1"),
                            _("Your account is linked to the resident register: %(place)s, born in %(year)s.",
                              place=where, year=year)], className="mb-0"),
                    className="alert alert-success", id=ids.RES_STATUS)


@page(__name__, path="/resident", title=_l("Resident register"), roles={CITIZEN})
def layout(**_kw):
    lang = current_language()
    uid = current_user_id()
    return html.Div([
        html.H1([icon("person-vcard", "me-2"), _("Resident register")], className="h3 mb-3"),
        html.P(_("Some votes are for the county's residents only. Link your account to your entry in the "
                 "governorate's resident register with your national code and year of birth. One entry links "
                 "to one account only, and each national code votes once per vote.")),
        html.Div(status(uid, lang), id=ids.RES_MESSAGE + "-status"),
        html.Div([
            html.Div([dbc.Label(_("National code"), html_for=ids.RES_CODE, className="small fw-semibold mb-1"),
                      dbc.Input(id=ids.RES_CODE, inputMode="numeric", maxLength=14, autoComplete="off")],
                     className="col-12 col-md-6"),
            html.Div([dbc.Label(_("Year of birth (Jalali, e.g. 1360)"), html_for=ids.RES_YEAR,
                                className="small fw-semibold mb-1"),
                      dbc.Input(id=ids.RES_YEAR, inputMode="numeric", maxLength=4, autoComplete="off")],
                     className="col-12 col-md-6"),
        ], className="row g-2 mb-3"),
        html.Div(id=ids.RES_MESSAGE),
        html.Button([icon("link-45deg", "me-1"), _("Link my account")], id=ids.RES_SUBMIT, n_clicks=0,
                    className="btn btn-primary"),
        html.P(_("The national code itself is never stored: the register keeps a coded form of it that cannot be "
                 "read back."), className="small text-body-secondary mt-3"),
    ], lang=lang)


@secured_callback(Output(ids.RES_MESSAGE, "children"), Output(ids.RES_MESSAGE + "-status", "children"),
                  Output(ids.RES_CODE, "value"),
                  Input(ids.RES_SUBMIT, "n_clicks"), State(ids.RES_CODE, "value"), State(ids.RES_YEAR, "value"),
                  roles={CITIZEN}, prevent_initial_call=True)
def link(n, code, year):
    require({CITIZEN})
    if not n:
        return no_update, no_update, no_update
    if not resident_attempt_allowed("claim"):
        return error_alert("too_many_attempts"), no_update, no_update
    uid = current_user_id()
    try:
        with get_db().unit_of_work() as s:
            claim(s, uid, code if isinstance(code, str) else "", year if isinstance(year, str) else "")
    except DomainError as exc:
        return error_alert(exc), no_update, no_update
    return success(_("Your account is now linked to the resident register.")), status(uid, current_language()), ""
