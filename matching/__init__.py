"""Hamyar's matching engine: pledges to needs by the public rules of docs/matching.md, exactly.
Imports only numpy, scipy and the standard library (no web or database code).

API: solve_instance(instance, progress=None) -> output dict; validate_instance(instance);
run_files(instance_path, out_path, progress=False) -> exit code; InstanceError;
parse_reason(reason) -> (code, argument) for translating reasons; alternatives(instance, need_id,
limit) -> the next-best pledges for a need (matching.explain).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from .compat import REASON_CODES, Tables, parse_reason
from .explain import alternatives
from .instance import InstanceError, parse_instance, validate_instance
from .output import build_output, dumps, write_atomic
from .solver import solve_arrays

__all__ = ["solve_instance", "validate_instance", "run_files", "InstanceError", "parse_reason", "REASON_CODES",
           "alternatives"]


def solve_instance(instance: dict, progress: Callable[[float, str], None] | None = None) -> dict:
    """Validate and solve one instance (a dict in the docs/matching.md format); return the output
    dict: allocations (sorted by pledge then need id; `fixed` not repeated), objective, stats.
    Raises InstanceError for a malformed instance."""
    t0 = time.perf_counter()
    inst = parse_instance(instance)
    if progress:
        progress(0.0, f"instance: {inst.n_pledges} pledges, {inst.n_needs} needs")
    res = solve_arrays(inst, progress)
    res.stats["seconds"] = round(time.perf_counter() - t0, 3)
    out = build_output(inst, res.flows, res.worth, res.stats, Tables(inst))
    if progress:
        progress(1.0, f"done: {len(out['allocations'])} allocations, objective {out['objective']}")
    return out


def run_files(instance_path: str | os.PathLike[str], out_path: str | os.PathLike[str],
              progress: bool = False) -> int:
    """Read an instance file, solve it, write the output file (atomically). Returns 0, or 2 with
    a one-line message on stderr and no output file when the instance is unreadable or invalid.
    Byte-identical output for the same input: the `seconds` figure is left out of the file."""
    def report(frac: float, msg: str) -> None:
        print(f"[{frac * 100:5.1f}%] {msg}", file=sys.stderr, flush=True)

    try:
        with open(instance_path, encoding="utf-8") as f:
            instance = json.load(f)
    except (OSError, ValueError) as e:
        print(f"error: cannot read instance {instance_path}: {e}", file=sys.stderr)
        return 2
    try:
        out = solve_instance(instance, report if progress else None)
    except InstanceError as e:
        print(f"error: invalid instance: {e}", file=sys.stderr)
        return 2
    if progress:
        report(1.0, f"solved in {out['stats']['seconds']} s")
    out["stats"].pop("seconds", None)
    write_atomic(out_path, dumps(out))
    return 0
