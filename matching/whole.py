"""Kinds with whole pledges (`divisible: false`): exact MILP where affordable, else a core MILP.

Problem. A whole pledge goes entirely to one need or stays out: a 0/1 choice per arc (arcs to
needs with less room than the pledge are dropped when building the kind), next to the
divisible pledges' continuous flows. The transportation structure is lost, so the LP optimum
is only a bound (the *relaxation*: whole pledges treated as divisible).

Method.
1. Exact: HiGHS `milp` over every arc of the kind when it has at most max_exact_whole_arcs arcs,
   within whole_node_limit branch-and-bound nodes. Its own whole choice, completed exactly (the
   divisible rest re-solved by the transportation LP), must not beat its value -- HiGHS
   presolve once returned a wrong optimum on rials ("transformNewIntegerFeasibleSolution") --
   else the kind is solved again without presolve. method "milp", or "milp-node-limit" when
   the node limit stopped it (the best answer found is kept, the gap to HiGHS's proved dual
   bound is in stats.gap).
2. Core MILP: the relaxation gives the proved bound; HiGHS `milp` then solves a *core* problem
   (to CORE_GAP, within core_node_limit nodes): whole pledges the relaxation sends whole to one
   need stay there, the fractional ones choose among their used and CORE_TOP_WHOLE best arcs,
   divisible pledges keep their used arcs and each need's CORE_TOP_NEED best. The divisible
   rest is then re-solved exactly over all arcs and unplaced whole pledges fill leftover room
   (method "lp-core-milp"; 20k x 2k, 30 % whole: 0.06 % below the bound, against 2.1 % for
   rounding).
3. Rounding ("lp-rounding"), only if the core MILP finds nothing: whole pledges by the
   relaxation's share, then worth, take the need with room.

Interchangeable whole pledges (exact path only). Whole pledges of the same quantity whose arcs
are the same need nodes with the same worths and the same proposed quantities (forbidden pairs
have no arc, so those are the same too) have identical binary columns: the exact MILP gives
such a class one general-integer column per arc (0..count, the class's node row bounded by
count), the same problem without the symmetry (same feasible worths, same optimum), and hands
the counts back in id order: the class's pledges in id order fill its arcs in need-node order
(north-west corner, as aggregate.split_flows). So among interchangeable whole pledges the
earlier one (smaller id) is used first; which of them HiGHS's vertex would have named no longer
matters. Small 2,000 x 300, 30 % whole: the money kind's 349 whole pledges are 260 classes, its
MILP 21,719 -> 15,759 columns, 2.9-3.3 -> 1.3-1.7 CPU s. The demo county's execution kind: 291
whole pledges, 282 classes (they differ in size, skills or district): no real change. The core
MILP keeps one binary per pledge and arc (its answer stops at CORE_GAP, so another model would
stop elsewhere); SolverOptions.whole_classes False builds the binary model on the exact path too.

Limits are counts, never seconds (a wall-clock limit made the answer depend on the machine's
load: at 20k x 2k the core MILP took 6.6 of its 8 s): HiGHS's MIP search is deterministic, so
a node limit stops it at the same point on any machine.

Proposals. On the exact path the MILP itself keeps them: every proposed unit kept earns a
bonus, all of them together TIE_SHARE (1e-9) of the worth bound, so an answer can give up at
most that share of worth for proposals (below KEEP_TOL, the solver's "equally good"); that
MILP is solved to TIE_GAP so that single units count. (It replaced a second MILP maximising
the kept quantity under a worth floor: 13.3 of 14.5 CPU s on the demo county.) Then, on every
path, the current proposals' whole choices, completed by the exact divisible re-solve, are
kept unless the best answer found is worth more than KEEP_TOL relative. Re-solving with
`proposed` = the solver's own output returns that output.
Imports only numpy, scipy and the matching package.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from .aggregate import BoolArray, FloatArray, IntArray, KindProblem
from .options import KindStats, SolverOptions
from .transport import solve_divisible

KEEP_TOL = 1e-8  # relative: answers this close in worth count as "equally good" (MILP gap is 1e-9)
CORE_TOP_WHOLE = 6  # core MILP: arcs per fractional whole pledge (besides those the LP used)
CORE_TOP_NEED = 6  # core MILP: divisible arcs per need (besides those the LP used)
CORE_GAP = 1e-4  # core MILP: relative gap at which HiGHS may stop (the target is 1 %)
TIE_SHARE = 1e-9  # proposals' bonus in the exact MILP, as a share of the worth bound (< KEEP_TOL)
TIE_OBJ = 1e6  # the exact MILP with that bonus: objective scaled to this bound ...
TIE_GAP = 1e-12  # ... and solved to this relative gap, so that single units kept count
#: HiGHS options of the exact MILP besides scipy's own. The root reduced-cost heuristic (a sub-MIP
#: over the columns the root LP's reduced costs leave free) is off: on the demo county's execution kind it took
#: half of the MILP (0.57 -> 0.29 s) and found nothing RINS/RENS did not find right after; on
#: generated 400 x 40 and 2,000 x 300 kinds the MILPs take 0.6-0.8x as long, the same optima. A
#: heuristic only changes which optimum is found first (and, where whole_node_limit stops the
#: search, how good the best found is: 1,000 x 100 all whole, gap to the bound 1.2e-4 -> 2.0e-4).
#: The core MILP, which stops at CORE_GAP, keeps it (medium, 30 % whole: as fast without it, and
#: 2e-5 worse). HiGHS releases without the option ignore it.
HIGHS_MIP_OPTIONS = {"mip_heuristic_run_root_reduced_cost": False}
# scipy passes options it does not know itself to HiGHS verbatim and says so, every call
warnings.filterwarnings("ignore", message=re.escape(f"Unrecognized options detected: {set(HIGHS_MIP_OPTIONS)}"),
                        category=RuntimeWarning)


@dataclass
class MilpAnswer:
    """What one HiGHS `milp` returned: the whole choice per arc (None: no solution), HiGHS's
    status, the worth in scaled units, the dual bound (unscaled, or None) and the scale."""

    choice: BoolArray | None
    status: int
    worth: float | None
    dual: float | None
    wscale: float


def _milp_model(kp: KindProblem, keep: IntArray | None, eps: float, qscale: float, wscale: float,
                count: IntArray | None = None) -> tuple[FloatArray, np.ndarray, FloatArray, Any, np.ndarray, np.ndarray, FloatArray]:
    """(objective, integrality, upper bounds, matrix, row lower, row upper, worth per variable)
    of the kind's MILP: whole arcs integer, how many pledges of the node take the arc (0..count,
    `count` per node, default 1: binary; flow = that many times the pledge quantity), divisible
    arcs continuous in units of qscale. With `keep` (proposed quantity per arc), the stable
    tie-break inside the MILP: a whole arc proposed whole earns `eps` per scaled unit on top of
    its worth, a proposed divisible arc gets a parallel column (bound: the proposed quantity)
    earning `eps` more per unit than the arc (see milp_whole)."""
    G, N = len(kp.node_cap), len(kp.need_cap)
    m = len(kp.w)
    whole_arc = kp.node_whole[kp.gi]
    ones = np.ones(G, np.int64) if count is None else count
    coef = np.where(whole_arc, kp.node_cap[kp.gi] / qscale, 1.0)
    cost = kp.w / wscale * np.where(whole_arc, kp.node_cap[kp.gi], qscale)
    rows_node = np.where(whole_arc, 1.0, coef)
    b_node = np.where(kp.node_whole, ones.astype(np.float64), kp.node_cap / qscale)
    data = [rows_node, coef]
    r_idx = [kp.gi, G + kp.nj]
    c_idx = [np.arange(m), np.arange(m)]
    obj = -cost
    worth = cost
    integ = whole_arc.astype(np.uint8)
    ub = np.where(whole_arc, ones[kp.gi].astype(np.float64), np.inf)
    n_var = m
    if keep is not None:
        kw = whole_arc & (keep == kp.node_cap[kp.gi])
        obj = obj - np.where(kw, eps * kp.node_cap[kp.gi] / qscale, 0.0)
        kd = np.flatnonzero(~whole_arc & (keep > 0))
        nk = len(kd)
        data += [np.ones(nk), np.ones(nk)]
        r_idx += [kp.gi[kd], G + kp.nj[kd]]
        c_idx += [m + np.arange(nk), m + np.arange(nk)]
        obj = np.concatenate([obj, -(cost[kd] + eps)])
        worth = np.concatenate([cost, cost[kd]])
        integ = np.concatenate([integ, np.zeros(nk, np.uint8)])
        ub = np.concatenate([ub, keep[kd] / qscale])
        n_var = m + nk
    A = sp.csr_matrix((np.concatenate(data), (np.concatenate(r_idx), np.concatenate(c_idx))),
                      shape=(G + N, n_var))
    return obj, integ, ub, A, np.full(G + N, -np.inf), np.concatenate([b_node, kp.need_cap / qscale]), worth


@dataclass
class WholeClasses:
    """Interchangeable whole pledges of a kind (see whole_classes): the arcs the MILP keeps
    (every divisible arc, the arcs of each class's first node), the number of pledges per node
    (a class's count on its first node), and per class its nodes (id order) and its first
    node's arcs (need-node order); `arc_at[g]` is where node g's arcs start in `order`, the
    arcs sorted node-major, need nodes ascending."""

    sel: IntArray
    count: IntArray
    nodes: list[IntArray]
    order: IntArray
    arc_at: IntArray


def whole_classes(kp: KindProblem, keep: IntArray | None) -> WholeClasses | None:
    """Whole-pledge nodes that are interchangeable in the kind's MILP: the same quantity and,
    need node by need node, the same arcs with the same worth per unit and the same proposed
    quantity (forbidden pairs have no arc, so they are the same too). Their binary columns
    are identical, so one general-integer column per arc (0..count, the node row's bound
    count) is the same problem without the symmetry: the same feasible worths, the same
    optimum. None when no two nodes are interchangeable (then the binary model is built)."""
    order = np.lexsort((kp.nj, kp.gi))
    G = len(kp.node_cap)
    gi, nj, w = kp.gi[order], kp.nj[order], kp.w[order]
    kq = keep[order] if keep is not None else np.zeros(len(order), np.int64)
    arc_at = np.searchsorted(gi, np.arange(G + 1))
    first: dict[tuple[int, bytes, bytes, bytes], int] = {}
    members: dict[int, list[int]] = {}
    for g in np.flatnonzero(kp.node_whole & (arc_at[1:] > arc_at[:-1])).tolist():
        s, e = arc_at[g], arc_at[g + 1]
        key = (int(kp.node_cap[g]), nj[s:e].tobytes(), w[s:e].tobytes(), kq[s:e].tobytes())
        rep = first.setdefault(key, g)
        members.setdefault(rep, []).append(g)
    if all(len(v) == 1 for v in members.values()):
        return None
    count = np.ones(G, np.int64)
    rep_node = np.zeros(G, bool)
    nodes = []
    for rep in sorted(members):
        count[rep] = len(members[rep])
        rep_node[rep] = True
        nodes.append(np.array(members[rep], np.int64))
    sel = np.flatnonzero(~kp.node_whole[kp.gi] | rep_node[kp.gi])
    return WholeClasses(sel, count, nodes, order, arc_at)


def _member_choice(kp: KindProblem, wc: WholeClasses, k: IntArray) -> BoolArray:
    """Per-pledge whole choice from the counts k on the classes' arcs (aligned with wc.sel):
    a class's pledges in id order fill its arcs in need-node order (north-west corner, as
    split_flows): among interchangeable whole pledges the earlier one (smaller id) is used
    first."""
    choice = np.zeros(len(kp.w), bool)
    k_at = np.zeros(len(kp.w), np.int64)
    k_at[wc.sel] = k
    k_sorted = k_at[wc.order]
    for nodes in wc.nodes:
        s, e = wc.arc_at[nodes[0]], wc.arc_at[nodes[0] + 1]
        pos = 0
        for off in np.flatnonzero(k_sorted[s:e]).tolist():
            for g in nodes[pos:pos + int(k_sorted[s + off])].tolist():
                choice[wc.order[wc.arc_at[g] + off]] = True
            pos += int(k_sorted[s + off])
    return choice


def milp_whole(kp: KindProblem, node_limit: int, keep: IntArray | None = None, bound: float | None = None,
               gap: float = 1e-9, presolve: bool = True, classes: bool = False,
               highs_options: dict[str, Any] | None = None) -> MilpAnswer:
    """HiGHS milp over all arcs of a kind: whole arcs binary (flow = pledge quantity), divisible
    arcs continuous; maximise worth. With `keep` (proposed quantity per arc) and `bound` (a
    proved upper bound on the worth, unscaled), proposals are kept among equally good answers
    by a bonus inside the same MILP: every unit kept earns eps, with eps * (all proposed
    quantity) = TIE_SHARE * bound, so an answer keeping proposals can lose at most that share
    of the worth (less than KEEP_TOL, the solver's "equally good"). `worth` and `dual` are the
    worth alone (the dual bound of the MILP with the bonus bounds the worth too).
    With `classes`, interchangeable whole pledges share one integer column per arc
    (whole_classes) and are handed back in id order (_member_choice); the choice returned is
    per pledge either way.
    At most `node_limit` branch-and-bound nodes (status 1 when that stopped it); `highs_options`
    go to HiGHS as they are (default HIGHS_MIP_OPTIONS)."""
    m = len(kp.w)
    qscale = float(np.median(kp.need_cap))
    wscale = float(kp.w.max()) if m else 1.0
    eps = 0.0
    objx = 1.0
    proposed = keep  # pledges proposed differently are never merged, bonus or not
    if keep is not None:
        whole_arc = kp.node_whole[kp.gi]
        units = float(np.where(whole_arc, np.where(keep == kp.node_cap[kp.gi], keep, 0), keep).sum()) / qscale
        if units <= 0 or bound is None or bound <= 0:
            keep = None
        else:
            eps = TIE_SHARE * (bound / wscale) / units
            # one unit kept is worth ~TIE_SHARE / units of the objective: HiGHS must close the
            # gap far below that (its absolute gap, 1e-6, cannot be set through scipy: the
            # objective is scaled so that its bound is TIE_OBJ)
            objx = TIE_OBJ / (bound / wscale)
            gap = min(gap, TIE_GAP)
    wc = whole_classes(kp, proposed) if classes else None
    if wc is None:
        obj, integ, ub, A, lo, hi, worth = _milp_model(kp, keep, eps, qscale, wscale)
    else:
        sub = replace(kp, gi=kp.gi[wc.sel], nj=kp.nj[wc.sel], w=kp.w[wc.sel], fit=kp.fit[wc.sel])
        obj, integ, ub, A, lo, hi, worth = _milp_model(sub, None if keep is None else keep[wc.sel], eps, qscale,
                                                       wscale, wc.count)
    res = milp(obj * objx, integrality=integ, bounds=Bounds(np.zeros(len(obj)), ub),
               constraints=LinearConstraint(A, lo, hi),
               options={"node_limit": node_limit, "mip_rel_gap": gap, "presolve": presolve,
                        **(HIGHS_MIP_OPTIONS if highs_options is None else highs_options)})
    if res.x is None:
        return MilpAnswer(None, res.status, None, None, wscale)
    if wc is None:
        choice = kp.node_whole[kp.gi] & (res.x[:m] > 0.5)
    else:
        ms = len(wc.sel)
        k = np.where(kp.node_whole[kp.gi[wc.sel]], np.rint(res.x[:ms]), 0).astype(np.int64)
        choice = _member_choice(kp, wc, k)
    dual = None
    mb = getattr(res, "mip_dual_bound", None)
    if mb is not None and np.isfinite(mb):
        dual = -mb / objx * wscale
    return MilpAnswer(choice, res.status, float(worth @ res.x), dual, wscale)


def _core_arcs(kp: KindProblem, used: BoolArray, frac: BoolArray, val: FloatArray) -> BoolArray:
    """Core arcs: fractional whole pledges' and each need's divisible arcs that the relaxation
    used, plus their CORE_TOP_WHOLE / CORE_TOP_NEED most valuable."""
    whole_arc = kp.node_whole[kp.gi]
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
    return core


def core_choice(kp: KindProblem, relax_flow: IntArray, opts: SolverOptions) -> BoolArray | None:
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
    core = _core_arcs(kp, used, frac, val)
    need_left = kp.need_cap - np.bincount(kp.nj[fixed], weights=kp.node_cap[kp.gi[fixed]],
                                          minlength=len(kp.need_cap)).astype(np.int64)
    core &= ~whole_arc | (kp.node_cap[kp.gi] <= need_left[kp.nj])
    idx = np.flatnonzero(core)
    node_cap = np.where(integral, 0, kp.node_cap)
    node_cap = np.where(kp.node_whole & ~frac, 0, node_cap)
    ok = (node_cap[kp.gi[idx]] > 0) & (need_left[kp.nj[idx]] > 0)
    idx = idx[ok]
    if len(idx) == 0:
        return None
    sub = replace(kp, members=[], gi=kp.gi[idx], nj=kp.nj[idx], w=kp.w[idx], fit=kp.fit[idx],
                  node_cap=np.where(node_cap > 0, node_cap, 1),  # empty rows: any positive bound
                  need_cap=np.maximum(need_left, 1))
    ch = milp_whole(sub, opts.core_node_limit, gap=CORE_GAP, highs_options={}).choice
    if ch is None:
        return None
    choice = fixed.copy()
    choice[idx[ch]] = True
    return choice


def proposed_choice(kp: KindProblem, proposed: IntArray | None) -> BoolArray | None:
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


def complete(kp: KindProblem, choice: BoolArray, proposed: IntArray | None, opts: SolverOptions,
             stats: KindStats | None, fill: bool) -> IntArray:
    """Fix the whole choices, re-solve the divisible rest exactly (keeping proposals among its
    optima), optionally place still-unplaced whole pledges in leftover room. Returns flow.
    Counters go to `stats` (None: a trial whose statistics are not reported)."""
    N = len(kp.need_cap)
    whole_arc = kp.node_whole[kp.gi]
    flow = np.zeros(len(kp.w), np.int64)
    flow[choice] = kp.node_cap[kp.gi[choice]]
    need_left = kp.need_cap - np.bincount(kp.nj[choice], weights=flow[choice], minlength=N).astype(np.int64)
    node_left = np.where(kp.node_whole, 0, kp.node_cap)
    div_flow, _ = solve_divisible(kp, node_left, need_left, opts, arc_mask=~whole_arc, proposed=proposed,
                                  stats=stats)
    flow += div_flow
    if fill:
        flow = fill_leftover(kp, flow)
    return flow


def _kept(flow: IntArray, proposed: IntArray | None) -> int:
    return int(np.minimum(flow, proposed).sum()) if proposed is not None else 0


def _exact_choice(kp: KindProblem, opts: SolverOptions, proposed: IntArray | None,
                  bound: float) -> tuple[BoolArray | None, str, MilpAnswer | None]:
    """The exact MILP's whole choice (with the proposals' bonus, see milp_whole), checked
    against its own exact completion (a presolve that returned a wrong optimum is caught and
    the kind solved again without presolve)."""
    ans = milp_whole(kp, opts.whole_node_limit, keep=proposed, bound=bound, classes=opts.whole_classes)
    if ans.choice is None:
        return None, "", None
    assert ans.worth is not None
    # HiGHS presolve has returned a wrong "optimum" on a badly scaled kind (rials; it
    # warns "transformNewIntegerFeasibleSolution"): the MILP's own whole choice,
    # completed exactly, must not be worth more than the MILP's value; if it is, the
    # kind is solved again without presolve
    check = complete(kp, ans.choice, None, opts, None, False)
    if float((kp.w * check).sum()) > ans.worth * ans.wscale * (1 + 1e-7) + 1e-12:
        redo = milp_whole(kp, opts.whole_node_limit, keep=proposed, bound=bound, presolve=False,
                          classes=opts.whole_classes)
        if redo.choice is not None:
            ans = redo
    return ans.choice, ("milp" if ans.status == 0 else "milp-node-limit"), ans


def solve_whole(kp: KindProblem, proposed: IntArray | None, opts: SolverOptions, stats: KindStats) -> IntArray:
    """Kinds with whole pledges. Returns flow per arc.

    Proposals among equally good answers: the best answer found (exact MILP, or the rounding
    heuristic) is compared with the current proposals' whole choices completed by an exact
    divisible re-solve; the proposals win unless the other answer is worth more than KEEP_TOL
    relative. On the exact path the MILP already prefers them (a bonus worth at most TIE_SHARE
    of the bound, see milp_whole)."""
    m = len(kp.w)
    # LP relaxation bound (whole pledges treated as divisible, arcs to too-small needs dropped)
    relax_flow, bound = solve_divisible(kp, kp.node_cap, kp.need_cap, opts, greedy=False)
    exact = m <= opts.max_exact_whole_arcs
    choice: BoolArray | None = None
    method = ""
    ans: MilpAnswer | None = None
    if exact:
        choice, method, ans = _exact_choice(kp, opts, proposed, bound)
        if ans is not None and ans.dual is not None:
            bound = min(bound, ans.dual)
    if choice is None:
        choice = core_choice(kp, relax_flow, opts)
        method = "lp-core-milp"
    if choice is None:
        choice = round_whole(kp, relax_flow)
        method = "lp-rounding"
    fill = method != "milp"
    flow = complete(kp, choice, proposed, opts, stats, fill)
    flow, value = _prefer_proposals(kp, proposed, choice, flow, method, ans, fill, opts, stats)
    stats.methods.append(method)
    stats.bound_total += max(bound, value)
    return flow


def _prefer_proposals(kp: KindProblem, proposed: IntArray | None, choice: BoolArray, flow: IntArray,
                      method: str, ans: MilpAnswer | None, fill: bool, opts: SolverOptions,
                      stats: KindStats) -> tuple[IntArray, float]:
    """Keep the current proposals among equally good answers (see solve_whole). Returns the
    flow and its worth."""
    value = float((kp.w * flow).sum())
    pchoice = proposed_choice(kp, proposed)
    if pchoice is None or np.array_equal(pchoice, choice):
        return flow, value
    pflow = complete(kp, pchoice, proposed, opts, None, fill)
    pvalue = float((kp.w * pflow).sum())
    tol = KEEP_TOL * max(abs(value), 1e-300)
    if pvalue >= value - tol and _kept(pflow, proposed) >= _kept(flow, proposed):
        stats.proposals_kept_tie += 1
        return pflow, pvalue
    return flow, value


def fill_leftover(kp: KindProblem, flow: IntArray) -> IntArray:
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


def round_whole(kp: KindProblem, relax_flow: IntArray) -> BoolArray:
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
