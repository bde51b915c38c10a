"""Every malformed instance is refused with an InstanceError naming the offending entry."""

import copy
import json

import pytest

from matching import InstanceError, run_files, validate_instance

BASE = {
    "version": 1,
    "districts": {"amol-city": {"parent": "markazi"}, "markazi": {"parent": None}},
    "needs": [
        {"id": "n1", "project": "pr1", "table": "t-health", "kind": "execution", "quantity": 120,
         "priority": 8.0, "district": "amol-city", "window": ["2027-01-01", "2027-03-01"], "skills": ["nursing"]},
        {"id": "n2", "kind": "financial", "quantity": 1000, "priority": 3},
    ],
    "pledges": [
        {"id": "p1", "kind": "execution", "quantity": 40, "district": "markazi",
         "window": ["2027-02-01", "2027-02-20"], "skills": ["nursing", "first-aid"],
         "tables": ["t-health"], "only_tables": False, "divisible": True},
        {"id": "p2", "kind": "financial", "quantity": 500},
        {"id": "p9", "kind": "execution", "quantity": 30},
    ],
    "fixed": [{"pledge": "p9", "need": "n1", "quantity": 10}],
    "forbidden": [{"pledge": "p1", "need": "n2"}],
    "proposed": [{"pledge": "p1", "need": "n1", "quantity": 40}],
    "params": {"far_factor": 0.7, "near_factor": 0.85, "preferred_bonus": 0.25, "skill_floor": 0.5},
}


def mutate(fn):
    inst = copy.deepcopy(BASE)
    fn(inst)
    return inst


def test_base_is_valid():
    validate_instance(BASE)


def _set(path, value):
    def fn(inst):
        obj = inst
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return fn


