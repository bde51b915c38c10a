"""The citizen's pages over HTTP: what a person types wrong gets a sentence; what only a forgery sends gets a 4xx.

Each case also proves that nothing changed in the database.
"""
from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

import models.accounts.users as accounts
from dash_app.ui import citizen_ids as ids
from dash_app.ui import ids as shell_ids
from models import orm
from models.core.db import Database
from models.orm.audit_event import AuditEvent
from models.orm.pledges import Pledge
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world
from tests.web.callbacks import callback_key, post_callback
from tests.web.conftest import csrf, log_in

PASSWORD = "correct horse 42"
# Who reads in which language (a signed-in person's own choice wins over the language cookie).
PEOPLE = {"ana": ("ana@example.org", "en"), "bob": ("bob@example.org", "en"), "cara": ("cara@example.org", "fa")}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The small county with three citizens, built once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("citizen-web") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    orm.Base.metadata.create_all(db.engine)
    with db.unit_of_work() as s:
        world = build_world(s)
        users = {k: accounts.create_user(s, name=k.title(), login=login, password=PASSWORD, language=lang).id
                 for k, (login, lang) in PEOPLE.items()}
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path, world, users


@pytest.fixture
def site(template, tmp_path):
    path, world, users = template
    copy = tmp_path / "citizen-web.sqlite3"
    shutil.copyfile(path, copy)
    db = Database(f"sqlite:///{copy}")
    from dash_app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "citizen"})
    yield app, db, world, users
    app.extensions["hamyar_db"].dispose()
    db.dispose()


def _post(client, app, output_id, values: dict, trigger: str):
    """POST a callback as Dash's renderer would, with `values` for its inputs and states (by component id)."""
    return post_callback(client, app, output_id, values, trigger)


def _signed_in(app, who="ana"):
    client = app.test_client()
    log_in(client, PEOPLE[who][0], password=PASSWORD)
    return client


def _counts(db):
    with db.reader() as s:
        return (s.scalar(select(func.count()).select_from(Pledge)), s.scalar(select(func.count()).select_from(AuditEvent)),
                s.scalar(select(func.sum(Pledge.withdrawn_quantity))))


def _form(world, **change):
    values = {ids.PLEDGE_KIND: "financial", ids.PLEDGE_QUANTITY: "۱۲۰۰۰۰۰", ids.PLEDGE_UNIT: "toman",
              ids.PLEDGE_DESCRIPTION: "", ids.PLEDGE_SKILLS: [], ids.PLEDGE_DISTRICT: world.amol,
              ids.PLEDGE_START: "", ids.PLEDGE_END: "", ids.PLEDGE_TABLES: [world.health],
              ids.PLEDGE_ONLY_TABLES: False, ids.PLEDGE_DIVISIBLE: True,
              ids.PLEDGE_REVIEW: 1, ids.PLEDGE_EDIT: 0, ids.PLEDGE_CONFIRM: 1}
    values.update(change)
    return values


