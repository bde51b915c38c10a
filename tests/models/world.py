"""A small hand-made county for domain tests: two tables, their chairs, a few citizens and needs."""
from __future__ import annotations

from dataclasses import dataclass

from models.audit.log import record
from models.core.enums import DistrictLevel, HelpKind, MemberBackground, ProjectKind, ProjectStatus
from models.orm.geo import District
from models.orm.people import User
from models.orm.projects import Need, Project
from models.orm.skills import Skill
from models.orm.tables import Table, TableMembership


@dataclass
class World:
    county: int
    markazi: int
    amol: int
    larijan: int
    nursing: int
    carpentry: int
    health: int
    env: int
    chair: int
    other_chair: int
    member: int
    citizen: int
    citizen2: int
    project: int
    money_need: int
    hours_need: int
    env_project: int
    env_need: int


def _add(s, obj, action="test.created"):
    s.add(obj)
    record(s, None, action, obj)
    return obj


def build_world(s) -> World:
    county = _add(s, District(slug="amol-county", name_fa="شهرستان آمل", name_en="Amol County", level=DistrictLevel.COUNTY))
    markazi = _add(s, District(slug="markazi", name_fa="بخش مرکزی", name_en="Central District",
                               level=DistrictLevel.DISTRICT, parent_id=county.id))
    amol = _add(s, District(slug="amol-city", name_fa="آمل", name_en="Amol", level=DistrictLevel.CITY, parent_id=markazi.id))
    larijan = _add(s, District(slug="larijan", name_fa="بخش لاریجان", name_en="Larijan District",
                               level=DistrictLevel.DISTRICT, parent_id=county.id))
    nursing = _add(s, Skill(slug="nursing", name_fa="پرستاری", name_en="Nursing"))
    carpentry = _add(s, Skill(slug="carpentry", name_fa="نجاری", name_en="Carpentry"))
    users = [_add(s, User(name=n, email=f"{n}@example.org", password_hash="!x"))
             for n in ("chair", "otherchair", "member", "citizen", "citizen2")]
    chair, other_chair, member, citizen, citizen2 = users
    health = _add(s, Table(slug="health", name_fa="سلامت", name_en="Health", domain="health", chair_id=chair.id))
    env = _add(s, Table(slug="environment", name_fa="محیط زیست", name_en="Environment", domain="environment",
                        chair_id=other_chair.id))
    for table, user in ((health, chair), (health, member), (env, other_chair)):
        _add(s, TableMembership(table_id=table.id, user_id=user.id, background=MemberBackground.ACADEMIC))
    project = _add(s, Project(table_id=health.id, kind=ProjectKind.PROBLEM, title_fa="پایگاه سلامت",
                              title_en="Health post", priority=8, status=ProjectStatus.OPEN, district_id=amol.id))
    money = _add(s, Need(project_id=project.id, kind=HelpKind.FINANCIAL, quantity=100_000_000))
    hours = _add(s, Need(project_id=project.id, kind=HelpKind.EXECUTION, quantity=120))
    hours.skills = [nursing]
    env_project = _add(s, Project(table_id=env.id, kind=ProjectKind.TALENT, title_fa="نهالستان", title_en="Nursery",
                                  priority=5, status=ProjectStatus.OPEN, district_id=larijan.id))
    env_need = _add(s, Need(project_id=env_project.id, kind=HelpKind.FINANCIAL, quantity=50_000_000))
    s.flush()
    return World(county.id, markazi.id, amol.id, larijan.id, nursing.id, carpentry.id, health.id, env.id, chair.id,
                 other_chair.id, member.id, citizen.id, citizen2.id, project.id, money.id, hours.id, env_project.id,
                 env_need.id)
