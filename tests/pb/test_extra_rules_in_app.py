"""Issue 17: every rule of models.pb.rules.ALL_RULES can be a cycle's counting rule (SQLite and
PostgreSQL: the column holds the 27-character "mes-cardinality-add1-greedy"), is offered on /admin/pb,
and `hamyar pb tally` takes them all, counting cumulative ballots by their points with --native."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from pabutools.election.pabulib import parse_pabulib_from_string

import models.pb.cycles as pbc
from dash_app.cli import main
from models.core.enums import PBCountingRule
from models.core.errors import ValidationError
from models.orm.pb import PBCycle
from models.pb.pabulib import read
from models.pb.rules import ALL_RULES, EXTRA_RULES, count
from tests.pb.reference import run_reference
from tests.pb.test_pb_cycles import DATA, _advance, _cycle
from tests.pb.test_rules_reference import _ours


def test_the_enum_is_every_rule():
    assert {r.value for r in PBCountingRule} == set(ALL_RULES)


@pytest.mark.parametrize("rule", EXTRA_RULES)
def test_a_cycle_counted_with_an_extra_rule(setup, rule):
    db, w, gov, voters, _ = setup
    cid = _cycle(db, gov, w, counting_rule=rule, max_approvals=2)
    _advance(db, gov, cid, "voting")
    with db.unit_of_work() as s:
        for i, v in enumerate(voters):
            pbc.cast_ballot(s, v, cid, [w.project] if i % 3 else [w.project, w.env_project])
    _advance(db, gov, cid, "tallying")
    with db.reader() as s:
        assert s.get(PBCycle, cid).counting_rule.value == rule
        result = pbc.tally(s, gov, cid)
        e, _info = pbc._election(s, s.get(PBCycle, cid))
    assert result.rule == rule and result.winners == count(rule, e).winners


def test_an_unknown_rule_is_refused(setup):
    db, w, gov, *_ = setup
    with pytest.raises(ValidationError) as err:
        _cycle(db, gov, w, counting_rule="borda")
    assert err.value.code == "pb_counting_rule_unknown"


def test_the_admin_page_offers_every_rule(site):
    from dash_app.pages.pb.admin_pb import RULE_LABEL, _rule_options

    assert set(RULE_LABEL) == set(PBCountingRule)
    assert [o["value"] for o in _rule_options()] == [r.value for r in PBCountingRule]


@pytest.mark.parametrize("rule", ["phragmen", "mes-cardinality-add1-greedy", "max-welfare"])
def test_cli_counts_extra_rules(rule):
    name = "US_Stanford_Dataset_PB_Chicago_35th_Ward_2019_vote_approvals.pb"
    result = CliRunner().invoke(main, ["pb", "tally", str(DATA / name), "--rule", rule])
    assert result.exit_code == 0, result.output
    path = DATA / name
    instance, profile = parse_pabulib_from_string(path.read_text(encoding="utf-8-sig"))
    winners = json.loads(result.output)["winners"]
    if rule == "max-welfare":   # the ILP may pick another optimal set: compare the welfare
        e = read(path).election()
        ref = run_reference(rule, instance, profile, "cost")
        assert sum(e.costs[e.index[p]] for p in winners) == sum(e.costs[e.index[p]] for p in ref)
    else:
        assert winners == run_reference(rule, instance, profile)


def test_cli_native_counts_cumulative_points_like_pabutools():
    path = DATA / "Poland_Czestochowa_2020_Grabowka.pb"
    result = CliRunner().invoke(main, ["pb", "tally", str(path), "--native", "--rule", "mes-add1-greedy"])
    assert result.exit_code == 0, result.output
    instance, profile = parse_pabulib_from_string(path.read_text(encoding="utf-8-sig"))
    expected = run_reference("mes-add1-greedy", instance, profile, "points")
    assert json.loads(result.output)["winners"] == expected == _ours("mes-add1-greedy", read(path).native_election())
    refused = CliRunner().invoke(main, ["pb", "tally", str(path), "--native", "--rule", "phragmen"])
    assert refused.exit_code == 1 and "approval ballots only" in refused.output
