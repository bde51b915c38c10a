"""The chair election on /tables/<id>: the governorate opens and closes it; members nominate themselves
and cast an approval ballot (changeable until the close); counts are shown only once it is closed.

Closing early asks first (issue 20 item 6): a dialog says how many of how many members voted, the
quorum, and who would become chair; below the quorum the server refuses the close and the dialog offers
to extend the election instead. After the close the page header names the new chair at once.

Imports dash, dbc, models and dash_app; not a page itself.
"""
from __future__ import annotations

from datetime import UTC, timedelta

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dash_app.auth import (
    CHAIR,
    GOVERNORATE,
    MEMBER,
    admits,
    current_roles,
    current_user_id,
    require,
    secured_callback,
)
from dash_app.db import get_db
from dash_app.i18n import _, current_language, format_datetime, format_number, parse_int
from dash_app.layout import icon
from dash_app.pages.table import ids
from dash_app.pages.table.header import table_header
from dash_app.ui.alerts import error_alert, success
from dash_app.ui.elections import HIDDEN, preview_sentences
from dash_app.ui.eligibility import election_sentence
from models.core.errors import DomainError, PermissionDenied, ValidationError
from models.core.validation import ELECTION_DAYS_DEFAULT, election_days
from models.orm.base import utcnow
from models.tables.elections import (
    EXTENSION_DAYS,
    cast_ballot,
    close_election,
    close_preview,
    election_view,
    extend_election,
    nominate,
    open_election,
    table_people,
)

# The close's confirmation dialog (issue 20 item 6), outside the re-rendered body.
ELECTION_MODAL = "table-election-modal"
ELECTION_MODAL_BODY = "table-election-modal-body"
ELECTION_MODAL_ERROR = "table-election-modal-error"
ELECTION_CONFIRM = "table-election-confirm"
ELECTION_EXTEND = "table-election-extend"
ELECTION_CANCEL = "table-election-cancel"
EXTEND_DAYS = EXTENSION_DAYS
def _view(table_id: int, viewer: int | None):
    with get_db().reader() as s:
        return election_view(s, table_id, viewer)


def render(table_id: int, viewer: int | None, is_member: bool, is_gov: bool):
    view = _view(table_id, viewer)
    is_open = view is not None and view.status == "open"
    parts = []
    if view is None:
        parts.append(html.P(_("No chair election has been held on Hamyar for this table yet."),
                            className="text-body-secondary"))
    elif is_open:
        parts.append(html.P([icon("calendar-event", "me-1"),
                             _("An election for the chair is open until %(when)s.", when=format_datetime(view.closes_at)),
                             " ", _("%(n)s members have voted.", n=format_number(view.voted))],
                            className="mb-2", **{"data-election": "open"}))
        parts.append(html.P(_("Each member approves any number of candidates and may change the ballot until the "
                              "close. The candidate with most approvals wins; a tie goes to the earlier nomination, "
                              "then to the longer-standing account. Counts are published when the election closes."),
                            className="small text-body-secondary"))
        parts.append(html.P(_("Quorum: at least %(needed)s of the %(members)s members must vote (%(percent)s%%) before "
                              "the governorate may close the election early; at the closing time, below the quorum "
                              "nobody is elected and the chair stays.", needed=format_number(view.quorum_needed),
                              members=format_number(view.members), percent=format_number(view.quorum_percent)),
                            className="small text-body-secondary", **{"data-quorum-rule": str(view.quorum_needed)}))
        with get_db().reader() as s:      # who may vote (issue 23): members, and the rule the governorate set
            parts.append(html.P(election_sentence(s, view.election_id, current_language()),
                                className="small fw-semibold", **{"data-who-may-vote": "1"}))
        if view.candidates:
            parts.append(html.Ul([html.Li(c.name) for c in view.candidates], className="mb-2",
                                 **{"aria-label": _("Candidates")}))
        else:
            parts.append(html.P(_("No candidates yet."), className="text-body-secondary"))
    else:
        approved = any((c.approvals or 0) > 0 for c in view.candidates)
        winner = view.winner_name or (_("nobody (the quorum was not reached)") if approved
                                      else _("nobody (no approvals)"))
        closes = view.closes_at if view.closes_at.tzinfo else view.closes_at.replace(tzinfo=UTC)
        sentence = (_("The election closed on %(when)s. Elected chair: %(name)s.", when=format_datetime(closes),
                      name=winner) if closes <= utcnow() else
                    _("The governorate closed the election early. Elected chair: %(name)s.", name=winner))
        parts.append(html.P([icon("award", "me-1"), sentence],
                            className="mb-2", **{"data-election": "closed"}))
        if is_member or is_gov:
            parts.append(html.Ul([html.Li(_("%(name)s: %(n)s approvals", name=c.name,
                                            n=format_number(c.approvals or 0))) for c in view.candidates],
                                 className="small", **{"aria-label": _("Result")}))
    if is_member:
        options = [{"label": c.name, "value": c.candidate_id} for c in view.candidates] if is_open else []
        parts.append(html.Div([
            html.Button([icon("person-raised-hand", "me-1"), _("Nominate myself")], id=ids.ELECTION_NOMINATE,
                        n_clicks=0, className="btn btn-outline-primary btn-sm mb-2",
                        hidden=not is_open or view.viewer_is_candidate),
            html.Fieldset([
                html.Legend(_("My ballot: I approve of"), className="h6"),
                dbc.Checklist(id=ids.ELECTION_BALLOT, options=options, value=list(view.my_choices) if view else []),
                html.Button(_("Save my ballot") if not (view and view.my_choices) else _("Change my ballot"),
                            id=ids.ELECTION_VOTE, n_clicks=0, className="btn btn-primary btn-sm mt-2"),
            ], hidden=not options),
        ]))
    if is_gov:
        parts.append(html.Div([
            html.Div([
                dbc.Label(_("Closes in (days)"), html_for=ids.ELECTION_DAYS, className="me-2 ms-2 mb-0"),
                dbc.Input(id=ids.ELECTION_DAYS, value=format_number(ELECTION_DAYS_DEFAULT), inputMode="numeric",
                          style={"maxWidth": "6rem"},
                          className="me-2 ms-2"),
                html.Button([icon("megaphone", "me-1"), _("Open an election")], id=ids.ELECTION_OPEN, n_clicks=0,
                            className="btn btn-outline-primary btn-sm"),
            ], className="d-none" if is_open else "d-flex align-items-center flex-wrap gap-1",  # d-flex is !important:
                **{"data-election-controls": "open"}),  # neither `hidden` nor an inline style beat it, so drop it
            html.Button([icon("stop-circle", "me-1"), _("Close the election now")], id=ids.ELECTION_CLOSE,
                        n_clicks=0, className="btn btn-outline-danger btn-sm", style=None if is_open else HIDDEN),
        ], className="mt-2"))
    return html.Div(parts)


