"""Plain Flask routes for the account forms: log in, register, log out, switch language, reset a password.

Imports flask, flask-login and models. GET of /login, /register, /logout and /reset/<token> is a Dash
page (dash_app/pages/); the forms POST here with a CSRF token and are redirected back (post/redirect/get).
"""
from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

from flask import Flask, abort, current_app, jsonify, redirect, request, session
from flask_login import current_user, login_user, logout_user

import models.accounts.users as accounts
from dash_app.auth import (
    check_form_csrf,
    current_user_id,
    rotate_csrf_token,
    safe_next,
    session_user,
)
from dash_app.db import get_db
from dash_app.i18n import LANGUAGE_COOKIE, LANGUAGES
from models.accounts import password_reset, throttle
from models.accounts import sessions as user_sessions
from models.core.errors import DomainError, ValidationError

# Form field names (the pages use the same constants).
F_NAME = "name"
F_LOGIN = "login"
F_PASSWORD = "password"
F_PASSWORD2 = "password2"
F_REMEMBER = "remember"
F_NEXT = "next"
F_LANG = "lang"
F_TOKEN = "token"          # the reset link's token, POSTed in the body (never in a path: access logs)
F_EVERYWHERE = "everywhere"  # on /logout: end every session of the person
FORM_STASH = "_form"       # what a failed form typed, kept in the signed session, never in the URL
F_SESSION = "session_id"   # on /account/sessions/end: which of the person's sessions to end
END_SESSION_PATH = "/account/sessions/end"
F_CURRENT = "current"      # on /account/password: the password the person has now
PASSWORD_PATH = "/account/password"

LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365


def _back(path: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


def _sign_in(user, remember: bool) -> None:
    """A new server-side session (models.accounts.sessions) and a new cookie session for it."""
    with get_db().unit_of_work() as s:
        token = user_sessions.open_session(s, user.id, remember=remember, address=request.remote_addr,
                                           user_agent=request.headers.get("User-Agent"))
    session.clear()  # a new session on every sign-in: nothing chosen before it carries over (fixation)
    login_user(session_user(user, token), remember=remember)
    rotate_csrf_token()


def stash_form(form: str, **values: str) -> None:
    """Keep what a failed form typed (login, name, phone) for its page to show again: in the signed session
    cookie, so it never travels in a redirect URL (access logs, browser history, the Referer)."""
    session[FORM_STASH] = {"form": form, **{k: v for k, v in values.items() if v}}


def stashed(form: str) -> dict[str, str]:
    """What the failed `form` typed (empty when another form or nothing was stashed)."""
    data = session.get(FORM_STASH)
    return dict(data) if isinstance(data, dict) and data.get("form") == form else {}


def _with_language_cookie(response, lang: str):
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_AGE, samesite="Lax", httponly=True)
    return response


def login_post():
    from dash_app.ratelimit import login_keys, remember_device, throttle_enabled

    check_form_csrf()
    login = request.form.get(F_LOGIN, "")
    next_path = safe_next(request.form.get(F_NEXT))
    limited = throttle_enabled()
    with get_db().reader() as s:
        known = accounts.find_user_by_login(s, login)
        keys = login_keys(s, login, known.id if known is not None else None) if limited else []
        wait = throttle.wait_seconds(s, keys) if keys else 0.0
    if wait > 0:
        # Too early for this key: the password is not even checked, and the attempt does not count.
        stash_form("login", login=login[:254])
        return redirect(_back("/login", error="too_many_attempts", next=request.form.get(F_NEXT)), code=303)
    with get_db().reader() as s:
        user = accounts.authenticate(s, login, request.form.get(F_PASSWORD, ""))
    if user is None:
        if keys:
            with get_db().unit_of_work() as s:
                throttle.record_failure(s, keys)
        stash_form("login", login=login[:254])
        return redirect(_back("/login", error="bad_credentials", next=request.form.get(F_NEXT)), code=303)
    if keys:
        with get_db().unit_of_work() as s:
            throttle.record_success(s, keys)
    _sign_in(user, remember=bool(request.form.get(F_REMEMBER)))
    return remember_device(_with_language_cookie(redirect(next_path, code=303), user.language), user.id)


