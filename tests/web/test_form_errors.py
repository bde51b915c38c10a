"""Forms that tell people what is wrong where they look (issue 20 items 1, 2 and the minor form items), over
HTTP: the sentence at the field and again beside the button naming the field (data-error-for marks and
focuses it in the browser: tests/browser/test_form_errors.py), amounts as people type them, money without
place or window, a second look above a threshold, Persian digits in defaults and numbers."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

import models.accounts.users as accounts
from dash_app.ui import citizen_ids as ids
from models import orm
from models.core import form_tokens
from models.core.db import Database
from models.orm.pledges import Pledge
from tests.models.world import build_world
from tests.web.callbacks import post_callback, rendered_text
from tests.web.conftest import log_in

PASSWORD = "correct horse 42"


@pytest.fixture
def site(tmp_path):
    from dash_app import create_app

    db = Database(f"sqlite:///{tmp_path / 'forms.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    with db.unit_of_work() as s:
        world = build_world(s)
        accounts.create_user(s, name="Ana", login="ana@example.org", password=PASSWORD, language="en")
        accounts.create_user(s, name="Bita", login="bita@example.org", password=PASSWORD, language="fa")
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "forms"})
    yield app, db, world
    app.extensions["hamyar_db"].dispose()
    db.dispose()


def _client(app, who="ana"):
    client = app.test_client()
    log_in(client, f"{who}@example.org", password=PASSWORD)
    return client


def _form(world, **change):
    values = {ids.PLEDGE_KIND: "financial", ids.PLEDGE_QUANTITY: "۱۲۰۰۰۰۰", ids.PLEDGE_UNIT: "toman",
              ids.PLEDGE_DESCRIPTION: "", ids.PLEDGE_SKILLS: [], ids.PLEDGE_DISTRICT: None,
              ids.PLEDGE_START: "", ids.PLEDGE_END: "", ids.PLEDGE_TABLES: [world.health],
              ids.PLEDGE_ONLY_TABLES: False, ids.PLEDGE_DIVISIBLE: True, ids.PLEDGE_TOKEN: form_tokens.new_token(),
              ids.PLEDGE_BIG_OK: False, ids.PLEDGE_REVIEW: 1, ids.PLEDGE_EDIT: 0, ids.PLEDGE_CONFIRM: 1}
    values.update(change)
    return values


def _step(client, app, values, trigger=ids.PLEDGE_REVIEW):
    resp = post_callback(client, app, ids.PLEDGE_SUMMARY, values, f"{trigger}.n_clicks")
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_json()["response"]


def _pledges(db):
    with db.reader() as s:
        return list(s.scalars(select(Pledge.quantity).order_by(Pledge.id)))


# --- amounts as people type them ------------------------------------------------------------------


@pytest.mark.parametrize("typed, unit, rials", [
    ("۵۰۰ هزار", "toman", 5_000_000),
    ("۱ میلیون و ۲۰۰ هزار", "toman", 12_000_000),
    ("1.5 million", "toman", 15_000_000),
    ("۲ میلیون", "rial", 2_000_000),
    ("۱٬۲۰۰٬۰۰۰", "toman", 12_000_000),
    ("1 200 000", "toman", 12_000_000),
])
def test_amounts_in_words_and_groups_are_read(site, typed, unit, rials):
    app, db, world = site
    client = _client(app)
    _step(client, app, _form(world, **{ids.PLEDGE_QUANTITY: typed, ids.PLEDGE_UNIT: unit}), ids.PLEDGE_CONFIRM)
    assert _pledges(db) == [rials]


@pytest.mark.parametrize("typed, unit, sentence", [
    ("۱٫۵", "toman", "whole number of toman"),       # 15 rials: refused, not stored as a pledge of 1.5 toman
    ("1,5", "toman", "comma here is unclear"),         # not silently 15
    ("1,50,000", "toman", "comma here is unclear"),
    ("-5000", "toman", "must be a positive"),          # not "please type a number"
    ("−۵٬۰۰۰", "toman", "must be a positive"),        # the minus sign the form itself writes in Persian
    ("۵ هزار و ۲ میلیون", "toman", "type a number"),
])
def test_unclear_amounts_get_their_own_sentence_and_store_nothing(site, typed, unit, sentence):
    app, db, world = site
    client = _client(app)
    for trigger in (ids.PLEDGE_REVIEW, ids.PLEDGE_CONFIRM):
        shown = _step(client, app, _form(world, **{ids.PLEDGE_QUANTITY: typed, ids.PLEDGE_UNIT: unit}), trigger)
        assert sentence in str(shown[ids.PLEDGE_QUANTITY_ERROR]["children"])
    assert _pledges(db) == []


def test_the_preview_reads_words_too(site):
    app, _db, world = site
    resp = post_callback(_client(app), app, ids.PLEDGE_PREVIEW,
                         {ids.PLEDGE_QUANTITY: "۵۰۰ هزار", ids.PLEDGE_UNIT: "toman", ids.PLEDGE_KIND: "financial"},
                         f"{ids.PLEDGE_QUANTITY}.value")
    assert "500,000 toman" in json.dumps(resp.get_json())


# --- the error at the field and beside the button, naming the field ------------------------------------


def test_an_error_is_at_its_field_and_beside_the_button_naming_the_field(site):
    app, db, world = site
    shown = _step(_client(app), app, _form(world, **{ids.PLEDGE_QUANTITY: "lots"}))
    at_field = shown[ids.PLEDGE_QUANTITY_ERROR]["children"]
    beside = shown[ids.PLEDGE_ERROR]["children"]
    assert "type a number" in at_field
    assert beside["props"]["children"].startswith("Amount: ") and at_field in beside["props"]["children"]
    assert beside["props"]["data-error-for"] == ids.PLEDGE_QUANTITY   # the script marks and focuses it
    assert beside["props"]["role"] == "alert"
    # a logistics pledge without its description names that field
    shown = _step(_client(app, "bita"), app, _form(world, **{ids.PLEDGE_KIND: "execution", ids.PLEDGE_QUANTITY: "۳",
                                                             ids.PLEDGE_START: "1405/13/40",
                                                             ids.PLEDGE_END: "1405/12/01"}))
    beside = shown[ids.PLEDGE_ERROR]["children"]["props"]
    assert beside["data-error-for"] == ids.PLEDGE_START and "زمانی" in beside["children"]  # «چه زمانی …»
    assert _pledges(db) == []


def test_every_field_error_names_its_input_for_aria(site):
    """Each error region carries data-error-for, so aria-invalid and aria-describedby can point both ways."""
    app, _db, _world = site
    page = rendered_text(_client(app), "/pledge")
    for error_id, field_id in ((ids.PLEDGE_QUANTITY_ERROR, ids.PLEDGE_QUANTITY),
                               (ids.PLEDGE_DESCRIPTION_ERROR, ids.PLEDGE_DESCRIPTION),
                               (ids.PLEDGE_WINDOW_ERROR, ids.PLEDGE_START), (ids.PLEDGE_TABLES_ERROR, ids.PLEDGE_TABLES),
                               (ids.PLEDGE_DISTRICT_ERROR, ids.PLEDGE_DISTRICT)):
        assert f'"data-error-for": "{field_id}", "id": "{error_id}"' in page or \
            f'"id": "{error_id}", "className": "invalid-feedback d-block", "role": "alert", "data-error-for": "{field_id}"' \
            in page or (error_id in page and f'"data-error-for": "{field_id}"' in page), error_id


# --- money asks neither where nor when --------------------------------------------------------------


def test_money_hides_place_and_window_and_clears_them(site):
    app, _db, _world = site
    client = _client(app)
    resp = post_callback(client, app, ids.PLEDGE_KIND_HELP, {ids.PLEDGE_KIND: "financial"}, f"{ids.PLEDGE_KIND}.value")
    out = resp.get_json()["response"]
    assert out[f"{ids.PLEDGE_DISTRICT}-row"]["style"] == {"display": "none"}
    assert out[ids.PLEDGE_WINDOW_ROW]["style"] == {"display": "none"}
    assert out[ids.PLEDGE_DISTRICT]["value"] is None and out[ids.PLEDGE_START]["value"] == ""
    resp = post_callback(client, app, ids.PLEDGE_KIND_HELP, {ids.PLEDGE_KIND: "execution"}, f"{ids.PLEDGE_KIND}.value")
    out = resp.get_json()["response"]
    assert out[f"{ids.PLEDGE_DISTRICT}-row"]["style"] == {} and out[ids.PLEDGE_WINDOW_ROW]["style"] == {}
    assert ids.PLEDGE_START not in out            # what was typed for work stays
    # and the page drawn for money (the default kind) starts with both hidden
    page = json.loads(rendered_text(client, "/pledge"))

    def find(node, wanted):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == wanted:
                return node
            for v in node.values():
                hit = find(v, wanted)
                if hit:
                    return hit
        if isinstance(node, list):
            for v in node:
                hit = find(v, wanted)
                if hit:
                    return hit
        return None

    assert find(page, ids.PLEDGE_WINDOW_ROW)["props"]["style"] == {"display": "none"}
    assert find(page, f"{ids.PLEDGE_DISTRICT}-row")["props"]["style"] == {"display": "none"}


# --- a second look above the threshold ----------------------------------------------------------------


def test_a_huge_amount_needs_a_second_look_before_it_is_saved(site):
    app, db, world = site
    client = _client(app)
    huge = {ids.PLEDGE_QUANTITY: "12000000000000"}                 # 12 trillion toman
    shown = _step(client, app, _form(world, **huge))
    assert shown[ids.PLEDGE_BIG_ROW]["style"] == {}
    assert "Yes, I really mean 12,000,000,000,000 toman" in shown[ids.PLEDGE_BIG_OK]["label"]
    shown = _step(client, app, _form(world, **huge), ids.PLEDGE_CONFIRM)
    assert "tick the box" in json.dumps(shown[ids.PLEDGE_SUMMARY_ERROR]["children"])
    assert shown[ids.PLEDGE_REVIEW_PANEL]["style"] == {}            # still on the review, beside the button
    assert _pledges(db) == []
    _step(client, app, _form(world, **huge, **{ids.PLEDGE_BIG_OK: True}), ids.PLEDGE_CONFIRM)
    assert _pledges(db) == [120_000_000_000_000]
    # an ordinary amount asks nothing
    shown = _step(client, app, _form(world))
    assert shown[ids.PLEDGE_BIG_ROW]["style"] == {"display": "none"}


# --- digits ----------------------------------------------------------------------------------------


def test_the_saved_pledges_number_has_no_separators_and_the_steps_persian_numbers(site):
    app, db, world = site
    from dash_app.pages.citizen.pledge import done_panel

    with app.test_request_context("/", headers={"Cookie": "hamyar_lang=fa"}):
        from flask import g

        g.hamyar_language = "fa"
        panel = done_panel(5001, "fa")
    text = json.dumps(panel.to_plotly_json(), ensure_ascii=False, default=lambda o: o.to_plotly_json())
    assert "۵۰۰۱" in text and "۵٬۰۰۱" not in text
    assert '"listStyleType": "persian"' in text


# --- the table editor and /admin ---------------------------------------------------------------------


def _staff_and_chair(db, world):
    from models.accounts.users import hash_password
    from models.audit.log import record
    from models.orm.people import User

    with db.unit_of_work() as s:
        chair = s.get(User, world.chair)
        chair.password_hash = hash_password(PASSWORD)
        chair.language = "en"
        record(s, None, "user.login_set_for_tests", chair)
        accounts.create_user(s, name="Staff", login="staff@example.org", password=PASSWORD, language="en",
                             is_governorate=True)


def _key_with(app, fragment):
    keys = [k for k in app.extensions["hamyar_dash"].callback_map if fragment in k]
    assert len(keys) == 1, keys
    return keys[0]


def _post_key(client, app, key, values, trigger):
    from tests.web.conftest import csrf

    entry = app.extensions["hamyar_dash"].callback_map[key]

    def dep(d):
        return {"id": d["id"], "property": d["property"], "value": values.get(d["id"])}

    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop.split("@")[0]})
    body = {"output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"] if not d["id"].startswith("{")]
            + [[] for d in entry["inputs"] if d["id"].startswith("{")],
            "state": [dep(d) if not d["id"].startswith("{") else [] for d in entry.get("state", [])],
            "changedPropIds": [trigger]}
    # keep the inputs' order as registered
    body["inputs"] = [dep(d) if not d["id"].startswith("{") else [] for d in entry["inputs"]]
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def test_the_editor_names_the_missing_field_beside_the_save_button(site):
    from dash_app.pages.table import ids as tids
    from models.orm.projects import Project

    app, db, world = site
    _staff_and_chair(db, world)
    chair = app.test_client()
    log_in(chair, "chair@example.org", password=PASSWORD)
    chair.set_cookie("hamyar_lang", "en")
    app.test_client().get("/")
    key = _key_with(app, f"{tids.EDITOR_FORM_ERROR}.children")
    values = {tids.PROJECT_KIND: "problem", tids.PROJECT_TITLE: "آب روستا", tids.PROJECT_PROBLEM: "",
              tids.PROJECT_HORIZON: "medium", tids.PROJECT_PRIORITY: "۵", tids.PROJECT_COST: "۰",
              tids.TABLE_ID: world.health, tids.EDITOR_TOKEN: form_tokens.new_token(), tids.PROJECT_SAVE: 1}
    with db.reader() as s:
        before = s.scalar(select(func.count()).select_from(Project))
    resp = _post_key(chair, app, key, values, f"{tids.PROJECT_SAVE}.n_clicks")
    assert resp.status_code == 200, resp.data[:300]
    beside = resp.get_json()["response"][tids.EDITOR_FORM_ERROR]["children"]["props"]
    assert beside["data-error-for"] == tids.PROJECT_PROBLEM
    assert beside["children"].startswith("The problem: ") and "fill in" in beside["children"]
    assert "fill in" in resp.get_json()["sideUpdate"][f"{tids.PROJECT_PROBLEM}-error"]["children"]
    # a cost that is not a number says toman, beside a field labelled toman
    resp = _post_key(chair, app, key, {**values, tids.PROJECT_PROBLEM: "آب نیست", tids.PROJECT_COST: "-3"},
                     f"{tids.PROJECT_SAVE}.n_clicks")
    beside = resp.get_json()["response"][tids.EDITOR_FORM_ERROR]["children"]["props"]
    assert beside["data-error-for"] == tids.PROJECT_COST and "toman" in beside["children"]
    assert "rial" not in beside["children"]
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == before


@pytest.mark.parametrize("typed", ["abc", "100", "0", "61"])
def test_election_days_follow_one_rule_on_the_table_page_and_admin(site, typed):
    from dash_app.pages.table import ids as tids
    from dash_app.ui import governorate_ids as gid

    app, db, world = site
    _staff_and_chair(db, world)
    staff = app.test_client()
    log_in(staff, "staff@example.org", password=PASSWORD)
    app.test_client().get("/")
    table_key = next(k for k in app.extensions["hamyar_dash"].callback_map
                     if tids.ELECTION_ALERT in k and any(d["id"] == tids.ELECTION_DAYS
                                                         for d in app.extensions["hamyar_dash"].callback_map[k]["state"]))
    resp = _post_key(staff, app, table_key, {tids.ELECTION_OPEN: 1, tids.ELECTION_DAYS: typed,
                                             tids.TABLE_ID: world.health}, f"{tids.ELECTION_OPEN}.n_clicks")
    assert "1 to 60 days" in json.dumps(resp.get_json()), resp.data[:300]
    admin_key = next(k for k in app.extensions["hamyar_dash"].callback_map
                     if any(d["id"] == gid.AD_E_DAYS for d in app.extensions["hamyar_dash"].callback_map[k]["state"]))
    resp = _post_key(staff, app, admin_key, {gid.AD_E_OPEN: 1, gid.AD_E_DAYS: typed, gid.AD_E_TABLE: str(world.health),
                                             gid.AD_REFRESH: 0}, f"{gid.AD_E_OPEN}.n_clicks")
    assert "1 to 60 days" in json.dumps(resp.get_json()), resp.data[:300]


def test_form_defaults_are_in_persian_digits(site):
    app, db, world = site
    _staff_and_chair(db, world)
    chair = app.test_client()
    log_in(chair, "chair@example.org", password=PASSWORD)
    with db.unit_of_work() as s:
        from models.audit.log import record
        from models.orm.people import User

        user = s.get(User, world.chair)
        user.language = "fa"
        record(s, None, "user.language_set_for_tests", user)
    page = rendered_text(chair, f"/tables/{world.health}")
    from dash_app.pages.table import ids as tids

    assert f'"id": "{tids.PROJECT_PRIORITY}", "value": "۵"' in page or ('"value": "۵"' in page and tids.PROJECT_PRIORITY in page)
    assert '"value": "5"' not in page


# --- logging in from a project, filters, pages -------------------------------------------------------


def test_logging_in_from_a_project_keeps_the_project(site):
    from urllib.parse import unquote

    app, _db, world = site
    client = app.test_client()
    page = rendered_text(client, f"/pledge?project={world.project}")   # an anonymous click on "Offer help"
    assert f"/login?next=/pledge%3Fproject%3D{world.project}" in page
    login_page = rendered_text(client, f"/login?next={unquote('/pledge%3Fproject%3D' + str(world.project))}")
    assert f'"value": "/pledge?project={world.project}"' in login_page
    from tests.web.conftest import csrf

    resp = client.post("/login", data={"csrf_token": csrf(client), "login": "ana@example.org", "password": PASSWORD,
                                       "next": f"/pledge?project={world.project}"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/pledge?project={world.project}")


def test_filter_dropdowns_show_all_on_load(site):
    app, _db, _world = site
    page = json.loads(rendered_text(app.test_client(), "/projects"))
    selects = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Select":
                selects.append(node["props"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(page)
    filters = [p for p in selects if p.get("value") == ""]
    assert len(filters) == 4
    for props in filters:  # the hidden option dbc.Select draws for value "" says «All …», not nothing
        assert props["placeholder"] and props["placeholder"] == props["options"][0]["label"]


def test_the_pager_never_hides_a_single_page_and_says_when_a_page_is_past_the_end(site):
    from dash_app.ui.pager import pager

    app, _db, _world = site
    with app.test_request_context("/"):
        from flask import g

        g.hamyar_language = "en"
        nav = pager(1, 4, lambda n: f"/projects?page={n}", id="p", label="Pages")
        text = json.dumps(nav.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
        assert "…" not in text and '"3"' in text          # 1 2 3 4, not 1 2 … 4
        nav = pager(1, 9, lambda n: f"/projects?page={n}", id="p", label="Pages")
        assert "…" in json.dumps(nav.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    page = rendered_text(app.test_client(), "/projects?page=99")
    assert "There is no page 99" in page or "صفحهٔ" in page


def test_date_fields_show_the_format_not_a_date(site):
    app, _db, _world = site
    from dash_app.ui.dates import date_placeholder

    with app.test_request_context("/"):
        from flask import g

        g.hamyar_language = "fa"
        assert date_placeholder("fa") == "سال/ماه/روز"
    assert date_placeholder("en") == "yyyy-mm-dd"
    page = rendered_text(_client(app), "/pledge")
    assert "۱۴۰۵/۰۹/۱۵" not in page and "2026-12-06" not in page


def test_admin_names_the_missing_english_name_and_the_audit_number_error_is_a_number_error(site):
    from dash_app.ui import governorate_ids as gid
    from models.orm.tables import Table

    app, db, world = site
    _staff_and_chair(db, world)
    staff = app.test_client()
    log_in(staff, "staff@example.org", password=PASSWORD)
    app.test_client().get("/")
    key = _key_with(app, f"{gid.AD_T_ERROR}.children")
    with db.reader() as s:
        before = s.scalar(select(func.count()).select_from(Table))
    resp = _post_key(staff, app, key, {gid.AD_T_SAVE: 1, gid.AD_T_SELECT: "", gid.AD_T_NAME_FA: "میز آب",
                                       gid.AD_T_NAME_EN: "", gid.AD_T_DESC_FA: "", gid.AD_T_DESC_EN: "",
                                       gid.AD_REFRESH: 0}, f"{gid.AD_T_SAVE}.n_clicks")
    beside = resp.get_json()["response"][gid.AD_T_ERROR]["children"]["props"]
    assert beside["data-error-for"] == gid.AD_T_NAME_EN
    assert beside["children"].startswith("Name in English: ") and "fill in" in beside["children"]
    at_field = resp.get_json()["sideUpdate"]                          # and under the field itself
    assert "fill in" in at_field[f"{gid.AD_T_NAME_EN}-error"]["children"]
    assert at_field[f"{gid.AD_T_NAME_FA}-error"]["children"] == ""
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Table)) == before
    audit_key = _key_with(app, f"{gid.AU_ERROR}.children")
    resp = _post_key(staff, app, audit_key, {gid.AU_OBJECT_ID: "abc", gid.AU_PAGE: 1}, f"{gid.AU_OBJECT_ID}.value")
    error = resp.get_json()["response"][gid.AU_ERROR]["children"]["props"]
    assert "whole number" in error["children"] and "fill in" not in error["children"]
    assert error["data-error-for"] == gid.AU_OBJECT_ID


# --- the chair's dialogs: their error inside them, and which contribution -----------------------------


def _review_post(client, app, values: dict, trigger_id, table_id):
    """review_action as the renderer sends it; `trigger_id` a plain id or a pattern id dict (pressed once)."""
    from dash_app.pages.table import ids as tids
    from tests.web.conftest import csrf

    key = next(k for k in app.extensions["hamyar_dash"].callback_map if f"{tids.REVIEW_LIST}.children" in k
               and f"{tids.REJECT_MODAL}.is_open" in k)
    entry = app.extensions["hamyar_dash"].callback_map[key]
    values = {**values, tids.TABLE_ID: table_id}

    def dep(d):
        cid = d["id"]
        if cid.startswith("{"):
            pattern = json.loads(cid)
            if isinstance(trigger_id, dict) and pattern.get("type") == trigger_id["type"] and d["property"] == "n_clicks":
                return [{"id": trigger_id, "property": "n_clicks", "value": 1}]
            return []
        return {"id": cid, "property": d["property"], "value": values.get(cid, 1 if cid == trigger_id else None)}

    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop.split("@")[0]})
    changed = (json.dumps(trigger_id, separators=(",", ":"), sort_keys=True) if isinstance(trigger_id, dict)
               else trigger_id) + ".n_clicks"
    body = {"output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
            "state": [dep(d) for d in entry["state"]], "changedPropIds": [changed]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200, resp.data[:400]
    return resp.get_json()


def test_the_reject_and_delivery_dialogs_keep_their_errors_inside_and_say_which_contribution(site):
    from dash_app.pages.table import ids as tids
    from models.audit.log import record
    from models.core.enums import AllocationStatus
    from models.orm.pledges import Allocation
    from models.pledging.pledges import PledgeInput, create_pledge

    app, db, world = site
    _staff_and_chair(db, world)
    with db.unit_of_work() as s:
        pledge = create_pledge(s, world.citizen, PledgeInput(kind="financial", quantity=5_000_000))
        proposed = Allocation(pledge_id=pledge.id, need_id=world.money_need, quantity=5_000_000,
                              status=AllocationStatus.PROPOSED)
        s.add(proposed)
        record(s, None, "allocation.proposed", proposed)
        s.flush()
        alloc, version = proposed.id, proposed.version
    chair = app.test_client()
    log_in(chair, "chair@example.org", password=PASSWORD)
    reject_id = {"alloc": alloc, "type": tids.REJECT_TYPE, "v": version}
    opened = _review_post(chair, app, {tids.REVIEW_REFRESH: {"page": 0}}, reject_id, world.health)
    assert opened["response"][tids.REJECT_MODAL]["is_open"] is True
    which = opened["sideUpdate"][tids.REJECT_TARGET]["children"]
    assert "500,000 toman" in which and "Health post" in which and f"no. {alloc}" in which
    memo = opened["response"][tids.REVIEW_REFRESH]["data"]
    refused = _review_post(chair, app, {tids.REVIEW_REFRESH: memo, tids.REJECT_REASON: "  "}, tids.REJECT_CONFIRM,
                           world.health)
    assert refused["response"][tids.REJECT_MODAL]["is_open"] is True
    assert refused["sideUpdate"][tids.REJECT_ERROR]["children"]           # the sentence inside the dialog
    assert tids.REVIEW_ALERT not in refused["response"]                   # nothing behind it
    with db.reader() as s:
        assert s.get(Allocation, alloc).status is AllocationStatus.PROPOSED
    # the delivery dialog: a bad date keeps it open, the date as typed, the sentence inside
    memo = {**memo, "deliver": {"alloc": alloc, "v": version}}
    bad = _review_post(chair, app, {tids.REVIEW_REFRESH: memo, tids.DELIVER_DATE: "1405/13/40"}, tids.DELIVER_CONFIRM,
                       world.health)
    assert bad["response"][tids.DELIVER_MODAL]["is_open"] is True
    assert tids.DELIVER_DATE not in bad["response"]
    assert "valid date" in bad["sideUpdate"][tids.DELIVER_ERROR]["children"]
    assert tids.REVIEW_ALERT not in bad["response"]


def test_admin_defaults_are_in_persian_digits(site):
    from dash_app.pages.pb import ids as pids
    from dash_app.ui import governorate_ids as gid
    from models.audit.log import record
    from models.orm.people import User

    app, db, world = site
    _staff_and_chair(db, world)
    with db.unit_of_work() as s:
        staff = s.scalar(select(User).where(User.email == "staff@example.org"))
        staff.language = "fa"
        record(s, None, "user.language_set_for_tests", staff)
    client = app.test_client()
    log_in(client, "staff@example.org", password=PASSWORD)
    admin = json.loads(rendered_text(client, "/admin"))
    pb = json.loads(rendered_text(client, "/admin/pb"))

    def value_of(node, wanted):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == wanted and "value" in node["props"]:
                return node["props"]["value"]
            for v in node.values():
                found = value_of(v, wanted)
                if found is not None:
                    return found
        elif isinstance(node, list):
            for v in node:
                found = value_of(v, wanted)
                if found is not None:
                    return found
        return None

    assert value_of(admin, gid.AD_E_DAYS) == "۱۴"
    assert value_of(pb, pids.PB_K) == "۳"
