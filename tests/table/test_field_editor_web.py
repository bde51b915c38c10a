"""Issue 20's editor items through the callbacks, as the browser posts them: a need's Jalali window, its edit
and removal, the logistics item refused at its field, the collapsed add-need form; a citizen editing a pledge
from /my; the governorate changing an election's quorum until the first ballot."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

import models.accounts.users as accounts
from dash_app.pages.table import ids
from dash_app.ui import citizen_ids as cids
from models import orm
from models.audit.log import record
from models.core import form_tokens
from models.core.db import Database
from models.core.enums import AllocationStatus
from models.orm.base import utcnow
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need
from models.pledging.pledges import PledgeInput, create_pledge
from models.tables.elections import cast_ballot, nominate, open_election
from tests.models.world import build_world
from tests.web.callbacks import post_callback, rendered_text
from tests.web.conftest import PASSWORD, csrf, log_in


def pattern(type_: str, key: str) -> str:
    """The id of an ALL pattern as Dash's callback map spells it."""
    return json.dumps({key: ["ALL"], "type": type_}, sort_keys=True, separators=(",", ":"))


def post_by_input(client, app, input_type: str, values: dict, trigger: str):
    """POST the one callback one of whose inputs is `input_type` (several callbacks write the same outputs)."""
    app.test_client().get("/")
    cmap = app.extensions["hamyar_dash"].callback_map
    keys = [k for k, e in cmap.items() if any(f'"{input_type}"' in d["id"] for d in e["inputs"])]
    assert len(keys) == 1, keys
    entry = cmap[keys[0]]

    def dep(d):
        cid = d["id"]
        if cid.startswith("{"):
            return values.get(cid, [])
        return {"id": cid, "property": d["property"], "value": values.get(cid)}

    outputs = [{"id": k.split(".")[0], "property": k.split(".")[-1].split("@")[0]}
               for k in keys[0].strip(".").split("...")]
    return client.post("/_dash-update-component", headers={"X-CSRFToken": csrf(client)}, json={
        "output": keys[0], "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
        "state": [dep(d) for d in entry.get("state", [])], "changedPropIds": [trigger]})


def each(type_: str, key: str, values: dict, prop: str = "value") -> list[dict]:
    return [{"id": {key: k, "type": type_}, "property": prop, "value": v} for k, v in values.items()]


@pytest.fixture
def site(tmp_path):
    from dash_app import create_app

    first = Database(f"sqlite:///{tmp_path / 'editor.sqlite3'}")
    orm.Base.metadata.create_all(first.engine)
    with first.unit_of_work() as s:
        world = build_world(s)
        for uid in (world.chair, world.citizen):
            u = s.get(User, uid)
            u.password_hash = accounts.hash_password(PASSWORD)
            u.language = "fa"
            record(s, None, "user.login_set_for_tests", u)
        accounts.create_user(s, name="Staff", login="staff@example.org", password=PASSWORD, language="en",
                             is_governorate=True)
    first.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": first.url, "SECRET_KEY": "editor"})
    db = app.extensions["hamyar_db"]
    yield app, db, world
    db.dispose()


def _client(app, login):
    client = app.test_client()
    log_in(client, login, password=PASSWORD)
    return client


def _text(resp) -> str:
    assert resp.status_code == 200, resp.data[:400]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _add_need(client, app, world, **fields):
    pid = world.project
    values = {ids.TABLE_ID: world.health, ids.EDITOR_TOKEN: form_tokens.new_token(),
              pattern(ids.NEED_ADD_TYPE, "project"): each(ids.NEED_ADD_TYPE, "project", {pid: 1}, "n_clicks")}
    for type_, value in ((ids.NEED_KIND_TYPE, fields.get("kind", "design")), (ids.NEED_QTY_TYPE, fields.get("qty")),
                         (ids.NEED_DESC_TYPE, fields.get("desc", "")), (ids.NEED_SKILLS_TYPE, []),
                         (ids.NEED_ITEM_TYPE, None), (ids.NEED_ACCEPTS_TYPE, []),
                         (ids.NEED_START_TYPE, fields.get("start", "")), (ids.NEED_END_TYPE, fields.get("end", ""))):
        values[pattern(type_, "project")] = each(type_, "project", {pid: value})
    trigger = json.dumps({"project": pid, "type": ids.NEED_ADD_TYPE}, separators=(",", ":")) + ".n_clicks"
    return post_callback(client, app, ids.EDITOR_TOKEN, values, trigger, prop="data")


