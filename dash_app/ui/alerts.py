"""The small coloured messages callbacks answer with, and what a person sees when something fails.

Imports dash, dbc, sqlalchemy (to tell a database fault from the rest) and dash_app.i18n. `failure_region`
sits in the shell, fixed at the bottom of the screen, so wherever the person is on the page the sentence
is in front of them; dash_app.on_callback_error fills it for every callback (one mechanism, no page
code), and `error_page` is the page (and the /_dash-layout answer) for an unhandled exception.
"""
from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dash_app.i18n import _, error_message
from dash_app.ui import ids


def alert(message: Any, colour: str = "danger") -> html.Div:
    """A Bootstrap alert; good news is a polite status, anything else an alert."""
    return html.Div(message, className=f"alert alert-{colour} py-2 mb-2",
                    role="status" if colour == "success" else "alert")


def success(message: Any) -> html.Div:
    return alert(message, "success")


def error_alert(exc: Any, **params: Any) -> html.Div:
    """A domain error (or an error code) in the reader's words."""
    return alert(error_message(exc, **params), "danger")


def failure_kind(exc: BaseException) -> str:
    """"database", "timeout" or "other": which sentence a failure gets."""
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from models.core.db import DatabaseConfigError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # the cause chain (a page may wrap the fault)
        seen.add(id(current))
        if isinstance(current, (PoolTimeout, TimeoutError)) or "timeout" in type(current).__name__.lower() \
                or "statement timeout" in str(current) or "canceling statement" in str(current):
            return "timeout"
        if isinstance(current, (OperationalError, DBAPIError, DatabaseConfigError)):
            return "database"
        current = current.__cause__ or current.__context__
    return "other"


def failure_message(kind: str) -> str:
    """The sentence for a failed request, with what to do; pressing again is safe (forms are idempotent)."""
    if kind == "database":
        return _("The database is not answering right now, so this was not done. Please wait a minute and "
                 "press again; nothing will be saved twice.")
    if kind == "timeout":
        return _("This took too long and was stopped. Please wait a minute and press again; nothing will be "
                 "saved twice.")
    return _("Something went wrong on our side and this was not done. Please press again in a minute; if it "
             "keeps happening, tell the governorate's office.")


# Fixed at the bottom of the screen, over the page, wherever the person is.
FAILURE_STYLE = {"position": "fixed", "bottom": "1rem", "left": "1rem", "right": "1rem", "zIndex": 2000,
                 "maxWidth": "40rem", "marginInline": "auto"}


def failure_region() -> html.Div:
    """The shell's message for a failed callback: hidden until one fails, then at the bottom of the screen.
    Its data attributes carry the sentences the browser shows by itself when the server never answers
    (assets/hamyar-failures.js: a timeout, a proxy's 502/504)."""
    return html.Div(dbc.Alert("", id=ids.CALLBACK_ERROR, color="danger", is_open=False, dismissable=True,
                              className="shadow mb-0"),
                    id=f"{ids.CALLBACK_ERROR}-region", style=FAILURE_STYLE,
                    **{"data-timeout": failure_message("timeout"), "data-other": failure_message("other"),
                       "data-close": _("Close")})


def failure_props(exc: BaseException) -> dict:
    """The props of `failure_region` that show the sentence for `exc` (for set_props / a sideUpdate); a
    domain rule that no page caught is worded as itself."""
    from models.core.errors import DomainError

    text = error_message(exc) if isinstance(exc, DomainError) else failure_message(failure_kind(exc))
    return {"children": text, "is_open": True}


def error_page(lang: str, *, home: str = "/", again: str | None = None) -> html.Section:
    """The page for an unhandled exception: what happened, that nothing the person saved is lost, what to do."""
    steps = [_("Wait a minute, then reload this page."),
             _("If you were saving something, open “My contributions” (or the page you saved on) to see whether "
               "it was saved before you type it again."),
             _("If it keeps happening, tell the governorate's office the page's address and the time.")]
    links = [html.A(_("Try again"), href=again, className="btn btn-primary")] if again else []
    links.append(html.A(_("Home page"), href=home, className="btn btn-outline-primary"))
    return html.Section([
        html.H1(_("Something went wrong on our side"), className="h3"),
        html.P(_("Hamyar could not finish this request. It is not your fault, and what you saved before is safe.")),
        html.H2(_("What you can do"), className="h5"),
        html.Ol([html.Li(step) for step in steps]),
        html.Div(links, className="d-flex flex-wrap gap-2"),
    ], id="error-page", lang=lang, className="py-4")


__all__ = ["alert", "error_alert", "error_page", "failure_kind", "failure_message", "failure_props",
           "failure_region", "success"]
