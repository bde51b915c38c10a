"""Issue 20 on the chair's queue: an accept can be undone from its message and from the accepted list, and a bulk
accept has "select all" and a confirmation saying how many of what, accepting exactly that."""
from __future__ import annotations

import json

from sqlalchemy import select

from models.core.enums import AllocationStatus
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from tests.table.conftest import csrf, health_table, log_in
from tests.table.test_review_delivery import _ids_in


def _key(app, marker: str) -> str:
    """The callback whose outputs or first input name `marker`."""
    keys = [k for k, v in app.extensions["hamyar_dash"].callback_map.items()
            if marker in k or (v["inputs"] and marker in str(v["inputs"][0]["id"]))]
    assert len(keys) == 1, keys
    return keys[0]


def _post(client, app, key: str, table_id: int, trigger: dict | str, *, prop: str = "n_clicks", value=1,
          patterns: dict | None = None, values: dict | None = None, whole: bool = False):
    """One callback as the renderer posts it; `patterns`: type -> [(id, value)] of the pattern ids on the page.

    The answer's "response" (what the outputs get), or with `whole` the answer itself (its "sideUpdate" too)."""
    entry = app.extensions["hamyar_dash"].callback_map[key]
    patterns, values = dict(patterns or {}), dict(values or {})
    if isinstance(trigger, dict):
        patterns.setdefault(trigger["type"], [(trigger, value)])
    else:
        values[trigger] = value

    def dep(d):
        cid = d["id"]
        if cid.startswith("{"):
            kind = json.loads(cid)["type"]
            return [{"id": i, "property": d["property"], "value": v} for i, v in patterns.get(kind, [])]
        default = {"table-id": table_id, "table-review-refresh": {"page": 0, "dpage": 0}}.get(cid)
        return {"id": cid, "property": d["property"], "value": values.get(cid, default)}

    def out(part: str):
        cid, prop = part.rsplit(".", 1)
        prop = prop.split("@")[0]
        if cid.startswith("{"):  # a pattern output: the renderer lists the components it matches
            return [{"id": i, "property": prop} for i, _v in patterns.get(json.loads(cid)["type"], [])]
        return {"id": cid, "property": prop}

    outputs = [out(p) for p in key.strip(".").split("...")]
    changed = (json.dumps(trigger, separators=(",", ":"), sort_keys=True) if isinstance(trigger, dict)
               else trigger) + "." + prop
    body = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": [dep(d) for d in entry["inputs"]], "state": [dep(d) for d in entry["state"]],
            "changedPropIds": [changed]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200, resp.data[:500]
    data = resp.get_json()
    if whole:
        return data
    return data["response"] if "response" in data else data


def _proposals(db, table_id: int, n: int) -> list[dict]:
    with db.reader() as s:
        rows = s.execute(select(Allocation.id, Allocation.version).join(Need).join(Project).where(
            Project.table_id == table_id, Allocation.status == AllocationStatus.PROPOSED)
            .order_by(Allocation.id).limit(n)).all()
    return [{"type": "table-select", "alloc": a, "v": v} for a, v in rows]


