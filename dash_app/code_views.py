"""The form posts of signing up, signing in and resetting a password with a one-time code (issue 23).

Imports flask, flask-login and models. Each flow has two steps on one page: the login (and, to sign up, a
name) POSTs to /code/send, which issues a code (models.accounts.codes) and queues its SMS or e-mail
(models.messaging.dispatch.queue_code) in one transaction, keeps what was typed in the signed session (never
the password, which comes with the code) and goes back to the page at the code step; the code then POSTs to
the flow's own route. A wrong code counts as a try even though the form is refused: its transaction commits.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, redirect, request, session
from flask_login import logout_user

from dash_app.auth import check_form_csrf, rotate_csrf_token, safe_next
from dash_app.db import get_db
from dash_app.i18n import LANGUAGE_COOKIE, LANGUAGES
from dash_app.views import F_LOGIN, F_NAME, F_NEXT, F_PASSWORD, F_PASSWORD2, F_REMEMBER, stash_form, stashed
from models.accounts import codes
from models.core.errors import ValidationError

F_CODE = "code"
F_PURPOSE = "purpose"
SEND_PATH = "/code/send"
# purpose -> the page of its flow (GET, a Dash page in dash_app/pages/accounts/) and where its code POSTs
PAGES = {"sign_in": "/login/code", "register": "/signup", "reset": "/forgot"}
STASH = "code"
CODE_PER_ADDRESS = "5 per minute;30 per hour"
CONFIRM_PER_ADDRESS = "20 per minute;100 per hour"


def _back(purpose: str, **params: object) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return PAGES[purpose] + (f"?{query}" if query else "")


def _language() -> str:
    lang = request.cookies.get(LANGUAGE_COOKIE)
    return lang if lang in LANGUAGES else "fa"


def code_step() -> dict[str, str]:
    """What the first step typed (purpose, login, name), for the page's code step."""
    return stashed(STASH)


def send_post():
    """Issue a code and queue its message; back to the flow's page at the code step, or with the error."""
    from models.messaging.dispatch import queue_code

    check_form_csrf()
    form = request.form
    purpose = form.get(F_PURPOSE, "")
    if purpose not in PAGES:
        return redirect("/login", code=303)
    login, name = form.get(F_LOGIN, "")[:254], " ".join(form.get(F_NAME, "").split())[:60]
    nxt = safe_next(form.get(F_NEXT))
    if purpose == "register" and not name:
        stash_form(STASH, purpose=purpose, login=login)
        return redirect(_back(purpose, error="name_required", next=nxt), code=303)
    try:
        with get_db().unit_of_work() as s:
            issued = codes.issue_code(s, purpose=purpose, login=login, address=request.remote_addr,
                                      language=_language())
            if issued.code is not None:
                queue_code(s, channel=issued.channel, recipient=issued.recipient, code=issued.code, purpose=purpose,
                           language=issued.language, user_id=issued.user_id,
                           minutes=int(codes.CODE_VALID_FOR.total_seconds() // 60))
    except ValidationError as exc:
        stash_form(STASH, purpose=purpose, login=login, name=name)
        return redirect(_back(purpose, error=exc.code, seconds=exc.params.get("seconds"), next=nxt), code=303)
    stash_form(STASH, purpose=purpose, login=issued.recipient, name=name, channel=issued.channel)
    return redirect(_back(purpose, step="code", next=nxt), code=303)


def _sign_in_and_go(user, nxt: str, remember: bool):
    from dash_app.ratelimit import remember_device
    from dash_app.views import _sign_in, _with_language_cookie

    session.pop("_form", None)
    _sign_in(user, remember=remember)
    return remember_device(_with_language_cookie(redirect(nxt, code=303), user.language), user.id)


def sign_in_post():
    check_form_csrf()
    step, form = code_step(), request.form
    nxt = safe_next(form.get(F_NEXT))
    with get_db().unit_of_work() as s:  # commits the counted try of a wrong code too
        user = codes.sign_in_with_code(s, login=step.get("login", ""), code=form.get(F_CODE, ""))
    if user is None:
        return redirect(_back("sign_in", step="code", error="code_wrong", next=nxt), code=303)
    return _sign_in_and_go(user, nxt, bool(form.get(F_REMEMBER)))


def register_post():
    check_form_csrf()
    step, form = code_step(), request.form
    nxt = safe_next(form.get(F_NEXT))
    password = form.get(F_PASSWORD, "")
    try:
        if password != form.get(F_PASSWORD2, ""):
            raise ValidationError("password_mismatch", field="password2")
        with get_db().unit_of_work() as s:
            user = codes.register_with_code(s, name=step.get("name", ""), login=step.get("login", ""),
                                            code=form.get(F_CODE, ""), password=password or None,
                                            language=_language())
    except ValidationError as exc:
        return redirect(_back("register", step="code", error=exc.code, next=nxt), code=303)
    if user is None:
        return redirect(_back("register", step="code", error="code_wrong", next=nxt), code=303)
    return _sign_in_and_go(user, nxt, bool(form.get(F_REMEMBER)))


def reset_post():
    check_form_csrf()
    step, form = code_step(), request.form
    try:
        if form.get(F_PASSWORD, "") != form.get(F_PASSWORD2, ""):
            raise ValidationError("password_mismatch", field="password2")
        with get_db().unit_of_work() as s:  # ends every session of the account (models.accounts.codes)
            user = codes.reset_with_code(s, login=step.get("login", ""), code=form.get(F_CODE, ""),
                                         new_password=form.get(F_PASSWORD, ""))
    except ValidationError as exc:
        return redirect(_back("reset", step="code", error=exc.code), code=303)
    if user is None:
        return redirect(_back("reset", step="code", error="code_wrong"), code=303)
    session.pop("_form", None)
    logout_user()
    rotate_csrf_token()
    return redirect("/login?notice=password_reset", code=303)


def init_code_views(server: Flask) -> None:
    limiter = server.extensions["hamyar_limiter"]
    send = limiter.limit(CODE_PER_ADDRESS, scope="code-send-address")(send_post)
    server.add_url_rule(SEND_PATH, "code_send_post", send, methods=["POST"])
    for purpose, view in (("sign_in", sign_in_post), ("register", register_post), ("reset", reset_post)):
        limited = limiter.limit(CONFIRM_PER_ADDRESS, scope=f"code-{purpose}-address")(view)
        server.add_url_rule(PAGES[purpose], f"code_{purpose}_post", limited, methods=["POST"])
