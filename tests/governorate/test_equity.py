"""Equity figures (models.reporting.equity) on a small county computed by hand."""
from __future__ import annotations

import pytest

from models.audit.log import bypass_audit
from models.core.enums import DistrictLevel, HelpKind, ProjectKind, ProjectStatus
from models.orm.geo import District
from models.orm.people import User
from models.orm.pledges import Pledge
from models.orm.projects import Project
from models.orm.tables import Table
from models.reporting.equity import PlaceEquity, behind_bar, equity


def _county(s):
    bypass_audit(s, "equity fixture")
    county = District(slug="c", name_fa="ش", name_en="C", level=DistrictLevel.COUNTY, population_2016=200_000)
    s.add(county)
    s.flush()
    places = {}
    for slug, level, pop, parent in (("a", "district", 1000, county), ("b", "district", 4000, county),
                                     ("d", "district", None, county), ("e", "district", 100_000, county)):
        places[slug] = District(slug=slug, name_fa=slug, name_en=slug, level=DistrictLevel(level),
                                population_2016=pop, parent_id=parent.id)
        s.add(places[slug])
    s.flush()
    places["a1"] = District(slug="a1", name_fa="a1", name_en="a1", level=DistrictLevel.CITY, population_2016=600,
                            parent_id=places["a"].id)
    s.add(places["a1"])
    s.flush()
    people = []
    for k in range(8):
        people.append(User(name=f"p{k}", phone=f"+98912000000{k}", password_hash="x"))
    s.add_all(people)
    s.flush()
    for who, where, withdrawn in ((1, "a1", 0), (1, "a1", 0), (2, "a1", 0), (3, "a", 0), (4, "b", 0),
                                  (5, "e", 0), (6, "d", 0), (7, "b", 10)):
        s.add(Pledge(citizen_id=people[who].id, kind=HelpKind.EXECUTION, quantity=10, withdrawn_quantity=withdrawn,
                     district_id=places[where].id))
    table = Table(slug="t", name_fa="t", name_en="t", domain="health")
    s.add(table)
    s.flush()
    for where, status in (("a1", ProjectStatus.OPEN), ("b", ProjectStatus.DRAFT), ("b", ProjectStatus.OPEN)):
        s.add(Project(table_id=table.id, kind=ProjectKind.PROBLEM, title_fa="پ", status=status,
                      district_id=places[where].id))
    s.flush()


def test_equity_by_hand(db):
    with db.unit_of_work() as s:
        _county(s)
    with db.reader() as s:
        rows = {r.slug: r for r in equity(s)}
    assert set(rows) == {"a", "b", "d", "e", "a1"}
    # a: citizens 1, 2 (in its city a1) and 3 = 3 of 1,000 residents; citizen 1's two pledges count once.
    assert rows["a"].participants == 3 and rows["a"].per_1000 == pytest.approx(3.0)
    assert rows["a1"].participants == 2 and rows["a1"].per_1000 == pytest.approx(2 * 1000 / 600)
    # b: citizen 4 (citizen 7 withdrew all) of 4,000 = 0.25; e: 1 of 100,000 = 0.01; d has no census figure.
    assert rows["b"].participants == 1 and rows["b"].per_1000 == pytest.approx(0.25)
    assert rows["e"].per_1000 == pytest.approx(0.01)
    assert rows["d"].participants == 1 and rows["d"].per_1000 is None and not rows["d"].behind
    # The districts' median of 3.0, 0.25 and 0.01 is 0.25; half of it is 0.125: only e is far behind.
    assert behind_bar(list(rows.values())) == pytest.approx(0.125)
    assert [slug for slug, r in rows.items() if r.behind] == ["e"]
    # Published projects: the one in a1 counts for a1 and a; b's draft does not.
    assert (rows["a1"].projects, rows["a"].projects, rows["b"].projects, rows["e"].projects) == (1, 1, 1, 0)
    assert all(r.help_rials == 0 and (r.help_per_resident in (0, None)) for r in rows.values())


def test_equity_on_the_demo_names_no_guessed_census(demo_db):
    with demo_db.reader() as s:
        rows = {r.slug: r for r in equity(s)}
    assert rows["markazi"].population == 296_800 and rows["markazi"].participants > 0
    assert rows["markazi"].help_rials > 0 and rows["markazi"].projects > 0
    assert rows["larijan"].population is None and rows["larijan"].per_1000 is None


def _demo_places(db):
    from dash_app.ui import county_map

    with db.reader() as s:
        return [county_map.Place(d.id, d.slug, d.level.value, d.parent_id, d.lat, d.lon)
                for d in s.query(District).order_by(District.id)]


