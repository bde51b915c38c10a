"""The form posts of /account's self-service (issue 23 item 3): delete my account, add or change the e-mail
address with a code sent to it.

Imports flask, flask-login and models. Each form POSTs with a CSRF token and goes back (post/redirect/get):
- /account/delete: the word typed in the confirmation dialog, then models.accounts.deletion.delete_my_account
  in one unit of work; this browser is logged out (the others already are: their sessions are gone);
- /account/email: the new address; a "verify" code (models.accounts.codes) is queued to it (models.messaging)
  in the same transaction, and the address waits in the signed session for its code;
- /account/email/confirm: the code; the address becomes the account's, confirmed. A wrong code counts.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, redirect, request, session
from flask_login import current_user, logout_user

from dash_app.auth import check_form_csrf, rotate_csrf_token
from dash_app.db import get_db
from models.accounts import codes
from models.accounts.deletion import delete_my_account
from models.accounts.users import normalise_login
from models.core.errors import DomainError, ValidationError
from models.orm.people import User

DELETE_PATH = "/account/delete"
EMAIL_PATH = "/account/email"
EMAIL_CONFIRM_PATH = "/account/email/confirm"
F_CONFIRM = "confirm"   # the word the person types in the dialog
F_EMAIL = "email"
F_CODE = "code"
EMAIL_STASH = "_email_change"
EMAIL_PER_ADDRESS = "5 per minute;30 per hour"
CONFIRM_PER_ADDRESS = "20 per minute;100 per hour"


def confirm_words() -> tuple[str, ...]:
    """What the dialog asks to type: the word in the person's language; either language's word is taken."""
    return ("حذف", "delete")


def _back(**params: object) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return "/account" + (f"?{query}" if query else "")


def pending_email() -> str | None:
    value = session.get(EMAIL_STASH)
    return value if isinstance(value, str) else None


def delete_post():
    check_form_csrf()
    if not current_user.is_authenticated:
        return redirect("/login", code=303)
    typed = " ".join(request.form.get(F_CONFIRM, "").split()).casefold()
    if typed not in confirm_words():
        return redirect(_back(delete_error="delete_confirm_wrong") + "#delete", code=303)
    try:
        with get_db().unit_of_work() as s:
            delete_my_account(s, int(current_user.id))
    except DomainError as exc:
        return redirect(_back(delete_error=exc.code) + "#delete", code=303)
    logout_user()
    session.clear()
    rotate_csrf_token()
    return redirect("/login?notice=account_deleted", code=303)


def email_post():
    from models.messaging.dispatch import queue_code

    check_form_csrf()
    if not current_user.is_authenticated:
        return redirect("/login", code=303)
    wanted = request.form.get(F_EMAIL, "")[:254]
    try:
        kind, email = normalise_login(wanted)
        if kind != "email":
            raise ValidationError("email_invalid", field="email")
        with get_db().unit_of_work() as s:
            user = s.get(User, int(current_user.id))
            if user is not None and user.email == email and user.email_verified_at is not None:
                raise ValidationError("email_unchanged", field="email")
            issued = codes.issue_code(s, purpose="verify", login=email, address=request.remote_addr,
                                      language=user.language if user is not None else "fa", account=user)
            if issued.code is not None:
                queue_code(s, channel="email", recipient=issued.recipient, code=issued.code, purpose="verify",
                           language=issued.language, user_id=issued.user_id,
                           minutes=int(codes.CODE_VALID_FOR.total_seconds() // 60))
    except ValidationError as exc:
        code = "email_invalid" if exc.code in ("login_invalid", "login_required") else exc.code
        return redirect(_back(email_error=code, seconds=exc.params.get("seconds")) + "#email", code=303)
    session[EMAIL_STASH] = email
    return redirect(_back(email_step="code") + "#email", code=303)


def email_confirm_post():
    check_form_csrf()
    if not current_user.is_authenticated:
        return redirect("/login", code=303)
    email = pending_email()
    if email is None:
        return redirect(_back() + "#email", code=303)
    try:
        with get_db().unit_of_work() as s:  # commits the counted try of a wrong code too
            user = codes.change_email_with_code(s, int(current_user.id), email=email,
                                                code=request.form.get(F_CODE, ""))
    except ValidationError as exc:
        return redirect(_back(email_error=exc.code, email_step="code") + "#email", code=303)
    if user is None:
        return redirect(_back(email_error="code_wrong", email_step="code") + "#email", code=303)
    session.pop(EMAIL_STASH, None)
    return redirect(_back(notice="email_confirmed") + "#email", code=303)


def init_account_views(server: Flask) -> None:
    limiter = server.extensions["hamyar_limiter"]
    server.add_url_rule(DELETE_PATH, "account_delete_post", delete_post, methods=["POST"])
    server.add_url_rule(EMAIL_PATH, "account_email_post",
                        limiter.limit(EMAIL_PER_ADDRESS, scope="account-email-address")(email_post), methods=["POST"])
    server.add_url_rule(EMAIL_CONFIRM_PATH, "account_email_confirm_post",
                        limiter.limit(CONFIRM_PER_ADDRESS, scope="account-email-confirm")(email_confirm_post),
                        methods=["POST"])
