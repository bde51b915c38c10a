"""The small coloured messages callbacks answer with.

Imports dash and dash_app.i18n.
"""
from __future__ import annotations

from typing import Any

from dash import html

from dash_app.i18n import error_message


def alert(message: Any, colour: str = "danger") -> html.Div:
    """A Bootstrap alert; good news is a polite status, anything else an alert."""
    return html.Div(message, className=f"alert alert-{colour} py-2 mb-2",
                    role="status" if colour == "success" else "alert")


def success(message: Any) -> html.Div:
    return alert(message, "success")


def error_alert(exc: Any, **params: Any) -> html.Div:
    """A domain error (or an error code) in the reader's words."""
    return alert(error_message(exc, **params), "danger")


__all__ = ["alert", "error_alert", "success"]
