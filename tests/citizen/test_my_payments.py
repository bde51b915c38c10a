"""Issue 20 item 14 (the citizen's side) and /my's minor items: an accepted money contribution shows where to pay
(the governorate's instructions for the table), the citizen records the bank reference, nobody else can; a fully
matched pledge says nothing about waiting; no "mark all as read" without notifications."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dash_app import auth
from models.accounts.users import hash_password
from models.audit.log import record
from models.core.enums import AllocationStatus, HelpKind, PledgeStatus
from models.orm.audit_event import AuditEvent
from models.orm.notifications import Notification
from models.orm.payments import AllocationPayment
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need
from models.pledging.decisions import set_payment_instructions
from tests.table.conftest import csrf, log_in

PASSWORD = "a long payment passphrase 7"


@pytest.fixture
def demo_app(demo_db):
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": demo_db.url, "SECRET_KEY": "my-payments"})
    server.test_client().get("/")
    yield server
    server.extensions["hamyar_db"].dispose()
INSTRUCTIONS = "واریز به حساب ۰۱۰۲۰۳ بانک ملی به نام فرمانداری آمل، با شرح «میز سلامت»"


def _render(client, path: str, search: str = "") -> str:
    body = {"output": auth.pages_router_key(),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _payer(db, login: str):
    """A citizen with an accepted money contribution, who can log in; the table's instructions set."""
    with db.unit_of_work() as s:
        alloc = s.scalar(select(Allocation).join(Need).where(
            Allocation.status == AllocationStatus.ACCEPTED, Need.kind == HelpKind.FINANCIAL).order_by(Allocation.id))
        user = alloc.pledge.citizen
        user.email, user.password_hash = login, hash_password(PASSWORD)
        record(s, None, "user.login_set_for_tests", user)
        for n in s.scalars(select(Notification).where(Notification.user_id == user.id)):
            s.delete(n)
        staff = s.scalar(select(User.id).where(User.email == "gov@hamyar.local"))
        set_payment_instructions(s, staff, alloc.need.project.table_id, INSTRUCTIONS, "Pay into account 010203")
        return alloc.id, alloc.pledge_id, user.id


def _pay(client, app, alloc_id: int, reference: str):
    key = next(k for k in app.extensions["hamyar_dash"].callback_map if "my-list.children@" in k
               and "my-pay" in json.dumps(app.extensions["hamyar_dash"].callback_map[k]["inputs"]))
    entry = app.extensions["hamyar_dash"].callback_map[key]
    button = {"alloc": alloc_id, "type": "my-pay-save"}
    field = {"alloc": alloc_id, "type": "my-pay-reference"}
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]}
               for part in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs,
            "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
            "state": [[{"id": field, "property": "value", "value": reference}],
                      {"id": "my-page", "property": "data", "value": 1}],
            "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}
    assert len(entry["inputs"]) == 1
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def test_the_citizen_sees_where_to_pay_and_records_the_reference(demo_app, demo_db):
    alloc_id, pledge_id, user_id = _payer(demo_db, "payer@example.org")
    client = demo_app.test_client()
    log_in(client, "payer@example.org", PASSWORD)
    page = _render(client, "/my")
    assert INSTRUCTIONS in page and "در انتظار پرداخت" in page and '"my-pay-reference"' in page
    bad = _pay(client, demo_app, alloc_id, "۱۲")
    assert bad.status_code == 200 and "شمارهٔ پیگیری بانکی" in json.dumps(bad.get_json(), ensure_ascii=False)
    ok = _pay(client, demo_app, alloc_id, "۹۸۷۶۵۴۳۲۱")
    assert ok.status_code == 200, ok.data[:300]
    with demo_db.reader() as s:
        paid = s.scalar(select(AllocationPayment).where(AllocationPayment.allocation_id == alloc_id))
        assert paid.reference == "987654321" and paid.reported_by_id == user_id and paid.confirmed_at is None
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "allocation_payments",
                                                       AuditEvent.object_id == paid.id)) == "allocation.payment_reported"
    assert "987654321" in _render(client, "/my")


def test_nobody_else_records_a_payment_for_it(demo_app, demo_db):
    alloc_id, _pledge, _user = _payer(demo_db, "payer2@example.org")
    client = demo_app.test_client()
    log_in(client, "citizen")
    resp = _pay(client, demo_app, alloc_id, "123456789")
    assert resp.status_code in (403, 404)
    with demo_db.reader() as s:
        assert s.scalar(select(AllocationPayment).where(AllocationPayment.allocation_id == alloc_id)) is None


def test_a_fully_matched_pledge_waits_for_nothing_and_no_mark_read_without_notifications(demo_app, demo_db):
    alloc_id, pledge_id, _user = _payer(demo_db, "payer3@example.org")
    with demo_db.reader() as s:
        pledge = s.get(Pledge, pledge_id)
        full = pledge.status in (PledgeStatus.ALLOCATED, PledgeStatus.DELIVERED)
    client = demo_app.test_client()
    log_in(client, "payer3@example.org", PASSWORD)
    page = _render(client, "/my")
    assert full and f'"data-pledge": "{pledge_id}"' in page
    assert "هنوز در انتظار تطبیق: ۰" not in page and "در انتظار تطبیق: ۰" not in page
    # no notifications at all: the button is hidden (and disabled)
    assert '"id": "my-mark-read"' in page
    button = page[page.index('"id": "my-mark-read"') - 400: page.index('"id": "my-mark-read"') + 400]
    assert '"hidden": true' in button
    assert "ثبت‌شده در" in page and "پیشنهادشده در" not in page
