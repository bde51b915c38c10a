"""Hamyar's web app: `create_app(config)` builds the Flask server with the Dash app on it.

Imports dash, dbc, flask, flask-login, flask-babel and models; models never import this package.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
import secrets
from html import escape
from pathlib import Path
from typing import Any

import dash
from flask import Flask, request

from dash_app import assets as vendor
from dash_app.db import EXTENSION_KEY
from dash_app.settings import EXTENSION_KEY as SETTINGS_KEY
from dash_app.settings import Settings
from models.core.db import Database

__all__ = ["create_app"]

log = logging.getLogger(__name__)
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def _secret_key(settings: Settings) -> str:
    """The configured SECRET_KEY; in development a random key kept in the data folder (Settings
    refuses a missing key in production)."""
    if settings.secret_key:
        return settings.secret_key
    if settings.testing:
        return secrets.token_hex(32)
    path = settings.data_folder / "secret_key"
    try:
        if path.is_file():
            stored = path.read_text(encoding="ascii").strip()
            if stored:
                return stored
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key, encoding="ascii")
        path.chmod(0o600)
        return key
    except OSError as exc:
        log.warning("cannot keep a secret key in %s (%s); sessions end when the server stops", path, exc)
        return secrets.token_hex(32)


class HamyarDash(dash.Dash):
    """Dash whose index page carries the request's language, direction and offline stylesheets."""

    def interpolate_index(self, **kw: Any) -> str:
        from dash_app.auth import page_for_path
        from dash_app.i18n import _, current_language, direction

        lang = current_language()
        rtl = direction(lang)
        prefix = self.config.requests_pathname_prefix + "assets/"
        page = page_for_path(request.path) or {}
        title = page.get("title") or _("Hamyar")
        if callable(title):
            title = title()
        missing = vendor.missing_assets()
        banner = ""
        if missing:
            banner = (f'<div class="alert alert-danger m-0" role="alert" id="assets-missing">'
                      f"{escape(vendor.missing_assets_message(missing))}</div>")
        return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{rtl}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{kw.get("metas", "")}
<title>{escape(str(title))}</title>
{kw.get("favicon", "")}
{vendor.head_tags(prefix, rtl)}
{kw.get("css", "")}
</head>
<body>
{banner}
{kw.get("app_entry", "")}
<footer>
{kw.get("config", "")}
{kw.get("scripts", "")}
{vendor.body_scripts(prefix)}
{kw.get("renderer", "")}
</footer>
</body>
</html>"""


def _import_pages() -> None:
    import dash_app.pages as pages_pkg

    for info in sorted(pkgutil.walk_packages(pages_pkg.__path__, prefix="dash_app.pages."), key=lambda m: m.name):
        if not info.name.rsplit(".", 1)[-1].startswith("_"):
            importlib.import_module(info.name)


def create_app(config: dict[str, Any] | None = None, *, default_environment: str = "production") -> Flask:
    """The Flask server with Hamyar's Dash app on it.

    `config` holds any Flask setting and overrides Hamyar's environment variables of the same name
    (dash_app.settings reads them, once, here). The schema is not created here: `hamyar init-db`
    runs the migrations. The command line serves with default_environment="development".
    """
    from flask_babel import Babel

    from dash_app import auth, background, cache, i18n, layout, views

    config = dict(config or {})
    server = Flask("dash_app", static_folder=None)
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=60 * 60 * 24 * 30,
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT_LANGUAGE,
        BABEL_TRANSLATION_DIRECTORIES=i18n.compile_catalogues(TRANSLATIONS_DIR),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    settings = Settings.load(config, default_environment=default_environment)
    server.extensions[SETTINGS_KEY] = settings
    if settings.https:  # behind HTTPS: cookies never travel in clear text
        server.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    server.config.update(config)
    server.config["SECRET_KEY"] = _secret_key(settings)
    server.config["DATABASE_URL"] = settings.database_url
    server.extensions[EXTENSION_KEY] = Database(settings.database_url)
    server.extensions[cache.EXTENSION_KEY] = cache.make_cache(settings)

    Babel(server, locale_selector=i18n.select_language)

    app = HamyarDash(
        "dash_app",
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(vendor.ASSETS_DIR),
        assets_path_ignore=["vendor"],
        serve_locally=True,
        suppress_callback_exceptions=True,
        title="Hamyar",
        update_title=None,
        background_callback_manager=background.make_manager(server, settings),
    )
    _import_pages()
    app.layout = layout.shell
    auth.init_auth(server, app)
    views.init_views(server)
    auth.install_callbacks(app)
    server.extensions["hamyar_dash"] = app

    _security_headers(server, app)

    missing = vendor.missing_assets()
    if missing:
        log.warning(vendor.missing_assets_message(missing))
    return server


def content_security_policy(app: dash.Dash) -> str:
    """As strict as Dash allows: scripts only from this server plus the hashes of Dash's own inline
    scripts (the renderer start-up); inline styles are needed because Dash components and Plotly
    set style attributes; images and fonts may be data: URLs (Plotly, Bootstrap's icons in CSS)."""
    hashes = " ".join(app.csp_hashes())  # already quoted: 'sha256-…'
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {hashes}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _security_headers(server: Flask, app: dash.Dash) -> None:
    policy: dict[str, str] = {}

    @server.after_request
    def _headers(response):
        if "csp" not in policy:  # callbacks (and their inline hashes) are all registered by now
            policy["csp"] = content_security_policy(app)
        response.headers.setdefault("Content-Security-Policy", policy["csp"])
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
