"""The audit log's anchor as a card: the newest anchored event, its hash and Jalali date, whether it
still holds (issue 18 item 1). Shown by the public transparency page and the governorate's dashboard.

Imports dash, dbc, flask and models.audit; texts through dash_app.i18n.
"""
from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import html
from flask import current_app

from dash_app.db import get_db
from dash_app.i18n import _, _l, format_datetime, format_number, localise_digits
from models.audit.anchors import Anchor, AnchorStatus, anchor_if_stale, anchor_status

REASONS = {
    "manual": _l("written by an operator"),
    "daily": _l("daily anchor"),
    "matching.finished": _l("after a matching run"),
    "matching.failed": _l("after a matching run that failed"),
    "pb_cycle.results_published": _l("after participatory-budgeting results were published"),
    "database.restored": _l("after a backup was restored"),
    "demo.seeded": _l("after the demo data were loaded"),
}


def reason_label(reason: str) -> str:
    label = REASONS.get(reason)
    return str(label) if label is not None else reason


def current_status() -> AnchorStatus:
    """The anchors as the pages show them; a day without an anchor gets one now (at most one a day)."""
    from dash_app.settings import settings_of

    db = get_db()
    try:
        anchor_if_stale(db)
    except OSError:  # an unwritable anchor file: show what there is (the page says how old it is)
        pass
    return anchor_status(db, settings_of(current_app).anchor_file)


def anchored_when(anchor: Anchor, lang: str) -> str:
    return format_datetime(datetime.fromisoformat(anchor.anchored_at), lang)


def hash_text(value: str, cut: int | None = None) -> html.Code:
    """A hash as it is written (Latin hex, left to right, whatever the page's direction)."""
    return html.Code(value[:cut] + "…" if cut else value, dir="ltr", className="text-break")


def anchor_card(status: AnchorStatus, lang: str, *, card_id: str) -> dbc.Card:
    latest = status.latest
    if latest is None:
        body = [html.P(_("No anchor has been written yet."), className="mb-0")]
    else:
        badge = (dbc.Badge(_("Still in the audit log"), color="success", className="ms-2") if status.holds else
                 dbc.Badge(_("Not in the audit log as anchored: the log must be checked"), color="danger",
                           className="ms-2"))
        body = [
            html.P([_("Newest anchored event: number %(id)s", id=localise_digits(latest.event_id, lang)), badge]),
            html.P(_("Anchored on %(when)s (%(why)s).", when=anchored_when(latest, lang),
                     why=reason_label(latest.reason))),
            html.P([_("Its hash: "), hash_text(latest.hash)], className="small"),
            html.P(_("Events written since: %(n)s", n=format_number(status.events_since, lang)),
                   className="mb-0 text-muted"),
        ]
    return dbc.Card([dbc.CardHeader(_("Audit log anchor")), dbc.CardBody(body)], id=card_id, className="mb-3")


__all__ = ["anchor_card", "anchored_when", "current_status", "hash_text", "reason_label"]
