"""What the public sees of projects: totals mobilised, the project list with filters, one project's coverage.

Imports sqlalchemy and models only. Every figure is an SQL aggregate (a few queries per page, never
one per project or need); the page only formats what these functions return.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Float, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from models.core.enums import (
    FIXED_ALLOCATION,
    AllocationStatus,
    DistrictLevel,
    HelpKind,
    Horizon,
    PledgeStatus,
    ProjectKind,
    ProjectStatus,
)
from models.core.errors import NotFound
from models.core.system_accounts import system_user_ids
from models.orm.geo import District
from models.orm.organizations import Organization
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.skills import Skill
from models.orm.tables import Table

# Projects a citizen can still help; completed ones stay visible on their own page.
LISTED_STATUSES = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)
PUBLIC_STATUSES = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED)
SORTS = ("need", "priority", "missing")
PER_PAGE = 12
MAX_TEXT = 100
CONTRIBUTIONS_PER_PAGE = 20


# --- per-need coverage, the building block of every figure ------------------------------------------


def _coverage_subquery():
    """One row per need: its quantity and how much of it is accepted (or delivered), delivered and proposed."""
    def total(condition):
        return func.coalesce(func.sum(case((condition, Allocation.quantity), else_=0)), 0)

    accepted = total(Allocation.status.in_(FIXED_ALLOCATION))
    delivered = total(Allocation.status == AllocationStatus.DELIVERED)
    proposed = total(Allocation.status == AllocationStatus.PROPOSED)
    return (select(Need.id.label("need_id"), Need.project_id.label("project_id"), Need.kind.label("kind"),
                   Need.quantity.label("quantity"), accepted.label("accepted"), delivered.label("delivered"),
                   proposed.label("proposed"))
            .outerjoin(Allocation, Allocation.need_id == Need.id).where(Need.removed_at.is_(None))
            .group_by(Need.id, Need.project_id, Need.kind, Need.quantity)
            .subquery("coverage"))


def _missing(cov):
    left = cov.c.quantity - cov.c.accepted - cov.c.proposed
    return case((left > 0, left), else_=0)


@dataclass(frozen=True)
class Coverage:
    """How much of a quantity is accepted (incl. delivered), delivered, proposed and still missing."""

    quantity: int
    accepted: int
    delivered: int
    proposed: int

    @property
    def missing(self) -> int:
        return max(self.quantity - self.accepted - self.proposed, 0)

    def share(self, part: int) -> float:
        return min(max(part / self.quantity, 0.0), 1.0) if self.quantity > 0 else 0.0

    @property
    def missing_share(self) -> float:
        return self.share(self.missing)

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.quantity + other.quantity, self.accepted + other.accepted,
                        self.delivered + other.delivered, self.proposed + other.proposed)


ZERO = Coverage(0, 0, 0, 0)


# --- the home page's figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    mobilised: dict[HelpKind, int]      # accepted or delivered, in each kind's unit
    delivered: dict[HelpKind, int]
    participants: int                   # citizens with a pledge not wholly withdrawn
    open_projects: int
    pledges: int
    public_budget_rials: int = 0        # what the governorate's PB budget funded (not citizens' help)


def totals(session: Session) -> Totals:
    """Resources mobilised per kind of help, citizens taking part, and open projects (four aggregates)."""
    mobilised = dict.fromkeys(HelpKind, 0)
    delivered = dict.fromkeys(HelpKind, 0)
    rows = session.execute(
        select(Need.kind,
               func.coalesce(func.sum(Allocation.quantity), 0),
               func.coalesce(func.sum(case((Allocation.status == AllocationStatus.DELIVERED, Allocation.quantity),
                                           else_=0)), 0))
        .join(Allocation, Allocation.need_id == Need.id).join(Pledge, Pledge.id == Allocation.pledge_id)
        .where(Allocation.status.in_(FIXED_ALLOCATION), Pledge.citizen_id.not_in(system_user_ids()))
        .group_by(Need.kind))
    for kind, total, done in rows:
        mobilised[HelpKind(kind)] = int(total)
        delivered[HelpKind(kind)] = int(done)
    # The governorate's PB budget is public money, shown apart; its account is not a participating citizen.
    public = session.scalar(
        select(func.coalesce(func.sum(Allocation.quantity), 0)).join(Pledge, Pledge.id == Allocation.pledge_id)
        .where(Allocation.status.in_(FIXED_ALLOCATION), Pledge.citizen_id.in_(system_user_ids()))) or 0
    participants = session.scalar(select(func.count(func.distinct(Pledge.citizen_id)))
                                  .where(Pledge.status != PledgeStatus.WITHDRAWN,
                                         Pledge.citizen_id.not_in(system_user_ids()))) or 0
    open_projects = session.scalar(select(func.count()).select_from(Project)
                                   .where(Project.status.in_(LISTED_STATUSES))) or 0
    pledges = session.scalar(select(func.count()).select_from(Pledge)
                             .where(Pledge.status != PledgeStatus.WITHDRAWN,
                                    Pledge.citizen_id.not_in(system_user_ids()))) or 0
    return Totals(mobilised, delivered, int(participants), int(open_projects), int(pledges), int(public))


# --- the project list ---------------------------------------------------------------------------------

_ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "\u200c": " "})


def normalise_text(text: object) -> str:
    """A search text as stored text writes it: Persian yeh and kaf, single spaces, at most MAX_TEXT characters."""
    if not isinstance(text, str):
        return ""
    return re.sub(r"\s+", " ", text.translate(_ARABIC_TO_PERSIAN)).strip()[:MAX_TEXT]


@dataclass(frozen=True)
class ProjectFilter:
    """What the visitor asked for; the page builds it from the query string."""

    table_id: int | None = None
    help_kind: HelpKind | None = None
    district_id: int | None = None
    project_kind: ProjectKind | None = None
    text: str = ""
    sort: str = "need"
    page: int = 1


@dataclass(frozen=True)
class ProjectCard:
    id: int
    title_fa: str
    title_en: str
    summary_fa: str
    summary_en: str
    kind: ProjectKind
    status: ProjectStatus
    priority: int
    table_id: int
    table_fa: str
    table_en: str
    district_fa: str | None
    district_en: str | None
    missing_share: float
    by_kind: dict[HelpKind, Coverage] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        return self.title_fa if lang == "fa" else (self.title_en or self.title_fa)

    def summary(self, lang: str) -> str:
        return self.summary_fa if lang == "fa" else (self.summary_en or self.summary_fa)


@dataclass(frozen=True)
class ProjectPage:
    items: list[ProjectCard]
    total: int
    page: int
    pages: int
    per_page: int


def district_and_below(session: Session, district_id: int) -> list[int]:
    """The district and every place inside it (the tree is small: read it once)."""
    children: dict[int | None, list[int]] = {}
    for did, parent in session.execute(select(District.id, District.parent_id)):
        children.setdefault(parent, []).append(did)
    found, todo = [], [district_id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return sorted(found)


def _project_scores():
    """Per project: mean share of its needs still missing (0..1), and that share times its priority."""
    cov = _coverage_subquery()
    share = cast(_missing(cov), Float) / cast(cov.c.quantity, Float)
    return cov, (select(cov.c.project_id.label("project_id"), func.avg(share).label("missing_share"))
                 .group_by(cov.c.project_id).subquery("scores"))


def browse_projects(session: Session, flt: ProjectFilter, *, per_page: int = PER_PAGE) -> ProjectPage:
    """Open and running projects matching `flt`, sorted and cut to one page (four queries in all)."""
    cov, scores = _project_scores()
    missing_share = func.coalesce(scores.c.missing_share, 0.0)
    q = (select(Project.id).outerjoin(scores, scores.c.project_id == Project.id)
         .join(Table, Table.id == Project.table_id)
         .where(Project.status.in_(LISTED_STATUSES), Table.archived_at.is_(None)))
    if flt.table_id is not None:
        q = q.where(Project.table_id == flt.table_id)
    if flt.project_kind is not None:
        q = q.where(Project.kind == flt.project_kind)
    if flt.district_id is not None:
        q = q.where(Project.district_id.in_(district_and_below(session, flt.district_id)))
    if flt.help_kind is not None:
        still = select(cov.c.project_id).where(cov.c.kind == flt.help_kind, _missing(cov) > 0)
        q = q.where(Project.id.in_(still))
    text = normalise_text(flt.text)
    if text:
        words = [w for w in text.lower().split(" ") if w][:8]
        columns = (Project.title_fa, Project.title_en, Project.summary_fa, Project.summary_en)
        q = q.where(and_(*[or_(*[func.lower(func.coalesce(c, "")).contains(w, autoescape=True) for c in columns])
                           for w in words]))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, flt.page), pages)
    order = {
        "priority": (Project.priority.desc(), missing_share.desc()),
        "missing": (missing_share.desc(), Project.priority.desc()),
        "need": ((Project.priority * missing_share).desc(), Project.priority.desc()),
    }[flt.sort if flt.sort in SORTS else "need"]
    ids = list(session.scalars(q.order_by(*order, Project.id).offset((page - 1) * per_page).limit(per_page)))
    return ProjectPage(cards(session, ids), total, page, pages, per_page)


def cards(session: Session, project_ids: list[int]) -> list[ProjectCard]:
    """The cards of these projects, in this order: two queries whatever their number."""
    if not project_ids:
        return []
    cov, scores = _project_scores()
    place = aliased(District)
    rows = session.execute(
        select(Project, Table.name_fa, Table.name_en, place.name_fa, place.name_en,
               func.coalesce(scores.c.missing_share, 0.0))
        .join(Table, Table.id == Project.table_id)
        .outerjoin(place, place.id == Project.district_id)
        .outerjoin(scores, scores.c.project_id == Project.id)
        .where(Project.id.in_(project_ids))).all()
    by_kind: dict[int, dict[HelpKind, Coverage]] = {}
    for pid, kind, qty, acc, dlv, prop in session.execute(
            select(cov.c.project_id, cov.c.kind, func.sum(cov.c.quantity), func.sum(cov.c.accepted),
                   func.sum(cov.c.delivered), func.sum(cov.c.proposed))
            .where(cov.c.project_id.in_(project_ids)).group_by(cov.c.project_id, cov.c.kind)):
        by_kind.setdefault(pid, {})[HelpKind(kind)] = Coverage(int(qty), int(acc), int(dlv), int(prop))
    made = {}
    for p, t_fa, t_en, d_fa, d_en, share in rows:
        kinds = by_kind.get(p.id, {})
        made[p.id] = ProjectCard(
            id=p.id, title_fa=p.title_fa, title_en=p.title_en or p.title_fa, summary_fa=p.summary_fa or "",
            summary_en=p.summary_en or p.summary_fa or "", kind=p.kind, status=p.status, priority=p.priority,
            table_id=p.table_id, table_fa=t_fa, table_en=t_en, district_fa=d_fa, district_en=d_en,
            missing_share=float(share or 0.0), by_kind={k: kinds[k] for k in HelpKind if k in kinds})
    return [made[i] for i in project_ids if i in made]


def most_in_need(session: Session, limit: int = 6) -> list[ProjectCard]:
    """The open projects where priority × share still missing is largest."""
    return browse_projects(session, ProjectFilter(sort="need"), per_page=limit).items


# --- the choices the filters and the pledge form offer --------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: int
    name_fa: str
    name_en: str
    parent_id: int | None = None
    level: str = ""
    slug: str = ""

    def name(self, lang: str) -> str:
        return self.name_fa if lang == "fa" else self.name_en


def table_choices(session: Session) -> list[Choice]:
    return [Choice(t.id, t.name_fa, t.name_en, slug=t.slug)
            for t in session.scalars(select(Table).where(Table.archived_at.is_(None)).order_by(Table.id))]


def district_choices(session: Session) -> list[Choice]:
    """Amol's districts, each followed by its cities and rural districts (the county itself is not a choice)."""
    rows = list(session.scalars(select(District).order_by(District.id)))
    by_parent: dict[int | None, list[District]] = {}
    for d in rows:
        by_parent.setdefault(d.parent_id, []).append(d)
    ordered: list[Choice] = []

    def walk(parent: int | None) -> None:
        for d in sorted(by_parent.get(parent, []),
                        key=lambda d: (d.level is not DistrictLevel.CITY, d.level is not DistrictLevel.DISTRICT, d.id)):
            if d.level is not DistrictLevel.COUNTY:
                ordered.append(Choice(d.id, d.name_fa, d.name_en, d.parent_id, d.level.value, d.slug))
            walk(d.id)

    walk(None)
    return ordered


