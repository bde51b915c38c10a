"""Why each project was funded or not, equal-shares style (issue 17 item 2). Pure: numpy and models.pb.rules.

`explain(rule, e, outcome)` returns, per project id, a `ProjectExplanation`: its votes and share of
the ballots, the stage that funded it (equal shares, the greedy completion, greedy, or another rule)
and, for the MES rules, what equalshares.net shows:

* funded by equal shares: the price per voter (the most any supporter paid: the round's cap q,
  a * u with u the satisfaction), how many supporters there were and how many paid all they had
  left;
* not funded by equal shares: its *effective support* -- the share of its cost its supporters
  could still pay when equal shares stopped (their remaining budgets, each at most their share):
  "99 % -- nearly funded" -- and the project whose funding took its supporters' money below its
  cost (the *blocker*), or, when its supporters never held enough, that too few supported it;
* in the completion (or under greedy): the budget left when its turn came, so an unfunded project
  "did not fit the remaining X", and a funded one with few or no votes is marked and explained
  (the completion spends what equal shares left, in order of votes, on whatever still fits);
* a project costing more than the whole budget is marked as such (it cannot win under any rule).

The trace replays the equal-shares stage in floating point at the kept per-voter budget, funding
the winners in the order the rule chose them: the explanation never disagrees with the outcome.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

import numpy as np

from models.pb.rules import Election, Outcome, _greedy_order, _rule_sat

# A project funded in the completion with less than this share of the ballots is marked "few votes".
FEW_VOTES_SHARE = 0.05
# Effective support from which a project is called "nearly funded".
NEARLY = 0.9

# stages
EQUAL_SHARES = "equal_shares"
COMPLETION = "completion"
GREEDY = "greedy"
RULE = "rule"

# reasons (each is a sentence in dash_app.pages.pb.explain_view)
FUNDED_EQUAL_SHARES = "funded_equal_shares"
FUNDED_COMPLETION = "funded_completion"
FUNDED_COMPLETION_FEW_VOTES = "funded_completion_few_votes"
FUNDED_GREEDY = "funded_greedy"
FUNDED_RULE = "funded_rule"
OVER_BUDGET = "over_budget"                 # costs more than the whole budget
NO_VOTES = "no_votes"
SHARES_RAN_OUT = "shares_ran_out"           # equal shares: supporters' money went to the blocker
TOO_FEW_SUPPORTERS = "too_few_supporters"   # equal shares: supporters never held its cost
DID_NOT_FIT = "did_not_fit"                 # greedy / completion: cost above what was left
NOT_SELECTED = "not_selected"               # another rule (Phragmén, maximum welfare)


@dataclass(frozen=True)
class ProjectExplanation:
    project_id: str
    cost: float
    votes: int
    share: float                      # votes / ballots (0 when there are no ballots)
    funded: bool
    stage: str | None                 # EQUAL_SHARES, COMPLETION, GREEDY, RULE, or None when not funded
    reason: str
    order: int | None = None          # 1-based position among the winners
    effective_support: float | None = None   # MES rules: 1.0 when funded by equal shares
    price_per_voter: float | None = None     # funded by equal shares: the most a supporter paid
    paid_all: int | None = None              # ... how many of its supporters paid all they had left
    supporters_left: float | None = None     # not funded by equal shares: what its supporters still had
    blocked_by: str | None = None            # the project whose funding left them short
    left_at_turn: float | None = None        # greedy / completion: budget left when its turn came
    few_votes: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _cap(bud: np.ndarray, w: np.ndarray, u: np.ndarray, cost: float) -> float | None:
    """The factor a with sum w * min(bud, a * u) = cost, or None when the supporters cannot pay it."""
    total = float((w * bud).sum())
    if total < cost * (1 - 1e-12):
        return None
    ratio = np.divide(bud, u, out=np.full_like(bud, np.inf), where=u > 0)
    order = np.argsort(ratio, kind="stable")
    r, ww, uu, bb = ratio[order], w[order], u[order], bud[order]
    paid_full = np.concatenate([[0.0], np.cumsum(ww * bb)])      # the first i pay all they have
    rest_u = np.concatenate([np.cumsum((ww * uu)[::-1])[::-1], [0.0]])
    for i in range(len(r)):
        if rest_u[i] <= 0:
            break
        a = (cost - paid_full[i]) / rest_u[i]
        if a <= r[i] * (1 + 1e-12):
            return max(a, 0.0)
    return float(r[-1]) if len(r) else None


def _trace(e: Election, rule: str, outcome: Outcome) -> dict[str, dict]:
    """Replay equal shares at the kept per-voter budget; per project what the explanation needs."""
    sd = e.sat(_rule_sat(e, rule))
    n_mes = outcome.mes_count or 0
    b = float(outcome.voter_budget) if outcome.voter_budget is not None else float(e.budget) / max(e.n_voters, 1)
    bud = np.full(len(e.keys), b, dtype=np.float64)
    mes_winners = [e.index[p] for p in outcome.winners[:n_mes]]
    funded = set(mes_winners)
    info: dict[str, dict] = {}
    avail = {j: float((e.sup_wf[j] * bud[e.sup_idx[j]]).sum()) for j in range(len(e.ids)) if j not in funded}
    for j in mes_winners:
        idx, w, u = e.sup_idx[j], e.sup_wf[j], sd.u_f[j]
        cost = e.cost_f[j]
        if cost <= 0 or len(idx) == 0:
            info[e.ids[j]] = {"price_per_voter": 0.0, "paid_all": 0}
            continue
        before = bud[idx]
        a = _cap(before, w, u, cost)
        a = a if a is not None else float(before.max() / max(u.max(), 1e-300))
        pay = np.minimum(before, a * u)
        drained = int(w[pay >= before * (1 - 1e-9)].sum())
        bud[idx] = before - pay
        price = float((a * u).max()) if len(u) else 0.0
        info[e.ids[j]] = {"price_per_voter": price, "paid_all": drained}
        for k in list(avail):
            if k == j:
                continue
            now = float((e.sup_wf[k] * bud[e.sup_idx[k]]).sum())
            if now < avail[k] and now < e.cost_f[k] * (1 - 1e-9) <= avail[k]:
                info.setdefault(e.ids[k], {})["blocked_by"] = e.ids[j]
            avail[k] = now
        avail.pop(j, None)
    for k, left in avail.items():
        entry = info.setdefault(e.ids[k], {})
        entry["supporters_left"] = left
        entry["effective_support"] = min(left / e.cost_f[k], 1.0) if e.cost_f[k] > 0 else 1.0
    return info


def _greedy_turns(e: Election, rule: str, chosen: list[int]) -> dict[int, float]:
    """Greedy (or the completion after `chosen`): the budget left when each project's turn came."""
    sd = e.sat(_rule_sat(e, rule))
    taken = set(chosen)
    left = e.budget - sum((e.costs[j] for j in chosen), Fraction(0))
    turns = {}
    for j in _greedy_order(e, sd):
        if j in taken:
            continue
        turns[j] = float(left)
        if e.costs[j] <= left:
            left -= e.costs[j]
    return turns