def test_a_need_gets_a_jalali_window_shown_on_the_project_page_and_a_bad_one_is_refused_at_its_field(site):
    app, db, world = site
    chair = _client(app, "chair@example.org")
    added = _text(_add_need(chair, app, world, qty="۴۰", desc="طراح سازه", start="۱۴۰۵/۱۱/۱۲", end="۱۴۰۵/۱۲/۰۱"))
    assert "نیاز افزوده شد" in added and "زمان: ۱۴۰۵/۱۱/۱۲ تا ۱۴۰۵/۱۲/۰۱" in added
    with db.reader() as s:
        need = s.scalar(select(Need).where(Need.description == "طراح سازه"))
        assert (need.window_start, need.window_end) == (date(2027, 2, 1), date(2027, 2, 20))
    assert "زمان: ۱۴۰۵/۱۱/۱۲ تا ۱۴۰۵/۱۲/۰۱" in rendered_text(chair, f"/projects/{world.project}")
    inverted = _add_need(chair, app, world, qty="5", start="1405/12/01", end="1405/11/12")
    side = inverted.get_json()["sideUpdate"]
    window_err = side[f"{ids.need_field_id('window', world.project)}-error"]["children"]
    assert "پایان" in window_err  # «تاریخ پایان نمی‌تواند پیش از آغاز باشد»
    beside = json.dumps(side[ids.need_field_id("add-error", world.project)], ensure_ascii=False)
    assert "زمان (از–تا)" in beside  # beside the button, naming the field
    assert ids.EDITOR_LIST not in inverted.get_json()["response"]  # not redrawn: the open form keeps what was typed


def test_a_logistics_need_without_an_item_is_refused_at_the_item_field(site):
    app, _db, world = site
    chair = _client(app, "chair@example.org")
    side = _add_need(chair, app, world, kind="logistics", qty="3", desc="وانت").get_json()["sideUpdate"]
    assert "از فهرست" in side[f"{ids.need_field_id('item', world.project)}-error"]["children"]
    assert side[f"{ids.need_field_id('quantity', world.project)}-error"]["children"] == ""


def test_the_add_need_form_is_collapsed_behind_a_button_on_phones(site):
    app, _db, world = site
    page = rendered_text(_client(app, "chair@example.org"), f"/tables/{world.health}")
    form_id = ids.need_form_id(world.project)
    assert f'"id": "{form_id}"' in page and '"className": "collapse d-md-block"' in page
    assert f'"data-bs-target": "#{form_id}"' in page and "افزودن یک نیاز" in page


def _save_need(client, app, world, need_id, version, desc, start="", end=""):
    values = {ids.TABLE_ID: world.health,
              pattern(ids.NEED_EDIT_DESC_TYPE, "need"): each(ids.NEED_EDIT_DESC_TYPE, "need", {need_id: desc}),
              pattern(ids.NEED_EDIT_SKILLS_TYPE, "need"): each(ids.NEED_EDIT_SKILLS_TYPE, "need",
                                                               {need_id: [world.nursing]}),
              pattern(ids.NEED_EDIT_START_TYPE, "need"): each(ids.NEED_EDIT_START_TYPE, "need", {need_id: start}),
              pattern(ids.NEED_EDIT_END_TYPE, "need"): each(ids.NEED_EDIT_END_TYPE, "need", {need_id: end})}
    trigger_id = {"need": need_id, "type": ids.NEED_UPDATE_TYPE, "v": version}
    values[json.dumps({"need": ["ALL"], "type": ids.NEED_UPDATE_TYPE, "v": ["ALL"]}, sort_keys=True,
                      separators=(",", ":"))] = [{"id": trigger_id, "property": "n_clicks", "value": 1}]
    return post_by_input(client, app, ids.NEED_UPDATE_TYPE, values,
                         json.dumps(trigger_id, sort_keys=True, separators=(",", ":")) + ".n_clicks")


