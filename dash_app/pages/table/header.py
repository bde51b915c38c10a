"""A table page's header: its name, chair and term (the page draws it; a closed election redraws it).

Imports dash and dash_app only; registers no route and no callback.
"""
from __future__ import annotations

from dash import dcc, html

from dash_app.i18n import _, format_date
from dash_app.layout import icon
from dash_app.pages.table import ids
from dash_app.ui.names import name_in


def table_header(people, lang: str):
    term = None
    if people.chair_name:
        bits = [icon("person-badge", "me-1"), _("Chair: %(name)s", name=people.chair_name)]
        if people.term_end:
            bits += [" · ", _("term until %(date)s", date=format_date(people.term_end, long=True))]
        term = html.P(bits, className="mb-1")
    description = name_in(lang, people.description_fa, people.description_en)
    return html.Header([
        html.P(dcc.Link([icon("arrow-right" if lang == "fa" else "arrow-left", "me-1"), _("All tables")],
                        href="/tables"), className="small mb-1"),
        html.H1(name_in(lang, people.name_fa, people.name_en), className="h3 mb-1"),
        term or html.P(_("This table has no chair yet."), className="mb-1"),
        html.P(description, className="text-body-secondary") if description else None,
    ], id=ids.TABLE_HEADER, className="mb-3")