def section(table_id: int, viewer: int | None, is_member: bool, is_gov: bool):
    if not (is_member or is_gov) and _view(table_id, viewer) is None:
        return None
    return html.Section([
        html.H2([icon("check2-square", "me-2"), _("Chair election")], className="h5"),
        html.Div(id=ids.ELECTION_ALERT, **{"aria-live": "polite"}),
        html.Div(render(table_id, viewer, is_member, is_gov), id=ids.ELECTION_BODY),
        _modal() if is_gov else None,
    ], className="border rounded p-3 mb-4", id=ids.ELECTION_PANEL)


def _modal():
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle(_("Close the election now?"))),
        dbc.ModalBody([html.Div(id=ELECTION_MODAL_BODY), html.Div(id=ELECTION_MODAL_ERROR, **{"aria-live": "assertive"})]),
        dbc.ModalFooter([
            html.Button(_("Cancel"), id=ELECTION_CANCEL, n_clicks=0, className="btn btn-secondary"),
            html.Button(_("Extend by %(n)s days", n=format_number(EXTEND_DAYS)), id=ELECTION_EXTEND, n_clicks=0,
                        className="btn btn-outline-primary"),
            html.Button(_("Close the election"), id=ELECTION_CONFIRM, n_clicks=0, className="btn btn-danger"),
        ]),
    ], id=ELECTION_MODAL, is_open=False)


def _current_election_id(table_id: int, viewer: int | None) -> int:
    view = _view(table_id, viewer)
    if view is None or view.status != "open":
        raise ValidationError("election_closed")
    return view.election_id


def _rerender(table_id: int, viewer: int):
    roles = current_roles()
    return render(table_id, viewer, admits({MEMBER, CHAIR}, roles, table_id), bool(roles.governorate))


