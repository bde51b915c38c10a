"""The exact matching solver: a docs/matching.md instance (as arrays) in, integer allocations out.
Imports only numpy, scipy and the matching package (no web or database code).

Model. Per kind (the four kinds are independent problems) this is a transportation problem:
maximise sum w_ij x_ij, w_ij = priority_j * fit_ij / quantity_j, with pledge and need capacities
after `fixed`. Its constraint matrix is totally unimodular, so a *basic* optimal solution of the
linear programme is integral and is the exact answer for divisible pledges.

This module only orchestrates; the method lives in:
- matching.aggregate: interchangeable pledges collapse into supply nodes, the fit is computed per
  class pair, arcs are built block by block; node flows are split back over the pledges.
- matching.transport: the transportation LP by column generation (pricing by the duals, a
  greedy primal feasible start basis, the tie-break pass that keeps proposals among optima).
- matching.whole: kinds with whole pledges (exact MILP, or a core MILP on the LP relaxation
  with a proved bound; rounding; proposals kept among equally good answers).
- matching.highs: the HiGHS binding the column generation warm-starts through, and its guard.
Figures for all of it: docs/matching-bench.md.

Determinism. Everything is sorted by id before it reaches HiGHS, which is deterministic, and
every limit that can change the answer is a count (arcs, branch-and-bound nodes: see
SolverOptions), never seconds. The four kinds run on `threads` threads (largest first, so
they finish together), and the results are merged in kind order: same instance, same answer,
whatever the scheduling or the machine's load.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .aggregate import IntArray, KindProblem, build_kind, proposed_per_arc, split_flows
from .compat import Tables
from .instance import KINDS, Instance
from .options import KindStats, SolverOptions
from .transport import solve_divisible
from .whole import solve_whole

Progress = Callable[[float, str], None]


@dataclass
class Result:
    """The answer: quantity and worth per (pledge index, need index), and the stats."""

    flows: dict[tuple[int, int], int] = field(default_factory=dict)
    worth: dict[tuple[int, int], float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def _solve_kind(inst: Instance, tab: Tables, kind: int, opts: SolverOptions,
                progress: Progress | None) -> tuple[KindProblem, IntArray, KindStats]:
    """Build and solve one kind: (problem, flow per arc, the kind's stats)."""
    if progress:
        progress(kind / len(KINDS), f"{KINDS[kind]}: building arcs")
    kp = build_kind(inst, tab, kind)
    kst = KindStats()
    if len(kp.w) == 0:
        return kp, np.zeros(0, np.int64), kst
    proposed = proposed_per_arc(inst, kp) if inst.proposed else None
    if progress:
        progress((kind + 0.3) / len(KINDS),
                 f"{KINDS[kind]}: solving {len(kp.members)} nodes x {len(kp.need_idx)} needs, {len(kp.w)} arcs")
    if kp.node_whole.any():
        flow = solve_whole(kp, proposed, opts, kst)
    else:
        flow, _ = solve_divisible(kp, kp.node_cap, kp.need_cap, opts, proposed=proposed, stats=kst)
        kst.bound_total = float((kp.w * flow).sum())
    if progress:
        progress((kind + 1) / len(KINDS), f"{KINDS[kind]}: solved")
    return kp, flow, kst


def _solve_kinds(inst: Instance, tab: Tables, opts: SolverOptions,
                 progress: Progress | None) -> list[tuple[KindProblem, IntArray, KindStats]]:
    """All kinds, in kind order. They are independent: with threads > 1 they run on a pool
    (HiGHS and NumPy release the GIL), largest (pledges x needs) first so the threads finish
    together; the results come back in kind order, so the answer does not depend on it."""
    workers = max(1, min(opts.threads, len(KINDS)))
    if workers == 1:
        return [_solve_kind(inst, tab, k, opts, progress) for k in range(len(KINDS))]
    size = [int((inst.pledge_kind == k).sum()) * int((inst.need_kind == k).sum()) for k in range(len(KINDS))]
    order = sorted(range(len(KINDS)), key=lambda k: -size[k])
    with ThreadPoolExecutor(max_workers=workers) as ex:
        futures = {k: ex.submit(_solve_kind, inst, tab, k, opts, progress) for k in order}
        return [futures[k].result() for k in range(len(KINDS))]


def solve_arrays(inst: Instance, progress: Progress | None = None, options: SolverOptions | None = None) -> Result:
    """Solve a parsed instance: flows and worths keyed by (pledge index, need index), and the
    stats (method, bound, gap, counters; `objective_exact` is the unrounded objective).
    `options` default: SolverOptions.from_params(inst.params)."""
    opts = SolverOptions.from_params(inst.params) if options is None else options
    tab = Tables(inst)
    res = Result()
    stats: dict[str, Any] = {}
    nodes = arcs = pairs = 0
    methods: list[str] = []
    bound_total = 0.0
    objective = 0.0
    any_whole = False
    for kp, flow, kst in _solve_kinds(inst, tab, opts, progress):
        nodes += len(kp.members)
        arcs += len(kp.w)
        pairs += kp.pairs
        if len(kp.w) == 0:
            continue
        if kp.node_whole.any():
            any_whole = True
            methods.extend(kst.methods)
        bound_total += kst.bound_total
        for key, value in kst.reported().items():  # a key first reported by a later kind comes later
            stats[key] = stats.get(key, 0) + value
        objective += split_flows(inst, kp, flow, res.flows, res.worth)
    stats.update({"pledges": inst.n_pledges, "needs": inst.n_needs, "pairs": pairs, "nodes": nodes, "arcs": arcs})
    if any_whole:
        stats["method"] = "milp" if methods and all(m == "milp" for m in methods) else "+".join(sorted(set(methods)))
        stats["bound"] = bound_total
        stats["gap"] = 0.0 if bound_total <= 0 else max(0.0, (bound_total - objective) / bound_total)
    else:
        stats["method"] = "lp-exact"
        stats["gap"] = 0.0
    stats["objective_exact"] = objective
    res.stats = stats
    return res
