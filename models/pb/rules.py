"""Participatory-budgeting counting rules as pure functions.

Imports numpy and the standard library only: no database, no web, and never pabutools (GPL; tests
compare against it). An `Election` holds approval ballots (knapsack and choose-1 ballots are
approval of the projects they list) or cardinal ballots (cumulative and scoring: points per
project); ordinal ballots are counted through a conversion (see models.pb.pabulib).

Satisfaction (what a voter gets from a funded project they support):

* approval elections: *cost* (its cost, pabutools ``Cost_Sat``) for the plain rule names, or
  *cardinality* (1, pabutools ``Cardinality_Sat``) for the ``*-cardinality`` names;
* cardinal elections: the points the voter gave it (pabutools ``Additive_Cardinal_Sat``).

Rules (the names pabulib and pabutools use):

* ``greedy`` -- greedy utilitarian welfare: projects by decreasing total satisfaction per unit of
  cost (= number of approvals under cost satisfaction), each taken when it still fits, otherwise
  skipped. Like pabutools, a project nobody supports is still taken at the end if it fits.
* ``mes`` -- the Method of Equal Shares. Each of the n ballots starts with budget/n; a project of
  cost c whose supporters hold budgets b_i and get satisfaction u_i is affordable at factor a when
  sum_i min(b_i, a*u_i) = c. Each round funds the affordable project with the smallest a; its
  supporters pay min(b_i, a*u_i). Stops when no project is affordable; no completion.
* ``mes-add1`` -- pabulib's "equalshares/add1" (pabutools ``voter_budget_increment=1``): MES with
  each voter's budget budget/n, budget/n + 1, budget/n + 2, ... (currency units). Stops at the
  first run whose outcome costs more than the budget and returns the previous run's outcome, or at
  the first run whose outcome is exhaustive (no supported project left out fits in what remains)
  and returns it. Computed without visiting every unit: see `_add1`.
* ``mes-add1-greedy`` -- that outcome completed by ``greedy`` on the remaining budget (the app's
  default).
* ``greedy-cardinality``, ``mes-cardinality``, ``mes-cardinality-add1``,
  ``mes-cardinality-add1-greedy`` -- the same with cardinality satisfaction (approval only).
* ``phragmen`` -- sequential Phragmén (approval only; pabutools ``sequential_phragmen``): each
  round funds the project minimising the supporters' new common load (their loads plus its cost,
  over its approvals); stops at the first such project that no longer fits.
* ``max-welfare`` -- exact maximum utilitarian welfare (pabutools
  ``max_additive_utilitarian_welfare``): a feasible set of projects maximising the total
  satisfaction, by branch and bound over the 0/1 knapsack.

Tie-break: whenever two projects are exactly equal for a rule, the one whose project id is
smaller *as a string* wins ("10" < "9"), pabutools' lexicographic tie-breaking on names.

Exactness: money is integers and Fractions. MES runs in floating point over the distinct ballots
(identical ballots aggregated with a multiplicity), but every decision whose floating-point margin
is below a relative 1e-9 is re-decided in exact rational arithmetic. A voter's exact budget is
always 0 (they once paid all they had) or ``b - sum of a_s * u_s`` over the funded projects they
support, and every factor a_s is kept as an exact Fraction on demand.

Work bound: ``mes-add1`` makes at most MAX_MES_WORK / (supports + 1000) runs of MES; when that is not enough the
outcome is the last feasible one found and says so (``stopped_early``, reason ``pb_work_limit``).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational
from typing import Any

import numpy as np

# The rules a cycle can be counted with in the app (models.pb.cycles.PBCountingRule mirrors them).
RULES = ("greedy", "mes", "mes-add1", "mes-add1-greedy")
# Further rules, for pabulib files and comparisons (count() takes every name of ALL_RULES).
EXTRA_RULES = ("greedy-cardinality", "mes-cardinality", "mes-cardinality-add1", "mes-cardinality-add1-greedy",
               "phragmen", "max-welfare")
ALL_RULES = RULES + EXTRA_RULES
DEFAULT_RULE = "mes-add1-greedy"
APPROVAL_ONLY = frozenset(r for r in ALL_RULES if "cardinality" in r or r == "phragmen")

# Relative margin under which a floating-point comparison is re-done exactly.
TOL = 1e-9
# Hard bound on the work of mes-add1: runs of MES times (supports + 1000), a support being one
# (distinct ballot, project) pair. 10^8 allows ~300 runs at Łódź's size, ~50,000 on a small file.
MAX_MES_WORK = 10**8
# Hard bound on the nodes of max-welfare's branch and bound.
MAX_KNAPSACK_NODES = 2_000_000
WORK_LIMIT = "pb_work_limit"

Number = int | Fraction


@dataclass(frozen=True)
class Outcome:
    """Funded projects in the order the rule selected them, and their total cost."""

    winners: tuple[str, ...]
    total_cost: int | Fraction
    # For the MES rules: the per-voter budget of the run whose outcome was kept.
    voter_budget: Fraction | None = None
    # mes-add1: number of MES runs made (pabutools would make (voter_budget - budget/n) + 1 or + 2).
    mes_runs: int = 0
    # True when a work bound was reached: the outcome is the best found so far, not the rule's.
    stopped_early: bool = False
    reason: str | None = None      # WORK_LIMIT when stopped_early
    # The MES rules: how many of the winners (the first ones) equal shares chose; the rest, if any,
    # are the greedy completion's. None for the other rules.
    mes_count: int | None = None


def _exact(value: object, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, Rational, str)):
        raise TypeError(f"{what} must be an int, a Fraction or a decimal string, not {type(value).__name__}")
    result = Fraction(value)
    if result < 0:
        raise ValueError(f"{what} must not be negative")
    return result


def _fr(x: Any) -> Fraction:
    """An exact Fraction of an int, a numpy integer or bool, or a Fraction."""
    return x if isinstance(x, Fraction) else Fraction(int(x))


def _plain(value: Fraction) -> int | Fraction:
    return int(value) if value.denominator == 1 else value


ONE = Fraction(1)
BallotKey = tuple[tuple[str, Fraction], ...]


class Election:
    """A budget, project costs by id, and ballots.

    `ballots` is an iterable of ballots or a mapping from a ballot to the number of voters who cast
    exactly it. An approval ballot is an iterable of project ids (or a frozenset of them); a
    cardinal ballot is a mapping {project id: points} (or a frozenset / tuple of (id, points)
    pairs). One cardinal ballot makes the election cardinal. Empty ballots count as voters (they
    take their share of the budget for MES) but support nothing.
    """

    def __init__(self, budget: int | Fraction, costs: Mapping[str, int | Fraction],
                 ballots: Iterable[Any] | Mapping[Any, int]) -> None:
        self.budget = _exact(budget, "budget")
        self.ids: list[str] = sorted(str(p) for p in costs)
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("project ids must be distinct as strings")
        self.index = {p: i for i, p in enumerate(self.ids)}
        by_str = {str(k): v for k, v in costs.items()}
        self.costs = [_exact(by_str[p], f"cost of {p}") for p in self.ids]
        self.cardinal = False
        counts: Counter[BallotKey] = Counter()
        if isinstance(ballots, Mapping):
            for ballot, mult in ballots.items():
                if isinstance(mult, bool) or not isinstance(mult, int) or mult < 0:
                    raise ValueError("ballot multiplicities must be non-negative integers")
                if mult:
                    counts[self._key(ballot)] += mult
        else:
            for ballot in ballots:
                counts[self._key(ballot)] += 1
        for key in counts:
            for p, _ in key:
                if p not in self.index:
                    raise ValueError(f"a ballot approves unknown project {p!r}")
        self.keys: list[BallotKey] = sorted(counts)
        self.groups: list[frozenset] = [frozenset(p for p, _ in k) for k in self.keys]
        self.weights = np.array([counts[k] for k in self.keys], dtype=np.int64)
        self.n_voters = int(self.weights.sum())
        n_p, n_g = len(self.ids), len(self.keys)
        members: list[list[int]] = [[] for _ in range(n_p)]
        points: list[list[Fraction]] = [[] for _ in range(n_p)]
        for g, key in enumerate(self.keys):
            for p, pts in key:
                if pts > 0:
                    members[self.index[p]].append(g)
                    points[self.index[p]].append(pts)
        integral = all(x.denominator == 1 for col in points for x in col)
        self.sup_idx = [np.array(m, dtype=np.int64) for m in members]
        self.sup_w = [self.weights[m] for m in self.sup_idx]
        self.sup_wf = [w.astype(np.float64) for w in self.sup_w]
        self.sup_wsum = [float(w.sum()) for w in self.sup_wf]
        self.sup_pf = [np.array([float(x) for x in col], dtype=np.float64) for col in points]
        self.sup_p: list[np.ndarray] = [
            np.array([int(x) for x in col], dtype=np.int64) if integral else np.array(col, dtype=object)
            for col in points]
        self.approvals = [int(w.sum()) for w in self.sup_w]
        # Exact points of group g for project j (bool for approval elections).
        if not self.cardinal:
            self.matrix = np.zeros((n_g, n_p), dtype=bool)
        elif integral:
            self.matrix = np.zeros((n_g, n_p), dtype=np.int64)
        else:
            self.matrix = np.zeros((n_g, n_p), dtype=object)
            self.matrix[:] = 0
        for j, m in enumerate(self.sup_idx):
            self.matrix[m, j] = self.sup_p[j] if self.cardinal else True
        self.cost_f = [float(c) for c in self.costs]
        self._sat: dict[str, _SatData] = {}

    def _key(self, ballot: Any) -> BallotKey:
        if isinstance(ballot, Mapping):
            self.cardinal = True
            items = [(str(p), _exact(v, "points")) for p, v in ballot.items()]
        else:
            items = []
            for x in ballot:
                if isinstance(x, tuple):
                    self.cardinal = True
                    items.append((str(x[0]), _exact(x[1], "points")))
                else:
                    items.append((str(x), ONE))
        result = dict(items)
        if len(result) != len(items):
            # approval: a set; cardinal: a project scored twice is an error
            if self.cardinal and any(v != ONE for _, v in items):
                raise ValueError("a ballot gives points to the same project twice")
        return tuple(sorted(result.items()))

    def sat(self, kind: str) -> _SatData:
        if kind not in self._sat:
            self._sat[kind] = _SatData(self, kind)
        return self._sat[kind]

    def outcome(self, chosen: list[int], voter_budget: Fraction | None = None, **extra: Any) -> Outcome:
        total = sum((self.costs[j] for j in chosen), Fraction(0))
        return Outcome(tuple(self.ids[j] for j in chosen), _plain(total), voter_budget, **extra)


class _SatData:
    """Per-project utility of each supporter for one satisfaction: u = scale_j * points."""

    def __init__(self, e: Election, kind: str) -> None:
        if kind not in ("cost", "cardinality", "points"):
            raise ValueError(kind)
        if kind == "cardinality" and e.cardinal:
            raise ValueError("cardinality satisfaction is for approval ballots")
        self.kind = kind
        self.scale = [c if kind == "cost" else ONE for c in e.costs]
        pf = e.sup_pf if kind != "cardinality" else [np.ones(len(w)) for w in e.sup_w]
        self.u_f = [float(s) * p for s, p in zip(self.scale, pf)]
        self.wu_f = [w * u for w, u in zip(e.sup_wf, self.u_f)]
        self.sum_wu_f = [float(x.sum()) for x in self.wu_f]
        # the utility when all supporters share it (approval ballots): comparisons against a scalar
        self.u_const: list[float | None] = [
            float(s) if (kind == "cardinality" or not e.cardinal) else None for s in self.scale]
        self.total: list[Fraction] = []        # exact total satisfaction of each project
        for j in range(len(e.ids)):
            wp = e.sup_w[j] * e.sup_p[j] if kind != "cardinality" else e.sup_w[j]
            self.total.append(self.scale[j] * _fr(wp.sum()))
        self.active = [j for j in range(len(e.ids)) if self.total[j] > 0 and e.costs[j] > 0]
        self.free = [j for j in range(len(e.ids)) if self.total[j] > 0 and e.costs[j] == 0]
        self.lower0 = {j: float(e.costs[j] / self.total[j]) for j in self.active}


def _rule_sat(e: Election, rule: str) -> str:
    if "cardinality" in rule:
        return "cardinality"
    return "points" if e.cardinal else "cost"


# ---------------------------------------------------------------------------------------- greedy

def _greedy_order(e: Election, sd: _SatData) -> list[int]:
    """Projects by decreasing satisfaction per unit of cost (0 when none; infinite at cost 0), id ascending."""
    def density(j: int) -> float | Fraction:
        if sd.total[j] == 0:
            return Fraction(0)
        return math.inf if e.costs[j] == 0 else sd.total[j] / e.costs[j]
    return sorted(range(len(e.ids)), key=lambda j: (-density(j), j))


def _greedy_complete(e: Election, sd: _SatData, chosen: list[int]) -> list[int]:
    taken = set(chosen)
    left = e.budget - sum((e.costs[j] for j in chosen), Fraction(0))
    result = list(chosen)
    for j in _greedy_order(e, sd):
        if j not in taken and e.costs[j] <= left:
            result.append(j)
            left -= e.costs[j]
    return result


def greedy(e: Election, sat: str | None = None) -> Outcome:
    return e.outcome(_greedy_complete(e, e.sat(sat or _rule_sat(e, "greedy")), []))


# ------------------------------------------------------------------------------------------- MES

class _Run:
    """One run of MES with a given per-voter budget b, optionally with a certificate.

    Budgets are floats; the exact state is kept implicitly: `drained[g]` is the round in which
    ballot group g paid all it had (or NEVER), and each round's exact factor is derived on demand,
    so Fractions are only computed when a decision is too close to call in floating point.

    Certificate (`certify=True`): with the run's decisions fixed, every budget, factor and
    comparison of the run is an affine function of b. The run also tracks the slopes (`sl`, the
    derivative of each budget in b) and computes `delta`, a lower bound on the distance from b to
    the nearest b' > b at which one of the decisions that determine the run could change. For every
    b' in [b, b + delta) MES makes exactly the same selections (see _add1).
    """

    NEVER = np.iinfo(np.int64).max

    def __init__(self, e: Election, sd: _SatData, b: Fraction, certify: bool = False) -> None:
        self.e = e
        self.sd = sd
        self.b = b
        self.bf = float(b)
        n_g = len(e.keys)
        self.beta = np.full(n_g, self.bf)
        self.sl = np.ones(n_g)
        self.drained = np.full(n_g, self.NEVER, dtype=np.int64)
        self.sel: list[int] = []
        self.alphas: list[Fraction | None] = []
        self.dalphas: list[Fraction | None] = []
        self.certify = certify
        self.delta: float | Fraction = math.inf
        self.smag = 1.0     # largest |slope| seen, for the floating-point error bound
        self._ex: dict[int, tuple[Fraction, np.ndarray]] = {}

    # -- exact values, on demand ---------------------------------------------------------------
    def _u(self, g: int, j: int) -> Fraction:
        p = self.e.matrix[g, j] if self.sd.kind != "cardinality" else 1
        return self.sd.scale[j] * _fr(p)

    def _wp(self, j: int, mask: np.ndarray) -> Fraction:
        """Exact sum of weight * points over the supporters of j selected by `mask`."""
        w = self.e.sup_w[j][mask]
        if self.sd.kind == "cardinality":
            return Fraction(int(w.sum()))
        return _fr((w * self.e.sup_p[j][mask]).sum())

    def _units(self, groups: np.ndarray, r: int) -> list[Any]:
        e = self.e
        m = e.matrix[np.ix_(groups, np.array(self.sel[:r], dtype=np.int64))]
        if self.sd.kind == "cardinality":
            m = m.astype(bool)
        return list(e.weights[groups] @ m)

    def _alpha(self, r: int) -> Fraction:
        """The exact factor of the project funded in round r."""
        a = self.alphas[r]
        if a is None:
            e = self.e
            j = self.sel[r]
            idx = e.sup_idx[j]
            rnd = self.drained[idx]
            now_poor = idx[rnd == r]
            spent = self._sum_at(now_poor, r)
            rich_wu = self.sd.scale[j] * self._wp(j, rnd > r)
            if rich_wu:
                a = (e.costs[j] - spent) / rich_wu
            else:  # everyone paid all they had
                a = max(self._beta_at(int(g), r) / self._u(int(g), j) for g in now_poor)
            self.alphas[r] = a
        return a

    def _dalpha(self, r: int) -> Fraction:
        """The exact derivative in b of the factor of round r (its decisions fixed)."""
        d = self.dalphas[r]
        if d is None:
            j = self.sel[r]
            idx = self.e.sup_idx[j]
            rnd = self.drained[idx]
            rich_wu = self.sd.scale[j] * self._wp(j, rnd > r)
            if not rich_wu:  # pragma: no cover - the certificate stops before (delta = 0)
                raise ArithmeticError("no slope for a round where everyone paid all they had")
            d = -self._slope_sum_at(idx[rnd == r], r) / rich_wu
            self.dalphas[r] = d
        return d

    def _sum_at(self, groups: np.ndarray, r: int) -> Fraction:
        """Exact total budget of `groups` (none drained before round r) at the start of round r."""
        if len(groups) == 0:
            return Fraction(0)
        total = self.b * int(self.e.weights[groups].sum())
        if r:
            for s, m in enumerate(self._units(groups, r)):
                if m:
                    total -= self._alpha(s) * self.sd.scale[self.sel[s]] * _fr(m)
        return total

    def _slope_sum_at(self, groups: np.ndarray, r: int) -> Fraction:
        if len(groups) == 0:
            return Fraction(0)
        total = Fraction(int(self.e.weights[groups].sum()))
        if r:
            for s, m in enumerate(self._units(groups, r)):
                if m:
                    total -= self._dalpha(s) * self.sd.scale[self.sel[s]] * _fr(m)
        return total

    def _beta_at(self, g: int, r: int) -> Fraction:
        if self.drained[g] < r:
            return Fraction(0)
        return self.b - sum((self._alpha(s) * self._u(g, j) for s, j in enumerate(self.sel[:r])
                             if self.e.matrix[g, j]), Fraction(0))

    def _slope_at(self, g: int, r: int) -> Fraction:
        if self.drained[g] < r:
            return Fraction(0)
        return 1 - sum((self._dalpha(s) * self._u(g, j) for s, j in enumerate(self.sel[:r])
                        if self.e.matrix[g, j]), Fraction(0))

    # -- one candidate in the current round ------------------------------------------------------
    def cap_float(self, j: int) -> float | None:
        """The factor a with sum_i w_i min(b_i, a u_i) = c (poor/rich iteration); None if unaffordable."""
        e, sd = self.e, self.sd
        idx = e.sup_idx[j]
        bud = self.beta.take(idx)
        w = e.sup_wf[j]
        u = sd.u_f[j]
        c = e.cost_f[j]
        total = float(bud @ w)
        if total < c * (1 + TOL):
            if total < c * (1 - TOL):
                return None
            live = idx[self.drained[idx] == self.NEVER]
            if self._sum_at(live, len(self.sel)) < e.costs[j]:
                return None
        total_wu = sd.sum_wu_f[j]
        uc = sd.u_const[j]
        if uc is not None:  # approval: one utility, compare budgets with the cap q = a * u
            total_w = e.sup_wsum[j]
            q = c / total_w
            poor = np.flatnonzero(bud < q)
            if len(poor) == 0:
                return q / uc
            while True:
                wp = w[poor]
                rich_w = total_w - float(wp.sum())
                if rich_w <= 0:
                    return float(bud.max()) / uc
                q = (c - float(bud[poor] @ wp)) / rich_w
                more = np.flatnonzero(bud < q)
                if len(more) == len(poor):
                    return q / uc
                poor = more
        wu = sd.wu_f[j]
        a = c / total_wu
        poor = np.flatnonzero(bud < a * u)
        if len(poor) == 0:
            return a
        while True:
            rich_wu = total_wu - float(wu[poor].sum())
            if rich_wu <= 0:
                return float((bud / u).max())
            a = (c - float(bud[poor] @ w[poor])) / rich_wu
            more = np.flatnonzero(bud < a * u)
            if len(more) == len(poor):
                return a
            poor = more

    def cap_exact(self, j: int, a_f: float) -> tuple[Fraction, np.ndarray]:
        """The exact factor of project j in the current round and its poor supporters (b_i <= a u_i)."""
        if j in self._ex:
            return self._ex[j]
        e, sd = self.e, self.sd
        t = len(self.sel)
        idx = e.sup_idx[j]
        ratio = self.beta[idx] / sd.u_f[j]
        lo, hi = a_f * (1 - TOL), a_f * (1 + TOL)
        poor = ratio < lo
        amb = np.flatnonzero((ratio >= lo) & (ratio <= hi)).tolist()
        live_poor = idx[poor & (self.drained[idx] == self.NEVER)]
        spent = self._sum_at(live_poor, t)
        rich_wu = sd.scale[j] * self._wp(j, ~poor)
        items = []
        for k in amb:
            g = int(idx[k])
            u = self._u(g, j)
            items.append((self._beta_at(g, t) / u, k, u, int(e.sup_w[j][k])))
        items.sort()
        a: Fraction | None = None
        for r_x, _k, u, wk in items:
            a = (e.costs[j] - spent) / rich_wu
            if r_x > a:
                break
            spent += r_x * u * wk
            rich_wu -= u * wk
            a = r_x
        else:
            if rich_wu:
                a = (e.costs[j] - spent) / rich_wu
        if a is None:
            a = max(self._beta_at(int(g), t) / self._u(int(g), j) for g in idx[poor])
        if abs(float(a) - a_f) > 1e-6 * max(1.0, a_f):  # pragma: no cover - safety net
            raise ArithmeticError("floating-point factor drifted from the exact one")
        final = ratio < lo
        for r_x, k, _u, _w in items:
            if r_x <= a:
                final[k] = True
        self._ex[j] = (a, final)
        return a, final

    def partition(self, j: int, a_f: float, a_x: Fraction | None) -> tuple[np.ndarray, Fraction | None]:
        """Supporters of j who pay all they have at factor a (b_i <= a u_i), decided exactly when close."""
        idx = self.e.sup_idx[j]
        ratio = self.beta[idx] / self.sd.u_f[j]
        lo, hi = a_f * (1 - TOL), a_f * (1 + TOL)
        if not ((ratio >= lo) & (ratio <= hi)).any():
            return ratio < lo, a_x
        a_x2, poor = self.cap_exact(j, a_f)
        return poor, a_x2 if a_x is None else a_x

    def fund(self, j: int, a_f: float, a_x: Fraction | None, poor: np.ndarray, da_f: float | None) -> None:
        e, sd = self.e, self.sd
        t = len(self.sel)
        idx = e.sup_idx[j]
        live = poor & (self.drained[idx] == self.NEVER)
        if live.any():
            self.drained[idx[live]] = t
        a = a_f if a_x is None else float(a_x)
        self.beta[idx] = np.where(poor, 0.0, self.beta[idx] - a * sd.u_f[j])
        if da_f is not None:
            self.sl[idx] = np.where(poor, 0.0, self.sl[idx] - da_f * sd.u_f[j])
        self.sel.append(j)
        self.alphas.append(a_x)
        self.dalphas.append(None)
        self._ex = {}

    # -- the certificate -------------------------------------------------------------------------
    def _bound(self, delta: float | Fraction) -> None:
        if delta < self.delta:
            self.delta = delta

    @property
    def certifying(self) -> bool:
        return self.certify and self.delta > 1

    def _exact_bound(self, m: Fraction, d: Fraction, strict: bool) -> None:
        """The condition m + d * x >= 0 (> 0 when strict) for x in [0, delta)."""
        if m < 0 or (m == 0 and (strict or d < 0)):
            self._bound(0)
        elif d < 0:
            self._bound(m / -d)

    def _float_bounds(self, m: np.ndarray, d: np.ndarray, em: np.ndarray, ed: np.ndarray) -> np.ndarray:
        """Bound from conditions m + d x >= 0 known up to errors em, ed; returns the mask of those too
        close to call (to be decided exactly by the caller)."""
        near = m <= em
        far = ~near
        if far.any():
            adv = ed[far] - d[far]
            pos = adv > 0
            if pos.any():
                self._bound(float(((m[far][pos] - em[far][pos]) / adv[pos]).min()))
        return near

    def _slope_err(self, *mags: np.ndarray | float) -> np.ndarray | float:
        total: np.ndarray | float = 1.0 + self.smag * (len(self.sel) + 1)
        for x in mags:
            total = total + np.abs(x)
        return 1e-9 * total

    def _da_float(self, j: int, poor: np.ndarray) -> float | None:
        idx = self.e.sup_idx[j]
        rich_wu = float(self.sd.wu_f[j][~poor].sum())
        if rich_wu <= 0:
            return None
        live = poor & (self.drained[idx] == self.NEVER)
        da = -float(self.sl[idx[live]] @ self.e.sup_wf[j][live]) / rich_wu
        self.smag = max(self.smag, abs(da) * float(self.sd.u_f[j].max()))
        return da

    def _da_exact(self, j: int, poor: np.ndarray) -> Fraction:
        idx = self.e.sup_idx[j]
        t = len(self.sel)
        live = poor & (self.drained[idx] == self.NEVER)
        return -self._slope_sum_at(idx[live], t) / (self.sd.scale[j] * self._wp(j, ~poor))

    def _cert_partition(self, j: int, a_f: float, da_f: float, poor: np.ndarray,
                        exact: Any) -> None:
        """Every live supporter stays on its side: b_i <= a u_i (poor) or b_i >= a u_i (rich)."""
        e, sd = self.e, self.sd
        idx = e.sup_idx[j]
        live = np.flatnonzero(self.drained[idx] == self.NEVER)
        if len(live) == 0:
            return
        g = idx[live]
        bud, s, u, pm = self.beta[g], self.sl[g], sd.u_f[j][live], poor[live]
        au, dau = a_f * u, da_f * u
        m = np.where(pm, au - bud, bud - au)
        d = np.where(pm, dau - s, s - dau)
        em = 1e-9 * (self.bf + au)
        ed = self._slope_err(s, dau)
        near = self._float_bounds(m, d, em, np.asarray(ed))
        if near.any():
            a_x, da_x = exact()
            t = len(self.sel)
            for k in np.flatnonzero(near).tolist():
                gg = int(g[k])
                ux = self._u(gg, j)
                bx, sx = self._beta_at(gg, t), self._slope_at(gg, t)
                if pm[k]:
                    self._exact_bound(a_x * ux - bx, da_x * ux - sx, False)
                else:
                    self._exact_bound(bx - a_x * ux, sx - da_x * ux, False)

    def _certify_round(self, j: int, a_f: float, a_x: Fraction | None, poor_j: np.ndarray,
                       cands: list[tuple[float, int]], gone: list[int], skipped: list[int],
                       lower: dict[int, float], lower_d: dict[int, float]) -> float | None:
        """Register the conditions of this round; returns the float slope of the funded project's factor."""
        da_j = self._da_float(j, poor_j)
        if da_j is None:
            self._bound(0)
            return None
        cache: dict[int, tuple[Fraction, Fraction]] = {}

        def exact_of(k: int, a_k: float, poor_k: np.ndarray) -> tuple[Fraction, Fraction]:
            if k not in cache:
                ax = a_x if (k == j and a_x is not None) else self.cap_exact(k, a_k)[0]
                cache[k] = (ax, self._da_exact(k, poor_k))
            return cache[k]

        self._cert_partition(j, a_f, da_j, poor_j, lambda: exact_of(j, a_f, poor_j))
        for a_k, k in cands:
            if k == j or not self.certifying:
                continue
            poor_k, _ = self.partition(k, a_k, None)
            da_k = self._da_float(k, poor_k)
            if da_k is None:
                self._bound(0)
                return da_j
            lower_d[k] = da_k
            self._cert_partition(k, a_k, da_k, poor_k, lambda k=k, a_k=a_k, p=poor_k: exact_of(k, a_k, p))
            # k must not overtake j: a_k - a_j >= 0 (> 0 when k's id is smaller and would win a tie)
            m, d = a_k - a_f, da_k - da_j
            if m <= 1e-9 * (a_k + a_f):
                akx, dakx = exact_of(k, a_k, poor_k)
                ajx, dajx = exact_of(j, a_f, poor_j)
                self._exact_bound(akx - ajx, dakx - dajx, k < j)
            else:
                ed = float(self._slope_err(da_k, da_j))
                if ed - d > 0:
                    self._bound((m - 1e-9 * (a_k + a_f)) / (ed - d))
        for k in gone:
            if not self.certifying:
                break
            self._cert_unaffordable(k)
        for k in skipped:
            if not self.certifying:
                break
            m, d = lower[k] - a_f, lower_d.get(k, 0.0) - da_j
            ed = float(self._slope_err(lower_d.get(k, 0.0), da_j))
            em = 1e-10 * (lower[k] + a_f)
            if m <= em:  # pragma: no cover - skipped candidates are > TOL away
                self._bound(0)
            elif ed - d > 0:
                self._bound((m - em) / (ed - d))
        return da_j

    def _cert_unaffordable(self, k: int) -> None:
        """k stays unaffordable: c - sum of its supporters' budgets > 0."""
        e = self.e
        idx = e.sup_idx[k]
        live = self.drained[idx] == self.NEVER
        g = idx[live]
        w = e.sup_wf[k][live]
        total = float(self.beta[g] @ w)
        m = e.cost_f[k] - total
        d = -float(self.sl[g] @ w)
        em = 1e-9 * (e.cost_f[k] + total)
        if m <= em:
            t = len(self.sel)
            self._exact_bound(e.costs[k] - self._sum_at(g, t), -self._slope_sum_at(g, t), True)
            return
        ed = float(self._slope_err(float(np.abs(self.sl[g]) @ w)))
        if ed - d > 0:
            self._bound((m - em) / (ed - d))

    # -- the rounds ------------------------------------------------------------------------------
    def run(self) -> list[int]:
        sd = self.sd
        remaining = list(sd.active)
        lower = dict(sd.lower0)   # the factor never falls within a run
        lower_d: dict[int, float] = {}
        while remaining:
            remaining.sort(key=lambda j: (lower[j], j))
            best = math.inf
            cands: list[tuple[float, int]] = []
            gone = []
            stop = len(remaining)
            for pos, j in enumerate(remaining):
                if lower[j] > best * (1 + TOL):
                    stop = pos
                    break
                a_f = self.cap_float(j)
                if a_f is None:
                    gone.append(j)
                    continue
                lower[j] = a_f
                best = min(best, a_f)
                cands.append((a_f, j))
            skipped = remaining[stop:]
            if not cands:
                for k in gone:
                    if not self.certifying:
                        break
                    self._cert_unaffordable(k)
                break
            near = [(j, a_f) for a_f, j in cands if a_f <= best * (1 + TOL)]
            a_x: Fraction | None
            if len(near) == 1:
                (j, a_f), a_x = near[0], None
            else:
                a_x, j, a_f = min((self.cap_exact(k, a)[0], k, a) for k, a in near)
            poor, a_x = self.partition(j, a_f, a_x)
            da_f = None
            if self.certifying:
                da_f = self._certify_round(j, a_f, a_x, poor, cands, gone, skipped, lower, lower_d)
            self.fund(j, a_f, a_x, poor, da_f if self.certifying else None)
            for k in gone:
                remaining.remove(k)
            remaining.remove(j)
        return self.sel