def register_post():
    check_form_csrf()
    form = request.form
    name, login = form.get(F_NAME, ""), form.get(F_LOGIN, "")
    lang = request.cookies.get(LANGUAGE_COOKIE)
    lang = lang if lang in LANGUAGES else "fa"
    try:
        if form.get(F_PASSWORD, "") != form.get(F_PASSWORD2, ""):
            raise ValidationError("password_mismatch", field="password2")
        with get_db().unit_of_work() as s:
            user = accounts.create_user(s, name=name, login=login, password=form.get(F_PASSWORD, ""),
                                        language=lang)
    except ValidationError as exc:
        if exc.code == "login_taken":
            # Pressing Register again after a timeout (issue 15 item 5): the first press made the account. The
            # same login with its password is that person, so this press signs them in instead of refusing.
            with get_db().reader() as s:
                made = accounts.authenticate(s, login, form.get(F_PASSWORD, ""))
                if made is not None:
                    _sign_in(made, remember=bool(form.get(F_REMEMBER)))
                    return redirect(safe_next(form.get(F_NEXT)), code=303)
        stash_form("register", name=name[:120], login=login[:254])
        return redirect(_back("/register", error=exc.code, field=exc.field, next=form.get(F_NEXT)), code=303)
    _sign_in(user, remember=bool(form.get(F_REMEMBER)))
    return redirect(safe_next(form.get(F_NEXT)), code=303)


RESET_PATH = "/reset"


def reset_link(token: str, public_url: str = "") -> str:
    """The link handed to the person: the token in the fragment, which browsers never send to a server
    (so no access log or proxy sees it); the host only from HAMYAR_PUBLIC_URL, never from the request."""
    return f"{public_url}{RESET_PATH}#{quote(token, safe='')}"


def reset_post():
    """Set a new password through a one-time link (models.accounts.password_reset), then sign in afresh.
    The token comes in the form's body; an error goes back to the page with the token in the fragment."""
    check_form_csrf()
    form = request.form
    token = form.get(F_TOKEN, "")
    try:
        if form.get(F_PASSWORD, "") != form.get(F_PASSWORD2, ""):
            raise ValidationError("password_mismatch", field="password2")
        with get_db().unit_of_work() as s:
            # Also ends every session and remember-me cookie of the person (models.accounts.sessions).
            password_reset.redeem_reset(s, token, form.get(F_PASSWORD, ""))
    except DomainError as exc:
        # Back to the link's page: it shows the form with the error while the link works, else one
        # "this link does not work" page whatever the reason.
        return redirect(_back(RESET_PATH, error=exc.code) + "#" + quote(token, safe=""), code=303)
    # Whoever was signed in in this browser is not any more: the person now signs in with the new password.
    logout_user()
    rotate_csrf_token()
    return redirect(_back("/login", notice="password_reset"), code=303)


def logout_post():
    """End this session on the server (every copy of its cookies stops working), or with `everywhere`
    every session of the person."""
    check_form_csrf()
    if current_user.is_authenticated:
        with get_db().unit_of_work() as s:
            if request.form.get(F_EVERYWHERE):
                user_sessions.end_sessions(s, int(current_user.id), reason=user_sessions.LOGOUT_EVERYWHERE)
            else:
                user_sessions.end_session(s, current_user.token)
    logout_user()
    rotate_csrf_token()
    return redirect("/", code=303)


def end_session_post():
    """The person ends one of their own sessions from the account page (another person's id ends nothing)."""
    check_form_csrf()
    if not current_user.is_authenticated:
        return redirect("/login", code=303)
    try:
        session_id = int(request.form.get(F_SESSION, ""))
    except ValueError:
        abort(400)
    with get_db().unit_of_work() as s:
        user_sessions.end_session_by_id(s, int(current_user.id), session_id)
    return redirect("/account", code=303)


