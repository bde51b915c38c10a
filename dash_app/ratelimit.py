"""Rate limits on the account forms, and the login throttle, so passwords cannot be guessed at speed
and nobody can lock a chosen account (issue 18 item 4).

Imports flask, flask-limiter, itsdangerous and models. Two layers:
- flask-limiter, per address: every login, registration or password-reset attempt counts
  (LOGIN_PER_ADDRESS, REGISTER_PER_ADDRESS, RESET_PER_ADDRESS). Counters live in memory on a single
  server, in Redis when REDIS_URL is set (every worker then shares them).
- the login throttle (models.accounts.throttle, counts in the database, shared by every worker): failed
  logins per (account, address), per address and per account ask for growing delays, never a hard
  lock. A browser that signed in to the account before carries a signed device cookie (DEVICE_COOKIE);
  from it, or from an address the account signed in from, the account-wide count is not checked, so
  the owner gets in with the right password while someone else hammers the account.
A refused attempt comes back to the form with the message "too_many_attempts".
"""
from __future__ import annotations

import secrets
from urllib.parse import quote

from flask import Flask, current_app, redirect, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from dash_app.settings import REDIS_TIMEOUT, settings_of

LOGIN_PER_ADDRESS = "30 per minute;200 per hour"
REGISTER_PER_ADDRESS = "10 per minute;50 per hour"
# Reset tokens have 256 bits, so no limit is needed against guessing; this bounds the work one address
# causes (a lookup per attempt, and with a working link a 32 MiB scrypt hash).
RESET_PER_ADDRESS = "10 per minute;50 per hour"
DEVICE_COOKIE = "hamyar_device"
DEVICE_AGE = 60 * 60 * 24 * 365   # seconds a device cookie is believed
DEVICE_ACCOUNTS = 8               # accounts one browser remembers signing in to
_DEVICE_SALT = "hamyar-device"


def login_key(text: str) -> str:
    """The login as stored (normalised), or the typed text when it is not a login."""
    from models.accounts.users import normalise_login

    try:
        _kind, value = normalise_login(text)
    except Exception:  # noqa: BLE001 - an unreadable login is still a key
        value = (text or "").strip().lower()[:254]
    return value


def _device_serializer():
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.secret_key, salt=_DEVICE_SALT)


def _device_cookie() -> dict | None:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _device_serializer().loads(raw, max_age=DEVICE_AGE)
    except Exception:  # noqa: BLE001 - expired, forged or from another key: no known device
        return None
    if not (isinstance(data, dict) and isinstance(data.get("d"), str) and isinstance(data.get("u"), list)):
        return None
    return data


def known_device(user_id: int | None) -> str | None:
    """The device id of this browser when it signed in to `user_id` before (the signed device cookie)."""
    data = _device_cookie()
    if user_id is None or data is None or user_id not in data["u"]:
        return None
    return data["d"]


def remember_device(response, user_id: int):
    """After a successful sign-in: this browser is a known device of `user_id` from now on."""
    data = _device_cookie() or {"d": secrets.token_urlsafe(16), "u": []}
    users = [u for u in data["u"] if isinstance(u, int) and u != user_id][-(DEVICE_ACCOUNTS - 1):] + [user_id]
    response.set_cookie(DEVICE_COOKIE, _device_serializer().dumps({"d": data["d"], "u": users}),
                        max_age=DEVICE_AGE, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/")
    return response


def throttle_enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def login_keys(session, login_text: str, user_id: int | None):
    """The throttle keys of this login attempt (models.accounts.throttle.keys_for)."""
    from models.accounts.sessions import known_address
    from models.accounts.throttle import keys_for

    address = request.remote_addr
    device = known_device(user_id)
    known = device is not None or (user_id is not None and known_address(session, user_id, address))
    return keys_for(login_key(login_text), address, device=device, known=known)


def init_rate_limits(server: Flask, views: dict) -> Limiter:
    """Wrap the account views (name -> function) in their limits and register the refusal page."""
    storage = settings_of(server).ratelimit_storage
    # Redis down or paused: count in this process's memory instead (limits stay, per worker) and never
    # fail the request (swallow_errors) — nobody is locked out of signing in because Redis is.
    redis_options = ({"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
                     if storage.startswith("redis") else {})
    limiter = Limiter(get_remote_address, app=server, storage_uri=storage, storage_options=redis_options,
                      in_memory_fallback_enabled=True, swallow_errors=True,
                      key_prefix=server.config.get("RATELIMIT_KEY_PREFIX", "hamyar"))
    # Failed logins per account are the login throttle's (dash_app.views.login_post), never a hard lock here.
    views["login_post"] = limiter.limit(LOGIN_PER_ADDRESS, scope="login-address")(views["login_post"])
    views["register_post"] = limiter.limit(REGISTER_PER_ADDRESS, scope="register-address")(views["register_post"])
    views["reset_post"] = limiter.limit(RESET_PER_ADDRESS, scope="reset-address")(views["reset_post"])
    # Changing one's password checks the current one: as many tries as a reset (scrypt work per attempt).
    views["change_password_post"] = limiter.limit(RESET_PER_ADDRESS, scope="password-address")(
        views["change_password_post"])

    # The limits above hold the limiter weakly; flask-limiter keeps it in app.extensions only while it is
    # enabled, so with RATELIMIT_ENABLED=False it was collected and every login failed. Keep it here.
    server.extensions["hamyar_limiter"] = limiter

    @server.errorhandler(429)
    def _too_many(_exc):
        if request.path == "/uploads":  # the file picker's script shows the sentence under the picker
            from dash_app.i18n import error_message

            return {"error": "upload_too_many", "message": error_message("upload_too_many")}, 429
        if request.path == "/account/password":
            return redirect("/account?error=too_many_attempts", code=303)
        form = request.path if request.path in ("/register", "/login", "/reset") else "/login"
        back = f"{quote(form)}?error=too_many_attempts"
        if form == "/reset":  # the link's token came in the body; it goes back in the fragment only
            back += "#" + quote(request.form.get("token", "")[:64], safe="")
        return redirect(back, code=303)

    return limiter


# Guessing a national code and birth year (the register's claim form, voting without an account) is bounded
# per address like registrations (issue 23); each attempt counts, right or wrong.
RESIDENT_PER_ADDRESS = "10 per minute;50 per hour"


def resident_attempt_allowed(scope: str) -> bool:
    """Count one attempt of this address at `scope` (inside a request); False once over RESIDENT_PER_ADDRESS."""
    from limits import parse_many

    limiter = current_app.extensions.get("hamyar_limiter")
    if limiter is None or not throttle_enabled():
        return True
    try:
        return all(limiter.limiter.hit(item, "resident", scope, request.remote_addr or "")
                   for item in parse_many(RESIDENT_PER_ADDRESS))
    except Exception:  # noqa: BLE001 - the storage is down: never lock people out because Redis is
        return True
