"""The exact matching solver: a MATCHING.md instance (as arrays) in, integer allocations out.
Imports only numpy, scipy and the matching package (no web or database code).

Model. Per kind (the four kinds are independent problems) this is a transportation problem:
maximise sum w_ij x_ij, w_ij = priority_j * fit_ij / quantity_j, with pledge and need capacities
after `fixed`. Its constraint matrix is totally unimodular, so a *basic* optimal solution of the
linear programme is integral and is the exact answer for divisible pledges.

Method (see docs/matching-bench.md for the figures on this machine).
1. Structure. Each kind is solved apart. Divisible pledges with the same effective signature
   (district where it matters, table set, only-tables flag, window *class* -- two windows that
   overlap exactly the same needs' windows are the same -- and skill set) collapse into one
   supply node; pledges named in `forbidden` or `proposed` stay single. The fit is computed
   once per (pledge class, need) -- pledge class: district where it matters, table set,
   only-tables, skill set -- from small lookup tables (district pair, table set x table, skill
   set x skill set); each block of nodes then takes its rows and applies the window test.
2. Pricing. Arcs are put in need-major order once (a 16-bit radix sort on (need, fit band);
   a lexsort over millions of arcs cost 1.6 s at 100k x 5k). The LP starts from each need's
   best arcs until the nodes behind them could cover COVER (2) times its room (the whole-pledge
   relaxation also starts from each node's best arc). After each solve the duals (u_node,
   v_need) price every compatible arc: each need's PRICE_PER_NEED (8) most violated arcs
   (w - u - v > tol) join, ties broken by arc order; only when no need has one, each node's most
   violated arc. When no arc is violated the restricted optimum is optimal for the full problem
   (LP duality: the duals are the certificate; a node whose row never joined the LP has no
   column in it and dual 0). Measured (CPU seconds, 100k x 5k): pricing the top arcs of every
   node as well flooded the LP with arcs of nodes that end up unused (logistics 20 s -> 4.5 s,
   execution 10 s -> 6.5 s without it); adding every tied arc (many nodes share a dual) put 75k
   columns in the money LP.
3. LP engine. HiGHS through scipy's own binding (scipy.optimize._highspy), so each pricing
   round warm-starts from the previous basis (fallback: cold `linprog` rounds). Divisible
   kinds: primal simplex, started from the basis of a greedy (arcs by decreasing worth take
   what both ends have left: a forest with at most one unsaturated row per tree, hence a
   primal feasible basis; _greedy_basis); node rows join the LP with their first column (at
   100k x 5k most nodes never do). Primal from the greedy basis vs dual simplex from scratch,
   LP CPU s at 20k x 2k: money 1.17 -> 0.2, logistics 0.64 -> 0.4, design 0.43 -> 0.17,
   execution 1.8 -> 1.1 (at 100k x 5k: 15.4 s -> ~7.7 s for the four). The whole-pledge LP
   relaxation keeps dual simplex from scratch (its vertex guides the rounding/core MILP). The
   four kinds run on two threads, largest first. Figures: docs/matching-bench.md. Rejected
   after measuring: the full aggregated LP through `linprog` (6-14 s per kind at 20k x 2k),
   cold-started pricing rounds (~35 s), the full aggregated LP by primal simplex from the
   greedy over all arcs (fewer pivots, 3 ms each: 24 s for execution), IPM for the rounds,
   steepest-edge pricing, unit expansion for linear_sum_assignment (GiBs for rials).
4. Integrality. Basic solutions are integral; the solver rounds and checks (and repairs, flagged
   in stats, if floating point ever broke it).
5. Ties and proposals. Among optimal answers the solver keeps current proposals with an exact
   second pass on the optimal face: using the verified duals, only arcs with zero reduced cost
   are allowed, nodes with positive dual must stay saturated (complementary slackness), and
   proposed quantities are maximised. Every answer of that face has the same objective up to
   tol * total flow, a bound reported as stats.tie_break_bound (< 1e-9 relative in practice).
   Everything is sorted by id before it reaches HiGHS, which is deterministic: same instance,
   same answer.
6. Whole pledges (`divisible: false`): each is a 0/1 choice of one need (arcs to needs with less
   room than the pledge are dropped). HiGHS `milp` solves the kind exactly when it is small
   enough (params.max_exact_whole_arcs) and finishes within params.time_limit (its own choice,
   completed exactly, must not beat its value -- HiGHS presolve once returned a wrong optimum on
   rials -- else the kind is solved again without presolve). Otherwise the LP
   relaxation gives the proven bound (stats.bound), and HiGHS `milp` solves a *core* problem
   exactly (to CORE_GAP, at most CORE_TIME s): whole pledges the relaxation sends whole to one
   need stay there, the fractional ones choose among their used and CORE_TOP_WHOLE best arcs,
   divisible pledges keep their used arcs and each need's CORE_TOP_NEED best; then the divisible
   rest is re-solved exactly over all arcs and unplaced whole pledges fill leftover room
   (method "lp-core-milp"; "lp-rounding", a greedy rounding, only if the core MILP finds
   nothing). 20k x 2k with 30 % whole: 0.06 % below the LP bound (was 2.1 % with rounding).
   stats.method, stats.bound and stats.gap say which happened.
   Proposals with whole pledges: the current proposals' whole choices, completed by the exact
   divisible re-solve, are kept unless the best answer found is worth more than KEEP_TOL (1e-8)
   relative; when they lose on the exact path, a second MILP maximises the proposed quantity
   kept among answers worth at least the optimum. Re-solving with `proposed` = the solver's own
   output returns that output (tests: demo county fixture, idempotence properties).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from .compat import Tables, block_fit

try:  # scipy's own HiGHS binding (scipy >= 1.15): lets column generation warm-start
    from scipy.optimize._highspy import _core as _hc
except ImportError:  # pragma: no cover
    _hc = None
from .instance import KINDS, LOCAL_KINDS, NO_END, NO_START, Instance

COVER = 2.0  # initial arcs of a need: its best, until their nodes could cover COVER x its room
PRICE_PER_NEED = 8  # arcs priced in per need each round
PRICE_TOL = 1e-9  # reduced-cost tolerance on scaled costs (max scaled cost is 1)
_CHUNK_CELLS = 4_000_000
GREEDY_START = True  # primal simplex from a greedy basis (see _greedy_basis)


@dataclass
class KindProblem:
    kind: int
    members: list  # per node: pledge indices sorted by id
    node_rep: np.ndarray  # representative pledge per node
    node_cap: np.ndarray  # int64 supply per node
    node_whole: np.ndarray  # bool
    need_idx: np.ndarray  # need index per need node (tranches repeat a need)
    need_cap: np.ndarray  # int64 capacity per need node
    need_mult: np.ndarray  # tranche multiplier per need node
    gi: np.ndarray = None  # arcs: node
    nj: np.ndarray = None  # arcs: need node
    w: np.ndarray = None  # arcs: worth per unit (unscaled)
    fit: np.ndarray = None
    pairs: int = 0


@dataclass
class Result:
    flows: dict = field(default_factory=dict)  # (pledge index, need index) -> quantity
    worth: dict = field(default_factory=dict)  # (pledge index, need index) -> worth
    stats: dict = field(default_factory=dict)


def _order_by_id(ids, idx):
    return np.array(sorted(idx.tolist(), key=lambda k: ids[k]), dtype=np.int64)


def _row_classes(key):
    """Classes of equal rows of an int64 matrix: (first row of each class, class per row). One
    mixed-radix code per row and a 1-D unique (np.unique(axis=0) is several times slower)."""
    n = len(key)
    code = np.zeros(n, np.int64)
    room = 1
    for col in key.T:
        lo = int(col.min()) if n else 0
        span = (int(col.max()) - lo + 1) if n else 1
        room *= span
        if room >= 2**62:
            _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
            return first, inv.ravel()
        code = code * span + (col - lo)
    _, first, inv = np.unique(code, return_index=True, return_inverse=True)
    return first, inv.ravel()


def build_kind(inst: Instance, tab: Tables, kind: int) -> KindProblem:
    """Nodes and compatible arcs of one kind."""
    p = inst.params
    needs = np.flatnonzero((inst.need_kind == kind) & (inst.need_qty > 0))
    needs = _order_by_id(inst.need_ids, needs)
    pl = np.flatnonzero((inst.pledge_kind == kind) & (inst.pledge_qty > 0))
    pl = _order_by_id(inst.pledge_ids, pl)

    # need nodes (two tranches per need when a first-tranche bonus is asked for)
    bonus = p["first_tranche_bonus"]
    if bonus > 0 and len(needs):
        first = np.ceil(p["first_tranche"] * inst.need_qty_total[needs]).astype(np.int64)
        fixed_n = inst.need_qty_total[needs] - inst.need_qty[needs]
        cap1 = np.clip(first - fixed_n, 0, inst.need_qty[needs])
        cap2 = inst.need_qty[needs] - cap1
        need_idx = np.concatenate([needs, needs])
        need_cap = np.concatenate([cap1, cap2])
        need_mult = np.concatenate([np.full(len(needs), 1.0 + bonus), np.ones(len(needs))])
        keep = need_cap > 0
        need_idx, need_cap, need_mult = need_idx[keep], need_cap[keep], need_mult[keep]
    else:
        need_idx, need_cap, need_mult = needs, inst.need_qty[needs].copy(), np.ones(len(needs))

    # supply nodes
    special = {i for i, _ in inst.forbidden} | {i for i, _ in inst.proposed}
    single = inst.pledge_divisible[pl] == False  # noqa: E712
    if special:
        single |= np.isin(pl, np.fromiter(special, np.int64))
    members: list = []
    grp = pl[~single]
    if len(grp):
        ends = np.sort(inst.need_end[needs]) if len(needs) else np.zeros(0, np.int64)
        starts = np.sort(inst.need_start[needs]) if len(needs) else np.zeros(0, np.int64)
        cls_start = np.searchsorted(ends, inst.pledge_start[grp], "left")
        cls_end = np.searchsorted(starts, inst.pledge_end[grp], "right")
        dist = inst.pledge_district[grp] if kind in LOCAL_KINDS else np.zeros(len(grp), np.int32)
        key = np.stack([dist, inst.pledge_tableset[grp], inst.pledge_only[grp], cls_start, cls_end,
                        inst.pledge_skillset[grp]], axis=1).astype(np.int64)
        _, inv = _row_classes(key)
        order = np.argsort(inv, kind="stable")  # members keep id order within a node
        bounds = np.flatnonzero(np.diff(inv[order])) + 1
        for chunk in np.split(order, bounds):
            members.append(grp[chunk])
    for i in pl[single]:
        members.append(np.array([i], np.int64))
    # node order: by first member id (deterministic, independent of grouping internals)
    members.sort(key=lambda m: inst.pledge_ids[m[0]])
    node_rep = np.array([m[0] for m in members], np.int64)
    node_cap = np.array([int(inst.pledge_qty[m].sum()) for m in members], np.int64)
    node_whole = ~inst.pledge_divisible[node_rep] if len(members) else np.zeros(0, bool)
    kp = KindProblem(kind, members, node_rep, node_cap, node_whole, need_idx, need_cap, need_mult)

    # arcs, block by block
    G, N = len(members), len(need_idx)
    a = inst.need_priority[need_idx] / inst.need_qty_total[need_idx] * need_mult
    gis, njs, fits = [], [], []
    if G and N:
        rows = max(1, _CHUNK_CELLS // N)
        nd, nt = inst.need_district[need_idx], inst.need_table[need_idx]
        ns, ne, nsk = inst.need_start[need_idx], inst.need_end[need_idx], inst.need_skillset[need_idx]
        # the fit without windows depends on a few classes only: pledge (district where it
        # matters, table set, only-tables, skill set) x need (district, table, skill set); one
        # block_fit over the class pairs, then one row gather and one column take per block
        local = kind in LOCAL_KINDS
        pd_all = inst.pledge_district[node_rep] if local else np.zeros(G, np.int32)
        pkey = np.stack([pd_all, inst.pledge_tableset[node_rep], inst.pledge_only[node_rep],
                         inst.pledge_skillset[node_rep]], axis=1).astype(np.int64)
        pfirst, pinv = _row_classes(pkey)
        pcls = pkey[pfirst]
        nkey = np.stack([nd if local else np.zeros(N, np.int32), nt, nsk], axis=1).astype(np.int64)
        nfirst, ninv = _row_classes(nkey)
        ncls = nkey[nfirst]
        wide_p = np.full(len(pcls), NO_START, np.int64), np.full(len(pcls), NO_END, np.int64)
        wide_n = np.full(len(ncls), NO_START, np.int64), np.full(len(ncls), NO_END, np.int64)
        T = block_fit(tab, kind, pcls[:, 0].astype(np.int32), pcls[:, 1], pcls[:, 2].astype(bool), *wide_p,
                      pcls[:, 3], ncls[:, 0].astype(np.int32), ncls[:, 1], *wide_n, ncls[:, 2])
        expand = len(pcls) * 4 < G  # few classes: expand to class x need once, else per block
        if expand:
            T = np.ascontiguousarray(T[:, ninv])
        timed = bool((inst.pledge_start[node_rep] > NO_START).any() or (inst.pledge_end[node_rep] < NO_END).any())
        for r0 in range(0, G, rows):
            g = node_rep[r0:r0 + rows]
            F = T[pinv[r0:r0 + rows]] if expand else np.take(T[pinv[r0:r0 + rows]], ninv, axis=1)
            if timed:
                F *= (inst.pledge_start[g][:, None] <= ne[None, :]) & (ns[None, :] <= inst.pledge_end[g][:, None])
            wh = node_whole[r0:r0 + rows]
            if wh.any():  # a whole pledge cannot go to a need with less room than itself
                F[wh] = np.where(node_cap[r0:r0 + rows][wh][:, None] <= need_cap[None, :], F[wh], 0.0)
            flat = np.flatnonzero(F)
            r, c = np.divmod(flat, N)
            gis.append(r + r0)
            njs.append(c)
            fits.append(F.ravel()[flat])
    gi = np.concatenate(gis) if gis else np.zeros(0, np.int64)
    nj = np.concatenate(njs) if njs else np.zeros(0, np.int64)
    fit = np.concatenate(fits) if fits else np.zeros(0)
    if inst.forbidden and len(gi):
        node_of = {int(m[0]): g for g, m in enumerate(members) if len(m) == 1}
        need_nodes = {}
        for k, j in enumerate(need_idx.tolist()):
            need_nodes.setdefault(j, []).append(k)
        bad = set()
        for i, j in inst.forbidden:
            g = node_of.get(i)
            if g is not None:
                for k in need_nodes.get(j, ()):
                    bad.add((g, k))
        if bad:
            drop = np.array([(int(x), int(y)) in bad for x, y in zip(gi, nj)], bool)
            gi, nj, fit = gi[~drop], nj[~drop], fit[~drop]
    kp.gi, kp.nj, kp.fit = gi.astype(np.int64), nj.astype(np.int64), fit
    kp.w = fit * a[kp.nj] if len(gi) else np.zeros(0)
    sizes = np.array([len(m) for m in members], np.int64)
    # compatible (pledge, need) pairs; tranches of one need count once
    kp.pairs = int(sizes[gi[need_mult[nj] == need_mult.min()]].sum()) if len(gi) and bonus > 0 else (
        int(sizes[gi].sum()) if len(gi) else 0)
    return kp


def _segments(key):
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


def _initial_selection(gi, nj, c, node_cap, need_cap, extra=None, presorted=False, node_best=True):
    """Start columns: each need's best arcs until the nodes behind them could cover COVER times
    its room (supply usually exceeds demand: the best nodes of each need are where the answer
    is), and each node's best arc. Returns (selection, (node order, starts), (need order,
    starts)) -- the need order is by need, best arc first. With `presorted` the arcs already
    come in that order (see _need_order) and the need order is None (the identity)."""
    m = len(c)
    sel = np.zeros(m, bool)
    go, gs = _segments(gi)
    if m == 0:
        return sel, (go, gs), (go, gs)
    no = None if presorted else np.lexsort((-c, nj))
    ks = nj if presorted else nj[no]
    ns = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    cap = node_cap[gi if presorted else gi[no]].astype(np.float64)
    cs = np.cumsum(cap)
    seg_first = np.repeat(ns, np.diff(np.r_[ns, m]))
    before = cs - cap - (cs[seg_first] - cap[seg_first])  # node capacity ahead within the need
    take = before < COVER * need_cap[ks]
    sel[take if presorted else no[take]] = True
    if node_best:  # off on the greedy path: a node's row joins the LP with its first column
        mx = np.maximum.reduceat(c[go], gs)
        seg = np.repeat(np.arange(len(gs)), np.diff(np.r_[gs, m]))
        hit = np.flatnonzero(c[go] == mx[seg])
        _, first = np.unique(seg[hit], return_index=True)
        sel[go[hit[first]]] = True
    if extra is not None:
        sel |= extra
    return sel, (go, gs), (no, ns)


def _lp(G, N, gi, nj, c, b, *, eq=None, ub=None, tol=1e-10):
    """max c.x s.t. node rows and need rows of A x <= b (== where eq), 0 <= x <= ub.
    Returns (x, duals) with duals >= 0 for <= rows, or None if HiGHS failed."""
    m = len(c)
    A = sp.csr_matrix((np.ones(2 * m), (np.concatenate([gi, G + nj]), np.tile(np.arange(m), 2))),
                      shape=(G + N, m))
    opts = {"dual_feasibility_tolerance": tol, "primal_feasibility_tolerance": 1e-9}
    bounds = (0, None) if ub is None else np.stack([np.zeros(m), ub], axis=1)
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


def solve_divisible(kp: KindProblem, node_cap, need_cap, arc_mask=None, proposed=None, stats=None, greedy=True):
    """Exact LP optimum of the transportation problem on the arcs in arc_mask (default all),
    with pricing. Returns integer flow per arc (int64). `proposed` (quantity per arc, or None)
    triggers the tie-break pass."""
    m_all = len(kp.w)
    flow = np.zeros(m_all, np.int64)
    G, N = len(node_cap), len(need_cap)
    ok = (node_cap[kp.gi] > 0) & (need_cap[kp.nj] > 0)
    if arc_mask is not None:
        ok &= arc_mask
    arcs = None if ok.all() else np.flatnonzero(ok)
    if arcs is not None and len(arcs) == 0:
        return flow, 0.0
    # need-major arc order, best arcs (roughly) first: the pricing then reads each need's arcs
    # as one contiguous run, without gathering millions of reduced costs every round
    if arcs is None:
        arcs = _need_order(kp.nj, kp.fit, N)
    else:
        arcs = arcs[_need_order(kp.nj[arcs], kp.fit[arcs], N)]
    gi, nj, w = kp.gi[arcs], kp.nj[arcs], kp.w[arcs]
    qscale = float(np.median(need_cap[need_cap > 0]))
    wscale = float(w.max())
    c = w / wscale  # scaled costs, max 1
    b = np.concatenate([node_cap, need_cap]).astype(np.float64) / qscale
    extra = None
    if proposed is not None:
        extra = proposed[arcs] > 0
    sel, gseg, nseg = _initial_selection(gi, nj, c, node_cap, need_cap, extra, presorted=True,
                                         node_best=not (greedy and GREEDY_START))
    if _hc is not None:
        x, u, v, red, rounds = _colgen_highs(G, N, gi, nj, c, b, sel, gseg, nseg, greedy)
    else:  # pragma: no cover - scipy without its HiGHS binding: cold-started rounds
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
        x = np.zeros(len(arcs))
        x[idx] = xs
    if proposed is not None and (proposed[arcs] > 0).any():
        # second pass on the optimal face: zero-reduced-cost arcs, saturated nodes with positive
        # duals stay saturated; maximise kept proposed quantity (parallel arcs keep the matrix
        # a network matrix, so the answer stays integral)
        tight = red >= -1e-7
        t_idx = np.flatnonzero(tight)
        pq = proposed[arcs][t_idx].astype(np.float64) / qscale
        has = pq > 0
        p_idx = t_idx[has]
        gi2 = np.concatenate([gi[t_idx], gi[p_idx]])
        nj2 = np.concatenate([nj[t_idx], nj[p_idx]])
        c2 = np.concatenate([np.zeros(len(t_idx)), np.ones(len(p_idx))])
        ub2 = np.concatenate([np.full(len(t_idx), np.inf), pq[has]])
        eq = np.concatenate([u > 1e-7, v > 1e-7])
        out = _lp(G, N, gi2, nj2, c2, b, eq=eq, ub=ub2)
        if out is not None:
            x2 = np.zeros(len(arcs))
            np.add.at(x2, t_idx, out[0][:len(t_idx)])
            np.add.at(x2, p_idx, out[0][len(t_idx):])
            # loss bound: sum of |reduced cost| * flow over the tight arcs used
            loss = float((np.maximum(-red, 0) * x2).sum()) * wscale * qscale
            if stats is not None:
                stats["tie_break_bound"] = stats.get("tie_break_bound", 0.0) + loss
            x = x2
    nz = np.flatnonzero(x)  # the flow lives on the few columns the LP saw
    xs = x[nz] * qscale
    xi = np.rint(xs)
    if np.abs(xs - xi).max(initial=0) > 1e-3 * max(1.0, 1e-9 * qscale) and stats is not None:
        stats["rounding_repairs"] = stats.get("rounding_repairs", 0) + 1
    xi = xi.astype(np.int64)
    xi = _repair(xi, gi[nz], nj[nz], node_cap, need_cap)
    flow[arcs[nz]] = xi
    if stats is not None:
        stats["rounds"] = stats.get("rounds", 0) + rounds
        stats["arcs_priced"] = stats.get("arcs_priced", 0) + int(sel.sum())
    return flow, float((w[nz] * xi).sum())


def _need_order(nj, fit, N):
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


def _best_per(order, starts, red, k):
    """Per run, its k arcs of largest positive reduced cost (ties broken by arc
    order: adding every tied arc floods the LP when many nodes share a dual).
    order None: the arcs are already in run order."""
    r = red if order is None else red[order]
    lens = np.diff(np.r_[starts, len(r)])
    pos = np.flatnonzero(r > PRICE_TOL)
    if len(pos) == 0:
        return pos
    seg = np.repeat(np.arange(len(starts)), lens)[pos]
    o = np.lexsort((-r[pos], seg))
    s = seg[o]
    rank = np.arange(len(o)) - np.searchsorted(s, s, "left")
    out = pos[o[rank < k]]
    return out if order is None else order[out]


def _colgen_highs(G, N, gi, nj, c, b, sel, gseg, nseg, greedy=True):
    """Column generation on HiGHS (scipy's binding) with warm starts: the restricted LP keeps its
    basis while the PRICE_PER_NEED most violated arcs of each need join it, round by round (the
    most violated arc of each node only when no need has one: pricing every node floods the LP
    with arcs of nodes that end up unused).
    With `greedy` (and GREEDY_START) the first LP starts from the greedy's basis (primal
    simplex), and a node's row joins the LP only with its first column: a node without columns
    has a slack constraint, dual 0 (at 100k x 5k most nodes never join).
    Stops when every arc prices out (reduced cost <= PRICE_TOL): then the restricted optimum is
    optimal for all arcs."""
    h = _hc._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("simplex_strategy", 1)  # dual simplex: warm starts after adding columns
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("threads", 1)
    lazy = greedy and GREEDY_START
    empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0)
    if lazy:  # rows: needs first, then nodes as they join
        need_row = np.arange(N, dtype=np.int64)
        node_row = np.full(G, -1, np.int64)
        h.addRows(N, np.full(N, -np.inf), b[G:], 0, empty_i, empty_i, empty_f)
    else:
        node_row = np.arange(G, dtype=np.int64)
        need_row = G + np.arange(N, dtype=np.int64)
        h.addRows(G + N, np.full(G + N, -np.inf), b, 0, empty_i, empty_i, empty_f)
    row_nodes = []  # nodes in the order their rows joined (lazy)
    cols = []

    def add(idx):
        if lazy:
            fresh = np.unique(gi[idx])
            fresh = fresh[node_row[fresh] < 0]
            if len(fresh):
                node_row[fresh] = N + sum(len(r) for r in row_nodes) + np.arange(len(fresh))
                row_nodes.append(fresh)
                h.addRows(len(fresh), np.full(len(fresh), -np.inf), b[fresh], 0, empty_i, empty_i, empty_f)
        k = len(idx)
        index = np.empty(2 * k, np.int32)
        index[0::2] = node_row[gi[idx]]
        index[1::2] = need_row[nj[idx]]
        h.addCols(k, -c[idx], np.zeros(k), np.full(k, np.inf), 2 * k, np.arange(0, 2 * k, 2, dtype=np.int32),
                  index, np.ones(2 * k))
        cols.append(idx)

    first = np.flatnonzero(sel)
    add(first)
    if lazy:
        h.setOptionValue("simplex_strategy", 4)  # primal simplex from the greedy's basis
        n_rows = N + len(row_nodes[0]) if row_nodes else N
        b_row = np.empty(n_rows)
        b_row[:N] = b[G:]
        if row_nodes:
            b_row[N:] = b[row_nodes[0]]
        h.setBasis(_greedy_basis(n_rows, node_row[gi[first]], need_row[nj[first]], c[first], b_row))
    go, gs = gseg
    no, ns = nseg
    rounds = 0
    u = np.zeros(G)
    while True:
        rounds += 1
        h.run()
        if h.getModelStatus() != _hc.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {h.modelStatusToString(h.getModelStatus())}")
        d = -np.asarray(h.getSolution().row_dual)
        inlp = node_row >= 0
        u[inlp] = d[node_row[inlp]]
        v = d[need_row]
        red = c - u[gi] - v[nj]
        red_out = np.where(sel, -np.inf, red)
        new = _best_per(no, ns, red_out, PRICE_PER_NEED)
        if len(new) == 0:
            new = _best_per(go, gs, red_out, 1)
        if len(new) == 0:
            break
        sel[new] = True
        add(new)
    allcols = np.concatenate(cols)
    x = np.zeros(len(c))
    x[allcols] = np.asarray(h.getSolution().col_value)
    return x, u, v, red, rounds


def _greedy_basis(rows, ra, rb, c, b):
    """A primal feasible basis of the restricted LP (columns: arcs from row ra to row rb, rows
    <= b) from a greedy: arcs by decreasing worth (ties by position) take min(room left at
    either end). Each positive arc saturates one end, so the positive arcs form a forest in
    which every tree has at most one unsaturated row; that row's slack (or, in a fully
    saturated tree, its first row's) is basic, every other row is nonbasic at its bound, every
    other column at zero."""
    rem = b.astype(np.float64).copy()
    order = np.argsort(-c, kind="stable")
    basic = []
    for k, r, s in zip(order.tolist(), ra[order].tolist(), rb[order].tolist()):
        a, d = rem[r], rem[s]
        if a > 0 and d > 0:
            f = a if a < d else d
            rem[r] = a - f
            rem[s] = d - f
            basic.append(k)
    basic = np.array(basic, np.int64)
    forest = sp.csr_matrix((np.ones(len(basic)), (ra[basic], rb[basic])), shape=(rows, rows))
    ncomp, lab = connected_components(forest, directed=False)
    root = np.full(ncomp, -1, np.int64)
    open_rows = np.flatnonzero(rem > 0)
    root[lab[open_rows]] = open_rows
    first = np.full(ncomp, rows, np.int64)
    np.minimum.at(first, lab, np.arange(rows))
    root = np.where(root >= 0, root, first)
    hb = _hc.HighsBasis()
    cs = [_hc.HighsBasisStatus.kLower] * len(c)
    for k in basic.tolist():
        cs[k] = _hc.HighsBasisStatus.kBasic
    rs = [_hc.HighsBasisStatus.kUpper] * rows
    for r in root.tolist():
        rs[r] = _hc.HighsBasisStatus.kBasic
    hb.col_status = cs
    hb.row_status = rs
    hb.valid = True
    return hb


def _repair(x, gi, nj, node_cap, need_cap):
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


KEEP_TOL = 1e-8  # relative: answers this close in worth count as "equally good" (MILP gap is 1e-9)


def _milp_whole(kp: KindProblem, deadline, keep=None, floor=None, gap=1e-9, presolve=True):
    """HiGHS milp over all arcs of a kind: whole arcs binary (flow = pledge quantity), divisible
    arcs continuous. Without `keep`: maximise worth. With `keep` (proposed quantity per arc) and
    `floor` (worth, scaled): maximise the proposed quantity kept among answers worth >= floor.
    Returns (whole choice mask, status, scaled worth, dual bound (unscaled) or None, wscale)."""
    G, N = len(kp.node_cap), len(kp.need_cap)
    m = len(kp.w)
    whole_arc = kp.node_whole[kp.gi]
    qscale = float(np.median(kp.need_cap))
    wscale = float(kp.w.max()) if m else 1.0
    coef = np.where(whole_arc, kp.node_cap[kp.gi] / qscale, 1.0)
    cost = kp.w / wscale * np.where(whole_arc, kp.node_cap[kp.gi], qscale)
    rows_node = np.where(whole_arc, 1.0, coef)
    b_node = np.where(kp.node_whole, 1.0, kp.node_cap / qscale)
    data = [rows_node, coef]
    r_idx = [kp.gi, G + kp.nj]
    c_idx = [np.arange(m), np.arange(m)]
    lo = [np.full(G + N, -np.inf)]
    hi = [b_node, kp.need_cap / qscale]
    n_var = m
    obj = -cost
    integ = whole_arc.astype(np.uint8)
    ub = np.where(whole_arc, 1.0, np.inf)
    if keep is not None:
        # whole arcs: kept when chosen with exactly the proposed quantity; divisible arcs:
        # k_a <= x_a, k_a <= proposed_a; one extra row: worth >= floor
        kw = whole_arc & (keep == kp.node_cap[kp.gi])
        kd = np.flatnonzero(~whole_arc & (keep > 0))
        nk = len(kd)
        row0 = G + N
        data += [np.ones(nk), -np.ones(nk), cost]
        r_idx += [row0 + np.arange(nk), row0 + np.arange(nk), np.full(m, row0 + nk)]
        c_idx += [m + np.arange(nk), kd, np.arange(m)]
        lo += [np.full(nk, -np.inf), [floor]]
        hi += [np.zeros(nk), [np.inf]]
        obj = np.concatenate([-np.where(kw, kp.node_cap[kp.gi] / qscale, 0.0), -np.ones(nk)])
        integ = np.concatenate([integ, np.zeros(nk, np.uint8)])
        ub = np.concatenate([ub, keep[kd] / qscale])
        n_var = m + nk
    A = sp.csr_matrix((np.concatenate(data), (np.concatenate(r_idx), np.concatenate(c_idx))),
                      shape=(G + N + (0 if keep is None else len(kd) + 1), n_var))
    left = max(0.1, deadline - time.perf_counter())
    res = milp(obj, integrality=integ, bounds=Bounds(np.zeros(n_var), ub),
               constraints=LinearConstraint(A, np.concatenate(lo), np.concatenate(hi)),
               options={"time_limit": left, "mip_rel_gap": gap, "presolve": presolve})
    if res.x is None:
        return None, res.status, None, None, wscale
    choice = whole_arc & (res.x[:m] > 0.5)
    dual = None
    mb = getattr(res, "mip_dual_bound", None)
    if keep is None and mb is not None and np.isfinite(mb):
        dual = -mb * wscale
    return choice, res.status, float(cost @ res.x[:m]), dual, wscale


CORE_TOP_WHOLE = 6  # core MILP: arcs per fractional whole pledge (besides those the LP used)
CORE_TOP_NEED = 6  # core MILP: divisible arcs per need (besides those the LP used)
CORE_TIME = 8.0  # core MILP: seconds at most per kind
CORE_GAP = 1e-4  # core MILP: relative gap at which HiGHS may stop (the target is 1 %)


def _core_choice(kp: KindProblem, relax_flow, deadline):
    """Whole choices by an exact MILP on a core problem: whole pledges the LP relaxation sends
    whole to one need stay there; the fractional ones choose among the arcs the relaxation used
    and their CORE_TOP_WHOLE best; divisible pledges keep the arcs the relaxation used and each
    need's CORE_TOP_NEED best. Returns a whole-choice mask over all arcs, or None."""
    whole_arc = kp.node_whole[kp.gi]
    G = len(kp.node_cap)
    used = relax_flow > 0
    tot = np.bincount(kp.gi, weights=relax_flow, minlength=G)
    n_used = np.bincount(kp.gi, weights=used, minlength=G)
    integral = kp.node_whole & (n_used == 1) & (tot == kp.node_cap)
    frac = kp.node_whole & (tot > 0) & ~integral
    if not frac.any():
        return None
    fixed = whole_arc & used & integral[kp.gi]
    val = kp.w * np.where(whole_arc, kp.node_cap[kp.gi], 1)
    core = np.zeros(len(kp.w), bool)
    for mask, key, k in ((whole_arc & frac[kp.gi], kp.gi, CORE_TOP_WHOLE), (~whole_arc, kp.nj, CORE_TOP_NEED)):
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            continue
        o = idx[np.lexsort((-val[idx], key[idx]))]
        ks = key[o]
        rank = np.arange(len(o)) - np.searchsorted(ks, ks, "left")
        core[o[rank < k]] = True
        core[idx[used[idx]]] = True
    need_left = kp.need_cap - np.bincount(kp.nj[fixed], weights=kp.node_cap[kp.gi[fixed]],
                                          minlength=len(kp.need_cap)).astype(np.int64)
    core &= ~whole_arc | (kp.node_cap[kp.gi] <= need_left[kp.nj])
    idx = np.flatnonzero(core)
    node_cap = np.where(integral, 0, kp.node_cap)
    node_cap = np.where(kp.node_whole & ~frac, 0, node_cap)
    sub = KindProblem(kp.kind, [], kp.node_rep, node_cap, kp.node_whole, kp.need_idx, need_left, kp.need_mult,
                      gi=kp.gi[idx], nj=kp.nj[idx], w=kp.w[idx], fit=kp.fit[idx])
    ok = (node_cap[sub.gi] > 0) & (need_left[sub.nj] > 0)
    idx = idx[ok]
    sub.gi, sub.nj, sub.w, sub.fit = sub.gi[ok], sub.nj[ok], sub.w[ok], sub.fit[ok]
    if len(idx) == 0:
        return None
    sub.node_cap = np.where(node_cap > 0, node_cap, 1)  # empty rows: any positive bound
    sub.need_cap = np.maximum(need_left, 1)
    ch, _, _, _, _ = _milp_whole(sub, min(deadline, time.perf_counter() + CORE_TIME), gap=CORE_GAP)
    if ch is None:
        return None
    choice = fixed.copy()
    choice[idx[ch]] = True
    return choice


