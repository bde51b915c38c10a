"""Issue 20 item 13 (web): the callbacks of contact sharing, messages and the name switch, posted as each role —
the citizen who owns the contribution, its table's chair, another chair, another citizen, anonymous — and with
forged ids. The chair's accepted list shows the contact only when the citizen shared it with that chair."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models.accounts.users import hash_password
from models.audit.log import record
from models.core.enums import AllocationStatus
from models.orm.audit_event import AuditEvent
from models.orm.contact import ContactConsent, ContributionMessage
from models.orm.notifications import Notification
from models.orm.people import User
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from models.orm.tables import Table
from tests.table.conftest import DEMO, csrf, health_table, log_in
from tests.web.callbacks import rendered_text

PASSWORD = "a long contact passphrase 9"
PHONE = "+989111234567"
PHONE_FA = "+۹۸۹۱۱۱۲۳۴۵۶۷"


@pytest.fixture
def demo_app(demo_db):
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": demo_db.url, "SECRET_KEY": "contact-web"})
    server.test_client().get("/")
    yield server
    server.extensions["hamyar_db"].dispose()


@pytest.fixture
def world(demo_db):
    """An accepted contribution on the health table whose citizen can log in; another table's chair too."""
    health = health_table(demo_db)
    with demo_db.unit_of_work() as s:
        alloc = s.scalar(select(Allocation).join(Need).join(Project).where(
            Project.table_id == health, Allocation.status == AllocationStatus.ACCEPTED).order_by(Allocation.id))
        user = alloc.pledge.citizen
        user.email, user.phone, user.password_hash = "owner@example.org", PHONE, hash_password(PASSWORD)
        record(s, None, "user.login_set_for_tests", user)
        other = s.scalar(select(Table).where(Table.id != health, Table.chair_id.is_not(None),
                                             Table.archived_at.is_(None)).order_by(Table.id))
        chair2 = s.get(User, other.chair_id)
        chair2.email, chair2.password_hash = "chair2@example.org", hash_password(PASSWORD)
        record(s, None, "user.login_set_for_tests", chair2)
        return {"alloc": alloc.id, "owner": user.id, "health": health, "other_table": other.id}


def _entry(app, output: str, input_type: str) -> tuple[str, dict]:
    cmap = app.extensions["hamyar_dash"].callback_map
    key = next(k for k in cmap if output in k and input_type in json.dumps(cmap[k]["inputs"]))
    return key, cmap[key]


def _post(client, app, output: str, trigger: dict | str, *, input_type: str | None = None, prop: str = "n_clicks",
          value=1, patterns: dict | None = None, values: dict | None = None):
    """POST one callback as the renderer does: pattern deps get the components listed in `patterns` (type ->
    [(id, value)]), plain ids their value in `values`."""
    patterns, values = dict(patterns or {}), dict(values or {})
    if isinstance(trigger, dict):
        patterns.setdefault(trigger["type"], [(trigger, value)])
    else:
        values[trigger] = value
    key, entry = _entry(app, output, input_type or (trigger["type"] if isinstance(trigger, dict) else trigger))

    def dep(d):
        cid = d["id"]
        if cid.startswith("{"):
            kind = json.loads(cid)["type"]
            return [{"id": i, "property": d["property"], "value": v} for i, v in patterns.get(kind, [])]
        return {"id": cid, "property": d["property"], "value": values.get(cid)}

    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]}
               for part in key.strip(".").split("...")]
    changed = (json.dumps(trigger, separators=(",", ":"), sort_keys=True) if isinstance(trigger, dict)
               else trigger) + "." + prop
    body = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": [dep(d) for d in entry["inputs"]], "state": [dep(d) for d in entry.get("state", [])],
            "changedPropIds": [changed]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def _share(client, app, alloc: int, channel="phone"):
    button = {"type": "my-contact-share", "alloc": alloc}
    return _post(client, app, "my-list.children", button,
                 patterns={"my-contact-channel": [({"type": "my-contact-channel", "alloc": alloc}, channel)]},
                 values={"my-page": 1})


def _revoke(client, app, alloc: int):
    return _post(client, app, "my-list.children", {"type": "my-contact-revoke", "alloc": alloc},
                 input_type="my-contact-share", values={"my-page": 1})


