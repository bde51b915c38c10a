"""The rules' own properties: tie-break, exactness, feasibility, input checks."""
from __future__ import annotations

from fractions import Fraction

import pytest

from models.pb.rules import DEFAULT_RULE, RULES, Election, count, greedy, mes, mes_add1, mes_add1_greedy


def test_ties_go_to_the_smaller_id_as_a_string():
    # "10" < "9" as strings: equal approvals, equal costs.
    e = Election(5, {"9": 5, "10": 5}, [["9", "10"], ["9", "10"]])
    for rule in RULES:
        assert count(rule, e).winners == ("10",)


def test_greedy_skips_what_does_not_fit_and_takes_unapproved_projects_that_fit():
    e = Election(11, {"a": 8, "b": 5, "c": 2, "d": 1}, [["a", "b"], ["a", "b"], ["a"], ["c"]])
    out = greedy(e)
    assert out.winners == ("a", "c", "d")  # b does not fit after a; d nobody approved, yet it fits
    assert out.total_cost == 11


def test_mes_one_project_costing_the_whole_budget():
    e = Election(100, {"big": 100, "small": 10}, [["big"]] * 9 + [["small"]])
    # big's 9 supporters hold 90 < 100; small's one supporter holds exactly its cost.
    assert mes(e).winners == ("small",)
    e2 = Election(100, {"big": 100, "small": 10}, [["big", "small"]] * 10)
    assert mes(e2).winners == ("big",)


def test_mes_voter_budget_and_exact_caps():
    # Three voters, budget 1: each has 1/3; a project of cost 1 approved by all three costs 1/3 each.
    e = Election(1, {"x": 1}, [["x"], ["x"], ["x"]])
    out = mes(e)
    assert out.winners == ("x",) and out.voter_budget == Fraction(1, 3)


def test_add1_keeps_the_last_feasible_outcome():
    e = Election(10, {"a": 6, "b": 6, "c": 4}, [["a"], ["b"], ["c"], ["a", "b"]])
    plain, add1, completed = mes(e), mes_add1(e), mes_add1_greedy(e)
    assert set(plain.winners) <= set(add1.winners) or plain.total_cost <= add1.total_cost
    assert add1.total_cost <= 10 and completed.total_cost <= 10
    assert completed.winners[: len(add1.winners)] == add1.winners


def test_default_rule_and_unknown_rule():
    assert DEFAULT_RULE == "mes-add1-greedy"
    with pytest.raises(ValueError, match="unknown counting rule"):
        count("borda", Election(1, {"a": 1}, [["a"]]))


def test_no_ballots_no_mes_winners():
    e = Election(10, {"a": 1}, [])
    assert mes(e).winners == () and mes_add1(e).winners == ()
    assert greedy(e).winners == ("a",)


@pytest.mark.parametrize("bad", [
    lambda: Election(-1, {"a": 1}, []),
    lambda: Election(1, {"a": -1}, []),
    lambda: Election(1, {"a": 1.5}, []),
    lambda: Election(1, {"a": 1}, [["b"]]),
    lambda: Election(1, {"a": 1}, {frozenset({"a"}): -2}),
])
def test_bad_input_raises(bad):
    with pytest.raises((ValueError, TypeError)):
        bad()


def test_aggregated_and_listed_ballots_agree():
    listed = Election(12, {"a": 6, "b": 4, "c": 5}, [["a"], ["a", "b"], ["a", "b"], ["c"]])
    grouped = Election(12, {"a": 6, "b": 4, "c": 5},
                       {frozenset({"a"}): 1, frozenset({"a", "b"}): 2, frozenset({"c"}): 1})
    for rule in RULES:
        assert count(rule, listed) == count(rule, grouped)
