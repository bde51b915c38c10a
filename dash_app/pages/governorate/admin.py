"""Administration (/admin), governorate only: tables, members, chair elections, users, valuation rates.

Imports dash, dbc, flask, models and dash_app. Each callback reads inputs, calls one domain operation
(models.accounts.admin, models.reporting.valuation, models.tables.elections, models.accounts.password_reset) in one unit of work, and
renders the result. Archiving a table, removing people and issuing a password-reset link ask for
confirmation first.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from flask import current_app

import models.accounts.admin as admin_ops
from dash_app.auth import GOVERNORATE, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    _l,
    as_text,
    current_language,
    error_message,
    format_datetime,
    format_money,
    format_number,
    parse_int,
)
from dash_app.layout import icon, page
from dash_app.ui import governorate_ids as gid
from dash_app.ui.alerts import error_alert, success
from dash_app.ui.elections import HIDDEN, preview_sentences
from dash_app.ui.forms import button_error, field_error, field_error_id, show_at_field
from dash_app.ui.labels import BACKGROUND_LABEL, kind_label
from dash_app.ui.names import name_in
from dash_app.ui.people import masked_phone, who_is_text
from models.accounts import password_reset
from models.core import form_tokens
from models.core.enums import ElectionStatus, HelpKind, MemberBackground
from models.core.errors import DomainError, ValidationError
from models.core.validation import ELECTION_DAYS_DEFAULT, election_days
from models.orm.base import utcnow
from models.orm.people import User
from models.orm.tables import ChairElection, Table
from models.pledging.decisions import MAX_INSTRUCTIONS as PAYMENT_MAX
from models.pledging.decisions import payment_instructions, set_payment_instructions
from models.reporting import valuation
from models.tables.elections import (
    EXTENSION_DAYS,
    QUORUM_PERCENT_DEFAULT,
    close_election,
    close_preview,
    extend_election,
    open_election,
    set_quorum,
)

SEARCH_MIN_CHARS = 2       # the users' and the member picker's searches start from the second letter typed
SEARCH_DEBOUNCE_MS = 350   # ... once typing pauses this long (dbc.Input's debounce is in milliseconds)

# The new-table form's one-time token (models.core.form_tokens): a second press of Save after a timeout,
# with the same token, answers with the table the first press made instead of making (or refusing) another.
AD_T_TOKEN = "adm-t-token"


# The chair election's close confirmation (issue 20 item 6) and the quorum field.
AD_E_QUORUM = "adm-e-quorum"
AD_E_PENDING = "adm-e-pending"
AD_E_MODAL = "adm-e-modal"
AD_E_MODAL_BODY = "adm-e-modal-body"
AD_E_MODAL_ERROR = "adm-e-modal-error"
AD_E_CONFIRM = "adm-e-confirm"
AD_E_EXTEND = "adm-e-extend"
AD_E_QUORUM_EDIT = "adm-e-quorum-edit"   # {"type", "election"}: an open election's quorum, until the first ballot
AD_E_QUORUM_SET = "adm-e-quorum-set"
AD_E_CANCEL = "adm-e-cancel"
EXTEND_DAYS = EXTENSION_DAYS


def _with_error(component: Any, field_id: str) -> html.Div:
    """A control with its error region under it (dash_app.ui.forms.show_at_field fills it)."""
    return html.Div([component, field_error(field_error_id(field_id), field_id)])


def _field(id_: str, label: str, component: Any) -> html.Div:
    return html.Div([dbc.Label(label, html_for=id_, className="form-label small mb-1"), component],
                    className="mb-2")


def _pb_slot() -> Any:
    """A link to the PB cycles page when the PB module has registered one."""
    for pg in dash.page_registry.values():
        path = pg.get("path") or ""
        if "pb" in pg.get("module", "").rsplit(".", 1)[-1] and GOVERNORATE in (pg.get("roles") or ()):
            return dcc.Link([icon("cash-coin", "me-1"), _("Participatory budgeting cycles")], href=path,
                            className="btn btn-outline-primary btn-sm")
    return html.P(_("Participatory budgeting cycles will appear here."), className="text-body-secondary small")


@page(__name__, path="/admin", title=_l("Administration"), roles={GOVERNORATE}, nav=True, menu="workspace", order=55, icon="gear")
def layout(**_kw):
    kinds = [{"label": kind_label(k), "value": k.value} for k in HelpKind if k is not HelpKind.FINANCIAL]
    backgrounds = [{"label": str(v), "value": k.value} for k, v in BACKGROUND_LABEL.items()]
    tables_section = html.Section([
        html.H2([icon("grid-3x3-gap", "me-1"), _("Tables")], className="h4", id="adm-tables-h"),
        html.Div(id=gid.AD_TABLES, className="table-responsive"),
        html.Div([
            _field(gid.AD_T_SELECT, _("Table to edit"), dbc.Select(id=gid.AD_T_SELECT, options=[], value="")),
            html.Div([
                html.Div(_field(gid.AD_T_NAME_FA, _("Name in Persian"), _with_error(
                    dbc.Input(id=gid.AD_T_NAME_FA, maxLength=160), gid.AD_T_NAME_FA)), className="col-12 col-md-6"),
                html.Div(_field(gid.AD_T_NAME_EN, _("Name in English"), _with_error(
                    dbc.Input(id=gid.AD_T_NAME_EN, maxLength=160), gid.AD_T_NAME_EN)), className="col-12 col-md-6"),
                html.Div(_field(gid.AD_T_DESC_FA, _("Description in Persian"), _with_error(
                    dbc.Textarea(id=gid.AD_T_DESC_FA, rows=2), gid.AD_T_DESC_FA)), className="col-12 col-md-6"),
                html.Div(_field(gid.AD_T_DESC_EN, _("Description in English"), _with_error(
                    dbc.Textarea(id=gid.AD_T_DESC_EN, rows=2), gid.AD_T_DESC_EN)), className="col-12 col-md-6"),
            ], className="row g-2"),
            html.Div([
                html.Button([icon("save", "me-1"), _("Save table")], id=gid.AD_T_SAVE, n_clicks=0,
                            className="btn btn-primary me-2 mb-2"),
                html.Button([icon("archive", "me-1"), _("Archive…")], id=gid.AD_T_ARCHIVE, n_clicks=0,
                            className="btn btn-outline-danger me-2 mb-2"),
                html.Button(_("Restore from archive"), id=gid.AD_T_UNARCHIVE, n_clicks=0,
                            className="btn btn-outline-secondary mb-2"),
            ]),
            html.Div(id=gid.AD_T_ERROR, **{"aria-live": "assertive"}),  # beside the button (issue 20 items 1-2)
            dcc.Store(id=AD_T_TOKEN, data=form_tokens.new_token()),
            payment_block(),
        ], className="border rounded p-3 mb-3"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle(_("Archive this table?"))),
            dbc.ModalBody([
                html.Div(id=gid.AD_ARCHIVE_BODY),
                dbc.RadioItems(id=gid.AD_ARCHIVE_CHOICE, value=admin_ops.WITHDRAW_PROPOSALS, options=[
                    {"label": _("Withdraw the proposals (the citizens' pledges become free again)"),
                     "value": admin_ops.WITHDRAW_PROPOSALS},
                    {"label": _("Keep the proposals for the chair to decide"), "value": admin_ops.KEEP_PROPOSALS},
                ]),
            ]),
            dbc.ModalFooter([
                html.Button(_("Cancel"), id=gid.AD_ARCHIVE_CANCEL, n_clicks=0, className="btn btn-secondary"),
                html.Button(_("Archive"), id=gid.AD_ARCHIVE_CONFIRM, n_clicks=0, className="btn btn-danger"),
            ]),
        ], id=gid.AD_ARCHIVE_MODAL, is_open=False),
    ], className="mb-4")
    members_section = html.Section([
        html.H2([icon("people", "me-1"), _("Members")], className="h4"),
        _field(gid.AD_M_TABLE, _("Table"), dbc.Select(id=gid.AD_M_TABLE, options=[], value="")),
        html.Div(id=gid.AD_M_LIST),
        html.Div([
            html.H3(_("Add a member"), className="h6"),
            _field(gid.AD_M_SEARCH, _("Search people by name, mobile or e-mail"),
                   dbc.Input(id=gid.AD_M_SEARCH, debounce=SEARCH_DEBOUNCE_MS, type="search", autocomplete="off")),
            _field(gid.AD_M_USER, _("Person"), dbc.Select(id=gid.AD_M_USER, options=[], value="")),
            _field(gid.AD_M_BACKGROUND, _("Background"),
                   dbc.Select(id=gid.AD_M_BACKGROUND, options=backgrounds, value=MemberBackground.FIELD.value)),
            _field(gid.AD_M_AFFILIATION, _("Affiliation"), dbc.Input(id=gid.AD_M_AFFILIATION, maxLength=200)),
            html.Button([icon("person-plus", "me-1"), _("Add to the table")], id=gid.AD_M_ADD, n_clicks=0,
                        className="btn btn-primary"),
        ], className="border rounded p-3 mt-2"),
    ], className="mb-4")
    elections_section = html.Section([
        html.H2([icon("check2-square", "me-1"), _("Chair elections")], className="h4"),
        html.Div([
            html.Div(_field(gid.AD_E_TABLE, _("Table"), dbc.Select(id=gid.AD_E_TABLE, options=[], value="")),
                     className="col-12 col-md-6"),
            html.Div(_field(gid.AD_E_DAYS, _("Voting stays open for (days)"),
                            dbc.Input(id=gid.AD_E_DAYS, value=format_number(ELECTION_DAYS_DEFAULT),
                                      inputMode="numeric")), className="col-12 col-md-3"),
            html.Div(_field(AD_E_QUORUM, _("Quorum (percent of the table's members who must vote)"),
                            dbc.Input(id=AD_E_QUORUM, value=format_number(QUORUM_PERCENT_DEFAULT),
                                      inputMode="numeric")), className="col-12 col-md-3"),
            html.Div(html.Button(_("Open an election"), id=gid.AD_E_OPEN, n_clicks=0, className="btn btn-primary mb-2"),
                     className="col-12 col-md-3 d-flex align-items-end"),
        ], className="row g-2"),
        html.P(_("The governorate may close an election early only once the quorum has voted; at the closing time, "
                 "below the quorum nobody is elected and the chair stays."), className="small text-body-secondary"),
        html.Div(id=gid.AD_E_LIST),
        dcc.Store(id=AD_E_PENDING),
        dbc.Modal([  # the close asks first (issue 20 item 6): turnout, quorum, who would become chair
            dbc.ModalHeader(dbc.ModalTitle(_("Close the election now?"))),
            dbc.ModalBody([html.Div(id=AD_E_MODAL_BODY), html.Div(id=AD_E_MODAL_ERROR, **{"aria-live": "assertive"})]),
            dbc.ModalFooter([
                html.Button(_("Cancel"), id=AD_E_CANCEL, n_clicks=0, className="btn btn-secondary"),
                html.Button(_("Extend by %(n)s days", n=format_number(EXTEND_DAYS)), id=AD_E_EXTEND, n_clicks=0,
                            className="btn btn-outline-primary"),
                html.Button(_("Close the election"), id=AD_E_CONFIRM, n_clicks=0, className="btn btn-danger"),
            ]),
        ], id=AD_E_MODAL, is_open=False),
    ], className="mb-4")
    users_section = html.Section([
        html.H2([icon("person-gear", "me-1"), _("Users")], className="h4"),
        # searched as one types (issue 20: only on Enter or leaving the field), from the second letter on
        _field(gid.AD_U_SEARCH, _("Search people by name, mobile, e-mail or account number"),
               dbc.Input(id=gid.AD_U_SEARCH, debounce=SEARCH_DEBOUNCE_MS, type="search", autocomplete="off")),
        html.P(_("Results appear as you type, from %(n)s letters on.", n=format_number(SEARCH_MIN_CHARS)),
               id=gid.AD_U_HINT, className="small text-body-secondary"),
        dcc.Store(id=gid.AD_U_PAGE, data=1),
        html.Div(id=gid.AD_U_LIST, **{"aria-live": "polite"}),
        html.Div([
            html.Button(_("Previous"), id=gid.AD_U_PREV, n_clicks=0, className="btn btn-outline-secondary btn-sm me-2"),
            html.Button(_("Next"), id=gid.AD_U_NEXT, n_clicks=0, className="btn btn-outline-secondary btn-sm"),
        ], className="my-2"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle(_("One-time password-reset link")), close_button=True),
            dbc.ModalBody(id=gid.AD_U_RESET_BODY),
        ], id=gid.AD_U_RESET_MODAL, is_open=False, backdrop="static"),
    ], className="mb-4")
    rates_section = html.Section([
        html.H2([icon("currency-exchange", "me-1"), _("Valuation rates")], className="h4"),
        html.P(_("What one unit of in-kind help is worth, so money and in-kind help add up to one figure. A logistics "
                 "item (for example: pickup truck) may have its own rate; leave the item empty for the kind's "
                 "default."), className="small text-body-secondary"),
        html.Div(id=gid.AD_R_LIST, className="table-responsive"),
        html.Div([
            html.Div(_field(gid.AD_R_KIND, _("Kind of help"), dbc.Select(id=gid.AD_R_KIND, options=kinds,
                                                                         value=HelpKind.LOGISTICS.value)),
                     className="col-12 col-md-3"),
            html.Div(_field(gid.AD_R_ITEM, _("Item (optional)"), dbc.Input(id=gid.AD_R_ITEM, maxLength=200)),
                     className="col-12 col-md-4"),
            html.Div(_field(gid.AD_R_RATE, _("Rials per unit"), dbc.Input(id=gid.AD_R_RATE, inputMode="numeric")),
                     className="col-12 col-md-3"),
            html.Div(html.Button(_("Save rate"), id=gid.AD_R_SAVE, n_clicks=0, className="btn btn-primary mb-2"),
                     className="col-12 col-md-2 d-flex align-items-end"),
        ], className="row g-2"),
    ], className="mb-4")
    return html.Div([
        html.H1(_("Administration"), className="h3 mb-3"),
        # reached from here rather than the navbar, which no longer fits a governorate officer's pages at 1280 px
        html.P([dcc.Link(_("Resident register"), href="/governorate/register", className="me-3"),
                dcc.Link(_("Equipment and spaces catalogue"), href="/admin/items", className="me-3"),
                dcc.Link(_("Outbox"), href="/outbox")], className="small"),
        dcc.Store(id=gid.AD_REFRESH, data=0),
        html.Div(id=gid.AD_MESSAGE, **{"aria-live": "polite"}),
        dbc.Tabs([
            dbc.Tab(tables_section, label=_("Tables"), tab_id="tables"),
            dbc.Tab(members_section, label=_("Members"), tab_id="members"),
            dbc.Tab(elections_section, label=_("Chair elections"), tab_id="elections"),
            dbc.Tab(users_section, label=_("Users"), tab_id="users"),
            dbc.Tab(rates_section, label=_("Valuation rates"), tab_id="rates"),
            dbc.Tab(html.Section([html.H2(_("Participatory budgeting"), className="h4"), _pb_slot()]),
                    label=_("Participatory budgeting"), tab_id="pb"),
        ], active_tab="tables", className="mb-3"),
    ])


# --- reading what the sections show -----------------------------------------------------------

def tables_view(rows: list[admin_ops.TableRow], lang: str) -> Any:
    if not rows:
        return html.P(_("No tables yet."), className="text-body-secondary")
    head = html.Thead(html.Tr([html.Th(t, scope="col") for t in (
        _("Table"), _("Chair"), _("Members"), _("Projects"), _("Proposals awaiting the chair"), _("Status"))]))
    body = html.Tbody([html.Tr([
        html.Td(name_in(lang, r.name_fa, r.name_en)), html.Td(r.chair_name or "—"),
        html.Td(format_number(r.members, lang)), html.Td(format_number(r.projects, lang)),
        html.Td(format_number(r.open_proposals, lang)),
        html.Td(html.Span(_("archived"), className="badge text-bg-secondary") if r.archived else _("active")),
    ]) for r in rows])
    return html.Table([head, body], className="table table-sm align-middle")


@secured_callback(
    Output(gid.AD_TABLES, "children"), Output(gid.AD_T_SELECT, "options"), Output(gid.AD_M_TABLE, "options"),
    Output(gid.AD_E_TABLE, "options"), Output(gid.AD_E_LIST, "children"), Output(gid.AD_R_LIST, "children"),
    Input(gid.AD_REFRESH, "data"), roles={GOVERNORATE})
def refresh_lists(_version):
    require({GOVERNORATE})
    lang = current_language()
    with get_db().reader() as s:
        rows = admin_ops.tables_overview(s)
        rates = valuation.list_rates(s)
        elections = s.execute(
            dash_select_open_elections()).all()
    live = [{"label": name_in(lang, r.name_fa, r.name_en), "value": str(r.id)} for r in rows if not r.archived]
    every = [{"label": _("New table"), "value": ""}] + [
        {"label": name_in(lang, r.name_fa, r.name_en) + (f" ({_('archived')})" if r.archived else ""),
         "value": str(r.id)} for r in rows]
    return (tables_view(rows, lang), every, [{"label": "—", "value": ""}] + live, [{"label": "—", "value": ""}] + live,
            elections_view(elections, lang), rates_view(rates, lang))


def dash_select_open_elections():
    from sqlalchemy import exists, select

    from models.orm.tables import ChairParticipation

    voted = exists().where(ChairParticipation.election_id == ChairElection.id)
    return (select(ChairElection.id, ChairElection.closes_at, Table.name_fa, Table.name_en,
                   ChairElection.quorum_percent, voted.label("voted"))
            .join(Table, Table.id == ChairElection.table_id).where(ChairElection.status == ElectionStatus.OPEN)
            .order_by(ChairElection.closes_at))


def _quorum_control(eid: int, pct: int, voted: bool):
    """The quorum of an open election: changeable until the first ballot (issue 20), then only shown."""
    if voted:
        return html.Span(_("Quorum %(p)s%% (fixed: voting has begun)", p=format_number(pct)), className="small ms-2")
    return html.Span([
        html.Label([_("Quorum (%)"), " ",
                    dbc.Input(id={"type": AD_E_QUORUM_EDIT, "election": eid}, value=format_number(pct),
                              inputMode="numeric", size="sm", style={"maxWidth": "5rem"}, className="d-inline-block")],
                   className="small ms-2 me-1 mb-0 d-inline-flex align-items-center gap-1"),
        html.Button(_("Change the quorum"), id={"type": AD_E_QUORUM_SET, "election": eid}, n_clicks=0,
                    className="btn btn-outline-secondary btn-sm ms-1"),
    ], className="d-inline-flex align-items-center flex-wrap")


def elections_view(rows, lang: str) -> Any:
    if not rows:
        return html.P(_("No chair election is open."), className="text-body-secondary small")
    return html.Ul([html.Li([
        _("%(table)s: voting closes %(when)s", table=name_in(lang, fa, en), when=format_datetime(closes, lang)), " ",
        _quorum_control(eid, pct, bool(voted)),
        html.Button(_("Close now"), id={"type": "adm-e-close", "election": eid}, n_clicks=0,
                    className="btn btn-outline-danger btn-sm ms-2"),
    ], className="list-group-item d-flex flex-wrap align-items-center gap-1")
        for eid, closes, fa, en, pct, voted in rows], className="list-group")


def rates_view(rates, lang: str) -> Any:
    if not rates:
        return html.P(_("No rates yet."), className="text-body-secondary")
    body = html.Tbody([html.Tr([
        html.Td(kind_label(r.kind)), html.Td(r.item or _("(default)")),
        html.Td(format_money(r.rials_per_unit, lang, unit="rial")),
        html.Td(dcc.ConfirmDialogProvider(
            html.Button(_("Remove"), className="btn btn-outline-danger btn-sm"),
            id={"type": gid.AD_R_REMOVE, "rate": r.id}, message=_("Remove this item's rate? The kind's default "
                                                                    "rate will apply.")) if r.item else ""),
    ]) for r in rates])
    head = html.Thead(html.Tr([html.Th(t, scope="col") for t in (_("Kind of help"), _("Item"), _("Rate"),
                                                                 _("Actions"))]))
    return html.Table([head, body], className="table table-sm align-middle")


@secured_callback(
    Output(gid.AD_T_NAME_FA, "value"), Output(gid.AD_T_NAME_EN, "value"), Output(gid.AD_T_DESC_FA, "value"),
    Output(gid.AD_T_DESC_EN, "value"), Input(gid.AD_T_SELECT, "value"), roles={GOVERNORATE})
def load_table(table_value):
    require({GOVERNORATE})
    tid = parse_int(table_value) if table_value else None
    if tid is None:
        return "", "", "", ""
    with get_db().reader() as s:
        t = s.get(Table, tid)
        if t is None:
            return "", "", "", ""
        return t.name_fa, t.name_en, t.description_fa, t.description_en


# --- where citizens pay a table's accepted money (issue 20 item 14) ----------------------------------

def payment_block() -> html.Div:
    return html.Div([
        html.H3([icon("bank", "me-1"), _("Payment instructions for money contributions")], className="h6"),
        html.P(_("Shown to each citizen whose money contribution this table's chair accepted: the account or card "
                 "to pay into and what to write as the payment's description. The citizen then records the bank "
                 "reference and the chair confirms receipt."), className="small text-body-secondary"),
        html.Div([
            html.Div(_field(gid.AD_P_FA, _("Instructions in Persian"),
                            dbc.Textarea(id=gid.AD_P_FA, rows=3, maxLength=PAYMENT_MAX)), className="col-12 col-md-6"),
            html.Div(_field(gid.AD_P_EN, _("Instructions in English"),
                            dbc.Textarea(id=gid.AD_P_EN, rows=3, maxLength=PAYMENT_MAX)), className="col-12 col-md-6"),
        ], className="row g-2"),
        html.Button([icon("save", "me-1"), _("Save payment instructions")], id=gid.AD_P_SAVE, n_clicks=0,
                    className="btn btn-outline-primary btn-sm"),
        html.Div(id=gid.AD_P_MESSAGE, className="mt-2", **{"aria-live": "polite"}),
    ], className="border-top pt-2 mt-2", id="adm-payment")


@secured_callback(
    Output(gid.AD_P_FA, "value"), Output(gid.AD_P_EN, "value"), Input(gid.AD_T_SELECT, "value"),
    roles={GOVERNORATE})
def load_payment(table_value):
    require({GOVERNORATE})
    tid = parse_int(table_value) if table_value else None
    if tid is None:
        return "", ""
    with get_db().reader() as s:
        found = payment_instructions(s, tid)
    return found if found else ("", "")


@secured_callback(
    Output(gid.AD_P_MESSAGE, "children"), Input(gid.AD_P_SAVE, "n_clicks"), State(gid.AD_T_SELECT, "value"),
    State(gid.AD_P_FA, "value"), State(gid.AD_P_EN, "value"), roles={GOVERNORATE}, prevent_initial_call=True)
def save_payment(n, table_value, text_fa, text_en):
    require({GOVERNORATE})
    if not n:
        return no_update
    tid = parse_int(table_value) if table_value else None
    if tid is None:
        return error_alert(ValidationError("table_not_found", field="table"))
    try:
        get_db().run(lambda s: set_payment_instructions(s, current_user_id(), tid, as_text(text_fa), as_text(text_en)))
    except DomainError as exc:
        return error_alert(exc)
    return success(_("The payment instructions are saved."))


def _bump(version: Any) -> int:
    return (version if isinstance(version, int) else 0) + 1


@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Output(gid.AD_T_SELECT, "value"), Output(gid.AD_T_ERROR, "children"), Output(AD_T_TOKEN, "data"),
    Input(gid.AD_T_SAVE, "n_clicks"), State(gid.AD_T_SELECT, "value"), State(gid.AD_T_NAME_FA, "value"),
    State(gid.AD_T_NAME_EN, "value"), State(gid.AD_T_DESC_FA, "value"), State(gid.AD_T_DESC_EN, "value"),
    State(gid.AD_REFRESH, "data"), State(AD_T_TOKEN, "data"), roles={GOVERNORATE}, prevent_initial_call=True)
def save_table(n, table_value, name_fa, name_en, desc_fa, desc_en, version, token=None):
    """Save the chosen table, or create one ("New table"): a create carries the form's one-time token, so
    pressing Save again with it (the first answer lost) answers with the first table and makes none."""
    require({GOVERNORATE})
    if not n:
        return no_update, no_update, no_update, no_update, no_update
    data = admin_ops.TableInput(as_text(name_fa), as_text(name_en), as_text(desc_fa), as_text(desc_en))
    tid = parse_int(table_value) if table_value else None
    actor = current_user_id()
    token_out: Any = no_update
    try:
        if tid is not None:
            with get_db().unit_of_work() as s:
                new_id = admin_ops.update_table(s, actor, tid, data).id
        else:
            once = form_tokens.checked_token(token)
            new_id, _created = form_tokens.create_once(get_db(), lambda s: form_tokens.once(
                s, actor, once, "table", lambda: admin_ops.create_table(s, actor, data)))
            token_out = form_tokens.new_token()
    except DomainError as exc:  # at the field it names (marked, focused) and beside the Save button
        field_id, label = TABLE_FIELD_OF.get(exc.field or "", (None, None))
        show_at_field([f for f, _label in TABLE_FIELD_OF.values()], field_id, error_message(exc))
        return "", no_update, no_update, button_error(error_message(exc), field_id, str(label) if label else None), \
            no_update
    show_at_field([f for f, _label in TABLE_FIELD_OF.values()], None, "")
    return success(_("The table is saved.")), _bump(version), str(new_id), "", token_out


TABLE_FIELD_OF = {"name_fa": (gid.AD_T_NAME_FA, _l("Name in Persian")), "name_en": (gid.AD_T_NAME_EN, _l("Name in English")),
                  "description_fa": (gid.AD_T_DESC_FA, _l("Description in Persian")),
                  "description_en": (gid.AD_T_DESC_EN, _l("Description in English"))}


@secured_callback(
    Output(gid.AD_ARCHIVE_MODAL, "is_open"), Output(gid.AD_ARCHIVE_BODY, "children"),
    Output(gid.AD_ARCHIVE_CHOICE, "style"),
    Input(gid.AD_T_ARCHIVE, "n_clicks"), Input(gid.AD_ARCHIVE_CANCEL, "n_clicks"), State(gid.AD_T_SELECT, "value"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def ask_archive(n_archive, _n_cancel, table_value):
    require({GOVERNORATE})
    tid = parse_int(table_value) if table_value else None
    if ctx.triggered_id != gid.AD_T_ARCHIVE or not n_archive or tid is None:
        return False, no_update, no_update
    lang = current_language()
    with get_db().reader() as s:
        table = s.get(Table, tid)
        waiting = admin_ops.open_proposals_of_table(s, tid) if table else 0
    if table is None:
        return False, no_update, no_update
    text = [html.P(_("The table %(table)s will be hidden from new work; its projects, decisions and history stay.",
                     table=name_in(lang, table.name_fa, table.name_en)))]
    if waiting:
        text.append(html.P(_("It has %(n)s proposals awaiting its chair. What should happen to them?",
                             n=format_number(waiting, lang)), className="fw-bold"))
    return True, text, {} if waiting else {"display": "none"}


@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Output(gid.AD_ARCHIVE_MODAL, "is_open", allow_duplicate=True),
    Input(gid.AD_ARCHIVE_CONFIRM, "n_clicks"), State(gid.AD_T_SELECT, "value"), State(gid.AD_ARCHIVE_CHOICE, "value"),
    State(gid.AD_REFRESH, "data"), roles={GOVERNORATE}, prevent_initial_call=True)
def confirm_archive(n, table_value, choice, version):
    require({GOVERNORATE})
    if not n:
        return no_update, no_update, no_update
    try:
        with get_db().unit_of_work() as s:
            admin_ops.archive_table(s, current_user_id(), parse_int(table_value) if table_value else None, choice)
    except DomainError as exc:
        return error_alert(exc), no_update, False
    return success(_("The table is archived.")), _bump(version), False


@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Input(gid.AD_T_UNARCHIVE, "n_clicks"), State(gid.AD_T_SELECT, "value"), State(gid.AD_REFRESH, "data"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def unarchive(n, table_value, version):
    require({GOVERNORATE})
    if not n:
        return no_update, no_update
    try:
        with get_db().unit_of_work() as s:
            admin_ops.unarchive_table(s, current_user_id(), parse_int(table_value) if table_value else None)
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(_("The table is restored.")), _bump(version)


# --- members ----------------------------------------------------------------------------------

@secured_callback(Output(gid.AD_M_LIST, "children"), Input(gid.AD_M_TABLE, "value"), Input(gid.AD_REFRESH, "data"),
                  roles={GOVERNORATE})
def show_members(table_value, _version):
    require({GOVERNORATE})
    tid = parse_int(table_value) if table_value else None
    if tid is None:
        return html.P(_("Choose a table to see its members."), className="text-body-secondary small")
    lang = current_language()
    with get_db().reader() as s:
        members = admin_ops.members_of(s, tid)
    if not members:
        return html.P(_("This table has no members yet."), className="text-body-secondary small")
    return html.Ul([html.Li([
        html.Span([m.name, html.Span(_("chair"), className="badge text-bg-primary ms-1") if m.is_chair else None,
                   html.Small(f" · {BACKGROUND_LABEL[m.background]}" + (f" · {m.affiliation}" if m.affiliation else ""),
                              className="text-body-secondary")]),
        dcc.ConfirmDialogProvider(
            html.Button(_("Remove"), className="btn btn-outline-danger btn-sm", **{"aria-label": _("Remove %(name)s",
                                                                                                   name=m.name)}),
            id={"type": gid.AD_M_REMOVE, "user": m.user_id},
            message=_("Remove %(name)s from this table? Their past work stays on record.", name=m.name)),
    ], className="list-group-item d-flex justify-content-between align-items-center flex-wrap gap-2")
        for m in members], className="list-group", lang=lang)


@secured_callback(Output(gid.AD_M_USER, "options"), Input(gid.AD_M_SEARCH, "value"), roles={GOVERNORATE},
                  prevent_initial_call=True)
def find_people(query):
    require({GOVERNORATE})
    if len(as_text(query).strip()) < SEARCH_MIN_CHARS:
        return []
    lang = current_language()
    with get_db().reader() as s:
        found = admin_ops.search_users(s, as_text(query), per_page=20)
    # people of the same name told apart: «زهرا آملی — حساب شمارهٔ ۱۲ · ۰۹۱۲***۴۵۶۷ · مرکزی»
    return [{"label": f"{u.name} — {who_is_text(u, lang)}", "value": str(u.id)} for u in found.rows if u.is_active]


@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Input(gid.AD_M_ADD, "n_clicks"), State(gid.AD_M_TABLE, "value"), State(gid.AD_M_USER, "value"),
    State(gid.AD_M_BACKGROUND, "value"), State(gid.AD_M_AFFILIATION, "value"), State(gid.AD_REFRESH, "data"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def add_member(n, table_value, user_value, background, affiliation, version):
    require({GOVERNORATE})
    if not n:
        return no_update, no_update
    try:
        with get_db().unit_of_work() as s:
            admin_ops.add_member(s, current_user_id(), parse_int(table_value) if table_value else None,
                                 parse_int(user_value) if user_value else None, as_text(background), as_text(affiliation))
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(_("The member is added.")), _bump(version)


@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Input({"type": gid.AD_M_REMOVE, "user": ALL}, "submit_n_clicks"), State(gid.AD_M_TABLE, "value"),
    State(gid.AD_REFRESH, "data"), roles={GOVERNORATE}, prevent_initial_call=True)
def remove_member(clicks, table_value, version):
    require({GOVERNORATE})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    try:
        with get_db().unit_of_work() as s:
            admin_ops.remove_member(s, current_user_id(), parse_int(table_value) if table_value else None,
                                    trigger.get("user"))
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(_("The member is removed.")), _bump(version)


# --- elections --------------------------------------------------------------------------------

@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Input(gid.AD_E_OPEN, "n_clicks"), State(gid.AD_E_TABLE, "value"), State(gid.AD_E_DAYS, "value"),
    State(gid.AD_REFRESH, "data"), State(AD_E_QUORUM, "value"), roles={GOVERNORATE}, prevent_initial_call=True)
def start_election(n, table_value, days, version, quorum=None):
    require({GOVERNORATE})
    if not n:
        return no_update, no_update
    try:
        days_n = election_days(parse_int(days))  # one rule with the table page (models.core.validation)
        quorum_n = QUORUM_PERCENT_DEFAULT if quorum in (None, "") else parse_int(quorum)
        with get_db().unit_of_work() as s:
            open_election(s, current_user_id(), parse_int(table_value) if table_value else None,
                          utcnow() + timedelta(days=days_n), quorum_percent=quorum_n)
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(_("The election is open; the table's members are told.")), _bump(version)


@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Input({"type": AD_E_QUORUM_SET, "election": ALL}, "n_clicks"),
    State({"type": AD_E_QUORUM_EDIT, "election": ALL}, "value"), State(gid.AD_REFRESH, "data"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def change_quorum(clicks, values, version):
    """An open election's quorum changed, refused with a sentence once a member has voted (models.tables)."""
    require({GOVERNORATE})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    election_id = trigger.get("election")
    typed = next((v for item, v in zip(ctx.states_list[0], values or [], strict=False)
                  if item["id"].get("election") == election_id), None)
    try:
        with get_db().unit_of_work() as s:
            election = set_quorum(s, current_user_id(), election_id, parse_int(typed))
            pct = election.quorum_percent
    except DomainError as exc:
        return error_alert(exc), _bump(version)
    return success(_("The quorum is now %(p)s%% of the members.", p=format_number(pct))), _bump(version)


