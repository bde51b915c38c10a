"""Issue 16 items 1 and 2 in the engine: logistics items and substitutes, pledges to a chosen project
(only this project: a hard restriction; prefer it: a larger bonus than the preferred table's), and the
next-best alternatives of a need."""

import pytest

from matching import InstanceError, alternatives, parse_reason, solve_instance, validate_instance

from .reference import brute_force, check_feasible, fit, lp_optimum
from .tiny import tiny_instance


def _need(nid, kind="logistics", q=5, priority=5.0, **kw):
    return {"id": nid, "kind": kind, "quantity": q, "priority": priority, **kw}


def _pledge(pid, kind="logistics", q=5, **kw):
    return {"id": pid, "kind": kind, "quantity": q, **kw}


def _pairs(out):
    return {(a["pledge"], a["need"]): a["quantity"] for a in out["allocations"]}


def test_a_hall_is_never_proposed_for_a_pickup_need():
    inst = {"needs": [_need("n1", item="pickup")], "pledges": [_pledge("p1", item="hall")]}
    assert solve_instance(inst)["allocations"] == []
    inst["pledges"].append(_pledge("p2", item="pickup"))
    out = solve_instance(inst)
    assert _pairs(out) == {("p2", "n1"): 5}
    assert out["allocations"][0]["reasons"][0] == "item: pickup"


def test_a_van_goes_to_the_need_asking_for_a_van_not_to_one_naming_no_item():
    """A need that names no item takes only pledges that name none (the files before items)."""
    inst = {"needs": [_need("n1", priority=9.0), _need("n2", priority=2.0, item="van")],
            "pledges": [_pledge("p1", item="van")]}
    assert _pairs(solve_instance(inst)) == {("p1", "n2"): 5}
    inst["pledges"].append(_pledge("p2"))
    assert _pairs(solve_instance(inst)) == {("p1", "n2"): 5, ("p2", "n1"): 5}


def test_substitute_is_accepted_at_a_lower_fit_and_the_own_item_wins():
    need = _need("n1", q=5, item="vehicle-10", accepts=["minibus"])
    inst = {"needs": [need], "pledges": [_pledge("p1", item="minibus")]}
    out = solve_instance(inst)
    assert _pairs(out) == {("p1", "n1"): 5}
    assert out["allocations"][0]["reasons"][0] == "substitute: minibus"
    assert parse_reason("substitute: minibus") == ("substitute", "minibus")
    assert out["allocations"][0]["worth"] == pytest.approx(5.0 * 0.9)
    inst["pledges"].append(_pledge("p2", item="vehicle-10"))
    assert _pairs(solve_instance(inst)) == {("p2", "n1"): 5}
    inst["params"] = {"substitute_factor": 1.0}
    assert solve_instance(inst)["objective"] == pytest.approx(5.0)


def test_items_only_for_logistics_and_accepts_needs_an_item():
    with pytest.raises(InstanceError, match="logistics only"):
        validate_instance({"needs": [_need("n1", kind="execution", item="hall")]})
    with pytest.raises(InstanceError, match="logistics only"):
        validate_instance({"pledges": [_pledge("p1", kind="financial", item="hall")]})
    with pytest.raises(InstanceError, match="accepts"):
        validate_instance({"needs": [_need("n1", accepts=["minibus"])]})
    with pytest.raises(InstanceError, match="only_project"):
        validate_instance({"pledges": [_pledge("p1", kind="financial", only_project=True)]})
    with pytest.raises(InstanceError, match="substitute_factor"):
        validate_instance({"params": {"substitute_factor": 0}})


def test_only_this_project_waits_for_the_project_and_is_never_matched_elsewhere():
    """500,000 toman given for the health house's equipment: the health house's money need is
    covered already, another project asks for money: the pledge waits."""
    inst = {"needs": [_need("n1", kind="financial", q=100, priority=3.0, project="health-house"),
                      _need("n2", kind="financial", q=500, priority=10.0, project="school")],
            "pledges": [_pledge("p1", kind="financial", q=500, project="health-house", only_project=True)],
            "fixed": []}
    assert _pairs(solve_instance(inst)) == {("p1", "n1"): 100}
    inst["needs"][0]["quantity"] = 100
    inst["pledges"].append(_pledge("p0", kind="financial", q=100))
    inst["fixed"] = [{"pledge": "p0", "need": "n1", "quantity": 100}]
    out = solve_instance(inst)
    assert all(a["pledge"] != "p1" for a in out["allocations"]), out  # waits, n2 never gets it
    assert out["allocations"] == []
    assert alternatives(inst, "n2") == []  # not even an alternative for the other project


