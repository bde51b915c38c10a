"""Fixtures for the open-data API: the seeded Amol demo plus a published budgeting cycle and citizens' proposals
(answered, adopted, merged, forwarded, hidden), behind the real app.

The database file is made once per test session (the demo's seed, then a cycle voted on by six citizens,
counted and published, then the proposals) and shared read-only: the API writes nothing.
"""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

import models.pb.cycles as pbc
from models.core.db import Database
from models.core.enums import HelpKind, ProjectStatus
from models.orm.geo import District
from models.orm.people import User
from models.orm.projects import Need, Project
from models.orm.tables import Table
from models.voice import diagnosis, moderation, proposals

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


def add_proposals(db: Database) -> dict[str, int]:
    """Six proposals by named citizens (none chose to be named): supported, diagnosed by a member, answered,
    adopted, merged, forwarded and one hidden by the governorate."""
    with db.reader() as s:
        gov = s.scalar(select(User.id).where(User.email == GOV_LOGIN))
        t1, t2 = s.execute(select(Table.id, Table.chair_id).where(Table.chair_id.is_not(None))
                           .order_by(Table.id).limit(2)).all()
        district = s.scalar(select(District.id).where(District.slug == "markazi"))
        people = list(s.scalars(select(User.id).where(User.is_governorate.is_(False), User.phone.is_not(None),
                                                      User.id.not_in([t1[1], t2[1]]))
                                .order_by(User.id.desc()).limit(12)))
    ids: dict[str, int] = {}

    def propose(key: str, author: int, table: int | None, kind: str = "problem") -> None:
        data = proposals.ProposalInput(kind=kind, title=f"پیشنهاد {key}", body="کوچه پس از باران آب می‌گیرد.",
                                       district_id=district, table_id=table, place="کوچهٔ شهید رجایی",
                                       lat=36.47, lon=52.35, affected="بچه‌های مدرسه", evidence="عکس‌ها",
                                       serves="کارگاه" if kind == "talent" else "")
        ids[key] = db.run(lambda s: proposals.create_proposal(s, author, data).id)

    propose("answered", people[0], t1[0])
    propose("adopted", people[1], t1[0])
    propose("duplicate", people[2], t1[0])
    propose("forwarded", people[3], t1[0])
    propose("unrouted", people[4], None, "talent")
    propose("hidden", people[5], t1[0])
    for supporter in people[6:11]:
        db.run(lambda s, who=supporter: proposals.support(s, who, ids["answered"]))
    db.run(lambda s: proposals.support(s, people[6], ids["duplicate"]))
    db.run(lambda s: proposals.add_evidence(s, people[7], ids["answered"], "من هم دیدم."))
    db.run(lambda s: diagnosis.diagnose(s, t1[1], ids["answered"], diagnosis.DiagnosisInput(cause="آب‌رو بسته است")))
    db.run(lambda s: diagnosis.answer(s, t1[1], ids["answered"], "needs_evidence", "عکس بیشتری بفرستید."))
    db.run(lambda s: diagnosis.adopt(s, t1[1], ids["adopted"], diagnosis.AdoptInput(note="پذیرفتیم.")))
    db.run(lambda s: diagnosis.merge(s, t1[1], ids["duplicate"], ids["answered"]))
    db.run(lambda s: diagnosis.answer(s, t1[1], ids["forwarded"], "not_remit", "کار میز دیگری است.", t2[0]))
    db.run(lambda s: moderation.hide(s, gov, ids["hidden"], "نشانی خانهٔ یک نفر در متن بود."))
    return ids


@pytest.fixture(scope="session")
def api_db_file(seeded_sqlite_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "api-demo.sqlite3"
    shutil.copyfile(seeded_sqlite_file, path)
    db = Database(f"sqlite:///{path}")
    publish_cycle(db)
    add_proposals(db)
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
