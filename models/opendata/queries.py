"""The open-data queries: pure reads returning plain dicts (JSON-ready: ints, strings, ISO dates, None).

Imports sqlalchemy and the models foundation only. The rules of what may be published are in the
package's docstring (models.opendata) and models.opendata.privacy. Each `list_*` takes a cursor (the
last id of the previous page, None for the first) and a limit, and returns
{"items": [...], "next_cursor": id or None}; `all_*` returns every item (the bulk downloads).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from models.core.clock import county_today
from models.core.enums import (
    FIXED_ALLOCATION,
    UNIT_OF_KIND,
    AllocationStatus,
    PBPhase,
    ProjectKind,
    ProjectStatus,
    RunScope,
    RunStatus,
)
from models.core.referral_figures import figures as referral_figures
from models.core.system_accounts import system_user_ids
from models.opendata.privacy import publishable
from models.orm.geo import District
from models.orm.organizations import Organization
from models.orm.pb import PBBallot, PBCycle, PBCycleHeading, PBCycleImport, PBCycleProject
from models.orm.people import User
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need, Project
from models.orm.proposals import CitizenProposal, ProposalSupport
from models.orm.results import Indicator, Milestone, ProgressUpdate
from models.orm.tables import Table, TableMembership

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# Drafts are the table's work in progress, not yet published (the project pages hide them too).
PUBLIC_PROJECT_STATUSES = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED,
                           ProjectStatus.CANCELLED)
BULK_BATCH = 500

Item = dict[str, Any]
Page = dict[str, Any]


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


@dataclass(frozen=True)
class ProjectQuery:
    """The project filters (None: all). `district_id` takes the district and every place inside it."""

    table_id: int | None = None
    district_id: int | None = None
    status: ProjectStatus | None = None
    kind: ProjectKind | None = None


@dataclass(frozen=True)
class RunQuery:
    table_id: int | None = None
    status: RunStatus | None = None
    scope: RunScope | None = None


def _page(items: list[Item], limit: int) -> Page:
    """`items` holds up to limit + 1 rows: the extra one only says that another page follows."""
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1]["id"] if more and items else None}


def _keyset(stmt, id_col, cursor: int | None, limit: int):
    if cursor is not None:
        stmt = stmt.where(id_col > cursor)
    return stmt.order_by(id_col).limit(limit + 1)


def _batches(fetch) -> list[Item]:
    """Every item of a paged `fetch(cursor, limit)`, a batch at a time (bounded memory per query)."""
    out: list[Item] = []
    cursor = None
    while True:
        page = fetch(cursor, BULK_BATCH)
        out.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return out


# --- places ------------------------------------------------------------------------------------------


def _district(d: District) -> Item:
    return {"id": d.id, "slug": d.slug, "name_fa": d.name_fa, "name_en": d.name_en, "level": d.level.value,
            "parent_id": d.parent_id, "population_2016": d.population_2016, "lat": d.lat, "lon": d.lon}


def list_districts(session: Session, cursor: int | None = None, limit: int = DEFAULT_LIMIT) -> Page:
    rows = session.scalars(_keyset(select(District), District.id, cursor, limit))
    return _page([_district(d) for d in rows], limit)


def places_within(session: Session, district_id: int) -> list[int]:
    """The place and every place below it (a district's cities and rural districts)."""
    found, frontier = {district_id}, [district_id]
    while frontier:
        children = list(session.scalars(select(District.id).where(District.parent_id.in_(frontier))))
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return sorted(found)


# --- tables ------------------------------------------------------------------------------------------


def list_tables(session: Session, cursor: int | None = None, limit: int = DEFAULT_LIMIT) -> Page:
    members = (select(TableMembership.table_id, func.count().label("n")).where(TableMembership.left_at.is_(None))
               .group_by(TableMembership.table_id).subquery("members"))
    projects = (select(Project.table_id, func.count().label("n")).where(Project.status.in_(PUBLIC_PROJECT_STATUSES))
                .group_by(Project.table_id).subquery("projects"))
    stmt = (select(Table, User.name, User.show_name_publicly, members.c.n, projects.c.n)
            .outerjoin(User, User.id == Table.chair_id)
            .outerjoin(members, members.c.table_id == Table.id).outerjoin(projects, projects.c.table_id == Table.id))
    items = [{"id": t.id, "slug": t.slug, "name_fa": t.name_fa, "name_en": t.name_en, "domain": t.domain,
              "description_fa": t.description_fa or "", "description_en": t.description_en or "",
              "archived": t.archived_at is not None,
              "chair_name": chair if chair and shown else None,
              "members": int(n_members or 0), "projects": int(n_projects or 0)}
             for t, chair, shown, n_members, n_projects in session.execute(_keyset(stmt, Table.id, cursor, limit))]
    return _page(items, limit)


# --- projects and their needs ------------------------------------------------------------------------


def _need_totals(session: Session, need_ids: list[int]) -> dict[int, tuple[int, int, int, int]]:
    """need id -> (accepted incl. delivered, delivered, proposed, distinct people who gave or were proposed)."""
    if not need_ids:
        return {}

    def total(condition):
        return func.coalesce(func.sum(case((condition, Allocation.quantity), else_=0)), 0)

    live = (*FIXED_ALLOCATION, AllocationStatus.PROPOSED)
    person = case((Pledge.citizen_id.in_(system_user_ids()), None), else_=Pledge.citizen_id)
    stmt = (select(Allocation.need_id, total(Allocation.status.in_(FIXED_ALLOCATION)),
                   total(Allocation.status == AllocationStatus.DELIVERED),
                   total(Allocation.status == AllocationStatus.PROPOSED), func.count(distinct(person)))
            .join(Pledge, Pledge.id == Allocation.pledge_id)
            .where(Allocation.need_id.in_(need_ids), Allocation.status.in_(live))
            .group_by(Allocation.need_id))
    return {nid: (int(a), int(d), int(p), int(n)) for nid, a, d, p, n in session.execute(stmt)}


def _need(n: Need, totals: tuple[int, int, int, int]) -> Item:
    accepted, delivered, proposed, people = totals
    shown = publishable(people)
    return {"id": n.id, "project_id": n.project_id, "kind": n.kind.value, "unit": UNIT_OF_KIND[n.kind],
            "quantity": int(n.quantity), "description": n.description or "",
            "window_start": iso(n.window_start), "window_end": iso(n.window_end),
            "accepted": accepted if shown else None, "delivered": delivered if shown else None,
            "proposed": proposed if shown else None, "contributors": people if shown else None,
            "suppressed": not shown}


def _project_filter(session: Session, stmt, q: ProjectQuery):
    stmt = stmt.where(Project.status.in_(PUBLIC_PROJECT_STATUSES))
    if q.table_id is not None:
        stmt = stmt.where(Project.table_id == q.table_id)
    if q.district_id is not None:
        stmt = stmt.where(Project.district_id.in_(places_within(session, q.district_id)))
    if q.status is not None:
        stmt = stmt.where(Project.status == q.status)
    if q.kind is not None:
        stmt = stmt.where(Project.kind == q.kind)
    return stmt


def _projects(session: Session, projects: list[Project]) -> list[Item]:
    needs_of: defaultdict[int, list[Need]] = defaultdict(list)
    ids = [p.id for p in projects]
    for n in session.scalars(select(Need).where(Need.project_id.in_(ids), Need.removed_at.is_(None)).order_by(Need.id)) if ids else ():
        needs_of[n.project_id].append(n)
    totals = _need_totals(session, [n.id for ns in needs_of.values() for n in ns])
    givers = _project_contributors(session, ids)
    out = []
    for p in projects:
        people = givers.get(p.id, 0)
        out.append({
            "id": p.id, "table_id": p.table_id, "kind": p.kind.value, "status": p.status.value,
            "title_fa": p.title_fa, "title_en": p.title_en or p.title_fa,
            "summary_fa": p.summary_fa or "", "summary_en": p.summary_en or "",
            "horizon": p.horizon.value if p.horizon is not None else None,
            "district_id": p.district_id, "priority": p.priority, "pb_support": float(p.pb_support or 0.0),
            "estimated_cost_rials": int(p.estimated_cost_rials or 0),
            "created_at": iso(p.created_at), "updated_at": iso(p.updated_at),
            "contributors": people if publishable(people) else None,
            "needs": [_need(n, totals.get(n.id, (0, 0, 0, 0))) for n in needs_of.get(p.id, [])],
        })
    return out


def _project_contributors(session: Session, project_ids: list[int]) -> dict[int, int]:
    """project id -> distinct people whose help was accepted or delivered (the PB budget not counted)."""
    if not project_ids:
        return {}
    stmt = (select(Need.project_id, func.count(distinct(Pledge.citizen_id)))
            .select_from(Allocation).join(Need, Need.id == Allocation.need_id)
            .join(Pledge, Pledge.id == Allocation.pledge_id)
            .where(Need.project_id.in_(project_ids), Allocation.status.in_(FIXED_ALLOCATION),
                   Pledge.citizen_id.not_in(system_user_ids()))
            .group_by(Need.project_id))
    return {pid: int(n) for pid, n in session.execute(stmt)}


def list_projects(session: Session, q: ProjectQuery = ProjectQuery(), cursor: int | None = None,
                  limit: int = DEFAULT_LIMIT) -> Page:
    stmt = _keyset(_project_filter(session, select(Project), q), Project.id, cursor, limit)
    return _page(_projects(session, list(session.scalars(stmt))), limit)


def get_project(session: Session, project_id: int) -> Item | None:
    """One public project with its needs, or None (unknown, or a draft)."""
    project = session.get(Project, project_id)
    if project is None or project.status not in PUBLIC_PROJECT_STATUSES:
        return None
    return _projects(session, [project])[0]


def all_needs(session: Session) -> list[Item]:
    """Every need of every public project, one row each (the bulk "needs" file)."""
    return [n for p in _batches(lambda c, lim: list_projects(session, ProjectQuery(), c, lim)) for n in p["needs"]]


# --- participatory budgeting -------------------------------------------------------------------------


def _results(session: Session, cycle: PBCycle, rows: list[PBCycleProject]) -> Item:
    """A published cycle's counts: per project (cost, votes, funded), per heading, and the ballots."""
    ballots = dict(session.execute(select(PBBallot.district_id, func.count(PBBallot.id))
                                   .where(PBBallot.cycle_id == cycle.id).group_by(PBBallot.district_id)).all())
    spent = sum(r.cost_rials for r in rows if r.funded)
    headings = []
    for h in session.scalars(select(PBCycleHeading).where(PBCycleHeading.cycle_id == cycle.id)
                             .order_by(PBCycleHeading.id)):
        mine = [r for r in rows if r.heading_id == h.id]
        headings.append({"id": h.id, "district_id": h.district_id, "budget_rials": int(h.budget_rials),
                         "spent_rials": sum(int(r.cost_rials) for r in mine if r.funded),
                         "ballots": int(sum(ballots.values()) if h.district_id is None
                                        else ballots.get(h.district_id, 0))})
    ordered = sorted(rows, key=lambda r: (not r.funded, -r.votes, r.project_id))
    return {"ballots": int(sum(ballots.values())), "spent_rials": int(spent),
            "budget_left_rials": int(cycle.budget_rials - spent),
            "projects": [{"project_id": r.project_id, "cost_rials": int(r.cost_rials), "votes": int(r.votes),
                          "funded": bool(r.funded)} for r in ordered],
            "headings": headings}


def _cycle(session: Session, cycle: PBCycle) -> Item:
    rows = list(session.scalars(select(PBCycleProject).where(PBCycleProject.cycle_id == cycle.id)
                                .order_by(PBCycleProject.project_id)))
    published = cycle.phase is PBPhase.RESULTS
    return {"id": cycle.id, "name_fa": cycle.name_fa, "name_en": cycle.name_en, "phase": cycle.phase.value,
            "budget_rials": int(cycle.budget_rials), "ballot_rule": cycle.ballot_rule.value,
            "max_approvals": cycle.max_approvals, "counting_rule": cycle.counting_rule.value,
            "voting_opens_at": iso(cycle.voting_opens_at), "voting_closes_at": iso(cycle.voting_closes_at),
            # What is on the ballot is public from the start; the counts only once published.
            "projects": [{"project_id": r.project_id, "cost_rials": int(r.cost_rials), "heading_id": r.heading_id}
                         for r in rows],
            "results": _results(session, cycle, rows) if published else None}


def _county_cycles():
    """Cycles of the county's own budgeting: a pabulib election imported to try the rules on is not one."""
    return select(PBCycle).where(PBCycle.id.not_in(select(PBCycleImport.cycle_id)))


def list_pb_cycles(session: Session, phase: PBPhase | None = None, cursor: int | None = None,
                   limit: int = DEFAULT_LIMIT) -> Page:
    stmt = _county_cycles()
    if phase is not None:
        stmt = stmt.where(PBCycle.phase == phase)
    return _page([_cycle(session, c) for c in session.scalars(_keyset(stmt, PBCycle.id, cursor, limit))], limit)


def get_pb_cycle(session: Session, cycle_id: int) -> Item | None:
    cycle = session.scalar(_county_cycles().where(PBCycle.id == cycle_id))
    return _cycle(session, cycle) if cycle is not None else None


def published_cycle_ids(session: Session) -> list[int]:
    """The county's cycles whose results are published (their .pb files are public)."""
    return list(session.scalars(_county_cycles().with_only_columns(PBCycle.id)
                                .where(PBCycle.phase == PBPhase.RESULTS).order_by(PBCycle.id)))


def all_pb_results(session: Session) -> list[Item]:
    """One row per project of each published cycle (the bulk "pb-results" file)."""
    rows = []
    for c in _batches(lambda cur, lim: list_pb_cycles(session, PBPhase.RESULTS, cur, lim)):
        for r in c["results"]["projects"]:
            rows.append({"cycle_id": c["id"], **r})
    return rows


# --- matching runs -----------------------------------------------------------------------------------


def _run(r: MatchingRun) -> Item:
    # The error text and the parameters stay inside: they can name internals; the status says enough.
    return {"id": r.id, "scope": r.scope.value, "table_id": r.table_id, "status": r.status.value,
            "started_at": iso(r.started_at), "finished_at": iso(r.finished_at),
            "n_pledges": r.n_pledges, "n_needs": r.n_needs, "n_pairs": r.n_pairs, "n_proposed": r.n_proposed,
            "n_withdrawn": r.n_withdrawn, "objective": r.objective, "gap": r.gap, "seconds": r.seconds}


def list_runs(session: Session, q: RunQuery = RunQuery(), cursor: int | None = None,
              limit: int = DEFAULT_LIMIT) -> Page:
    stmt = select(MatchingRun)
    if q.table_id is not None:
        stmt = stmt.where(MatchingRun.table_id == q.table_id)
    if q.status is not None:
        stmt = stmt.where(MatchingRun.status == q.status)
    if q.scope is not None:
        stmt = stmt.where(MatchingRun.scope == q.scope)
    return _page([_run(r) for r in session.scalars(_keyset(stmt, MatchingRun.id, cursor, limit))], limit)


def latest_runs(session: Session, limit: int = 10) -> list[Item]:
    """The newest runs first (the transparency page)."""
    return [_run(r) for r in session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc()).limit(limit))]