def _proposed_choice(kp: KindProblem, proposed):
    """The whole-pledge choices of the current proposals (a whole pledge proposed whole to one
    need), cut back in arc order to what fits the needs' room. None when there are none."""
    if proposed is None:
        return None
    whole_arc = kp.node_whole[kp.gi]
    cand = np.flatnonzero(whole_arc & (proposed == kp.node_cap[kp.gi]))
    if len(cand) == 0:
        return None
    choice = np.zeros(len(kp.w), bool)
    left = kp.need_cap.astype(np.int64).copy()
    done = np.zeros(len(kp.node_cap), bool)
    for a in cand:
        g, j = kp.gi[a], kp.nj[a]
        if not done[g] and left[j] >= kp.node_cap[g]:
            left[j] -= kp.node_cap[g]
            done[g] = True
            choice[a] = True
    return choice


def _complete(kp: KindProblem, choice, proposed, stats, fill):
    """Fix the whole choices, re-solve the divisible rest exactly (keeping proposals among its
    optima), optionally place still-unplaced whole pledges in leftover room. Returns flow."""
    N = len(kp.need_cap)
    whole_arc = kp.node_whole[kp.gi]
    flow = np.zeros(len(kp.w), np.int64)
    flow[choice] = kp.node_cap[kp.gi[choice]]
    need_left = kp.need_cap - np.bincount(kp.nj[choice], weights=flow[choice], minlength=N).astype(np.int64)
    node_left = np.where(kp.node_whole, 0, kp.node_cap)
    div_flow, _ = solve_divisible(kp, node_left, need_left, arc_mask=~whole_arc, proposed=proposed, stats=stats)
    flow += div_flow
    if fill:
        flow = _fill_leftover(kp, flow)
    return flow


