"""One-click unsubscribe from the links in SMS and e-mail (issue 23 item 4): no sign-in needed, the link is
signed (models.messaging.preferences). Opening it changes nothing (mail scanners open links); the button does.

Imports dash, dbc and dash_app. The button POSTs to /unsubscribe (dash_app.messaging); mail clients POST to
the link itself (RFC 8058).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dash_app import messaging
from dash_app.auth import ANYONE
from dash_app.db import get_db
from dash_app.i18n import _, _l, error_message
from dash_app.layout import alert_for, csrf_field, page
from dash_app.ui import account_ids as ids
from dash_app.ui.messaging_labels import notification_group_label
from models.messaging.preferences import UNSUBSCRIBE_INVALID, read_token


@page(__name__, path="/unsubscribe", path_template="/unsubscribe/<token>", title=_l("Stop messages"),
      roles={ANYONE})
def layout(token: str | None = None, done: str | None = None, error: str | None = None, **_kw):
    with get_db().reader() as s:
        found = read_token(s, token)
    if found is None:
        return html.Section([html.H1(_("Stop messages"), className="h3 mb-3"),
                             alert_for(error_message(UNSUBSCRIBE_INVALID), id=ids.UNSUBSCRIBE_ERROR)],
                            className="mx-auto", style={"maxWidth": "32rem"})
    group = notification_group_label(found[1])
    if done:
        return html.Section([
            html.H1(_("Stop messages"), className="h3 mb-3"),
            html.Div(_("Done: you will no longer get SMS or e-mail about “%(group)s”; they stay in the app.",
                       group=group), className="alert alert-success", role="status", id=ids.UNSUBSCRIBE_DONE),
            html.A(_("Choose how you hear about each kind on your account page"), href="/account"),
        ], className="mx-auto", style={"maxWidth": "32rem"})
    return html.Section([
        html.H1(_("Stop messages"), className="h3 mb-3"),
        alert_for(error_message(error) if error else None, id=ids.UNSUBSCRIBE_ERROR),
        html.P(_("Stop sending me SMS and e-mail about “%(group)s”? You will still see them in the app.",
                 group=group)),
        html.Form([
            csrf_field(),
            dbc.Input(type="hidden", name="token", value=token),
            html.Button(_("Stop these messages"), type="submit", className="btn btn-primary"),
        ], action=messaging.UNSUBSCRIBE_PATH, method="POST", id=ids.UNSUBSCRIBE_FORM),
    ], className="mx-auto", style={"maxWidth": "32rem"})
