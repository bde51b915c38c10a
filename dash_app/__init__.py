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
{kw.get("config", "")}
{kw.get("scripts", "")}
{vendor.body_scripts(prefix)}
{kw.get("renderer", "")}
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

    from dash_app import auth, background, cache, delivery, i18n, layout, views

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
    from models.audit.keys import configure as configure_audit

    configure_audit(server.extensions[EXTENSION_KEY], settings.audit_config())  # keyed chain, anchors (issue 18)
    server.extensions[cache.EXTENSION_KEY] = cache.make_cache(settings)
    from dash_app import encoding, render_cache  # public renders, keyed by the same generation (issue 19)

    encoding.install()  # Dash's answers through orjson (dash_app/encoding.py), when it is installed

    server.extensions[render_cache.EXTENSION_KEY] = render_cache.make_render_cache(
        server.extensions[cache.EXTENSION_KEY],
        float(server.config.get("RENDER_STALE_SECONDS", render_cache.DEFAULT_STALE_SECONDS)))

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
        on_error=on_callback_error,
    )
    _import_pages()
    app.layout = layout.shell
    auth.init_auth(server, app)
    views.init_views(server)
    from dash_app import code_views, messaging

    messaging.init_messaging(server)     # code and unsubscribe keys, transports, receipt webhook (issue 23)
    code_views.init_code_views(server)   # sign up, sign in, forgot password by one-time code
    from dash_app import account_views

    account_views.init_account_views(server)   # /account: delete my account, confirm an e-mail address
    from dash_app.api import init_api

    init_api(server)  # the public open-data API at /api (issue 22), limited by the views' rate limiter
    delivery.init_delivery(server, app.config.requests_pathname_prefix + "assets/")
    auth.install_callbacks(app)
    server.extensions["hamyar_dash"] = app

    _security_headers(server, app)
    _error_pages(server, app)
    from dash_app import auto_match

    auto_match.start(server)  # tables' automatic matching, once a minute (issue 16 item 6)
    messaging.start(server)   # the outbox: dispatch notifications, send SMS and e-mail, daily digests

    missing = vendor.missing_assets()
    if missing:
        log.warning(vendor.missing_assets_message(missing))
    _dash_first_request_now(server)
    return server


def _dash_first_request_now(server: Flask) -> None:
    """Run Dash's first-request set-up here, before any thread serves.

    Dash does it in two before_request hooks (its `_setup_server`, and the Pages router registering its
    callbacks), each behind a flag it checks and then sets. A worker's first requests arrive together
    (gunicorn gthread, a browser's parallel fetches): one thread registered the router's callbacks while
    another iterated the callbacks in `_setup_server` ("dictionary changed size during iteration", a 500
    on the load benchmark's first health check), or answered before the set-up had finished. Run now,
    once, the flags make the hooks return at once on every request after.
    """
    hooks = [f for f in server.before_request_funcs.get(None, []) if getattr(f, "__module__", "") == "dash.dash"]
    with server.test_request_context("/"):
        for hook in hooks:
            hook()


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
        _private_headers(server, response)
        return response


# Files that are the same for everyone (the browser may keep them); every other answer to a signed-in
# request holds that person's data and is never stored by the browser or a proxy (issue 18 item 13).
_SHARED_PREFIXES = ("/assets/", "/_dash-component-suites/", "/favicon.ico",
                    "/api")  # the open data: the same for everyone, never personal (dash_app.api)


