"""Running the matching engine on the database: build the instance, solve, store proposals.

Imports sqlalchemy, `matching` and models. The instance follows MATCHING.md; ids are "p<id>",
"n<id>", "t<id>" and district slugs. A project's matching weight is
    priority (1–10, set by the chair) × (1 + PB support (0–1, share of ballots approving it)),
so a project every PB voter approved counts twice its chair-set priority.
"""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit import record, record_many
from models.base import utcnow
from models.capacity import assert_within_capacity, lock_rows, refresh_pledge_statuses
from models.db import Database
from models.enums import FIXED_ALLOCATION, AllocationStatus, PledgeStatus, ProjectStatus, RunScope, RunStatus
from models.errors import ValidationError
from models.geo import District
from models.pledges import Allocation, MatchingRun, Pledge
from models.projects import Need, Project
from models.skills import Skill, need_skills, pledge_skills, pledge_tables

MATCHABLE_PROJECTS = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)
DEFAULT_PARAMS = {"far_factor": 0.7, "near_factor": 0.85, "preferred_bonus": 0.25, "skill_floor": 0.5}


def project_weight(priority: int, pb_support: float) -> float:
    return float(priority) * (1.0 + max(0.0, min(1.0, pb_support)))


def _window(start: date | None, end: date | None) -> list[str] | None:
    if start is None or end is None:
        return None
    return [start.isoformat(), end.isoformat()]


@dataclass
class RunSummary:
    run_id: int
    proposed: int
    kept: int
    withdrawn: int
    objective: float
    seconds: float
    pledges: int
    needs: int


def build_instance(session: Session, scope: RunScope, table_id: int | None = None,
                   params: dict | None = None) -> dict:
    """The MATCHING.md instance for the county or one table, from what the database holds now."""
    slug_of = dict(session.execute(select(District.id, District.slug)).all())
    parent_slug = {slug_of[i]: (slug_of[p] if p else None)
                   for i, p in session.execute(select(District.id, District.parent_id))}

    need_q = (select(Need.id, Need.kind, Need.quantity, Need.window_start, Need.window_end, Project.id,
                     Project.table_id, Project.priority, Project.pb_support, Project.district_id)
              .join(Project, Need.project_id == Project.id).where(Project.status.in_(MATCHABLE_PROJECTS)))
    if scope is RunScope.TABLE:
        need_q = need_q.where(Project.table_id == table_id)
    need_rows = session.execute(need_q.order_by(Need.id)).all()
    in_scope_needs = {r[0] for r in need_rows}

    # Accepted and delivered quantities per pair, and current proposals.
    fixed = defaultdict(int)
    for pid, nid, qty in session.execute(select(Allocation.pledge_id, Allocation.need_id, func.sum(Allocation.quantity))
                                         .where(Allocation.status.in_(FIXED_ALLOCATION))
                                         .group_by(Allocation.pledge_id, Allocation.need_id)):
        fixed[(pid, nid)] += int(qty)
    proposals = session.execute(select(Allocation.pledge_id, Allocation.need_id, Allocation.quantity)
                                .where(Allocation.status == AllocationStatus.PROPOSED)).all()
    forbidden = set(session.execute(select(Allocation.pledge_id, Allocation.need_id)
                                    .where(Allocation.status == AllocationStatus.REJECTED)).all())

    # What each pledge and need still has, counting decisions and out-of-scope proposals as taken.
    pledge_rows = session.execute(select(Pledge.id, Pledge.kind, Pledge.quantity - Pledge.withdrawn_quantity,
                                         Pledge.district_id, Pledge.window_start, Pledge.window_end,
                                         Pledge.only_tables, Pledge.divisible)
                                  .where(Pledge.status != PledgeStatus.WITHDRAWN).order_by(Pledge.id)).all()
    taken_p = defaultdict(int)
    taken_n = defaultdict(int)
    for (pid, nid), qty in fixed.items():
        taken_p[pid] += qty
        taken_n[nid] += qty
    for pid, nid, qty in proposals:
        if nid not in in_scope_needs:
            taken_p[pid] += qty
    pledge_open = {r[0]: r[2] - taken_p[r[0]] for r in pledge_rows}
    live_pledges = {pid for pid, left in pledge_open.items() if left > 0}
    need_open = {r[0]: r[2] - taken_n[r[0]] for r in need_rows}
    live_needs = {nid for nid, left in need_open.items() if left > 0}
    fixed_live = {k: q for k, q in fixed.items() if k[0] in live_pledges and k[1] in live_needs}
    fixed_by_p, fixed_by_n = defaultdict(int), defaultdict(int)
    for (pid, nid), q in fixed_live.items():
        fixed_by_p[pid] += q
        fixed_by_n[nid] += q

    skills_of_need = defaultdict(list)
    for nid, slug in session.execute(select(need_skills.c.need_id, Skill.slug).join(Skill)
                                     .order_by(need_skills.c.need_id, Skill.slug)):
        skills_of_need[nid].append(slug)
    skills_of_pledge = defaultdict(list)
    for pid, slug in session.execute(select(pledge_skills.c.pledge_id, Skill.slug).join(Skill)
                                     .order_by(pledge_skills.c.pledge_id, Skill.slug)):
        skills_of_pledge[pid].append(slug)
    tables_of_pledge = defaultdict(list)
    for pid, tid in session.execute(select(pledge_tables.c.pledge_id, pledge_tables.c.table_id)
                                    .order_by(pledge_tables.c.pledge_id, pledge_tables.c.table_id)):
        tables_of_pledge[pid].append(f"t{tid}")

    needs = []
    for nid, kind, _qty, ws, we, project_id, tid, priority, support, did in need_rows:
        if nid not in live_needs:
            continue
        need = {"id": f"n{nid}", "project": f"pr{project_id}", "table": f"t{tid}", "kind": kind.value,
                "quantity": need_open[nid] + fixed_by_n[nid], "priority": project_weight(priority, support),
                "skills": skills_of_need[nid]}
        if did is not None:
            need["district"] = slug_of[did]
        if (window := _window(ws, we)) is not None:
            need["window"] = window
        needs.append(need)
    kinds_needed = {n["kind"] for n in needs}
    pledges = []
    for pid, kind, _qty, did, ws, we, only_tables, divisible in pledge_rows:
        if pid not in live_pledges or kind.value not in kinds_needed:
            continue
        if scope is RunScope.TABLE and only_tables and f"t{table_id}" not in tables_of_pledge[pid]:
            continue
        pledge = {"id": f"p{pid}", "kind": kind.value, "quantity": pledge_open[pid] + fixed_by_p[pid],
                  "skills": skills_of_pledge[pid], "tables": tables_of_pledge[pid],
                  "only_tables": bool(only_tables), "divisible": bool(divisible)}
        if did is not None:
            pledge["district"] = slug_of[did]
        if (window := _window(ws, we)) is not None:
            pledge["window"] = window
        pledges.append(pledge)
    present_p = {int(p["id"][1:]) for p in pledges}
    return {
        "version": 1,
        "districts": {slug: {"parent": parent} for slug, parent in sorted(parent_slug.items())},
        "needs": needs,
        "pledges": pledges,
        "fixed": [{"pledge": f"p{p}", "need": f"n{n}", "quantity": q}
                  for (p, n), q in sorted(fixed_live.items()) if p in present_p],
        "forbidden": [{"pledge": f"p{p}", "need": f"n{n}"} for p, n in sorted(forbidden)
                      if p in present_p and n in live_needs],
        "proposed": [{"pledge": f"p{p}", "need": f"n{n}", "quantity": q} for p, n, q in sorted(proposals)
                     if p in present_p and n in live_needs],
        "params": {**DEFAULT_PARAMS, **(params or {})},
    }


