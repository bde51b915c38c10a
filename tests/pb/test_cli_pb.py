"""`hamyar pb tally`: JSON winners on real files, clear one-line errors on broken ones."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dash_app.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "pabulib"
RECORD = json.loads((DATA / "expected_pabutools.json").read_text())


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1", "mes-add1-greedy"])
def test_tally_prints_winners_and_total_cost(rule):
    name = "US_Stanford_Dataset_PB_Chicago_35th_Ward_2019_vote_approvals.pb"
    result = CliRunner().invoke(main, ["pb", "tally", str(DATA / name), "--rule", rule])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["winners"] == RECORD[name][rule]
    costs = {"965": 1000000, "961": 30000, "963": 90000, "964": 220000, "962": 400000}
    assert out["total_cost"] == sum(costs[p] for p in out["winners"])


def test_default_rule_is_mes_add1_greedy_and_choose1_is_accepted():
    name = "Poland_Zabrze_2020_Konczyce.pb"
    result = CliRunner().invoke(main, ["pb", "tally", str(DATA / name)])
    assert result.exit_code == 0
    assert json.loads(result.output) == {"winners": RECORD[name]["mes-add1-greedy"], "total_cost": 149996}


def test_cumulative_needs_as_approval():
    path = str(DATA / "Poland_Czestochowa_2020_Grabowka.pb")
    refused = CliRunner().invoke(main, ["pb", "tally", path])
    assert refused.exit_code == 1 and "--as-approval" in refused.output
    counted = CliRunner().invoke(main, ["pb", "tally", path, "--as-approval", "--rule", "mes"])
    assert json.loads(counted.output)["winners"] == RECORD["Poland_Czestochowa_2020_Grabowka.pb"]["mes"]


def test_broken_file_and_unknown_rule(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;x\n")
    result = CliRunner().invoke(main, ["pb", "tally", str(bad)])
    assert result.exit_code == 1 and "line 7: cost of project 1 is not a number" in result.output
    result = CliRunner().invoke(main, ["pb", "tally", str(bad), "--rule", "borda"])
    assert result.exit_code == 2
