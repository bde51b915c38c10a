"""Helping a resident who has no smartphone (/assist): register them from a signed paper form, and enter a
pledge they made on paper (issue 23 item 5). Their PB ballot is entered at a polling station (/pb/station,
by national code), which is where assisted ballots already live.

Imports dash, dbc, models (residents.claims, pledging.assisted, accounts for the phone's form) and dash_app.
Any signed-in person may open it; only governorate staff and current table members may use it, checked by
the domain for every entry (models.residents.claims.may_assist). Everything is audited as assisted: who
helped, for whom, and the form's number.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html, no_update

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, parse_number
from dash_app.layout import icon, page
from dash_app.ui import register_ids as ids
from dash_app.ui.alerts import error_alert, success
from models.accounts.users import normalise_login
from models.core.errors import DomainError, ValidationError
from models.core.residency import match_register
from models.core.validation import quantity_from_input
from models.pledging.assisted import pledge_for_resident
from models.pledging.pledges import PledgeInput
from models.residents.claims import may_assist, register_assisted

KINDS = (("financial", _l("Money (toman)")), ("execution", _l("Volunteer work (person-hours)")),
         ("design", _l("Design (expert hours)")))


def _field(id_: str, label, component, width: str = "col-12 col-md-6") -> html.Div:
    return html.Div([dbc.Label(label, html_for=id_, className="small fw-semibold mb-1"), component], className=width)


def _text(id_: str, max_length: int, numeric: bool = False):
    return dbc.Input(id=id_, maxLength=max_length, autoComplete="off", inputMode="numeric" if numeric else "text")


@page(__name__, path="/assist", title=_l("Assisted registration"), roles={CITIZEN})
def layout(**_kw):
    lang = current_language()
    with get_db().reader() as s:
        allowed = may_assist(s, current_user_id())
    header = html.H1([icon("people", "me-2"), _("Helping a resident without a smartphone")], className="h3 mb-3")
    if not allowed:
        return html.Div([header, html.P(_("Only governorate staff and table members may register residents or "
                                          "enter their pledges."), className="alert alert-info")], lang=lang)
    return html.Div([
        header,
        html.P(_("Work from the resident's signed paper form and their national card. Each form is entered "
                 "once, with the number printed on it; the audit log records you as the helper.")),
        html.H2(_("Register a resident"), className="h5 mt-3"),
        html.Div([
            _field(ids.AS_CODE, _("National code"), _text(ids.AS_CODE, 14, True)),
            _field(ids.AS_YEAR, _("Year of birth (Jalali, e.g. 1360)"), _text(ids.AS_YEAR, 4, True)),
            _field(ids.AS_NAME, _("Full name"), _text(ids.AS_NAME, 120)),
            _field(ids.AS_PHONE, _("Basic phone number (optional)"), _text(ids.AS_PHONE, 20, True)),
            _field(ids.AS_FORM, _("Paper form number"), _text(ids.AS_FORM, 40)),
        ], className="row g-2 mb-2"),
        html.Div(id=ids.AS_REGISTER_MESSAGE),
        html.Button([icon("person-plus", "me-1"), _("Register this resident")], id=ids.AS_REGISTER, n_clicks=0,
                    className="btn btn-primary mb-4"),
        html.H2(_("Enter a pledge made on paper"), className="h5 mt-3"),
        html.Div([
            _field(ids.AP_CODE, _("National code"), _text(ids.AP_CODE, 14, True)),
            _field(ids.AP_YEAR, _("Year of birth (Jalali, e.g. 1360)"), _text(ids.AP_YEAR, 4, True)),
            _field(ids.AP_FORM, _("Paper form number"), _text(ids.AP_FORM, 40)),
            _field(ids.AP_KIND, _("Kind of help"), dbc.Select(id=ids.AP_KIND, value="financial", options=[
                {"label": str(label), "value": value} for value, label in KINDS])),
            _field(ids.AP_AMOUNT, _("Amount"), _text(ids.AP_AMOUNT, 20, True)),
        ], className="row g-2 mb-2"),
        html.Div(id=ids.AP_MESSAGE),
        html.Button([icon("heart", "me-1"), _("Enter this pledge")], id=ids.AP_SUBMIT, n_clicks=0,
                    className="btn btn-primary mb-4"),
        html.P(_("To enter an assisted budgeting ballot, use the polling station page with the resident's national "
                 "code."), className="small text-body-secondary"),
    ], lang=lang)


def _text_of(value) -> str:
    return value if isinstance(value, str) else ""


@secured_callback(Output(ids.AS_REGISTER_MESSAGE, "children"), Output(ids.AS_FORM, "value"),
                  Input(ids.AS_REGISTER, "n_clicks"), State(ids.AS_CODE, "value"), State(ids.AS_YEAR, "value"),
                  State(ids.AS_NAME, "value"), State(ids.AS_PHONE, "value"), State(ids.AS_FORM, "value"),
                  roles={CITIZEN}, prevent_initial_call=True)
def register(n, code, year, name, phone, form):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    try:
        number = None
        if _text_of(phone).strip():
            kind, number = normalise_login(_text_of(phone)[:20])
            if kind != "phone":
                raise ValidationError("login_invalid", field="phone")
        with get_db().unit_of_work() as s:
            register_assisted(s, current_user_id(), _text_of(code), _text_of(year), _text_of(name)[:200],
                              _text_of(form), number)
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(_("The resident is registered and linked to the register.")), ""


@secured_callback(Output(ids.AP_MESSAGE, "children"), Output(ids.AP_FORM, "value"),
                  Input(ids.AP_SUBMIT, "n_clicks"), State(ids.AP_CODE, "value"), State(ids.AP_YEAR, "value"),
                  State(ids.AP_FORM, "value"), State(ids.AP_KIND, "value"), State(ids.AP_AMOUNT, "value"),
                  roles={CITIZEN}, prevent_initial_call=True)
def pledge(n, code, year, form, kind, amount):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    try:
        kind = kind if kind in {k for k, _label in KINDS} else ""
        quantity = quantity_from_input(kind, parse_number(_text_of(amount)[:20]), "toman")
        with get_db().unit_of_work() as s:
            if not may_assist(s, current_user_id()):
                raise ValidationError("assisted_helpers_only")
            resident = match_register(s, _text_of(code), _text_of(year))
            pledge_for_resident(s, current_user_id(), resident.user_id, form,
                                PledgeInput(kind=kind, quantity=quantity))
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(_("The pledge is entered in the resident's name.")), ""
