"""The person's account: who they are signed in as, whether their name is shown publicly (issue 20 item 13),
their active sessions, "log out everywhere" and changing the password (issue 18 item 2).

Imports dash, flask-login, models.accounts.sessions and dash_app. The buttons are plain forms that POST
to Flask routes (dash_app.views): /logout with `everywhere`, /account/sessions/end for one session,
/account/password. The name switch saves through a secured callback (models.accounts.profile); so does each
notification preference (issue 23 item 4: per group, how — off, in the app, SMS, e-mail, both — and when — at once
or a daily digest; models.messaging.preferences audits and checks the values).

Self-service (issue 23 item 3): the e-mail address is added or changed with a code sent to it
(dash_app.account_views, models.accounts.codes.change_email_with_code); an account made with a code sets its
first password without a current one within FIRST_PASSWORD_WITHIN of signing in; "Download my data" serves
models.accounts.mydata's JSON or CSV zip through dcc.Download; "Delete my account" opens a dialog that says
what is erased and what is kept and why, and POSTs to /account/delete with a typed word.
"""
from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from flask_login import current_user

from dash_app import account_views, views
from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    _l,
    current_language,
    error_message,
    format_datetime,
    format_number,
    localise_digits,
)
from dash_app.layout import alert_for, csrf_field, icon, page
from dash_app.ui import account_ids as ids
from dash_app.ui.forms import field
from dash_app.ui.messaging_labels import CHANNEL_LABEL, FREQUENCY_LABEL, GROUP_LABEL
from models.accounts import sessions as user_sessions
from models.accounts.codes import CODE_VALID_FOR
from models.accounts.deletion import check_can_delete
from models.accounts.mydata import my_data, my_data_json, my_data_zip
from models.accounts.profile import set_show_name_publicly
from models.accounts.users import (
    FIRST_PASSWORD_WITHIN,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    has_password,
)
from models.core.errors import DomainError, ValidationError
from models.core.notify import GROUPS
from models.messaging.preferences import preferences_for, set_preference
from models.orm.base import utcnow
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


NOTICES = {"password_changed": _l("Your new password is set. Every other session of your account has ended."),
           "email_confirmed": _l("Your e-mail address is confirmed. Notifications you chose by e-mail go to it.")}