def test_confirm_saves_money_typed_in_persian_digits_as_rials(site):
    app, db, world, users = site
    client = _signed_in(app)
    resp = _post(client, app, ids.PLEDGE_SUMMARY, _form(world), f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert resp.status_code == 200, resp.data
    assert "Your pledge is saved" in str(resp.get_json())
    with db.reader() as s:
        p = s.scalars(select(Pledge)).one()
        assert (p.citizen_id, p.quantity, p.district_id, [t.id for t in p.tables]) == \
            (users["ana"], 12_000_000, world.amol, [world.health])


def test_review_shows_the_summary_and_saves_nothing(site):
    app, db, world, _users = site
    before = _counts(db)
    resp = _post(_signed_in(app), app, ids.PLEDGE_SUMMARY, _form(world, **{ids.PLEDGE_QUANTITY: "١٬٢٠٠"}),
                 f"{ids.PLEDGE_REVIEW}.n_clicks")
    assert resp.status_code == 200
    text = str(resp.get_json())
    assert "1,200 toman" in text and "12,000 rials" in text      # Arabic-Indic digits read, both units shown
    assert _counts(db) == before


FUTURE = date.today() + timedelta(days=30)


@pytest.mark.parametrize("change, field_id, sentence", [
    ({ids.PLEDGE_QUANTITY: "0"}, ids.PLEDGE_QUANTITY_ERROR, "positive whole number"),
    ({ids.PLEDGE_QUANTITY: "-500"}, ids.PLEDGE_QUANTITY_ERROR, "positive whole number"),
    ({ids.PLEDGE_QUANTITY: "10.5", ids.PLEDGE_UNIT: "rial"}, ids.PLEDGE_QUANTITY_ERROR, "whole number of rials"),
    ({ids.PLEDGE_QUANTITY: "0.05"}, ids.PLEDGE_QUANTITY_ERROR, "whole number of rials"),
    ({ids.PLEDGE_QUANTITY: "1" + "0" * 16, ids.PLEDGE_UNIT: "rial"}, ids.PLEDGE_QUANTITY_ERROR, "too large"),
    ({ids.PLEDGE_QUANTITY: "lots"}, ids.PLEDGE_QUANTITY_ERROR, "type a number"),
    ({ids.PLEDGE_QUANTITY: ""}, ids.PLEDGE_QUANTITY_ERROR, "how much"),
    ({ids.PLEDGE_KIND: "design", ids.PLEDGE_QUANTITY: "2.5"}, ids.PLEDGE_QUANTITY_ERROR, "whole number"),
    ({ids.PLEDGE_START: FUTURE.isoformat(), ids.PLEDGE_END: (FUTURE - timedelta(days=3)).isoformat()},
     ids.PLEDGE_WINDOW_ERROR, "end date cannot be before"),
    ({ids.PLEDGE_START: "1405/13/40", ids.PLEDGE_END: "1405/12/01"}, ids.PLEDGE_WINDOW_ERROR, "not a valid date"),
    ({ids.PLEDGE_START: FUTURE.isoformat(), ids.PLEDGE_END: ""}, ids.PLEDGE_WINDOW_ERROR, "both the start and the end"),
    ({ids.PLEDGE_KIND: "logistics", ids.PLEDGE_QUANTITY: "3"}, ids.PLEDGE_ITEM_ERROR, "from the list"),  # issue 16
    ({ids.PLEDGE_ONLY_TABLES: True, ids.PLEDGE_TABLES: []}, ids.PLEDGE_TABLES_ERROR, "at least one table"),
])
@pytest.mark.parametrize("trigger", [ids.PLEDGE_REVIEW, ids.PLEDGE_CONFIRM])
def test_what_a_person_types_wrong_gets_a_sentence_and_changes_nothing(site, change, field_id, sentence, trigger):
    app, db, world, _users = site
    before = _counts(db)
    resp = _post(_signed_in(app), app, ids.PLEDGE_SUMMARY, _form(world, **change), f"{trigger}.n_clicks")
    assert resp.status_code == 200, resp.data
    shown = resp.get_json()["response"]
    assert sentence in str(shown[field_id]["children"]), shown
    assert _counts(db) == before


def test_the_sentence_is_in_persian_for_a_persian_reader(site):
    app, db, world, _users = site
    resp = _post(_signed_in(app, "cara"), app, ids.PLEDGE_SUMMARY, _form(world, **{ids.PLEDGE_QUANTITY: "۰"}),
                 f"{ids.PLEDGE_REVIEW}.n_clicks")
    assert "مقدار باید" in str(resp.get_json()["response"][ids.PLEDGE_QUANTITY_ERROR]["children"])


@pytest.mark.parametrize("change, code", [
    ({ids.PLEDGE_DISTRICT: 424242}, "district_unknown"),
    ({ids.PLEDGE_DISTRICT: "amol"}, "district_unknown"),
    ({ids.PLEDGE_TABLES: [424242]}, "table_unknown"),
    ({ids.PLEDGE_TABLES: ["1; drop table"]}, "table_unknown"),
    ({ids.PLEDGE_TABLES: 5}, "table_unknown"),
    ({ids.PLEDGE_KIND: "execution", ids.PLEDGE_QUANTITY: "5", ids.PLEDGE_SKILLS: [424242]}, "skill_unknown"),
    ({ids.PLEDGE_KIND: "prayers"}, "kind_unknown"),
    ({ids.PLEDGE_UNIT: "dollar"}, "money_unit_unknown"),
])
@pytest.mark.parametrize("trigger", [ids.PLEDGE_REVIEW, ids.PLEDGE_CONFIRM])
def test_forged_ids_get_a_4xx_with_a_sentence_and_change_nothing(site, change, code, trigger):
    app, db, world, _users = site
    before = _counts(db)
    resp = _post(_signed_in(app, "cara"), app, ids.PLEDGE_SUMMARY, _form(world, **change), f"{trigger}.n_clicks")
    assert resp.status_code == 400, resp.data
    body = resp.get_json()
    assert body["error"] == code and any("\u0600" <= ch <= "\u06ff" for ch in body["message"])
    assert _counts(db) == before


def test_anonymous_cannot_pledge(site):
    app, db, world, _users = site
    client = app.test_client()
    before = _counts(db)
    resp = _post(client, app, ids.PLEDGE_SUMMARY, _form(world), f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert resp.status_code == 401 and _counts(db) == before


# --- withdrawal --------------------------------------------------------------------------------------


def _bobs_pledge(db, users) -> int:
    with db.unit_of_work() as s:
        return create_pledge(s, users["bob"], PledgeInput(kind="financial", quantity=5_000_000)).id


def _withdraw(client, app, target, trigger=ids.MY_MODAL_CONFIRM):
    values = {ids.MY_TARGET: target, "my-page": 1, ids.MY_MODAL_CONFIRM: 1, ids.MY_MODAL_CANCEL: 0}
    return _post(client, app, ids.MY_MODAL_BODY, values, f"{trigger}.n_clicks")


def test_withdraw_own_remainder(site):
    app, db, _world, users = site
    with db.unit_of_work() as s:
        pid = create_pledge(s, users["ana"], PledgeInput(kind="financial", quantity=5_000_000)).id
    resp = _withdraw(_signed_in(app), app, {"pledge": pid, "amount": 5_000_000})
    assert resp.status_code == 200 and "Withdrawn" in str(resp.get_json())
    with db.reader() as s:
        assert s.get(Pledge, pid).withdrawn_quantity == 5_000_000


@pytest.mark.parametrize("target_of, status, code", [
    (lambda pid: {"pledge": pid, "amount": 5_000_000}, 403, "not_your_pledge"),
    (lambda pid: {"pledge": pid, "amount": None}, 403, "not_your_pledge"),
    (lambda pid: {"pledge": 424242, "amount": 1}, 404, "pledge_not_found"),
    (lambda pid: {"pledge": str(pid), "amount": 1}, 404, "pledge_not_found"),
])
def test_another_citizens_pledge_cannot_be_withdrawn(site, target_of, status, code):
    app, db, _world, users = site
    pid = _bobs_pledge(db, users)
    before = _counts(db)
    resp = _withdraw(_signed_in(app, "ana"), app, target_of(pid))
    assert resp.status_code == status, resp.data
    assert resp.get_json()["error"] == code and resp.get_json()["message"]
    assert _counts(db) == before


def test_asking_to_withdraw_another_citizens_pledge_is_refused_too(site):
    app, db, _world, users = site
    pid = _bobs_pledge(db, users)
    values = {f'{{"pledge":{pid},"type":"{ids.MY_WITHDRAW}"}}': 1, ids.MY_TARGET: None, "my-page": 1}
    key = callback_key(app, ids.MY_MODAL_BODY)
    entry = app.extensions["hamyar_dash"].callback_map[key]
    client = _signed_in(app, "ana")
    inputs = []
    for d in entry["inputs"]:
        if isinstance(d["id"], dict) or str(d["id"]).startswith("{"):
            inputs.append([{"id": {"type": ids.MY_WITHDRAW, "pledge": pid}, "property": "n_clicks", "value": 1}])
        else:
            inputs.append({"id": d["id"], "property": d["property"], "value": 0})
    outputs = [{"id": k.split(".")[0], "property": k.split(".")[-1]} for k in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs, "inputs": inputs,
            "state": [{"id": d["id"], "property": d["property"], "value": values.get(d["id"])}
                      for d in entry["state"]],
            "changedPropIds": [f'{{"pledge":{pid},"type":"{ids.MY_WITHDRAW}"}}.n_clicks']}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 403 and resp.get_json()["error"] == "not_your_pledge"


def test_a_stale_confirmation_is_told_and_changes_nothing(site):
    app, db, world, users = site
    with db.unit_of_work() as s:
        pid = create_pledge(s, users["ana"], PledgeInput(kind="financial", quantity=5_000_000)).id
    before = _counts(db)
    resp = _withdraw(_signed_in(app), app, {"pledge": pid, "amount": 4_000_000})
    assert resp.status_code == 200 and "changed while you were deciding" in str(resp.get_json())
    assert _counts(db) == before


# --- pages and notifications ---------------------------------------------------------------------


def test_pages_render_for_their_audiences(site):
    app, db, world, _users = site
    anon = app.test_client()
    for path in ("/", "/projects", f"/projects/{world.project}", "/projects/424242", "/projects?kind=zzz&page=-3"):
        assert anon.get(path).status_code == 200, path
    assert anon.get("/pledge").status_code == 302 and anon.get("/my").status_code == 302
    client = _signed_in(app)
    assert client.get("/pledge").status_code == 200 and client.get("/my").status_code == 200
    with app.test_request_context("/", headers={"Cookie": "hamyar_lang=en"}):
        from dash_app.pages.citizen import home, project, projects

        assert "Citizens' help gathered so far" in str(home.layout())
        assert "Health post" in str(projects.layout(q="health"))
        assert "No open project matches" in str(projects.layout(q="zzzz"))
        assert "No such project" in str(project.layout(project_id="424242"))
        page = str(project.layout(project_id=str(world.project)))
        assert "Pledge to this project" in page and f"/pledge?table={world.health}&project={world.project}" in page


def test_marking_notifications_read_updates_the_navbar_count(site):
    app, db, world, users = site
    from models.core.notify import notify, unread_count

    with db.unit_of_work() as s:
        notify(s, users["ana"], "allocation_accepted", project_id=world.project, project_fa="پایگاه",
               project_en="Health post", help_kind="financial", quantity=1_000_000)
    client = _signed_in(app)
    with db.reader() as s:
        newest = s.scalar(select(func.max(orm.Notification.id)))
    resp = _post(client, app, ids.MY_NOTIFICATIONS_LIST, {ids.MY_MARK_READ: 1, ids.MY_LAST_SEEN: newest},
                 f"{ids.MY_MARK_READ}.n_clicks")
    assert resp.status_code == 200
    assert resp.get_json()["response"][shell_ids.NAV_UNREAD]["children"] == ""
    with db.reader() as s:
        assert unread_count(s, users["ana"]) == 0
