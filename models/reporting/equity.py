"""Equity of participation and of help (issue 22 item 4): who takes part and who benefits, per district (بخش)
and per city, against the 2016 census (District.population_2016).

Imports sqlalchemy and models only. Definitions (docs for the dashboard and the open data):
- a participant of a place is a citizen (never the governorate's budget account) with a pledge located in
  it (Pledge.district_id: the place or one inside it) that is not wholly withdrawn; one person counts once
  per place;
- help received is the value in rials of the help mobilised (accepted or delivered, models.reporting.
  dashboard.mobilised_rows) for projects located in the place, per resident;
- projects are the published projects (not drafts) located in the place;
- a district falls FAR BEHIND when its participants per 1,000 residents are below half the median of the
  districts that have a census figure (BEHIND_SHARE). A place without a census figure has no rate and is
  never flagged: the demo's facts lack the 2016 totals of three of Amol's five districts, and none is
  guessed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from models.core.enums import DistrictLevel, ProjectStatus
from models.core.system_accounts import system_user_ids
from models.orm.geo import District
from models.orm.pledges import Pledge
from models.orm.projects import Project
from models.reporting.dashboard import DashboardFilter, mobilised_rows

BEHIND_SHARE = 0.5


@dataclass(frozen=True)
class PlaceEquity:
    district_id: int
    slug: str
    name_fa: str
    name_en: str
    level: DistrictLevel
    parent_id: int | None
    population: int | None
    participants: int
    help_rials: int
    projects: int
    lat: float | None
    lon: float | None
    behind: bool = False

    @property
    def per_1000(self) -> float | None:
        return self.participants * 1000 / self.population if self.population else None

    @property
    def help_per_resident(self) -> float | None:
        return self.help_rials / self.population if self.population else None


def _owner(places: dict[int, District]) -> dict[int, list[int]]:
    """place id -> the reported places it counts in: itself, and its district when it is a city or rural area."""
    out: dict[int, list[int]] = {}
    for pid, p in places.items():
        mine = [pid] if p.level in (DistrictLevel.DISTRICT, DistrictLevel.CITY) else []
        if p.level in (DistrictLevel.CITY, DistrictLevel.RURAL) and p.parent_id is not None:
            mine.append(p.parent_id)
        out[pid] = mine
    return out


def _participants(session: Session, owner: dict[int, list[int]]) -> dict[int, int]:
    people: defaultdict[int, set[int]] = defaultdict(set)
    rows = session.execute(select(Pledge.district_id, Pledge.citizen_id).distinct()
                           .where(Pledge.district_id.is_not(None), Pledge.quantity > Pledge.withdrawn_quantity,
                                  Pledge.citizen_id.not_in(system_user_ids())))
    for place, citizen in rows:
        for reported in owner.get(place, []) if place is not None else []:
            people[reported].add(citizen)
    return {k: len(v) for k, v in people.items()}


def _fold(rows, owner: dict[int, list[int]]) -> dict[int, int]:
    out: defaultdict[int, int] = defaultdict(int)
    for place, value in rows:
        for reported in owner.get(place, []):
            out[reported] += int(value or 0)
    return out


def equity(session: Session) -> list[PlaceEquity]:
    """Every district, then every city, with its figures; districts far behind are flagged."""
    places = {d.id: d for d in session.scalars(select(District).order_by(District.id))}
    owner = _owner(places)
    m = mobilised_rows(DashboardFilter())
    help_rows = session.execute(select(Project.district_id, func.sum(m.c.value))
                                .join(Project, Project.id == m.c.project_id).group_by(Project.district_id)).all()
    project_rows = session.execute(select(Project.district_id, func.count(distinct(Project.id)))
                                   .where(Project.status != ProjectStatus.DRAFT, Project.district_id.is_not(None))
                                   .group_by(Project.district_id)).all()
    people, help_rials, projects = _participants(session, owner), _fold(help_rows, owner), _fold(project_rows, owner)
    rows = [PlaceEquity(p.id, p.slug, p.name_fa, p.name_en, p.level, p.parent_id, p.population_2016,
                        people.get(p.id, 0), help_rials.get(p.id, 0), projects.get(p.id, 0), p.lat, p.lon)
            for p in places.values() if p.level in (DistrictLevel.DISTRICT, DistrictLevel.CITY)]
    rates = [r.per_1000 for r in rows if r.level is DistrictLevel.DISTRICT and r.per_1000 is not None]
    bar = BEHIND_SHARE * median(rates) if rates else None
    flagged = [PlaceEquity(**{**r.__dict__, "behind": bar is not None and r.level is DistrictLevel.DISTRICT
                              and r.per_1000 is not None and r.per_1000 < bar}) for r in rows]
    return sorted(flagged, key=lambda r: (r.level is not DistrictLevel.DISTRICT, r.district_id))


def behind_bar(rows: list[PlaceEquity]) -> float | None:
    """Participants per 1,000 below which a district is far behind (half the districts' median)."""
    rates = [r.per_1000 for r in rows if r.level is DistrictLevel.DISTRICT and r.per_1000 is not None]
    return BEHIND_SHARE * median(rates) if rates else None


__all__ = ["BEHIND_SHARE", "PlaceEquity", "behind_bar", "equity"]
