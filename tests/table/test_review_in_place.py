"""Issue 19 item 3: one accept is answered in place -- the row says "accepted", the counts and the accepted list
follow -- instead of drawing both lists again; the last proposal on the page, or a stale press, draws them afresh."""
from __future__ import annotations

import json

from models.core.enums import AllocationStatus
from models.orm.pledges import Allocation
from models.pledging.decisions import pending_count
from tests.table.conftest import health_table, log_in
from tests.table.test_review_safety_web import _key, _post, _proposals


def _accept(client, app, table_id: int, pressed: dict, shown: list[dict]):
    """Press accept on `pressed` while the chair's page shows the proposals `shown` (as the renderer lists them)."""
    key = _key(app, "table-review-list.children...table-review-alert.children...table-reject-modal")
    buttons = [({**p, "type": "table-accept"}, 1 if p["alloc"] == pressed["alloc"] else None) for p in shown]
    return _post(client, app, key, table_id, {**pressed, "type": "table-accept"},
                 patterns={"table-accept": buttons, "table-select": [(p, False) for p in shown]}, whole=True)


def test_an_accept_with_other_proposals_on_the_page_is_answered_in_place(demo_app, demo_db):
    health = health_table(demo_db)
    client = demo_app.test_client()
    log_in(client, "chair")
    shown = _proposals(demo_db, health, 3)
    with demo_db.reader() as s:
        awaiting = pending_count(s, health, AllocationStatus.ACCEPTED)
    data = _accept(client, demo_app, health, shown[1], shown)
    response, side = data["response"], data.get("sideUpdate", {})
    assert "table-review-list" not in response and "table-delivery-body" not in response  # neither list redrawn
    assert "alert-success" in json.dumps(response["table-review-alert"])
    with demo_db.reader() as s:
        assert s.get(Allocation, shown[1]["alloc"]).status is AllocationStatus.ACCEPTED
        assert s.get(Allocation, shown[0]["alloc"]).status is AllocationStatus.PROPOSED
        pending = pending_count(s, health)
    row = side[json.dumps({"alloc": shown[1]["alloc"], "type": "table-review-item"}, separators=(",", ":"))]
    assert "list-group-item-success" in row["className"]
    assert "table-accept" not in json.dumps(row["children"])  # no button left to press twice
    assert json.dumps({"alloc": shown[0]["alloc"], "type": "table-review-item"}, separators=(",", ":")) not in side
    assert f'"data-pending": "{pending}"' in json.dumps(side["table-review-count"])
    assert f'"data-awaiting": "{awaiting + 1}"' in json.dumps(side["table-delivery-count"])
    recent = json.dumps(side["table-delivery-recent"]["children"])  # a patch: prepend the accepted contribution
    assert "Prepend" in recent and f'"data-allocation": "{shown[1]["alloc"]}"' in recent
    assert "table-delivery-select" in recent  # it can be ticked and marked delivered like the rest


def test_the_last_proposal_on_the_page_and_a_stale_press_draw_the_queue_again(demo_app, demo_db):
    health = health_table(demo_db)
    client = demo_app.test_client()
    log_in(client, "chair")
    first, second = _proposals(demo_db, health, 2)
    data = _accept(client, demo_app, health, first, [first])  # alone on the page: the next page's come in
    assert "table-review-list" in data["response"] and "table-delivery-body" in data["response"]
    assert "table-review-count" not in data.get("sideUpdate", {})
    with demo_db.reader() as s:
        pending = pending_count(s, health)
    assert f'"data-pending": "{pending}"' in json.dumps(data["response"]["table-review-list"])
    stale = {**second, "v": second["v"] + 5}  # someone changed it since the page was drawn
    data = _accept(client, demo_app, health, stale, [first, stale])
    assert "alert-danger" in json.dumps(data["response"]["table-review-alert"])
    assert "table-review-list" in data["response"]  # the queue as it is now
    with demo_db.reader() as s:
        assert s.get(Allocation, second["alloc"]).status is AllocationStatus.PROPOSED
