"""Benchmark of the PB counting rules on a synthetic election of Łódź's size: `python -m bench.pb`.

Imports numpy, models.pb.rules and, when installed, pabutools (GPL; a measuring stick only, never
imported by the app). Prints the median of 3 runs per rule and the ratio to pabutools on the same
instance where pabutools finishes within --ref-timeout seconds (it runs in a child process).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import time
from fractions import Fraction

import numpy as np

from models.pb.rules import ALL_RULES, Election, count

N_PROJECTS = 139
N_VOTERS = 70_747


def synthetic_lodz(seed: int = 2020, n_projects: int = N_PROJECTS, n_voters: int = N_VOTERS,
                   max_approvals: int = 10) -> Election:
    """Costs log-normal around 250,000 (10,000–2,000,000), a budget of a quarter of the total cost,
    and approval ballots of 1–`max_approvals` projects drawn by Zipf-like popularity."""
    rng = np.random.default_rng(seed)
    costs = np.clip(np.round(rng.lognormal(np.log(250_000), 1.0, n_projects), -3), 10_000, 2_000_000).astype(int)
    budget = int(costs.sum() // 4)
    popularity = 1.0 / np.arange(1, n_projects + 1) ** 0.8
    popularity = popularity[rng.permutation(n_projects)]
    popularity /= popularity.sum()
    sizes = rng.integers(1, max_approvals + 1, n_voters)
    ids = [str(1000 + j) for j in range(n_projects)]
    ballots = []
    for size in sizes:
        chosen = rng.choice(n_projects, size=size, replace=False, p=popularity)
        ballots.append([ids[j] for j in chosen])
    return Election(budget, dict(zip(ids, costs.tolist())), ballots)


def blocker() -> Election:
    """Issue 17's cycle: 5e9 rials (500,000,000 toman), 8 projects, 4 voters, voter 1 alone backing project 1."""
    costs = [4_000_000_000, 300_000_000, 250_000_000, 500_000_000, 120_000_000, 800_000_000, 90_000_000,
             1_500_000_000]
    ballots = [["1"], ["2", "3", "4"], ["2", "5", "6"], ["3", "6", "7", "8"]]
    return Election(5_000_000_000, {str(i): c for i, c in enumerate(costs, 1)}, ballots)


def app_cycle(seed: int = 17) -> Election:
    """An app-like rial cycle at the app's limits: 200 projects, 100,000 voters, costs in rials."""
    e = synthetic_lodz(seed, n_projects=200, n_voters=100_000)
    scale = 10_000  # rials: costs 1e8..2e10
    return Election(e.budget * scale, {p: c * scale for p, c in zip(e.ids, e.costs)},
                    {g: int(w) for g, w in zip(e.groups, e.weights)})


INSTANCES = {"lodz": lambda: synthetic_lodz(), "blocker": blocker, "app": app_cycle}


def _median_time(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _reference_worker(rule: str, args: dict, queue) -> None:  # pragma: no cover - child process
    from tests.pb.reference import run_reference, to_pabutools  # the GPL reference lives with the tests

    instance, profile = to_pabutools(synthetic_lodz(**args))
    start = time.perf_counter()  # the rule only, not building pabutools' profile
    winners = run_reference(rule, instance, profile)
    queue.put((time.perf_counter() - start, winners))


def _reference_time(rule: str, args: dict, timeout: float) -> tuple[float, list[str]] | None:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_reference_worker, args=(rule, args, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return None if queue.empty() else queue.get()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--voters", type=int, default=N_VOTERS)
    parser.add_argument("--projects", type=int, default=N_PROJECTS)
    parser.add_argument("--ref-timeout", type=float, default=120.0,
                        help="seconds pabutools may take per rule, building its profile included "
                             "(0: skip the reference)")
    parser.add_argument("--rules", default=",".join(ALL_RULES))
    parser.add_argument("--instance", choices=sorted(INSTANCES), default="lodz")
    args = parser.parse_args(argv)
    spec = {"seed": args.seed, "n_projects": args.projects, "n_voters": args.voters}
    start = time.perf_counter()
    e = synthetic_lodz(**spec) if args.instance == "lodz" else INSTANCES[args.instance]()
    print(f"synthetic election: {len(e.ids)} projects, {e.n_voters} ballots ({len(e.groups)} distinct), "
          f"budget {e.budget}, built in {time.perf_counter() - start:.2f} s")
    for rule in args.rules.split(","):
        seconds, outcome = _median_time(lambda rule=rule: count(rule, e))
        line = {"rule": rule, "median_s": round(seconds, 3), "winners": len(outcome.winners),
                "total_cost": int(outcome.total_cost)}
        if outcome.voter_budget is not None:
            line["voter_budget"] = round(float(outcome.voter_budget), 2)
            line["start_budget"] = round(float(Fraction(e.budget, e.n_voters)), 2)
        line["mes_runs"] = outcome.mes_runs
        if outcome.stopped_early:
            line["stopped_early"] = outcome.reason
        if args.ref_timeout > 0 and args.instance == "lodz":
            ref = _reference_time(rule, spec, args.ref_timeout)
            if ref is None:
                line["pabutools"] = f"> {args.ref_timeout:g} s (stopped)"
            else:
                line["pabutools_s"] = round(ref[0], 3)
                line["speedup"] = round(ref[0] / seconds, 1)
                line["same_winners"] = ref[1] == list(outcome.winners)
        print(json.dumps(line))


if __name__ == "__main__":
    main()
