"""The registration page: a form that POSTs to the /register Flask route (dash_app.views).

Imports dash, dbc, models.accounts.users (the password rule) and dash_app.
"""
from __future__ import annotations

from urllib.parse import quote

import dash_bootstrap_components as dbc
from dash import html
from flask_login import current_user

from dash_app import views
from dash_app.auth import ANYONE, safe_next
from dash_app.i18n import _, _l, error_message, format_number
from dash_app.layout import alert_for, csrf_field, page
from dash_app.ui import account_ids as ids
from dash_app.ui.forms import field
from models.accounts.users import PASSWORD_MIN_LENGTH


@page(__name__, path="/register", title=_l("Register"), roles={ANYONE})
def layout(error: str | None = None, next: str | None = None, **_kw):
    if current_user.is_authenticated:
        return html.Div([html.P(_("You are logged in as %(name)s.", name=current_user.name)),
                         html.A(_("Back to the home page"), href="/")])
    # What the failed form typed comes from the signed session, never from the URL (issue 18 item 10).
    typed = views.stashed("register") if error else {}
    name, login = typed.get("name"), typed.get("login")
    return html.Section([
        html.H1(_("Create an account"), className="h3 mb-3"),
        html.P(html.A(_("Sign up with your mobile number and a code instead"),
                      href=f"/signup?next={quote(safe_next(next), safe='/')}", id="register-with-code")),
        alert_for(error_message(error, minimum=PASSWORD_MIN_LENGTH) if error else None, id=ids.REGISTER_ERROR),
        html.Form([
            csrf_field(),
            dbc.Input(type="hidden", name=views.F_NEXT, value=safe_next(next)),
            field(_("Your name"), views.F_NAME, "register-name", type="text", value=name or "",
                  required=True, autocomplete="name", maxlength=60),
            field(_("Mobile number or e-mail"), views.F_LOGIN, "register-login", type="text",
                  value=login or "", required=True, autocomplete="username"),
            field(_("Password"), views.F_PASSWORD, "register-password", type="password", required=True,
                  autocomplete="new-password", minlength=PASSWORD_MIN_LENGTH),
            html.P(_("At least %(minimum)s characters; not a common password and not your name or login.",
                     minimum=format_number(PASSWORD_MIN_LENGTH)), className="form-text mt-n2"),
            field(_("Password again"), views.F_PASSWORD2, "register-password2", type="password",
                  required=True, autocomplete="new-password"),
            html.Div(dbc.Checkbox(id="register-remember", name=views.F_REMEMBER, value=False,
                                  label=_("Remember me on this device")), className="mb-3"),
            html.Button(_("Register"), type="submit", className="btn btn-primary w-100", id="register-submit"),
        ], action="/register", method="POST", id=ids.REGISTER_FORM),
        html.P([_("Already have an account?"), " ", html.A(_("Log in"), href=f"/login?next={quote(safe_next(next), safe='/')}")],
               className="mt-3"),
    ], className="mx-auto", style={"maxWidth": "28rem"})
