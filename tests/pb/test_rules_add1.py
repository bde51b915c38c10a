"""mes-add1 jumps over the per-voter budgets where MES's outcome cannot change: it must give exactly
what unit stepping (pabutools' voter_budget_increment=1) gives. Timing is in bench/pb.py, not here."""
from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from models.pb.rules import (
    WORK_LIMIT,
    Election,
    _add1,
    _greedy_complete,
    _mes_chosen,
    _rule_sat,
    count,
)


def unit_stepping(e: Election, sat: str = "cost") -> tuple[list[int], Fraction | None]:
    """The reference: MES at budget/n, budget/n + 1, ... one unit at a time (pabutools' loop)."""
    sd = e.sat(sat)
    if e.n_voters == 0:
        return [], None
    b = e.budget / e.n_voters
    previous: tuple[list[int], Fraction | None] = ([], None)
    while True:
        chosen = _mes_chosen(e, sd, b)
        spent = sum((e.costs[j] for j in chosen), Fraction(0))
        if spent > e.budget:
            return previous
        left = e.budget - spent
        if not any(e.costs[j] <= left for j in sd.active if j not in chosen):
            return chosen, b
        previous = (chosen, b)
        b += 1


def check(e: Election, sat: str = "cost") -> None:
    fast = _add1(e, e.sat(sat))
    assert not fast.stopped_early
    assert (fast.chosen, fast.voter_budget) == unit_stepping(e, sat)


def blocker() -> Election:
    """Issue 17: 500,000,000 toman = 5e9 rials, 8 projects, 4 voters; voter 1 alone backs an expensive
    project. Unit stepping needs about 10^9 runs of MES."""
    costs = [4_000_000_000, 300_000_000, 250_000_000, 500_000_000, 120_000_000, 800_000_000, 90_000_000,
             1_500_000_000]
    ballots = [["1"], ["2", "3", "4"], ["2", "5", "6"], ["3", "6", "7", "8"]]
    return Election(5_000_000_000, {str(i): c for i, c in enumerate(costs, 1)}, ballots)


def test_blocker_cycle_counts_with_few_runs():
    e = blocker()
    out = count("mes-add1-greedy", e)
    assert not out.stopped_early and out.mes_runs < 100
    # MES at 2,115,000,000 rials per voter funds all but project 1: exhaustive (1 does not fit).
    assert out.winners == ("2", "3", "6", "4", "5", "7", "8")
    assert out.voter_budget == 2_115_000_000
    assert count("mes-add1", e).winners == out.winners


def test_blocker_scaled_down_matches_unit_stepping():
    """The same shape with budgets small enough to step one unit at a time."""
    for scale in (10_000_000, 1_000_000, 100_000):
        e = blocker()
        small = Election(e.budget / scale, {p: c / scale for p, c in zip(e.ids, e.costs)},
                         {g: int(w) for g, w in zip(e.groups, e.weights)})
        check(small)


def test_work_limit_says_so():
    from models.pb import rules
    e = blocker()
    res = rules._add1(e, e.sat("cost"), max_runs=2)
    assert res.stopped_early and res.runs == 2
    saved = rules.MAX_MES_WORK
    try:
        rules.MAX_MES_WORK = 2000
        out = rules._add1_outcome(e, "mes-add1-greedy", True)
    finally:
        rules.MAX_MES_WORK = saved
    assert out.stopped_early and out.reason == WORK_LIMIT and out.total_cost <= e.budget


def _random(rng: random.Random, cardinal: bool = False) -> Election:
    n_p = rng.randint(1, 6)
    ids = rng.sample(["1", "2", "3", "9", "10", "11", "20", "a"], n_p)
    costs = {p: rng.choice([1, 2, 3, 5, 8, 13, 20, 40]) for p in ids}
    budget = rng.randint(1, 3 * sum(costs.values()))
    ballots: list = []
    for _ in range(rng.randint(1, 7)):
        chosen = rng.sample(ids, rng.randint(0, n_p))
        ballots.append({p: rng.randint(0, 4) for p in chosen} if cardinal else chosen)
    ballots += [ballots[0]] * rng.randint(0, 3)
    if rng.random() < 0.3:
        budget = Fraction(rng.randint(1, 300), rng.choice([2, 3, 7]))
    return Election(budget, costs, ballots)


def test_random_elections_match_unit_stepping():
    rng = random.Random(17)
    for _ in range(150):
        e = _random(rng)
        check(e, "cost")
        check(e, "cardinality")
    for _ in range(60):
        check(_random(rng, cardinal=True), "points")


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 10**9), cardinal=st.booleans())
def test_property_fast_add1_is_unit_stepping(seed, cardinal):
    e = _random(random.Random(seed), cardinal)
    sat = "points" if cardinal else random.Random(seed + 1).choice(["cost", "cardinality"])
    check(e, sat)


def test_identical_projects_do_not_force_unit_steps():
    """Two projects with the same cost and supporters tie for every budget: the tie is exact forever."""
    e = Election(10**12, {"a": 3 * 10**11, "b": 3 * 10**11, "c": 9 * 10**11},
                 [["a", "b"], ["c"], ["a", "b", "c"]])
    res = _add1(e, e.sat("cost"))
    assert res.runs < 50 and not res.stopped_early


def test_greedy_completion_after_the_jump():
    e = blocker()
    sd = e.sat(_rule_sat(e, "mes-add1-greedy"))
    res = _add1(e, sd)
    assert list(count("mes-add1-greedy", e).winners) == [e.ids[j] for j in _greedy_complete(e, sd, res.chosen)]
