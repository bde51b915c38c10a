"""Issue 20 item 4: every accepted contribution can be marked delivered — a count, pages, a search and a bulk
"mark delivered" with one date — and item 14's chair side (confirming a money payment the citizen reported)."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from models.audit.log import record
from models.core.clock import county_today
from models.core.enums import AllocationStatus, HelpKind
from models.orm.audit_event import AuditEvent
from models.orm.payments import AllocationPayment
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.pledging import decisions
from tests.table.conftest import csrf, health_table, log_in

REVIEW = "table-review-list.children"


def _key(app) -> str:
    return next(k for k in app.extensions["hamyar_dash"].callback_map if REVIEW in k)


def _post(client, app, table_id: int, trigger: dict | str, *, prop: str = "n_clicks", value=1,
          patterns: dict | None = None, values: dict | None = None, memo: dict | None = None):
    """POST the review callback as the renderer does: `trigger` fired; `patterns` lists pattern ids present
    (type -> [(id, value)]); `values` gives plain ids' values."""
    key = _key(app)
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
        default = {"table-id": table_id, "table-review-refresh": memo or {"page": 0, "dpage": 0}}.get(cid)
        return {"id": cid, "property": d["property"], "value": values.get(cid, default)}

    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]}
               for part in key.strip(".").split("...")]
    changed = (json.dumps(trigger, separators=(",", ":"), sort_keys=True) if isinstance(trigger, dict)
               else trigger) + "." + prop
    body = {"output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
            "state": [dep(d) for d in entry["state"]], "changedPropIds": [changed]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200, resp.data[:500]
    return resp.get_json()["response"]


def _accepted(db, table_id: int) -> list[tuple[int, int]]:
    with db.reader() as s:
        return list(s.execute(select(Allocation.id, Allocation.version).join(Need).join(Project).where(
            Project.table_id == table_id, Allocation.status == AllocationStatus.ACCEPTED)
            .order_by(Allocation.id)).all())


def _ids_in(tree, kind: str) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("id"), dict) and node["id"].get("type") == kind:
                found.append(node["id"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(tree)
    return found


def test_accepted_beyond_the_first_page_are_counted_paged_found_and_delivered_in_bulk(demo_app, demo_db):
    health = health_table(demo_db)
    accepted = _accepted(demo_db, health)
    assert len(accepted) > 20, "the demo's health table has more accepted contributions than one page"
    client = demo_app.test_client()
    log_in(client, "chair")
    out = _post(client, demo_app, health, "table-delivery-search", prop="value", value="")
    body = out["table-delivery-body"]["children"]
    text = json.dumps(body, ensure_ascii=False)
    assert f'"data-awaiting": "{len(accepted)}"' in text
    first_page = {i["alloc"] for i in _ids_in(body, "table-delivery-select")}
    assert len(first_page) == 20
    pages = _ids_in(body, "table-delivery-goto")
    assert len(pages) == -(-len(accepted) // 20)
    # The last page holds what the old list (limit 20, no pager) could never reach.
    out = _post(client, demo_app, health, pages[-1], patterns={"table-delivery-goto": [(p, 1 if p == pages[-1] else 0)
                                                                                        for p in pages]})
    last = _ids_in(out["table-delivery-body"]["children"], "table-delivery-select")
    assert last and not first_page & {i["alloc"] for i in last}
    assert {i["alloc"] for i in last} <= {a for a, _v in accepted}
    # Search by the citizen's name narrows the list to their contributions.
    target = last[0]
    with demo_db.reader() as s:
        name = s.scalar(select(User.name).join(Pledge, Pledge.citizen_id == User.id)
                        .join(Allocation, Allocation.pledge_id == Pledge.id).where(Allocation.id == target["alloc"]))
        theirs = s.scalar(select(func.count()).select_from(Allocation).join(Pledge).join(User, User.id == Pledge.citizen_id)
                          .join(Need, Need.id == Allocation.need_id).join(Project).where(
            Project.table_id == health, Allocation.status == AllocationStatus.ACCEPTED, User.name == name))
    out = _post(client, demo_app, health, "table-delivery-search", prop="value", value=name)
    found = _ids_in(out["table-delivery-body"]["children"], "table-delivery-select")
    assert target["alloc"] in {i["alloc"] for i in found} and len(found) >= theirs
    assert len(found) < len(accepted)
    # Bulk: tick two from the last page, open the dialog, confirm with yesterday's date.
    chosen = last[:2]
    ticks = [(i, i in chosen) for i in last]
    out = _post(client, demo_app, health, "table-delivery-bulk", patterns={"table-delivery-select": ticks})
    assert out["table-deliver-modal"]["is_open"] is True
    memo = out["table-review-refresh"]["data"]
    assert "۲" in json.dumps(out["table-deliver-target"]["children"], ensure_ascii=False)
    day = county_today() - timedelta(days=1)
    with demo_db.reader() as s:
        decided = [s.get(Allocation, i["alloc"]).decided_at for i in chosen]
    day = max(day, *[d.astimezone(county_today.__globals__["COUNTY_TZ"]).date() for d in decided if d])
    from dash_app.i18n import format_date  # the dialog reads the date as the page writes it

    with demo_app.test_request_context("/"):
        typed = format_date(day, "fa")
    out = _post(client, demo_app, health, "table-deliver-confirm", values={"table-deliver-date": typed}, memo=memo)
    assert out["table-deliver-modal"]["is_open"] is False
    with demo_db.reader() as s:
        for i in chosen:
            alloc = s.get(Allocation, i["alloc"])
            assert alloc.status is AllocationStatus.DELIVERED and alloc.delivered_at == day
        events = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "allocation.delivered", AuditEvent.object_id.in_([i["alloc"] for i in chosen])))
        assert events == 2
    assert f'"data-awaiting": "{len(accepted) - 2}"' in json.dumps(out["table-delivery-body"]["children"],
                                                                   ensure_ascii=False)


def test_bulk_delivery_is_all_or_nothing(demo_db):
    health = health_table(demo_db)
    (a1, v1), (a2, v2) = _accepted(demo_db, health)[:2]
    with demo_db.reader() as s:
        chair = s.scalar(select(User.id).where(User.email == "chair@hamyar.local"))
    import pytest

    from models.core.errors import Conflict, ValidationError

    with pytest.raises(Conflict), demo_db.unit_of_work() as s:
        decisions.mark_delivered_many(s, chair, {a1: v1, a2: v2 + 7}, county_today())
    with pytest.raises(ValidationError), demo_db.unit_of_work() as s:
        decisions.mark_delivered_many(s, chair, {a1: v1}, county_today() + timedelta(days=1))
    with demo_db.reader() as s:
        assert s.get(Allocation, a1).status is AllocationStatus.ACCEPTED


def test_the_chair_confirms_a_money_payment_the_citizen_reported(demo_app, demo_db):
    health = health_table(demo_db)
    with demo_db.unit_of_work() as s:
        alloc = s.scalar(select(Allocation).join(Need).join(Project).where(
            Project.table_id == health, Allocation.status == AllocationStatus.ACCEPTED,
            Need.kind == HelpKind.FINANCIAL).order_by(Allocation.id))
        citizen = alloc.pledge.citizen_id
        decisions.report_payment(s, citizen, alloc.id, "۱۲۳۴۵۶-۷۸")
        alloc_id, version = alloc.id, alloc.version
        # show it on the first page of the delivery list
        alloc.decided_at = alloc.decided_at
        record(s, None, "allocation.touched_for_tests", alloc)
    client = demo_app.test_client()
    log_in(client, "chair")
    out = _post(client, demo_app, health, "table-delivery-search", prop="value", value=str(alloc_id))
    body = out["table-delivery-body"]["children"]
    text = json.dumps(body, ensure_ascii=False)
    assert "12345678"[:6] in text and "123456-78" in text
    confirm = [i for i in _ids_in(body, "table-payment-confirm") if i["alloc"] == alloc_id]
    assert confirm
    out = _post(client, demo_app, health, confirm[0])
    assert "دریافت" in json.dumps(out["table-review-alert"]["children"], ensure_ascii=False)
    with demo_db.reader() as s:
        a = s.get(Allocation, alloc_id)
        assert a.status is AllocationStatus.DELIVERED and "123456-78" in (a.delivery_note or "")
        paid = s.scalar(select(AllocationPayment).where(AllocationPayment.allocation_id == alloc_id))
        assert paid.confirmed_at is not None
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("allocation.payment_%"))))
        assert actions == {"allocation.payment_reported", "allocation.payment_confirmed"}
    assert version
