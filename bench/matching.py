"""Benchmark of the matching engine (a script, not a test): `python -m bench.matching`, from the
repository root (not `python bench/matching.py`: this file would then shadow the matching package).
Imports numpy, scipy, the matching package and the standard library; OR-Tools only inside
`_ortools`, optional.

For each size: a seeded instance (matching.generate) is written to a temporary JSON file; each
repeat runs `run_files` (read JSON -> solve -> write JSON) in a fresh child process, timed end to
end inside the child; peak memory is the child's ru_maxrss from os.wait4 (whole process: Python,
NumPy, SciPy and the instance). The exact reference is HiGHS (`linprog`) on the full,
unaggregated LP when it has at most --reference-max-pairs pairs. OR-Tools' SimpleMinCostFlow
runs in this (the parent) process on the same instance: all compatible pledge-need pairs, integer
costs; its time counts adding the arcs and solving, not enumerating the pairs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

from matching.aggregate import build_kind
from matching.compat import Tables
from matching.generate import generate_instance
from matching.instance import Instance, parse_instance

SIZES = {"small": (2_000, 300), "medium": (20_000, 2_000), "large": (100_000, 5_000)}
#: the demo county's instance (models.demo.seed.seed_demo, then models.runs.lifecycle.build_instance
#: for RunScope.COUNTY; 4,208 pledges x 124 needs, 654 proposals, whole pledges): `--sizes demo`
DEMO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "matching", "data",
                    "demo_county.json.gz")

_CHILD = (
    "import json,sys,time\n"
    "from matching import run_files\n"
    "t=time.perf_counter()\n"
    "rc=run_files(sys.argv[1], sys.argv[2])\n"
    "print(json.dumps({'rc': rc, 'seconds': time.perf_counter()-t}))\n"
)


def _child_run(src: str, dst: str) -> tuple[float, float, float]:
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, src, dst], stdout=subprocess.PIPE, env=env)
    if proc.stdout is None:  # pragma: no cover - stdout=PIPE always gives one
        raise RuntimeError("no pipe to the child")
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    res = json.loads(out.splitlines()[-1])  # HiGHS may print a line of its own
    if res["rc"] != 0:
        raise RuntimeError("run_files failed")
    return res["seconds"], ru.ru_maxrss / 1024.0, ru.ru_utime + ru.ru_stime  # s, MiB, CPU s (whole child)


def _repeat(src: str, dst: str, repeats: int) -> tuple[list[float], list[float], list[float]]:
    times, mems, cpus = [], [], []
    for _ in range(repeats):
        s, m, c = _child_run(src, dst)
        times.append(s)
        mems.append(m)
        cpus.append(c)
    return times, mems, cpus


def _full_pairs(inst: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All compatible (pledge, need, worth per unit) pairs, expanded from the solver's nodes."""
    tab = Tables(inst)
    P, N, W = [], [], []
    for kind in range(4):
        kp = build_kind(inst, tab, kind)
        if len(kp.w) == 0:
            continue
        sizes = np.array([len(m) for m in kp.members])
        flat = np.concatenate(kp.members)
        offs = np.r_[0, np.cumsum(sizes)]
        rep = sizes[kp.gi]
        arc_of = np.repeat(np.arange(len(kp.gi)), rep)
        within = np.arange(len(arc_of)) - np.repeat(np.cumsum(rep) - rep, rep)
        P.append(flat[offs[kp.gi][arc_of] + within])
        N.append(kp.need_idx[kp.nj][arc_of])
        W.append(kp.w[arc_of])
    if not P:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(P), np.concatenate(N), np.concatenate(W)


def _reference_lp(inst: Instance, p: np.ndarray, n: np.ndarray, w: np.ndarray) -> float:
    import scipy.sparse as sp
    from scipy.optimize import linprog

    total = 0.0
    for kind in range(4):
        sel = inst.need_kind[n] == kind
        if not sel.any():
            continue
        pk, nk, wk = p[sel], n[sel], w[sel]
        up, pi = np.unique(pk, return_inverse=True)
        un, ni = np.unique(nk, return_inverse=True)
        q = float(np.median(inst.need_qty[un]))
        m = len(wk)
        A = sp.csr_matrix((np.ones(2 * m), (np.r_[pi, len(up) + ni], np.tile(np.arange(m), 2))),
                          shape=(len(up) + len(un), m))
        b = np.r_[inst.pledge_qty[up], inst.need_qty[un]] / q
        res = linprog(-wk * q, A_ub=A, b_ub=b, bounds=(0, None), method="highs",
                      options={"dual_feasibility_tolerance": 1e-10, "primal_feasibility_tolerance": 1e-10})
        total += -res.fun
    return total


