"""Participatory-budgeting counting rules as pure functions: greedy, MES, MES+add1, MES+add1+greedy.

Imports numpy and the standard library only: no database, no web, and never pabutools (GPL; tests
compare against it). Input is an approval election (knapsack, choose-1, cumulative and ordinal
ballots count as approval of the projects they list).

Rules (the names pabulib and pabutools use):

* ``greedy`` -- greedy utilitarian welfare with cost utilities: projects in decreasing number of
  approvals, each taken when it still fits in what is left of the budget, otherwise skipped.
  Like pabutools, a project nobody approved is still taken at the end if it fits.
* ``mes`` -- the Method of Equal Shares with cost utilities (a voter's satisfaction from a project
  is its cost). Each of the n ballots starts with budget/n; a project of cost c approved by
  voters with budgets b_i is affordable at cap q when sum_i min(b_i, q) = c, and its price per
  unit of satisfaction is rho = q / c. Each round funds the affordable project with the smallest
  rho; its supporters pay min(b_i, q). Stops when no project is affordable; no completion.
* ``mes-add1`` -- pabulib's "equalshares/add1" (pabutools ``voter_budget_increment=1``): run MES
  with each voter's budget budget/n, budget/n + 1, budget/n + 2, ... (currency units). Stop at
  the first run whose outcome costs more than the budget and return the previous run's outcome;
  or at the first run whose outcome is exhaustive (no approved project left out fits in the
  remaining budget) and return it.
* ``mes-add1-greedy`` -- that outcome completed by ``greedy`` on the remaining budget (the app's
  default).

Tie-break: whenever two projects are exactly equal for a rule (same approvals for greedy, same
rho for MES), the one whose project id is smaller *as a string* wins ("10" < "9"), which is
pabutools' lexicographic tie-breaking on project names.

Exactness: money is handled as integers and Fractions. The MES hot path runs in floating point
over the distinct ballots (identical ballots are aggregated with a multiplicity), but every
decision whose floating-point margin is below a relative 1e-9 -- which project is cheapest,
whether a project is affordable, whether a voter pays their whole budget -- is re-decided in exact
rational arithmetic. That is possible cheaply because a voter's exact budget is always either 0
(they once paid all they had) or ``b - sum of the caps q_s of the funded projects they approve``,
and every cap q_s is kept as an exact Fraction.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational

import numpy as np

RULES = ("greedy", "mes", "mes-add1", "mes-add1-greedy")
DEFAULT_RULE = "mes-add1-greedy"

# Relative margin under which a floating-point comparison is re-done exactly.
TOL = 1e-9


@dataclass(frozen=True)
class Outcome:
    """Funded projects in the order the rule selected them, and their total cost."""

    winners: tuple[str, ...]
    total_cost: int | Fraction
    # For the MES rules: the per-voter budget of the run whose outcome was kept.
    voter_budget: Fraction | None = None


def _exact(value: object, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, Rational, str)):
        raise TypeError(f"{what} must be an int, a Fraction or a decimal string, not {type(value).__name__}")
    result = Fraction(value)
    if result < 0:
        raise ValueError(f"{what} must not be negative")
    return result


def _plain(value: Fraction) -> int | Fraction:
    return int(value) if value.denominator == 1 else value


class Election:
    """An approval election: a budget, project costs by id, and ballots (sets of project ids).

    `ballots` is an iterable of iterables of project ids, or a mapping from a frozenset of ids to
    the number of voters who cast exactly that ballot. Empty ballots count as voters (they take
    their share of the budget for MES) but approve nothing.
    """

    def __init__(self, budget: int | Fraction, costs: Mapping[str, int | Fraction],
                 ballots: Iterable[Iterable[str]] | Mapping[frozenset, int]) -> None:
        self.budget = _exact(budget, "budget")
        self.ids: list[str] = sorted(str(p) for p in costs)
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("project ids must be distinct as strings")
        self.index = {p: i for i, p in enumerate(self.ids)}
        by_str = {str(k): v for k, v in costs.items()}
        self.costs = [_exact(by_str[p], f"cost of {p}") for p in self.ids]
        if isinstance(ballots, Mapping):
            counts: Counter = Counter()
            for ballot, mult in ballots.items():
                if isinstance(mult, bool) or not isinstance(mult, int) or mult < 0:
                    raise ValueError("ballot multiplicities must be non-negative integers")
                if mult:
                    counts[frozenset(str(p) for p in ballot)] += mult
        else:
            counts = Counter(frozenset(str(p) for p in ballot) for ballot in ballots)
        for ballot in counts:
            unknown = [p for p in ballot if p not in self.index]
            if unknown:
                raise ValueError(f"a ballot approves unknown project {sorted(unknown)[0]!r}")
        self.groups: list[frozenset] = sorted(counts, key=lambda b: sorted(b))
        self.weights = np.array([counts[b] for b in self.groups], dtype=np.int64)
        self.n_voters = int(self.weights.sum())
        n_p = len(self.ids)
        self.approvals = [0] * n_p
        members: list[list[int]] = [[] for _ in range(n_p)]
        for g, ballot in enumerate(self.groups):
            for p in ballot:
                members[self.index[p]].append(g)
        self.sup_idx = [np.array(m, dtype=np.int64) for m in members]
        self.sup_w = [self.weights[m] for m in self.sup_idx]
        self.sup_wf = [w.astype(np.float64) for w in self.sup_w]
        self.sup_wsum = [float(w.sum()) for w in self.sup_w]
        self.approvals = [int(w.sum()) for w in self.sup_w]
        self.approves = np.zeros((len(self.groups), n_p), dtype=bool)
        for j, m in enumerate(self.sup_idx):
            self.approves[m, j] = True
        self.cost_f = np.array([float(c) for c in self.costs])

    def outcome(self, chosen: list[int], voter_budget: Fraction | None = None) -> Outcome:
        total = sum((self.costs[j] for j in chosen), Fraction(0))
        return Outcome(tuple(self.ids[j] for j in chosen), _plain(total), voter_budget)


# ---------------------------------------------------------------------------------------- greedy

def _greedy_order(e: Election) -> list[int]:
    """Projects by decreasing approvals (a project of cost 0 scores 0, as in pabutools), id ascending."""
    return sorted(range(len(e.ids)), key=lambda j: (-(e.approvals[j] if e.costs[j] > 0 else 0), j))


def _greedy_complete(e: Election, chosen: list[int]) -> list[int]:
    taken = set(chosen)
    left = e.budget - sum((e.costs[j] for j in chosen), Fraction(0))
    result = list(chosen)
    for j in _greedy_order(e):
        if j not in taken and e.costs[j] <= left:
            result.append(j)
            left -= e.costs[j]
    return result


def greedy(e: Election) -> Outcome:
    return e.outcome(_greedy_complete(e, []))


# ------------------------------------------------------------------------------------------- MES

class _MESRun:
    """One run of MES with a given per-voter budget.

    Budgets are floats; the exact state is kept implicitly: `drained[g]` is the round in which
    ballot group g paid all it had (or NEVER), and each round's exact cap is derived on demand from
    that, so Fractions are only computed when a decision is too close to call in floating point.
    """

    NEVER = np.iinfo(np.int64).max

    def __init__(self, e: Election, b: Fraction) -> None:
        self.e = e
        self.b = b
        self.beta = np.full(len(e.groups), float(b))
        self.drained = np.full(len(e.groups), self.NEVER, dtype=np.int64)
        self.sel: list[int] = []
        self.caps_f: list[float] = []
        self.caps: list[Fraction | None] = []   # exact caps, filled lazily

    # -- exact values, on demand ---------------------------------------------------------------
    def _cap(self, r: int) -> Fraction:
        """The exact cap paid by the rich supporters of the project funded in round r."""
        if self.caps[r] is None:
            e = self.e
            j = self.sel[r]
            idx = e.sup_idx[j]
            rnd = self.drained[idx]
            now_poor = idx[rnd == r]
            spent = self._sum_at(now_poor, r)
            rich_w = int(e.sup_w[j][rnd > r].sum())
            if rich_w:
                self.caps[r] = (e.costs[j] - spent) / rich_w
            else:  # everyone paid all they had; the cap is the largest budget
                self.caps[r] = max(self._beta_at(int(g), r) for g in now_poor)
        return self.caps[r]

    def _sum_at(self, groups: np.ndarray, r: int) -> Fraction:
        """Exact total budget of `groups` (none drained before round r) at the start of round r."""
        if len(groups) == 0:
            return Fraction(0)
        e = self.e
        w = e.weights[groups]
        total = self.b * int(w.sum())
        if r:
            paid = (w @ e.approves[np.ix_(groups, self.sel[:r])]).tolist()
            for s, m in enumerate(paid):
                if m:
                    total -= self._cap(s) * int(m)
        return total

    def _beta_at(self, g: int, r: int) -> Fraction:
        if self.drained[g] < r:
            return Fraction(0)
        row = self.e.approves[g, self.sel[:r]]
        return self.b - sum((self._cap(s) for s in np.flatnonzero(row).tolist()), Fraction(0))

    # -- one candidate in the current round ------------------------------------------------------
    def cap_float(self, j: int) -> float | None:
        """The cap q with sum_i w_i min(b_i, q) = c (poor/rich iteration); None if unaffordable."""
        e = self.e
        idx = e.sup_idx[j]
        bud = self.beta.take(idx)
        w = e.sup_wf[j]
        c = e.cost_f[j]
        total = float(bud @ w)
        if total < c * (1 + TOL):
            if total < c * (1 - TOL):
                return None
            live = idx[self.drained[idx] == self.NEVER]
            if self._sum_at(live, len(self.sel)) < e.costs[j]:
                return None
        total_w = e.sup_wsum[j]
        q = c / total_w
        poor = np.flatnonzero(bud < q)
        if len(poor) == 0:
            return q
        while True:
            wp = w[poor]
            rich_w = total_w - float(wp.sum())
            if rich_w <= 0:
                return float(bud.max())
            q = (c - float(bud[poor] @ wp)) / rich_w
            more = np.flatnonzero(bud < q)
            if len(more) == len(poor):
                return q
            poor = more

    def cap_exact(self, j: int, q_f: float) -> Fraction:
        """The exact cap of project j in the current round (floats narrow it down)."""
        e = self.e
        t = len(self.sel)
        idx = e.sup_idx[j]
        bud = self.beta[idx]
        w = e.sup_w[j]
        lo, hi = q_f * (1 - TOL), q_f * (1 + TOL)
        poor = bud < lo
        amb = np.flatnonzero((bud >= lo) & (bud <= hi)).tolist()
        live_poor = idx[poor & (self.drained[idx] == self.NEVER)]
        spent = self._sum_at(live_poor, t)
        rich_w = int(w.sum()) - int(w[poor].sum())
        betas = sorted((self._beta_at(int(idx[k]), t), int(w[k])) for k in amb)
        q = None
        for beta, wk in betas:
            q = (e.costs[j] - spent) / rich_w
            if beta > q:
                break
            spent += beta * wk
            rich_w -= wk
            q = beta
        else:
            if rich_w:
                q = (e.costs[j] - spent) / rich_w
        if q is None or abs(float(q) - q_f) > 1e-6 * max(1.0, q_f):  # pragma: no cover - safety net
            raise ArithmeticError("floating-point cap drifted from the exact one")
        return q

    def fund(self, j: int, q_f: float, q: Fraction | None) -> None:
        e = self.e
        t = len(self.sel)
        idx = e.sup_idx[j]
        bud = self.beta[idx]
        lo, hi = q_f * (1 - TOL), q_f * (1 + TOL)
        poor = bud < lo
        amb = np.flatnonzero((bud >= lo) & (bud <= hi))
        if len(amb):
            if q is None:
                q = self.cap_exact(j, q_f)
            for k in amb.tolist():
                poor[k] = self._beta_at(int(idx[k]), t) <= q
        live = poor & (self.drained[idx] == self.NEVER)
        if live.any():
            self.drained[idx[live]] = t
        self.beta[idx] = np.where(poor, 0.0, bud - (q_f if q is None else float(q)))
        self.sel.append(j)
        self.caps_f.append(q_f)
        self.caps.append(q)

    # -- the rounds ------------------------------------------------------------------------------
    def run(self) -> list[int]:
        e = self.e
        remaining = [j for j in range(len(e.ids)) if e.approvals[j] > 0 and e.costs[j] > 0]
        lower = {j: 1.0 / e.approvals[j] for j in remaining}  # rho never falls within a run
        while remaining:
            remaining.sort(key=lambda j: (lower[j], j))
            best = float("inf")
            cands: list[tuple[float, int, float]] = []
            gone = []
            for j in remaining:
                if lower[j] > best * (1 + TOL):
                    break
                q_f = self.cap_float(j)
                if q_f is None:
                    gone.append(j)
                    continue
                rho = q_f / e.cost_f[j]
                lower[j] = rho
                best = min(best, rho)
                cands.append((rho, j, q_f))
            for j in gone:
                remaining.remove(j)
            if not cands:
                break
            near = [(j, q_f) for rho, j, q_f in cands if rho <= best * (1 + TOL)]
            if len(near) == 1:
                (j, q_f), q = near[0], None
            else:
                exact = [(self.cap_exact(j, q_f) / e.costs[j], j, q_f) for j, q_f in near]
                rho_x, j, q_f = min(exact)
                q = rho_x * e.costs[j]
            self.fund(j, q_f, q)
            remaining.remove(j)
        return self.sel


def _mes_chosen(e: Election, b: Fraction) -> list[int]:
    return _MESRun(e, b).run()


def _b0(e: Election) -> Fraction:
    return e.budget / e.n_voters


def mes(e: Election) -> Outcome:
    if e.n_voters == 0:
        return e.outcome([])
    b = _b0(e)
    return e.outcome(_mes_chosen(e, b), b)


def _add1(e: Election) -> tuple[list[int], Fraction | None]:
    if e.n_voters == 0:
        return [], None
    candidates = [j for j in range(len(e.ids)) if e.approvals[j] > 0 and e.costs[j] > 0]
    b = _b0(e)
    previous: tuple[list[int], Fraction | None] = ([], None)
    while True:
        chosen = _mes_chosen(e, b)
        spent = sum((e.costs[j] for j in chosen), Fraction(0))
        if spent > e.budget:
            return previous
        left = e.budget - spent
        taken = set(chosen)
        if not any(e.costs[j] <= left for j in candidates if j not in taken):
            return chosen, b
        previous = (chosen, b)
        b += 1


def mes_add1(e: Election) -> Outcome:
    chosen, b = _add1(e)
    return e.outcome(chosen, b)


def mes_add1_greedy(e: Election) -> Outcome:
    chosen, b = _add1(e)
    return e.outcome(_greedy_complete(e, chosen), b)


RULE_FUNCTIONS = {"greedy": greedy, "mes": mes, "mes-add1": mes_add1, "mes-add1-greedy": mes_add1_greedy}


def count(rule: str, e: Election) -> Outcome:
    """Count election `e` with the rule named `rule` (one of RULES)."""
    try:
        return RULE_FUNCTIONS[rule](e)
    except KeyError:
        raise ValueError(f"unknown counting rule {rule!r}; expected one of {', '.join(RULES)}") from None
