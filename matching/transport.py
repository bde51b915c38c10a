"""The transportation LP of one kind, solved exactly by column generation.

Problem. max sum_a w_a x_a over arcs a = (node g, need node j), x >= 0, sum_{a at g} x_a <=
node_cap_g, sum_{a at j} x_a <= need_cap_j. Its constraint matrix is the incidence matrix of a
bipartite graph, totally unimodular, so a *basic* optimal solution is integral: the LP optimum
is the integer optimum for divisible pledges.

Why column generation. A kind has up to millions of compatible arcs but an optimal basis has at
most (nodes + needs) positive arcs, nearly all among each need's best few. The restricted LP
starts from each need's best arcs until the nodes behind them could cover COVER times its room.
After each solve the duals (u_node, v_need) price every arc: each need's PRICE_PER_NEED most
violated arcs (w - u - v > PRICE_TOL on scaled costs), ties broken by arc order, join; only
when no need has one, each node's most violated arc. When no arc is violated the restricted
optimum is optimal for the whole problem (LP duality: the duals are the certificate; a node
whose row never joined has no column and dual 0). Measured (CPU s, 100k x 5k): pricing every
node's top arcs as well flooded the LP with arcs of nodes that end up unused (logistics 20 s ->
4.5 s without it); adding every tied arc put 75k columns in the money LP.

Why a greedy start. Arcs by decreasing worth take what both ends have left: each positive arc
saturates an end, so the positive arcs form a forest with at most one unsaturated row per tree
-- a primal feasible *basis* (greedy_basis). Primal simplex from it beats dual simplex from
scratch (LP CPU s at 20k x 2k: money 1.17 -> 0.2, execution 1.8 -> 1.1). Node rows join the LP
with their first column (at 100k x 5k most nodes never do). The whole-pledge relaxation keeps
dual simplex from scratch: its vertex guides the rounding and the core MILP (matching.whole).

Dual rounds. In the local kinds (logistics, execution) the rounds after the first use dual
simplex: the columns a round adds cost the primal simplex 10-20k pivots, the dual simplex far
less time (100k x 5k, diverse pledges, CPU s: execution 14.2 -> 7.4, logistics 9.6 -> 8.0). In
money and design, whose costs tie much more (fit without location), dual rounds were 3-4x
slower: they stay primal.

Arc order. Arcs are put in need-major order once (a 16-bit radix sort on (need, fit band));
the pricing then reads each need's arcs as one run without gathers (a lexsort over millions
of arcs cost 1.6 s at 100k x 5k).

Ties and proposals. Among optimal answers the current proposals are kept inside the same
column generation (no second solve): each proposed arc gets a parallel column bounded by the
proposed quantity whose cost is TIE_EPS higher; the greedy start fills those columns first.
At the optimum for these costs the epsilon is removed (same basis, warm) and the rounds go on
to the optimum of the true costs, certified by the true duals as without proposals: the
epsilon never changes the worth. If the final answer keeps at least the proposed quantity the
perturbed optimum kept, it is the lexicographic optimum (best worth, then most kept: see
_colgen_highs); otherwise (a near tie the epsilon decided wrongly) a second LP on the optimal
face maximises the proposed quantity kept (stats.tie_break_face; stats.tie_break_bound bounds
what that face's tolerance may cost). 20k x 2k with its own answer as proposals: the face LP
took 3.3 s of 5.1 s; now the whole solve takes less than without proposals (the greedy start
from the proposals is nearly optimal).

Integrality. The flow is rounded on the LP's columns and checked; a repair (counted in
stats.rounding_repairs) is a safety net that basic solutions never need.

Engine. By default the compiled network simplex (matching.netsimplex, matching/_netsimplex.c:
_solve_ns): the same problem as a min-cost flow with a root for the slacks, the same column
generation but inside the C code and on one spanning tree (a need's NS_PRICE_PER_NEED most
violated arcs join when no active arc violates; the tree is kept), the same PRICE_TOL
certificate, the same proposals' epsilon (parallel bounded arcs, removed on the same tree),
integer flows without rounding. Its pivot walks a tree path instead of updating an LU
factorisation: 100k x 5k, diversity 1, execution kind, 6.5M arcs: 0.6 CPU s against 7-14 s of
HiGHS simplex (see docs/matching-bench.md). With options.network_simplex False, or when the
library is not built: the HiGHS column generation below, through matching.highs (warm starts); without that binding (a SciPy
release outside the tested range, or options.highs_binding False), cold `linprog` rounds: the
same pricing test, every violated arc joins, the same optimum. Between engines the optimum is
the same; on tied optima the vertex (the allocation) may differ.
Imports only numpy, scipy and the matching package.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from . import highs, netsimplex
from .aggregate import BoolArray, FloatArray, IntArray, KindProblem
from .instance import LOCAL_KINDS
from .options import KindStats, SolverOptions

COVER = 2.0  # initial arcs of a need: its best, until their nodes could cover COVER x its room
PRICE_PER_NEED = 8  # arcs priced in per need each round
PRICE_TOL = 1e-9  # reduced-cost tolerance on scaled costs (max scaled cost is 1)
_SORT_MAX = 4  # _best_per sorts the violated arcs when at most this many per run and arc wanted
TIE_EPS = 1e-8  # cost bonus of a proposal column (scaled costs), removed before the final rounds
NS_PRICE_PER_NEED = 16  # network simplex: arcs of each need that join per pricing round (0: every arc active)

Segments = tuple[IntArray | None, IntArray | None]  # (arc order or None for the identity, run starts or None: not computed)


def _segments(key: IntArray) -> tuple[IntArray, IntArray]:
    """Order of arcs by key (stable) and the start of each key's run (keys with no arc absent).
    Arcs come node-major from build_kind, so the node key is usually sorted already."""
    m = len(key)
    if m == 0 or bool((key[1:] >= key[:-1]).all()):
        order = np.arange(m)
        ks = key
    else:
        k16 = key.astype(np.int16) if key.max() < 32767 else key  # 16-bit: numpy's radix sort
        order = np.argsort(k16, kind="stable")
        ks = key[order]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]]) if m else np.zeros(0, np.int64)
    return order, starts


def initial_selection(gi: IntArray, nj: IntArray, c: FloatArray, node_cap: IntArray, need_cap: IntArray,
                      extra: BoolArray | None = None, presorted: bool = False,
                      node_best: bool = True) -> tuple[BoolArray, Segments, Segments]:
    """Start columns: each need's best arcs until the nodes behind them could cover COVER times
    its room (supply usually exceeds demand: the best nodes of each need are where the answer
    is), and each node's best arc. Returns (selection, (node order, starts), (need order,
    starts)) -- the need order is by need, best arc first. With `presorted` the arcs already
    come in that order (see _need_order) and the need order is None (the identity)."""
    m = len(c)
    sel = np.zeros(m, bool)
    if m == 0:
        e = np.zeros(0, np.int64)
        return sel, (e, e), (e, e)
    no = None if presorted else np.lexsort((-c, nj))
    ks = nj if no is None else nj[no]
    ns = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    cap = node_cap[gi if no is None else gi[no]].astype(np.float64)
    cs = np.cumsum(cap)
    seg_first = np.repeat(ns, np.diff(np.r_[ns, m]))
    before = cs - cap - (cs[seg_first] - cap[seg_first])  # node capacity ahead within the need
    take = before < COVER * need_cap[ks]
    sel[take if no is None else no[take]] = True
    go: IntArray | None = None  # node order: computed when a round first needs it
    gs: IntArray | None = None
    if node_best:  # off on the greedy path: a node's row joins the LP with its first column
        go, gs = _segments(gi)
        mx = np.maximum.reduceat(c[go], gs)
        seg = np.repeat(np.arange(len(gs)), np.diff(np.r_[gs, m]))
        hit = np.flatnonzero(c[go] == mx[seg])
        _, first = np.unique(seg[hit], return_index=True)
        sel[go[hit[first]]] = True
    if extra is not None:
        sel |= extra
    return sel, (go, gs), (no, ns)


def _lp(G: int, N: int, gi: IntArray, nj: IntArray, c: FloatArray, b: FloatArray, *,
        eq: BoolArray | None = None, ub: FloatArray | None = None,
        tol: float = 1e-10) -> tuple[FloatArray, FloatArray] | None:
    """max c.x s.t. node rows and need rows of A x <= b (== where eq), 0 <= x <= ub, by
    `linprog` (dual simplex). Returns (x, duals) with duals >= 0 for <= rows, or None if HiGHS
    failed."""
    m = len(c)
    A = sp.csr_matrix((np.ones(2 * m), (np.concatenate([gi, G + nj]), np.tile(np.arange(m), 2))),
                      shape=(G + N, m))
    opts = {"dual_feasibility_tolerance": tol, "primal_feasibility_tolerance": 1e-9}
    bounds: Any = (0, None) if ub is None else np.stack([np.zeros(m), ub], axis=1)
    if eq is not None and eq.any():
        res = linprog(-c, A_ub=A[~eq], b_ub=b[~eq], A_eq=A[eq], b_eq=b[eq], bounds=bounds,
                      method="highs-ds", options=opts)
        if res.status != 0:
            return None
        duals = np.empty(G + N)
        duals[~eq] = -res.ineqlin.marginals
        duals[eq] = -res.eqlin.marginals
    else:
        res = linprog(-c, A_ub=A, b_ub=b, bounds=bounds, method="highs-ds", options=opts)
        if res.status != 0:
            return None
        duals = -res.ineqlin.marginals
    return res.x, duals


def _need_order(nj: IntArray, fit: FloatArray, N: int) -> IntArray:
    """Arcs grouped by need (stable: arc order inside), within a need by 16 bands of fit (the
    worth of a need's arcs is proportional to their fit) relative to the largest fit, best band
    first: a radix sort on 16-bit keys, ~10x faster than a lexsort on (need, -worth) at
    millions of arcs. The initial selection only needs roughly best first; the pricing ranks
    violations exactly itself."""
    if N * 16 >= 32767 or len(fit) == 0:
        return np.lexsort((-fit, nj))
    lo, hi = float(fit.min()), float(fit.max())
    band = np.minimum(((hi - fit) * (16.0 / max(hi - lo, 1e-300))).astype(np.int16), 15)
    return np.argsort(nj.astype(np.int16) * np.int16(16) + band, kind="stable")


def _best_per(order: IntArray | None, starts: IntArray, red: FloatArray, k: int) -> IntArray:
    """Per run, its k arcs of largest positive reduced cost (ties broken by arc
    order: adding every tied arc floods the LP when many nodes share a dual), ordered by run,
    then reduced cost (descending), then arc order. order None: the arcs are already in run
    order. With many violated arcs (money's early rounds: millions) the k largest are taken
    by k passes of run maxima instead of a sort of all of them (same arcs, same order)."""
    r = red if order is None else red[order]
    pos = np.flatnonzero(r > PRICE_TOL)
    if len(pos) == 0:
        return pos
    if len(pos) > _SORT_MAX * k * len(starts):
        rp = r[pos]
        b = np.searchsorted(pos, starts)  # each run's first violated arc within pos
        b = b[np.diff(np.r_[b, len(pos)]) > 0]
        lens = np.diff(np.r_[b, len(pos)])
        picked = []
        for _ in range(k):
            mx = np.maximum.reduceat(rp, b)
            hit = np.flatnonzero(rp == np.repeat(mx, lens))
            run = np.searchsorted(b, hit, "right") - 1
            first = hit[np.r_[True, run[1:] != run[:-1]]]  # first arc of each run's maximum
            first = first[rp[first] > PRICE_TOL]  # runs with nothing left
            if len(first) == 0:
                break
            picked.append(first)
            rp[first] = -np.inf
        pick = np.sort(np.concatenate(picked))
        pos = pos[pick]
    seg = np.searchsorted(starts, pos, "right") - 1  # run of each violated arc
    o = np.lexsort((-r[pos], seg))
    s = seg[o]
    rank = np.arange(len(o)) - np.searchsorted(s, s, "left")
    out = pos[o[rank < k]]
    return out if order is None else order[out]


class _Columns:
    """The restricted LP's rows and columns. Lazy: rows of the needs first, a node's row joins
    with its first column (a node without columns has a slack row and dual 0). Proposal
    columns (`add(..., ub=...)`) are parallel copies of proposed arcs with their own bound."""

    def __init__(self, lp: highs.RestrictedLP, G: int, N: int, gi: IntArray, nj: IntArray, c: FloatArray,
                 b: FloatArray, lazy: bool) -> None:
        self.lp, self.G, self.N, self.gi, self.nj, self.c, self.b, self.lazy = lp, G, N, gi, nj, c, b, lazy
        if lazy:
            self.need_row = np.arange(N, dtype=np.int64)
            self.node_row = np.full(G, -1, np.int64)
            lp.add_rows(b[G:])
        else:
            self.node_row = np.arange(G, dtype=np.int64)
            self.need_row = G + np.arange(N, dtype=np.int64)
            lp.add_rows(b)
        self.row_nodes: list[IntArray] = []  # nodes in the order their rows joined (lazy)
        self.cols: list[IntArray] = []  # arc of every column, in column order
        self.costs: list[FloatArray] = []
        self.ubs: list[FloatArray] = []
        self.n_cols = 0

    def add(self, idx: IntArray, cost: FloatArray | None = None, ub: FloatArray | None = None) -> IntArray:
        """Columns for arcs idx (cost default c[idx]); returns their column positions."""
        gi, nj = self.gi, self.nj
        if self.lazy:
            fresh = np.unique(gi[idx])
            fresh = fresh[self.node_row[fresh] < 0]
            if len(fresh):
                self.node_row[fresh] = self.N + sum(len(r) for r in self.row_nodes) + np.arange(len(fresh))
                self.row_nodes.append(fresh)
                self.lp.add_rows(self.b[fresh])
        cost = self.c[idx] if cost is None else cost
        self.lp.add_cols(cost, self.node_row[gi[idx]], self.need_row[nj[idx]], ub)
        self.cols.append(idx)
        self.costs.append(cost)
        self.ubs.append(np.full(len(idx), np.inf) if ub is None else ub)
        pos = self.n_cols + np.arange(len(idx), dtype=np.int64)
        self.n_cols += len(idx)
        return pos

    def start_from_greedy(self) -> None:
        """Primal simplex from the greedy's basis over the columns added so far (lazy rows
        only; proposal columns take part with their cost and bound)."""
        N, G, b = self.N, self.G, self.b
        self.lp.set_option("simplex_strategy", 4)  # primal simplex from the greedy's basis
        joined = np.concatenate(self.row_nodes) if self.row_nodes else np.zeros(0, np.int64)
        n_rows = N + len(joined)
        b_row = np.empty(n_rows)
        b_row[:N] = b[G:]
        b_row[N:] = b[joined]
        arcs = np.concatenate(self.cols)
        basic_cols, basic_rows, upper = greedy_basis(n_rows, self.node_row[self.gi[arcs]], self.need_row[self.nj[arcs]],
                                                     np.concatenate(self.costs), b_row, np.concatenate(self.ubs))
        self.lp.set_basis(self.n_cols, n_rows, basic_cols, basic_rows, upper)

    def flow(self, m: int) -> FloatArray:
        """Flow per arc (a proposed arc's two columns add up)."""
        x = np.zeros(m)
        np.add.at(x, np.concatenate(self.cols), self.lp.col_values())
        return x


def _kept_units(x: FloatArray, pq: FloatArray, qscale: float) -> int:
    """Proposed quantity kept by a flow (both scaled), in integer units."""
    return int(np.minimum(np.rint(x * qscale), np.rint(pq * qscale)).sum())


def _colgen_highs(G: int, N: int, gi: IntArray, nj: IntArray, c: FloatArray, b: FloatArray, sel: BoolArray,
                  gseg: Segments, nseg: Segments, lazy: bool, pq: FloatArray | None = None,
                  qscale: float = 1.0,
                  dual_rounds: bool = False) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, int, bool]:
    """Column generation on HiGHS with warm starts: the restricted LP keeps its basis while the
    PRICE_PER_NEED most violated arcs of each need join it, round by round (the most violated
    arc of each node only when no need has one). With `lazy` the first LP starts from the
    greedy's basis (primal simplex) and node rows join with their first column. Stops when every
    arc prices out (reduced cost <= PRICE_TOL): then the restricted optimum is optimal for all
    arcs.

    With `pq` (proposed quantity per arc, scaled), the stable tie-break inside the same LP: each
    proposed arc gets a parallel column with bound pq and cost c + TIE_EPS, the LP is solved to
    optimality for these costs, then the epsilon is removed (same basis, warm) and the rounds
    continue to the certified optimum of the true costs. The answer is accepted as the
    lexicographic optimum (best worth, then most proposed quantity kept) when it keeps at least
    what the perturbed optimum kept: for any optimal y, worth(y) + eps kept(y) <= worth(x') +
    eps kept(x') and worth(y) >= worth(x') give kept(y) <= kept(x'). The worth is the one
    certified by the true duals, so the epsilon never changes it.
    Returns (x per arc, u per node, v per need node, reduced costs, rounds, tie-break certified)."""
    cols = _Columns(highs.RestrictedLP(), G, N, gi, nj, c, b, lazy)
    par_idx = par_pos = None
    if pq is not None:  # proposal columns first: the greedy fills them first
        par_idx = np.flatnonzero(pq > 0)
        par_pos = cols.add(par_idx, c[par_idx] + TIE_EPS, pq[par_idx])
    cols.add(np.flatnonzero(sel))
    if lazy:
        cols.start_from_greedy()
    go, gs = gseg
    no, ns = nseg
    rounds = 0
    u = np.zeros(G)
    perturbed = par_idx is not None and len(par_idx) > 0
    kept_perturbed = 0
    m = len(c)
    red = np.empty(m)  # reduced costs, -inf on arcs already in the LP (in place: no m-sized temporaries)
    tmp = np.empty(m)
    in_lp = [np.flatnonzero(sel)]
    while True:
        rounds += 1
        cols.lp.solve()
        if rounds == 1 and dual_rounds:
            cols.lp.set_option("simplex_strategy", 1)
        d = cols.lp.row_duals()
        inlp = cols.node_row >= 0
        u[inlp] = d[cols.node_row[inlp]]
        v = d[cols.need_row]
        np.take(u, gi, out=red, mode="clip")  # red = c - u[gi] - v[nj] in place (indices are valid:
        # "clip" only skips the bounds check that makes take with out= buffer, 3x faster)
        np.subtract(c, red, out=red)
        np.take(v, nj, out=tmp, mode="clip")
        red -= tmp
        for idx in in_lp:
            red[idx] = -np.inf
        assert ns is not None
        new = _best_per(no, ns, red, PRICE_PER_NEED)
        if len(new) == 0:
            if gs is None:  # the node order, the first time a round needs it (rare)
                go, gs = _segments(gi)
            new = _best_per(go, gs, red, 1)
        if len(new) == 0:
            if not perturbed:
                break
            # optimal for the perturbed costs: remove the epsilon, keep the basis, go on
            assert pq is not None and par_idx is not None and par_pos is not None
            kept_perturbed = _kept_units(cols.flow(len(c)), pq, qscale)
            cols.lp.change_costs(par_pos, c[par_idx])
            perturbed = False
            continue
        sel[new] = True
        in_lp.append(new)
        cols.add(new)
    del tmp
    red = c - u[gi] - v[nj]  # the true reduced costs, for the face LP
    x = cols.flow(len(c))
    certified = pq is None or _kept_units(x, pq, qscale) >= kept_perturbed
    return x, u, v, red, rounds, certified


def _cold_rounds(G: int, N: int, gi: IntArray, nj: IntArray, c: FloatArray, b: FloatArray,
                 sel: BoolArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, int]:
    """Column generation without the binding: every round a cold `linprog` on the selected
    arcs, then every violated arc joins. Same certificate, same optimum, slower."""
    rounds = 0
    while True:
        rounds += 1
        idx = np.flatnonzero(sel)
        out = _lp(G, N, gi[idx], nj[idx], c[idx], b)
        if out is None:
            raise RuntimeError("HiGHS failed on a transportation LP")
        xs, duals = out
        u, v = duals[:G], duals[G:]
        red = c - u[gi] - v[nj]
        viol = (red > PRICE_TOL) & ~sel
        if not viol.any():
            break
        sel |= viol
    x = np.zeros(len(c))
    x[idx] = xs
    return x, u, v, red, rounds


def greedy_basis(rows: int, ra: IntArray, rb: IntArray, c: FloatArray, b: FloatArray,
                 ub: FloatArray | None = None) -> tuple[IntArray, IntArray, IntArray]:
    """A primal feasible basis of the restricted LP (columns: arcs from row ra to row rb, rows
    <= b, 0 <= x <= ub) from a greedy: arcs by decreasing worth (ties by position) take
    min(room left at either end, ub). A column stopped by its bound alone is nonbasic at that
    bound; every other positive arc saturates one end, so the basic arcs form a forest in
    which every tree has at most one unsaturated row; that row's slack (or, in a fully
    saturated tree, its first row's) is basic, every other row is nonbasic at its bound, every
    other column at zero. Returns (basic columns, rows whose slack is basic, columns at their
    upper bound)."""
    rem = b.astype(np.float64).copy()
    order = np.argsort(-c, kind="stable")
    basic_list = []
    upper_list = []
    ubl = [np.inf] * len(order) if ub is None else ub[order].tolist()
    for k, r, s, cap in zip(order.tolist(), ra[order].tolist(), rb[order].tolist(), ubl):
        a, d = rem[r], rem[s]
        if a > 0 and d > 0:
            f = a if a < d else d
            if cap < f:
                rem[r] = a - cap
                rem[s] = d - cap
                upper_list.append(k)
                continue
            rem[r] = a - f
            rem[s] = d - f
            basic_list.append(k)
    basic = np.array(basic_list, np.int64)
    forest = sp.csr_matrix((np.ones(len(basic)), (ra[basic], rb[basic])), shape=(rows, rows))
    ncomp, lab = connected_components(forest, directed=False)
    root = np.full(ncomp, -1, np.int64)
    open_rows = np.flatnonzero(rem > 0)
    root[lab[open_rows]] = open_rows
    first = np.full(ncomp, rows, np.int64)
    np.minimum.at(first, lab, np.arange(rows))
    root = np.where(root >= 0, root, first)
    return basic, root, np.array(upper_list, np.int64)


def _repair(x: IntArray, gi: IntArray, nj: IntArray, node_cap: IntArray, need_cap: IntArray) -> IntArray:
    """Make a rounded flow feasible (never needed for basic solutions; a safety net)."""
    x = np.maximum(x, 0)
    for key, cap in ((gi, node_cap), (nj, need_cap)):
        tot = np.bincount(key, weights=x, minlength=len(cap))
        over = np.flatnonzero(tot > cap)
        for k in over:
            ex = int(tot[k] - cap[k])
            for a in np.flatnonzero(key == k)[::-1]:
                d = min(ex, int(x[a]))
                x[a] -= d
                ex -= d
                if ex == 0:
                    break
    return x


def _tie_break(G: int, N: int, gi: IntArray, nj: IntArray, b: FloatArray, red: FloatArray, u: FloatArray,
               v: FloatArray, pq_all: FloatArray) -> tuple[FloatArray, float] | None:
    """Second pass on the optimal face: zero-reduced-cost arcs only, nodes and needs with a
    positive dual stay saturated; maximise the proposed quantity kept (`pq_all`, scaled, per
    arc; a parallel arc per proposal keeps the matrix a network matrix, so the answer stays
    integral). Returns (x per arc, loss bound in scaled units) or None if HiGHS failed."""
    tight = red >= -1e-7
    t_idx = np.flatnonzero(tight)
    pq = pq_all[t_idx]
    has = pq > 0
    p_idx = t_idx[has]
    gi2 = np.concatenate([gi[t_idx], gi[p_idx]])
    nj2 = np.concatenate([nj[t_idx], nj[p_idx]])
    c2 = np.concatenate([np.zeros(len(t_idx)), np.ones(len(p_idx))])
    ub2 = np.concatenate([np.full(len(t_idx), np.inf), pq[has]])
    eq = np.concatenate([u > 1e-7, v > 1e-7])
    out = _lp(G, N, gi2, nj2, c2, b, eq=eq, ub=ub2)
    if out is None:
        return None
    x2 = np.zeros(len(red))
    np.add.at(x2, t_idx, out[0][:len(t_idx)])
    np.add.at(x2, p_idx, out[0][len(t_idx):])
    # loss bound: sum of |reduced cost| * flow over the tight arcs used
    return x2, float((np.maximum(-red, 0) * x2).sum())


def _netsimplex(G: int, N: int, gi: IntArray, nj: IntArray, w: FloatArray, node_cap: IntArray,
                need_cap: IntArray, proposed: IntArray | None, per_need: int = NS_PRICE_PER_NEED,
                order: IntArray | None = None,
                wscale: float = 1.0) -> tuple[IntArray, FloatArray, FloatArray, int, bool, int, int]:
    """The transportation LP by the network simplex (matching.netsimplex), from the all-slack
    tree, integer flows, on the arcs order[k] of (gi, nj, w) (default all), costs w / wscale;
    arcs come need-major (_arc_subset). With `per_need` > 0 the pivots search the active arcs
    only, and pricing rounds inside the C code add each need's `per_need` most violated arcs
    (ties: arc order) when none of them violates -- column generation without leaving the tree;
    with 0 every arc is active (~4x slower at 6.5M arcs: the block search then spends its time
    scanning arcs that never enter).
    With `proposed` (quantity per arc of order), the tie-break of _colgen_highs inside the same
    solve: a parallel arc per proposed arc, bounded by its quantity, cost c + TIE_EPS, placed
    first (always active); optimal for these costs, the epsilon is removed (same tree, warm)
    and the pivots go on to the optimum of the true costs, certified by the true duals.
    Certified as the lexicographic optimum when the final flow keeps at least the proposed
    quantity the perturbed optimum kept (same argument as _colgen_highs).
    Returns (x per arc of order, u per node, v per need, rounds, tie-break certified, pivots,
    arcs that took part)."""
    par = np.zeros(0, np.int64) if proposed is None else np.flatnonzero(proposed > 0)
    P = len(par)
    pq = proposed[par].astype(np.int64) if P else None  # type: ignore[index]
    t = netsimplex.Transport(gi, nj, w, node_cap, need_cap, order, wscale, par, pq, TIE_EPS)
    if per_need > 0:  # runs: each need's arcs, after the proposal arcs (those stay active)
        t.set_runs(t.runs_by_need(), np.zeros(t.m, bool), per_need)
    solves = 1
    t.solve(PRICE_TOL)
    certified = False
    if P:
        assert pq is not None
        def on_proposed() -> IntArray:
            return t.flow[P + par] + t.flow[:P]
        kept_perturbed = int(np.minimum(on_proposed(), pq).sum())
        a = par if order is None else order[par]
        t.set_costs(np.arange(P), w[a] / wscale)
        t.solve(PRICE_TOL)
        solves += 1
        certified = int(np.minimum(on_proposed(), pq).sum()) >= kept_perturbed
        x = t.flow[P:].copy()
        np.add.at(x, par, t.flow[:P])
    else:
        x = t.flow  # a view: keeps the buffer after close()
    u, v = t.duals()
    pivots, active = t.pivots, t.active()
    if per_need > 0:
        solves = t.rounds()
    t.close()
    return x, u, v, solves, certified, pivots, active


def _solve_ns(kp: KindProblem, node_cap: IntArray, need_cap: IntArray, opts: SolverOptions,
              arc_mask: BoolArray | None, proposed: IntArray | None,
              stats: KindStats | None) -> tuple[IntArray, float]:
    """solve_divisible by the network simplex: the arcs of _arc_subset in its order (computed in
    C, no gathers of the kind's arrays), the same proposals' epsilon, the same face LP when the
    tie-break is not certified."""
    flow = np.zeros(len(kp.w), np.int64)
    G, N = len(node_cap), len(need_cap)
    arcs = netsimplex.need_order(kp.gi, kp.nj, kp.fit, node_cap, need_cap, arc_mask)
    if len(arcs) == 0:
        return flow, 0.0
    wscale = float(kp.w[arcs].max())
    pa = None
    if proposed is not None:
        pa = proposed[arcs]
        if not (pa > 0).any():
            pa = None
    x, u, v, rounds, certified, _, active = _netsimplex(G, N, kp.gi, kp.nj, kp.w, node_cap, need_cap,
                                                pa if opts.tie_epsilon else None, order=arcs, wscale=wscale)
    certified = certified and opts.tie_epsilon
    if pa is not None and stats is not None:
        stats.tie_breaks += 1
    if pa is not None and not certified:  # fallback: a second LP on the optimal face
        gi, nj = kp.gi[arcs], kp.nj[arcs]
        c = kp.w[arcs] / wscale
        qscale = float(np.median(need_cap[need_cap > 0]))
        b = np.concatenate([node_cap, need_cap]).astype(np.float64) / qscale
        tb = _tie_break(G, N, gi, nj, b, c - u[gi] - v[nj], u, v, pa.astype(np.float64) / qscale)
        if tb is None:
            if stats is not None:
                stats.tie_breaks -= 1
        else:
            xs, loss = tb
            nz = np.flatnonzero(xs)
            xsc = xs[nz] * qscale
            xr = np.rint(xsc)
            if np.abs(xsc - xr).max(initial=0) > 1e-3 * max(1.0, 1e-9 * qscale) and stats is not None:
                stats.rounding_repairs += 1
            x = np.zeros(len(arcs), np.int64)
            x[nz] = xr.astype(np.int64)
            if stats is not None:
                stats.tie_break_face += 1
                stats.tie_break_bound += loss * wscale * qscale
    nz = np.flatnonzero(x)
    a = arcs[nz]
    xi = _repair(x[nz], kp.gi[a], kp.nj[a], node_cap, need_cap)
    flow[a] = xi
    if stats is not None:
        stats.lp_solves += 1
        stats.rounds += rounds
        stats.arcs_priced += active
    return flow, float((kp.w[a] * xi).sum())


def _arc_subset(kp: KindProblem, node_cap: IntArray, need_cap: IntArray,
                arc_mask: BoolArray | None) -> IntArray | None:
    """The arcs of this solve (both ends with room, in arc_mask), in need-major order (best
    arcs roughly first); None when there are none."""
    N = len(need_cap)
    ok = (node_cap[kp.gi] > 0) & (need_cap[kp.nj] > 0)
    if arc_mask is not None:
        ok &= arc_mask
    arcs = None if ok.all() else np.flatnonzero(ok)
    if arcs is not None and len(arcs) == 0:
        return None
    # need-major arc order, best arcs (roughly) first: the pricing then reads each need's arcs
    # as one contiguous run, without gathering millions of reduced costs every round
    if arcs is None:
        return _need_order(kp.nj, kp.fit, N)
    return arcs[_need_order(kp.nj[arcs], kp.fit[arcs], N)]


def solve_divisible(kp: KindProblem, node_cap: IntArray, need_cap: IntArray, opts: SolverOptions, *,
                    arc_mask: BoolArray | None = None, proposed: IntArray | None = None,
                    stats: KindStats | None = None, greedy: bool = True) -> tuple[IntArray, float]:
    """Exact LP optimum of the transportation problem on the arcs in arc_mask (default all),
    with pricing. Returns (integer flow per arc, its worth). `proposed` (quantity per arc, or
    None) triggers the tie-break pass. `greedy` False: dual simplex from scratch (the
    whole-pledge relaxation, whose vertex guides the rounding). Counters go to `stats`."""
    if opts.network_simplex and netsimplex.available():
        return _solve_ns(kp, node_cap, need_cap, opts, arc_mask, proposed, stats)
    flow = np.zeros(len(kp.w), np.int64)
    G, N = len(node_cap), len(need_cap)
    arcs = _arc_subset(kp, node_cap, need_cap, arc_mask)
    if arcs is None:
        return flow, 0.0
    gi, nj, w = kp.gi[arcs], kp.nj[arcs], kp.w[arcs]
    qscale = float(np.median(need_cap[need_cap > 0]))
    wscale = float(w.max())
    c = w / wscale  # scaled costs, max 1
    b = np.concatenate([node_cap, need_cap]).astype(np.float64) / qscale
    pq = None
    if proposed is not None and (proposed[arcs] > 0).any():
        pq = proposed[arcs].astype(np.float64) / qscale
    inside = opts.tie_epsilon and opts.highs_binding and highs.available()
    # proposed arcs start in the LP: as proposal columns (the epsilon) or as plain columns
    extra = None if pq is None or inside else pq > 0
    lazy = greedy and opts.greedy_start
    sel, gseg, nseg = initial_selection(gi, nj, c, node_cap, need_cap, extra, presorted=True, node_best=not lazy)
    certified = False
    if opts.highs_binding and highs.available():
        dual_rounds = opts.dual_rounds and lazy and kp.kind in LOCAL_KINDS
        x, u, v, red, rounds, certified = _colgen_highs(G, N, gi, nj, c, b, sel, gseg, nseg, lazy,
                                                        pq if opts.tie_epsilon else None, qscale, dual_rounds)
        certified = certified and opts.tie_epsilon
    else:
        x, u, v, red, rounds = _cold_rounds(G, N, gi, nj, c, b, sel)
    if pq is not None and certified:  # the tie-break happened inside the LP, at no cost in worth
        if stats is not None:
            stats.tie_breaks += 1
    elif pq is not None:  # fallback: a second LP on the optimal face
        tb = _tie_break(G, N, gi, nj, b, red, u, v, pq)
        if tb is not None:
            x, loss = tb
            if stats is not None:
                stats.tie_breaks += 1
                stats.tie_break_face += 1
                stats.tie_break_bound += loss * wscale * qscale
    nz = np.flatnonzero(x)  # the flow lives on the few columns the LP saw
    xs = x[nz] * qscale
    xi = np.rint(xs)
    if np.abs(xs - xi).max(initial=0) > 1e-3 * max(1.0, 1e-9 * qscale) and stats is not None:
        stats.rounding_repairs += 1
    xi = _repair(xi.astype(np.int64), gi[nz], nj[nz], node_cap, need_cap)
    flow[arcs[nz]] = xi
    if stats is not None:
        stats.lp_solves += 1
        stats.rounds += rounds
        stats.arcs_priced += int(sel.sum())
    return flow, float((w[nz] * xi).sum())
