"""Forgot password: a code sent to the account's phone or e-mail, then a new password, without asking the
governorate (issue 23 item 3). The governorate's reset links (/reset) still work.

Imports dash, flask-login and dash_app. The forms POST to dash_app.code_views.
"""
from __future__ import annotations

from dash import html
from flask_login import current_user

from dash_app.auth import ANYONE
from dash_app.i18n import _, _l
from dash_app.layout import page
from dash_app.ui.code_forms import code_page


@page(__name__, path="/forgot", title=_l("Forgot your password?"), roles={ANYONE})
def layout(step: str | None = None, error: str | None = None, seconds: str | None = None, **_kw):
    if current_user.is_authenticated:
        return html.Div([html.P(_("You are logged in as %(name)s.", name=current_user.name)),
                         html.A(_("Change your password on your account page"), href="/account")])
    return code_page("reset", _("Forgot your password?"), step=step, error=error, seconds=seconds, nxt=None,
                     password="required",
                     intro=_("Enter the mobile number or e-mail of your account: we send it a code, then you choose "
                             "a new password. Every session of your account then ends."))
