"""The frame of a page about one thing (a citizen proposal, a request): the way back to its list, the thing's
id kept for the page's callbacks, the place their messages appear, and the body they redraw.

Imports dash and dash_app.i18n/layout.
"""
from __future__ import annotations

from collections.abc import Callable

from dash import dcc, html

from dash_app.i18n import parse_int
from dash_app.layout import icon


def url_id(value: object) -> int | None:
    """The id a URL names, or None: text over 11 characters is never parsed (no huge numbers, no work)."""
    return parse_int(value) if isinstance(value, str) and 0 < len(value) < 12 else None


def detail_page(lang: str, *, back: tuple[str, str], object_id: int | None, store_id: str, flash_id: str,
                body_id: str, body: Callable[[int], object], missing: str) -> html.Div:
    """`back` is (label, href) of the list; `body(object_id)` is drawn only when the URL named an id."""
    label, href = back
    return html.Div([
        dcc.Link([icon("arrow-right" if lang == "fa" else "arrow-left", "me-1"), label],
                 href=href, className="small d-inline-block mb-2"),
        dcc.Store(id=store_id, data=object_id),
        html.Div(id=flash_id, **{"aria-live": "polite"}),
        html.Div(body(object_id) if object_id else html.Div(missing, className="alert alert-warning"), id=body_id),
    ])