# --- a project's target and path: indicators (with their curve's points) and milestones ----------------


@dataclass(frozen=True)
class ResultQuery:
    """Milestones or indicators of one project, or of one table's projects (None: all public projects)."""

    project_id: int | None = None
    table_id: int | None = None


def _result_filter(stmt, owner_col, q: ResultQuery):
    stmt = stmt.join(Project, Project.id == owner_col).where(Project.status.in_(PUBLIC_PROJECT_STATUSES))
    if q.project_id is not None:
        stmt = stmt.where(Project.id == q.project_id)
    if q.table_id is not None:
        stmt = stmt.where(Project.table_id == q.table_id)
    return stmt


def list_milestones(session: Session, q: ResultQuery = ResultQuery(), cursor: int | None = None,
                    limit: int = DEFAULT_LIMIT, today: date | None = None) -> Page:
    """The public projects' milestones (the path the project page shows), each flagged late or not."""
    day = today or county_today()
    stmt = _keyset(_result_filter(select(Milestone), Milestone.project_id, q), Milestone.id, cursor, limit)
    return _page([{"id": m.id, "project_id": m.project_id, "title": m.title, "due_on": iso(m.due_on),
                   "done_on": iso(m.done_on), "late": m.is_late(day), "responsible": m.responsible or "",
                   "need_ids": [int(n) for n in (m.need_ids or [])]} for m in session.scalars(stmt)], limit)


