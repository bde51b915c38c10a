"""The log-in page: a form that POSTs to the /login Flask route (dash_app.views).

Imports dash, dbc and dash_app.
"""
from __future__ import annotations

from urllib.parse import quote

import dash_bootstrap_components as dbc
from dash import html
from flask_login import current_user

from dash_app import views
from dash_app.auth import ANYONE, safe_next
from dash_app.i18n import _, _l, error_message
from dash_app.layout import alert_for, csrf_field, page
from dash_app.ui import account_ids as ids
from dash_app.ui.forms import field

# Good news a form sends back here (?notice=...), e.g. after a new password was set with a reset link.
NOTICES = {"password_reset": _l("Your new password is set. Log in with it."),
           "account_deleted": _l("Your account is deleted and you are logged out everywhere. You can sign up again "
                                 "with the same number at any time.")}


def notice_for(notice: str | None) -> html.Div | None:
    text = NOTICES.get(notice or "")
    return html.Div(str(text), id=ids.LOGIN_NOTICE, className="alert alert-success mb-3", role="status") if text else None


@page(__name__, path="/login", title=_l("Log in"), roles={ANYONE})
def layout(error: str | None = None, next: str | None = None, notice: str | None = None, **_kw):
    if current_user.is_authenticated:
        return html.Div([html.P(_("You are logged in as %(name)s.", name=current_user.name)),
                         html.A(_("Back to the home page"), href="/")])
    # The login typed before a failed attempt comes from the signed session, never from the URL.
    login = views.stashed("login").get("login") if error else None
    return html.Section([
        html.H1(_("Log in"), className="h3 mb-3"),
        notice_for(notice),
        alert_for(error_message(error) if error else None, id=ids.LOGIN_ERROR),
        html.Form([
            csrf_field(),
            dbc.Input(type="hidden", name=views.F_NEXT, value=safe_next(next)),
            field(_("Mobile number or e-mail"), views.F_LOGIN, "login-login", type="text",
                  value=login or "", required=True, autocomplete="username", inputmode="email"),
            field(_("Password"), views.F_PASSWORD, "login-password", type="password", required=True,
                  autocomplete="current-password"),
            html.Div([
                dbc.Checkbox(id="login-remember", name=views.F_REMEMBER, value=False,
                             label=_("Remember me on this device")),
            ], className="mb-3"),
            html.Button(_("Log in"), type="submit", className="btn btn-primary w-100", id="login-submit"),
        ], action="/login", method="POST", id=ids.LOGIN_FORM),
        html.P([html.A(_("Log in with a code instead"), href=f"/login/code?next={quote(safe_next(next), safe='/')}",
                       id="login-with-code"), " · ", html.A(_("Forgot your password?"), href="/forgot")],
               className="mt-3"),
        html.P([_("No account yet?"), " ", html.A(_("Register"), href=f"/register?next={quote(safe_next(next), safe='/')}")],
               className="mt-3"),
    ], className="mx-auto", style={"maxWidth": "28rem"})
