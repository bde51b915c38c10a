"""Sending a request (/referrals/new): the citizen's phone-first form, to a table or an organization (registered before
/referrals/<id>, which would otherwise take "new" for an id: pages register in the order of their modules' names).

Imports dash, dbc, models (voice) and dash_app. models.voice.referrals.send_referral checks every field and
sets the deadline (working days, the governorate's holidays); the confirmation tells the citizen the day by
which the answer is due, in their calendar.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from sqlalchemy import select

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_number, parse_int
from dash_app.layout import icon, page
from dash_app.pages.voice import ids_referrals as ids
from dash_app.ui.detail import url_id
from dash_app.ui.forms import (
    button_error,
    labelled,
    refuse_forged,
    show_at_field,
)
from dash_app.ui.names import name_in
from dash_app.ui.referrals import deadline_text
from models.core.errors import DomainError, ValidationError
from models.orm.tables import Table
from models.voice.organizations import organizations_serving
from models.voice.referrals import BODY_MAX, SUBJECT_MAX, ReferralInput, active_types, send_referral

FIELDS = {"type": ids.NEW_TYPE, "table": ids.NEW_TABLE, "organization": ids.NEW_ORG, "subject": ids.NEW_SUBJECT,
          "body": ids.NEW_BODY}
LABELS = {"type": _l("Kind of request"), "table": _l("To the table"), "organization": _l("Or to an organization"),
          "subject": _l("Subject"), "body": _l("Your request or question")}


def _labelled(key: str, control, hint: str | None = None, **attrs) -> html.Div:
    return labelled(str(LABELS[key]), FIELDS[key], control, hint, **attrs)


def form(lang: str, table_id: int | None) -> html.Div:
    with get_db().reader() as s:
        types = active_types(s)
        tables = list(s.scalars(select(Table).where(Table.archived_at.is_(None)).order_by(Table.id)))
        orgs = organizations_serving(s)
    if not types:
        return html.P(_("The governorate has not yet set the kinds of request; please come back soon."),
                      className="alert alert-info")
    type_options = [{"label": _("%(name)s — answer within %(n)s working days",
                                 name=name_in(lang, t.name_fa, t.name_en), n=format_number(t.deadline_days, lang)),
                     "value": t.id} for t in types]
    return html.Div([
        _labelled("type", dbc.Select(id=ids.NEW_TYPE, options=type_options, value=types[0].id)),
        _labelled("table", dbc.Select(id=ids.NEW_TABLE, value=table_id or "", options=[
            {"label": _("Choose a table…"), "value": ""}] + [{"label": name_in(lang, t.name_fa, t.name_en),
                                                              "value": t.id} for t in tables])),
        _labelled("organization", dbc.Select(id=ids.NEW_ORG, value="", options=[
            {"label": _("No organization: the table answers"), "value": ""}] +
            [{"label": name_in(lang, o.name_fa, o.name_en), "value": o.id} for o in orgs]),
            _("An agency, NGO, company or school that serves this table. Leave it empty for the table's chair.")),
        _labelled("subject", dbc.Input(id=ids.NEW_SUBJECT, maxLength=SUBJECT_MAX, autoComplete="off")),
        _labelled("body", dbc.Textarea(id=ids.NEW_BODY, rows=5, maxLength=BODY_MAX),
                  _("What you need or ask, where, and since when.")),
        html.Button([icon("send", "me-1"), _("Send the request")], id=ids.NEW_SEND, n_clicks=0, type="button",
                    className="btn btn-primary btn-lg w-100"),
    ], id=ids.NEW_FORM)


@page(__name__, path="/referrals/new", title=_l("Send a request"), roles={CITIZEN})
def layout(table=None, **_kw):
    lang = current_language()
    table_id = url_id(table)
    return html.Div([
        html.H1(_("Send a request"), className="h3"),
        html.P(_("A table or an organization must answer you with its finding, its reasons, its decision, the next "
                 "step and the person responsible, by the deadline shown below."), className="text-body-secondary"),
        html.Div(id=ids.NEW_RESULT, **{"aria-live": "polite"}),
        form(lang, table_id),
    ], style={"maxWidth": "40rem"})


def _id(value):
    if value in (None, ""):
        return None
    return parse_int(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else value


@secured_callback(
    Output(ids.NEW_RESULT, "children"), Output(ids.NEW_FORM, "hidden"),
    Input(ids.NEW_SEND, "n_clicks"), *[State(fid, "value") for fid in FIELDS.values()],
    roles={CITIZEN}, prevent_initial_call=True, running=[(Output(ids.NEW_SEND, "disabled"), True, False)])
def send(n, type_id, table_id, org_id, subject, body):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    lang = current_language()
    data = ReferralInput(type_id=_id(type_id), table_id=_id(table_id), organization_id=_id(org_id),
                         subject=subject, body=body)
    try:
        ref = get_db().run(lambda s: send_referral(s, current_user_id(), data))
    except ValidationError as exc:
        fid = FIELDS.get(exc.field or "")
        show_at_field(list(FIELDS.values()), fid, error_message(exc))
        return button_error(error_message(exc), fid, str(LABELS.get(exc.field or "", ""))), no_update
    except DomainError as exc:
        refuse_forged(exc)
    show_at_field(list(FIELDS.values()), None, "")
    return dbc.Alert([
        html.H2([icon("check-circle", "me-2"), _("Your request has been sent.")], className="h5"),
        html.P(_("Request no. %(n)s.", n=format_number(ref.id, lang)) + " " + deadline_text(ref, lang),
               className="mb-2", **{"data-deadline": ref.due_on.isoformat()}),
        dcc.Link(_("Follow your request"), href=f"/referrals/{ref.id}", className="btn btn-success btn-sm"),
    ], color="success"), True