def test_a_needs_description_and_window_are_edited_and_a_stale_edit_is_refused(site):
    app, db, world = site
    chair = _client(app, "chair@example.org")
    with db.reader() as s:
        version = s.get(Need, world.hours_need).version
    saved = _text(_save_need(chair, app, world, world.hours_need, version, "پرستار شب", "2027-03-01", "2027-03-31"))
    assert "نیاز ذخیره شد" in saved and "پرستار شب" in saved
    with db.reader() as s:
        need = s.get(Need, world.hours_need)
        assert need.description == "پرستار شب" and need.window_end == date(2027, 3, 31)
    stale = _text(_save_need(chair, app, world, world.hours_need, version, "دیگر"))
    assert "کس دیگری این نیاز را تغییر داد" in stale
    with db.reader() as s:
        assert s.get(Need, world.hours_need).description == "پرستار شب"


def _remove(client, app, world, need_id, version):
    trigger_id = {"need": need_id, "type": ids.NEED_REMOVE_TYPE, "v": version}
    values = {ids.TABLE_ID: world.health,
              json.dumps({"need": ["ALL"], "type": ids.NEED_REMOVE_TYPE, "v": ["ALL"]}, sort_keys=True,
                         separators=(",", ":")): [{"id": trigger_id, "property": "submit_n_clicks", "value": 1}]}
    return post_by_input(client, app, ids.NEED_REMOVE_TYPE, values,
                         json.dumps(trigger_id, sort_keys=True, separators=(",", ":")) + ".submit_n_clicks")


def _pledge_with(db, world, status, quantity=30):
    with db.unit_of_work() as s:
        p = create_pledge(s, world.citizen, PledgeInput(kind="execution", quantity=quantity))
        a = Allocation(pledge_id=p.id, need_id=world.hours_need, quantity=quantity, status=status)
        s.add(a)
        record(s, None, "test", a)
        s.flush()
        return p.id, a.id


def test_removing_a_need_confirms_then_withdraws_its_proposals_and_refuses_with_accepted_help(site):
    app, db, world = site
    chair = _client(app, "chair@example.org")
    _pledge_id, proposal = _pledge_with(db, world, AllocationStatus.PROPOSED)
    page = rendered_text(chair, f"/tables/{world.health}")
    assert "۱ پیشنهاد تطبیق آن پس گرفته می‌شود و به ۱ شهروند صاحب آن‌ها خبر داده می‌شود" in page  # the confirmation
    with db.reader() as s:
        version = s.get(Need, world.hours_need).version
    accepted = _pledge_with(db, world, AllocationStatus.ACCEPTED, 10)
    refused = _text(_remove(chair, app, world, world.hours_need, version))
    assert "این نیاز را نمی‌توان حذف کرد" in refused
    with db.unit_of_work() as s:  # the chair takes the accepted help back out of the way (test set-up)
        s.get(Allocation, accepted[1]).status = AllocationStatus.REJECTED
        s.get(Allocation, accepted[1]).reject_reason = "test"
        record(s, None, "test", s.get(Allocation, accepted[1]))
    done = _text(_remove(chair, app, world, world.hours_need, version))
    assert "نیاز حذف شد؛ ۱ پیشنهاد تطبیق پس گرفته شد" in done
    with db.reader() as s:
        assert s.get(Need, world.hours_need).removed_at is not None
        assert s.get(Allocation, proposal).status is AllocationStatus.WITHDRAWN
    assert f'"data-need": "{world.hours_need}"' not in done