FIRST_MINUTES = int(FIRST_PASSWORD_WITHIN.total_seconds() // 60)


def password_section(error: str | None, notice: str | None, first: bool = False) -> html.Section:
    """Change the password: the current one, the new one twice (POST /account/password). An account without a
    password sets its first one without a current one, shortly after signing in with a code."""
    text = NOTICES.get(notice or "") if notice == "password_changed" else None
    return html.Section([
        html.H2(_("Set a password") if first else _("Change your password"), className="h5 mt-4"),
        html.Div(str(text), className="alert alert-success", role="status", id=ids.ACCOUNT_PASSWORD_NOTICE)
        if text else None,
        alert_for(error_message(error, minimum=PASSWORD_MIN_LENGTH, maximum=PASSWORD_MAX_LENGTH,
                                minutes=format_number(FIRST_MINUTES)) if error else None,
                  id=ids.ACCOUNT_PASSWORD_ERROR),
        html.P(_("Your account has no password: you sign in with a code sent to your phone or e-mail. You may set "
                 "a password too, within %(minutes)s minutes of signing in with a code.",
                 minutes=format_number(FIRST_MINUTES)), className="form-text") if first else None,
        html.Form([
            csrf_field(),
            None if first else field(_("Current password"), views.F_CURRENT, "account-current", type="password",
                                     required=True, autocomplete="current-password"),
            field(_("New password"), views.F_PASSWORD, "account-password", type="password", required=True,
                  autocomplete="new-password", minlength=PASSWORD_MIN_LENGTH),
            html.P(_("At least %(minimum)s characters; not a common password and not your name or login.",
                     minimum=format_number(PASSWORD_MIN_LENGTH)), className="form-text mt-n2"),
            field(_("Password again"), views.F_PASSWORD2, "account-password2", type="password", required=True,
                  autocomplete="new-password"),
            html.P(_("Every session of your account then ends, on every device; this one starts afresh."),
                   className="form-text"),
            html.Button(_("Set the password") if first else _("Change the password"), type="submit",
                        className="btn btn-primary", id="account-submit"),
        ], action=views.PASSWORD_PATH, method="POST", id=ids.ACCOUNT_PASSWORD_FORM),
    ], style={"maxWidth": "28rem"})


def email_section(user, error: str | None, notice: str | None, step: str | None, seconds: str | None) -> html.Section:
    """The e-mail address: shown with whether it is confirmed; a new one takes effect with the code sent to it."""
    pending = account_views.pending_email() if step == "code" else None
    status = None
    if user.email:
        confirmed = user.email_verified_at is not None
        status = html.P([html.Span(user.email, dir="ltr"), " · ",
                         html.Span(_("confirmed") if confirmed else _("not confirmed: e-mail is not sent to it"),
                                   className="text-success" if confirmed else "text-warning-emphasis")])
    text = NOTICES.get(notice or "") if notice == "email_confirmed" else None
    parsed = int(seconds) if isinstance(seconds, str) and seconds.isdigit() and len(seconds) < 4 else 60
    message = alert_for(error_message(error, seconds=format_number(parsed)) if error else None,
                        id=ids.ACCOUNT_EMAIL_ERROR)
    if pending:
        form = html.Form([
            csrf_field(),
            html.P(_("We sent a code to %(email)s. Type it here within %(minutes)s minutes.", email=pending,
                     minutes=format_number(int(CODE_VALID_FOR.total_seconds() // 60))), className="form-text"),
            field(_("Code"), account_views.F_CODE, "account-email-code", inputMode="numeric", maxLength=6,
                  autocomplete="one-time-code", required=True),
            html.Button(_("Confirm the address"), type="submit", className="btn btn-primary"),
        ], action=account_views.EMAIL_CONFIRM_PATH, method="POST", id=ids.ACCOUNT_EMAIL_CODE_FORM)
    else:
        form = html.Form([
            csrf_field(),
            field(_("New e-mail address") if user.email else _("E-mail address"), account_views.F_EMAIL,
                  "account-email", type="email", required=True, autocomplete="email"),
            html.P(_("We send a code to the address; it becomes yours when you type the code here."),
                   className="form-text mt-n2"),
            html.Button(_("Send a code"), type="submit", className="btn btn-outline-primary"),
        ], action=account_views.EMAIL_PATH, method="POST", id=ids.ACCOUNT_EMAIL_FORM)
    return html.Section([
        html.H2(_("Your e-mail address"), className="h5 mt-4", id="email"),
        html.Div(str(text), className="alert alert-success", role="status", id=ids.ACCOUNT_EMAIL_NOTICE)
        if text else None,
        status, message, form,
    ], style={"maxWidth": "28rem"})


def data_section() -> html.Section:
    return html.Section([
        html.H2(_("Your data"), className="h5 mt-4"),
        html.P(_("Download everything Hamyar holds about you: your profile, help you offered and what became of "
                 "it, notifications, the votes you took part in (never what you chose: ballots do not name their "
                 "voter), proposals, requests and sessions."), className="form-text"),
        html.Div([
            html.Button([icon("filetype-json", "me-1"), _("Download (JSON)")], id=ids.ACCOUNT_DOWNLOAD_JSON,
                        n_clicks=0, className="btn btn-outline-secondary me-2 mb-2"),
            html.Button([icon("file-zip", "me-1"), _("Download (spreadsheets, zip)")], id=ids.ACCOUNT_DOWNLOAD_ZIP,
                        n_clicks=0, className="btn btn-outline-secondary mb-2"),
        ]),
        dcc.Download(id=ids.ACCOUNT_DOWNLOAD),
        html.Div(id=ids.ACCOUNT_DOWNLOAD_STATUS, role="status", className="small"),
    ], style={"maxWidth": "40rem"})


def _list(items) -> html.Ul:
    return html.Ul([html.Li(i) for i in items], className="mb-2")


def delete_section(session, user, error: str | None) -> html.Section:
    """"Delete my account": a dialog that says what is erased, what is kept and why, and asks for a word."""
    refusal = None
    try:
        check_can_delete(session, user)
    except DomainError as exc:
        refusal = error_message(exc)
    word = account_views.confirm_words()[0 if current_language() == "fa" else 1]
    erased = [_("your name, mobile number and e-mail address"), _("your password"),
              _("every session: you are logged out on every device"), _("your notification choices"),
              _("your notifications"), _("the link between you and the resident register")]
    kept = [_("The audit log keeps its entries with your account's number, which no longer leads to you: its "
              "entries are chained to one another and cannot be rewritten. What they recorded at the time (such "
              "as your name when you registered) stays there, seen only by governorate staff."),
            _("Help that a table accepted or you delivered stays, as anonymous help to its project; whatever was "
              "not accepted yet is taken back."),
            _("Your votes stay counted: ballots never named their voter, so nothing can be taken out of the count."),
            _("Proposals and requests you sent stay for the tables that work on them, without your name.")]
    dialog = dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle(_("Delete your account?"))),
        dbc.ModalBody([
            html.P(html.Strong(_("Erased now, for good:")), className="mb-1"), _list(erased),
            html.P(html.Strong(_("Kept, and why:")), className="mb-1"), _list(kept),
            html.Form([
                csrf_field(),
                field(_("To confirm, type “%(word)s”", word=word), account_views.F_CONFIRM, "account-delete-word",
                      required=True, autocomplete="off"),
                html.Div([
                    html.Button(_("Cancel"), type="button", id=ids.ACCOUNT_DELETE_CANCEL,
                                className="btn btn-outline-secondary"),
                    html.Button([icon("trash", "me-1"), _("Delete my account")], type="submit",
                                className="btn btn-danger"),
                ], className="d-flex gap-2 justify-content-end flex-wrap"),
            ], action=account_views.DELETE_PATH, method="POST", id=ids.ACCOUNT_DELETE_FORM),
        ]),
    ], id=ids.ACCOUNT_DELETE_MODAL, is_open=bool(error) and error == "delete_confirm_wrong", scrollable=True,
        centered=True)
    return html.Section([
        html.H2(_("Delete your account"), className="h5 mt-4", id="delete"),
        alert_for(error_message(error) if error else None, id=ids.ACCOUNT_DELETE_ERROR),
        html.P(refusal, className="text-body-secondary") if refusal else html.Div([
            html.P(_("Your name, number, e-mail and password are erased and you are logged out everywhere. You can "
                     "sign up again with the same number later."), className="form-text"),
            html.Button([icon("trash", "me-1"), _("Delete my account…")], id=ids.ACCOUNT_DELETE_OPEN, n_clicks=0,
                        className="btn btn-outline-danger"),
        ]),
        dialog if refusal is None else None,
    ], style={"maxWidth": "40rem"}, className="mb-5")


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


def _text(value) -> str | None:
    return value if isinstance(value, str) and len(value) < 64 else None


@page(__name__, path="/account", title=_l("Your account"), roles={CITIZEN})
def layout(error: str | None = None, notice: str | None = None, delete_error: str | None = None,
           email_error: str | None = None, email_step: str | None = None, seconds: str | None = None, **_kw):
    uid = int(current_user.id)
    with get_db().reader() as s:
        user = s.get(User, uid)
        rows = user_sessions.active_sessions(s, uid)
        this_id = user_sessions.session_id_of(s, current_user.token)
        # an e-mail address is written as typed; a phone number in the language's digits
        login = (user.email or localise_digits(user.phone or "")) if user is not None else ""
        show = bool(user.show_name_publicly) if user is not None else False
        prefs = preferences_section(s, user) if user is not None else None
        first = user is not None and not has_password(user)
        email = email_section(user, _text(email_error), _text(notice), _text(email_step), _text(seconds)) \
            if user is not None else None
        deletion = delete_section(s, user, _text(delete_error)) if user is not None else None
    return html.Section([
        html.H1([icon("person-circle", "me-2"), _("Your account")], className="h3 mb-3"),
        html.P([html.Strong(current_user.name), " · ", html.Span(login, dir="ltr")]),
        name_section(show),
        email,
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
        password_section(_text(error), _text(notice), first),
        data_section(),
        deletion,
    ])


@secured_callback(Output(ids.ACCOUNT_DELETE_MODAL, "is_open"), Input(ids.ACCOUNT_DELETE_OPEN, "n_clicks"),
                  Input(ids.ACCOUNT_DELETE_CANCEL, "n_clicks"), roles={CITIZEN}, prevent_initial_call=True)
def toggle_delete(_open, _cancel):
    """Open the confirmation dialog, or close it (nothing is deleted here: the dialog's form POSTs)."""
    require({CITIZEN})
    return ctx.triggered_id == ids.ACCOUNT_DELETE_OPEN


@secured_callback(Output(ids.ACCOUNT_DOWNLOAD, "data"), Output(ids.ACCOUNT_DOWNLOAD_STATUS, "children"),
                  Input(ids.ACCOUNT_DOWNLOAD_JSON, "n_clicks"), Input(ids.ACCOUNT_DOWNLOAD_ZIP, "n_clicks"),
                  roles={CITIZEN}, prevent_initial_call=True)
def download_my_data(n_json, n_zip):
    """The signed-in person's own data only (the id comes from the session, never from the browser)."""
    require({CITIZEN})
    which = ctx.triggered_id
    if which not in (ids.ACCOUNT_DOWNLOAD_JSON, ids.ACCOUNT_DOWNLOAD_ZIP) or not (n_json or n_zip):
        return no_update, no_update
    uid = current_user_id()
    now = utcnow()
    with get_db().reader() as s:
        data = my_data(s, uid, now=now)
    stamp = now.strftime("%Y%m%d")
    if which == ids.ACCOUNT_DOWNLOAD_JSON:
        sent = dcc.send_bytes(my_data_json(data).encode("utf-8"), f"hamyar-my-data-{stamp}.json")
    else:
        sent = dcc.send_bytes(my_data_zip(data), f"hamyar-my-data-{stamp}.zip")
    return sent, html.Span(_("Your file is ready."), className="text-success")


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
