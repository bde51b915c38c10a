"""The 404 page; Dash Pages shows the module named `not_found_404` for any unknown path.

Imports dash and dash_app.
"""
from __future__ import annotations

from dash import html

from dash_app.auth import ANYONE
from dash_app.i18n import _, _l
from dash_app.layout import icon, page


@page(__name__, path="/404", title=_l("Page not found"), roles={ANYONE})
def layout(**_kw):
    return html.Section([
        html.H1([icon("signpost-split", "me-2"), _("Page not found")], className="h3"),
        html.P(_("There is no page at this address.")),
        html.A(_("Back to the home page"), href="/", className="btn btn-primary"),
    ], className="py-5 text-center")
