"""Cumulative, scoring and ordinal ballots counted natively, against pabutools 1.2.3 read by its own parser."""
from __future__ import annotations

import random

import pytest

from models.pb.pabulib import parse, read, write
from tests.pb.reference import run_reference

pytest.importorskip("pabutools")
from pabutools.election.pabulib import parse_pabulib_from_string  # noqa: E402

from models.pb.rules import count  # noqa: E402
from tests.pb.test_rules_reference import DATA, _ours  # noqa: E402

CARDINAL_RULES = ("greedy", "mes", "mes-add1", "mes-add1-greedy")


def _hand_made(vote_type: str, seed: int) -> str:
    """A small pabulib file built by hand (no real scoring/ordinal file is in tests/data)."""
    rng = random.Random(seed)
    ids = [str(i) for i in range(1, rng.randint(3, 7))]
    costs = {p: rng.choice([10, 20, 25, 40, 60]) for p in ids}
    lines = ["META", "key;value", f"budget;{rng.randint(10, max(10, sum(costs.values())))}", f"vote_type;{vote_type}",
             "PROJECTS", "project_id;cost"] + [f"{p};{c}" for p, c in costs.items()]
    lines += ["VOTES", "voter_id;vote" + (";points" if vote_type != "ordinal" else "")]
    for v in range(rng.randint(2, 12)):
        chosen = rng.sample(ids, rng.randint(1, len(ids)))
        row = f"{v};{','.join(chosen)}"
        if vote_type != "ordinal":
            row += ";" + ",".join(str(rng.randint(1, 5)) for _ in chosen)
        lines.append(row)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("rule", CARDINAL_RULES)
def test_cumulative_file_with_points(rule):
    path = DATA / "Poland_Czestochowa_2020_Grabowka.pb"
    instance, profile = parse_pabulib_from_string(path.read_text(encoding="utf-8-sig"))
    assert _ours(rule, read(path).native_election()) == run_reference(rule, instance, profile, "points")


@pytest.mark.parametrize("vote_type", ["scoring", "cumulative", "ordinal"])
@pytest.mark.parametrize("seed", range(12))
def test_hand_made_files(vote_type, seed):
    text = _hand_made(vote_type, seed)
    pb = parse(text)
    assert parse(write(pb)).votes == pb.votes or [v.projects for v in parse(write(pb)).votes] == \
        [v.projects for v in pb.votes]
    instance, profile = parse_pabulib_from_string(text)
    sat = "borda" if vote_type == "ordinal" else "points"
    e = pb.native_election()
    for rule in CARDINAL_RULES:
        assert _ours(rule, e) == run_reference(rule, instance, profile, sat), (rule, text)
    # max welfare: the ILP may choose another optimal set; the welfare must be the same
    ref = run_reference("max-welfare", instance, profile, sat)
    ours = list(count("max-welfare", e).winners)
    sd = e.sat("points")
    assert sum(sd.total[e.index[p]] for p in ours) == sum(sd.total[e.index[p]] for p in ref)
    assert sum(e.costs[e.index[p]] for p in ours) <= e.budget


@pytest.mark.parametrize("seed", range(20))
def test_phragmen_and_max_welfare_on_approval(seed):
    text = _hand_made("ordinal", seed).replace("vote_type;ordinal", "vote_type;approval")
    instance, profile = parse_pabulib_from_string(text)
    e = parse(text).native_election()
    assert _ours("phragmen", e) == run_reference("phragmen", instance, profile)
    for sat, rule in (("cost", "max-welfare"),):
        ref = run_reference(rule, instance, profile, sat)
        ours = list(count(rule, e).winners)
        sd = e.sat(sat)
        assert sum(sd.total[e.index[p]] for p in ours) == sum(sd.total[e.index[p]] for p in ref)