def _kept(flow, proposed):
    return int(np.minimum(flow, proposed).sum()) if proposed is not None else 0


def _solve_whole(kp: KindProblem, proposed, stats, deadline):
    """Kinds with whole pledges. Returns flow per arc.

    Proposals among equally good answers: the best answer found (exact MILP, or the rounding
    heuristic) is compared with the current proposals' whole choices completed by an exact
    divisible re-solve; the proposals win unless the other answer is worth more than KEEP_TOL
    relative. When they lose and the MILP is exact, a second MILP maximises the proposed
    quantity kept among answers worth at least the optimum (minus KEEP_TOL)."""
    m = len(kp.w)
    # LP relaxation bound (whole pledges treated as divisible, arcs to too-small needs dropped)
    relax_flow, bound = solve_divisible(kp, kp.node_cap, kp.need_cap, stats={}, greedy=False)
    exact = m <= stats["max_exact_whole_arcs"] and time.perf_counter() < deadline
    choice = None
    method = None
    milp_worth = wscale = None
    if exact:
        choice, status, milp_worth, dual, wscale = _milp_whole(kp, deadline)
        if choice is not None:
            # HiGHS presolve has returned a wrong "optimum" on a badly scaled kind (rials; it
            # warns "transformNewIntegerFeasibleSolution"): the MILP's own whole choice,
            # completed exactly, must not be worth more than the MILP's value; if it is, the
            # kind is solved again without presolve
            check = _complete(kp, choice, None, {}, False)
            if float((kp.w * check).sum()) > milp_worth * wscale * (1 + 1e-7) + 1e-12:
                redo = _milp_whole(kp, deadline, presolve=False)
                if redo[0] is not None:
                    choice, status, milp_worth, dual, wscale = redo
            method = "milp" if status == 0 else "milp-time-limit"
            if dual is not None:
                bound = min(bound, dual)
    if choice is None and time.perf_counter() < deadline:
        choice = _core_choice(kp, relax_flow, deadline)
        method = "lp-core-milp"
    if choice is None:
        choice = _round_whole(kp, relax_flow)
        method = "lp-rounding"
    fill = method != "milp"
    flow = _complete(kp, choice, proposed, stats, fill)
    value = float((kp.w * flow).sum())
    pchoice = _proposed_choice(kp, proposed)
    if pchoice is not None and not np.array_equal(pchoice, choice):
        pflow = _complete(kp, pchoice, proposed, {}, fill)
        pvalue = float((kp.w * pflow).sum())
        tol = KEEP_TOL * max(abs(value), 1e-300)
        if pvalue >= value - tol and _kept(pflow, proposed) >= _kept(flow, proposed):
            flow, value = pflow, pvalue
            stats["proposals_kept_tie"] = stats.get("proposals_kept_tie", 0) + 1
        elif method == "milp" and time.perf_counter() < deadline:
            floor = milp_worth * (1 - KEEP_TOL)
            ch2, st2, _, _, _ = _milp_whole(kp, deadline, keep=proposed, floor=floor)
            if ch2 is not None:
                f2 = _complete(kp, ch2, proposed, {}, False)
                v2 = float((kp.w * f2).sum())
                if v2 >= value - tol and _kept(f2, proposed) > _kept(flow, proposed):
                    flow, value = f2, v2
    stats.setdefault("methods", []).append(method)
    stats["bound_total"] = stats.get("bound_total", 0.0) + max(bound, value)
    return flow


