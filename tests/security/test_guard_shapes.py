"""Issue 18 items 6 and 14: the callback guard reads what the callback will read.

Item 6: Dash passes a callback its values by position, so the guard reads the table id at the
position `table_from` was registered at (not the first `table-id` anywhere in the body), and refuses
(400 `bad_request`) a body whose inputs or states do not carry the registered ids and properties in
the registered order; for pattern-matching ids, a sent id must have the pattern's keys and its fixed
values. Item 14: a background job's cacheKey polls only the callback (output) that started the job.
"""
from __future__ import annotations

import json
import time

from dash_app import auth
from dash_app.pages.table import ids
from dash_app.ui import governorate_ids as gid
from tests.security.test_access_matrix import _body, _clients, _server_callbacks, matrix_app  # noqa: F401
from tests.security.test_fuzz_domain import dump
from tests.web.conftest import csrf


def _post(client, body, query: str = ""):
    return client.post(f"/_dash-update-component{query}", json=body, headers={"X-CSRFToken": csrf(client)})


def _table_scoped(server):
    for key, entry in _server_callbacks(server).items():
        rule = auth.rule_for(server, key)
        if rule.table_from is not None:
            yield key, entry, rule


def test_the_table_index_is_the_registered_position(matrix_app):  # noqa: F811
    server, _people = matrix_app
    seen = 0
    for key, entry, rule in _table_scoped(server):
        deps = [(d["id"], d["property"]) for d in entry.get("inputs", []) + entry.get("state", [])]
        assert deps[rule.table_index] == rule.table_from, key
        seen += 1
    assert seen >= 8


def test_the_guard_reads_the_table_id_where_the_callback_reads_it(matrix_app):  # noqa: F811
    """A `table-id` planted in an earlier dependency is not what the guard reads: the chair of X who
    plants X's id before the other table's (where the callback reads it) is refused for the other table
    (403); planting the other table's id before X's own gets past the table check on X and is then
    refused for its shape (400). The old guard read the first `table-id` anywhere: it admitted the
    first body on X's id and refused the second on the other table's."""
    server, people = matrix_app
    clients = _clients(server)
    db = server.extensions["hamyar_db"]
    before = dump(db)
    planted = 0
    for key, entry, rule in _table_scoped(server):
        for planted_id, real_id, status in ((people.table, people.other_table, 403),
                                            (people.other_table, people.table, 400)):
            body = _body(key, entry, rule, real_id)
            deps = body["inputs"] + body["state"]
            first = next(i for i, d in enumerate(deps) if isinstance(d, dict))
            if first >= rule.table_index:
                break
            planted_dep = {"id": ids.TABLE_ID, "property": "data", "value": planted_id}
            n_inputs = len(body["inputs"])
            if first < n_inputs:
                body["inputs"][first] = planted_dep
            else:
                body["state"][first - n_inputs] = planted_dep
            resp = _post(clients["chair_x"], body)
            assert resp.status_code == status, (key, planted_id, resp.status_code)
            planted += 1
    assert planted >= 10
    assert dump(db) == before


def test_table_id_at_reads_the_registered_position():
    rule = auth.CallbackRule(frozenset({auth.CHAIR}), (ids.TABLE_ID, "data"), table_index=2)
    items = [{"id": ids.TABLE_ID, "property": "data", "value": 1}, {"id": "x", "property": "y", "value": 1},
             {"id": ids.TABLE_ID, "property": "data", "value": 2}]
    assert rule.table_id_at(items) == 2
    assert rule.table_id_in(items) == 1  # the old reading: the first one anywhere
    for value in ({"table_id": 2}, "2", True, [2], None, 2.0):
        assert rule.table_id_at([*items[:2], {"id": ids.TABLE_ID, "property": "data", "value": value}]) is None


def test_renamed_or_reordered_dependencies_are_refused(matrix_app):  # noqa: F811
    server, people = matrix_app
    clients = _clients(server)
    callbacks = _server_callbacks(server)
    checked = 0
    for key, entry in callbacks.items():
        rule = auth.rule_for(server, key)
        deps = entry.get("inputs", []) + entry.get("state", [])
        if rule.public or not deps or any(d["id"].startswith("{") for d in deps):
            continue
        role = "governorate" if auth.GOVERNORATE in rule.roles else "chair_x"
        good = _body(key, entry, rule, people.table)
        renamed = json.loads(json.dumps(good))
        (renamed["inputs"] or renamed["state"])[0]["id"] = "not-the-registered-id"
        other_prop = json.loads(json.dumps(good))
        (other_prop["inputs"] or other_prop["state"])[0]["property"] = "title"
        for body in (renamed, other_prop):
            resp = _post(clients[role], body)
            assert resp.status_code == 400 and resp.get_json()["error"] == "bad_request", (key, resp.status_code)
        items = good["inputs"] + good["state"]
        if len(good["inputs"]) >= 2 and items[0]["id"] != items[1]["id"]:
            swapped = json.loads(json.dumps(good))
            swapped["inputs"][0], swapped["inputs"][1] = swapped["inputs"][1], swapped["inputs"][0]
            assert _post(clients[role], swapped).status_code == 400, key
        checked += 1
    assert checked >= 30


