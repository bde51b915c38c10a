"""Rate limits on the account forms, so passwords cannot be guessed at speed.

Imports flask and flask-limiter. Counters live in memory on a single server, in Redis when
REDIS_URL is set (every worker then shares them). Limits:
- per address: every login, registration or password-reset attempt counts (LOGIN_PER_ADDRESS,
  REGISTER_PER_ADDRESS, RESET_PER_ADDRESS);
- per login identifier: only failed attempts count (FAILED_PER_LOGIN), so a person who mistypes
  a few times is told to wait, while an attacker spreading guesses over addresses is still stopped.
A refused attempt comes back to the form with the message "too_many_attempts".
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Flask, redirect, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from dash_app.settings import REDIS_TIMEOUT, settings_of

LOGIN_PER_ADDRESS = "30 per minute;200 per hour"
REGISTER_PER_ADDRESS = "10 per minute;50 per hour"
# Reset tokens have 256 bits, so no limit is needed against guessing; this bounds the work one address
# causes (a lookup per attempt, and with a working link a 32 MiB scrypt hash).
RESET_PER_ADDRESS = "10 per minute;50 per hour"
FAILED_PER_LOGIN = "5 per minute;20 per hour"


def _login_key() -> str:
    from models.accounts.users import normalise_login

    text = request.form.get("login", "")
    try:
        kind, value = normalise_login(text)
    except Exception:  # noqa: BLE001 - an unreadable login is still a key
        value = text.strip().lower()[:254]
    return f"login:{value}"


def _is_reset(path: str) -> bool:
    return path.startswith("/reset/") and path.count("/") == 2


def _failed(response) -> bool:
    return "error=" in response.headers.get("Location", "")


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
    views["login_post"] = limiter.limit(FAILED_PER_LOGIN, key_func=_login_key, deduct_when=_failed,
                                        scope="login-account")(
        limiter.limit(LOGIN_PER_ADDRESS, scope="login-address")(views["login_post"]))
    views["register_post"] = limiter.limit(REGISTER_PER_ADDRESS, scope="register-address")(views["register_post"])
    views["reset_post"] = limiter.limit(RESET_PER_ADDRESS, scope="reset-address")(views["reset_post"])

    # The limits above hold the limiter weakly; flask-limiter keeps it in app.extensions only while it is
    # enabled, so with RATELIMIT_ENABLED=False it was collected and every login failed. Keep it here.
    server.extensions["hamyar_limiter"] = limiter

    @server.errorhandler(429)
    def _too_many(_exc):
        form = request.path if request.path in ("/register", "/login") or _is_reset(request.path) else "/login"
        return redirect(f"{quote(form)}?error=too_many_attempts", code=303)

    return limiter