def _fill_leftover(kp: KindProblem, flow):
    """Place still-unplaced whole pledges into room the divisible answer left (each placement
    only adds worth), most valuable first."""
    whole_arc = kp.node_whole[kp.gi]
    placed = np.zeros(len(kp.node_cap), bool)
    placed[kp.gi[whole_arc & (flow > 0)]] = True
    left = kp.need_cap - np.bincount(kp.nj, weights=flow, minlength=len(kp.need_cap)).astype(np.int64)
    cand = np.flatnonzero(whole_arc & ~placed[kp.gi] & (kp.node_cap[kp.gi] <= left[kp.nj]))
    if len(cand) == 0:
        return flow
    val = kp.w[cand] * kp.node_cap[kp.gi[cand]]
    flow = flow.copy()
    for a in cand[np.lexsort((kp.nj[cand], kp.gi[cand], -val))]:
        g, j = kp.gi[a], kp.nj[a]
        if not placed[g] and left[j] >= kp.node_cap[g]:
            flow[a] = kp.node_cap[g]
            left[j] -= kp.node_cap[g]
            placed[g] = True
    return flow


def _round_whole(kp: KindProblem, relax_flow):
    """Greedy rounding of the LP relaxation: whole pledges by decreasing LP value go to the need
    where the relaxation sent most of them (then the best remaining need) if it still has room."""
    m = len(kp.w)
    whole_arc = kp.node_whole[kp.gi]
    choice = np.zeros(m, bool)
    need_left = kp.need_cap.astype(np.int64).copy()
    # divisible LP flow stays a guide only; whole pledges are placed first, by arc preference
    # candidates: arcs the relaxation used, and each whole pledge's 8 most valuable arcs
    val_whole = kp.w * kp.node_cap[kp.gi]
    cand = np.flatnonzero(whole_arc)
    o = cand[np.lexsort((-val_whole[cand], kp.gi[cand]))]
    ks = kp.gi[o]
    rank = np.arange(len(o)) - np.searchsorted(ks, ks, "left")
    cand = np.union1d(o[rank < 8], cand[relax_flow[cand] > 0])
    # order: arcs by the relaxation's flow on them (share of the pledge), then by value
    share = relax_flow[cand] / kp.node_cap[kp.gi[cand]]
    order = cand[np.lexsort((kp.nj[cand], kp.gi[cand], -val_whole[cand], -share))]
    done = np.zeros(len(kp.node_cap), bool)
    for a in order:
        g = kp.gi[a]
        if done[g]:
            continue
        q = kp.node_cap[g]
        j = kp.nj[a]
        if need_left[j] >= q:
            need_left[j] -= q
            choice[a] = True
            done[g] = True
    return choice