def change_password_post():
    """The person changes their password on the account page: every session and remember-me cookie of
    theirs ends (this browser's too) and this browser gets a fresh session."""
    check_form_csrf()
    if not current_user.is_authenticated:
        return redirect("/login", code=303)
    form = request.form
    uid = int(current_user.id)
    try:
        if form.get(F_PASSWORD, "") != form.get(F_PASSWORD2, ""):
            raise ValidationError("password_mismatch", field="password2")
        with get_db().unit_of_work() as s:
            remember = user_sessions.is_remembered(s, current_user.token)
            user = accounts.change_password(s, uid, form.get(F_CURRENT, ""), form.get(F_PASSWORD, ""),
                                            signed_in_at=user_sessions.opened_at(s, current_user.token))
            user_sessions.end_sessions(s, uid, reason=user_sessions.PASSWORD_CHANGED)
    except ValidationError as exc:
        return redirect(_back("/account", error=exc.code), code=303)
    _sign_in(user, remember=remember)
    return redirect(_back("/account", notice="password_changed"), code=303)


def language_post():
    check_form_csrf()
    lang = request.form.get(F_LANG, "")
    if lang not in LANGUAGES:
        abort(400)
    uid = current_user_id()
    if uid is not None:
        with get_db().unit_of_work() as s:
            accounts.set_language(s, uid, lang, actor_id=uid)
    back = "/"
    ref = request.referrer
    if ref:
        parts = urlsplit(ref)
        if parts.netloc == request.host:
            back = safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return _with_language_cookie(redirect(back, code=303), lang)


def healthz():
    """Liveness: the process answers. It asks nothing else, so a load balancer never restarts a
    healthy worker because the database blinked (that is /readyz's business)."""
    return jsonify({"status": "ok"})


READY_TIMEOUT = 2  # seconds each dependency may take to answer /readyz


def readiness(db, settings) -> dict[str, str]:
    """Each dependency's state: "ok" or a short reason. Ready when every value is "ok"."""
    from sqlalchemy import text

    from models.core.schema import current_revision, head_revision

    checks: dict[str, str] = {}
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {READY_TIMEOUT * 1000}")
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current_revision(db) == head_revision() else "not current"
    except Exception as exc:  # any failure to reach it means "not ready", never a 500
        checks["database"] = f"unreachable ({type(exc).__name__})"
    if settings.redis_url:
        import redis

        try:
            redis.Redis.from_url(settings.redis_url, socket_connect_timeout=READY_TIMEOUT,
                                 socket_timeout=READY_TIMEOUT).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"unreachable ({type(exc).__name__})"
    return checks


def readyz():
    """Readiness for the load balancer: the database answers, its schema is current, Redis (when
    configured) answers. 503 with the failing checks otherwise."""
    from dash_app.settings import settings_of

    checks = readiness(get_db(), settings_of(current_app))
    ready = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ready" if ready else "not ready", "checks": checks}), 200 if ready else 503


def init_views(server: Flask) -> None:
    from dash_app.ratelimit import init_rate_limits

    limited = {"login_post": login_post, "register_post": register_post, "reset_post": reset_post,
               "change_password_post": change_password_post}
    init_rate_limits(server, limited)
    server.add_url_rule("/login", "login_post", limited["login_post"], methods=["POST"])
    server.add_url_rule("/register", "register_post", limited["register_post"], methods=["POST"])
    server.add_url_rule(RESET_PATH, "reset_post", limited["reset_post"], methods=["POST"])
    server.add_url_rule("/logout", "logout_post", logout_post, methods=["POST"])
    server.add_url_rule(END_SESSION_PATH, "end_session_post", end_session_post, methods=["POST"])
    server.add_url_rule(PASSWORD_PATH, "change_password_post", limited["change_password_post"], methods=["POST"])
    server.add_url_rule("/language", "language_post", language_post, methods=["POST"])
    server.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    server.add_url_rule("/readyz", "readyz", readyz, methods=["GET"])
    from dash_app.uploads import init_uploads

    init_uploads(server)  # after the rate limits: it limits uploads per person with the same limiter

    @server.errorhandler(400)
    def _bad_request(exc):
        from dash_app.i18n import error_message

        if getattr(exc, "description", "") == "csrf_failed":
            return error_message("csrf_failed"), 400, {"Content-Type": "text/plain; charset=utf-8"}
        return "Bad request", 400, {"Content-Type": "text/plain; charset=utf-8"}
