"""The person's account: who they are signed in as, whether their name is shown publicly (issue 20 item 13),
their active sessions, "log out everywhere" and changing the password (issue 18 item 2).

Imports dash, flask-login, models.accounts.sessions and dash_app. The buttons are plain forms that POST
to Flask routes (dash_app.views): /logout with `everywhere`, /account/sessions/end for one session,
/account/password. The name switch saves through a secured callback (models.accounts.profile); so does each
notification preference (issue 23 item 4: per group, how — off, in the app, SMS, e-mail, both — and when — at once
or a daily digest; models.messaging.preferences audits and checks the values).
"""
from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, html, no_update
from flask_login import current_user

from dash_app import views
from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, error_message, format_datetime, format_number
from dash_app.layout import alert_for, csrf_field, icon, page
from dash_app.pages.accounts import ids
from dash_app.ui.forms import field
from dash_app.ui.messaging_labels import CHANNEL_LABEL, FREQUENCY_LABEL, GROUP_LABEL
from models.accounts import sessions as user_sessions
from models.accounts.profile import set_show_name_publicly
from models.accounts.users import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from models.core.errors import DomainError, ValidationError
from models.core.notify import GROUPS
from models.messaging.preferences import preferences_for, set_preference
from models.orm.outbox import PREF_CHANNELS, PREF_FREQUENCIES
from models.orm.people import User

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def device_name(user_agent: str | None) -> str:
    """'Firefox on Android' from a User-Agent header (names of products are not translated)."""
    text = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in text), "")
    system = next((name for mark, name in _SYSTEMS if mark in text), "")
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or re.sub(r"\s+", " ", text)[:40] or _("Unknown device")


def session_row(row, this_id: int | None) -> html.Tr:
    this = row.id == this_id
    end = html.Span(_("This device"), className="badge text-bg-success") if this else html.Form([
        csrf_field(),
        dbc.Input(type="hidden", name=views.F_SESSION, value=str(row.id)),
        html.Button(_("End this session"), type="submit", className="btn btn-outline-danger btn-sm"),
    ], action=views.END_SESSION_PATH, method="POST", className="m-0")
    return html.Tr([
        html.Td(device_name(row.user_agent)),
        html.Td(row.address or "", dir="ltr"),
        html.Td(format_datetime(row.created_at)),
        html.Td(format_datetime(row.last_seen_at)),
        html.Td(_("Yes") if row.remember else _("No")),
        html.Td(end),
    ], className="table-success" if this else None)


NOTICES = {"password_changed": _l("Your new password is set. Every other session of your account has ended.")}


def password_section(error: str | None, notice: str | None) -> html.Section:
    """Change the password: the current one, the new one twice (POST /account/password)."""
    text = NOTICES.get(notice or "")
    return html.Section([
        html.H2(_("Change your password"), className="h5 mt-4"),
        html.Div(str(text), className="alert alert-success", role="status", id=ids.ACCOUNT_PASSWORD_NOTICE)
        if text else None,
        alert_for(error_message(error, minimum=PASSWORD_MIN_LENGTH, maximum=PASSWORD_MAX_LENGTH) if error else None,
                  id=ids.ACCOUNT_PASSWORD_ERROR),
        html.Form([
            csrf_field(),
            field(_("Current password"), views.F_CURRENT, "account-current", type="password", required=True,
                  autocomplete="current-password"),
            field(_("New password"), views.F_PASSWORD, "account-password", type="password", required=True,
                  autocomplete="new-password", minlength=PASSWORD_MIN_LENGTH),
            html.P(_("At least %(minimum)s characters; not a common password and not your name or login.",
                     minimum=format_number(PASSWORD_MIN_LENGTH)), className="form-text mt-n2"),
            field(_("Password again"), views.F_PASSWORD2, "account-password2", type="password", required=True,
                  autocomplete="new-password"),
            html.P(_("Every session of your account then ends, on every device; this one starts afresh."),
                   className="form-text"),
            html.Button(_("Change the password"), type="submit", className="btn btn-primary", id="account-submit"),
        ], action=views.PASSWORD_PATH, method="POST", id=ids.ACCOUNT_PASSWORD_FORM),
    ], style={"maxWidth": "28rem"})


def name_section(show: bool) -> html.Section:
    """The "show my name publicly" choice, saved as soon as it is switched."""
    return html.Section([
        html.H2(_("Your name on public pages"), className="h5 mt-4"),
        dbc.Switch(id=ids.ACCOUNT_SHOW_NAME, value=bool(show), label=_("Show my name publicly"),
                   className="mb-1"),
        html.P(_("When on, your name appears beside your contributions on the project pages and in the chairs' "
                 "lists. When off, they say “a citizen”. Your phone and e-mail are never shown publicly."),
               className="form-text"),
        html.Div(id=ids.ACCOUNT_SHOW_NAME_STATUS, role="status", className="small"),
    ], style={"maxWidth": "28rem"})


