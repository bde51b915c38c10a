"""Sign in with a one-time code sent to the account's phone or e-mail (issue 23); the only way in for an
account without a password.

Imports dash, flask-login and dash_app. The forms POST to dash_app.code_views.
"""
from __future__ import annotations

from dash import html
from flask_login import current_user

from dash_app.auth import ANYONE
from dash_app.i18n import _, _l
from dash_app.layout import page
from dash_app.ui.code_forms import code_page


@page(__name__, path="/login/code", title=_l("Log in with a code"), roles={ANYONE})
def layout(step: str | None = None, error: str | None = None, seconds: str | None = None, next: str | None = None,
           **_kw):
    if current_user.is_authenticated:
        return html.Div([html.P(_("You are logged in as %(name)s.", name=current_user.name)),
                         html.A(_("Back to the home page"), href="/")])
    return html.Div([
        code_page("sign_in", _("Log in with a code"), step=step, error=error, seconds=seconds, nxt=next),
        html.P([html.A(_("Log in with a password"), href="/login"), " · ",
                html.A(_("Create an account"), href="/signup")], className="mt-3 text-center"),
    ])
