"""The governorate's dashboard as SQL aggregates: what was mobilised, by kind, table, district, month.

Imports sqlalchemy, jdatetime and models only; never dash or flask. Every figure is a GROUP BY in the
database; Python only folds the few grouped rows (days into Jalali months, links into a Sankey).

"Mobilised" means allocations that a chair accepted or marked delivered, from citizens' pledges: the
governorate's own PB budget (the system account, models.core.system_accounts) is public money and is
counted apart (`Headline.public_budget`), never in the citizens' figures. Its value in rials is the
money itself, or quantity x the governorate's valuation rate for in-kind help (an item's own rate,
matched on the pledge's description, before the kind's default rate). The date of a mobilisation
is when it was decided; its district is the district (بخش) of the project it went to.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import jdatetime
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from models.core.clock import COUNTY_TZ
from models.core.enums import (
    FIXED_ALLOCATION,
    AllocationStatus,
    DistrictLevel,
    HelpKind,
    ProjectStatus,
    RunScope,
)
from models.core.errors import ValidationError
from models.core.system_accounts import system_user_ids
from models.orm.geo import District
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table
from models.orm.valuation import ValuationRate

TEHRAN = COUNTY_TZ
KINDS = tuple(HelpKind)
LIVE_PROJECT = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)


@dataclass(frozen=True)
class DashboardFilter:
    """What the governorate narrowed the dashboard to; None means "all"."""

    date_from: date | None = None
    date_to: date | None = None
    table_id: int | None = None
    kind: HelpKind | None = None
    district_id: int | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValidationError("date_range_invalid", field="date_to")
        if self.kind is not None and not isinstance(self.kind, HelpKind):
            try:
                object.__setattr__(self, "kind", HelpKind(self.kind))
            except ValueError:
                raise ValidationError("kind_unknown", field="kind") from None


def day_start_utc(day: date) -> datetime:
    """Midnight of `day` in Iran, as a UTC datetime (the filters speak in Iranian days)."""
    return datetime.combine(day, time(0), TEHRAN).astimezone(UTC)


# --- building blocks -----------------------------------------------------------------------------


def top_district_expr(district):
    """The district (بخش) a place belongs to: a city's or rural district's parent, else itself."""
    return case((district.level.in_([DistrictLevel.CITY, DistrictLevel.RURAL]), district.parent_id),
                else_=district.id)


def value_expr(kind_col, quantity_col, item_rate, default_rate):
    """Rials: money as it is; in-kind quantity x (the item's rate, else the kind's default, else 0)."""
    rate = func.coalesce(item_rate.rials_per_unit, default_rate.rials_per_unit, 0)
    return case((kind_col == HelpKind.FINANCIAL, quantity_col), else_=quantity_col * rate)


def rate_joins(stmt, kind_col, description_col):
    item_rate = aliased(ValuationRate, name="item_rate")
    default_rate = aliased(ValuationRate, name="default_rate")
    stmt = stmt.outerjoin(item_rate, and_(item_rate.kind == kind_col, item_rate.item != "",
                                          item_rate.item == description_col))
    stmt = stmt.outerjoin(default_rate, and_(default_rate.kind == kind_col, default_rate.item == ""))
    return stmt, item_rate, default_rate


def mobilised_rows(f: DashboardFilter, *, public: bool = False):
    """A subquery of every mobilised allocation with what the aggregates group by (one row each).

    Citizens' help by default; `public=True`: what the governorate's PB budget funded instead.
    """
    district = aliased(District, name="project_district")
    decided = func.coalesce(Allocation.decided_at, Allocation.created_at)
    stmt = (select(Allocation.id).select_from(Allocation)
            .join(Pledge, Pledge.id == Allocation.pledge_id)
            .join(Need, Need.id == Allocation.need_id)
            .join(Project, Project.id == Need.project_id)
            .outerjoin(district, district.id == Project.district_id))
    stmt, item_rate, default_rate = rate_joins(stmt, Pledge.kind, Pledge.description)
    top = top_district_expr(district)
    stmt = stmt.with_only_columns(
        Allocation.id.label("allocation_id"),
        Pledge.kind.label("kind"),
        Allocation.quantity.label("quantity"),
        value_expr(Pledge.kind, Allocation.quantity, item_rate, default_rate).label("value"),
        Pledge.citizen_id.label("citizen_id"),
        Project.table_id.label("table_id"),
        Project.id.label("project_id"),
        top.label("district_id"),
        decided.label("decided_at"),
    ).where(Allocation.status.in_(FIXED_ALLOCATION))
    budget = system_user_ids()
    stmt = stmt.where(Pledge.citizen_id.in_(budget) if public else Pledge.citizen_id.not_in(budget))
    stmt = _filtered(stmt, f, decided, Project.table_id, Pledge.kind, top, district.id)
    return stmt.subquery("mobilised")


def _filtered(stmt, f: DashboardFilter, at_col, table_col, kind_col, top_col, district_col):
    if f.date_from:
        stmt = stmt.where(at_col >= day_start_utc(f.date_from))
    if f.date_to:
        stmt = stmt.where(at_col < day_start_utc(f.date_to + timedelta(days=1)))
    if f.table_id is not None:
        stmt = stmt.where(table_col == f.table_id)
    if f.kind is not None:
        stmt = stmt.where(kind_col == f.kind)
    if f.district_id is not None and top_col is not None:
        stmt = stmt.where(or_(top_col == f.district_id, district_col == f.district_id))
    return stmt


def _int(value) -> int:
    return int(value or 0)


# --- the aggregates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindTotal:
    kind: HelpKind
    quantity: int
    value: int          # rials
    allocations: int


@dataclass(frozen=True)
class Headline:
    by_kind: list[KindTotal]
    total_value: int
    citizens: int
    allocations: int
    public_budget: int = 0   # rials the governorate's PB budget funded (not in total_value)


def headline(session: Session, f: DashboardFilter) -> Headline:
    """Resources mobilised per kind of help (quantity in its unit, value in rials) and their total."""
    m = mobilised_rows(f)
    rows = session.execute(select(m.c.kind, func.sum(m.c.quantity), func.sum(m.c.value), func.count())
                           .group_by(m.c.kind)).all()
    got = {HelpKind(k): (_int(q), _int(v), _int(n)) for k, q, v, n in rows}
    by_kind = [KindTotal(k, *got.get(k, (0, 0, 0))) for k in KINDS if f.kind in (None, k)]
    citizens = _int(session.scalar(select(func.count(func.distinct(m.c.citizen_id)))))
    pub = mobilised_rows(f, public=True)
    public_budget = _int(session.scalar(select(func.sum(pub.c.value))))
    return Headline(by_kind, sum(k.value for k in by_kind), citizens, sum(k.allocations for k in by_kind),
                    public_budget)


@dataclass(frozen=True)
class GroupTotal:
    """One bar: a table or district (id, names) with its mobilised value per kind of help."""

    id: int | None
    name_fa: str
    name_en: str
    value_by_kind: dict[HelpKind, int] = field(default_factory=dict)

    @property
    def value(self) -> int:
        return sum(self.value_by_kind.values())


def by_table(session: Session, f: DashboardFilter) -> list[GroupTotal]:
    m = mobilised_rows(f)
    rows = session.execute(
        select(Table.id, Table.name_fa, Table.name_en, m.c.kind, func.sum(m.c.value))
        .select_from(m).join(Table, Table.id == m.c.table_id)
        .group_by(Table.id, Table.name_fa, Table.name_en, m.c.kind)).all()
    return _fold_groups(rows)


def by_district(session: Session, f: DashboardFilter) -> list[GroupTotal]:
    m = mobilised_rows(f)
    rows = session.execute(
        select(District.id, District.name_fa, District.name_en, m.c.kind, func.sum(m.c.value))
        .select_from(m).outerjoin(District, District.id == m.c.district_id)
        .group_by(District.id, District.name_fa, District.name_en, m.c.kind)).all()
    return _fold_groups(rows)


def _fold_groups(rows) -> list[GroupTotal]:
    groups: dict[int | None, GroupTotal] = {}
    for gid, fa, en, kind, value in rows:
        g = groups.setdefault(gid, GroupTotal(gid, fa or "", en or ""))
        g.value_by_kind[HelpKind(kind)] = _int(value)
    return sorted(groups.values(), key=lambda g: (-g.value, g.id is None, g.id or 0))


@dataclass(frozen=True)
class MonthTotal:
    year: int             # Jalali
    month: int            # Jalali, 1..12
    value_by_kind: dict[HelpKind, int]

    @property
    def value(self) -> int:
        return sum(self.value_by_kind.values())


def _local_day_expr(session: Session, col):
    """The Iranian calendar day of a UTC timestamp, as text 'YYYY-MM-DD', in the database's dialect."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(col, "+210 minutes")
    return func.to_char(func.timezone("Asia/Tehran", col), "YYYY-MM-DD")