def run_matching(db: Database, actor_id: int | None, scope: RunScope, table_id: int | None = None,
                 params: dict | None = None, progress: Callable[[float, str], None] | None = None) -> RunSummary:
    """Solve the scope's instance and, in one transaction, store the run and its proposals.

    Proposals that the new answer repeats are kept as they are (no churn); the others in scope are
    withdrawn. Decided allocations are never touched.
    """
    from matching import solve_instance

    if (scope is RunScope.TABLE) != (table_id is not None):
        raise ValidationError("run_scope_invalid", field="scope")
    started = time.perf_counter()
    started_at = utcnow()
    with db.reader() as session:
        instance = build_instance(session, scope, table_id, params)
    result = solve_instance(instance, progress=progress)
    new = {(int(a["pledge"][1:]), int(a["need"][1:])): a for a in result["allocations"]}
    in_scope = {int(n["id"][1:]) for n in instance["needs"]}

    with db.unit_of_work() as session:
        stale_q = select(Allocation).where(Allocation.status == AllocationStatus.PROPOSED)
        if scope is RunScope.TABLE:
            stale_q = stale_q.join(Need).join(Project).where(Project.table_id == table_id)
        current = list(session.scalars(stale_q.order_by(Allocation.id)))
        touched_p = {a.pledge_id for a in current} | {k[0] for k in new}
        touched_n = {a.need_id for a in current} | {k[1] for k in new}
        lock_rows(session, Pledge, touched_p)
        lock_rows(session, Need, touched_n)

        run = MatchingRun(started_by_id=actor_id, scope=scope, table_id=table_id, params=instance["params"],
                          status=RunStatus.DONE, n_pledges=len(instance["pledges"]), n_needs=len(instance["needs"]),
                          n_pairs=int(result["stats"].get("pairs", 0)), objective=float(result["objective"]),
                          gap=float(result["stats"].get("gap", 0.0) or 0.0), started_at=started_at)
        session.add(run)
        record(session, actor_id, "matching.run", run, table_id=table_id)

        kept, withdrawn = [], []
        for alloc in current:
            key = (alloc.pledge_id, alloc.need_id)
            if key in new and new[key]["quantity"] == alloc.quantity and alloc.need_id in in_scope:
                kept.append(new.pop(key))
            else:
                alloc.status = AllocationStatus.WITHDRAWN
                withdrawn.append(alloc)
        record_many(session, actor_id, "allocation.superseded", withdrawn)
        created = [Allocation(pledge_id=p, need_id=n, quantity=int(a["quantity"]), score=float(a.get("worth", 0.0)),
                              reasons=list(a.get("reasons", [])), matching_run_id=run.id,
                              status=AllocationStatus.PROPOSED) for (p, n), a in sorted(new.items())]
        session.add_all(created)
        record_many(session, actor_id, "allocation.proposed", created)
        assert_within_capacity(session, touched_p, touched_n)
        refresh_pledge_statuses(session, actor_id, touched_p)
        run.n_proposed = len(created)
        run.n_withdrawn = len(withdrawn)
        run.seconds = round(time.perf_counter() - started, 3)
        run.finished_at = utcnow()
        record(session, actor_id, "matching.finished", run, table_id=table_id)
        return RunSummary(run_id=run.id, proposed=len(created), kept=len(kept), withdrawn=len(withdrawn),
                          objective=run.objective or 0.0, seconds=run.seconds, pledges=run.n_pledges,
                          needs=run.n_needs)