def _points(session: Session, indicators: list[Indicator]) -> dict[int, list[Item]]:
    """indicator id -> its curve: the baseline (when dated), then each measured value in date order."""
    out: dict[int, list[Item]] = {i.id: ([{"on": iso(i.baseline_on), "value": i.baseline}]
                                         if i.baseline is not None and i.baseline_on is not None else [])
                                  for i in indicators}
    if out:
        for indicator_id, day, value in session.execute(
                select(ProgressUpdate.indicator_id, ProgressUpdate.measured_on, ProgressUpdate.value)
                .where(ProgressUpdate.indicator_id.in_(list(out)))
                .order_by(ProgressUpdate.measured_on, ProgressUpdate.id)):
            if indicator_id is not None and day is not None and value is not None:  # the CHECKs make them so
                out[indicator_id].append({"on": iso(day), "value": value})
    return out


def list_indicators(session: Session, q: ResultQuery = ResultQuery(), cursor: int | None = None,
                    limit: int = DEFAULT_LIMIT) -> Page:
    """The public projects' indicators: baseline, target, their dates and source, and the curve's points."""
    stmt = _keyset(_result_filter(select(Indicator), Indicator.project_id, q), Indicator.id, cursor, limit)
    rows = list(session.scalars(stmt))
    points = _points(session, rows)
    items = [{"id": i.id, "project_id": i.project_id, "name": i.name, "unit": i.unit or "",
              "baseline": i.baseline, "target": i.target, "source": i.source or "",
              "baseline_on": iso(i.baseline_on), "target_on": iso(i.target_on),
              "latest": points[i.id][-1]["value"] if points[i.id] else i.baseline, "points": points[i.id]}
             for i in rows]
    return _page(items, limit)


