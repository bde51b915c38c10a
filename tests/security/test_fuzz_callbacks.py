"""T20 (web): Hypothesis posts malformed and hostile JSON to the callback endpoint.

Signed-in clients of four roles (citizen, member and chair of table X, governorate) and an anonymous
one fire every registered callback (drawn from `app.callback_map`, so new callbacks join) with
hostile values for every input and state (wrong types, huge numbers, Unicode tricks, script tags, SQL
fragments), sometimes with table X's id where the rule reads it so the request gets past the guard,
and also post bodies that are not Dash requests at all. Never a 5xx; when the answer is a refusal or
a worded error (4xx), every row of every table is as it was.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dash_app import auth
from tests.security.test_access_matrix import _clients, _is_pattern, _outputs, matrix_app  # noqa: F401
from tests.security.test_fuzz_domain import dump, hostile_text, huge_ints
from tests.web.conftest import csrf

json_scalar = st.one_of(st.none(), st.booleans(), huge_ints, st.floats(allow_nan=False, allow_infinity=True),
                        hostile_text)
json_value = st.recursive(json_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                               st.dictionaries(hostile_text, inner, max_size=4)),
                          max_leaves=12)


@pytest.fixture
def fuzz_app(request):
    server, people = request.getfixturevalue("matrix_app")  # the access matrix's app and people
    server.test_client().get("/")
    callbacks = {k: v for k, v in server.extensions["hamyar_dash"].callback_map.items() if "callback" in v}
    clients = _clients(server)
    tokens = {role: csrf(c) for role, c in clients.items()}
    db = server.extensions["hamyar_db"]
    return server, people, sorted(callbacks.items()), clients, tokens, db


def _post(clients, tokens, role, body, raw: bool = False):
    headers = {"X-CSRFToken": tokens[role]}
    if raw:
        return clients[role].post("/_dash-update-component", data=body, headers=headers,
                                  content_type="application/json")
    return clients[role].post("/_dash-update-component", json=body, headers=headers)


def _check(db, before, resp, what):
    assert resp.status_code < 500, (what, resp.status_code, resp.get_data(as_text=True)[:300])
    # A callback that raised is answered 200 with the failure sentence (dash_app.on_callback_error):
    # for hostile input that is a crash all the same.
    body = resp.get_json(silent=True) if resp.is_json else None
    assert not (isinstance(body, dict) and "callback-error" in (body.get("sideUpdate") or {})), \
        (what, resp.get_data(as_text=True)[:300])
    if 400 <= resp.status_code < 500:
        after = dump(db)
        changed = [t for t in before if before[t] != after[t]]
        assert not changed, (what, resp.status_code, changed)


ROLES = ("anonymous", "citizen", "member_x", "chair_x", "governorate")


@given(data=st.data())
def test_fuzz_every_callback_with_hostile_values(fuzz_app, data):
    server, people, callbacks, clients, tokens, db = fuzz_app
    key, entry = data.draw(st.sampled_from(callbacks))
    rule = auth.rule_for(server, key)
    role = data.draw(st.sampled_from(ROLES))

    def dep(d):
        if _is_pattern(d["id"]):
            ids = data.draw(st.lists(st.fixed_dictionaries(
                {k: (json_value if isinstance(v, list) else st.just(v)) for k, v in json.loads(d["id"]).items()}),
                max_size=2))
            return [{"id": i, "property": d["property"], "value": data.draw(json_value)} for i in ids]
        if rule.table_from == (d["id"], d["property"]) and data.draw(st.booleans()):
            # the table's id, or its id in the shapes that once reached the callbacks (a dict: 500s)
            value = data.draw(st.sampled_from([people.table, {"table_id": people.table}, str(people.table),
                                               [people.table], float(people.table)]))
        else:
            value = data.draw(json_value)
        return {"id": d["id"], "property": d["property"], "value": value}

    inputs = [dep(d) for d in entry.get("inputs", [])]
    body = {"output": key, "outputs": _outputs(key), "inputs": inputs,
            "state": [dep(d) for d in entry.get("state", [])],
            "changedPropIds": data.draw(st.lists(st.sampled_from(
                [f"{d['id']}.{d['property']}" for d in entry.get("inputs", [])] or ["x.y"]), max_size=2))}
    before = dump(db)
    _check(db, before, _post(clients, tokens, role, body), (role, rule.name))


malformed = st.one_of(
    json_value,
    st.fixed_dictionaries({"output": json_value}),
    st.fixed_dictionaries({"output": st.sampled_from(["gov-counts.children", "nav-unread.children", "x"]),
                           "outputs": json_value, "inputs": json_value, "state": json_value,
                           "changedPropIds": json_value}),
)


@given(body=malformed, role=st.sampled_from(ROLES))
def test_fuzz_malformed_requests(fuzz_app, body, role):
    server, people, callbacks, clients, tokens, db = fuzz_app
    before = dump(db)
    _check(db, before, _post(clients, tokens, role, body), role)


deeply_nested = st.tuples(st.integers(min_value=1, max_value=60_000), st.sampled_from([b"[]", b'{"a":}'])).map(
    lambda t: t[1][:-1] * t[0] + (b"1" if t[1] == b'{"a":}' else b"") + t[1][-1:] * t[0])


@given(raw=st.one_of(st.binary(max_size=200), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                     deeply_nested),
       role=st.sampled_from(ROLES))
def test_fuzz_bytes_that_are_not_json(fuzz_app, raw, role):
    server, people, callbacks, clients, tokens, db = fuzz_app
    before = dump(db)
    _check(db, before, _post(clients, tokens, role, raw, raw=True), role)


def test_integers_beyond_64_bits_are_refused(fuzz_app):
    server, people, callbacks, clients, tokens, db = fuzz_app
    before = dump(db)
    body = {"output": "my-withdraw-modal.is_open", "inputs": [[{"id": {"type": "my-withdraw", "pledge": 2**63},
                                                                 "property": "n_clicks", "value": 1}]],
            "state": [], "changedPropIds": []}
    resp = _post(clients, tokens, "citizen", body)
    assert resp.status_code == 400 and resp.get_json()["error"] == "bad_request"
    assert dump(db) == before