def solve_arrays(inst: Instance, progress=None) -> Result:
    """Solve a parsed instance; flows and worths keyed by (pledge index, need index)."""
    t0 = time.perf_counter()
    tab = Tables(inst)
    res = Result()
    stats = {"max_exact_whole_arcs": inst.params["max_exact_whole_arcs"]}
    deadline = t0 + inst.params["time_limit"]
    nodes = arcs = pairs = 0
    methods = []
    bound_total = 0.0
    objective = 0.0
    any_whole = False
    def one_kind(kind):
        if progress:
            progress(kind / len(KINDS), f"{KINDS[kind]}: building arcs")
        kp = build_kind(inst, tab, kind)
        kst = {"max_exact_whole_arcs": inst.params["max_exact_whole_arcs"]}
        if len(kp.w) == 0:
            return kp, np.zeros(0, np.int64), kst
        proposed = _proposed_per_arc(inst, kp) if inst.proposed else None
        if progress:
            progress((kind + 0.3) / len(KINDS),
                     f"{KINDS[kind]}: solving {len(kp.members)} nodes x {len(kp.need_idx)} needs, {len(kp.w)} arcs")
        if kp.node_whole.any():
            flow = _solve_whole(kp, proposed, kst, deadline)
        else:
            flow, _ = solve_divisible(kp, kp.node_cap, kp.need_cap, proposed=proposed, stats=kst)
            kst["bound_total"] = float((kp.w * flow).sum())
        if progress:
            progress((kind + 1) / len(KINDS), f"{KINDS[kind]}: solved")
        return kp, flow, kst

    # the four kinds are independent: two threads (HiGHS and NumPy release the GIL); results
    # are merged in kind order, so the answer does not depend on the scheduling
    workers = max(1, min(int(inst.params.get("threads", 2)), len(KINDS)))
    if workers > 1:
        # largest kinds first (pledges x needs), so the two threads finish together
        size = [int((inst.pledge_kind == k).sum()) * int((inst.need_kind == k).sum()) for k in range(len(KINDS))]
        order = sorted(range(len(KINDS)), key=lambda k: -size[k])
        with ThreadPoolExecutor(max_workers=workers) as ex:
            futures = {k: ex.submit(one_kind, k) for k in order}
            results = [futures[k].result() for k in range(len(KINDS))]
    else:
        results = [one_kind(k) for k in range(len(KINDS))]
    for kp, flow, kst in results:
        nodes += len(kp.members)
        arcs += len(kp.w)
        pairs += kp.pairs
        if len(kp.w) == 0:
            continue
        if kp.node_whole.any():
            any_whole = True
            methods.extend(kst.get("methods", []))
        bound_total += kst.get("bound_total", 0.0)
        for key in ("rounds", "arcs_priced", "rounding_repairs", "tie_break_bound", "proposals_kept_tie"):
            if key in kst:
                stats[key] = stats.get(key, 0) + kst[key]
        objective += _split(inst, kp, flow, res)
    stats.pop("max_exact_whole_arcs", None)
    stats.update({"pledges": inst.n_pledges, "needs": inst.n_needs, "pairs": pairs, "nodes": nodes, "arcs": arcs})
    if any_whole:
        stats["method"] = "milp" if methods and all(m == "milp" for m in methods) else "+".join(sorted(set(methods)))
        stats["bound"] = bound_total
        stats["gap"] = 0.0 if bound_total <= 0 else max(0.0, (bound_total - objective) / bound_total)
    else:
        stats["method"] = "lp-exact"
        stats["gap"] = 0.0
    stats["objective_exact"] = objective
    return res, stats


