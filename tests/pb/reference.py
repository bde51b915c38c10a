"""The reference: pabutools (GPL-3.0, a test-only dependency) run on the same election as ours.

Only tests import this module; the app never imports pabutools.
"""
from __future__ import annotations

import pytest

pabutools = pytest.importorskip("pabutools")

from pabutools.election import (  # noqa: E402
    Additive_Borda_Sat,
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalMultiProfile,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    Instance,
    Project,
)
from pabutools.fractions import frac  # noqa: E402
from pabutools.rules import (  # noqa: E402
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    max_additive_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)

from models.pb.rules import ALL_RULES as RULES  # noqa: E402
from models.pb.rules import Election  # noqa: E402

__all__ = ["RULES", "reference", "reference_from_file", "to_pabutools"]


def _num(x):
    return int(x) if x.denominator == 1 else frac(x.numerator, x.denominator)


def to_pabutools(e: Election) -> tuple[Instance, ApprovalMultiProfile]:
    projects = {pid: Project(pid, _num(cost)) for pid, cost in zip(e.ids, e.costs)}
    instance = Instance(projects.values(), budget_limit=_num(e.budget))
    profile = ApprovalProfile(instance=instance)
    for ballot, mult in zip(e.groups, e.weights.tolist()):
        for _ in range(mult):
            profile.append(ApprovalBallot({projects[p] for p in ballot}))
    return instance, profile.as_multiprofile()


def reference_from_file(rule: str, path) -> list[str]:
    """pabutools' winners on a .pb file read by pabutools' own parser (ballots as approval)."""
    from pabutools.election import parse_pabulib

    instance, profile = parse_pabulib(str(path))
    return run_reference(rule, instance, profile)


def reference(rule: str, e: Election) -> list[str]:
    """pabutools' winners for `rule`, in the order pabutools selected them."""
    instance, profile = to_pabutools(e)
    return run_reference(rule, instance, profile)


SATS = {"cost": Cost_Sat, "cardinality": Cardinality_Sat, "points": Additive_Cardinal_Sat,
        "borda": Additive_Borda_Sat}
# pabutools returns these as sets (Phragmén sorts its outcome; max welfare lists an ILP's variables):
UNORDERED = ("phragmen", "max-welfare")


def run_reference(rule: str, instance, profile, sat: str | None = None) -> list[str]:
    """pabutools' winners for `rule` (sorted for the rules in UNORDERED). `sat`: cost (default),
    cardinality (the *-cardinality rules), points (cardinal ballots) or borda (ordinal ballots)."""
    if sat is None:
        sat = "cardinality" if "cardinality" in rule else "cost"
    sat_class = SATS[sat]
    base = rule.replace("-cardinality", "")
    mes_params = {"sat_class": sat_class}
    if base == "greedy":
        out = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class)
    elif base == "mes":
        out = method_of_equal_shares(instance, profile, **mes_params)
    elif base == "mes-add1":
        out = method_of_equal_shares(instance, profile, voter_budget_increment=1, **mes_params)
    elif base == "mes-add1-greedy":
        out = completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"voter_budget_increment": 1, **mes_params}, {"sat_class": sat_class}])
    elif base == "phragmen":
        out = sequential_phragmen(instance, profile)
    elif base == "max-welfare":
        out = max_additive_utilitarian_welfare(instance, profile, sat_class=sat_class)
    else:
        raise ValueError(rule)
    names = [p.name for p in out]
    return sorted(names) if base in UNORDERED else names