def skill_choices(session: Session) -> list[Choice]:
    return [Choice(s.id, s.name_fa, s.name_en, slug=s.slug)
            for s in session.scalars(select(Skill).order_by(Skill.id))]


# --- one project ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedView:
    id: int
    kind: HelpKind
    description: str
    window_start: date | None
    window_end: date | None
    skills: list[Choice]
    coverage: Coverage


@dataclass(frozen=True)
class Contribution:
    kind: HelpKind
    quantity: int
    status: AllocationStatus
    citizen_name: str | None        # None when the citizen chose not to be named
    decided_at: datetime | None
    delivered_at: date | None
    need_description: str
    # (Persian, English) name of the organization it was pledged on behalf of (issue 21): shown instead
    organization: tuple[str, str] | None = None


@dataclass(frozen=True)
class ProjectView:
    project: Project
    table: Table
    chair_name: str | None
    district: District | None
    needs: list[NeedView]
    contributions: list[Contribution]
    contributions_total: int
    contributions_page: int
    contributions_pages: int

    @property
    def open_for_help(self) -> bool:
        return self.project.status in LISTED_STATUSES and any(n.coverage.missing > 0 for n in self.needs)

    @property
    def coverage(self) -> Coverage:
        total = ZERO
        for n in self.needs:
            total = total + n.coverage
        return total