def _proposed_per_arc(inst: Instance, kp: KindProblem):
    """Proposed quantity per arc (pledges with proposals are single nodes)."""
    proposed = np.zeros(len(kp.w), np.int64)
    node_of = {int(m[0]): g for g, m in enumerate(kp.members) if len(m) == 1}
    N = max(1, len(kp.need_idx))
    arc_key = kp.gi * N + kp.nj  # arcs are sorted by node, then need node
    order = np.argsort(arc_key, kind="stable")
    sorted_keys = arc_key[order]
    first_node = {}
    for k, j in enumerate(kp.need_idx.tolist()):
        first_node.setdefault(j, k)  # tranches: credit the proposal to the first tranche
    for (i, j), q in sorted(inst.proposed.items()):
        g, k = node_of.get(i), first_node.get(j)
        if g is None or k is None:
            continue
        pos = np.searchsorted(sorted_keys, g * N + k)
        if pos < len(sorted_keys) and sorted_keys[pos] == g * N + k:
            proposed[order[pos]] += q
    return proposed


def _split(inst: Instance, kp: KindProblem, flow, res: Result) -> float:
    """Split each node's arc flows over its member pledges, in id order (north-west corner),
    needs in id order; accumulate flows and worths per (pledge, need)."""
    used = np.flatnonzero(flow > 0)
    if len(used) == 0:
        return 0.0
    total = 0.0
    order = used[np.lexsort((kp.nj[used], kp.gi[used]))]
    g_prev, pos, left = -1, 0, 0
    for a in order:
        g = int(kp.gi[a])
        mem = kp.members[g]
        if g != g_prev:
            g_prev, pos = g, 0
            left = int(inst.pledge_qty[mem[0]])
        j = int(kp.need_idx[kp.nj[a]])
        q = int(flow[a])
        wu = float(kp.w[a])
        while q > 0:
            i = int(mem[pos])
            take = min(q, left)
            key = (i, j)
            res.flows[key] = res.flows.get(key, 0) + take
            res.worth[key] = res.worth.get(key, 0.0) + wu * take
            total += wu * take
            q -= take
            left -= take
            if left == 0 and pos + 1 < len(mem):
                pos += 1
                left = int(inst.pledge_qty[mem[pos]])
    return total