def all_indicator_points(session: Session) -> list[Item]:
    """One row per point of every public indicator's curve (the bulk "indicator-points" file)."""
    return [{"indicator_id": i["id"], "project_id": i["project_id"], **pt}
            for i in _batches(lambda c, lim: list_indicators(session, ResultQuery(), c, lim)) for pt in i["points"]]


# --- citizens' proposals and the chairs' answers -----------------------------------------------------


@dataclass(frozen=True)
class ProposalQuery:
    table_id: int | None = None
    district_id: int | None = None
    status: str | None = None
    kind: str | None = None


def list_proposals(session: Session, q: ProposalQuery = ProposalQuery(), cursor: int | None = None,
                   limit: int = DEFAULT_LIMIT) -> Page:
    """Citizens' proposals as their public page shows them, with the table's official answer; never the author,
    the supporters or a point on the map: supporters as a count only. Hidden proposals are left out."""
    stmt = select(CitizenProposal).where(CitizenProposal.hidden_at.is_(None))
    if q.table_id is not None:
        stmt = stmt.where(CitizenProposal.table_id == q.table_id)
    if q.district_id is not None:
        stmt = stmt.where(CitizenProposal.district_id.in_(places_within(session, q.district_id)))
    if q.status is not None:
        stmt = stmt.where(CitizenProposal.status == q.status)
    if q.kind is not None:
        stmt = stmt.where(CitizenProposal.kind == q.kind)
    rows = list(session.scalars(_keyset(stmt, CitizenProposal.id, cursor, limit)))
    ids = [p.id for p in rows]
    counts = dict(session.execute(select(ProposalSupport.proposal_id, func.count()).where(
        ProposalSupport.proposal_id.in_(ids)).group_by(ProposalSupport.proposal_id)).all()) if ids else {}
    items = [{"id": p.id, "kind": p.kind, "status": p.status, "table_id": p.table_id, "district_id": p.district_id,
              "title": p.title, "body": p.body, "affected": p.affected or "", "evidence": p.evidence or "",
              "since": p.since or "", "serves": p.serves or "", "duration": p.duration or "",
              "place": p.place or "", "supporters": int(counts.get(p.id, 0)), "created_at": iso(p.created_at),
              "answer_type": p.answer_type, "answer_text": p.answer_text or "", "decided_at": iso(p.decided_at),
              "forwarded_from_table_id": p.forwarded_from_id, "merged_into_id": p.merged_into_id,
              "project_id": p.project_id} for p in rows]
    return _page(items, limit)