@secured_callback(
    Output(AD_E_MODAL, "is_open"), Output(AD_E_MODAL_BODY, "children"), Output(AD_E_MODAL_ERROR, "children"),
    Output(AD_E_CONFIRM, "style"), Output(AD_E_PENDING, "data"),
    Input({"type": "adm-e-close", "election": ALL}, "n_clicks"), Input(AD_E_CANCEL, "n_clicks"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def ask_end_election(clicks, _cancel):
    """"Close now" asks first: how many of how many members voted, the quorum, and who would become chair."""
    require({GOVERNORATE})
    trigger = ctx.triggered_id
    if trigger == AD_E_CANCEL:
        return False, no_update, "", no_update, None
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update, no_update, no_update
    election_id = trigger.get("election")
    try:
        with get_db().reader() as s:
            preview = close_preview(s, current_user_id(), election_id)
    except DomainError as exc:
        return True, error_alert(exc), "", HIDDEN, None
    return True, preview_sentences(preview), "", None if preview.turnout.quorum_met else HIDDEN, election_id


@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Output(AD_E_MODAL, "is_open", allow_duplicate=True), Output(AD_E_MODAL_ERROR, "children", allow_duplicate=True),
    Input(AD_E_CONFIRM, "n_clicks"), Input(AD_E_EXTEND, "n_clicks"), State(AD_E_PENDING, "data"),
    State(gid.AD_REFRESH, "data"), roles={GOVERNORATE}, prevent_initial_call=True)
def end_election(n_confirm, n_extend, election_id, version):
    """Confirmed: close (the server refuses below the quorum; the dialog stays open and says so) or extend."""
    require({GOVERNORATE})
    if not (n_confirm or n_extend):
        return no_update, no_update, no_update, no_update
    try:
        with get_db().unit_of_work() as s:
            if ctx.triggered_id == AD_E_EXTEND:
                election = extend_election(s, current_user_id(), election_id)  # the one rule (models.tables)
                message = _("The election is extended until %(when)s.", when=format_datetime(election.closes_at))
            else:
                close_election(s, current_user_id(), election_id)
                message = _("The election is closed.")
    except DomainError as exc:
        return no_update, no_update, True, error_alert(exc)
    return success(message), _bump(version), False, ""


# --- users ------------------------------------------------------------------------------------

USER_VERBS = ("make_staff", "unmake_staff", "deactivate", "activate", "delete")


def users_view(found: admin_ops.UserPage, lang: str) -> Any:
    if not found.rows:
        return html.P(_("Nobody matches this search."), className="text-body-secondary")

    def action(uid: int, verb: str, label: str, style: str, confirm: str | None = None):
        button = html.Button(label, className=f"btn btn-sm {style} me-1 mb-1")
        return dcc.ConfirmDialogProvider(button, id={"type": gid.AD_U_ACTION, "user": uid, "do": verb},
                                         message=confirm or label)

    rows = []
    for u in found.rows:
        acts = [action(u.id, "unmake_staff" if u.is_governorate else "make_staff",
                       _("Remove governorate role") if u.is_governorate else _("Make governorate staff"),
                       "btn-outline-secondary",
                       _("Remove the governorate role of %(name)s? They keep their account as a citizen.", name=u.name)
                       if u.is_governorate else
                       _("Make %(name)s governorate staff? This grants full access: the dashboard, exports with "
                         "citizens' contact details, the audit log, and the administration of tables, people and "
                         "participatory budgeting.", name=u.name)),
                action(u.id, "deactivate" if u.is_active else "activate",
                       _("Deactivate") if u.is_active else _("Reactivate"), "btn-outline-warning",
                       _("Deactivate %(name)s? They can no longer sign in; their history stays.", name=u.name)
                       if u.is_active else None)]
        if u.is_active:
            acts.append(dcc.ConfirmDialogProvider(
                html.Button(_("Reset password"), className="btn btn-sm btn-outline-primary me-1 mb-1"),
                id={"type": gid.AD_U_RESET, "user": u.id},
                message=_("Make a one-time link for %(name)s to set a new password? Hand it over only after "
                          "checking who they are. Earlier unused links for them stop working.", name=u.name)))
        if u.pledges == 0:
            acts.append(action(u.id, "delete", _("Delete"), "btn-outline-danger",
                               _("Delete the account of %(name)s for good?", name=u.name)))
        # data-label: on a phone each row is a card and every cell says what it is (assets/hamyar.css .table-cards)
        rows.append(html.Tr([
            html.Td([html.Span(u.name, className="fw-semibold"),
                     # what tells them from others of the same name (issue 20): number, masked phone, district, roles
                     html.Div(who_is_text(u, lang, phone=bool(u.email)), className="small text-body-secondary",
                              **{"data-who": "1"})],
                    className="text-break", **{"data-label": _("Name")}),
            html.Td(html.Bdi(u.email or masked_phone(u.phone, lang), dir="ltr"), className="text-break",
                    **{"data-label": _("Login")}),
            html.Td(format_number(u.pledges, lang), **{"data-label": _("Pledges")}),
            html.Td(("، " if lang == "fa" else ", ").join(filter(None, [
                _("governorate") if u.is_governorate else "", _("inactive") if not u.is_active else _("active")])),
                **{"data-label": _("Roles")}),
            html.Td(html.Div(acts, className="d-flex flex-wrap"), **{"data-label": _("Actions")}),
        ], **{"data-user": str(u.id)}))
    head = html.Thead(html.Tr([html.Th(t, scope="col") for t in (_("Name"), _("Login"), _("Pledges"), _("Roles"),
                                                                 _("Actions"))]))
    caption = html.Caption(_("Page %(page)s of %(pages)s (%(total)s people)", page=format_number(found.page, lang),
                             pages=format_number(found.pages, lang), total=format_number(found.total, lang)),
                           className="caption-top")
    widths = html.Colgroup([html.Col(style={"width": w}) for w in ("24%", "20%", "8%", "12%", "36%")])
    return html.Table([caption, widths, head, html.Tbody(rows)], className="table table-sm align-middle table-cards",
                      style={"tableLayout": "fixed"})


@secured_callback(
    Output(gid.AD_U_LIST, "children"), Output(gid.AD_U_PAGE, "data"),
    Input(gid.AD_U_SEARCH, "value"), Input(gid.AD_U_PREV, "n_clicks"), Input(gid.AD_U_NEXT, "n_clicks"),
    Input(gid.AD_REFRESH, "data"), State(gid.AD_U_PAGE, "data"), roles={GOVERNORATE})
def show_users(query, _prev, _next, _version, current):
    require({GOVERNORATE})
    page_no = current if isinstance(current, int) else 1
    trigger = ctx.triggered_id
    page_no = page_no - 1 if trigger == gid.AD_U_PREV else page_no + 1 if trigger == gid.AD_U_NEXT else (
        page_no if trigger == gid.AD_REFRESH else 1)
    text = as_text(query).strip()
    if len(text) < SEARCH_MIN_CHARS:  # one letter matches nearly everyone: the whole list, as before typing
        text = ""
    with get_db().reader() as s:
        found = admin_ops.search_users(s, text, page=max(1, page_no), per_page=20)
    return users_view(found, current_language()), found.page


@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Input({"type": gid.AD_U_ACTION, "user": ALL, "do": ALL}, "submit_n_clicks"), State(gid.AD_REFRESH, "data"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def user_action(clicks, version):
    require({GOVERNORATE})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []) or trigger.get("do") not in USER_VERBS:
        return no_update, no_update
    verb, uid, actor = trigger["do"], trigger.get("user"), current_user_id()
    try:
        with get_db().unit_of_work() as s:
            if verb in ("make_staff", "unmake_staff"):
                admin_ops.set_governorate(s, actor, uid, verb == "make_staff")
            elif verb in ("deactivate", "activate"):
                admin_ops.set_active(s, actor, uid, verb == "activate")
            else:
                admin_ops.delete_user(s, actor, uid)
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(_("Done.")), _bump(version)


def reset_link_view(name: str, link: str, until: Any, lang: str) -> Any:
    """The link, shown this once: only its hash is stored, so nobody can show it again."""
    return html.Div([
        html.P(_("Give this link to %(name)s in person or through a channel you trust. It works once, until "
                 "%(until)s. It will not be shown again.", name=name, until=format_datetime(until, lang))),
        dbc.Label(_("One-time password-reset link"), html_for=gid.AD_U_RESET_LINK, className="visually-hidden"),
        html.Div([
            dbc.Input(id=gid.AD_U_RESET_LINK, value=link, readonly=True, className="font-monospace"),
            dcc.Clipboard(target_id=gid.AD_U_RESET_LINK, title=_("Copy"), className="btn btn-outline-secondary"),
        ], className="input-group mb-2", dir="ltr"),
        html.P(_("Their password changes only when they use the link; their other sessions then end."),
               className="small text-body-secondary mb-0"),
    ])


@secured_callback(
    Output(gid.AD_U_RESET_MODAL, "is_open"), Output(gid.AD_U_RESET_BODY, "children"),
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True),
    Input({"type": gid.AD_U_RESET, "user": ALL}, "submit_n_clicks"), roles={GOVERNORATE}, prevent_initial_call=True)