def _ortools(inst: Instance, p: np.ndarray, n: np.ndarray, w: np.ndarray) -> dict[str, Any] | None:
    """SimpleMinCostFlow on all pairs: source -> pledge -> need -> sink, plus a free bypass.
    Costs are integers: worth per unit scaled per kind so that cost * flow stays in int64."""
    try:
        from ortools.graph.python import min_cost_flow
    except ImportError:
        return None
    t0 = time.perf_counter()
    smcf = min_cost_flow.SimpleMinCostFlow()
    P, N = inst.n_pledges, inst.n_needs
    src, snk = P + N, P + N + 1
    # integer costs: per kind, cost = round(w * S) with S so that max cost * total flow < 2^62
    cost = np.zeros(len(w), np.int64)
    for kind in range(4):
        sel = inst.need_kind[n] == kind
        if not sel.any():
            continue
        flow_max = float(inst.need_qty[inst.need_kind == kind].sum())
        s = min(1e12 / w[sel].max(), 4e18 / (w[sel].max() * max(flow_max, 1.0)))
        cost[sel] = -np.rint(w[sel] * s).astype(np.int64)
    tails = np.r_[np.full(P, src), p, np.arange(P, P + N), [src]]
    heads = np.r_[np.arange(P), P + n, np.full(N, snk), [snk]]
    caps = np.r_[inst.pledge_qty, np.minimum(inst.pledge_qty[p], inst.need_qty[n]), inst.need_qty,
                 [int(inst.pledge_qty.sum())]]
    costs = np.r_[np.zeros(P, np.int64), cost, np.zeros(N, np.int64), [0]]
    smcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64),
                                              costs.astype(np.int64))
    supply = int(inst.pledge_qty.sum())
    smcf.set_node_supply(src, supply)
    smcf.set_node_supply(snk, -supply)
    status = smcf.solve()
    secs = time.perf_counter() - t0
    if status != smcf.OPTIMAL:
        return {"seconds": secs, "objective": None}
    flows = smcf.flows(np.arange(P, P + len(w)))
    return {"seconds": secs, "objective": float((flows * w).sum())}