@secured_callback(Output(ids.ELECTION_BODY, "children"), Output(ids.ELECTION_ALERT, "children"),
                  Input(ids.ELECTION_NOMINATE, "n_clicks"), Input(ids.ELECTION_VOTE, "n_clicks"),
                  State(ids.ELECTION_BALLOT, "value"), State(ids.TABLE_ID, "data"),
                  roles={MEMBER, CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def member_action(n_nominate, n_vote, choices, table_id):
    require({MEMBER, CHAIR}, table_id)
    if not (n_nominate or n_vote):
        return no_update, no_update
    viewer = current_user_id()
    try:
        election_id = _current_election_id(table_id, viewer)
        with get_db().unit_of_work() as s:
            if ctx.triggered_id == ids.ELECTION_NOMINATE:
                nominate(s, viewer, election_id)
                message = _("You are now a candidate.")
            else:
                cast_ballot(s, viewer, election_id, [c for c in (choices or []) if isinstance(c, int)])
                message = _("Your ballot is saved. You may change it until the election closes.")
        alert = success(message)
    except PermissionDenied:
        raise
    except DomainError as exc:
        alert = error_alert(exc)
    return _rerender(table_id, viewer), alert


@secured_callback(Output(ids.ELECTION_BODY, "children", allow_duplicate=True),
                  Output(ids.ELECTION_ALERT, "children", allow_duplicate=True),
                  Input(ids.ELECTION_OPEN, "n_clicks"), State(ids.ELECTION_DAYS, "value"), State(ids.TABLE_ID, "data"),
                  roles={GOVERNORATE}, prevent_initial_call=True)
def governorate_open(n_open, days, table_id):
    require({GOVERNORATE})
    if not n_open:
        return no_update, no_update
    viewer = current_user_id()
    if isinstance(table_id, bool) or not isinstance(table_id, int):
        return no_update, error_alert(ValidationError("table_not_found"))
    try:
        n_days = election_days(parse_int(days))  # one rule with /admin (models.core.validation)
        with get_db().unit_of_work() as s:
            open_election(s, viewer, table_id, utcnow() + timedelta(days=n_days))
        alert = success(_("The election is open. The members have been told."))
    except PermissionDenied:
        raise
    except DomainError as exc:
        alert = error_alert(exc)
    return _rerender(table_id, viewer), alert


@secured_callback(Output(ELECTION_MODAL, "is_open"), Output(ELECTION_MODAL_BODY, "children"),
                  Output(ELECTION_MODAL_ERROR, "children"), Output(ELECTION_CONFIRM, "style"),
                  Input(ids.ELECTION_CLOSE, "n_clicks"), Input(ELECTION_CANCEL, "n_clicks"),
                  State(ids.TABLE_ID, "data"), roles={GOVERNORATE}, prevent_initial_call=True)
def ask_close(n_close, _n_cancel, table_id):
    """The close asks first: turnout, quorum and the would-be chair (the counts are the governorate's only)."""
    require({GOVERNORATE})
    if ctx.triggered_id == ELECTION_CANCEL:
        return False, no_update, "", no_update
    if not n_close or isinstance(table_id, bool) or not isinstance(table_id, int):
        raise PreventUpdate
    viewer = current_user_id()
    try:
        election_id = _current_election_id(table_id, viewer)
        with get_db().reader() as s:
            preview = close_preview(s, viewer, election_id)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return True, error_alert(exc), "", HIDDEN
    return True, preview_sentences(preview), "", None if preview.turnout.quorum_met else HIDDEN


def _header_children(table_id: int):
    with get_db().reader() as s:
        people = table_people(s, table_id)
    return table_header(people, current_language()).children


@secured_callback(Output(ids.ELECTION_BODY, "children", allow_duplicate=True),
                  Output(ids.ELECTION_ALERT, "children", allow_duplicate=True),
                  Output(ELECTION_MODAL, "is_open", allow_duplicate=True),
                  Output(ELECTION_MODAL_ERROR, "children", allow_duplicate=True),
                  Output(ids.TABLE_HEADER, "children"),
                  Input(ELECTION_CONFIRM, "n_clicks"), Input(ELECTION_EXTEND, "n_clicks"),
                  State(ids.TABLE_ID, "data"), roles={GOVERNORATE}, prevent_initial_call=True)
def governorate_action(n_confirm, n_extend, table_id):
    """Confirmed in the dialog: close the election (refused below the quorum, on the server) or extend it."""
    require({GOVERNORATE})
    if not (n_confirm or n_extend):
        return no_update, no_update, no_update, no_update, no_update
    viewer = current_user_id()
    if isinstance(table_id, bool) or not isinstance(table_id, int):
        return no_update, no_update, no_update, error_alert(ValidationError("table_not_found")), no_update
    try:
        election_id = _current_election_id(table_id, viewer)
        with get_db().unit_of_work() as s:
            if ctx.triggered_id == ELECTION_EXTEND:
                election = extend_election(s, viewer, election_id)  # the one rule (models.tables)
                alert = success(_("The election is extended until %(when)s.", when=format_datetime(election.closes_at)))
            else:
                close_election(s, viewer, election_id)
                alert = success(_("The election is closed and the result is published."))
    except PermissionDenied:
        raise
    except DomainError as exc:  # in the dialog, which stays open (quorum not met, closed meanwhile)
        return no_update, no_update, True, error_alert(exc), no_update
    return _rerender(table_id, viewer), alert, False, "", _header_children(table_id)