def test_prefer_this_project_is_a_larger_bonus_than_the_preferred_table():
    """n1 (the chosen project, priority 5) and n2 (priority 7), both of the preferred table t1:
    with the table only, n2 wins (5 x 1.25 < 7 x 1.25); with the project chosen too, n1 wins
    (5 x 1.25 x 1.5 > 7 x 1.25). Without the table, 5 x 1.5 > 7 still."""
    needs = [_need("n1", kind="financial", q=10, priority=5.0, project="pr1", table="t1"),
             _need("n2", kind="financial", q=10, priority=7.0, project="pr2", table="t1")]
    table_only = {"needs": needs, "pledges": [_pledge("p1", kind="financial", q=10, tables=["t1"])]}
    assert _pairs(solve_instance(table_only)) == {("p1", "n2"): 10}
    chosen = {"needs": needs, "pledges": [_pledge("p1", kind="financial", q=10, tables=["t1"], project="pr1")]}
    out = solve_instance(chosen)
    assert _pairs(out) == {("p1", "n1"): 10}
    assert out["allocations"][0]["reasons"] == ["preferred project", "preferred table", "priority 5"]
    assert out["allocations"][0]["worth"] == pytest.approx(5.0 * 1.25 * 1.5)
    alone = {"needs": [dict(n, table=None) for n in needs],
             "pledges": [_pledge("p1", kind="financial", q=10, project="pr1")]}
    out = solve_instance(alone)
    assert _pairs(out) == {("p1", "n1"): 10} and out["allocations"][0]["reasons"] == ["preferred project", "priority 5"]


def test_chosen_project_pledges_are_not_merged_with_others():
    """Identical pledges but one chose a project: they are different supply nodes."""
    inst = {"needs": [_need("n1", kind="execution", q=4, project="pr1"), _need("n2", kind="execution", q=4,
                                                                          project="pr2")],
            "pledges": [_pledge("p1", kind="execution", q=4, project="pr2", only_project=True),
                        _pledge("p2", kind="execution", q=4)]}
    assert _pairs(solve_instance(inst)) == {("p1", "n2"): 4, ("p2", "n1"): 4}


@pytest.mark.parametrize("seed", range(40))
def test_items_and_projects_match_brute_force(seed):
    inst = tiny_instance(5000 + seed, n_pledges=4, n_needs=3, max_q=3, kinds=("logistics", "financial"),
                         whole=0.3, items_projects=True)
    out = solve_instance(inst)
    assert check_feasible(inst, out) == pytest.approx(brute_force(inst), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_items_and_projects_match_independent_lp(seed):
    inst = tiny_instance(9000 + seed, n_pledges=40, n_needs=12, max_q=20, kinds=("logistics", "execution"),
                         items_projects=True)
    out = solve_instance(inst)
    assert check_feasible(inst, out) == pytest.approx(lp_optimum(inst), rel=1e-6, abs=1e-12)


def test_alternatives_rank_by_worth_then_free_quantity():
    inst = {"districts": {"a": {"parent": None}, "a1": {"parent": "a"}, "b": {"parent": None}},
            "needs": [_need("n1", q=10, priority=8.0, item="pickup", accepts=["minibus"], district="a1"),
                      _need("n2", q=10, priority=1.0, item="pickup")],
            "pledges": [_pledge("p1", q=10, item="pickup", district="a1"),
                        _pledge("p2", q=6, item="pickup", district="a"),
                        _pledge("p3", q=9, item="minibus", district="a1"),
                        _pledge("p4", q=9, item="hall", district="a1"),
                        _pledge("p5", q=10, item="pickup", district="b")],
            "forbidden": [{"pledge": "p5", "need": "n1"}],
            "proposed": [{"pledge": "p1", "need": "n1", "quantity": 10},
                         {"pledge": "p2", "need": "n2", "quantity": 4}]}
    alts = alternatives(inst, "n1", 5)
    assert [a["pledge"] for a in alts] == ["p1", "p3", "p2"]
    assert alts[0]["proposed_here"] == 10 and alts[0]["free"] == 10
    assert alts[1]["reasons"] == ["substitute: minibus", "same district", "priority 8"]
    assert alts[2]["free"] == 2 and alts[2]["proposed_elsewhere"] == 4
    assert alts[1]["worth_per_unit"] == pytest.approx(8.0 * 0.9 / 10)
    assert [a["pledge"] for a in alternatives(inst, "n1", 1, exclude=("p1",))] == ["p3"]
    for a in alts:  # the same fit as the independent reading
        p = next(x for x in inst["pledges"] if x["id"] == a["pledge"])
        assert a["fit"] == pytest.approx(fit(inst, p, inst["needs"][0]))
    with pytest.raises(InstanceError):
        alternatives(inst, "n9")