def by_month(session: Session, f: DashboardFilter) -> list[MonthTotal]:
    """Mobilised value per Jalali month: SQL groups by Iranian day; the few day rows fold into months."""
    m = mobilised_rows(f)
    day = _local_day_expr(session, m.c.decided_at).label("day")
    rows = session.execute(select(day, m.c.kind, func.sum(m.c.value)).group_by(day, m.c.kind)).all()
    months: dict[tuple[int, int], dict[HelpKind, int]] = {}
    for day_text, kind, value in rows:
        j = jdatetime.date.fromgregorian(date=date.fromisoformat(str(day_text)[:10]))
        bucket = months.setdefault((j.year, j.month), {})
        bucket[HelpKind(kind)] = bucket.get(HelpKind(kind), 0) + _int(value)
    return [MonthTotal(y, mo, v) for (y, mo), v in sorted(months.items())]


@dataclass(frozen=True)
class SankeyFlows:
    """Value in rials flowing kind -> table and table -> project."""

    tables: dict[int, tuple[str, str]]
    projects: dict[int, tuple[str, str, int]]           # id -> (title fa, title en, table id)
    kind_to_table: dict[tuple[HelpKind, int], int]
    table_to_project: dict[tuple[int, int], int]


def flows(session: Session, f: DashboardFilter) -> SankeyFlows:
    m = mobilised_rows(f)
    rows = session.execute(
        select(m.c.kind, m.c.table_id, m.c.project_id, func.sum(m.c.value))
        .group_by(m.c.kind, m.c.table_id, m.c.project_id)).all()
    kind_to_table: dict[tuple[HelpKind, int], int] = {}
    table_to_project: dict[tuple[int, int], int] = {}
    for kind, tid, pid, value in rows:
        key = (HelpKind(kind), tid)
        kind_to_table[key] = kind_to_table.get(key, 0) + _int(value)
        table_to_project[(tid, pid)] = table_to_project.get((tid, pid), 0) + _int(value)
    table_ids = {t for _, t in kind_to_table}
    project_ids = {p for _, p in table_to_project}
    tables = {tid: (fa, en) for tid, fa, en in session.execute(
        select(Table.id, Table.name_fa, Table.name_en).where(Table.id.in_(table_ids)))} if table_ids else {}
    projects = {pid: (fa, en or fa, tid) for pid, fa, en, tid in session.execute(
        select(Project.id, Project.title_fa, Project.title_en, Project.table_id).where(Project.id.in_(project_ids)))
    } if project_ids else {}
    return SankeyFlows(tables, projects, kind_to_table, table_to_project)