def _citizen_send(client, app, alloc: int, text: str):
    return _post(client, app, "my-list.children", {"type": "my-msg-send", "alloc": alloc},
                 input_type="my-contact-share",
                 patterns={"my-msg-text": [({"type": "my-msg-text", "alloc": alloc}, text)]}, values={"my-page": 1})


def _chair_list(client, app, table_id: int, alloc: int):
    """The chair's accepted list searched for one contribution's number (the review callback)."""
    return _post(client, app, "table-review-list.children", "table-delivery-search", prop="value", value=str(alloc),
                 input_type="table-accept",
                 values={"table-id": table_id, "table-review-refresh": {"page": 0, "dpage": 0}})


def _chair_send(client, app, table_id: int, alloc: int, text: str):
    return _post(client, app, "table-delivery-body.children", {"type": "table-contact-msg-send", "alloc": alloc},
                 patterns={"table-contact-msg-text": [({"type": "table-contact-msg-text", "alloc": alloc}, text)]},
                 values={"table-id": table_id, "table-review-refresh": {"page": 0, "dpage": 0},
                         "table-delivery-search": str(alloc)})


def _text(resp) -> str:
    assert resp.status_code == 200, resp.data[:400]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _consent(db, alloc):
    with db.reader() as s:
        return s.scalar(select(ContactConsent).where(ContactConsent.allocation_id == alloc))


def test_the_citizen_shares_the_chair_sees_it_and_revoking_hides_it(demo_app, demo_db, world):
    alloc, health = world["alloc"], world["health"]
    owner = demo_app.test_client()
    log_in(owner, "owner@example.org", PASSWORD)
    chair = demo_app.test_client()
    log_in(chair, "chair")
    before = _text(_chair_list(chair, demo_app, health, alloc))
    assert '"data-contact": "not-shared"' in before and "راه تماس: به اشتراک گذاشته نشده" in before
    assert PHONE_FA not in before and PHONE not in before
    out = _text(_share(owner, demo_app, alloc))
    assert "فقط رئیس همین میز" in out and '"data-contact": "shared"' in out and PHONE_FA in out
    consent = _consent(demo_db, alloc)
    assert consent.channel == "phone" and consent.revoked_at is None and consent.citizen_id == world["owner"]
    seen = _text(_chair_list(chair, demo_app, health, alloc))
    assert '"data-contact": "shared"' in seen and PHONE_FA in seen
    out = _text(_revoke(owner, demo_app, alloc))
    assert '"data-contact": "not-shared"' in out
    assert PHONE_FA not in _text(_chair_list(chair, demo_app, health, alloc))
    with demo_db.reader() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "contact_consents")
                                 .order_by(AuditEvent.id)))
    assert actions == ["contact.shared", "contact.revoked"]


def test_nobody_else_shares_reads_or_writes(demo_app, demo_db, world):
    alloc, health, other = world["alloc"], world["health"], world["other_table"]
    owner = demo_app.test_client()
    log_in(owner, "owner@example.org", PASSWORD)
    assert _share(owner, demo_app, alloc).status_code == 200
    # another citizen: sharing, revoking or writing about someone else's contribution is refused, nothing changes
    citizen = demo_app.test_client()
    log_in(citizen, "citizen")
    assert _share(citizen, demo_app, alloc).status_code == 404
    assert _revoke(citizen, demo_app, alloc).status_code == 404
    assert _citizen_send(citizen, demo_app, alloc, "hello").status_code == 403
    assert _consent(demo_db, alloc).revoked_at is None
    # ... and cannot open the chair's list at all (the guard: not the chair of the table)
    assert _chair_list(citizen, demo_app, health, alloc).status_code == 403
    # another chair: not for the health table, and their own table's list does not hold it
    chair2 = demo_app.test_client()
    log_in(chair2, "chair2@example.org", PASSWORD)
    assert _chair_list(chair2, demo_app, health, alloc).status_code == 403
    theirs = _text(_chair_list(chair2, demo_app, other, alloc))
    assert PHONE_FA not in theirs and PHONE not in theirs
    assert _chair_send(chair2, demo_app, health, alloc, "hi").status_code == 403
    assert _chair_send(chair2, demo_app, other, alloc, "forged: another table's contribution").status_code == 403
    # the governorate's staff are not the chair either
    staff = demo_app.test_client()
    log_in(staff, "governorate")
    assert _chair_list(staff, demo_app, health, alloc).status_code == 403
    # anonymous: refused everywhere
    anon = demo_app.test_client()
    for resp in (_share(anon, demo_app, alloc), _revoke(anon, demo_app, alloc),
                 _citizen_send(anon, demo_app, alloc, "x"), _chair_list(anon, demo_app, health, alloc),
                 _chair_send(anon, demo_app, health, alloc, "x")):
        assert resp.status_code in (401, 403)
    with demo_db.reader() as s:
        assert s.scalar(select(ContributionMessage)) is None
    # forged ids from the owner: another citizen's allocation, text, a boolean, a huge number; a bad channel
    with demo_db.reader() as s:
        foreign = s.scalar(select(Allocation.id).join(Allocation.pledge).where(
            Allocation.status == AllocationStatus.ACCEPTED, Allocation.id != alloc)
            .where(Allocation.pledge.has(citizen_id=s.scalar(select(User.id).where(User.email == DEMO["citizen"])))))
    for forged in [foreign, "1", True, 10**30]:
        if forged is None:
            continue
        assert _share(owner, demo_app, forged).status_code in (400, 404)
    bad = _share(owner, demo_app, alloc, channel="fax")
    assert bad.status_code == 200 and "تلفن یا ایمیل" in _text(bad)


