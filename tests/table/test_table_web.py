"""The table pages' callbacks over HTTP: forged decisions are refused (403), stale ones change nothing."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models.accounts.users import hash_password
from models.audit.log import record
from models.core.enums import AllocationStatus
from models.orm.people import User
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from models.orm.tables import Table
from tests.table.conftest import csrf, health_table, log_in

OTHER_CHAIR_LOGIN = "env-chair@example.org"
OTHER_PASSWORD = "environment chair 55"


def _review_key(app) -> str:
    dash_app = app.extensions["hamyar_dash"]
    return next(k for k in dash_app.callback_map if "table-review-list.children" in k)


def _accept_body(app, table_id: int, alloc: int, version: int) -> dict:
    key = _review_key(app)
    entry = app.extensions["hamyar_dash"].callback_map[key]
    accept_id = {"alloc": alloc, "type": "table-accept", "v": version}

    def dep(d, values_for_all=None):
        cid = d["id"]
        if cid.startswith("{"):
            pattern = json.loads(cid)
            if pattern.get("type") == "table-accept":
                return [{"id": accept_id, "property": d["property"], "value": 1}]
            return []
        value = {"table-id": table_id}.get(cid)
        return {"id": cid, "property": d["property"], "value": value}

    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop.split("@")[0]})
    return {"output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
            "state": [dep(d) for d in entry["state"]],
            "changedPropIds": [json.dumps(accept_id, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}


def _post(client, body):
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


@pytest.fixture
def setup(demo_app, demo_db):
    health = health_table(demo_db)
    with demo_db.unit_of_work() as s:
        env = s.scalar(select(Table).where(Table.slug == "environment"))
        other_chair = s.get(User, env.chair_id)
        other_chair.email = OTHER_CHAIR_LOGIN
        other_chair.password_hash = hash_password(OTHER_PASSWORD)
        record(s, None, "user.login_set_for_tests", other_chair)
        alloc = s.scalar(select(Allocation).join(Need).join(Project).where(
            Project.table_id == health, Allocation.status == AllocationStatus.PROPOSED).order_by(Allocation.id))
        return demo_app, demo_db, health, env.id, alloc.id, alloc.version


def _status(db, alloc):
    with db.reader() as s:
        return s.get(Allocation, alloc).status


def test_chair_accepts_through_the_callback_and_a_stale_repeat_changes_nothing(setup):
    app, db, health, _env, alloc, version = setup
    client = app.test_client()
    log_in(client, "chair")
    resp = _post(client, _accept_body(app, health, alloc, version))
    assert resp.status_code == 200, resp.data[:400]
    assert _status(db, alloc) is AllocationStatus.ACCEPTED
    again = _post(client, _accept_body(app, health, alloc, version))  # the other tab, with the old version
    assert again.status_code == 200
    assert "alert-danger" in again.get_data(as_text=True)
    assert _status(db, alloc) is AllocationStatus.ACCEPTED


def test_member_who_is_not_chair_gets_403(setup):
    app, db, health, _env, alloc, version = setup
    client = app.test_client()
    log_in(client, "member")
    resp = _post(client, _accept_body(app, health, alloc, version))
    assert resp.status_code == 403
    assert _status(db, alloc) is AllocationStatus.PROPOSED


def test_chair_of_another_table_gets_403_even_naming_their_own_table(setup):
    app, db, health, env, alloc, version = setup
    client = app.test_client()
    log_in(client, OTHER_CHAIR_LOGIN, OTHER_PASSWORD)
    # The guard refuses the first (not chair of health); the domain operation the second (their own
    # table passes the guard, but the allocation belongs to health).
    for table_id, code in ((health, "forbidden"), (env, "not_chair_of_table")):
        resp = _post(client, _accept_body(app, table_id, alloc, version))
        assert resp.status_code == 403, (table_id, resp.data[:300])
        assert resp.get_json()["error"] == code
    assert _status(db, alloc) is AllocationStatus.PROPOSED


def test_anonymous_and_citizen_are_refused(setup):
    app, db, health, _env, alloc, version = setup
    anon = app.test_client()
    assert _post(anon, _accept_body(app, health, alloc, version)).status_code == 401
    citizen = app.test_client()
    log_in(citizen, "citizen")
    assert _post(citizen, _accept_body(app, health, alloc, version)).status_code == 403
    assert _status(db, alloc) is AllocationStatus.PROPOSED


def _quantity_body(app, table_id: int, need_id: int, typed: str) -> dict:
    key = next(k for k in app.extensions["hamyar_dash"].callback_map
               if "table-editor-list.children" in k and "table-editor-alert.children" in k
               and "table-need-save-qty" in json.dumps(app.extensions["hamyar_dash"].callback_map[k]["inputs"]))
    button = {"need": need_id, "type": "table-need-save-qty"}
    box = {"need": need_id, "type": "table-need-edit-qty"}
    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop.split("@")[0]})
    return {"output": key, "outputs": outputs,
            "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
            "state": [[{"id": box, "property": "value", "value": typed}],
                      {"id": "table-id", "property": "data", "value": table_id}],
            "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}


def _need(db, need_id) -> Need:
    with db.reader() as s:
        return s.get(Need, need_id)


def test_chair_corrects_a_need_quantity_in_place_never_below_what_is_allocated(setup):
    app, db, health, _env, alloc, _v = setup
    with db.reader() as s:
        need_id = s.get(Allocation, alloc).need_id
    need = _need(db, need_id)
    from models.core.capacity import need_usage

    with db.reader() as s:
        taken = need_usage(s, [need_id])[need_id]
    chair = app.test_client()
    log_in(chair, "chair")
    bigger = need.quantity + (10_000_000 if need.kind.value == "financial" else 5)
    typed = str(bigger // 10 if need.kind.value == "financial" else bigger)  # money is typed in toman
    resp = _post(chair, _quantity_body(app, health, need_id, typed))
    assert resp.status_code == 200, resp.data[:300]
    assert "alert-success" in json.dumps(resp.get_json()["response"]["table-editor-alert"]["children"])
    assert _need(db, need_id).quantity == bigger

    too_small = max(taken - 1, 0)
    typed = str(too_small // 10 if need.kind.value == "financial" else too_small)
    resp = _post(chair, _quantity_body(app, health, need_id, typed))
    assert "alert-danger" in json.dumps(resp.get_json()["response"]["table-editor-alert"]["children"])
    assert _need(db, need_id).quantity == bigger  # refused with a message, nothing changed
    resp = _post(chair, _quantity_body(app, health, need_id, "many"))
    assert "alert-danger" in json.dumps(resp.get_json()["response"]["table-editor-alert"]["children"])
    assert _need(db, need_id).quantity == bigger

    citizen = app.test_client()
    log_in(citizen, "citizen")
    assert _post(citizen, _quantity_body(app, health, need_id, "1")).status_code == 403
    assert _need(db, need_id).quantity == bigger