def run(size: str, n_p: int, n_n: int, repeats: int, whole: float, seed: int, ref_max: int,
        with_ortools: bool, diversity: float = 0.0, proposals: bool = False) -> dict[str, Any]:
    if size == "demo":
        with gzip.open(DEMO, "rt") as f:
            inst_d = json.load(f)
        n_p, n_n = len(inst_d["pledges"]), len(inst_d["needs"])
    else:
        inst_d = generate_instance(n_p, n_n, seed=seed, whole_fraction=whole, diversity=diversity)
    tmp = tempfile.mkdtemp(prefix="matchbench-")
    src = os.path.join(tmp, "in.json")
    dst = os.path.join(tmp, "out.json")
    given = inst_d.get("proposed") or []
    if proposals and size == "demo":  # first without the demo's own proposals
        inst_d = dict(inst_d, proposed=[])
    with open(src, "w") as f:
        json.dump(inst_d, f)
    times, mems, cpus = _repeat(src, dst, repeats)
    with open(dst) as f:
        out = json.load(f)
    row = {"size": size, "pledges": n_p, "needs": n_n, "whole": whole, "diversity": diversity,
           "pairs": out["stats"]["pairs"], "nodes": out["stats"]["nodes"], "arcs": out["stats"]["arcs"],
           "seconds": statistics.median(times), "times": [round(t, 2) for t in times], "peak_mib": max(mems), "cpu_seconds": statistics.median(cpus), "load": os.getloadavg()[0],
           "objective": out["objective"], "method": out["stats"]["method"], "gap_to_bound": out["stats"].get("gap"),
           "bound": out["stats"].get("bound")}
    if proposals:
        # the same instance again with proposals: the demo's own, else the answer just found
        props = given if size == "demo" else [{"pledge": x["pledge"], "need": x["need"], "quantity": x["quantity"]}
                                              for x in out["allocations"]]
        with open(src, "w") as f:
            json.dump(dict(inst_d, proposed=props), f)
        ptimes, pmems, pcpus = _repeat(src, dst, repeats)
        with open(dst) as f:
            pout = json.load(f)
        want = {(x["pledge"], x["need"]): x["quantity"] for x in props}
        got = {(x["pledge"], x["need"]): x["quantity"] for x in pout["allocations"]}
        row.update({"proposals": len(props), "prop_seconds": statistics.median(ptimes),
                    "prop_times": [round(t, 2) for t in ptimes], "prop_peak_mib": max(pmems),
                    "prop_cpu_seconds": statistics.median(pcpus), "prop_objective": pout["objective"],
                    "prop_kept_same": sum(got.get(k) == q for k, q in want.items()),
                    "prop_tie_break_face": pout["stats"].get("tie_break_face", 0),
                    "prop_ratio": statistics.median(ptimes) / max(row["seconds"], 1e-9)})
    if size == "demo":
        for name in (dst, src):
            os.unlink(name)
        os.rmdir(tmp)
        return row
    inst = parse_instance(inst_d)
    del inst_d
    need_pairs = (row["pairs"] <= ref_max) or with_ortools
    if need_pairs:
        p, n, w = _full_pairs(inst)
    if row["pairs"] <= ref_max:
        t = time.perf_counter()
        ref = _reference_lp(inst, p, n, w)
        row["reference"] = ref
        row["reference_seconds"] = time.perf_counter() - t
        if whole == 0:
            row["gap_to_reference"] = (ref - out["objective"]) / ref
    else:
        row["reference"] = f"skipped (> {ref_max} pairs)"
    if with_ortools and whole == 0:
        o = _ortools(inst, p, n, w)
        if o is None:
            row["ortools"] = "ortools not installed"
        else:
            row["ortools_seconds"] = o["seconds"]
            row["ortools_objective"] = o["objective"]
            row["ratio_to_ortools"] = row["seconds"] / o["seconds"]
    for name in (dst, src):
        os.unlink(name)
    os.rmdir(tmp)
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.matching", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="small,medium,large", help="comma list of small, medium, large, demo")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--whole", default="0,0.3", help="comma list of whole-pledge fractions")
    ap.add_argument("--reference-max-pairs", type=int, default=300_000)
    ap.add_argument("--no-ortools", action="store_true")
    ap.add_argument("--diversity", type=float, default=0.0,
                    help="share of pledges redrawn to differ more (matching.generate._diversify); 0 = the default instances")
    ap.add_argument("--proposals", action="store_true",
                    help="also solve each instance with proposals (the demo's own; else its answer just found) and report the ratio")
    ap.add_argument("--json", help="also write the rows to this file")
    a = ap.parse_args(argv)
    rows = []
    print("| size | pledges x needs | whole | diversity | compatible pairs | nodes / arcs | seconds e2e (median; runs) | child CPU s (median, incl. imports) | load | peak MiB | objective | method | gap | exact reference | OR-Tools s | ratio ours/OR-Tools |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    prop_lines = []
    for size in a.sizes.split(","):
        n_p, n_n = SIZES.get(size, (0, 0))
        for wf in (float(x) for x in a.whole.split(",")):
            if size == "demo" and wf:
                continue
            r = run(size, n_p, n_n, a.repeats, wf, a.seed, a.reference_max_pairs, not a.no_ortools and size != "demo",
                    a.diversity, a.proposals)
            rows.append(r)
            ref = r.get("reference", "-")
            ref_s = f"{ref:.9g} ({r['reference_seconds']:.1f} s)" if isinstance(ref, float) else ref
            gap = r.get("gap_to_reference") if wf == 0 and size != "demo" else r.get("gap_to_bound")
            gap_s = "-" if gap is None else f"{gap:.2e}" + (" vs ref" if wf == 0 and size != "demo" else " vs bound")
            ort = r.get("ortools_seconds")
            ort_s = r.get("ortools", "-") if ort is None else f"{ort:.2f} ({r['ortools_objective']:.12g})"
            ratio_s = "-" if ort is None else f"{r['ratio_to_ortools']:.2f}"
            times_s = ", ".join(map(str, r["times"]))
            print(f"| {size} | {r['pledges']:,} x {r['needs']:,} | {wf:g} | {a.diversity:g} | {r['pairs']:,} | {r['nodes']:,} / {r['arcs']:,} | "
                  f"{r['seconds']:.2f} ({times_s}) | {r['cpu_seconds']:.2f} | {r['load']:.1f} | {r['peak_mib']:.0f} | {r['objective']:.12g} | "
                  f"{r['method']} | {gap_s} | {ref_s} | {ort_s} | {ratio_s} |", flush=True)
            if a.proposals:
                prop_lines.append(
                    f"| {size} | {r['pledges']:,} x {r['needs']:,} | {wf:g} | {a.diversity:g} | {r['proposals']:,} | "
                    f"{r['seconds']:.2f} ({times_s}) | {r['prop_seconds']:.2f} ({', '.join(map(str, r['prop_times']))}) | "
                    f"{r['prop_ratio']:.2f} | {r['prop_cpu_seconds']:.2f} | {r['prop_peak_mib']:.0f} | {r['objective']:.12g} | "
                    f"{r['prop_objective']:.12g} | {r['prop_kept_same']:,} | {r['prop_tie_break_face']} | {os.getloadavg()[0]:.1f} |")
    if prop_lines:
        print()
        print("| size | pledges x needs | whole | diversity | proposals | seconds without (median; runs) | seconds with proposals (median; runs) | ratio | CPU s with | peak MiB with | objective without | objective with | proposals kept as they were | face LPs | load |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for line in prop_lines:
            print(line)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1, default=str)


if __name__ == "__main__":
    main()