@page(__name__, path="/account", title=_l("Your account"), roles={CITIZEN})
def layout(error: str | None = None, notice: str | None = None, **_kw):
    uid = int(current_user.id)
    with get_db().reader() as s:
        user = s.get(User, uid)
        rows = user_sessions.active_sessions(s, uid)
        this_id = user_sessions.session_id_of(s, current_user.token)
        login = (user.email or user.phone or "") if user is not None else ""
        show = bool(user.show_name_publicly) if user is not None else False
        prefs = preferences_section(s, user) if user is not None else None
    return html.Section([
        html.H1([icon("person-circle", "me-2"), _("Your account")], className="h3 mb-3"),
        html.P([html.Strong(current_user.name), " · ", html.Span(login, dir="ltr")]),
        name_section(show),
        prefs,
        html.H2(_("Active sessions"), className="h5 mt-4"),
        html.P(_("Every browser signed in to your account now: %(count)s. If you do not recognise one, end it, "
                 "or log out everywhere.", count=format_number(len(rows))),
               className="text-body-secondary"),
        html.Div(html.Table([
            html.Thead(html.Tr([html.Th(_("Device")), html.Th(_("Address")), html.Th(_("Signed in")),
                                html.Th(_("Last used")), html.Th(_("Remembered")), html.Th("")])),
            html.Tbody([session_row(r, this_id) for r in rows]),
        ], className="table table-sm align-middle"), className="table-responsive", id=ids.ACCOUNT_SESSIONS),
        html.Form([
            csrf_field(),
            dbc.Input(type="hidden", name=views.F_EVERYWHERE, value="1"),
            html.Button([icon("box-arrow-right", "me-1"), _("Log out everywhere")], type="submit",
                        className="btn btn-danger"),
            html.P(_("Ends every session of your account, this one too, and every “remember me” on any device."),
                   className="form-text"),
        ], action="/logout", method="POST", id=ids.ACCOUNT_LOGOUT_EVERYWHERE, className="mt-3"),
        password_section(error if isinstance(error, str) else None, notice if isinstance(notice, str) else None),
    ])


@secured_callback(Output(ids.ACCOUNT_SHOW_NAME_STATUS, "children"), Input(ids.ACCOUNT_SHOW_NAME, "value"),
                  roles={CITIZEN}, prevent_initial_call=True)
def save_show_name(value):
    """Save the name choice for the signed-in person only (the domain refuses anything but yes or no)."""
    require({CITIZEN})
    if not isinstance(value, bool):
        return no_update
    try:
        get_db().run(lambda s: set_show_name_publicly(s, current_user_id(), value))
    except ValidationError as exc:
        return html.Span(error_message(exc), className="text-danger")
    return html.Span(_("Saved: your name is shown publicly.") if value else
                     _("Saved: your name is not shown publicly."), className="text-success")


# --- notification preferences (issue 23 item 4) ---------------------------------------------------


def preferences_section(session, user) -> html.Section:
    chosen = preferences_for(session, user.id)
    rows = []
    for group in GROUPS:
        channel, frequency = chosen[group]
        rows.append(html.Tr([
            html.Td(str(GROUP_LABEL[group])),
            # the select inside its label: a pattern id cannot be a label's "for"
            html.Td(html.Label([
                html.Span(_("How: %(group)s", group=str(GROUP_LABEL[group])), className="visually-hidden"),
                dbc.Select(id={"type": ids.ACCOUNT_PREF_CHANNEL, "group": group}, value=channel, size="sm",
                           options=[{"label": str(CHANNEL_LABEL[c]), "value": c} for c in PREF_CHANNELS])],
                className="mb-0 w-100")),
            html.Td(html.Label([
                html.Span(_("When: %(group)s", group=str(GROUP_LABEL[group])), className="visually-hidden"),
                dbc.Select(id={"type": ids.ACCOUNT_PREF_FREQUENCY, "group": group}, value=frequency, size="sm",
                           options=[{"label": str(FREQUENCY_LABEL[f]), "value": f} for f in PREF_FREQUENCIES])],
                className="mb-0 w-100")),
        ]))
    phone_note = None
    if user.phone and user.phone_verified_at is None:
        phone_note = html.P(_("SMS goes only to a confirmed mobile number: log in once with a code to confirm "
                              "yours."), className="form-text text-warning-emphasis")
    return html.Section([
        html.H2(_("How you hear about things"), className="h5 mt-4"),
        html.Div(html.Table([
            html.Thead(html.Tr([html.Th(_("About")), html.Th(_("How")), html.Th(_("When"))])),
            html.Tbody(rows),
        ], className="table table-sm align-middle"), className="table-responsive", id=ids.ACCOUNT_PREFS),
        phone_note,
        html.P(_("Every SMS and e-mail has a link to stop that kind of message at once."), className="form-text"),
        html.Div(id=ids.ACCOUNT_PREFS_STATUS, role="status", className="small"),
    ], style={"maxWidth": "40rem"})


@secured_callback(Output(ids.ACCOUNT_PREFS_STATUS, "children"),
                  Input({"type": ids.ACCOUNT_PREF_CHANNEL, "group": ALL}, "value"),
                  Input({"type": ids.ACCOUNT_PREF_FREQUENCY, "group": ALL}, "value"),
                  State({"type": ids.ACCOUNT_PREF_CHANNEL, "group": ALL}, "id"),
                  roles={CITIZEN}, prevent_initial_call=True)
def save_preference(channels, frequencies, which):
    """Save the changed group of the signed-in person only (the domain refuses values not in its lists)."""
    require({CITIZEN})
    trigger = ctx.triggered_id
    group = trigger.get("group") if isinstance(trigger, dict) else None
    index = next((i for i, w in enumerate(which or []) if isinstance(w, dict) and w.get("group") == group), None)
    if index is None or not isinstance(channels, list) or not isinstance(frequencies, list) \
            or index >= len(channels) or index >= len(frequencies):
        return no_update
    uid = current_user_id()
    try:
        get_db().run(lambda s: set_preference(s, uid, group, channels[index], frequencies[index]))
    except DomainError as exc:
        return html.Span(error_message(exc), className="text-danger")
    return html.Span(_("Saved."), className="text-success")
