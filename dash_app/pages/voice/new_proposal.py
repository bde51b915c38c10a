"""Bringing a citizen proposal (/proposals/new): the phone-first form for a problem or an untapped talent
(registered before /proposals/<id>, which would otherwise take "new" for an id: pages register in the order
of their modules' names).

Imports dash, dbc, models (voice) and dash_app. models.voice.proposals.create_proposal checks every field; the
photos go through the shared picker (purpose "proposal_evidence") and become public with the proposal.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from sqlalchemy import select

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_number, parse_int
from dash_app.layout import icon, page
from dash_app.pages.voice import ids
from dash_app.ui.detail import url_id
from dash_app.ui.forms import (
    button_error,
    field_error,
    field_error_id,
    labelled,
    refuse_forged,
    show_at_field,
)
from dash_app.ui.names import name_in
from dash_app.ui.proposals import KIND_LABELS
from dash_app.ui.uploads import tokens_of, upload_field
from models.core.enums import DistrictLevel
from models.core.errors import DomainError, ValidationError
from models.orm.geo import District
from models.orm.tables import Table
from models.voice.proposals import (
    KINDS,
    PURPOSE,
    SHORT_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ProposalInput,
    create_proposal,
)

FIELDS = {"kind": ids.NEW_KIND, "table": ids.NEW_TABLE, "district": ids.NEW_DISTRICT, "place": ids.NEW_PLACE,
          "title": ids.NEW_TITLE, "body": ids.NEW_BODY, "affected": ids.NEW_AFFECTED, "since": ids.NEW_SINCE,
          "serves": ids.NEW_SERVES, "duration": ids.NEW_DURATION, "file": ids.NEW_FILES}
LABELS = {"kind": _l("What do you bring?"), "table": _l("To the table"), "district": _l("District or city"),
          "place": _l("Where exactly"), "title": _l("A short title"), "body": _l("Describe it"),
          "affected": _l("Who is affected"), "since": _l("How often, since when"),
          "serves": _l("What it could serve"), "duration": _l("For how long"), "file": _l("Photos or documents")}
PROBLEM_ONLY = ("affected", "since")
TALENT_ONLY = ("serves", "duration")


def _labelled(key: str, control, hint: str | None = None, **attrs) -> html.Div:
    return labelled(str(LABELS[key]), FIELDS[key], control, hint, **attrs)


def form(lang: str, table_id: int | None) -> html.Div:
    with get_db().reader() as s:
        tables = list(s.scalars(select(Table).where(Table.archived_at.is_(None)).order_by(Table.id)))
        districts = list(s.scalars(select(District).where(District.level != DistrictLevel.COUNTY)
                                   .order_by(District.name_fa)))
    return html.Div([
        _labelled("kind", dbc.RadioItems(id=ids.NEW_KIND, value="problem", inline=True,
                                         options=[{"label": str(KIND_LABELS[k]), "value": k} for k in KINDS])),
        _labelled("table", dbc.Select(id=ids.NEW_TABLE, value=table_id or "", options=[
            {"label": _("I don't know: the governorate will send it to the right table"), "value": ""}] +
            [{"label": name_in(lang, t.name_fa, t.name_en), "value": t.id} for t in tables])),
        _labelled("district", dbc.Select(id=ids.NEW_DISTRICT, value="", options=[
            {"label": _("Choose…"), "value": ""}] + [{"label": name_in(lang, d.name_fa, d.name_en), "value": d.id}
                                                    for d in districts])),
        _labelled("place", dbc.Input(id=ids.NEW_PLACE, maxLength=SHORT_MAX, autoComplete="off"),
                  _("A street, a village, a landmark.")),
        _labelled("title", dbc.Input(id=ids.NEW_TITLE, maxLength=TITLE_MAX, autoComplete="off")),
        _labelled("body", dbc.Textarea(id=ids.NEW_BODY, rows=4, maxLength=TEXT_MAX),
                  _("A problem: what is wrong. A talent: the capacity nobody uses yet.")),
        *[_labelled(k, dbc.Textarea(id=FIELDS[k], rows=2, maxLength=TEXT_MAX), None, id=f"{FIELDS[k]}-wrap",
                    **{"data-kind": "problem"}) for k in PROBLEM_ONLY],
        # a talent's own fields stay out of the way until the person says it is a talent
        *[_labelled(k, dbc.Textarea(id=FIELDS[k], rows=2, maxLength=TEXT_MAX),
                    _("Needed for a talent.") if k == "serves" else None, id=f"{FIELDS[k]}-wrap", hidden=True,
                    **{"data-kind": "talent"}) for k in TALENT_ONLY],
        upload_field(ids.NEW_FILES, ids.NEW_TOKENS, PURPOSE, str(LABELS["file"])),
        field_error(field_error_id(ids.NEW_FILES), ids.NEW_FILES),
        html.Button([icon("send", "me-1"), _("Send the proposal")], id=ids.NEW_SEND, n_clicks=0, type="button",
                    className="btn btn-primary btn-lg w-100"),
    ], id=ids.NEW_FORM)


@page(__name__, path="/proposals/new", title=_l("Bring a problem or a talent"), roles={CITIZEN})
def layout(table=None, **_kw):
    lang = current_language()
    table_id = url_id(table)
    return html.Div([
        html.H1(_("Bring a problem or a talent"), className="h3"),
        html.P(_("Your proposal is public at once; others can support it and add evidence. Fill in, for a problem, "
                 "who is affected and since when; for a talent, what it could serve."),
               className="text-body-secondary"),
        html.Div(id=ids.NEW_RESULT, **{"aria-live": "polite"}),
        form(lang, table_id),
    ], style={"maxWidth": "40rem"})


@secured_callback(
    *[Output(f"{FIELDS[k]}-wrap", "hidden") for k in (*PROBLEM_ONLY, *TALENT_ONLY)],
    Input(ids.NEW_KIND, "value"), roles={CITIZEN}, prevent_initial_call=True)
def show_kind_fields(kind):
    """Only the fields of the kind chosen: a problem's who and since when, a talent's what for and how long."""
    require({CITIZEN})
    talent = kind == "talent"
    return (*[talent for _k in PROBLEM_ONLY], *[not talent for _k in TALENT_ONLY])


def _id(value):
    if value in (None, ""):
        return None
    return parse_int(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else value


@secured_callback(
    Output(ids.NEW_RESULT, "children"), Output(ids.NEW_FORM, "hidden"),
    Input(ids.NEW_SEND, "n_clicks"), *[State(fid, "value") for k, fid in FIELDS.items() if k != "file"],
    State(ids.NEW_TOKENS, "value"),
    roles={CITIZEN}, prevent_initial_call=True, running=[(Output(ids.NEW_SEND, "disabled"), True, False)])
def send(n, kind, table_id, district_id, place, title, body, affected, since, serves, duration, tokens):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    lang = current_language()
    data = ProposalInput(kind=kind, title=title or "", body=body or "", district_id=_id(district_id),
                         table_id=_id(table_id), place=place or "", affected=affected or "", since=since or "",
                         serves=serves or "", duration=duration or "", upload_tokens=tuple(tokens_of(tokens)))
    try:
        proposal = get_db().run(lambda s: create_proposal(s, current_user_id(), data))
    except ValidationError as exc:
        fid = FIELDS.get(exc.field or "")
        show_at_field(list(FIELDS.values()), fid, error_message(exc))
        return button_error(error_message(exc), fid, str(LABELS.get(exc.field or "", ""))), no_update
    except DomainError as exc:
        refuse_forged(exc)
    show_at_field(list(FIELDS.values()), None, "")
    return dbc.Alert([
        html.H2([icon("check-circle", "me-2"), _("Your proposal is published.")], className="h5"),
        html.P(_("Citizen proposal no. %(n)s.", n=format_number(proposal.id, lang)), className="mb-2"),
        dcc.Link(_("See your proposal"), href=f"/proposals/{proposal.id}", className="btn btn-success btn-sm"),
    ], color="success"), True
