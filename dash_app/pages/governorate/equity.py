"""/equity: who takes part and who benefits, per district and city (issue 22 item 4), with a map.

Imports dash, dbc, plotly and dash_app. The figures and their definitions are models.reporting.equity.
The map is honest about what Hamyar ships: no district shapes, only the points in the demo's facts (a
district without one takes its first city's point, and one without any is listed under the map); the
county is drawn as a circle of the county's area around its reference point, not its border.
"""
from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from dash_app.auth import ANYONE
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_number
from dash_app.layout import page
from dash_app.ui.charts import figure_layout
from models.core.enums import DistrictLevel
from models.reporting.equity import PlaceEquity, behind_bar, equity

COUNTY_AREA_KM2 = 4374          # Amol County, the demo facts' source S1
COUNTY_POINT = (36.15833, 52.35)
EQUITY_TABLE = "equity-table"
EQUITY_MAP = "equity-map"
EQUITY_WARNING = "equity-warning"


def _name(r: PlaceEquity, lang: str) -> str:
    return r.name_fa if lang == "fa" else r.name_en


def _rate(value: float | None, lang: str, decimals: int = 2) -> str:
    return format_number(value, lang, decimals=decimals) if value is not None else _("no census figure")


def _point(r: PlaceEquity, rows: list[PlaceEquity]) -> tuple[float, float] | None:
    if r.lat is not None and r.lon is not None:
        return r.lat, r.lon
    city = next((c for c in rows if c.parent_id == r.district_id and c.lat is not None and c.lon is not None), None)
    return (city.lat, city.lon) if city is not None and city.lat is not None and city.lon is not None else None


def map_figure(rows: list[PlaceEquity], lang: str) -> go.Figure:
    """Proportional symbols (area ~ participants) on longitude/latitude, inside the approximate county circle."""
    radius_km = math.sqrt(COUNTY_AREA_KM2 / math.pi)
    lat0, lon0 = COUNTY_POINT
    ring = [(lat0 + radius_km / 111 * math.sin(t / 30 * math.pi),
             lon0 + radius_km / (111 * math.cos(math.radians(lat0))) * math.cos(t / 30 * math.pi)) for t in range(61)]
    fig = go.Figure(go.Scatter(x=[p[1] for p in ring], y=[p[0] for p in ring], mode="lines", hoverinfo="skip",
                               line={"dash": "dot", "color": "#888"}, name=_("county (approximate circle)")))
    placed = [(r, _point(r, rows)) for r in rows if r.level is DistrictLevel.DISTRICT]
    placed = [(r, p) for r, p in placed if p is not None]
    top = max([r.participants for r, _p in placed] or [1]) or 1
    fig.add_trace(go.Scatter(
        x=[p[1] for _r, p in placed], y=[p[0] for _r, p in placed], mode="markers+text",
        text=[_name(r, lang) for r, _p in placed], textposition="top center",
        marker={"size": [8 + 40 * math.sqrt(r.participants / top) for r, _p in placed],
                "color": ["#c0392b" if r.behind else "#2e86c1" for r, _p in placed], "opacity": 0.7},
        hovertext=[f"{_name(r, lang)}: {format_number(r.participants, lang)}" for r, _p in placed],
        hoverinfo="text", name=_("participants")))
    fig.update_layout(**figure_layout(lang), height=360, showlegend=False)
    fig.update_yaxes(scaleanchor="x", scaleratio=1 / math.cos(math.radians(lat0)), showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    return fig


def _table(rows: list[PlaceEquity], lang: str):
    head = html.Thead(html.Tr([html.Th(_("Place")), html.Th(_("Residents (2016)")), html.Th(_("Participants")),
                               html.Th(_("Per 1,000 residents")), html.Th(_("Help received per resident (rials)")),
                               html.Th(_("Projects"))]))
    body = html.Tbody([html.Tr([
        html.Td([_name(r, lang), html.Span(" ⚠", title=_("far behind")) if r.behind else None],
                className="ps-3" if r.level is DistrictLevel.CITY else "fw-bold"),
        html.Td(format_number(r.population, lang) if r.population else _("no census figure")),
        html.Td(format_number(r.participants, lang)), html.Td(_rate(r.per_1000, lang)),
        html.Td(_rate(r.help_per_resident, lang, 0)), html.Td(format_number(r.projects, lang)),
    ], className="table-danger" if r.behind else None) for r in rows])
    return dbc.Table([head, body], size="sm", striped=True, responsive=True, id=EQUITY_TABLE)


@page(__name__, path="/equity", title=_l("Who takes part"), roles={ANYONE}, nav=True,
      menu="results", order=30, icon="people-fill")
def layout(**_kw):
    lang = current_language()
    with get_db().reader() as s:
        rows = equity(s)
    districts = [r for r in rows if r.level is DistrictLevel.DISTRICT]
    cities = [r for r in rows if r.level is DistrictLevel.CITY]
    ordered = [x for d in districts for x in [d, *[c for c in cities if c.parent_id == d.district_id]]]
    bar = behind_bar(rows)
    behind = [r for r in districts if r.behind]
    unplaced = [r for r in districts if _point(r, rows) is None]
    return html.Article([
        html.H1(_("Who takes part and who benefits"), className="h2"),
        html.P(_("Participants are citizens with a pledge in the place; help received is what was accepted or "
                 "delivered for its projects. A district is far behind when its participants per 1,000 "
                 "residents are below half the median of the districts.")),
        dbc.Alert([html.Strong(_("Far behind: ")), "، ".join(_name(r, lang) for r in behind),
                   " (" + _("threshold") + ": " + _rate(bar, lang) + ")"], color="warning", id=EQUITY_WARNING)
        if behind else html.Div(id=EQUITY_WARNING),
        _table(ordered, lang),
        html.H2(_("Map"), className="h4 mt-4"),
        html.P(_("Points, not borders: Hamyar ships no district shapes. The dotted circle has the county's area "
                 "around its reference point; it is not the county's border. A circle's area follows the "
                 "number of participants; red: far behind."), className="small text-muted"),
        dcc.Graph(id=EQUITY_MAP, figure=map_figure(rows, lang), config={"displaylogo": False, "responsive": True}),
        html.P([_("Without coordinates, not on the map: "), "، ".join(_name(r, lang) for r in unplaced)],
               className="small") if unplaced else None,
    ])
