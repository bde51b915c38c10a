"""Dashboard aggregates against numbers computed by hand, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest

from models.core.enums import HelpKind
from models.core.errors import ValidationError
from models.reporting.dashboard import DashboardFilter, coverage, dashboard, filter_choices
from tests.governorate.fixture import build_mobilised

# Money 10,000,000 (accepted) + 40 person-hours x 1,500,000 (delivered) + 3 pickup-truck days x 25,000,000
# (the item's own rate) + 2 tractor days x 15,000,000 (the logistics default). Proposed and rejected do not count.
MONEY, HOURS, TRUCK, TRACTOR = 10_000_000, 60_000_000, 75_000_000, 30_000_000
TOTAL = MONEY + HOURS + TRUCK + TRACTOR


@pytest.fixture
def mob(any_db):
    with any_db.unit_of_work() as s:
        m = build_mobilised(s)
    return any_db, m


def test_headline_by_kind_and_total_value(mob):
    db, m = mob
    with db.reader() as s:
        board = dashboard(s, DashboardFilter())
    kinds = {k.kind: (k.quantity, k.value, k.allocations) for k in board.headline.by_kind}
    assert kinds[HelpKind.FINANCIAL] == (10_000_000, MONEY, 1)
    assert kinds[HelpKind.EXECUTION] == (40, HOURS, 1)
    assert kinds[HelpKind.LOGISTICS] == (5, TRUCK + TRACTOR, 2)
    assert kinds[HelpKind.DESIGN] == (0, 0, 0)
    assert board.headline.total_value == TOTAL == 175_000_000
    assert board.headline.citizens == 2 and board.headline.allocations == 4


def test_by_table_district_and_month(mob):
    db, m = mob
    w = m.world
    with db.reader() as s:
        board = dashboard(s, DashboardFilter())
    tables = {g.id: g.value for g in board.by_table}
    assert tables == {w.health: MONEY + HOURS, w.env: TRUCK + TRACTOR}
    assert board.by_table[0].id == w.env  # largest first
    # Health's project is in Amol city, which belongs to the Central district; Environment's is in Larijan.
    assert {g.id: g.value for g in board.by_district} == {w.markazi: MONEY + HOURS, w.larijan: TRUCK + TRACTOR}
    months = [(mo.year, mo.month, mo.value) for mo in board.by_month]
    assert months == [(1405, 8, MONEY), (1405, 9, HOURS + TRUCK + TRACTOR)]


def test_every_filter_narrows_every_figure(mob):
    db, m = mob
    w = m.world
    with db.reader() as s:
        by_kind = dashboard(s, DashboardFilter(kind=HelpKind.EXECUTION))
        by_table = dashboard(s, DashboardFilter(table_id=w.env))
        by_district = dashboard(s, DashboardFilter(district_id=w.markazi))
        by_city = dashboard(s, DashboardFilter(district_id=w.amol))
        # 1405/09/01 is 22 November 2026: only the December decisions remain.
        later = dashboard(s, DashboardFilter(date_from=date(2026, 11, 22)))
        earlier = dashboard(s, DashboardFilter(date_to=date(2026, 11, 1)))
        nothing = dashboard(s, DashboardFilter(table_id=w.env, kind=HelpKind.FINANCIAL))
    assert by_kind.headline.total_value == HOURS and [k.kind for k in by_kind.headline.by_kind] == [HelpKind.EXECUTION]
    assert [g.id for g in by_kind.by_table] == [w.health]
    assert by_table.headline.total_value == TRUCK + TRACTOR
    assert set(by_table.flows.table_to_project) == {(w.env, w.env_project)}
    assert by_district.headline.total_value == MONEY + HOURS == by_city.headline.total_value
    assert later.headline.total_value == HOURS + TRUCK + TRACTOR
    assert [(mo.year, mo.month) for mo in later.by_month] == [(1405, 9)]
    assert earlier.headline.total_value == MONEY
    assert nothing.headline.total_value == 0 and nothing.by_table == [] and nothing.by_month == []
    assert nothing.flows.kind_to_table == {}


def test_sankey_flows_add_up(mob):
    db, m = mob
    w = m.world
    with db.reader() as s:
        flows = dashboard(s, DashboardFilter()).flows
    assert flows.kind_to_table == {(HelpKind.FINANCIAL, w.health): MONEY, (HelpKind.EXECUTION, w.health): HOURS,
                                   (HelpKind.LOGISTICS, w.env): TRUCK + TRACTOR}
    assert flows.table_to_project == {(w.health, w.project): MONEY + HOURS, (w.env, w.env_project): TRUCK + TRACTOR}
    assert sum(flows.kind_to_table.values()) == sum(flows.table_to_project.values()) == TOTAL
    assert flows.projects[w.project][1] == "Health post"


def test_coverage_of_open_projects(mob):
    db, m = mob
    w = m.world
    with db.reader() as s:
        rows = {c.project_id: c for c in coverage(s, DashboardFilter())}
    health = rows[w.project]
    # Needs: 100,000,000 money + 120 h x 1,500,000 = 280,000,000; covered 10,000,000 + 60,000,000.
    assert (health.needed_value, health.covered_value, health.proposed_value) == (280_000_000, 70_000_000, 0)
    assert health.coverage == pytest.approx(0.25)
    env = rows[w.env_project]
    # Needs: 50,000,000 money + 10 pickup-truck days x 25,000,000; covered 5 days; 2,000,000 proposed.
    assert (env.needed_value, env.covered_value, env.proposed_value) == (300_000_000, 125_000_000, 2_000_000)


def test_runs_and_choices_and_bad_filters(mob):
    db, m = mob
    with db.reader() as s:
        choices = filter_choices(s)
        assert [t[0] for t in choices.tables] == [m.world.health, m.world.env]
        assert {d[0] for d in choices.districts} == {m.world.markazi, m.world.larijan}
        assert choices.first_day == date(2026, 11, 1) and choices.last_day == date(2026, 12, 1)
        assert dashboard(s, DashboardFilter()).runs == []
    with pytest.raises(ValidationError) as info:
        DashboardFilter(date_from=date(2026, 12, 2), date_to=date(2026, 12, 1))
    assert info.value.code == "date_range_invalid"
    with pytest.raises(ValidationError):
        DashboardFilter(kind="gold")