def _private_headers(server: Flask, response) -> None:
    from flask import session

    from dash_app.settings import settings_of

    if settings_of(server).https:  # behind TLS: browsers never try plain HTTP again for a year
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    remember = server.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    signed_in = session.get("_user_id") is not None or bool(request.cookies.get(remember))
    if signed_in and not request.path.startswith(_SHARED_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Pragma", "no-cache")


# --- failures: a sentence, never a bare 500 (issue 15 item 5) ---------------------------------------


def _expected(exc: BaseException) -> bool:
    """Refusals with their own answer (a 4xx with its reason; a permission refused: 401/403): not failures."""
    from werkzeug.exceptions import HTTPException

    from models.core.errors import PermissionDenied

    return isinstance(exc, (HTTPException, PermissionDenied))


def _page_address() -> str | None:
    """The address of the page a callback was fired from (Dash Pages' location among its inputs)."""
    from dash import ctx

    from dash_app.ui import ids

    parts = {}
    for item in list(ctx.inputs_list or []) + list(ctx.states_list or []):
        if isinstance(item, dict) and item.get("id") == ids.PAGES_LOCATION and isinstance(item.get("value"), str):
            parts[item.get("property")] = item["value"]
    path = parts.get("pathname")
    return f"{path}{parts.get('search') or ''}" if path and path.startswith("/") and not path.startswith("//") else None


def on_callback_error(exc: Exception) -> Any:
    """Dash's on_error for every callback: a callback that fails (database gone, a timeout, any bug)
    shows the translated sentence in the shell's failure region (dash_app.ui.alerts) and keeps every
    output as it was; the page router shows the error page instead of a blank page. Refusals
    (4xx, a domain rule broken by a crafted request) are raised on as before."""
    from dash import ctx, no_update, set_props

    from dash_app.ui import ids
    from dash_app.ui.alerts import error_page, failure_props

    if _expected(exc):
        raise exc
    log.error("callback failed", exc_info=exc)
    _language_without_database()
    set_props(ids.CALLBACK_ERROR, failure_props(exc))
    outputs = ctx.outputs_list if isinstance(ctx.outputs_list, list) else [ctx.outputs_list]
    if any(isinstance(o, dict) and o.get("id") == ids.PAGES_CONTENT for o in outputs):
        from dash_app.i18n import current_language

        page_now = error_page(current_language(), again=_page_address())
        return [page_now if isinstance(o, dict) and o.get("id") == ids.PAGES_CONTENT else no_update
                for o in outputs]
    return None


def _language_without_database() -> None:
    """Fix the request's language from the cookie when reading the signed-in user could fail (the
    database is what failed): flask-babel then never asks flask-login, which would ask the database."""
    from flask import g

    from dash_app.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGES

    if g.get("hamyar_language") not in LANGUAGES:
        lang = request.cookies.get(LANGUAGE_COOKIE)
        g.hamyar_language = lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _error_pages(server: Flask, app: dash.Dash) -> None:
    """Unhandled exceptions (outside callbacks too: the sign-in check, the layout, a view) get a
    Persian/English page that says what to do; a callback request gets the sentence in the failure
    region (a Dash answer that changes nothing else), /_dash-layout an error layout."""
    from flask import jsonify

    update_path = app.config.routes_pathname_prefix + "_dash-update-component"
    layout_path = app.config.routes_pathname_prefix + "_dash-layout"

    @server.errorhandler(Exception)
    def _unhandled(exc: Exception):
        from dash._utils import to_json
        from flask_babel import force_locale
        from werkzeug.exceptions import HTTPException

        from dash_app.i18n import _, current_language, direction
        from dash_app.ui import ids
        from dash_app.ui.alerts import error_page, failure_props

        if _expected(exc):
            if isinstance(exc, HTTPException):
                return exc  # werkzeug's own answer (abort(4xx) with its reason)
            raise exc
        log.error("unhandled exception on %s %s", request.method, request.path, exc_info=exc)
        _language_without_database()
        if request.path == update_path:
            return jsonify({"multi": True, "response": {}, "sideUpdate": {ids.CALLBACK_ERROR: failure_props(exc)}})
        lang = current_language()
        if request.path == layout_path:
            return server.response_class(to_json(error_page(lang)), status=500, mimetype="application/json")
        other = "en" if lang == "fa" else "fa"
        again = request.full_path.rstrip("?")
        with force_locale(other):
            second = error_page(other, again=again)
        first = error_page(lang, again=again)
        prefix = app.config.requests_pathname_prefix + "assets/"
        body = f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(_("Something went wrong on our side"))} · {escape(_("Hamyar"))}</title>
{vendor.head_tags(prefix, direction(lang))}
</head>
<body>
<main class="container py-4" style="max-width: 40rem">
{_static_html(first)}
<hr>
<div dir="{direction(other)}">{_static_html(second)}</div>
</main>
</body>
</html>"""
        return server.response_class(body, status=500, mimetype="text/html")


def _static_html(component: Any) -> str:
    """A small tree of dash.html components as plain HTML (the error page is served without Dash)."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return escape(str(component))
    if isinstance(component, (list, tuple)):
        return "".join(_static_html(c) for c in component)
    tag = type(component).__name__.lower()
    attrs = []
    for prop, name in (("id", "id"), ("className", "class"), ("href", "href"), ("lang", "lang")):
        value = getattr(component, prop, None)
        if value:
            attrs.append(f'{name}="{escape(str(value))}"')
    inner = _static_html(getattr(component, "children", None))
    return f"<{tag}{' ' if attrs else ''}{' '.join(attrs)}>{inner}</{tag}>"