# --- referrals: the public figures per table and per organization (/referrals) -----------------------


def _figures_key(of: str, addressee_id: int) -> int:
    """The figures' paging key: tables and organizations interleaved by id (both id spaces in one order)."""
    return addressee_id * 2 + (of == "organization")


def list_referral_figures(session: Session, of: str | None = None, cursor: int | None = None,
                          limit: int = DEFAULT_LIMIT, today: date | None = None) -> Page:
    """Every open table's and organization's referral figures (models.core.referral_figures), zeros where
    nothing was sent yet; `of` narrows to tables or organizations."""
    got = referral_figures(session, today or county_today())
    rows: list[tuple[int, Item]] = []
    addressees: list[tuple[str, Table | Organization]] = []
    if of in (None, "table"):
        addressees += [("table", t) for t in session.scalars(select(Table).order_by(Table.id))]
    if of in (None, "organization"):
        addressees += [("organization", o) for o in session.scalars(select(Organization).order_by(Organization.id))]
    for kind, a in addressees:
        f = got.get((kind, a.id))
        if a.archived_at is not None and f is None:
            continue
        rows.append((_figures_key(kind, a.id), {
            "of": kind, "id": a.id, "name_fa": a.name_fa, "name_en": a.name_en or "",
            "received": f.received if f else 0, "due": f.due if f else 0, "on_time": f.on_time if f else 0,
            "answered": f.answered if f else 0, "adopted": f.adopted if f else 0,
            "median_days": float(f.median_days) if f and f.median_days is not None else None}))
    rows.sort(key=lambda r: r[0])
    after = [r for r in rows if cursor is None or r[0] > cursor][:limit + 1]
    more = len(after) > limit
    after = after[:limit]
    return {"items": [item for _k, item in after], "next_cursor": after[-1][0] if more and after else None}


