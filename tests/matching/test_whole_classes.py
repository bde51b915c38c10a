"""Interchangeable whole pledges (matching.whole.whole_classes): in the exact MILP, whole pledges
of the same quantity with the same arcs, worths and proposals share one general-integer column
per arc. The reformulation is exact (same optimum as one binary per pledge and arc, and as brute
force), and among interchangeable whole pledges the earlier one (smaller id) is used first."""

import random
from dataclasses import replace

import numpy as np
import pytest

from matching import solve_instance
from matching.aggregate import build_kind, proposed_per_arc
from matching.compat import Tables
from matching.generate import generate_instance
from matching.instance import parse_instance
from matching.options import SolverOptions
from matching.solver import solve_arrays
from matching.transport import solve_divisible
from matching.whole import milp_whole, whole_classes

from .reference import brute_force, check_feasible
from .tiny import tiny_instance


def _pairs(out):
    return {(a["pledge"], a["need"]): a["quantity"] for a in out["allocations"]}


def _objective(inst, classes):
    """The engine's objective with the class MILP (the default) or one binary per pledge and arc."""
    parsed = parse_instance(inst)
    opts = replace(SolverOptions.from_params(parsed.params), whole_classes=classes)
    res = solve_arrays(parsed, options=opts)
    return res.stats["objective_exact"], res


def _with_twins(inst, seed, copies=(1, 3)):
    """`inst` with every whole pledge copied 1-3 times (new ids, same everything else, the same
    proposals), so that the exact MILP has interchangeable whole pledges."""
    r = random.Random(seed)
    pledges, proposed = [], list(inst.get("proposed") or [])
    forbidden = list(inst.get("forbidden") or [])
    for p in inst["pledges"]:
        pledges.append(p)
        if p.get("divisible", True) is False:
            for t in range(r.randint(*copies)):
                twin = dict(p, id=f"{p['id']}t{t}")
                pledges.append(twin)
                proposed += [dict(x, pledge=twin["id"]) for x in inst.get("proposed") or [] if x["pledge"] == p["id"]]
                forbidden += [dict(x, pledge=twin["id"]) for x in inst.get("forbidden") or [] if x["pledge"] == p["id"]]
    return dict(inst, pledges=pledges, proposed=proposed, forbidden=forbidden)


def test_identical_whole_pledges_the_smaller_ids_are_used():
    """Five identical teams of 3 (w1, w3, w4, w5, w6) and one of 4 (w2), three needs: n1 (room 10,
    0.5 per unit), n2 (room 4, 1.0 per unit), n3 (room 3, 1/3 per unit). The one best answer up
    to which team is which: w2 on n2, three teams on n1, one on n3 (worth 9.5; brute force).
    Among the identical teams the earlier ids are used first, needs in id order: w1, w3, w4 on
    n1, w5 on n3; w6 stays out."""
    inst = {"needs": [{"id": "n1", "kind": "execution", "quantity": 10, "priority": 5.0},
                      {"id": "n2", "kind": "execution", "quantity": 4, "priority": 4.0},
                      {"id": "n3", "kind": "execution", "quantity": 3, "priority": 1.0}],
            "pledges": [{"id": f"w{k}", "kind": "execution", "quantity": 4 if k == 2 else 3, "divisible": False}
                        for k in range(1, 7)]}
    out = solve_instance(inst)
    assert check_feasible(inst, out) == pytest.approx(brute_force(inst), rel=1e-12)
    assert out["objective"] == pytest.approx(9.5)
    assert _pairs(out) == {("w1", "n1"): 3, ("w3", "n1"): 3, ("w4", "n1"): 3, ("w2", "n2"): 4, ("w5", "n3"): 3}
    assert out["stats"]["method"] == "milp"
    # the binary MILP reaches the same worth (which teams it uses is HiGHS's choice)
    assert _objective(inst, False)[0] == pytest.approx(out["objective"], rel=1e-12)