@dataclass(frozen=True)
class ProjectCoverage:
    project_id: int
    title_fa: str
    title_en: str
    table_id: int
    needed_value: int       # rials, every need valued
    covered_value: int      # rials, accepted and delivered (capped at each need)
    proposed_value: int     # rials, proposals awaiting the chair (capped at what is left)

    @property
    def coverage(self) -> float:
        return self.covered_value / self.needed_value if self.needed_value else 0.0


def coverage(session: Session, f: DashboardFilter) -> list[ProjectCoverage]:
    """Every open or running project: the value of its needs, how much is covered and proposed.

    The kind, table and district filters narrow the needs and projects; dates do not (a need is
    covered or not whenever the help came).
    """
    fixed = (select(Allocation.need_id, func.sum(Allocation.quantity).label("q"))
             .where(Allocation.status.in_(FIXED_ALLOCATION)).group_by(Allocation.need_id).subquery("fixed"))
    proposed = (select(Allocation.need_id, func.sum(Allocation.quantity).label("q"))
                .where(Allocation.status == AllocationStatus.PROPOSED).group_by(Allocation.need_id)
                .subquery("proposed"))
    district = aliased(District, name="project_district")
    top = top_district_expr(district)
    stmt = (select(Need.id).select_from(Need).join(Project, Project.id == Need.project_id)
            .outerjoin(district, district.id == Project.district_id)
            .outerjoin(fixed, fixed.c.need_id == Need.id).outerjoin(proposed, proposed.c.need_id == Need.id))
    stmt, item_rate, default_rate = rate_joins(stmt, Need.kind, Need.description)
    covered_q = func.min(Need.quantity, func.coalesce(fixed.c.q, 0)) if _is_sqlite(session) else \
        func.least(Need.quantity, func.coalesce(fixed.c.q, 0))
    left = Need.quantity - covered_q
    proposed_q = func.min(left, func.coalesce(proposed.c.q, 0)) if _is_sqlite(session) else \
        func.least(left, func.coalesce(proposed.c.q, 0))
    stmt = stmt.with_only_columns(
        Project.id, Project.title_fa, Project.title_en, Project.table_id,
        func.sum(value_expr(Need.kind, Need.quantity, item_rate, default_rate)),
        func.sum(value_expr(Need.kind, covered_q, item_rate, default_rate)),
        func.sum(value_expr(Need.kind, proposed_q, item_rate, default_rate)),
    ).where(Project.status.in_(LIVE_PROJECT), Need.removed_at.is_(None)).group_by(
        Project.id, Project.title_fa, Project.title_en,
                                                        Project.table_id)
    stmt = _filtered(stmt, DashboardFilter(table_id=f.table_id, kind=f.kind, district_id=f.district_id),
                     None, Project.table_id, Need.kind, top, district.id)
    rows = session.execute(stmt).all()
    out = [ProjectCoverage(pid, fa, en or fa, tid, _int(need), _int(cov), _int(prop))
           for pid, fa, en, tid, need, cov, prop in rows]
    return sorted(out, key=lambda c: (c.coverage, c.project_id))


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@dataclass(frozen=True)
class RunRow:
    id: int
    started_at: datetime
    scope: RunScope
    table_id: int | None
    table_fa: str | None
    table_en: str | None
    status: str
    n_pledges: int
    n_needs: int
    n_pairs: int
    n_proposed: int
    objective: float | None
    gap: float | None
    seconds: float | None


