"""The two steps of the one-time-code forms (sign up, sign in, forgot password), shared by their pages.

Imports dash, dbc and dash_app. Step one asks the login (and for signing up a name) and POSTs to /code/send;
step two asks the code (and a password where the flow needs one) and POSTs to the flow's own route
(dash_app.code_views).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dash_app import code_views, views
from dash_app.auth import safe_next
from dash_app.i18n import _, error_message, format_number, localise_digits
from dash_app.layout import alert_for, csrf_field
from dash_app.ui import ids
from dash_app.ui.forms import field
from models.accounts.codes import CODE_VALID_FOR, MAX_TRIES
from models.accounts.users import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH


def error_text(error: str | None, seconds: str | None) -> str | None:
    if not error:
        return None
    wait = int(seconds) if isinstance(seconds, str) and seconds.isdigit() else 60
    return error_message(error, seconds=format_number(wait), minimum=PASSWORD_MIN_LENGTH,
                         maximum=PASSWORD_MAX_LENGTH)


def login_step(purpose: str, nxt: str | None, typed: dict, *, with_name: bool = False) -> html.Form:
    return html.Form([
        csrf_field(),
        dbc.Input(type="hidden", name=code_views.F_PURPOSE, value=purpose),
        dbc.Input(type="hidden", name=views.F_NEXT, value=safe_next(nxt)),
        field(_("Your name"), views.F_NAME, "code-name", type="text", value=typed.get("name", ""), required=True,
              autocomplete="name", maxlength=60) if with_name else None,
        field(_("Mobile number or e-mail"), views.F_LOGIN, "code-login", type="text", value=typed.get("login", ""),
              required=True, autocomplete="username", inputmode="tel" if purpose != "reset" else "email"),
        html.P(_("We send a 6-digit code by SMS to a mobile number, or by e-mail to an address."),
               className="form-text mt-n2"),
        html.Button(_("Send the code"), type="submit", className="btn btn-primary w-100", id=ids.CODE_SEND),
    ], action=code_views.SEND_PATH, method="POST", id=ids.CODE_LOGIN_FORM)


def sent_note(purpose: str, typed: dict) -> html.P:
    where = html.Span(localise_digits(typed.get("login", "")), dir="ltr")
    minutes = format_number(int(CODE_VALID_FOR.total_seconds() // 60))
    if purpose == "register":
        text = _("We sent a code to %(where)s. It is valid for %(minutes)s minutes.", where="\u2066{}\u2069",
                 minutes=minutes)
    else:
        text = _("If an account has %(where)s, we sent it a code. It is valid for %(minutes)s minutes.",
                 where="\u2066{}\u2069", minutes=minutes)
    before, _sep, after = text.partition("\u2066{}\u2069")
    return html.P([before, where, after], className="text-body-secondary", id=ids.CODE_SENT)


def code_step(purpose: str, nxt: str | None, typed: dict, *, password: str = "") -> html.Div:
    """`password`: "" none, "optional" (sign up), "required" (a new password after forgetting one)."""
    fields = [
        csrf_field(),
        dbc.Input(type="hidden", name=views.F_NEXT, value=safe_next(nxt)),
        field(_("The code"), code_views.F_CODE, "code-code", type="text", required=True, inputmode="numeric",
              autocomplete="one-time-code", maxlength=12, pattern="[0-9۰-۹٠-٩ ]{6,12}"),
        html.P(_("Six digits; %(tries)s tries.", tries=format_number(MAX_TRIES)), className="form-text mt-n2"),
    ]
    if password:
        label = _("Password (optional)") if password == "optional" else _("New password")
        fields += [
            field(label, views.F_PASSWORD, "code-password", type="password", required=password == "required",
                  autocomplete="new-password", minlength=PASSWORD_MIN_LENGTH),
            html.P(_("Without a password you sign in with a code sent to you each time.") if password == "optional"
                   else _("At least %(minimum)s characters; not a common password and not your name or login.",
                          minimum=format_number(PASSWORD_MIN_LENGTH)), className="form-text mt-n2"),
            field(_("Password again"), views.F_PASSWORD2, "code-password2", type="password",
                  required=password == "required", autocomplete="new-password"),
        ]
    if purpose != "reset":
        fields.append(html.Div(dbc.Checkbox(id="code-remember", name=views.F_REMEMBER, value=False,
                                            label=_("Remember me on this device")), className="mb-3"))
    fields.append(html.Button(_("Confirm"), type="submit", className="btn btn-primary w-100", id=ids.CODE_CONFIRM))
    again = html.Form([
        csrf_field(),
        dbc.Input(type="hidden", name=code_views.F_PURPOSE, value=purpose),
        dbc.Input(type="hidden", name=views.F_NEXT, value=safe_next(nxt)),
        dbc.Input(type="hidden", name=views.F_LOGIN, value=typed.get("login", "")),
        dbc.Input(type="hidden", name=views.F_NAME, value=typed.get("name", "")),
        html.Button(_("Send a new code"), type="submit", className="btn btn-link p-0", id=ids.CODE_RESEND),
    ], action=code_views.SEND_PATH, method="POST", className="mt-2")
    return html.Div([
        sent_note(purpose, typed),
        html.Form(fields, action=code_views.PAGES[purpose], method="POST", id=ids.CODE_FORM),
        again,
        html.A(_("Use another number or e-mail"), href=code_views.PAGES[purpose], className="small"),
    ])


def code_page(purpose: str, title: str, *, step: str | None, error: str | None, seconds: str | None,
              nxt: str | None, with_name: bool = False, password: str = "", intro: str | None = None) -> html.Section:
    typed = code_views.code_step()
    at_code = step == "code" and typed.get("purpose") == purpose and bool(typed.get("login"))
    return html.Section([
        html.H1(title, className="h3 mb-3"),
        html.P(intro, className="text-body-secondary") if intro and not at_code else None,
        alert_for(error_text(error, seconds), id=ids.CODE_ERROR),
        code_step(purpose, nxt, typed, password=password) if at_code else
        login_step(purpose, nxt, typed if error else {}, with_name=with_name),
    ], className="mx-auto", style={"maxWidth": "28rem"})
