"""Editing a pledge (/my/pledges/<id>/edit, issue 20): the amount, the availability window, the district and
the note of a pledge nothing of which is accepted or delivered yet.

Imports dash, dbc, dash_app and models. The rules live in models.pledging.pledge_edit (whose pledge, what
may change, which proposals are withdrawn, the version); the page reads the form with the pledge form's
parsers (dash_app.ui.quantities, dash_app.ui.dates) and shows each sentence at its field and beside Save.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_date, format_number
from dash_app.layout import icon, page
from dash_app.ui import citizen_ids as ids
from dash_app.ui.dates import date_placeholder, parse_date_text
from dash_app.ui.detail import detail_page, url_id
from dash_app.ui.forms import button_error, field_error_id, labelled, show_at_field
from dash_app.ui.labels import kind_label
from dash_app.ui.pledge_fields import district_options
from dash_app.ui.quantities import parse_amount, quantity_text, unit_label
from models.core.enums import HelpKind
from models.core.errors import DomainError, PermissionDenied
from models.core.validation import quantity_from_input
from models.pledging.pledge_edit import PledgeEdit, edit_pledge, editable
from models.pledging.pledges import MAX_DESCRIPTION, own_pledge
from models.projects.browse import district_choices

# The field a rule names -> the input marked and focused, and its label for the sentence beside Save.
FIELD_OF = {"quantity": (ids.PE_QUANTITY, _l("Quantity")), "district": (ids.PE_DISTRICT, _l("District or city")),
            "window": (ids.PE_START, _l("When are you available? (optional)")),
            "description": (ids.PE_NOTE, _l("Note"))}


def _date(d, lang: str) -> str:
    return format_date(d, lang) if d else ""


def edit_body(citizen_id: int, pledge_id: int, lang: str):
    """The form, filled from the pledge; or the sentence saying why it cannot be edited."""
    try:
        with get_db().reader() as s:
            pledge = own_pledge(s, citizen_id, pledge_id)
            can = editable(pledge)
            left = pledge.quantity > pledge.withdrawn_quantity
            kind, quantity, version = pledge.kind, pledge.quantity, pledge.version
            district, start, end, note = pledge.district_id, pledge.window_start, pledge.window_end, pledge.description
            proposed = sum(a.quantity for a in pledge.allocations if a.status.value == "proposed")
            districts = district_choices(s)
    except DomainError as exc:
        return html.Div(error_message(exc), className="alert alert-warning")
    heading = html.H1([_("Edit your pledge"), " · ", kind_label(kind)], className="h4")
    if not can:
        why = "pledge_has_decided_help" if left else "pledge_already_withdrawn"
        return html.Div([heading, html.Div(error_message(why), className="alert alert-info")])
    money = kind is HelpKind.FINANCIAL
    shown = quantity // 10 if money else quantity  # money is typed in toman, as on the pledge form
    when = date_placeholder(lang)
    return html.Div([
        heading,
        html.P(_("You can change this pledge until a table accepts part of it."), className="text-body-secondary"),
        html.P(_("Proposed to projects now: %(q)s. Lowering the amount below it withdraws the proposals that no "
                 "longer fit (the newest first) and tells the table's chair; raising it keeps them.",
                 q=quantity_text(kind, proposed, lang)), className="small") if proposed else None,
        labelled(_("Amount (toman)") if money else _("Amount (%(unit)s)", unit=unit_label(kind)),
                 ids.PE_QUANTITY, dbc.Input(id=ids.PE_QUANTITY, value=format_number(shown, lang), inputmode="decimal",
                                            autocomplete="off", maxlength=40)),
        html.Div([
            labelled(_("District or city"), ids.PE_DISTRICT,
                     dcc.Dropdown(id=ids.PE_DISTRICT, options=district_options(districts, lang), value=district,
                                  placeholder=_("Choose from Amol's districts and cities"))),
            html.Fieldset([
                html.Legend(_("When are you available? (optional)"), className="fs-6 fw-semibold mb-1"),
                dbc.Row([
                    dbc.Col([dbc.Label(_("From"), html_for=ids.PE_START, className="small mb-1"),
                             dbc.Input(id=ids.PE_START, value=_date(start, lang), placeholder=when,
                                       inputmode="numeric", maxlength=20, autocomplete="off")], xs=6),
                    dbc.Col([dbc.Label(_("To"), html_for=ids.PE_END, className="small mb-1"),
                             dbc.Input(id=ids.PE_END, value=_date(end, lang), placeholder=when,
                                       inputmode="numeric", maxlength=20, autocomplete="off")], xs=6),
                ], className="g-2"),
                html.Div(id=field_error_id(ids.PE_START), className="invalid-feedback d-block", role="alert",
                         **{"data-error-for": ids.PE_START}),
            ], className="mb-3"),
        ], hidden=money),
        labelled(_("Note"), ids.PE_NOTE, dbc.Input(id=ids.PE_NOTE, value=note or "", maxlength=MAX_DESCRIPTION,
                                                   autocomplete="off")),
        dcc.Store(id=ids.PE_VERSION, data=version),
        html.Div(id=ids.PE_ERROR, **{"aria-live": "assertive"}),
        html.Div([
            html.Button([icon("save", "me-1"), _("Save changes")], id=ids.PE_SAVE, n_clicks=0, type="button",
                        className="btn btn-primary"),
            dcc.Link(_("Cancel"), href="/my", className="btn btn-link"),
        ], className="d-flex gap-2"),
    ], className="mx-auto", style={"maxWidth": "36rem"})


@page(__name__, path="/my/pledges/<pledge_id>/edit", path_template="/my/pledges/<pledge_id>/edit",
      title=_l("Edit your pledge"), roles={CITIZEN})
def layout(pledge_id=None, **_kw):
    lang = current_language()
    return detail_page(lang, back=(_("My contributions"), "/my"), object_id=url_id(pledge_id), store_id=ids.PE_ID,
                       flash_id=ids.PE_FLASH, body_id=ids.PE_BODY,
                       body=lambda pid: edit_body(current_user_id(), pid, lang), missing=_("No such pledge."))


@secured_callback(
    Output(ids.PE_FLASH, "children"), Output(ids.PE_BODY, "children"), Output(ids.PE_ERROR, "children"),
    Input(ids.PE_SAVE, "n_clicks"), State(ids.PE_ID, "data"), State(ids.PE_VERSION, "data"),
    State(ids.PE_QUANTITY, "value"), State(ids.PE_DISTRICT, "value"), State(ids.PE_START, "value"),
    State(ids.PE_END, "value"), State(ids.PE_NOTE, "value"),
    roles={CITIZEN}, prevent_initial_call=True, running=[(Output(ids.PE_SAVE, "disabled"), True, False)])
def save(n_clicks, pledge_id, version, amount, district, start, end, note):
    """Save the edit; a stale form (the pledge changed since) is refused with a sentence and drawn again."""
    require({CITIZEN})
    if not n_clicks:
        return no_update, no_update, no_update
    citizen, lang = current_user_id(), current_language()
    fields = [f for f, _label in FIELD_OF.values()]
    try:
        with get_db().reader() as s:
            kind = own_pledge(s, citizen, pledge_id).kind
        text = amount if isinstance(amount, str) else ("" if amount is None else str(amount))
        quantity = quantity_from_input(kind, parse_amount(text[:64]), "toman" if kind is HelpKind.FINANCIAL else None)
        data = PledgeEdit(quantity=quantity, district_id=district if isinstance(district, int) else None,
                          window_start=parse_date_text(start), window_end=parse_date_text(end),
                          description=note if isinstance(note, str) else "")
        with get_db().unit_of_work() as s:
            done = edit_pledge(s, citizen, pledge_id, data, version)
            withdrawn, told = done.withdrawn, len(done.tables_told)
    except PermissionDenied:
        raise
    except DomainError as exc:
        sentence = error_message(exc)
        if exc.code in ("pledge_changed", "pledge_has_decided_help", "pledge_already_withdrawn", "pledge_not_found"):
            # the pledge moved on: the form is drawn again from what it is now, with the sentence above it
            return (dbc.Alert(sentence, color="warning"), edit_body(citizen, pledge_id, lang) if isinstance(
                pledge_id, int) else no_update, "")
        field_id, label = FIELD_OF.get(exc.field or "", (None, None))
        show_at_field(fields, field_id, sentence)
        return no_update, no_update, button_error(sentence, field_id, str(label) if label else None)
    show_at_field(fields, None, "")
    message = [icon("check-circle", "me-2"), _("Your pledge is saved.")]
    if withdrawn:
        message.append(" " + _("%(n)s proposal(s) no longer fit and were withdrawn; %(t)s table chair(s) were told.",
                               n=format_number(withdrawn, lang), t=format_number(told, lang)))
    message.append(dcc.Link(_("Back to my contributions"), href="/my", className="ms-2 alert-link"))
    return dbc.Alert(message, color="success"), edit_body(citizen, pledge_id, lang), ""
