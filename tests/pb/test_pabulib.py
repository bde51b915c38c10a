"""The .pb parser on real files and broken ones (errors name the line), and the writer's round trip."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from models.pb.pabulib import PabulibError, PBFile, PBProject, PBVote, parse, parse_bytes, read, write

DATA = Path(__file__).resolve().parents[1] / "data" / "pabulib"

GOOD = """META
key;value
description;a test
num_projects;3
num_votes;3
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;50;"Park; with a semicolon"
2;30,5;Lights
3;60;"He said ""hi"" twice"
VOTES
voter_id;vote
v1;1,2
v2;3
v3;
"""


def test_real_files_read():
    counts = {
        "Poland_Zabrze_2020_Konczyce.pb": ("choose-1", 2, 84),
        "US_Stanford_Dataset_PB_Chicago_35th_Ward_2019_vote_approvals.pb": ("approval", 5, 115),
        "Poland_Czestochowa_2020_Grabowka.pb": ("cumulative", 8, 201),
        "Netherlands_Amsterdam_179.pb": ("approval", 24, 219),
        "Poland_Warszawa_2017_Czyste__Mirow.pb": ("approval", 21, 1326),
    }
    for name, (vote_type, n_projects, n_votes) in counts.items():
        pb = read(DATA / name)
        assert (pb.vote_type, len(pb.projects), len(pb.votes)) == (vote_type, n_projects, n_votes), name


def test_czestochowa_malformed_quote_is_tolerated():
    pb = read(DATA / "Poland_Czestochowa_2020_Grabowka.pb")
    assert pb.projects["47"].fields["name"].startswith('"Odkupmy" i my - zakup')
    assert pb.projects["47"].cost == 12000
    first = pb.votes[0]
    assert first.projects == ("196", "198") and first.points == (6, 4)


def test_amsterdam_crlf_and_categories():
    pb = read(DATA / "Netherlands_Amsterdam_179.pb")
    assert pb.meta["budget_per_category"] == "82000,53000,115000"
    assert pb.projects["15034"].fields["category"] == "Ontmoeting"
    assert all("\r" not in v for p in pb.projects.values() for v in p.fields.values())


def test_quoted_fields_decimal_costs_and_empty_votes():
    pb = parse(GOOD)
    assert pb.projects["1"].fields["name"] == "Park; with a semicolon"
    assert pb.projects["3"].fields["name"] == 'He said "hi" twice'
    assert pb.projects["2"].cost == Fraction(61, 2)
    assert pb.votes[2].projects == ()


def test_crlf_bom_and_lf_read_the_same():
    assert parse_bytes(("\ufeff" + GOOD.replace("\n", "\r\n")).encode()) == parse(GOOD)


def test_ordinal_ballots_keep_their_order():
    text = GOOD.replace("vote_type;approval", "vote_type;ordinal").replace("v1;1,2", "v1;2,1")
    assert parse(text).votes[0].projects == ("2", "1")


def test_round_trip_of_every_real_file():
    for path in sorted(DATA.glob("*.pb")):
        pb = read(path)
        again = parse(write(pb))
        assert again.meta == pb.meta
        assert [(p.project_id, p.cost, p.fields) for p in again.projects.values()] == \
               [(p.project_id, p.cost, p.fields) for p in pb.projects.values()]
        assert [(v.voter_id, v.projects, v.points) for v in again.votes] == \
               [(v.voter_id, v.projects, v.points) for v in pb.votes]


def test_writer_quotes_and_counts():
    pb = PBFile({"budget": "10", "vote_type": "approval"},
                {"a;b": PBProject("a;b", 5, {"name": 'x "y"'})}, [PBVote("1", ("a;b",))],
                ["project_id", "cost", "name"])
    text = write(pb)
    assert '"a;b";5;"x ""y"""' in text and "num_votes;1" in text
    assert parse(text).projects["a;b"].fields["name"] == 'x "y"'


def _broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize(("text", "line", "words"), [
    (_broken("2;30,5;Lights", "2;thirty;Lights"), 11, "not a number"),
    (_broken("2;30,5;Lights", "2;-3;Lights"), 11, "non-negative"),
    (_broken("2;30,5;Lights", "1;30;Lights"), 11, "listed twice"),
    (_broken("2;30,5;Lights", "2;30;Lights;extra"), 11, "4 fields"),
    (_broken("v2;3", "v2;7"), 16, "unknown project '7'"),
    (_broken("v2;3", "v1;3"), 16, "voted twice"),
    (_broken("v2;3", "v2;3,3"), 16, "appears twice"),
    (_broken('1;50;"Park; with a semicolon"', '1;50;"Park; with a semicolon'), 10, "unterminated"),
    (_broken("budget;100", "budget;lots"), 6, "budget is not a number"),
    (_broken("budget;100", "budget;0"), 6, "positive"),
    (_broken("vote_type;approval", "vote_type;borda"), 7, "unknown vote_type"),
    (_broken("num_votes;3", "num_votes;4"), 5, "num_votes says 4"),
    (_broken("project_id;cost;name", "project_id;price;name"), 9, "lacks the column 'cost'"),
    (_broken("PROJECTS\n", "VOTES\n"), 8, "out of order"),
    ("key;value\nbudget;1\n", 1, "must start with a META"),
    (_broken("VOTES\nvoter_id;vote\nv1;1,2\nv2;3\nv3;\n", ""), 13, "VOTES section is missing"),
])
def test_broken_files_name_the_line(text, line, words):
    with pytest.raises(PabulibError) as err:
        parse(text)
    assert err.value.line == line
    assert words in str(err.value) and str(err.value).startswith(f"line {line}:")
    assert isinstance(err.value, ValueError)


def test_choose1_with_two_projects_and_points_mismatch():
    with pytest.raises(PabulibError, match="line 16: a choose-1 vote"):
        parse(GOOD.replace("vote_type;approval", "vote_type;choose-1").replace("v1;1,2", "v1;1").replace(
            "v2;3", "v2;1,3"))
    cumulative = GOOD.replace("vote_type;approval", "vote_type;cumulative").replace(
        "voter_id;vote", "voter_id;vote;points").replace("v1;1,2", "v1;1,2;3").replace(
        "v2;3", "v2;3;1").replace("v3;", "v3;;")
    with pytest.raises(PabulibError, match="line 15: 2 projects but 1 points"):
        parse(cumulative)


def test_not_utf8_names_the_line():
    with pytest.raises(PabulibError, match="line 3: not UTF-8"):
        parse_bytes(b"META\nkey;value\ndescription;\xff\n")