def test_ids_in_string_order_and_proposed_twins_stay_apart():
    """Ids compare as strings ("t10" before "t2"); a twin proposed to a need is not merged with
    the others (its column earns the proposals' bonus) and keeps its proposal."""
    pledges = [{"id": f"t{k}", "kind": "logistics", "quantity": 2, "divisible": False} for k in (1, 2, 10, 11)]
    inst = {"needs": [{"id": "n", "kind": "logistics", "quantity": 4, "priority": 3.0}], "pledges": pledges}
    assert _pairs(solve_instance(inst)) == {("t1", "n"): 2, ("t10", "n"): 2}
    inst["proposed"] = [{"pledge": "t2", "need": "n", "quantity": 2}]
    assert _pairs(solve_instance(inst)) == {("t1", "n"): 2, ("t2", "n"): 2}


def test_classes_are_found_and_handed_back_per_pledge():
    """On a kind with twins the class model has fewer columns, and its choice is per pledge:
    every whole pledge chosen at most once, exactly what the binary model's worth is."""
    inst = _with_twins(tiny_instance(7, n_pledges=6, n_needs=3, max_q=6, whole=0.8, extras=False,
                                     kinds=("execution",)), 7)
    parsed = parse_instance(inst)
    opts = SolverOptions.from_params(parsed.params)
    kp = build_kind(parsed, Tables(parsed), 3)
    wc = whole_classes(kp, None)
    assert wc is not None and len(wc.sel) < len(kp.w)
    assert int(wc.count.max()) > 1
    _, bound = solve_divisible(kp, kp.node_cap, kp.need_cap, opts, greedy=False)
    a = milp_whole(kp, 2000, classes=True, bound=bound)
    b = milp_whole(kp, 2000, classes=False, bound=bound)
    assert a.choice is not None and b.choice is not None
    per_node = np.bincount(kp.gi[a.choice], minlength=len(kp.node_cap))
    assert per_node.max() <= 1 and not a.choice[~kp.node_whole[kp.gi]].any()
    assert a.worth == pytest.approx(b.worth, rel=1e-9)


@pytest.mark.parametrize("seed", range(36))
def test_class_milp_equals_binary_milp_and_brute_force(seed):
    """Random tiny instances with copied whole pledges (and, every other seed, proposals and
    forbidden pairs copied with them): the class MILP's objective equals the binary MILP's and
    brute force; the proposals kept do not go down."""
    kinds = ("execution", "financial", "logistics", "design")
    base = tiny_instance(5000 + seed, n_pledges=4, n_needs=3, max_q=5, whole=0.7, extras=seed % 2 == 1,
                         kinds=kinds[seed % 4:seed % 4 + 1] if seed % 3 else kinds)
    inst = _with_twins(base, seed)
    got, res = _objective(inst, True)
    ref, res_bin = _objective(inst, False)
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-12)
    assert got == pytest.approx(brute_force(inst), rel=1e-9, abs=1e-12)
    out = solve_instance(inst)
    assert check_feasible(inst, out) == pytest.approx(got, rel=1e-12, abs=1e-12)
    if inst["proposed"]:
        parsed = parse_instance(inst)

        def kept(r):
            return sum(min(q, parsed.proposed.get(key, 0)) for key, q in r.flows.items())
        assert kept(res) >= kept(res_bin)


@pytest.mark.parametrize("seed", range(12))
def test_class_milp_equals_binary_milp_generated(seed):
    """Generated instances (money gifts of equal size are common): same objective both ways,
    and the class model is really used on some kind."""
    inst = generate_instance(250, 40, seed=300 + seed, whole_fraction=0.7, n_fixed=5, n_forbidden=10,
                             n_proposed=10 if seed % 2 else 0)
    got, res = _objective(inst, True)
    ref, _ = _objective(inst, False)
    assert res.stats["method"] == "milp"
    assert got == pytest.approx(ref, rel=1e-9)
    parsed = parse_instance(inst)
    tab = Tables(parsed)
    found = False
    for kind in range(4):
        kp = build_kind(parsed, tab, kind)
        if kp.node_whole.any():
            found |= whole_classes(kp, proposed_per_arc(parsed, kp) if parsed.proposed else None) is not None
    assert found
