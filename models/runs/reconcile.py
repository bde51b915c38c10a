"""Fitting a run's answer to what was decided while it solved, inside the transaction that stores it.

Imports sqlalchemy and models only. A run solves a snapshot; a chair may accept or reject, a citizen
withdraw a pledge, a project close, another table's run propose the same pledge, before the answer is
written. Storing the answer as it is then over-allocated a pledge or a need and the capacity check
rolled the whole run back (44 of 46 runs failed while a chair was deciding). Instead `reconcile`, run
by `lifecycle._store` under the row locks of every pledge and need the answer touches (so nothing can
change under it any more), keeps what still fits and drops or shrinks the rest:

- a pair rejected meanwhile is dropped ("rejected"); so is a proposal whose project no longer takes
  help ("closed");
- a pair accepted (or delivered) meanwhile already holds that much of the answer: the proposal is
  reduced by what the decision added on the pair, usually to nothing ("accepted");
- what is left is cut to the room its pledge and its need still have, the most valuable proposals
  (worth per unit) first; the room went to a withdrawal ("withdrawn") or to decisions and other
  proposals elsewhere ("taken"). A whole (indivisible) pledge is never cut: it is dropped.

The counts (dropped, shrunk, and why) go into the run's summary ("matching.finished") and the run
panel. Nothing else of the answer is lost: every proposal that fits is stored.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.core.capacity import need_usage, pledge_usage
from models.core.enums import FIXED_ALLOCATION, AllocationStatus, ProjectStatus
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project

MATCHABLE = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)
REASONS = ("accepted", "rejected", "withdrawn", "closed", "taken")


@dataclass
class Fitted:
    """What to store: (pledge id, need id, quantity, the solver's allocation) and what was given up."""

    proposals: list[tuple[int, int, int, dict]] = field(default_factory=list)
    dropped: int = 0
    shrunk: int = 0
    reasons: Counter = field(default_factory=Counter)

    def summary(self) -> dict:
        return {"dropped": self.dropped, "shrunk": self.shrunk,
                "reasons": {r: self.reasons[r] for r in REASONS if self.reasons[r]}}


def _pair_filter(pairs: Iterable[tuple[int, int]]):
    pairs = list(pairs)
    pledges = {p for p, _ in pairs}
    needs = {n for _, n in pairs}
    return Allocation.pledge_id.in_(pledges), Allocation.need_id.in_(needs), set(pairs)


def reconcile(session: Session, answer: dict[tuple[int, int], dict], instance: dict,
              pledge_caps: dict[int, int]) -> Fitted:
    """Fit `answer` ((pledge, need) -> the solver's allocation, proposals not kept as they were) to
    the database as it is now. The caller holds the row locks of the pledges and needs in `answer`
    and has flushed its own changes (proposals it withdrew no longer count as taken).

    `instance` is what was solved (its `fixed` pairs and whole pledges); `pledge_caps` each pledge's
    quantity less its withdrawn part when the instance was read.
    """
    fitted = Fitted()
    if not answer:
        return fitted
    session.flush()
    by_pledge, by_need, pairs = _pair_filter(answer)
    pledge_ids = {p for p, _ in answer}
    need_ids = {n for _, n in answer}

    cap_now = dict(session.execute(select(Pledge.id, Pledge.quantity - Pledge.withdrawn_quantity)
                                   .where(Pledge.id.in_(pledge_ids))).all())
    room_p = {pid: cap_now.get(pid, 0) - active for pid, (active, _) in pledge_usage(session, pledge_ids).items()}
    need_rows = session.execute(select(Need.id, Need.quantity, Project.status, Need.removed_at)
                                .join(Project, Need.project_id == Project.id).where(Need.id.in_(need_ids))).all()
    open_needs = {nid for nid, _, status, removed in need_rows if status in MATCHABLE and removed is None}
    need_qty = {nid: qty for nid, qty, _, _removed in need_rows}
    room_n = {nid: need_qty.get(nid, 0) - active for nid, active in need_usage(session, need_ids).items()}

    rejected = {pair for pair in session.execute(select(Allocation.pledge_id, Allocation.need_id).where(
        by_pledge, by_need, Allocation.status == AllocationStatus.REJECTED)).all() if tuple(pair) in pairs}
    fixed_now: defaultdict[tuple[int, int], int] = defaultdict(int)
    for p, n, q in session.execute(select(Allocation.pledge_id, Allocation.need_id, func.sum(Allocation.quantity))
                                   .where(by_pledge, by_need, Allocation.status.in_(FIXED_ALLOCATION))
                                   .group_by(Allocation.pledge_id, Allocation.need_id)):
        if (p, n) in pairs:
            fixed_now[(p, n)] = int(q)
    fixed_then: defaultdict[tuple[int, int], int] = defaultdict(int)
    for f in instance.get("fixed") or []:
        fixed_then[(int(f["pledge"][1:]), int(f["need"][1:]))] += int(f["quantity"])
    whole = {int(p["id"][1:]) for p in instance.get("pledges") or [] if not p.get("divisible", True)}

    def value(item):
        (p, n), a = item
        return (-float(a.get("worth", 0.0)) / max(1, int(a["quantity"])), p, n)

    for (p, n), a in sorted(answer.items(), key=value):
        wanted = int(a["quantity"])
        if (p, n) in rejected:
            fitted.dropped += 1
            fitted.reasons["rejected"] += 1
            continue
        if n not in open_needs:
            fitted.dropped += 1
            fitted.reasons["closed"] += 1
            continue
        reason = None
        quantity = wanted
        decided = fixed_now[(p, n)] - fixed_then[(p, n)]
        if decided > 0:
            quantity -= decided
            reason = "accepted"
        fit = max(0, min(quantity, room_p.get(p, 0), room_n.get(n, 0)))
        if fit < quantity:
            reason = reason or ("withdrawn" if cap_now.get(p, 0) < pledge_caps.get(p, 0) else "taken")
            if p in whole:
                fit = 0
        if fit <= 0:
            fitted.dropped += 1
            fitted.reasons[reason or "taken"] += 1
            continue
        if fit < wanted:
            fitted.shrunk += 1
            fitted.reasons[reason or "taken"] += 1
        room_p[p] -= fit
        room_n[n] -= fit
        fitted.proposals.append((p, n, fit, a))
    fitted.proposals.sort(key=lambda t: (t[0], t[1]))
    return fitted


__all__ = ["REASONS", "Fitted", "reconcile"]