# --- the bulk files ----------------------------------------------------------------------------------


def _flat_projects(session: Session) -> list[Item]:
    return [{k: v for k, v in p.items() if k != "needs"} | {"needs": len(p["needs"])}
            for p in _batches(lambda c, lim: list_projects(session, ProjectQuery(), c, lim))]


BULK: dict[str, Any] = {
    "districts": lambda s: _batches(lambda c, lim: list_districts(s, c, lim)),
    "tables": lambda s: _batches(lambda c, lim: list_tables(s, c, lim)),
    "projects": _flat_projects,
    "needs": all_needs,
    "pb-results": all_pb_results,
    "matching-runs": lambda s: _batches(lambda c, lim: list_runs(s, RunQuery(), c, lim)),
    "milestones": lambda s: _batches(lambda c, lim: list_milestones(s, ResultQuery(), c, lim)),
    "indicators": lambda s: [{k: v for k, v in i.items() if k != "points"} | {"points": len(i["points"])}
                             for i in _batches(lambda c, lim: list_indicators(s, ResultQuery(), c, lim))],
    "indicator-points": all_indicator_points,
    "proposals": lambda s: _batches(lambda c, lim: list_proposals(s, ProposalQuery(), c, lim)),
    "referral-figures": lambda s: _batches(lambda c, lim: list_referral_figures(s, None, c, lim)),
}


def bulk(session: Session, dataset: str) -> list[Item]:
    """Every row of one bulk dataset (flat: no nested lists), for CSV and JSON downloads."""
    return BULK[dataset](session)


def columns(rows: Iterable[Item]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        seen.update(dict.fromkeys(r))
    return list(seen)


__all__ = ["BULK", "DEFAULT_LIMIT", "MAX_LIMIT", "PUBLIC_PROJECT_STATUSES", "ProjectQuery", "ProposalQuery",
           "ResultQuery", "RunQuery", "all_indicator_points", "all_needs", "all_pb_results", "bulk", "columns",
           "get_pb_cycle", "get_project", "iso", "latest_runs", "list_districts", "list_indicators",
           "list_milestones", "list_pb_cycles", "list_projects", "list_proposals", "list_referral_figures",
           "list_runs", "list_tables", "places_within", "published_cycle_ids"]