def test_an_accept_is_undone_from_its_message_and_from_the_accepted_list(demo_app, demo_db):
    health = health_table(demo_db)
    client = demo_app.test_client()
    log_in(client, "chair")
    review = _key(demo_app, "table-review-list.children...table-review-alert.children...table-reject-modal")
    undo = _key(demo_app, "table-undo-accept")
    first, second = _proposals(demo_db, health, 2)
    out = _post(client, demo_app, review, health, {**first, "type": "table-accept"})
    buttons = _ids_in(out["table-review-alert"]["children"], "table-undo-accept")
    assert [b["alloc"] for b in buttons] == [first["alloc"]] and buttons[0]["at"] == "alert"
    # the accepted list offers it too, for this fresh accept only (the demo's older accepts are past the window)
    out = _post(client, demo_app, review, health, "table-delivery-search", prop="value", value=str(first["alloc"]))
    listed = _ids_in(out["table-delivery-body"]["children"], "table-undo-accept")
    assert [b["alloc"] for b in listed] == [first["alloc"]] and listed[0]["at"] == "list"
    out = _post(client, demo_app, review, health, "table-delivery-search", prop="value", value="")
    assert not _ids_in(out["table-delivery-body"]["children"], "table-undo-accept") or \
        {b["alloc"] for b in _ids_in(out["table-delivery-body"]["children"], "table-undo-accept")} == {first["alloc"]}
    out = _post(client, demo_app, undo, health, buttons[0])
    assert "proposal again" in json.dumps(out, ensure_ascii=False) or "دوباره" in json.dumps(out, ensure_ascii=False)
    with demo_db.reader() as s:
        assert s.get(Allocation, first["alloc"]).status is AllocationStatus.PROPOSED
    with demo_db.reader() as s:
        from models.pledging.decisions import pending_count

        pending = pending_count(s, health)
    assert f'"data-pending": "{pending}"' in json.dumps(out["table-review-list"]["children"])  # the queue redrawn
    # the stale button (same version) is refused with a sentence and changes nothing
    out = _post(client, demo_app, undo, health, buttons[0])
    assert "alert-danger" in json.dumps(out["table-review-alert"]["children"])
    # someone not chairing the table is refused by the guard
    other = demo_app.test_client()
    log_in(other, "member")
    resp = other.post("/_dash-update-component", headers={"X-CSRFToken": csrf(other)}, json={
        "output": undo, "outputs": [], "inputs": [{"id": {**buttons[0]}, "property": "n_clicks", "value": 1}],
        "state": [], "changedPropIds": []})
    assert resp.status_code in (400, 403)
    with demo_db.reader() as s:
        assert s.get(Allocation, second["alloc"]).status is AllocationStatus.PROPOSED


def test_select_all_and_the_bulk_confirmation_says_how_many_of_what(demo_app, demo_db):
    health = health_table(demo_db)
    client = demo_app.test_client()
    log_in(client, "chair")
    shown = _proposals(demo_db, health, 3)
    from tests.web.callbacks import rendered_text

    page = rendered_text(client, f"/tables/{health}")
    assert '"id": "table-review-all"' in page and '"id": "table-review-bulk-ask"' in page
    out = _post(client, demo_app, _key(demo_app, "table-review-all"), health, "table-review-all", prop="value",
                value=True, patterns={"table-select": [(i, False) for i in shown]})
    assert [v["value"] for v in out.values()] == [True] * 3
    ask = _key(demo_app, "table-review-bulk-modal.is_open")
    ticks = [(i, True) for i in shown[:2]] + [(shown[2], False)]
    out = _post(client, demo_app, ask, health, "table-review-bulk-ask", patterns={"table-select": ticks})
    assert out["table-review-bulk-modal"]["is_open"] is True
    text = json.dumps(out["table-review-bulk-text"]["children"], ensure_ascii=False)
    assert '"data-bulk-count": "2"' in text
    with demo_db.reader() as s:
        still = s.scalar(select(Allocation.status).where(Allocation.id == shown[0]["alloc"]))
    assert still is AllocationStatus.PROPOSED  # asking accepted nothing
    # nothing ticked: no dialog, a sentence
    out = _post(client, demo_app, ask, health, "table-review-bulk-ask",
                patterns={"table-select": [(i, False) for i in shown]})
    assert out["table-review-bulk-modal"]["is_open"] is False and "alert-danger" in json.dumps(out)
    # the dialog's button accepts exactly the two
    review = _key(demo_app, "table-review-list.children...table-review-alert.children...table-reject-modal")
    _post(client, demo_app, review, health, "table-review-bulk", patterns={"table-select": ticks})
    with demo_db.reader() as s:
        states = [s.get(Allocation, i["alloc"]).status for i in shown]
    assert states == [AllocationStatus.ACCEPTED, AllocationStatus.ACCEPTED, AllocationStatus.PROPOSED]
