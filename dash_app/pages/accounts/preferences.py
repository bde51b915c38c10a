"""The notification preferences on /account (issue 23 item 4): per group, how (off, in the app, SMS, e-mail,
both) and when (at once or a daily digest). Saved as soon as one is changed.

Imports dash, dbc and dash_app; writes through models.messaging.preferences (audited, checks its values).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, html, no_update

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, error_message
from dash_app.pages.accounts import ids
from dash_app.ui.messaging_labels import CHANNEL_LABEL, FREQUENCY_LABEL, GROUP_LABEL
from models.core.errors import DomainError
from models.core.notify import GROUPS
from models.messaging.preferences import preferences_for, set_preference
from models.orm.outbox import PREF_CHANNELS, PREF_FREQUENCIES


def preferences_section(session, user) -> html.Section:
    chosen = preferences_for(session, user.id)
    rows = []
    for group in GROUPS:
        channel, frequency = chosen[group]
        rows.append(html.Tr([
            html.Td(str(GROUP_LABEL[group])),
            # the select inside its label: a pattern id cannot be a label's "for"
            html.Td(html.Label([
                html.Span(_("How: %(group)s", group=str(GROUP_LABEL[group])), className="visually-hidden"),
                dbc.Select(id={"type": ids.ACCOUNT_PREF_CHANNEL, "group": group}, value=channel, size="sm",
                           options=[{"label": str(CHANNEL_LABEL[c]), "value": c} for c in PREF_CHANNELS])],
                className="mb-0 w-100")),
            html.Td(html.Label([
                html.Span(_("When: %(group)s", group=str(GROUP_LABEL[group])), className="visually-hidden"),
                dbc.Select(id={"type": ids.ACCOUNT_PREF_FREQUENCY, "group": group}, value=frequency, size="sm",
                           options=[{"label": str(FREQUENCY_LABEL[f]), "value": f} for f in PREF_FREQUENCIES])],
                className="mb-0 w-100")),
        ]))
    phone_note = None
    if user.phone and user.phone_verified_at is None:
        phone_note = html.P(_("SMS goes only to a confirmed mobile number: log in once with a code to confirm "
                              "yours."), className="form-text text-warning-emphasis")
    return html.Section([
        html.H2(_("How you hear about things"), className="h5 mt-4"),
        html.Div(html.Table([
            html.Thead(html.Tr([html.Th(_("About")), html.Th(_("How")), html.Th(_("When"))])),
            html.Tbody(rows),
        ], className="table table-sm align-middle"), className="table-responsive", id=ids.ACCOUNT_PREFS),
        phone_note,
        html.P(_("Every SMS and e-mail has a link to stop that kind of message at once."), className="form-text"),
        html.Div(id=ids.ACCOUNT_PREFS_STATUS, role="status", className="small"),
    ], style={"maxWidth": "40rem"})


@secured_callback(Output(ids.ACCOUNT_PREFS_STATUS, "children"),
                  Input({"type": ids.ACCOUNT_PREF_CHANNEL, "group": ALL}, "value"),
                  Input({"type": ids.ACCOUNT_PREF_FREQUENCY, "group": ALL}, "value"),
                  State({"type": ids.ACCOUNT_PREF_CHANNEL, "group": ALL}, "id"),
                  roles={CITIZEN}, prevent_initial_call=True)
def save_preference(channels, frequencies, which):
    """Save the changed group of the signed-in person only (the domain refuses values not in its lists)."""
    require({CITIZEN})
    trigger = ctx.triggered_id
    group = trigger.get("group") if isinstance(trigger, dict) else None
    index = next((i for i, w in enumerate(which or []) if isinstance(w, dict) and w.get("group") == group), None)
    if index is None or not isinstance(channels, list) or not isinstance(frequencies, list) \
            or index >= len(channels) or index >= len(frequencies):
        return no_update
    uid = current_user_id()
    try:
        get_db().run(lambda s: set_preference(s, uid, group, channels[index], frequencies[index]))
    except DomainError as exc:
        return html.Span(error_message(exc), className="text-danger")
    return html.Span(_("Saved."), className="text-success")
