"""Form pieces pages share: a labelled input, and the answer to a crafted request.

Imports dash, dbc, flask and dash_app.i18n.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask import abort, jsonify, make_response

from dash_app.i18n import error_message
from models.core.errors import DomainError


def field(label: str, name: str, field_id: str, **kw) -> html.Div:
    """A label and an input posted as `name` (the account forms)."""
    return html.Div([
        dbc.Label(label, html_for=field_id, className="form-label"),
        dbc.Input(id=field_id, name=name, **kw),
    ], className="mb-3")


def refuse_forged(exc: DomainError):
    """Refuse a crafted request: 4xx with the reason in the user's language; nothing was changed."""
    abort(make_response(jsonify({"error": exc.code, "message": error_message(exc), "status": exc.http_status}),
                        exc.http_status))


__all__ = ["field", "refuse_forged"]
