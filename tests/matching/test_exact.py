"""Exactness: brute force on tiny instances, an independent LP on random ones."""

import pytest

from matching import solve_instance
from matching.generate import generate_instance

from .reference import brute_force, check_feasible, lp_optimum
from .tiny import tiny_instance


@pytest.mark.parametrize("seed", range(60))
def test_divisible_matches_brute_force(seed):
    inst = tiny_instance(seed, n_pledges=3, n_needs=2, max_q=3)
    out = solve_instance(inst)
    got = check_feasible(inst, out)
    best = brute_force(inst)
    assert got == pytest.approx(best, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(60))
def test_whole_matches_brute_force(seed):
    inst = tiny_instance(1000 + seed, n_pledges=5, n_needs=3, max_q=4, whole=0.6)
    out = solve_instance(inst)
    got = check_feasible(inst, out)
    best = brute_force(inst)
    assert got == pytest.approx(best, rel=1e-9, abs=1e-12)
    if any(p["divisible"] is False for p in inst["pledges"]):
        assert out["stats"]["method"] in ("milp", "lp-exact")


@pytest.mark.parametrize("seed", range(8))
def test_divisible_matches_independent_lp(seed):
    n_p, n_n = [(60, 15), (150, 30), (300, 60), (500, 80)][seed % 4]
    inst = generate_instance(n_p, n_n, seed=seed, n_fixed=10, n_forbidden=30, n_proposed=20)
    out = solve_instance(inst)
    got = check_feasible(inst, out)
    ref = lp_optimum(inst)
    assert out["stats"]["pairs"] > 0
    assert got == pytest.approx(ref, rel=1e-6)


def test_medium_matches_independent_lp():
    inst = generate_instance(800, 120, seed=42, n_fixed=30, n_forbidden=50, n_proposed=50)
    out = solve_instance(inst)
    assert out["stats"]["pairs"] > 2000
    assert check_feasible(inst, out) == pytest.approx(lp_optimum(inst), rel=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_whole_within_bound(seed):
    inst = generate_instance(300, 50, seed=seed, whole_fraction=0.3, n_forbidden=10)
    out = solve_instance(inst)
    got = check_feasible(inst, out)
    ref = lp_optimum(inst)  # LP relaxation: an upper bound
    assert got <= ref * (1 + 1e-9)
    assert out["stats"]["gap"] <= 0.01
    assert out["stats"]["bound"] <= ref * (1 + 1e-6)


def test_tranche_bonus_prefers_starting_needs():
    inst = {"needs": [{"id": "a", "kind": "financial", "quantity": 10, "priority": 5},
                      {"id": "b", "kind": "financial", "quantity": 10, "priority": 5}],
            "pledges": [{"id": "p", "kind": "financial", "quantity": 10}],
            "params": {"first_tranche_bonus": 0.2}}
    out = solve_instance(inst)
    q = {a["need"]: a["quantity"] for a in out["allocations"]}
    assert q == {"a": 5, "b": 5}
    assert out["objective"] == pytest.approx(2 * 5 * 1.2 * 5 / 10)
    inst["params"] = {}
    out = solve_instance(inst)
    assert out["objective"] == pytest.approx(5.0)


@pytest.mark.parametrize("seed", range(3))
def test_whole_rounding_path_within_one_percent_of_lp_bound(seed):
    """Forcing the large-instance path (no MILP): the answer is feasible, below the proven LP
    bound, and within 1 % of it."""
    inst = generate_instance(1500, 200, seed=seed, whole_fraction=0.3)
    inst["params"] = {"max_exact_whole_arcs": 0}
    out = solve_instance(inst)
    got = check_feasible(inst, out)
    assert out["stats"]["method"] in ("lp-rounding", "lp-core-milp")
    ref = lp_optimum(inst)
    assert out["stats"]["bound"] <= ref * (1 + 1e-6)
    assert got <= out["stats"]["bound"] * (1 + 1e-9)
    assert out["stats"]["gap"] <= 0.01


@pytest.mark.parametrize("seed", range(3))
def test_greedy_basis_start_gives_the_same_optimum(seed):
    """Primal simplex from the greedy basis (SolverOptions.greedy_start) and dual simplex from
    scratch reach the same optimum, equal to the independent LP."""
    from dataclasses import replace

    from matching.instance import parse_instance
    from matching.options import SolverOptions
    from matching.solver import solve_arrays

    inst = generate_instance(400, 60, seed=100 + seed, whole_fraction=0.0)
    with_greedy = solve_instance(inst)["objective"]
    parsed = parse_instance(inst)
    opts = replace(SolverOptions.from_params(parsed.params), greedy_start=False)
    without = solve_arrays(parsed, options=opts).stats["objective_exact"]
    ref = lp_optimum(inst)
    assert with_greedy == pytest.approx(ref, rel=1e-6)
    assert without == pytest.approx(ref, rel=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_diverse_matches_independent_lp(seed):
    """The benchmark's --diversity instances (local kinds take dual simplex rounds), with and
    without proposals (kept inside the LP by the epsilon): the objective is the independent
    LP's both ways."""
    inst = generate_instance(1200, 150, seed=seed, diversity=1.0, n_fixed=10, n_forbidden=20)
    out = solve_instance(inst)
    ref = lp_optimum(inst)
    assert check_feasible(inst, out) == pytest.approx(ref, rel=1e-6)
    again = dict(inst, proposed=[{"pledge": a["pledge"], "need": a["need"], "quantity": a["quantity"]}
                                 for a in out["allocations"]][::2])
    out2 = solve_instance(again)
    assert check_feasible(again, out2) == pytest.approx(ref, rel=1e-6)
    # half of an optimal answer as proposals: all of it can be kept at no cost, so every one
    # is (a pledge that left its merged node may get more on the same pair: still kept)
    got = {(a["pledge"], a["need"]): a["quantity"] for a in out2["allocations"]}
    assert all(got.get((p["pledge"], p["need"]), 0) >= p["quantity"] for p in again["proposed"])


def test_diversity_zero_is_the_default_instance():
    assert generate_instance(300, 40, seed=5, diversity=0.0) == generate_instance(300, 40, seed=5)
    assert generate_instance(300, 40, seed=5, diversity=1.0) != generate_instance(300, 40, seed=5)
