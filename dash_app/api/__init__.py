"""Hamyar's public, read-only open-data API (issue 22 items 5-6): /api/v1/… as JSON, its OpenAPI document at
/api/v1/openapi.json, bulk CSV/JSON files at /api/v1/bulk/…, and a plain documentation page at /api.

Imports flask, flask-limiter and models. `init_api(server)` registers one blueprint on the Dash app's Flask
server, after dash_app.views made the rate limiter (dash_app.ratelimit): every API request counts
against API_PER_ADDRESS per address. What the API publishes and why nothing personal is in it:
models.opendata. How to add a list: dash_app.api.resources.
"""
from __future__ import annotations

from flask import Blueprint, Flask, request, session

from dash_app.api import docs, http, routes

API_PER_ADDRESS = "120 per minute;3000 per hour"
EXTENSION_KEY = "hamyar_api"


def _blueprint() -> Blueprint:
    bp = Blueprint("api", __name__)
    routes.register(bp)
    bp.add_url_rule("/api", view_func=docs.page, methods=["GET"])
    # Anything else under /api is the API's own 404 (in JSON), not the Dash app's not-found page.
    bp.add_url_rule("/api/<path:_rest>", view_func=lambda _rest: http.error(404, "not_found"), methods=["GET"],
                    endpoint="unknown")

    @bp.errorhandler(routes.BadParameter)
    def _bad(exc: routes.BadParameter):
        return http.error(400, "bad_parameter", parameter=exc.name)

    @bp.errorhandler(429)
    def _limited(exc):
        response = http.error(429, "rate_limited")
        retry = getattr(exc, "retry_after", None)
        if retry:
            response.headers["Retry-After"] = str(int(retry))
        return response

    @bp.after_request
    def _public(response):
        # An answer a shared cache keeps must not carry anyone's cookie: whatever touched the session in this
        # request (Dash's first-request set-up renders the shell, which makes a CSRF token) is not saved.
        if request.path != "/api":
            session.modified = False
        return http.cors(response)

    return bp


def _method_not_allowed(exc):
    response = http.error(405, "method_not_allowed")
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return http.cors(response)


def _routing_errors(server: Flask) -> None:
    """A method or address the router refused under /api is answered in JSON (the router runs before any
    blueprint is known, so these are the app's handlers; elsewhere werkzeug's answer stays)."""
    def in_api() -> bool:
        return request.path == "/api" or request.path.startswith("/api/")

    @server.errorhandler(405)
    def _405(exc):
        return _method_not_allowed(exc) if in_api() else exc

    @server.errorhandler(404)
    def _404(exc):
        return http.cors(http.error(404, "not_found")) if in_api() else exc


def init_api(server: Flask) -> None:
    _routing_errors(server)
    bp = _blueprint()
    limiter = server.extensions.get("hamyar_limiter")
    if limiter is not None:
        limiter.shared_limit(API_PER_ADDRESS, scope="api-address")(bp)  # one budget for the whole API
    server.register_blueprint(bp)
    server.extensions[EXTENSION_KEY] = bp


__all__ = ["API_PER_ADDRESS", "init_api"]
