"""Sign up with a mobile number (or an e-mail) and a one-time code; a password is optional (issue 23).

Imports dash, flask-login and dash_app. The forms POST to dash_app.code_views.
"""
from __future__ import annotations

from dash import html
from flask_login import current_user

from dash_app.auth import ANYONE
from dash_app.i18n import _, _l
from dash_app.layout import page
from dash_app.ui.code_forms import code_page


@page(__name__, path="/signup", title=_l("Sign up with a code"), roles={ANYONE})
def layout(step: str | None = None, error: str | None = None, seconds: str | None = None, next: str | None = None,
           **_kw):
    if current_user.is_authenticated:
        return html.Div([html.P(_("You are logged in as %(name)s.", name=current_user.name)),
                         html.A(_("Back to the home page"), href="/")])
    return html.Div([
        code_page("register", _("Create an account"), step=step, error=error, seconds=seconds, nxt=next,
                  with_name=True, password="optional",
                  intro=_("Your mobile number is your account: we send it a code to confirm it is yours.")),
        html.P([_("Already have an account?"), " ", html.A(_("Log in"), href="/login")], className="mt-3 text-center"),
    ])
