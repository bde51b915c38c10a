"""The county map of /equity: each district drawn as a cell, from shapes and points shipped with the app (no tile
server, nothing fetched).

Imports plotly and dash_app only. A district's position is its own point in the demo's facts, else the mean of
its cities' and rural districts' points, else the approximate point in geo/amol_county.json (said so on the
page). The cells are the Voronoi cells of those positions (every place nearer to one district's position than to
any other's) clipped to the county's simple outline, also in that file: a drawing of "roughly where", never the
districts' legal borders, which Hamyar does not ship. The computation is plane geometry on a local projection
(longitude scaled by the cosine of the county's latitude), good enough at a county's size.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import plotly.graph_objects as go

from dash_app.ui.charts import FONT_FAMILY, chart_text, figure_layout

GEO_FILE = Path(__file__).with_name("geo") / "amol_county.json"
Point = tuple[float, float]          # (lon, lat)
NO_VALUE = "#d5d8dc"                 # a cell without the measure (no census figure)
BEHIND = "#c0392b"
# Light to dark blue: a higher value reads as more (colour-blind safe, printable in grey).
SCALE = ((0.0, (222, 235, 247)), (0.5, (107, 174, 214)), (1.0, (8, 69, 148)))


@cache
def geo() -> dict:
    return json.loads(GEO_FILE.read_text(encoding="utf-8"))


def outline() -> list[Point]:
    return [(float(x), float(y)) for x, y in geo()["outline_lon_lat"]]


@dataclass(frozen=True)
class Place:
    """What the map needs of a District row."""

    district_id: int
    slug: str
    level: str                       # "district", "city", "rural"
    parent_id: int | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class Position:
    lon: float
    lat: float
    how: str                         # "own", "mean" (of its cities and rural districts), "approximate"


def positions(places: Sequence[Place]) -> dict[int, Position]:
    """district id -> where the map puts it; a district with no point at all and no shipped one is left out."""
    approximate = geo().get("approximate_points", {})
    out: dict[int, Position] = {}
    for d in places:
        if d.level != "district":
            continue
        if d.lat is not None and d.lon is not None:
            out[d.district_id] = Position(d.lon, d.lat, "own")
            continue
        inside = [(c.lon, c.lat) for c in places
                  if c.parent_id == d.district_id and c.lat is not None and c.lon is not None]
        if inside:
            out[d.district_id] = Position(sum(p[0] for p in inside) / len(inside),
                                          sum(p[1] for p in inside) / len(inside), "mean")
        elif d.slug in approximate:
            lat, lon = approximate[d.slug]["lat_lon"]
            out[d.district_id] = Position(float(lon), float(lat), "approximate")
    return out


def _project(p: Point, lat0: float) -> Point:
    return p[0] * math.cos(math.radians(lat0)), p[1]


def _clip(polygon: list[Point], keep: Callable[[Point], float]) -> list[Point]:
    """Sutherland-Hodgman: the part of `polygon` where keep(p) <= 0 (keep is affine: a half-plane)."""
    out: list[Point] = []
    for i, cur in enumerate(polygon):
        prev = polygon[i - 1]
        fc, fp = keep(cur), keep(prev)
        if (fc <= 0) != (fp <= 0):
            t = fp / (fp - fc)
            out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
        if fc <= 0:
            out.append(cur)
    return out


def cells(sites: dict[int, Point], boundary: list[Point]) -> dict[int, list[Point]]:
    """Each site's Voronoi cell inside `boundary` (lon/lat in, lon/lat out)."""
    if not sites:
        return {}
    lat0 = sum(p[1] for p in boundary) / len(boundary)
    flat = {k: _project(p, lat0) for k, p in sites.items()}
    scale = math.cos(math.radians(lat0))
    out = {}
    for k, (sx, sy) in flat.items():
        poly = [_project(p, lat0) for p in boundary]
        for j, (tx, ty) in flat.items():
            if j == k or (tx, ty) == (sx, sy):
                continue
            mx, my = (sx + tx) / 2, (sy + ty) / 2

            def nearer(p: Point, mx=mx, my=my, dx=tx - sx, dy=ty - sy) -> float:
                return (p[0] - mx) * dx + (p[1] - my) * dy
            poly = _clip(poly, nearer)
            if not poly:
                break
        out[k] = [(x / scale, y) for x, y in poly]
    return out


