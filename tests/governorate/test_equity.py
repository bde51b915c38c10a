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
from models.reporting.equity import behind_bar, equity


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


def test_equity_page_renders_in_persian_with_the_map(demo_db):
    import importlib

    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": demo_db.url, "SECRET_KEY": "test"})
    page = importlib.import_module("dash_app.pages.governorate.equity")
    with server.test_request_context("/equity", headers={"Cookie": "hamyar_lang=fa"}):
        text = str(page.layout())
        figure = page.map_figure([], "fa")
    server.extensions["hamyar_db"].dispose()
    assert page.EQUITY_TABLE in text and page.EQUITY_MAP in text and "بخش مرکزی" in text
    assert "بدون رقم سرشماری" in text and "۲۹۶٬۸۰۰" in text
    assert len(figure.data) == 2  # the approximate county circle and the (here empty) points