def test_pattern_ids_must_have_the_patterns_keys(matrix_app):  # noqa: F811
    server, people = matrix_app
    citizen = _clients(server)["citizen"]
    key = next(k for k in _server_callbacks(server) if k.startswith("..my-withdraw-modal.is_open"))
    entry = server.extensions["hamyar_dash"].callback_map[key]
    rule = auth.rule_for(server, key)

    def body(pattern_matches):
        b = _body(key, entry, rule, people.table)
        b["inputs"][0] = [{"id": i, "property": "n_clicks", "value": None} for i in pattern_matches]
        return b

    assert _post(citizen, body([{"type": "my-withdraw", "pledge": 1}])).status_code == 200
    assert _post(citizen, body([])).status_code == 200
    for wrong in ([{"type": "my-withdraw", "pledge": 1, "extra": 2}], [{"type": "my-withdraw"}],
                  [{"type": "adm-u-reset", "pledge": 1}], [{"type": "my-withdraw", "user": 1}], ["my-withdraw"],
                  [{"type": "my-withdraw", "pledge": 1}, {"kind": "x"}]):
        resp = _post(citizen, body(wrong))
        assert resp.status_code == 400 and resp.get_json()["error"] == "bad_request", wrong
    wrong_property = body([{"type": "my-withdraw", "pledge": 1}])
    wrong_property["inputs"][0][0]["property"] = "children"
    assert _post(citizen, wrong_property).status_code == 400


# --- item 14: a job's key polls only its own callback ----------------------------------------------


def _export_body():
    audit = [{"id": c, "property": "value", "value": None} for c in (
        gid.AU_ACTOR, gid.AU_ACTION, gid.AU_TABLE, gid.AU_OBJECT, gid.AU_OBJECT_ID, gid.AU_DATE_FROM, gid.AU_DATE_TO)]
    return {"output": f"..{gid.EX_DOWNLOAD}.data...{gid.EX_MESSAGE}.children..",
            "outputs": [{"id": gid.EX_DOWNLOAD, "property": "data"}, {"id": gid.EX_MESSAGE, "property": "children"}],
            "inputs": [{"id": gid.EX_BUTTON, "property": "n_clicks", "value": 1}],
            "state": [{"id": gid.EX_SHEET, "property": "value", "value": "allocations"},
                      {"id": gid.EX_FORMAT, "property": "value", "value": "csv"},
                      {"id": gid.EX_CONTACTS, "property": "value", "value": []},
                      {"id": gid.F_STORE, "property": "data", "value": None}, *audit],
            "changedPropIds": [f"{gid.EX_BUTTON}.n_clicks"]}


def _end_id(client) -> str:
    import re

    html = client.get("/").get_data(as_text=True)
    return json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html,
                                re.S).group(1))["end_id"]


def test_a_job_key_polls_only_the_callback_that_started_it(web_db, tmp_path):  # noqa: F811
    from dash_app import create_app
    from tests.web.conftest import log_in, make_people

    people = make_people(web_db)
    app = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "guard-shapes",
                      "HAMYAR_BACKGROUND": "diskcache", "HAMYAR_JOBS_FOLDER": str(tmp_path / "jobs")})
    try:
        gov = app.test_client()
        log_in(gov, "governorate")
        end_id = _end_id(gov)
        started = _post(gov, _export_body(), f"?endId={end_id}")
        assert started.status_code == 200, started.get_data(as_text=True)[:300]
        handles = started.get_json()
        query = f"?endId={end_id}&cacheKey={handles['cacheKey']}&job={handles['job']}"
        # The same session polls the table's matching job (another background callback) with the export's key.
        table_poll = {"output": f"{ids.MATCH_EXECUTED}.children",
                      "outputs": {"id": ids.MATCH_EXECUTED, "property": "children"},
                      "inputs": [{"id": ids.MATCH_CLAIMED, "property": "children", "value": None}],
                      "state": [{"id": ids.TABLE_ID, "property": "data", "value": None}], "changedPropIds": []}
        refused = _post(gov, table_poll, query)
        assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
        # Its own callback is still admitted with the key, and answers with the file.
        poll = {**_export_body(), "inputs": [{**i, "value": None} for i in _export_body()["inputs"]]}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            resp = _post(gov, poll, query)
            assert resp.status_code in (200, 204), resp.get_data(as_text=True)[:300]
            if resp.status_code == 200 and "response" in (resp.get_json(silent=True) or {}):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the export did not answer")
        assert resp.get_json()["response"][gid.EX_DOWNLOAD]["data"]["filename"].endswith(".csv")
        assert people.table  # the people exist (make_people also made the governorate account)
    finally:
        app.extensions["hamyar_db"].dispose()