def _mes_chosen(e: Election, sd: _SatData, b: Fraction) -> list[int]:
    return sd.free + _Run(e, sd, b).run()


def _b0(e: Election) -> Fraction:
    return e.budget / e.n_voters


def mes(e: Election, sat: str | None = None) -> Outcome:
    if e.n_voters == 0:
        return e.outcome([])
    b = _b0(e)
    chosen = _mes_chosen(e, e.sat(sat or _rule_sat(e, "mes")), b)
    return e.outcome(chosen, b, mes_count=len(chosen))


@dataclass
class _Add1:
    chosen: list[int]
    voter_budget: Fraction | None
    runs: int
    stopped_early: bool = False


def _add1(e: Election, sd: _SatData, max_runs: int | None = None, progress: Any = None) -> _Add1:
    """pabutools' MES with voter_budget_increment=1, without visiting every increment.

    Unit stepping runs MES at b_k = budget/n + k for k = 0, 1, 2, ... and stops at the first k whose
    outcome is over budget (returning the outcome of k - 1) or exhaustive (returning it). Here each
    run at b_k also returns `delta`: for every b' in [b_k, b_k + delta), MES makes the same
    selections as at b_k (_Run's certificate). So the runs at b_{k+1}, ..., b_{k+m-1} with
    m = max(1, ceil(delta)) would give the same outcome as b_k -- neither over budget nor
    exhaustive, since those depend on the outcome only -- and unit stepping would not stop there:
    jumping to b_{k+m} finds the same first stopping k, and the previous outcome is the one of b_k.
    """
    if max_runs is None:
        max_runs = max(1, MAX_MES_WORK // (sum(len(i) for i in e.sup_idx) + 1000))
    if e.n_voters == 0:
        return _Add1([], None, 0)
    b0 = _b0(e)
    k = 0
    previous = _Add1([], None, 0)
    runs = 0
    # A certificate costs about half a run; when it finds no jump (the outcome changes at nearly every
    # unit, as at Łódź) the next ones are skipped for 1, 2, 4, ... runs. Skipping is always safe:
    # a run without certificate steps one unit, exactly as pabutools does.
    skip, backoff = 0, 1
    while True:
        if runs >= max_runs:
            return _Add1(previous.chosen, previous.voter_budget, runs, True)
        certify = skip == 0
        run = _Run(e, sd, b0 + k, certify=certify)
        chosen = sd.free + run.run()
        runs += 1
        if progress is not None:   # progress(runs made, the most the work bound allows)
            progress(runs, max_runs)
        spent = sum((e.costs[j] for j in chosen), Fraction(0))
        if spent > e.budget:
            return _Add1(previous.chosen, b0 + k - 1 if k else None, runs)
        left = e.budget - spent
        taken = set(chosen)
        if not any(e.costs[j] <= left for j in sd.active if j not in taken):
            return _Add1(chosen, b0 + k, runs)
        previous = _Add1(chosen, b0 + k, runs)
        delta = run.delta if certify else 0
        if certify:
            if delta <= 1:
                skip, backoff = backoff, min(2 * backoff, 64)
            else:
                backoff = 1
        else:
            skip -= 1
        if delta == math.inf:  # pragma: no cover - for b large enough every supported project is funded
            raise ArithmeticError("MES outcome constant in the budget yet neither exhaustive nor over budget")
        k += max(1, math.ceil(delta))


def _add1_outcome(e: Election, rule: str, complete: bool, progress: Any = None) -> Outcome:
    sd = e.sat(_rule_sat(e, rule))
    res = _add1(e, sd, progress=progress)
    chosen = _greedy_complete(e, sd, res.chosen) if complete else res.chosen
    return e.outcome(chosen, res.voter_budget, mes_runs=res.runs, stopped_early=res.stopped_early,
                     reason=WORK_LIMIT if res.stopped_early else None, mes_count=len(res.chosen))


def mes_add1(e: Election) -> Outcome:
    return _add1_outcome(e, "mes-add1", False)


def mes_add1_greedy(e: Election) -> Outcome:
    return _add1_outcome(e, "mes-add1-greedy", True)


# -------------------------------------------------------------------------------------- Phragmén

def phragmen(e: Election) -> Outcome:
    """Sequential Phragmén as pabutools 1.2 computes it (loads exact; ties to the smaller id)."""
    if e.cardinal:
        raise ValueError("sequential Phragmén is for approval ballots")
    n_p = len(e.ids)
    remaining = [j for j in range(n_p) if e.costs[j] <= e.budget]
    loads: list[Fraction] = [Fraction(0)]          # distinct load values; a group's load = loads[at[g]]
    at = np.zeros(len(e.keys), dtype=np.int64)
    chosen: list[int] = []
    spent = Fraction(0)
    while remaining:
        best: list[int] = []
        best_load: float | Fraction = math.inf
        for j in remaining:
            if e.approvals[j] == 0:
                new: float | Fraction = math.inf
            else:
                counts = np.bincount(at[e.sup_idx[j]], weights=None, minlength=len(loads))
                wcounts = np.bincount(at[e.sup_idx[j]], weights=e.sup_wf[j], minlength=len(loads))
                del counts
                total = sum((loads[i] * int(round(c)) for i, c in enumerate(wcounts.tolist()) if c), Fraction(0))
                new = (total + e.costs[j]) / e.approvals[j]
            if not best or new < best_load:
                best, best_load = [j], new
            elif new == best_load:
                best.append(j)
        if any(spent + e.costs[j] > e.budget for j in best):
            break
        j = min(best)
        if best_load != math.inf:
            loads.append(Fraction(best_load))
            at[e.sup_idx[j]] = len(loads) - 1
        chosen.append(j)
        spent += e.costs[j]
        remaining.remove(j)
    return e.outcome(chosen)


# ----------------------------------------------------------------------------------- max welfare

def max_welfare(e: Election, sat: str | None = None, max_nodes: int = MAX_KNAPSACK_NODES) -> Outcome:
    """A feasible set of maximum total satisfaction (0/1 knapsack, exact branch and bound).

    Among optimal sets the first found is kept: projects by decreasing satisfaction per unit of
    cost (id ascending), each included before it is excluded. Winners are listed by id."""
    sd = e.sat(sat or _rule_sat(e, "max-welfare"))
    value = sd.total
    free = [j for j in range(len(e.ids)) if e.costs[j] == 0]
    items = [j for j in range(len(e.ids)) if e.costs[j] > 0 and value[j] > 0 and e.costs[j] <= e.budget]
    items.sort(key=lambda j: (-(value[j] / e.costs[j]), j))
    costs = [e.costs[j] for j in items]
    vals = [value[j] for j in items]
    n = len(items)
    best_val = Fraction(-1)
    best_set: list[int] = []
    nodes = 0
    stopped = False

    def bound(i: int, room: Fraction) -> Fraction:
        total = Fraction(0)
        while i < n and costs[i] <= room:
            room -= costs[i]
            total += vals[i]
            i += 1
        if i < n:
            total += vals[i] * room / costs[i]
        return total

    taken: list[int] = []

    def search(i: int, room: Fraction, val: Fraction) -> None:
        nonlocal best_val, best_set, nodes, stopped
        nodes += 1
        if nodes > max_nodes:
            stopped = True
            return
        if i == n:
            if val > best_val:
                best_val, best_set = val, list(taken)
            return
        if val + bound(i, room) <= best_val:
            return
        if costs[i] <= room:
            taken.append(i)
            search(i + 1, room - costs[i], val + vals[i])
            taken.pop()
            if stopped:
                return
        search(i + 1, room, val)

    search(0, e.budget, Fraction(0))
    chosen = sorted(free + [items[i] for i in best_set])
    return e.outcome(chosen, stopped_early=stopped, reason=WORK_LIMIT if stopped else None)


RULE_FUNCTIONS = {
    "greedy": lambda e: greedy(e),
    "mes": lambda e: mes(e),
    "mes-add1": mes_add1,
    "mes-add1-greedy": mes_add1_greedy,
    "greedy-cardinality": lambda e: greedy(e, "cardinality"),
    "mes-cardinality": lambda e: mes(e, "cardinality"),
    "mes-cardinality-add1": lambda e: _add1_outcome(e, "mes-cardinality-add1", False),
    "mes-cardinality-add1-greedy": lambda e: _add1_outcome(e, "mes-cardinality-add1-greedy", True),
    "phragmen": phragmen,
    "max-welfare": lambda e: max_welfare(e),
}


def count(rule: str, e: Election, progress: Any = None) -> Outcome:
    """Count election `e` with the rule named `rule` (one of ALL_RULES).

    progress(runs, max_runs), if given, is called after each run of MES of the add1 rules (the
    background count shows it)."""
    try:
        fn = RULE_FUNCTIONS[rule]
    except KeyError:
        raise ValueError(f"unknown counting rule {rule!r}; expected one of {', '.join(ALL_RULES)}") from None
    if progress is not None and "add1" in rule:
        return _add1_outcome(e, rule, rule.endswith("-greedy"), progress)
    return fn(e)
