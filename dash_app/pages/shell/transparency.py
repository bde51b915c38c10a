"""The public transparency page (/transparency): where the audit log ends, published outside the database.

Imports dash, dbc and dash_app. Anyone may open it: the anchors are meant to be copied, so that a
shortened or rewritten log can be shown against them later (`hamyar audit verify --anchors`).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dash_app.auth import ANYONE
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_number, localise_digits
from dash_app.layout import page
from dash_app.pages.shell import ids
from dash_app.ui.anchors import anchor_card, anchored_when, current_status, hash_text, reason_label


@page(__name__, path="/transparency", title=_l("Transparency"), roles={ANYONE}, nav=True, menu="results", order=95,
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
        *_open_data(lang),
    ])


def _open_data(lang: str) -> list:
    """The published budgeting files, the newest matching runs, and the open data (issue 22 item 6)."""
    from dash_app.api.resources import BULK_DATASETS, BULK_FORMATS
    from dash_app.api.routes import pb_files
    from models.opendata import queries

    with get_db().reader() as s:
        cycles = [queries.get_pb_cycle(s, cid) for cid in queries.published_cycle_ids(s)]
        runs = queries.latest_runs(s, 10)
    files = [html.Li([html.Span(c["name_fa"] if lang == "fa" else c["name_en"]), " — ",
                      *[html.A(f".pb {localise_digits(k + 1, lang)}", href=url, className="me-2", dir="ltr")
                        for k, url in enumerate(pb_files(c))]]) for c in cycles if c is not None]
    run_rows = [html.Tr([html.Td(localise_digits(r["id"], lang)),
                         html.Td(_("county-wide") if r["scope"] == "county" else _("one table")),
                         html.Td(_run_status(r["status"])),
                         html.Td(format_number(r["n_pledges"], lang)), html.Td(format_number(r["n_needs"], lang)),
                         html.Td(format_number(r["n_proposed"], lang)),
                         html.Td(format_number(r["seconds"], lang, decimals=1) if r["seconds"] is not None else "—")])
                for r in runs]
    bulk = [html.Li([html.Span(d, dir="ltr"), ": ",
                     *[html.A(fmt.upper(), href=f"/api/v1/bulk/{d}.{fmt}", className="me-2") for fmt in BULK_FORMATS]])
            for d in BULK_DATASETS]
    return [
        html.Section([
            html.H2(_("Participatory-budgeting results files"), className="h4 mt-4"),
            html.P(_("The anonymised ballots of every published cycle, in pabulib's .pb format, so that anyone can "
                     "count them again with any rule.")),
            html.Ul(files) if files else html.P(_("No cycle has published its results yet."), className="text-muted"),
        ], id=ids.TRANSPARENCY_PB_FILES),
        html.Section([
            html.H2(_("Matching runs"), className="h4 mt-4"),
            dbc.Table([html.Thead(html.Tr([html.Th(_("Run")), html.Th(_("Scope")), html.Th(_("Result")),
                                           html.Th(_("Pledges")), html.Th(_("Needs")), html.Th(_("Proposed")),
                                           html.Th(_("Seconds"))])), html.Tbody(run_rows)],
                      size="sm", striped=True, responsive=True) if run_rows
            else html.P(_("No matching run yet."), className="text-muted"),
        ], id=ids.TRANSPARENCY_RUNS),
        html.Section([
            html.H2(_("Open data"), className="h4 mt-4"),
            html.P([_("Everything public here can be read by programs through the open-data API: "),
                    html.A(_("its documentation"), href="/api"), " · ",
                    html.A("OpenAPI", href="/api/v1/openapi.json", dir="ltr")]),
            html.P(_("Whole datasets to download (the CSV files open in Excel with Persian intact):")),
            html.Ul(bulk),
            html.P(html.A(_("Who takes part and who benefits, by district"), href="/equity")),
        ], id=ids.TRANSPARENCY_OPEN_DATA),
    ]


def _run_status(status: str) -> str:
    return {"done": _("finished"), "failed": _("failed"), "running": _("running")}.get(status, status)
