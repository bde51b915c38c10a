"""The public transparency page (/transparency): where the audit log ends, published outside the database.

Imports dash, dbc and dash_app. Anyone may open it: the anchors are meant to be copied, so that a
shortened or rewritten log can be shown against them later (`hamyar audit verify --anchors`).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dash_app.auth import ANYONE
from dash_app.i18n import _, _l, current_language, localise_digits
from dash_app.layout import page
from dash_app.pages.shell import ids
from dash_app.ui.anchors import anchor_card, anchored_when, current_status, hash_text, reason_label


@page(__name__, path="/transparency", title=_l("Transparency"), roles={ANYONE}, nav=True, order=95,
      icon="shield-check")
def layout(**_kw):
    lang = current_language()
    status = current_status()
    rows = [html.Tr([html.Td(anchored_when(a, lang)), html.Td(localise_digits(a.event_id, lang)),
                     html.Td(hash_text(a.hash, 16)), html.Td(reason_label(a.reason))]) for a in status.recent]
    recent = (dbc.Table([html.Thead(html.Tr([html.Th(_("Anchored on")), html.Th(_("Event")), html.Th(_("Hash")),
                                             html.Th(_("Why"))])), html.Tbody(rows)],
                        size="sm", striped=True, responsive=True, id=ids.TRANSPARENCY_RECENT)
              if rows else html.Div(id=ids.TRANSPARENCY_RECENT))
    return html.Article([
        html.H1(_("Transparency"), className="h2"),
        html.P(_("Every change in Hamyar is written to an audit log in which each event is sealed together "
                 "with the one before it. Where the log ends is also written outside the database, at "
                 "least once a day and after every matching run and every publication of budgeting "
                 "results: this is the anchor. Copy it; if events were later deleted or rewritten, the "
                 "anchor would no longer be found in the log."), className="lead"),
        anchor_card(status, lang, card_id=ids.TRANSPARENCY_ANCHOR),
        html.H2(_("Recent anchors"), className="h4 mt-4"),
        recent,
        html.Section([
            html.H2(_("How to check"), className="h4 mt-4"),
            html.P(_("Whoever keeps the anchors (or the anchor file) can check the log against them with "
                     "this command; it names the first event that is missing, rewritten or forged:")),
            html.Pre(html.Code("hamyar audit verify --anchors audit-anchors.jsonl"), dir="ltr"),
        ], id=ids.TRANSPARENCY_HOWTO),
    ])
