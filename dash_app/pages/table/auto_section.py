"""Automatic matching, the chair's switch (issue 16 item 6): on or off, and at most every how many minutes.

A section of the table area (it registers no route); imports dash, dbc, models (runs.auto) and dash_app.
When on, models.runs.auto runs the table's matching in the background after new pledges or decisions and holds
any run that would withdraw proposals or lower coverage for the chair (who is notified).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html

from dash_app.auth import CHAIR, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, error_message, format_number, parse_int
from dash_app.layout import icon
from dash_app.pages.table import ids
from dash_app.ui.alerts import alert as alert_box
from models.core.errors import DomainError, PermissionDenied, ValidationError
from models.orm.tables import Table
from models.runs.auto import MAX_MINUTES, MIN_MINUTES, set_auto_matching


def settings(session, table_id: int) -> tuple[bool, int]:
    """(on, minutes) of the table: read in the page's own session (the table row is loaded there already)."""
    table = session.get(Table, table_id)
    return (bool(table.auto_match), int(table.auto_match_minutes)) if table else (False, 30)


def section(table_id: int, current: tuple[bool, int]) -> html.Div:
    on, minutes = current
    return html.Div([
        html.H3([icon("clock-history", "me-1"), _("Automatic matching")], className="h6 mt-3"),
        html.P(_("When on, matching runs by itself after new pledges or decisions, at most every so many minutes. "
                 "A run that would withdraw proposals or lower coverage is not made: you are told and decide here."),
               className="small text-body-secondary mb-2"),
        dbc.Switch(id=ids.AUTO_SWITCH, value=on, label=_("Match this table automatically")),
        html.Div([
            dbc.Label(_("At most every (minutes)"), html_for=ids.AUTO_MINUTES, className="small mb-0"),
            dbc.Input(id=ids.AUTO_MINUTES, value=format_number(minutes), inputMode="numeric", size="sm",
                      style={"maxWidth": "7rem"}),
            html.Button(_("Save"), id=ids.AUTO_SAVE, n_clicks=0, type="button",
                        className="btn btn-outline-primary btn-sm"),
        ], className="d-flex flex-wrap align-items-center gap-2 mt-1"),
        html.Div(id=ids.AUTO_STATUS, **{"aria-live": "polite"}),
    ], id=ids.AUTO_PANEL)


@secured_callback(Output(ids.AUTO_STATUS, "children"), Input(ids.AUTO_SAVE, "n_clicks"),
                  State(ids.AUTO_SWITCH, "value"), State(ids.AUTO_MINUTES, "value"), State(ids.TABLE_ID, "data"),
                  roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def save_auto(n_clicks, on, minutes, table_id):
    require({CHAIR}, table_id)
    if not n_clicks:
        return None
    try:
        value = parse_int(minutes) if isinstance(minutes, str) else None
        if value is None:
            raise ValidationError("auto_minutes_invalid", field="minutes", minimum=MIN_MINUTES, maximum=MAX_MINUTES)
        with get_db().unit_of_work() as s:
            set_auto_matching(s, current_user_id(), table_id, bool(on), value)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return alert_box(error_message(exc))
    return alert_box(_("Automatic matching is on: at most every %(n)s minutes.", n=format_number(value)) if on
                     else _("Automatic matching is off."), "success")


__all__ = ["section"]
