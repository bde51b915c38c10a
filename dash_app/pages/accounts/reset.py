"""Setting a new password through a one-time link from the governorate (/reset#<token>, threat T21).

Imports dash, models.accounts.password_reset and dash_app. The token travels in the link's fragment,
which browsers never send to a server, so no access log or proxy sees it (issue 18 item 11): the page
reads it from the browser's location (dcc.Location's hash, sent in a callback's body) and the form POSTs
it in its body to the /reset Flask route (dash_app.views). A link that does not work gets one page
whatever the reason (unknown, used, replaced, expired, account deactivated), so holding a link tells
nothing about the account.
"""
from __future__ import annotations

from urllib.parse import unquote

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dash_app import views
from dash_app.auth import ANYONE, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, error_message, format_number
from dash_app.layout import alert_for, csrf_field, icon, page
from dash_app.ui import account_ids as ids
from dash_app.ui.forms import field
from models.accounts.password_reset import reset_link_works
from models.accounts.users import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH


def link_does_not_work() -> html.Section:
    return html.Section([
        html.H1([icon("link-45deg", "me-2"), _("This link does not work")], className="h3"),
        html.P(_("A password-reset link works once, for a limited time, and only the newest one given to you. "
                 "Ask the governorate for a new link.")),
        html.A(_("Log in"), href="/login", className="btn btn-primary"),
    ], className="py-5 text-center", id=ids.RESET_ERROR)


def reset_form(token: str, error: str | None) -> html.Section:
    message = error_message(error, minimum=PASSWORD_MIN_LENGTH, maximum=PASSWORD_MAX_LENGTH) if error else None
    return html.Section([
        html.H1(_("Set a new password"), className="h3 mb-3"),
        alert_for(message, id=ids.RESET_ERROR),
        html.Form([
            csrf_field(),
            dbc.Input(type="hidden", name=views.F_TOKEN, value=token),
            field(_("New password"), views.F_PASSWORD, "reset-password", type="password", required=True,
                  autocomplete="new-password", minlength=PASSWORD_MIN_LENGTH),
            html.P(_("At least %(minimum)s characters; not a common password and not your name or login.",
                     minimum=format_number(PASSWORD_MIN_LENGTH)), className="form-text mt-n2"),
            field(_("Password again"), views.F_PASSWORD2, "reset-password2", type="password", required=True,
                  autocomplete="new-password"),
            html.Button(_("Set the new password"), type="submit", className="btn btn-primary w-100",
                        id="reset-submit"),
        ], action=views.RESET_PATH, method="POST", id=ids.RESET_FORM),
    ], className="mx-auto", style={"maxWidth": "28rem"})


@page(__name__, path=views.RESET_PATH, title=_l("Set a new password"), roles={ANYONE})
def layout(error: str | None = None, **_kw):
    return html.Div([
        dcc.Location(id=ids.RESET_LOCATION, refresh=False),
        dcc.Store(id=ids.RESET_ERROR_CODE, data=error if isinstance(error, str) else ""),
        html.Div(html.P(_("Checking the link…"), className="text-body-secondary"), id=ids.RESET_BODY),
    ])


def token_of(fragment: str | None) -> str:
    return unquote((fragment or "").removeprefix("#"))[:200]


@secured_callback(Output(ids.RESET_BODY, "children"),
                  Input(ids.RESET_LOCATION, "hash"), State(ids.RESET_ERROR_CODE, "data"), roles={ANYONE})
def show_form(fragment, error):
    token = token_of(fragment if isinstance(fragment, str) else "")
    with get_db().reader() as s:
        works = reset_link_works(s, token)
    return reset_form(token, error or None) if works else link_does_not_work()