def test_messages_go_both_ways_with_notifications_and_limits(demo_app, demo_db, world):
    alloc, health = world["alloc"], world["health"]
    owner = demo_app.test_client()
    log_in(owner, "owner@example.org", PASSWORD)
    chair = demo_app.test_client()
    log_in(chair, "chair")
    with demo_db.reader() as s:
        chair_id = s.scalar(select(User.id).where(User.email == DEMO["chair"]))
    empty = _text(_citizen_send(owner, demo_app, alloc, "   "))
    assert "لطفاً پیامی بنویسید" in empty
    long = _text(_citizen_send(owner, demo_app, alloc, "x" * 1001))
    assert "۱٬۰۰۰" in long or "۱۰۰۰" in long
    out = _text(_citizen_send(owner, demo_app, alloc, "وانت را شنبه ساعت ۹ می‌آورم."))
    assert "وانت را شنبه ساعت ۹ می‌آورم." in out and "به رئیس میز اطلاع داده شد" in out
    seen = _text(_chair_send(chair, demo_app, health, alloc, "ممنون، جلوی پایگاه سلامت منتظریم."))
    assert "وانت را شنبه" in seen and "ممنون، جلوی پایگاه سلامت منتظریم." in seen
    with demo_db.reader() as s:
        msgs = list(s.scalars(select(ContributionMessage).where(ContributionMessage.allocation_id == alloc)
                              .order_by(ContributionMessage.id)))
        assert [(m.side, m.author_id) for m in msgs] == [("citizen", world["owner"]), ("chair", chair_id)]
        notes = {(n.user_id, n.params["sender"]) for n in s.scalars(
            select(Notification).where(Notification.kind == "contribution_message"))}
        assert notes == {(chair_id, "citizen"), (world["owner"], "chair")}
    my = _text(_citizen_send(owner, demo_app, alloc, "باشد."))
    assert "ممنون، جلوی پایگاه سلامت منتظریم." in my


def _switch(client, app, value):
    return _post(client, app, "account-show-name-status.children", "account-show-name", prop="value", value=value)


def test_the_name_switch_saves_the_persons_own_choice(demo_app, demo_db, world):
    owner = demo_app.test_client()
    log_in(owner, "owner@example.org", PASSWORD)
    page = rendered_text(owner, "/account")
    assert '"account-show-name"' in page and "نامم به‌طور عمومی نمایش داده شود" in page
    assert "ذخیره شد: نام شما به‌طور عمومی نمایش داده می‌شود." in _text(_switch(owner, demo_app, True))
    with demo_db.reader() as s:
        assert s.get(User, world["owner"]).show_name_publicly is True
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "user.show_name_set")
                         .order_by(AuditEvent.id.desc()))
        assert event.actor_id == world["owner"] and event.object_id == world["owner"]
    assert "نمایش داده نمی‌شود" in _text(_switch(owner, demo_app, False))
    assert _switch(owner, demo_app, "yes").status_code in (200, 204)  # not a bool: nothing saved
    with demo_db.reader() as s:
        assert s.get(User, world["owner"]).show_name_publicly is False
    anon = demo_app.test_client()
    assert _switch(anon, demo_app, True).status_code in (401, 403)