def reset_password(clicks):
    require({GOVERNORATE})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update
    now = utcnow()
    try:
        with get_db().unit_of_work() as s:
            token = password_reset.issue_reset(s, current_user_id(), trigger.get("user"), now=now)
            name = s.get(User, trigger["user"]).name
    except DomainError as exc:
        return False, None, error_alert(exc)
    # The host only from HAMYAR_PUBLIC_URL (never the request's Host or X-Forwarded-Host), the token in the
    # fragment, which no server or access log sees (issue 18 item 11).
    from dash_app.settings import settings_of
    from dash_app.views import reset_link

    link = reset_link(token, settings_of(current_app).public_url)
    return True, reset_link_view(name, link, now + password_reset.RESET_VALID_FOR, current_language()), None


@secured_callback(Output(gid.AD_U_RESET_BODY, "children", allow_duplicate=True),
                  Input(gid.AD_U_RESET_MODAL, "is_open"), roles={GOVERNORATE}, prevent_initial_call=True)
def forget_reset_link(is_open):
    """Closing the dialog takes the link off the page too."""
    require({GOVERNORATE})
    return no_update if is_open else None


# --- valuation rates --------------------------------------------------------------------------

@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Input(gid.AD_R_SAVE, "n_clicks"), State(gid.AD_R_KIND, "value"), State(gid.AD_R_ITEM, "value"),
    State(gid.AD_R_RATE, "value"), State(gid.AD_REFRESH, "data"), roles={GOVERNORATE}, prevent_initial_call=True)
def save_rate(n, kind, item, rate, version):
    require({GOVERNORATE})
    if not n:
        return no_update, no_update
    value = parse_int(rate) if rate not in (None, "") else None
    try:
        with get_db().unit_of_work() as s:
            valuation.set_rate(s, current_user_id(), kind or "", item or "", value)
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(_("The rate is saved.")), _bump(version)


@secured_callback(
    Output(gid.AD_MESSAGE, "children", allow_duplicate=True), Output(gid.AD_REFRESH, "data", allow_duplicate=True),
    Input({"type": gid.AD_R_REMOVE, "rate": ALL}, "submit_n_clicks"), State(gid.AD_REFRESH, "data"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def remove_rate(clicks, version):
    require({GOVERNORATE})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    try:
        with get_db().unit_of_work() as s:
            valuation.remove_rate(s, current_user_id(), trigger.get("rate"))
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(_("The rate is removed.")), _bump(version)