# --- a citizen edits a pledge ----------------------------------------------------------------------------


def _save_pledge(client, app, pledge_id, version, quantity, start="", end="", note=""):
    values = {cids.PE_SAVE: 1, cids.PE_ID: pledge_id, cids.PE_VERSION: version, cids.PE_QUANTITY: quantity,
              cids.PE_DISTRICT: None, cids.PE_START: start, cids.PE_END: end, cids.PE_NOTE: note}
    return post_callback(client, app, cids.PE_BODY, values, f"{cids.PE_SAVE}.n_clicks", prop="children")


def test_a_citizen_edits_a_pledge_from_my_and_a_stale_form_is_refused(site):
    app, db, world = site
    citizen = _client(app, "citizen@example.org")
    pledge_id, proposal = _pledge_with(db, world, AllocationStatus.PROPOSED, 30)
    my = rendered_text(citizen, "/my")
    assert f"/my/pledges/{pledge_id}/edit" in my
    form = rendered_text(citizen, f"/my/pledges/{pledge_id}/edit")
    assert "ویرایش پیشنهاد کمک" in form and '"value": "۳۰"' in form
    with db.reader() as s:
        version = s.get(Pledge, pledge_id).version
    lowered = _text(_save_pledge(citizen, app, pledge_id, version, "۲۰", note="عصرها"))
    assert "پیشنهاد کمک شما ذخیره شد" in lowered and "۱ پیشنهاد تطبیق دیگر جا نمی‌شد" in lowered
    with db.reader() as s:
        assert (s.get(Pledge, pledge_id).quantity, s.get(Pledge, pledge_id).description) == (20, "عصرها")
        assert s.get(Allocation, proposal).status is AllocationStatus.WITHDRAWN
    stale = _text(_save_pledge(citizen, app, pledge_id, version, "۲۵"))
    assert "پس از باز کردن این صفحه تغییر کرده است" in stale
    bad = _save_pledge(citizen, app, pledge_id, version + 5, "abc").get_json()
    assert "sideUpdate" in bad and bad["sideUpdate"][f"{cids.PE_QUANTITY}-error"]["children"]
    other = _client(app, "chair@example.org")  # not theirs: refused, nothing changes
    assert _save_pledge(other, app, pledge_id, version, "99").status_code == 403


# --- the governorate changes the quorum until the first ballot -------------------------------------------


def test_the_quorum_is_changed_on_admin_until_the_first_ballot(site):
    app, db, world = site
    from dash_app.pages.governorate import admin

    with db.reader() as s:
        staff_id = s.scalar(select(User.id).where(User.is_governorate.is_(True)))
    with db.unit_of_work() as s:
        eid = open_election(s, staff_id, world.health, utcnow() + timedelta(days=7)).id
    staff = _client(app, "staff@example.org")

    def change(pct):
        values = {"adm-refresh": 0,
                  pattern(admin.AD_E_QUORUM_SET, "election"): each(admin.AD_E_QUORUM_SET, "election", {eid: 1},
                                                                   "n_clicks"),
                  pattern(admin.AD_E_QUORUM_EDIT, "election"): each(admin.AD_E_QUORUM_EDIT, "election", {eid: pct})}
        trigger = json.dumps({"election": eid, "type": admin.AD_E_QUORUM_SET}, separators=(",", ":")) + ".n_clicks"
        return _text(post_by_input(staff, app, admin.AD_E_QUORUM_SET, values, trigger))

    assert "The quorum is now 75% of the members" in change("75")
    with db.unit_of_work() as s:
        cast_ballot(s, world.member, eid, [nominate(s, world.member, eid).id])
    assert "The quorum can no longer be changed" in change("10")