def explain(rule: str, e: Election, outcome: Outcome) -> dict[str, ProjectExplanation]:
    """Per project id (every project of `e`), why `outcome` funds it or not under `rule`."""
    n = e.n_voters
    order = {p: i + 1 for i, p in enumerate(outcome.winners)}
    n_mes = outcome.mes_count
    mes_rule = n_mes is not None
    trace = _trace(e, rule, outcome) if mes_rule and n else {}
    greedy_rule = rule.startswith("greedy")
    turns: dict[int, float] = {}
    if greedy_rule:
        turns = _greedy_turns(e, rule, [])
    elif mes_rule and rule.endswith("-greedy"):
        turns = _greedy_turns(e, rule, [e.index[p] for p in outcome.winners[:n_mes]])
    result = {}
    for j, pid in enumerate(e.ids):
        votes = e.approvals[j]
        share = votes / n if n else 0.0
        cost = e.costs[j]
        t = trace.get(pid, {})
        funded = pid in order
        stage: str | None = None
        few = False
        if funded:
            if mes_rule and order[pid] <= (n_mes or 0):
                stage, reason = EQUAL_SHARES, FUNDED_EQUAL_SHARES
            elif mes_rule:
                stage = COMPLETION
                few = share < FEW_VOTES_SHARE
                reason = FUNDED_COMPLETION_FEW_VOTES if few else FUNDED_COMPLETION
            elif greedy_rule:
                stage, reason = GREEDY, FUNDED_GREEDY
            else:
                stage, reason = RULE, FUNDED_RULE
        elif cost > e.budget:
            reason = OVER_BUDGET
        elif votes == 0:
            reason = NO_VOTES
        elif j in turns and cost > Fraction(turns[j]) and (greedy_rule or "blocked_by" not in t):
            reason = DID_NOT_FIT
        elif mes_rule:
            reason = SHARES_RAN_OUT if "blocked_by" in t else TOO_FEW_SUPPORTERS
        else:
            reason = DID_NOT_FIT if j in turns else NOT_SELECTED
        result[pid] = ProjectExplanation(
            project_id=pid, cost=float(cost), votes=votes, share=share, funded=funded, stage=stage, reason=reason,
            order=order.get(pid),
            effective_support=(1.0 if stage == EQUAL_SHARES else t.get("effective_support")) if mes_rule else None,
            price_per_voter=t.get("price_per_voter") if stage == EQUAL_SHARES else None,
            paid_all=t.get("paid_all") if stage == EQUAL_SHARES else None,
            supporters_left=t.get("supporters_left") if stage != EQUAL_SHARES else None,
            blocked_by=t.get("blocked_by") if stage != EQUAL_SHARES else None,
            left_at_turn=turns.get(j), few_votes=few)
    return result


__all__ = ["ProjectExplanation", "explain", "FEW_VOTES_SHARE", "NEARLY"]
