"""The outbox (/outbox, governorate): every SMS and e-mail Hamyar queued, its status, tries and delivery, newest
first, filtered by status, a page at a time (issue 23). With the development transport (the demo) nothing
leaves the machine and this page is where messages are read, one-time codes included; with a real transport
the codes are masked, so that staff cannot read anybody's sign-in code.

Imports dash, flask and dash_app; reads models.messaging.outbox.
"""
from __future__ import annotations

import math

from dash import dcc, html
from flask import current_app

from dash_app.auth import GOVERNORATE
from dash_app.db import get_db
from dash_app.i18n import _, _l, format_datetime, format_number, localise_digits, parse_int
from dash_app.layout import icon, page
from dash_app.messaging import shows_codes
from dash_app.settings import settings_of
from dash_app.ui import governorate_ids as ids
from dash_app.ui.messaging_labels import MEDIUM_LABEL, STATUS_LABEL
from dash_app.ui.pager import pager
from models.messaging.outbox import messages_page
from models.orm.outbox import STATUSES

PER_PAGE = 25
BADGE = {"queued": "text-bg-light border", "sending": "text-bg-info", "sent": "text-bg-success",
         "failed": "text-bg-warning", "dead": "text-bg-danger"}


def _href(status: str | None, page_no: int) -> str:
    parts = ([f"status={status}"] if status else []) + ([f"page={page_no}"] if page_no > 1 else [])
    return "/outbox" + ("?" + "&".join(parts) if parts else "")


def message_row(m, show_secret: bool) -> html.Tr:
    text = m.text if show_secret or not m.secret else _("(holds a one-time code: shown only in the demo)")
    return html.Tr([
        html.Td(localise_digits(m.id)),
        html.Td(format_datetime(m.created_at)),
        html.Td(str(MEDIUM_LABEL.get(m.channel, m.channel))),
        html.Td(html.Span(localise_digits(m.recipient), dir="ltr")),
        html.Td([html.Div(m.subject, className="fw-semibold") if m.subject else None,
                 html.Div(text, style={"whiteSpace": "pre-line", "overflowWrap": "anywhere"}, className="small")]),
        html.Td([html.Span(str(STATUS_LABEL.get(m.status, m.status)), className=f"badge {BADGE.get(m.status, '')}"),
                 html.Div(_("Delivered %(at)s", at=format_datetime(m.delivered_at)), className="small text-success")
                 if m.delivered_at else None,
                 html.Div(m.last_error, className="small text-danger", dir="ltr") if m.last_error else None]),
        html.Td(format_number(m.attempts)),
    ], **{"data-kind": m.kind, "data-status": m.status})


@page(__name__, path="/outbox", title=_l("Outbox"), roles={GOVERNORATE}, nav=False, order=57, icon="envelope")
def layout(status: str | None = None, page: str | None = None, **_kw):
    status = status if status in STATUSES else None
    page_no = max(1, parse_int(page) or 1)
    with get_db().reader() as s:
        rows, total = messages_page(s, status=status, page=page_no, per_page=PER_PAGE)
    pages = max(1, math.ceil(total / PER_PAGE))
    settings = settings_of(current_app)
    filters = [dcc.Link(_("All"), href=_href(None, 1),
                        className="btn btn-sm " + ("btn-primary" if status is None else "btn-outline-primary"))]
    filters += [dcc.Link(str(STATUS_LABEL[st]), href=_href(st, 1),
                         className="btn btn-sm " + ("btn-primary" if status == st else "btn-outline-primary"))
                for st in STATUSES]
    return html.Section([
        html.H1([icon("envelope", "me-2"), _("Outbox")], className="h3 mb-2"),
        html.P(_("Every SMS and e-mail Hamyar has queued: whether it went, how many tries it took, and the delivery "
                 "receipt. Failed messages are tried again after a growing wait; after %(n)s tries they are given "
                 "up.", n=format_number(6)), className="text-body-secondary"),
        html.P(_("Development transport: nothing leaves this machine; messages are read here."),
               className="alert alert-info py-2") if shows_codes(settings) else None,
        html.Div(filters, className="d-flex flex-wrap gap-1 mb-3", id=ids.OUTBOX_FILTERS),
        html.P(_("%(n)s messages", n=format_number(total)), className="small text-body-secondary"),
        html.Div(html.Table([
            html.Thead(html.Tr([html.Th(_("No.")), html.Th(_("Queued")), html.Th(_("Channel")),
                                html.Th(_("Recipient")), html.Th(_("Text")), html.Th(_("Status")),
                                html.Th(_("Tries"))])),
            html.Tbody([message_row(m, shows_codes(settings)) for m in rows]),
        ], className="table table-sm align-middle"), className="table-responsive", id=ids.OUTBOX_TABLE)
        if rows else html.P(_("No messages yet."), id=ids.OUTBOX_TABLE),
        pager(page_no, pages, lambda n: _href(status, n), id=ids.OUTBOX_PAGER, label=_("Pages of the outbox")),
    ])
