"""What the public sees: totals mobilised, the filtered and sorted project list, one project's coverage."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from models.audit.log import record
from models.core.enums import AllocationStatus, HelpKind, ProjectKind, ProjectStatus
from models.core.errors import NotFound
from models.orm.people import User
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from models.pledging.pledges import PledgeInput, create_pledge
from models.projects.browse import (
    ProjectFilter,
    browse_projects,
    district_and_below,
    district_choices,
    most_in_need,
    normalise_text,
    project_view,
    totals,
)
from tests.models.world import build_world


@pytest.fixture
def world(any_db):
    with any_db.unit_of_work() as s:
        return build_world(s)


def _allocate(db, world, who, need, quantity, status, kind="financial"):
    with db.unit_of_work() as s:
        pid = create_pledge(s, who, PledgeInput(kind=kind, quantity=quantity)).id
        a = Allocation(pledge_id=pid, need_id=need, quantity=quantity, status=status,
                       delivered_at=date(2026, 11, 1) if status is AllocationStatus.DELIVERED else None)
        s.add(a)
        record(s, None, "test", a)
    return pid


def test_totals_count_accepted_and_delivered_per_kind(any_db, world):
    _allocate(any_db, world, world.citizen, world.money_need, 30_000_000, AllocationStatus.ACCEPTED)
    _allocate(any_db, world, world.citizen, world.money_need, 10_000_000, AllocationStatus.DELIVERED)
    _allocate(any_db, world, world.citizen2, world.money_need, 20_000_000, AllocationStatus.PROPOSED)
    _allocate(any_db, world, world.citizen2, world.hours_need, 12, AllocationStatus.ACCEPTED, kind="execution")
    with any_db.reader() as s:
        t = totals(s)
    assert t.mobilised[HelpKind.FINANCIAL] == 40_000_000 and t.delivered[HelpKind.FINANCIAL] == 10_000_000
    assert t.mobilised[HelpKind.EXECUTION] == 12 and t.mobilised[HelpKind.DESIGN] == 0
    assert t.participants == 2 and t.open_projects == 2 and t.pledges == 4


def test_filters_and_sorts(any_db, world):
    # The health project: 60 of 100 million covered (40 accepted, 20 proposed); hours untouched.
    _allocate(any_db, world, world.citizen, world.money_need, 40_000_000, AllocationStatus.ACCEPTED)
    _allocate(any_db, world, world.citizen2, world.money_need, 20_000_000, AllocationStatus.PROPOSED)
    with any_db.reader() as s:
        def ids(**kw):
            return [c.id for c in browse_projects(s, ProjectFilter(**kw)).items]

        assert ids(sort="priority") == [world.project, world.env_project]       # priority 8 before 5
        # mean missing share: health (0.4 + 1.0) / 2 = 0.7; nursery 1.0
        assert ids(sort="missing") == [world.env_project, world.project]
        assert ids(sort="need") == [world.project, world.env_project]            # 8 × 0.7 > 5 × 1.0
        assert ids(table_id=world.env) == [world.env_project]
        assert ids(project_kind=ProjectKind.TALENT) == [world.env_project]
        assert ids(help_kind=HelpKind.EXECUTION) == [world.project]
        assert ids(district_id=world.markazi) == [world.project]                 # Amol city is in Markazi
        assert ids(district_id=world.larijan) == [world.env_project]
        assert ids(text="نهالستان") == [world.env_project]
        assert ids(text="health POST") == [world.project]
        assert ids(text="پايگاه") == [world.project]                              # Arabic yeh typed
        assert ids(text="100%_") == []                                            # wildcards are literal
        card = browse_projects(s, ProjectFilter(table_id=world.health)).items[0]
        money = card.by_kind[HelpKind.FINANCIAL]
        assert (money.quantity, money.accepted, money.proposed, money.missing) == (100_000_000, 40_000_000,
                                                                                   20_000_000, 40_000_000)
        assert card.missing_share == pytest.approx(0.7)


def test_a_need_covered_in_full_is_no_longer_still_needed(any_db, world):
    _allocate(any_db, world, world.citizen, world.env_need, 50_000_000, AllocationStatus.PROPOSED)
    with any_db.reader() as s:
        found = browse_projects(s, ProjectFilter(help_kind=HelpKind.FINANCIAL)).items
    assert [c.id for c in found] == [world.project]


def test_drafts_cancelled_and_closed_tables_stay_out_of_the_list(any_db, world):
    with any_db.unit_of_work() as s:
        p = s.get(Project, world.env_project)
        p.status = ProjectStatus.DRAFT
        record(s, None, "test", p)
    with any_db.reader() as s:
        assert [c.id for c in browse_projects(s, ProjectFilter()).items] == [world.project]
        with pytest.raises(NotFound):
            project_view(s, world.env_project)


def test_pages(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        for i in range(25):
            p = Project(table_id=w.health, kind=ProjectKind.PROBLEM, title_fa=f"پروژه {i}", priority=1 + i % 10,
                        status=ProjectStatus.OPEN)
            s.add(p)
            record(s, None, "test", p)
            n = Need(project=p, kind=HelpKind.FINANCIAL, quantity=1000)
            s.add(n)
            record(s, None, "test", n)
    with db.reader() as s:
        first = browse_projects(s, ProjectFilter(page=1), per_page=12)
        third = browse_projects(s, ProjectFilter(page=3), per_page=12)
        beyond = browse_projects(s, ProjectFilter(page=99), per_page=12)
    assert (first.total, first.pages, len(first.items)) == (27, 3, 12)
    assert len(third.items) == 3 and beyond.page == 3
    with db.reader() as s:
        seen = [c.id for page in (1, 2, 3) for c in browse_projects(s, ProjectFilter(page=page), per_page=12).items]
    assert len(seen) == len(set(seen)) == 27


def test_the_list_takes_the_same_few_queries_whatever_its_length(demo_db):
    counted = []

    def count(*_a, **_k):
        counted.append(1)

    event.listen(demo_db.engine, "before_cursor_execute", count)
    try:
        sizes = {}
        for per_page in (2, 40):
            counted.clear()
            with demo_db.reader() as s:
                assert len(browse_projects(s, ProjectFilter(), per_page=per_page).items) == per_page
            sizes[per_page] = len(counted)
    finally:
        event.remove(demo_db.engine, "before_cursor_execute", count)
    assert sizes[2] == sizes[40] <= 5


def test_project_view_coverage_and_named_contributions(any_db, world):
    _allocate(any_db, world, world.citizen, world.money_need, 40_000_000, AllocationStatus.ACCEPTED)
    _allocate(any_db, world, world.citizen2, world.money_need, 10_000_000, AllocationStatus.DELIVERED)
    _allocate(any_db, world, world.citizen2, world.money_need, 5_000_000, AllocationStatus.PROPOSED)
    with any_db.unit_of_work() as s:
        u = s.get(User, world.citizen2)
        u.show_name_publicly = True
        record(s, None, "test", u)
    with any_db.reader() as s:
        view = project_view(s, world.project)
    money = next(n for n in view.needs if n.kind is HelpKind.FINANCIAL)
    assert (money.coverage.accepted, money.coverage.delivered, money.coverage.proposed, money.coverage.missing) == \
        (50_000_000, 10_000_000, 5_000_000, 45_000_000)
    assert view.chair_name == "chair" and view.contributions_total == 2 and view.open_for_help
    names = sorted((c.quantity, c.citizen_name) for c in view.contributions)
    assert names == [(10_000_000, "citizen2"), (40_000_000, None)]   # only who chose to be named


@pytest.mark.parametrize("bad", [None, "1", 1.0, True, 424242])
def test_project_view_of_unknown_ids(db, bad):
    with db.unit_of_work() as s:
        build_world(s)
    with db.reader() as s, pytest.raises(NotFound):
        project_view(s, bad)


def test_places_and_text(db):
    with db.unit_of_work() as s:
        w = build_world(s)
    with db.reader() as s:
        assert district_and_below(s, w.markazi) == sorted([w.markazi, w.amol])
        choices = district_choices(s)
        assert w.county not in [c.id for c in choices]
        assert [c.slug for c in choices] == ["markazi", "amol-city", "larijan"]   # each district, then its places
        assert [c.id for c in most_in_need(s, limit=1)] == [w.project]
    assert normalise_text("  كتاب   ي\u200cها ") == "کتاب ی ها"
    assert normalise_text(None) == "" and len(normalise_text("x" * 500)) == 100
