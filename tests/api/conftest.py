"""Fixtures for the open-data API: the seeded Amol demo plus a published budgeting cycle, behind the real app.

The database file is made once per test session (the demo's seed, then a cycle voted on by six citizens,
counted and published) and shared read-only: the API writes nothing.
"""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

import models.pb.cycles as pbc
from models.core.db import Database
from models.core.enums import HelpKind, ProjectStatus
from models.orm.people import User
from models.orm.projects import Need, Project

GOV_LOGIN = "gov@hamyar.local"


def _uncovered_projects(s, n: int) -> list[int]:
    """Projects whose financial need is not yet covered (a cycle's costs are that gap)."""
    ids = []
    for pid in s.scalars(select(Project.id).join(Need, Need.project_id == Project.id)
                         .where(Project.status == ProjectStatus.OPEN, Need.kind == HelpKind.FINANCIAL)
                         .order_by(Project.id)):
        if pbc.uncovered_financial_need(s, [pid]).get(pid, 0) > 0 and pid not in ids:
            ids.append(pid)
        if len(ids) == n:
            return ids
    return ids


def publish_cycle(db: Database) -> int:
    with db.reader() as s:
        gov = s.scalar(select(User.id).where(User.email == GOV_LOGIN))
        projects = _uncovered_projects(s, 3)
        voters = list(s.scalars(select(User.id).where(User.is_governorate.is_(False), User.phone.is_not(None))
                                .order_by(User.id).limit(6)))
        gaps = pbc.uncovered_financial_need(s, projects)
    with db.unit_of_work() as s:
        cycle = pbc.create_cycle(s, gov, pbc.CycleInput(
            name_fa="بودجه‌ریزی مشارکتی ۱۴۰۵", name_en="Participatory budget 1405",
            budget_rials=max(gaps.values()) + min(gaps.values()), project_ids=tuple(projects),
            ballot_rule="approval", max_approvals=2))
        cid = cycle.id
    with db.unit_of_work() as s:
        pbc.advance_phase(s, gov, cid, "voting")
    for k, v in enumerate(voters):
        with db.unit_of_work() as s:
            pbc.cast_ballot(s, v, cid, [projects[k % 3], projects[(k + 1) % 3]] if k % 2 else [projects[0]])
    for phase in ("tallying",):
        with db.unit_of_work() as s:
            pbc.advance_phase(s, gov, cid, phase)
    with db.unit_of_work() as s:
        pbc.publish_results(s, gov, cid)
    return cid


@pytest.fixture(scope="session")
def api_db_file(seeded_sqlite_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "api-demo.sqlite3"
    shutil.copyfile(seeded_sqlite_file, path)
    db = Database(f"sqlite:///{path}")
    publish_cycle(db)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Project)) > 0
    db.dispose()
    return path


@pytest.fixture(scope="module")
def api_app(api_db_file):
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{api_db_file}", "SECRET_KEY": "test",
                         "RATELIMIT_ENABLED": False})
    yield server
    server.extensions["hamyar_db"].dispose()


@pytest.fixture
def api(api_app):
    return api_app.test_client()