CASES = [
    (_set(["pledges", 1, "kind"], "money"), r"pledges\[1\] \(id 'p2'\).*unknown kind"),
    (_set(["needs", 0, "kind"], None), r"needs\[0\] \(id 'n1'\).*unknown kind"),
    (_set(["pledges", 0, "quantity"], 0), r"pledges\[0\] \(id 'p1'\): quantity must be a positive integer"),
    (_set(["pledges", 0, "quantity"], -5), r"pledges\[0\].*quantity"),
    (_set(["pledges", 0, "quantity"], 1.5), r"pledges\[0\].*quantity"),
    (_set(["pledges", 0, "quantity"], 40.0), r"pledges\[0\].*quantity"),
    (_set(["pledges", 0, "quantity"], True), r"pledges\[0\].*quantity"),
    (_set(["pledges", 0, "quantity"], "40"), r"pledges\[0\].*quantity"),
    (_set(["needs", 1, "quantity"], 0), r"needs\[1\] \(id 'n2'\): quantity"),
    (_set(["needs", 1, "quantity"], 2.5), r"needs\[1\].*quantity"),
    (_set(["needs", 1, "id"], "n1"), r"needs\[1\] \(id 'n1'\): duplicate need id"),
    (_set(["pledges", 2, "id"], "p1"), r"pledges\[2\] \(id 'p1'\): duplicate pledge id"),
    (_set(["fixed", 0, "pledge"], "nope"), r"fixed\[0\].*unknown pledge id 'nope'"),
    (_set(["fixed", 0, "need"], "nope"), r"fixed\[0\].*unknown need id 'nope'"),
    (_set(["forbidden", 0, "pledge"], "zz"), r"forbidden\[0\].*unknown pledge id"),
    (_set(["forbidden", 0, "need"], "zz"), r"forbidden\[0\].*unknown need id"),
    (_set(["proposed", 0, "pledge"], "zz"), r"proposed\[0\].*unknown pledge id"),
    (_set(["proposed", 0, "need"], "zz"), r"proposed\[0\].*unknown need id"),
    (_set(["proposed", 0, "quantity"], 0), r"proposed\[0\].*quantity"),
    (_set(["fixed", 0, "quantity"], 31), r"fixed\[0\].*pledge 'p9'.*over its quantity 30"),
    (_set(["fixed", 0, "quantity"], 0), r"fixed\[0\].*quantity must be a positive integer"),
    (_set(["fixed", 0, "need"], "n2"), r"fixed\[0\].*kind"),
    (lambda i: i["fixed"].append({"pledge": "p1", "need": "n1", "quantity": 40}) or i["pledges"][2].update(quantity=200)
     or i["fixed"].__setitem__(0, {"pledge": "p9", "need": "n1", "quantity": 90}),
     r"fixed\[1\].*need 'n1'.*over its quantity 120"),
    (_set(["pledges", 0, "window"], ["2027-03-01", "2027-02-01"]), r"pledges\[0\] \(id 'p1'\): window is inverted"),
    (_set(["needs", 0, "window"], ["2027-01-01"]), r"needs\[0\].*window must be"),
    (_set(["needs", 0, "window"], ["2027-1-1", "2027-03-01"]), r"needs\[0\].*ISO dates"),
    (_set(["needs", 0, "window"], ["2027-02-30", "2027-03-01"]), r"needs\[0\].*ISO dates"),
    (_set(["needs", 0, "window"], "2027-01-01/2027-02-01"), r"needs\[0\].*window must be"),
    (_set(["needs", 0, "priority"], 0), r"needs\[0\] \(id 'n1'\): priority must be a positive number"),
    (_set(["needs", 0, "priority"], -1), r"needs\[0\].*priority"),
    (_set(["needs", 0, "priority"], True), r"needs\[0\].*priority"),
    (_set(["needs", 0, "priority"], "8"), r"needs\[0\].*priority"),
    (_set(["needs", 0, "priority"], float("nan")), r"needs\[0\].*priority"),
    (_set(["params", "far_factor"], "0.7"), r"params.far_factor: must be a number"),
    (_set(["params", "far_factor"], 1.5), r"params.far_factor: must be in"),
    (_set(["params", "skill_floor"], -0.1), r"params.skill_floor"),
    (_set(["params", "near_factor"], 0), r"params.near_factor"),
    (_set(["params", "bogus"], 1), r"params.bogus: unknown parameter"),
    (_set(["params", "whole_node_limit"], 0), r"params.whole_node_limit: must be in"),
    (_set(["params"], [1, 2]), r"params: must be an object"),
    (_set(["pledges", 0, "only_tables"], "yes"), r"pledges\[0\].*only_tables must be true or false"),
    (_set(["pledges", 0, "divisible"], 0), r"pledges\[0\].*divisible must be true or false"),
    (_set(["pledges", 0, "skills"], "nursing"), r"pledges\[0\].*skills must be a list"),
    (_set(["pledges", 0, "tables"], [1]), r"pledges\[0\].*tables must be a list"),
    (_set(["needs", 0, "id"], ""), r"needs\[0\]: id must be a non-empty string"),
    (_set(["pledges", 0, "id"], 7), r"pledges\[0\]: id must be a non-empty string"),
    (_set(["pledges"], {"p1": {}}), r"pledges: must be a list"),
    (_set(["needs", 0], "n1"), r"needs\[0\]: must be an object"),
    (_set(["districts", "amol-city"], {"parent": "nowhere"}), r"districts\['amol-city'\]: unknown parent"),
    (_set(["version"], 2), r"version"),
]


@pytest.mark.parametrize("fn,pattern", CASES)
def test_bad_instances_are_refused(fn, pattern, tmp_path):
    inst = mutate(fn)
    with pytest.raises(InstanceError, match=pattern):
        validate_instance(inst)
    # InstanceError is a ValueError
    with pytest.raises(ValueError):
        validate_instance(inst)
    src = tmp_path / "in.json"
    out = tmp_path / "out.json"
    src.write_text(json.dumps(inst, allow_nan=True))
    assert run_files(src, out) == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_not_an_object():
    with pytest.raises(InstanceError, match="instance"):
        validate_instance([1, 2])


def test_empty_instance_solves(tmp_path):
    from matching import solve_instance
    out = solve_instance({})
    assert out["allocations"] == [] and out["objective"] == 0


def test_unreadable_file(tmp_path, capsys):
    src = tmp_path / "in.json"
    src.write_text("{not json")
    out = tmp_path / "out.json"
    assert run_files(src, out) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read" in err
    assert run_files(tmp_path / "missing.json", out) == 2
    assert not out.exists()


def test_error_message_is_one_line(tmp_path, capsys):
    src = tmp_path / "in.json"
    src.write_text(json.dumps(mutate(_set(["pledges", 0, "quantity"], 1.5))))
    assert run_files(src, tmp_path / "o.json") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pledges[0] (id 'p1'): quantity must be a positive integer" in err