def matching_runs(session: Session, f: DashboardFilter, limit: int = 50) -> list[RunRow]:
    """The newest matching runs in the date range (for a table: its own runs and county-wide ones)."""
    stmt = (select(MatchingRun, Table.name_fa, Table.name_en).outerjoin(Table, Table.id == MatchingRun.table_id)
            .order_by(MatchingRun.started_at.desc(), MatchingRun.id.desc()).limit(limit))
    if f.date_from:
        stmt = stmt.where(MatchingRun.started_at >= day_start_utc(f.date_from))
    if f.date_to:
        stmt = stmt.where(MatchingRun.started_at < day_start_utc(f.date_to + timedelta(days=1)))
    if f.table_id is not None:
        stmt = stmt.where(or_(MatchingRun.table_id == f.table_id, MatchingRun.scope == RunScope.COUNTY))
    return [RunRow(r.id, r.started_at, r.scope, r.table_id, fa, en, r.status.value, r.n_pledges, r.n_needs, r.n_pairs,
                   r.n_proposed, r.objective, r.gap, r.seconds) for r, fa, en in session.execute(stmt)]


@dataclass(frozen=True)
class Dashboard:
    filter: DashboardFilter
    headline: Headline
    by_table: list[GroupTotal]
    by_district: list[GroupTotal]
    by_month: list[MonthTotal]
    flows: SankeyFlows
    coverage: list[ProjectCoverage]
    runs: list[RunRow]


def dashboard(session: Session, f: DashboardFilter) -> Dashboard:
    """Everything the governorate's dashboard shows, for one filter (the page's one domain call)."""
    return Dashboard(f, headline(session, f), by_table(session, f), by_district(session, f), by_month(session, f),
                     flows(session, f), coverage(session, f), matching_runs(session, f))


@dataclass(frozen=True)
class FilterChoices:
    tables: list[tuple[int, str, str]]
    districts: list[tuple[int, str, str]]
    first_day: date | None
    last_day: date | None


def filter_choices(session: Session) -> FilterChoices:
    """The tables (archived too: history stays) and districts (بخش) the filters offer."""
    tables = [(r[0], r[1], r[2]) for r in session.execute(
        select(Table.id, Table.name_fa, Table.name_en).order_by(Table.id))]
    districts = [(r[0], r[1], r[2]) for r in session.execute(
        select(District.id, District.name_fa, District.name_en).where(District.level == DistrictLevel.DISTRICT)
        .order_by(District.id))]
    first, last = session.execute(select(func.min(Allocation.decided_at), func.max(Allocation.decided_at))).one()
    return FilterChoices(tables, districts, first.astimezone(TEHRAN).date() if first else None,
                         last.astimezone(TEHRAN).date() if last else None)


__all__ = ["Dashboard", "DashboardFilter", "FilterChoices", "GroupTotal", "Headline", "KindTotal", "MonthTotal",
           "ProjectCoverage", "RunRow", "SankeyFlows", "by_district", "by_month", "by_table", "coverage", "dashboard",
           "day_start_utc", "filter_choices", "flows", "headline", "matching_runs", "mobilised_rows",
           "top_district_expr", "value_expr"]
