"""What goes into a kind's solve besides the problem (SolverOptions, frozen) and what comes out
besides the flow (KindStats, a typed accumulator). Options travel as arguments, never inside
the statistics; statistics become the output's plain dict only at the end (solver.py).
Imports only the standard library."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SolverOptions:
    """Limits and switches of one solve. `from_params` reads the instance's `params`; the two
    switches exist for tests and measurements (same optimum either way).

    Every limit that can change the answer is a count (arcs, branch-and-bound nodes), never
    seconds: the same instance gives the same bytes on a quiet or a loaded machine."""

    max_exact_whole_arcs: int = 50_000  # whole-pledge kinds with more arcs skip the exact MILP
    whole_node_limit: int = 2_000  # branch-and-bound nodes of each exact whole-pledge MILP
    core_node_limit: int = 500  # branch-and-bound nodes of each core MILP (matching.whole)
    threads: int = 2  # worker threads over the four kinds (1 = sequential; same answer)
    greedy_start: bool = True  # primal simplex from a greedy basis (else dual simplex from scratch)
    highs_binding: bool = True  # warm-started rounds on SciPy's HiGHS binding where available
    network_simplex: bool = True  # divisible LPs by the compiled network simplex where built (else HiGHS rounds)
    dual_rounds: bool = True  # local kinds: dual simplex after the first (primal) round
    tie_epsilon: bool = True  # proposals kept by an epsilon inside the LP (else a second LP on the optimal face)
    whole_classes: bool = True  # exact whole-pledge MILP: interchangeable whole pledges share integer columns (else binaries)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SolverOptions:
        return cls(max_exact_whole_arcs=int(math.floor(params["max_exact_whole_arcs"])),
                   whole_node_limit=int(math.floor(params["whole_node_limit"])),
                   threads=max(1, int(params.get("threads", 2))),
                   greedy_start=True, highs_binding=True, tie_epsilon=True)


@dataclass
class KindStats:
    """Counters of one kind's solve. The output reports `rounds` and `arcs_priced` when a
    transportation LP was solved, `tie_break_bound` when a tie-break pass ran, the other
    counters when positive (see `reported`)."""

    lp_solves: int = 0  # transportation LPs solved (with statistics kept)
    rounds: int = 0  # pricing rounds of those LPs
    arcs_priced: int = 0  # columns that entered them
    rounding_repairs: int = 0  # LP flows that were not integral and needed a repair
    tie_breaks: int = 0  # tie-break passes on the optimal face
    tie_break_bound: float = 0.0  # worth those passes may have given up, at most
    tie_break_face: int = 0  # tie-breaks that needed the second LP on the optimal face
    proposals_kept_tie: int = 0  # whole-pledge kinds where the proposals won a tie
    methods: list[str] = field(default_factory=list)  # whole-pledge method(s) of the kind
    bound_total: float = 0.0  # proved upper bound on the kind's objective

    def reported(self) -> dict[str, int | float]:
        """The counters the output reports, in output order."""
        out: dict[str, int | float] = {}
        if self.lp_solves:
            out["rounds"] = self.rounds
            out["arcs_priced"] = self.arcs_priced
        if self.rounding_repairs:
            out["rounding_repairs"] = self.rounding_repairs
        if self.tie_breaks:
            out["tie_break_bound"] = self.tie_break_bound
        if self.tie_break_face:
            out["tie_break_face"] = self.tie_break_face
        if self.proposals_kept_tie:
            out["proposals_kept_tie"] = self.proposals_kept_tie
        return out
