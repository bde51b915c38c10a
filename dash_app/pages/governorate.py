"""The governorate's dashboard (placeholder until its own issue): staff only.

Imports dash, dbc, sqlalchemy, models and dash_app.
"""
from __future__ import annotations

from dash import Input, Output, html
from sqlalchemy import func, select

from dash_app import ids
from dash_app.auth import GOVERNORATE, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, format_number
from dash_app.layout import icon, page
from models import Pledge, Project, Table, User


@page(__name__, path="/governorate", title=_l("Governorate"), roles={GOVERNORATE}, nav=True, order=50,
      icon="bank")
def layout(**_kw):
    return html.Section([
        html.H1(_("Governorate dashboard"), className="h3 mb-3"),
        html.P(_("The full dashboard comes soon. For now, the counts of what Hamyar holds:")),
        html.Button([icon("arrow-clockwise", "me-1"), _("Refresh counts")], id=ids.GOV_REFRESH,
                    className="btn btn-primary mb-3", n_clicks=0),
        html.Div(id=ids.GOV_COUNTS, **{"aria-live": "polite"}),
    ])


@secured_callback(Output(ids.GOV_COUNTS, "children"), Input(ids.GOV_REFRESH, "n_clicks"),
                  roles={GOVERNORATE})
def refresh_counts(_n_clicks):
    with get_db().reader() as s:
        counts = [
            (_("People"), s.scalar(select(func.count()).select_from(User))),
            (_("Tables"), s.scalar(select(func.count()).select_from(Table))),
            (_("Projects"), s.scalar(select(func.count()).select_from(Project))),
            (_("Pledges"), s.scalar(select(func.count()).select_from(Pledge))),
        ]
    return html.Dl([item for label, n in counts for item in (html.Dt(label), html.Dd(format_number(n or 0)))],
                   className="row")
