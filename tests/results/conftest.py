"""A small county for the results tests: the web tests' people, a published project of the health table with
two needs, and one accepted volunteer-work contribution of the citizen (10 hours of a 10-hour pledge)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from PIL import Image

from models.audit.log import record
from models.core.enums import AllocationStatus, HelpKind, PledgeStatus, ProjectKind, ProjectStatus
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from tests.web.conftest import app, client, make_people, web_db  # noqa: F401, F811 (fixtures)


@dataclass
class World:
    citizen: int
    governorate: int
    member: int
    chair: int
    table: int
    other_table: int
    project: int
    need: int
    money_need: int
    allocation: int
    pledge: int


def jpeg(colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def world(web_db) -> World:  # noqa: F811 (the fixture imported above)
    return build_world(web_db)


def build_world(db) -> World:
    people = make_people(db)
    with db.unit_of_work() as s:
        project = Project(table_id=people.table, kind=ProjectKind.PROBLEM, title_fa="قفسه‌های کتابخانه",
                          title_en="The library's shelves", status=ProjectStatus.IN_PROGRESS, created_by_id=people.chair,
                          created_at=datetime(2026, 10, 1, tzinfo=UTC))
        s.add(project)
        record(s, people.chair, "project.created", project, table_id=people.table)
        need = Need(project_id=project.id, kind=HelpKind.EXECUTION, quantity=40, description="building shelves")
        money = Need(project_id=project.id, kind=HelpKind.FINANCIAL, quantity=50_000_000)
        s.add_all([need, money])
        record(s, people.chair, "need.created", need)
        record(s, people.chair, "need.created", money)
        pledge = Pledge(citizen_id=people.citizen, kind=HelpKind.EXECUTION, quantity=10,
                        status=PledgeStatus.ALLOCATED)
        s.add(pledge)
        record(s, people.citizen, "pledge.created", pledge)
        alloc = Allocation(pledge_id=pledge.id, need_id=need.id, quantity=10, status=AllocationStatus.ACCEPTED,
                           decided_by_id=people.chair, decided_at=datetime(2026, 11, 1, tzinfo=UTC))
        s.add(alloc)
        record(s, people.chair, "allocation.accepted", alloc)
        return World(**vars(people), project=project.id, need=need.id, money_need=money.id, allocation=alloc.id,
                     pledge=pledge.id)
