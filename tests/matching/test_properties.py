"""Properties (hypothesis): capacities, compatibility, forbidden, fixed, determinism,
proposals kept when still optimal, whole pledges unsplit."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import run_files, solve_instance
from matching.generate import generate_instance

from .reference import brute_force, check_feasible, lp_optimum
from .tiny import tiny_instance

PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPS
@given(seed=st.integers(0, 2**31), n_p=st.integers(1, 12), n_n=st.integers(1, 6),
       whole=st.sampled_from([0.0, 0.5]))
def test_feasible_and_exact(seed, n_p, n_n, whole):
    inst = tiny_instance(seed, n_pledges=n_p, n_needs=n_n, max_q=20, whole=whole,
                         kinds=("execution", "financial", "logistics", "design"))
    out = solve_instance(inst)
    got = check_feasible(inst, out)  # capacities after fixed, compatible, not forbidden, unsplit
    # fixed allocations are not repeated as new proposals' quantity beyond what is left
    fixed = {(f["pledge"], f["need"]) for f in inst["fixed"]}
    assert all(a["quantity"] > 0 for a in out["allocations"])
    assert fixed is not None
    bound = lp_optimum(inst)
    assert got <= bound * (1 + 1e-7) + 1e-12
    if whole == 0.0:
        assert abs(got - bound) <= 1e-6 * max(1.0, bound)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31))
def test_whole_exact_on_small(seed):
    inst = tiny_instance(seed, n_pledges=5, n_needs=3, max_q=5, whole=0.7)
    out = solve_instance(inst)
    assert abs(check_feasible(inst, out) - brute_force(inst)) <= 1e-9 * max(1.0, out["objective"])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), whole=st.sampled_from([0.0, 0.3]))
def test_same_output_twice_byte_for_byte(tmp_path, seed, whole):
    inst = generate_instance(120, 25, seed=seed % 1000, whole_fraction=whole, n_fixed=5, n_forbidden=10, n_proposed=10)
    src = tmp_path / "in.json"
    src.write_text(json.dumps(inst))
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert run_files(src, a) == 0
    assert run_files(src, b) == 0
    assert a.read_bytes() == b.read_bytes()
    # a reordered file (same instance) gives the same answer
    inst2 = dict(inst)
    inst2["pledges"] = list(reversed(inst["pledges"]))
    inst2["needs"] = list(reversed(inst["needs"]))
    src.write_text(json.dumps(inst2))
    c = tmp_path / "c.json"
    assert run_files(src, c) == 0
    assert json.loads(c.read_text())["allocations"] == json.loads(a.read_text())["allocations"]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31))
def test_optimal_answer_is_stable_when_proposed(seed):
    """Feeding an optimal answer back as `proposed` returns it unchanged (it is still optimal),
    and so does a different optimal answer when several tie."""
    inst = tiny_instance(seed, n_pledges=6, n_needs=3, max_q=10, extras=False)
    first = solve_instance(inst)
    inst["proposed"] = [{"pledge": a["pledge"], "need": a["need"], "quantity": a["quantity"]}
                        for a in first["allocations"]]
    again = solve_instance(inst)
    assert again["allocations"] == first["allocations"]


def test_proposals_win_ties():
    """Two identical pledges, one need: either answer is optimal; the proposed one is kept."""
    base = {"needs": [{"id": "n", "kind": "financial", "quantity": 10, "priority": 4}],
            "pledges": [{"id": "a", "kind": "financial", "quantity": 10},
                        {"id": "b", "kind": "financial", "quantity": 10}]}
    for who in ("a", "b"):
        inst = dict(base, proposed=[{"pledge": who, "need": "n", "quantity": 10}])
        out = solve_instance(inst)
        assert [(x["pledge"], x["quantity"]) for x in out["allocations"]] == [(who, 10)]
    # and two needs of equal worth for one pledge
    inst = {"needs": [{"id": "n1", "kind": "design", "quantity": 5, "priority": 2},
                      {"id": "n2", "kind": "design", "quantity": 5, "priority": 2}],
            "pledges": [{"id": "p", "kind": "design", "quantity": 5}],
            "proposed": [{"pledge": "p", "need": "n2", "quantity": 5}]}
    out = solve_instance(inst)
    assert [(x["need"], x["quantity"]) for x in out["allocations"]] == [("n2", 5)]


def test_proposals_dropped_when_not_optimal():
    inst = {"needs": [{"id": "lo", "kind": "financial", "quantity": 10, "priority": 1},
                      {"id": "hi", "kind": "financial", "quantity": 10, "priority": 9}],
            "pledges": [{"id": "p", "kind": "financial", "quantity": 10}],
            "proposed": [{"pledge": "p", "need": "lo", "quantity": 10}]}
    out = solve_instance(inst)
    assert [(x["need"], x["quantity"]) for x in out["allocations"]] == [("hi", 10)]


def test_fixed_consume_capacity_and_are_not_output():
    inst = {"needs": [{"id": "n", "kind": "execution", "quantity": 10, "priority": 5}],
            "pledges": [{"id": "p", "kind": "execution", "quantity": 8},
                        {"id": "q", "kind": "execution", "quantity": 8}],
            "fixed": [{"pledge": "p", "need": "n", "quantity": 6}]}
    out = solve_instance(inst)
    got = {(a["pledge"], a["need"]): a["quantity"] for a in out["allocations"]}
    assert sum(got.values()) == 4
    assert out["objective"] == 2.0


def test_whole_pledge_goes_whole_or_stays_out():
    inst = {"needs": [{"id": "n", "kind": "logistics", "quantity": 5, "priority": 5}],
            "pledges": [{"id": "big", "kind": "logistics", "quantity": 6, "divisible": False},
                        {"id": "small", "kind": "logistics", "quantity": 3, "divisible": False}]}
    out = solve_instance(inst)
    assert [(a["pledge"], a["quantity"]) for a in out["allocations"]] == [("small", 3)]
    assert out["stats"]["method"] == "milp" and out["stats"]["gap"] <= 1e-9


def test_reasons_and_example_fit():
    inst = {"districts": {"amol-city": {"parent": "markazi"}, "markazi": {"parent": None}},
            "needs": [{"id": "n1", "table": "t-health", "kind": "execution", "quantity": 120, "priority": 8.0,
                       "district": "amol-city", "window": ["2027-01-01", "2027-03-01"], "skills": ["nursing"]}],
            "pledges": [{"id": "p1", "kind": "execution", "quantity": 40, "district": "markazi",
                         "window": ["2027-02-01", "2027-02-20"], "skills": ["nursing", "first-aid"],
                         "tables": ["t-health"], "only_tables": False, "divisible": True}]}
    out = solve_instance(inst)
    (a,) = out["allocations"]
    assert a["quantity"] == 40
    assert a["reasons"] == ["skill: nursing", "preferred table", "near district", "priority 8"]
    assert a["worth"] == pytest.approx(8 * 0.85 * 1.25 * 1.0 * 40 / 120, rel=1e-11)
    from matching import parse_reason
    assert [parse_reason(r) for r in a["reasons"]] == [("skill", "nursing"), ("preferred table", None),
                                                       ("near district", None), ("priority", "8")]


def test_progress_reports(tmp_path, capsys):
    inst = generate_instance(50, 10, seed=1)
    seen = []
    solve_instance(inst, progress=lambda f, m: seen.append((f, m)))
    assert seen[0][0] == 0.0 and seen[-1][0] == 1.0
    assert all(0 <= f <= 1 for f, _ in seen)
    src = tmp_path / "i.json"
    src.write_text(json.dumps(inst))
    assert run_files(src, tmp_path / "o.json", progress=True) == 0
    assert "%]" in capsys.readouterr().err


def _feed_back(inst, out):
    again = dict(inst, proposed=[{"pledge": a["pledge"], "need": a["need"], "quantity": a["quantity"]}
                                 for a in out["allocations"]])
    return again


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), n_p=st.integers(2, 14), n_n=st.integers(1, 6),
       whole=st.sampled_from([0.3, 0.6, 1.0]))
def test_own_output_as_proposed_is_kept_tiny(seed, n_p, n_n, whole):
    """Idempotence with whole and divisible pledges: re-solving with proposed = the solver's own
    output returns exactly that output, same objective (no churn)."""
    inst = tiny_instance(seed, n_pledges=n_p, n_needs=n_n, max_q=12, whole=whole, extras=False,
                         kinds=("execution", "financial", "logistics", "design"))
    first = solve_instance(inst)
    again = solve_instance(_feed_back(inst, first))
    assert again["allocations"] == first["allocations"]
    assert again["objective"] == first["objective"]


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), whole=st.sampled_from([0.0, 0.3, 0.7]))
def test_own_output_as_proposed_is_kept_generated(seed, whole):
    inst = generate_instance(250, 40, seed=seed, whole_fraction=whole, n_fixed=5, n_forbidden=10)
    first = solve_instance(inst)
    again = solve_instance(_feed_back(inst, first))
    assert again["allocations"] == first["allocations"]
    assert again["objective"] == first["objective"]


def test_own_output_as_proposed_is_kept_on_the_rounding_path():
    inst = generate_instance(600, 80, seed=3, whole_fraction=0.3)
    inst["params"] = {"max_exact_whole_arcs": 0}
    first = solve_instance(inst)
    again = solve_instance(_feed_back(inst, first))
    assert again["allocations"] == first["allocations"]


def test_demo_county_rerun_keeps_every_proposal():
    """Regression: the demo county's instance (whole pledges, method milp) with `proposed` = the
    solver's own optimal output on it; 76 proposals churned before the fix."""
    import gzip
    from pathlib import Path

    with gzip.open(Path(__file__).parent / "data" / "churn_demo_county.json.gz", "rt") as f:
        inst = json.load(f)
    out = solve_instance(inst)
    want = {(p["pledge"], p["need"]): p["quantity"] for p in inst["proposed"]}
    got = {(a["pledge"], a["need"]): a["quantity"] for a in out["allocations"]}
    assert got == want
    again = solve_instance(_feed_back(inst, out))
    assert again["allocations"] == out["allocations"]


def test_milp_presolve_wrong_optimum_is_caught():
    """Regression (hypothesis seed 2489): HiGHS `milp` with presolve returned a money-kind
    "optimum" 7 % below the true one (its own choice, completed exactly, was worth more); the
    solver now re-solves such a kind without presolve, and its own output fed back is kept."""
    inst = generate_instance(250, 40, seed=2489, whole_fraction=0.7, n_fixed=5, n_forbidden=10)
    first = solve_instance(inst)
    assert first["stats"]["method"] == "milp"
    assert first["objective"] > 132.86
    again = solve_instance(_feed_back(inst, first))
    assert again["allocations"] == first["allocations"]
