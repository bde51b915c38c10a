"""The review queue's safety nets (issue 20): undo an accept, "select all", and the bulk-accept confirmation.

Imports dash, dbc, models and dash_app; not a page itself. Kept beside table_review.py so the queue's one big
callback stays as it is: "Accept selected…" now opens a dialog that says how many proposals of which kinds it
is about to accept, and the dialog's button is the queue's old bulk-accept button (REVIEW_BULK).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, html, no_update

from dash_app.auth import CHAIR, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, error_message, format_number, ngettext
from dash_app.layout import icon
from dash_app.pages.table import ids
from dash_app.ui.alerts import alert as alert_box
from dash_app.ui.labels import kind_label
from dash_app.ui.quantities import quantity_text
from models.pledging.chair_review import UNDO_MINUTES, bulk_summary


def undo_button(alloc_id: int, version: int, where: str) -> html.Button:
    return html.Button([icon("arrow-counterclockwise", "me-1"), _("Undo accept")],
                       id={"type": ids.UNDO_TYPE, "alloc": alloc_id, "v": version, "at": where}, n_clicks=0,
                       className="btn btn-outline-secondary btn-sm me-1 ms-1",
                       title=_("Put it back among the proposals (possible for %(n)s minutes, until anything "
                               "depends on it)", n=format_number(UNDO_MINUTES)))


def accepted_alert(alloc_id: int, version: int) -> html.Div:
    """"Accepted", with the way back beside it."""
    return alert_box([_("Accepted. The citizen has been told."), " ", undo_button(alloc_id, version, "alert")],
                     "success")


def bulk_controls():
    """"Select all on this page" and the button that asks before accepting the selection."""
    return html.Div([
        dbc.Checkbox(id=ids.REVIEW_ALL, value=False, label=_("Select all on this page"), className="mb-0"),
        html.Button([icon("check2-all", "me-1"), _("Accept selected…")], id=ids.REVIEW_BULK_ASK, n_clicks=0,
                    className="btn btn-success btn-sm"),
    ], className="d-flex flex-wrap gap-3 align-items-center mb-2")


def bulk_modal():
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle(_("Accept these proposals?"))),
        dbc.ModalBody(html.Div(id=ids.REVIEW_BULK_TEXT)),
        dbc.ModalFooter([
            html.Button(_("Cancel"), id=ids.REVIEW_BULK_CANCEL, n_clicks=0, className="btn btn-secondary"),
            html.Button([icon("check2-all", "me-1"), _("Accept them")], id=ids.REVIEW_BULK, n_clicks=0,
                        className="btn btn-success"),
        ]),
    ], id=ids.REVIEW_BULK_MODAL, is_open=False)


def summary_text(rows) -> list:
    """The dialog's words: how many, and of each kind how many and how much in total."""
    count = sum(n for _k, n, _q in rows)
    head = ngettext("You are about to accept %(n)s proposal; each citizen will be told:",
                    "You are about to accept %(n)s proposals; each citizen will be told:", count,
                    n=format_number(count))
    return [html.P(head, className="mb-1", **{"data-bulk-count": str(count)}),
            html.Ul([html.Li(ngettext("%(kind)s: %(n)s proposal, %(total)s in all",
                                      "%(kind)s: %(n)s proposals, %(total)s in all", n, kind=kind_label(kind),
                                      n=format_number(n), total=quantity_text(kind, total)))
                     for kind, n, total in rows], className="mb-0")]


def _chosen_ids(states: list, values: list | None) -> list[int]:
    return [entry["id"].get("alloc") for entry, ticked in zip(states or [], values or [])
            if ticked and isinstance(entry.get("id"), dict)]


@secured_callback(
    Output({"type": ids.SELECT_TYPE, "alloc": ALL, "v": ALL}, "value"),
    Input(ids.REVIEW_ALL, "value"), State({"type": ids.SELECT_TYPE, "alloc": ALL, "v": ALL}, "value"),
    State(ids.TABLE_ID, "data"), roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def select_all_proposals(all_ticked, current, table_id):
    """"Select all on this page" ticks (or clears) every proposal shown."""
    require({CHAIR}, table_id)
    return [bool(all_ticked)] * len(current or [])


@secured_callback(
    Output(ids.REVIEW_BULK_MODAL, "is_open"), Output(ids.REVIEW_BULK_TEXT, "children"),
    Output(ids.REVIEW_ALERT, "children", allow_duplicate=True),
    Input(ids.REVIEW_BULK_ASK, "n_clicks"), Input(ids.REVIEW_BULK_CANCEL, "n_clicks"), Input(ids.REVIEW_BULK, "n_clicks"),
    State({"type": ids.SELECT_TYPE, "alloc": ALL, "v": ALL}, "value"), State(ids.TABLE_ID, "data"),
    roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def ask_bulk_accept(_ask, _cancel, _accept, selected, table_id):
    """Open the confirmation with what the selection holds; close it on cancel or once accepted."""
    require({CHAIR}, table_id)
    if ctx.triggered_id != ids.REVIEW_BULK_ASK:
        return False, no_update, no_update
    states = ctx.states_list[0] if ctx.states_list else []
    with get_db().reader() as s:
        rows = bulk_summary(s, table_id, _chosen_ids(states, selected))
    if not rows:
        return False, no_update, alert_box(error_message("selection_empty"))
    return True, summary_text(rows), None
