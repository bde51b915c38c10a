"""Form pieces pages share: a labelled input, a field's error, the summary beside the button, the answer to
a crafted request.

Imports dash, dbc, flask and dash_app.i18n. Errors where people look (issue 20 items 1-2): a callback writes
the sentence into the field's `field_error` and a `button_error` beside the button that sent the form; the
page's script (assets/hamyar-forms.js) then marks each field whose error is not empty with aria-invalid,
aria-describedby and Bootstrap's is-invalid, and moves the focus to the first one (one mechanism for every
form: the pledge form, the table editor, /admin).
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


def field_error(error_id: str, field_id: str | None = None) -> html.Div:
    """Where a field's sentence goes (empty until a callback fills it); `field_id` is the input it is about."""
    extra = {"data-error-for": field_id} if field_id else {}
    return html.Div(id=error_id, className="invalid-feedback d-block", role="alert", **extra)


def labelled(label: str, field_id: str, control, hint: str | None = None, **attrs) -> html.Div:
    """A label, the control, an optional hint and the field's error place (the citizens' phone-first forms)."""
    return html.Div([dbc.Label(label, html_for=field_id), control,
                     html.Div(hint, className="form-text") if hint else None,
                     field_error(field_error_id(field_id), field_id)], className="mb-3", **attrs)


def button_error(message, field_id: str | None = None, label: str | None = None) -> html.Div:
    """The sentence again beside the button that was pressed, naming the field («Amount: …») so that a person
    who sees only the button (a phone) knows what to correct; `field_id` marks and focuses that field."""
    text = f"{label}: {message}" if label else message
    extra = {"data-error-for": field_id} if field_id else {}
    return html.Div(text, className="alert alert-danger py-2 mt-2 mb-2", role="alert", **extra)


def field_error_id(field_id: str) -> str:
    """The id of the error region under a field (`field_error(field_error_id(f), f)`)."""
    return f"{field_id}-error"


def show_at_field(field_ids, field_id: str | None, message: str) -> None:
    """From inside a callback: `message` under the field it names and nothing under the others (set_props, so
    a form needs no output per field)."""
    from dash import set_props

    for fid in field_ids:
        set_props(field_error_id(fid), {"children": message if fid == field_id else ""})


def refuse_forged(exc: DomainError):
    """Refuse a crafted request: 4xx with the reason in the user's language; nothing was changed."""
    abort(make_response(jsonify({"error": exc.code, "message": error_message(exc), "status": exc.http_status}),
                        exc.http_status))


__all__ = ["button_error", "field", "field_error", "field_error_id", "refuse_forged", "show_at_field"]