def test_every_district_gets_a_position_and_a_cell_inside_the_outline(demo_db):
    from dash_app.ui import county_map

    places = _demo_places(demo_db)
    slug = {p.district_id: p.slug for p in places}
    where = {slug[k]: v for k, v in county_map.positions(places).items()}
    assert set(where) == {"markazi", "emamzadeh-abdollah", "larijan", "dabudasht", "dasht-e-sar"}
    assert where["markazi"].how == "own" and (where["markazi"].lat, where["markazi"].lon) == (36.47, 52.32)
    # Larijan has no point of its own: the mean of Rineh's and Bala Larijan rural district's
    assert where["larijan"].how == "mean"
    assert where["larijan"].lat == pytest.approx((35.881 + 35.885) / 2)
    assert where["larijan"].lon == pytest.approx((52.172 + 52.13278) / 2)
    assert {where[k].how for k in ("emamzadeh-abdollah", "dabudasht", "dasht-e-sar")} == {"approximate"}
    boundary = county_map.outline()
    sites = {k: (v.lon, v.lat) for k, v in where.items()}
    cells = county_map.cells(sites, boundary)

    def area(poly):
        return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]))) / 2

    def inside(pt, poly):
        x, y, odd = pt[0], pt[1], False
        for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                odd = not odd
        return odd

    assert all(inside(sites[k], boundary) for k in sites)        # every position is inside the county
    assert all(inside(sites[k], cells[k]) for k in sites)        # and inside its own cell
    # the cells tile the outline: their areas add up to the county's (no gap, no overlap)
    assert sum(area(c) for c in cells.values()) == pytest.approx(area(boundary), rel=1e-6)
    assert area(cells["larijan"]) > area(cells["markazi"])       # the mountains are most of the county


def test_the_map_is_numbered_in_the_pages_digits_with_far_behind_in_red(demo_db):
    import importlib

    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": demo_db.url, "SECRET_KEY": "test"})
    server.extensions["hamyar_db"].dispose()
    page = importlib.import_module("dash_app.pages.governorate.equity")
    places = _demo_places(demo_db)
    with demo_db.reader() as s:
        rows = equity(s)
    central = next(r for r in rows if r.slug == "markazi")
    rows = [PlaceEquity(**{**r.__dict__, "behind": r is central}) for r in rows]  # as if it fell far behind
    fig = page.map_figure(rows, "fa", "per_1000", places)
    marks = fig.data[-1]
    assert list(marks.text) == ["<b>۱</b> ⚠", "<b>۲</b>", "<b>۳</b>", "<b>۴</b>", "<b>۵</b>"]
    assert any("بخش مرکزی: ۷٫۳۷" in (t or "") for t in marks.hovertext)
    cells = [t for t in fig.data[1:-1]]
    assert len(cells) == 5 and cells[0].line.width == 4 and cells[0].line.color == county_map_behind()
    assert {t.fillcolor for t in cells[1:4]} == {"#d5d8dc"}     # no census figure: grey
    assert fig.layout.xaxis.autorange is None                   # a map is never mirrored in Persian
    en = page.map_figure(rows, "en", "projects", places)
    assert all(t.fillcolor != "#d5d8dc" for t in en.data[1:-1])  # every district has a project count


def county_map_behind() -> str:
    from dash_app.ui.county_map import BEHIND

    return BEHIND


def test_equity_page_renders_in_persian_with_the_map_and_its_sources(demo_db):
    import importlib

    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": demo_db.url, "SECRET_KEY": "test"})
    page = importlib.import_module("dash_app.pages.governorate.equity")
    with server.test_request_context("/equity?measure=projects", headers={"Cookie": "hamyar_lang=fa"}):
        text = str(page.layout(measure="projects"))
    with server.test_request_context("/equity", headers={"Cookie": "hamyar_lang=en"}):
        english = str(page.layout(measure="nonsense"))
    server.extensions["hamyar_db"].dispose()
    for part in (page.EQUITY_TABLE, page.EQUITY_CARDS, page.EQUITY_MAP, page.EQUITY_KEY, page.EQUITY_MAP_NOTE):
        assert part in text
    assert "بخش مرکزی" in text and "بدون رقم سرشماری" in text and "۲۹۶٬۸۰۰" in text
    assert "OpenStreetMap" in text and "تقریبی" in text and "میانگین" in text
    assert "/equity?measure=per_1000" in english and "Participants per 1,000 residents" in english
