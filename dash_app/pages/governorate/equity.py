"""/equity: who takes part and who benefits, per district and city (issue 22 item 4), with a map.

Imports dash, dbc, plotly, sqlalchemy and dash_app. The figures and their definitions are models.reporting.equity.
The map (dash_app.ui.county_map) draws each district as a cell coloured by the measure chosen in the address
(`?measure=`), inside a simple outline of the county shipped with the app; where the districts' positions come
from, and that the cells are not the legal borders, is said under it. The table becomes one card per place on a
phone, so no column runs off a 360 px screen.
"""
from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html
from sqlalchemy import select

from dash_app.auth import ANYONE
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_number
from dash_app.layout import page
from dash_app.ui import county_map
from models.core.enums import DistrictLevel
from models.orm.geo import District
from models.reporting.equity import PlaceEquity, behind_bar, equity

EQUITY_TABLE = "equity-table"
EQUITY_CARDS = "equity-cards"
EQUITY_MAP = "equity-map"
EQUITY_MEASURES = "equity-measures"
EQUITY_WARNING = "equity-warning"
EQUITY_MAP_NOTE = "equity-map-note"
EQUITY_KEY = "equity-key"
MEASURES = {
    "per_1000": _l("Participants per 1,000 residents"),
    "help": _l("Help received per resident (rials)"),
    "projects": _l("Projects"),
    "participants": _l("Participants"),
}
DEFAULT_MEASURE = "per_1000"


def _name(r: PlaceEquity, lang: str) -> str:
    return r.name_fa if lang == "fa" else r.name_en


def _rate(value: float | None, lang: str, decimals: int = 2) -> str:
    return format_number(value, lang, decimals=decimals) if value is not None else _("no census figure")


def measure_of(r: PlaceEquity, measure: str) -> float | None:
    return {"per_1000": r.per_1000, "help": r.help_per_resident, "projects": float(r.projects),
            "participants": float(r.participants)}[measure]


def _measure_text(value: float | None, measure: str, lang: str) -> str:
    if value is None:
        return _("no census figure")
    return format_number(value, lang, decimals={"per_1000": 2, "help": 0}.get(measure, 0))


def _places() -> list[county_map.Place]:
    with get_db().reader() as s:
        return [county_map.Place(d.id, d.slug, d.level.value, d.parent_id, d.lat, d.lon)
                for d in s.scalars(select(District).order_by(District.id))]


def map_cells(rows: list[PlaceEquity], lang: str, measure: str = DEFAULT_MEASURE) -> list[county_map.Cell]:
    districts = [r for r in rows if r.level is DistrictLevel.DISTRICT]
    return [county_map.Cell(r.district_id, format_number(n, lang), _name(r, lang), measure_of(r, measure),
                            _measure_text(measure_of(r, measure), measure, lang), r.behind)
            for n, r in enumerate(districts, start=1)]


def map_figure(rows: list[PlaceEquity], lang: str, measure: str = DEFAULT_MEASURE,
               places: list[county_map.Place] | None = None):
    """The districts as cells coloured by `measure`, numbered as in the key under the map."""
    where = county_map.positions(places if places is not None else [])
    return county_map.map_figure(map_cells(rows, lang, measure), where, lang, county_label=_("Amol County"))


def map_key(shown: list[county_map.Cell], where: dict[int, county_map.Position]) -> html.Ol:
    """The map's key: number, colour, name and value of each district, in the page's language and digits."""
    colours = county_map.fills(shown)
    return html.Ol([html.Li([
        html.Span(c.number, className="fw-bold me-1 ms-1"),
        html.Span(className="d-inline-block border rounded-1 align-middle me-1 ms-1",
                  style={"width": "1rem", "height": "1rem", "background": colours[c.district_id],
                         "borderColor": county_map.BEHIND if c.behind else "#999"}),
        html.Span(c.label, className="fw-semibold"), ": ", html.Span(c.value_text),
        html.Span(" ⚠ " + _("far behind"), className="text-danger fw-semibold") if c.behind else None,
        None if c.district_id in where else html.Span(" (" + _("not on the map") + ")", className="text-muted"),
    ], className="mb-1", **{"data-district": str(c.district_id)}) for c in shown],
        className="list-unstyled small mb-2", id=EQUITY_KEY)


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
    return html.Div(dbc.Table([head, body], size="sm", striped=True, id=EQUITY_TABLE, className="mb-0"),
                    className="d-none d-md-block")


