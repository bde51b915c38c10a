"""Setting a new password through a one-time link from the governorate (/reset/<token>, threat T21).

Imports dash, models.accounts.password_reset and dash_app. The form POSTs to the /reset/<token> Flask
route (dash_app.views). A link that does not work gets one page whatever the reason (unknown, used,
replaced, expired, account deactivated), so holding a link tells nothing about the account.
"""
from __future__ import annotations

from dash import html

from dash_app import views
from dash_app.auth import ANYONE
from dash_app.db import get_db
from dash_app.i18n import _, _l, error_message, format_number
from dash_app.layout import alert_for, csrf_field, icon, page
from dash_app.pages.accounts import ids
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


@page(__name__, path="/reset/<token>", path_template="/reset/<token>", title=_l("Set a new password"),
      roles={ANYONE})
def layout(token: str | None = None, error: str | None = None, **_kw):
    with get_db().reader() as s:
        works = reset_link_works(s, token)
    if not works:
        return link_does_not_work()
    message = error_message(error, minimum=PASSWORD_MIN_LENGTH, maximum=PASSWORD_MAX_LENGTH) if error else None
    return html.Section([
        html.H1(_("Set a new password"), className="h3 mb-3"),
        alert_for(message, id=ids.RESET_ERROR),
        html.Form([
            csrf_field(),
            field(_("New password"), views.F_PASSWORD, "reset-password", type="password", required=True,
                  autocomplete="new-password", minlength=PASSWORD_MIN_LENGTH),
            html.P(_("At least %(minimum)s characters; not a common password and not your name or login.",
                     minimum=format_number(PASSWORD_MIN_LENGTH)), className="form-text mt-n2"),
            field(_("Password again"), views.F_PASSWORD2, "reset-password2", type="password", required=True,
                  autocomplete="new-password"),
            html.Button(_("Set the new password"), type="submit", className="btn btn-primary w-100",
                        id="reset-submit"),
        ], action=views.reset_path(token), method="POST", id=ids.RESET_FORM),
    ], className="mx-auto", style={"maxWidth": "28rem"})
