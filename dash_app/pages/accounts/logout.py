"""The log-out page: a button that POSTs to the /logout Flask route (the navbar has the same button).

Imports dash and dash_app.
"""
from __future__ import annotations

from dash import html
from flask_login import current_user

from dash_app.auth import ANYONE
from dash_app.i18n import _, _l
from dash_app.layout import csrf_field, page
from dash_app.ui import account_ids as ids


@page(__name__, path="/logout", title=_l("Log out"), roles={ANYONE})
def layout(**_kw):
    if not current_user.is_authenticated:
        return html.Section([html.H1(_("You are logged out."), className="h3"),
                             html.A(_("Log in"), href="/login")])
    return html.Section([
        html.H1(_("Log out"), className="h3 mb-3"),
        html.Form([
            csrf_field(),
            html.Button(_("Log out"), type="submit", className="btn btn-primary", id="logout-submit"),
        ], action="/logout", method="POST", id=ids.LOGOUT_PAGE_FORM),
    ])