def _cards(rows: list[PlaceEquity], lang: str) -> html.Div:
    """The table on a phone: one card per place, its figures as label and value that wrap."""
    def fact(label, value) -> html.Div:
        return html.Div([html.Dt(label, className="fw-normal text-body-secondary"), html.Dd(value, className="mb-0")],
                        className="d-flex justify-content-between gap-2 flex-wrap")

    cards = [html.Li([
        html.Div([_name(r, lang), html.Span(" ⚠ " + _("far behind"), className="text-danger") if r.behind else None],
                 className="fw-bold" if r.level is DistrictLevel.DISTRICT else "fw-semibold"),
        html.Dl([fact(_("Residents (2016)"), format_number(r.population, lang) if r.population
                      else _("no census figure")),
                 fact(_("Participants"), format_number(r.participants, lang)),
                 fact(_("Per 1,000 residents"), _rate(r.per_1000, lang)),
                 fact(_("Help received per resident (rials)"), _rate(r.help_per_resident, lang, 0)),
                 fact(_("Projects"), format_number(r.projects, lang))], className="small mb-0"),
    ], className="list-group-item" + (" list-group-item-danger" if r.behind else "")
       + (" ps-4" if r.level is DistrictLevel.CITY else ""), **{"data-place": r.slug}) for r in rows]
    return html.Ul(cards, className="list-group d-md-none", id=EQUITY_CARDS)


def _measure_links(measure: str) -> html.Nav:
    return html.Nav(html.Ul([html.Li(html.A(str(label), href="/equity?" + urlencode({"measure": key}),
                                              className="nav-link" + (" active" if key == measure else ""),
                                              **({"aria-current": "page"} if key == measure else {})),
                                     className="nav-item") for key, label in MEASURES.items()],
                            className="nav nav-pills flex-wrap gap-1 small"),
                    id=EQUITY_MEASURES, **{"aria-label": _("Colour the map by")})


def _map_note(rows: list[PlaceEquity], where: dict[int, county_map.Position], lang: str) -> html.Div:
    by_how: dict[str, list[str]] = {"own": [], "mean": [], "approximate": []}
    for r in rows:
        if r.level is DistrictLevel.DISTRICT and r.district_id in where:
            by_how[where[r.district_id].how].append(_name(r, lang))
    unplaced = [_name(r, lang) for r in rows if r.level is DistrictLevel.DISTRICT and r.district_id not in where]
    sep = "، " if lang == "fa" else ", "
    lines = [_("Each cell holds the places nearer to its district's point than to any other district's: roughly "
               "where the district is, not its legal border, which Hamyar does not ship. The county's outline is "
               "simplified from OpenStreetMap's boundary (© OpenStreetMap contributors, ODbL); no map tiles, "
               "nothing is fetched.")]
    if by_how["own"]:
        lines.append(_("Point from the census facts: %(names)s.", names=sep.join(by_how["own"])))
    if by_how["mean"]:
        lines.append(_("Mean of its cities' and rural districts' points: %(names)s.", names=sep.join(by_how["mean"])))
    if by_how["approximate"]:
        lines.append(_("No point in the facts, placed by hand (approximate): %(names)s.",
                       names=sep.join(by_how["approximate"])))
    if unplaced:
        lines.append(_("Without a point, not on the map: %(names)s.", names=sep.join(unplaced)))
    lines.append(_("Grey: no census figure for the measure. Red border and ⚠: far behind."))
    return html.Div([html.P(line, className="mb-1") for line in lines], className="small text-muted",
                    id=EQUITY_MAP_NOTE)


@page(__name__, path="/equity", title=_l("Who takes part"), roles={ANYONE}, nav=True,
      menu="results", order=30, icon="people-fill")
def layout(measure=None, **_kw):
    lang = current_language()
    measure = measure if measure in MEASURES else DEFAULT_MEASURE
    with get_db().reader() as s:
        rows = equity(s)
    places = _places()
    where = county_map.positions(places)
    districts = [r for r in rows if r.level is DistrictLevel.DISTRICT]
    cities = [r for r in rows if r.level is DistrictLevel.CITY]
    ordered = [x for d in districts for x in [d, *[c for c in cities if c.parent_id == d.district_id]]]
    bar = behind_bar(rows)
    behind = [r for r in districts if r.behind]
    return html.Article([
        html.H1(_("Who takes part and who benefits"), className="h2"),
        html.P(_("Participants are citizens with a pledge in the place; help received is what was accepted or "
                 "delivered for its projects. A district is far behind when its participants per 1,000 "
                 "residents are below half the median of the districts.")),
        dbc.Alert([html.Strong(_("Far behind: ")), "، ".join(_name(r, lang) for r in behind),
                   " (" + _("threshold") + ": " + _rate(bar, lang) + ")"], color="warning", id=EQUITY_WARNING)
        if behind else html.Div(id=EQUITY_WARNING),
        _table(ordered, lang),
        _cards(ordered, lang),
        html.H2(_("Map"), className="h4 mt-4"),
        _measure_links(measure),
        html.P(str(MEASURES[measure]), className="fw-semibold mt-2 mb-0"),
        html.Div([
            dcc.Graph(id=EQUITY_MAP, figure=map_figure(rows, lang, measure, places),
                      config={"displaylogo": False, "responsive": True, "displayModeBar": False,
                              "scrollZoom": False}, className="flex-grow-1", style={"minWidth": "16rem",
                                                                                   "maxWidth": "32rem"}),
            html.Div(map_key(map_cells(rows, lang, measure), where), className="pt-2", style={"minWidth": "14rem"}),
        ], className="d-flex flex-wrap gap-3 align-items-start"),
        _map_note(rows, where, lang),
    ])