def project_view(session: Session, project_id: object, *, contributions_page: int = 1,
                 per_page: int = CONTRIBUTIONS_PER_PAGE) -> ProjectView:
    """A public project with its needs' coverage and accepted contributions; drafts are not public."""
    if isinstance(project_id, bool) or not isinstance(project_id, int):
        raise NotFound("project_not_found")
    project = session.scalar(select(Project).where(Project.id == project_id)
                             .options(selectinload(Project.table).selectinload(Table.chair),
                                      selectinload(Project.district),
                                      selectinload(Project.needs).selectinload(Need.skills)))
    if project is None or project.status not in PUBLIC_STATUSES:
        raise NotFound("project_not_found")
    cov = _coverage_subquery()
    coverage = {nid: Coverage(int(q), int(a), int(d), int(p)) for nid, q, a, d, p in session.execute(
        select(cov.c.need_id, cov.c.quantity, cov.c.accepted, cov.c.delivered, cov.c.proposed)
        .where(cov.c.project_id == project.id))}
    needs = [NeedView(n.id, n.kind, n.description or "", n.window_start, n.window_end,
                      [Choice(s.id, s.name_fa, s.name_en, slug=s.slug) for s in n.skills],
                      coverage.get(n.id, Coverage(n.quantity, 0, 0, 0))) for n in project.needs
             if n.removed_at is None]

    decided = (select(Allocation.id).join(Need, Need.id == Allocation.need_id)
               .where(Need.project_id == project.id, Allocation.status.in_(FIXED_ALLOCATION)))
    total = session.scalar(select(func.count()).select_from(decided.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, contributions_page), pages)
    rows = session.execute(
        select(Allocation.quantity, Allocation.status, Allocation.decided_at, Allocation.delivered_at, Need.kind,
               Need.description, User.name, User.show_name_publicly, Organization.name_fa, Organization.name_en)
        .join(Need, Need.id == Allocation.need_id).join(Pledge, Pledge.id == Allocation.pledge_id)
        .join(User, User.id == Pledge.citizen_id)
        .outerjoin(Organization, Organization.id == Pledge.organization_id)
        .where(Need.project_id == project.id, Allocation.status.in_(FIXED_ALLOCATION))
        .order_by(Allocation.decided_at.desc(), Allocation.id.desc())
        .offset((page - 1) * per_page).limit(per_page)).all()
    contributions = [Contribution(HelpKind(kind), int(qty), AllocationStatus(status), name if shown else None,
                                  decided_at, delivered_at, desc or "", (org_fa, org_en or org_fa) if org_fa else None)
                     for qty, status, decided_at, delivered_at, kind, desc, name, shown, org_fa, org_en in rows]
    chair = project.table.chair
    return ProjectView(project, project.table, chair.name if chair is not None else None, project.district,
                       needs, contributions, int(total), page, pages)


__all__ = ["Choice", "Contribution", "Coverage", "Horizon", "NeedView", "ProjectCard", "ProjectFilter", "ProjectPage",
           "ProjectView", "Totals", "browse_projects", "cards", "district_and_below", "district_choices",
           "most_in_need", "normalise_text", "project_view", "skill_choices", "table_choices", "totals"]
