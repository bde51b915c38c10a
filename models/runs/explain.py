"""Why this pledge and not another (issue 16 item 7): what the chair's queue shows beside each proposal.

Imports sqlalchemy, `matching` and models. `explain(session, table_id, allocation_ids)` gives each proposal's
kind, the item offered against the item asked for (or its accepted substitute), the skills they share, the
district relation, whether the citizen chose this project (only it, or preferring it) or this table, the
project's weight and its rank among the table's open projects (by weight, 1 = first). The solver's reason
strings (stored on the allocation) are the source for what the solver weighed; rank and chosen project are
read from the database. `next_best(session, table_id, need_id, limit)` ranks the other pledges that could serve
a need exactly as the solver values them (matching.alternatives over the table's own instance).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from matching import alternatives, parse_reason
from models.core.enums import RunScope
from models.core.errors import NotFound
from models.orm.items import LogisticsItem
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.runs.lifecycle import MATCHABLE_PROJECTS, build_instance, project_weight


@dataclass(frozen=True)
class Why:
    allocation_id: int
    kind: str
    item: tuple[str, str] | None = None             # (fa, en) of the pledge's item
    wanted: tuple[str, str] | None = None           # (fa, en) of the need's item
    substitute: bool = False                        # the pledge's item is one the need accepts instead
    skills: list[str] = field(default_factory=list)  # skill slugs shared (from the solver's reasons)
    district: str | None = None                     # "same district" | "near district" | "far district"
    chose_project: str | None = None                # "only" | "preferred" | None
    preferred_table: bool = False
    weight: float = 0.0                             # priority x (1 + PB support)
    rank: int = 0                                   # the project's place among the table's open projects
    ranked: int = 0                                 # how many there are


def project_ranks(session: Session, table_id: int) -> dict[int, tuple[int, int, float]]:
    """project id -> (rank, projects ranked, weight) among the table's matchable projects, heaviest first
    (equal weights: the older project first)."""
    rows = session.execute(select(Project.id, Project.priority, Project.pb_support).where(
        Project.table_id == table_id, Project.status.in_(MATCHABLE_PROJECTS))).all()
    order = sorted(((project_weight(pr, sup), pid) for pid, pr, sup in rows), key=lambda r: (-r[0], r[1]))
    return {pid: (k + 1, len(order), w) for k, (w, pid) in enumerate(order)}


def explain(session: Session, table_id: int, allocation_ids: list[int]) -> dict[int, Why]:
    """Why, for each of the table's allocations named (others are left out); a few queries for a page."""
    if not allocation_ids:
        return {}
    wanted, offered = aliased(LogisticsItem), aliased(LogisticsItem)
    rows = session.execute(
        select(Allocation.id, Allocation.reasons, Need.kind, Need.item_id, Need.project_id, Pledge.item_id,
               Pledge.project_id, Pledge.only_project, wanted.name_fa, wanted.name_en, offered.name_fa,
               offered.name_en)
        .join(Need, Need.id == Allocation.need_id).join(Project, Project.id == Need.project_id)
        .join(Pledge, Pledge.id == Allocation.pledge_id)
        .outerjoin(wanted, wanted.id == Need.item_id).outerjoin(offered, offered.id == Pledge.item_id)
        .where(Allocation.id.in_(allocation_ids), Project.table_id == table_id)).all()
    names = {}
    for r in rows:  # item id -> (fa, en), from the same query
        if r[3] is not None:
            names[r[3]] = (r[8], r[9])
        if r[5] is not None:
            names[r[5]] = (r[10], r[11])
    ranks = project_ranks(session, table_id)
    out = {}
    for aid, reasons, kind, need_item, need_project, pledge_item, chosen, only, *_names in rows:
        skills, district, preferred = [], None, False
        for r in reasons or []:
            code, arg = parse_reason(str(r).replace("_", " ") if str(r) == "preferred_table" else str(r))
            if code == "skill" and arg:
                skills.append(arg)
            elif code in ("same district", "near district", "far district"):
                district = code
            elif code == "preferred table":
                preferred = True
        rank, ranked, weight = ranks.get(need_project, (0, len(ranks), 0.0))
        out[aid] = Why(aid, kind.value, item=names.get(pledge_item) if pledge_item else None,
                       wanted=names.get(need_item) if need_item else None,
                       substitute=bool(pledge_item and need_item and pledge_item != need_item),
                       skills=skills, district=district,
                       chose_project=("only" if only else "preferred") if chosen == need_project else None,
                       preferred_table=preferred, weight=weight, rank=rank, ranked=ranked)
    return out


@dataclass(frozen=True)
class Alternative:
    pledge_id: int
    citizen_name: str        # "" when the citizen chose not to be named
    free: int                # what the pledge has left after its proposals on other needs
    proposed_here: int       # what it already gives this need (proposed)
    proposed_elsewhere: int
    worth_per_unit: float
    relative: float          # worth per unit against the best pledge listed (1 = as good)
    reasons: list[str]


def next_best(session: Session, table_id: int, need_id: int, limit: int = 3,
              exclude_pledges: tuple[int, ...] = ()) -> list[Alternative]:
    """The pledges that could serve this need of the table, best first by the solver's worth per unit (the
    ones named in `exclude_pledges` left out); NotFound when the need is not the table's or not open."""
    owner = session.execute(select(Project.table_id, Project.status).join(Need, Need.project_id == Project.id)
                            .where(Need.id == need_id)).first() if isinstance(need_id, int) else None
    if owner is None or owner[0] != table_id or owner[1] not in MATCHABLE_PROJECTS:
        raise NotFound("need_not_found")
    instance = build_instance(session, RunScope.TABLE, table_id)
    if not any(n["id"] == f"n{need_id}" for n in instance["needs"]):
        return []  # nothing left to cover
    rows = alternatives(instance, f"n{need_id}", limit, exclude=tuple(f"p{p}" for p in exclude_pledges))
    ids = [int(r["pledge"][1:]) for r in rows]
    people = dict(session.execute(select(Pledge.id, User.name).join(User, User.id == Pledge.citizen_id)
                                  .where(Pledge.id.in_(ids), User.show_name_publicly.is_(True))).all()) if ids else {}
    best = max((r["worth_per_unit"] for r in rows), default=0.0) or 1.0
    return [Alternative(int(r["pledge"][1:]), people.get(int(r["pledge"][1:]), ""), r["free"], r["proposed_here"],
                        r["proposed_elsewhere"], r["worth_per_unit"], r["worth_per_unit"] / best, r["reasons"])
            for r in rows]


__all__ = ["Alternative", "Why", "explain", "next_best", "project_ranks"]