def centroid(polygon: list[Point]) -> Point:
    """The area centroid (the label's place); the mean of the vertices for a degenerate polygon."""
    a = cx = cy = 0.0
    for i, (x1, y1) in enumerate(polygon):
        x2, y2 = polygon[(i + 1) % len(polygon)]
        cross = x1 * y2 - x2 * y1
        a += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(a) < 1e-12:
        return sum(p[0] for p in polygon) / len(polygon), sum(p[1] for p in polygon) / len(polygon)
    return cx / (3 * a), cy / (3 * a)


def colour(share: float) -> str:
    """The scale's colour at `share` (0..1)."""
    share = max(0.0, min(1.0, share))
    for (s0, c0), (s1, c1) in zip(SCALE, SCALE[1:]):
        if share <= s1:
            t = (share - s0) / (s1 - s0)
            return "rgb({},{},{})".format(*(round(a + t * (b - a)) for a, b in zip(c0, c1)))
    return "rgb({},{},{})".format(*SCALE[-1][1])


@dataclass(frozen=True)
class Cell:
    district_id: int
    number: str                      # its number on the map and in the key, in the page's digits
    label: str                       # the district's name in the page's language
    value: float | None              # the chosen measure, None without it
    value_text: str                  # the value as the page writes it (the language's digits)
    behind: bool


def fills(shown: Sequence[Cell]) -> dict[int, str]:
    """Each cell's colour: the scale from the lowest to the highest value shown, grey without a value."""
    values = [c.value for c in shown if c.value is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    return {c.district_id: NO_VALUE if c.value is None else
            colour((c.value - low) / (high - low) if high > low else 1.0) for c in shown}


def _dark(fill: str) -> bool:
    if not fill.startswith("rgb("):
        return False
    r, g, b = (int(v) for v in fill[4:-1].split(","))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def map_figure(shown: Sequence[Cell], where: dict[int, Position], lang: str, *, county_label: str) -> go.Figure:
    """The districts as coloured cells inside the county's outline, each marked with its number (the key under
    the map names it, with its value); a district far behind has a thick red border and a warning sign. Never
    mirrored in Persian: a map keeps north up and east right in either language."""
    boundary = outline()
    sites = {c.district_id: (where[c.district_id].lon, where[c.district_id].lat) for c in shown
             if c.district_id in where}
    polys = cells(sites, boundary)
    colours = fills(shown)
    fig = go.Figure(go.Scatter(x=[p[0] for p in boundary + boundary[:1]], y=[p[1] for p in boundary + boundary[:1]],
                               mode="lines", line={"color": "#555", "width": 1.5}, hoverinfo="skip",
                               name=chart_text(county_label)))
    marks_x, marks_y, marks, hover, colours_of_text = [], [], [], [], []
    for c in shown:
        poly = polys.get(c.district_id)
        if not poly:
            continue
        fill = colours[c.district_id]
        text = chart_text(f"{c.label}: {c.value_text}")
        fig.add_trace(go.Scatter(
            x=[p[0] for p in poly + poly[:1]], y=[p[1] for p in poly + poly[:1]], mode="lines", fill="toself",
            fillcolor=fill, line={"color": BEHIND if c.behind else "#ffffff", "width": 4 if c.behind else 1.5},
            hoverinfo="text", hovertext=text, name=chart_text(c.label), showlegend=False))
        x, y = centroid(poly)
        marks_x.append(x)
        marks_y.append(y)
        marks.append(f"<b>{chart_text(c.number)}</b>" + (" ⚠" if c.behind else ""))
        hover.append(text)
        colours_of_text.append("#ffffff" if _dark(fill) else "#1b1b1b")
    fig.add_trace(go.Scatter(x=marks_x, y=marks_y, mode="text", text=marks, hovertext=hover, hoverinfo="text",
                             textfont={"family": FONT_FAMILY, "size": 15, "color": colours_of_text},
                             showlegend=False))
    layout = figure_layout(lang)
    layout["margin"] = {"l": 4, "r": 4, "t": 4, "b": 4}
    fig.update_layout(**layout, height=420, autosize=True, showlegend=False, plot_bgcolor="white",
                      dragmode=False)
    lat0 = sum(p[1] for p in boundary) / len(boundary)
    fig.update_yaxes(scaleanchor="x", scaleratio=1 / math.cos(math.radians(lat0)), visible=False)
    fig.update_xaxes(visible=False)
    return fig


__all__ = ["Cell", "Place", "Position", "cells", "centroid", "colour", "fills", "geo", "map_figure", "outline",
           "positions"]
