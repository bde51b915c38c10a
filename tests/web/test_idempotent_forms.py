"""Every create is made once per form (issue 15 item 5): a second press with the form's one-time token,
after a timeout or a double tap, answers with what the first one made and stores nothing new."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

import models.accounts.users as accounts
from dash_app.ui import citizen_ids as ids
from models import orm
from models.core import form_tokens
from models.core.db import Database
from models.core.errors import Conflict
from models.orm.audit_event import AuditEvent
from models.orm.form_token import FormToken
from models.orm.pledges import Pledge
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world
from tests.web.callbacks import post_callback, rendered_text
from tests.web.conftest import log_in

PASSWORD = "correct horse 42"


@pytest.fixture
def site(tmp_path):
    from dash_app import create_app

    db = Database(f"sqlite:///{tmp_path / 'idem.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    with db.unit_of_work() as s:
        world = build_world(s)
        ana = accounts.create_user(s, name="Ana", login="ana@example.org", password=PASSWORD, language="en").id
        bob = accounts.create_user(s, name="Bob", login="bob@example.org", password=PASSWORD, language="fa").id
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "idem"})
    yield app, db, world, {"ana": ana, "bob": bob}
    app.extensions["hamyar_db"].dispose()
    db.dispose()


def _form(world, token, **change):
    values = {ids.PLEDGE_KIND: "financial", ids.PLEDGE_QUANTITY: "۱۲۰۰۰۰۰", ids.PLEDGE_UNIT: "toman",
              ids.PLEDGE_DESCRIPTION: "", ids.PLEDGE_SKILLS: [], ids.PLEDGE_DISTRICT: world.amol,
              ids.PLEDGE_START: "", ids.PLEDGE_END: "", ids.PLEDGE_TABLES: [world.health],
              ids.PLEDGE_ONLY_TABLES: False, ids.PLEDGE_DIVISIBLE: True, ids.PLEDGE_TOKEN: token,
              ids.PLEDGE_REVIEW: 1, ids.PLEDGE_EDIT: 0, ids.PLEDGE_CONFIRM: 1}
    values.update(change)
    return values


def _pledges(db) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(Pledge))


def _signed_in(app, who):
    client = app.test_client()
    log_in(client, f"{who}@example.org", password=PASSWORD)
    return client


def test_the_pledge_page_hands_out_a_fresh_token_each_time(site):
    app, _db, _world, _users = site
    client = _signed_in(app, "ana")

    def token():
        text = rendered_text(client, "/pledge")
        return [piece for piece in text.split('"') if form_tokens.TOKEN_FORMAT.match(piece) and len(piece) == 32]

    first, second = token(), token()
    assert first and second and first != second


def test_pressing_confirm_twice_with_one_token_stores_one_pledge(site):
    """The timeout case: the first press was stored but its answer never arrived; the person presses again."""
    app, db, world, users = site
    client = _signed_in(app, "ana")
    token = form_tokens.new_token()
    first = post_callback(client, app, ids.PLEDGE_SUMMARY, _form(world, token), f"{ids.PLEDGE_CONFIRM}.n_clicks")
    second = post_callback(client, app, ids.PLEDGE_SUMMARY, _form(world, token), f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert first.status_code == second.status_code == 200
    assert "Your pledge is saved" in first.get_data(as_text=True)
    assert "Your pledge is saved" in second.get_data(as_text=True)   # the same answer, not an error
    with db.reader() as s:
        pledges = s.scalars(select(Pledge)).all()
        assert len(pledges) == 1 and pledges[0].citizen_id == users["ana"]
        assert f'"data-pledge": "{pledges[0].id}"' in second.get_data(as_text=True).replace("\\", "") or \
            f'"data-pledge":"{pledges[0].id}"' in second.get_data(as_text=True)
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "pledge.created")) == 1
        assert s.scalar(select(func.count()).select_from(FormToken)) == 1


def test_a_new_token_makes_a_new_pledge(site):
    app, db, world, _users = site
    client = _signed_in(app, "ana")
    for _ in range(2):
        post_callback(client, app, ids.PLEDGE_SUMMARY, _form(world, form_tokens.new_token()),
                      f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert _pledges(db) == 2


def test_another_persons_token_is_refused_and_stores_nothing(site):
    app, db, world, _users = site
    token = form_tokens.new_token()
    post_callback(_signed_in(app, "ana"), app, ids.PLEDGE_SUMMARY, _form(world, token), f"{ids.PLEDGE_CONFIRM}.n_clicks")
    resp = post_callback(_signed_in(app, "bob"), app, ids.PLEDGE_SUMMARY, _form(world, token),
                         f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert resp.status_code == 409 and resp.get_json()["error"] == "form_token_used"
    assert _pledges(db) == 1


@pytest.mark.parametrize("token", ["short", "x" * 65, "bad token with spaces!", 12345, ["list"]])
def test_a_forged_token_gets_a_4xx(site, token):
    app, db, world, _users = site
    resp = post_callback(_signed_in(app, "ana"), app, ids.PLEDGE_SUMMARY, _form(world, token),
                         f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert resp.status_code == 400 and resp.get_json()["error"] == "form_token_invalid"
    assert _pledges(db) == 0


def test_the_domain_function_returns_the_first_pledge_for_its_token(site):
    _app, db, world, users = site
    token = form_tokens.new_token()
    data = PledgeInput(kind="financial", quantity=10_000_000)
    with db.unit_of_work() as s:
        first = create_pledge(s, users["ana"], data, token=token).id
    with db.unit_of_work() as s:
        again = create_pledge(s, users["ana"], PledgeInput(kind="financial", quantity=99_000), token=token).id
    assert again == first and _pledges(db) == 1
    with db.unit_of_work() as s, pytest.raises(Conflict):
        create_pledge(s, users["bob"], data, token=token)


# --- the table editor: a project and a need, each made once per token ---------------------------------

def _editor_post(client, app, table_id, token, trigger, *, need_for=None, qty="500000"):
    """editor_action as the renderer sends it: the project form filled, or one need form (project need_for)."""
    import json as _json

    from dash_app.pages.table import ids as tids
    from tests.web.conftest import csrf

    key = next(k for k in app.extensions["hamyar_dash"].callback_map if f"{tids.EDITOR_TOKEN}.data" in k)
    entry = app.extensions["hamyar_dash"].callback_map[key]
    values = {tids.PROJECT_KIND: "problem", tids.PROJECT_TITLE: "آب آشامیدنی روستا", tids.PROJECT_TITLE_EN: "",
              tids.PROJECT_SUMMARY: "لوله‌کشی", tids.PROJECT_PROBLEM: "آب", tids.PROJECT_EVIDENCE: "گزارش",
              tids.PROJECT_AFFECTED: "روستا", tids.PROJECT_CAPACITY: "داوطلبان", tids.PROJECT_HORIZON: "medium",
              tids.PROJECT_DISTRICT: None, tids.PROJECT_PRIORITY: "5", tids.PROJECT_COST: "1000000",
              tids.PROJECT_EDITING: None, tids.TABLE_ID: table_id, tids.EDITOR_TOKEN: token, tids.PROJECT_SAVE: 1}
    pattern_values = {tids.NEED_KIND_TYPE: "financial", tids.NEED_QTY_TYPE: qty, tids.NEED_DESC_TYPE: "",
                      tids.NEED_SKILLS_TYPE: [], tids.NEED_ADD_TYPE: 1}

    def dep(d):
        cid = d["id"]
        if cid.startswith("{"):
            pattern = _json.loads(cid)
            if need_for is None or pattern.get("type") not in pattern_values:
                return []
            return [{"id": {"type": pattern["type"], "project": need_for}, "property": d["property"],
                     "value": pattern_values[pattern["type"]]}]
        return {"id": cid, "property": d["property"], "value": values.get(cid)}

    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop.split("@")[0]})
    changed = (_json.dumps({"project": need_for, "type": tids.NEED_ADD_TYPE}, separators=(",", ":"), sort_keys=True)
               if need_for is not None else tids.PROJECT_SAVE) + ".n_clicks"
    body = {"output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
            "state": [dep(d) for d in entry["state"]], "changedPropIds": [changed]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def test_the_editor_makes_one_project_and_one_need_per_token(site):
    from dash_app.pages.table import ids as tids
    from models.accounts.users import hash_password
    from models.audit.log import record
    from models.orm.people import User
    from models.orm.projects import Need, Project

    demo_app, demo_db, world, _users = site
    with demo_db.unit_of_work() as s:
        chair_user = s.get(User, world.chair)
        chair_user.password_hash = hash_password(PASSWORD)
        record(s, None, "user.login_set_for_tests", chair_user)
    table_id = world.health
    chair = demo_app.test_client()
    log_in(chair, "chair@example.org", password=PASSWORD)
    with demo_db.reader() as s:
        projects_before = s.scalar(select(func.count()).select_from(Project))
        needs_before = s.scalar(select(func.count()).select_from(Need))
    token = form_tokens.new_token()
    answers = [_editor_post(chair, demo_app, table_id, token, "save") for _ in range(2)]
    assert all(a.status_code == 200 for a in answers), answers[0].data[:300]
    made = [a.get_json()["response"][tids.PROJECT_EDITING]["data"] for a in answers]
    assert made[0] == made[1] and isinstance(made[0], int)   # the second press answers with the first project
    fresh = answers[0].get_json()["response"][tids.EDITOR_TOKEN]["data"]
    assert fresh != token and form_tokens.TOKEN_FORMAT.match(fresh)
    with demo_db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == projects_before + 1
    # a need on the new project, pressed twice with the same token: one need
    for _ in range(2):
        resp = _editor_post(chair, demo_app, table_id, fresh, "need", need_for=made[0])
        assert "alert-success" in str(resp.get_json()["response"][tids.EDITOR_ALERT]), resp.data[:400]
    with demo_db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Need)) == needs_before + 1
    # a new token (what the editor hands out after each create) makes a second one
    _editor_post(chair, demo_app, table_id, form_tokens.new_token(), "need", need_for=made[0])
    with demo_db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Need)) == needs_before + 2


# --- registration and ballots ------------------------------------------------------------------------


def test_pressing_register_again_after_a_timeout_signs_in_and_makes_one_account(tmp_path):
    from dash_app import create_app
    from models.orm.people import User
    from tests.web.conftest import csrf

    db = Database(f"sqlite:///{tmp_path / 'reg.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "reg"})
    form = {"name": "Sara", "login": "sara@example.org", "password": PASSWORD, "password2": PASSWORD,
            "next": "/pledge?project=3"}
    first = app.test_client()
    assert first.post("/register", data={**form, "csrf_token": csrf(first)}).status_code == 303
    # the answer never reached the browser: the same browser (no session cookie yet) presses again
    again = app.test_client()
    resp = again.post("/register", data={**form, "csrf_token": csrf(again)})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/pledge?project=3")
    assert "Sara" in again.get("/_dash-layout").get_data(as_text=True)        # signed in
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1
    # someone else trying the same login with another password is refused as before
    other = app.test_client()
    resp = other.post("/register", data={**form, "password": "another horse 77", "password2": "another horse 77",
                                         "csrf_token": csrf(other)})
    assert "error=login_taken" in resp.headers["Location"]
    app.extensions["hamyar_db"].dispose()
    db.dispose()


def test_casting_a_chair_ballot_twice_keeps_one_ballot(site):
    """Ballots are one row per voter and election (a unique constraint): pressing Vote again replaces it."""
    from datetime import timedelta

    from models.orm.base import utcnow
    from models.orm.tables import ChairBallot
    from models.tables.elections import cast_ballot, nominate, open_election

    _app, db, world, _users = site
    with db.unit_of_work() as s:
        from models.orm.people import User

        staff = accounts.create_user(s, name="Staff", login="staff@example.org", password=PASSWORD,
                                     is_governorate=True).id
        del User
    with db.unit_of_work() as s:
        election = open_election(s, staff, world.health, utcnow() + timedelta(days=3)).id
    with db.unit_of_work() as s:
        nominate(s, world.member, election)
    with db.reader() as s:
        from models.orm.tables import ChairCandidate

        candidate = s.scalar(select(ChairCandidate.id).where(ChairCandidate.election_id == election))
    for _ in range(2):
        with db.unit_of_work() as s:
            cast_ballot(s, world.member, election, [candidate])
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ChairBallot).where(ChairBallot.election_id == election)) == 1


def test_submitting_a_pb_ballot_twice_keeps_one_ballot(site):
    """PB ballots are one row per citizen and cycle (a unique constraint): a second press replaces the first."""
    import models.pb.cycles as pbc
    from models.orm.pb import PBBallot

    _app, db, world, users = site
    with db.unit_of_work() as s:
        staff = accounts.create_user(s, name="Gov", login="gov@example.org", password=PASSWORD,
                                     is_governorate=True).id
    with db.unit_of_work() as s:
        cycle = pbc.create_cycle(s, staff, pbc.CycleInput(
            name_fa="دوره ۱", name_en="Cycle 1", budget_rials=80_000_000, project_ids=(world.project, world.env_project),
            ballot_rule="approval", max_approvals=1)).id
    with db.unit_of_work() as s:
        pbc.advance_phase(s, staff, cycle, "voting")
    for _ in range(2):
        with db.unit_of_work() as s:
            pbc.cast_ballot(s, users["ana"], cycle, [world.project])
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(PBBallot).where(PBBallot.cycle_id == cycle)) == 1


# --- /admin and /admin/pb: a table, a PB cycle and an imported .pb, each made once per token -------------


def _staff(app, db):
    """A governorate officer, signed in."""
    with db.unit_of_work() as s:
        accounts.create_user(s, name="Gov", login="gov@example.org", password=PASSWORD, language="en",
                             is_governorate=True)
    return _signed_in(app, "gov")


def _count(db, model) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def _answer(resp, cid: str, prop: str):
    assert resp.status_code == 200, resp.data[:400]
    return resp.get_json()["response"][cid][prop]


def test_pressing_save_twice_on_a_new_table_makes_one_table(site):
    """The first press made the table but its answer (which selects the new table) never arrived: the form
    still says "New table", and pressing Save again answers with that table instead of refusing its name."""
    from dash_app.pages.governorate import admin as admin_page
    from dash_app.ui import governorate_ids as gid
    from models.orm.tables import Table

    app, db, _world, _users = site
    client = _staff(app, db)
    before = _count(db, Table)
    token = form_tokens.new_token()
    form = {gid.AD_T_SAVE: 1, gid.AD_T_SELECT: "", gid.AD_T_NAME_FA: "میز آب", gid.AD_T_NAME_EN: "Water",
            gid.AD_T_DESC_FA: "", gid.AD_T_DESC_EN: "", gid.AD_REFRESH: 0, admin_page.AD_T_TOKEN: token}
    answers = [post_callback(client, app, admin_page.AD_T_TOKEN, form, f"{gid.AD_T_SAVE}.n_clicks")
               for _ in range(2)]
    made = [_answer(a, gid.AD_T_SELECT, "value") for a in answers]
    assert made[0] == made[1] and made[0].isdigit()                 # the second press names the first table
    assert all("The table is saved" in str(a.get_json()) for a in answers)
    fresh = _answer(answers[0], admin_page.AD_T_TOKEN, "data")
    assert fresh != token and form_tokens.TOKEN_FORMAT.match(fresh)  # the next create gets a token of its own
    assert _count(db, Table) == before + 1
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "table.created")) == 1
    # a fresh token with other names makes a second table
    other = {**form, gid.AD_T_NAME_FA: "میز برق", gid.AD_T_NAME_EN: "Power", admin_page.AD_T_TOKEN: fresh}
    post_callback(client, app, admin_page.AD_T_TOKEN, other, f"{gid.AD_T_SAVE}.n_clicks")
    assert _count(db, Table) == before + 2


def _cycle_form(world, token):
    from dash_app.pages.pb import admin_pb
    from dash_app.pages.pb import ids as pids

    return {pids.PB_CREATE: 1, pids.PB_NAME_FA: "دوره دوم", pids.PB_NAME_EN: "Second", pids.PB_BUDGET: "5000000",
            pids.PB_UNIT: "toman", pids.PB_PROJECTS: [world.env_project], pids.PB_BALLOT_RULE: "knapsack",
            pids.PB_K: "3", pids.PB_COUNTING_RULE: "mes", pids.PB_REFRESH: 0, admin_pb.PB_CREATE_TOKEN: token}


def test_pressing_create_twice_on_a_pb_cycle_makes_one_cycle(site):
    from dash_app.pages.pb import admin_pb
    from dash_app.pages.pb import ids as pids
    from models.orm.pb import PBCycle

    app, db, world, _users = site
    client = _staff(app, db)
    token = form_tokens.new_token()
    answers = [post_callback(client, app, admin_pb.PB_CREATE_TOKEN, _cycle_form(world, token),
                             f"{pids.PB_CREATE}.n_clicks") for _ in range(2)]
    made = [_answer(a, pids.PB_SELECT, "value") for a in answers]
    assert made[0] == made[1] and made[0].isdigit()
    assert all("The cycle is created" in str(a.get_json()) for a in answers)
    assert _count(db, PBCycle) == 1
    fresh = _answer(answers[0], admin_pb.PB_CREATE_TOKEN, "data")
    assert fresh != token and form_tokens.TOKEN_FORMAT.match(fresh)
    post_callback(client, app, admin_pb.PB_CREATE_TOKEN, _cycle_form(world, fresh), f"{pids.PB_CREATE}.n_clicks")
    assert _count(db, PBCycle) == 2


def test_importing_one_pb_file_twice_with_one_token_makes_one_cycle(site):
    import base64

    from dash_app.pages.pb import admin_pb
    from dash_app.pages.pb import ids as pids
    from models.orm.pb import PBCycle, PBCycleImport

    app, db, _world, _users = site
    client = _staff(app, db)
    pb = (b"META\nkey;value\ndescription;Tiny\nnum_projects;2\nnum_votes;3\nbudget;100\nvote_type;approval\n"
          b"PROJECTS\nproject_id;cost\np1;60\np2;50\nVOTES\nvoter_id;vote\nv1;p1\nv2;p1,p2\nv3;p2\n")
    token = form_tokens.new_token()
    form = {pids.PB_UPLOAD: "data:text/plain;base64," + base64.b64encode(pb).decode(), pids.PB_IMPORT_RULE: "greedy",
            pids.PB_REFRESH: 0, admin_pb.PB_IMPORT_TOKEN: token}
    answers = [post_callback(client, app, admin_pb.PB_IMPORT_TOKEN, form, f"{pids.PB_UPLOAD}.contents")
               for _ in range(2)]
    made = [_answer(a, pids.PB_SELECT, "value") for a in answers]
    assert made[0] == made[1] and all("Imported as cycle" in str(a.get_json()) for a in answers)
    assert _count(db, PBCycle) == 1 and _count(db, PBCycleImport) == 1
    fresh = _answer(answers[0], admin_pb.PB_IMPORT_TOKEN, "data")
    assert fresh != token
    post_callback(client, app, admin_pb.PB_IMPORT_TOKEN, {**form, admin_pb.PB_IMPORT_TOKEN: fresh},
                  f"{pids.PB_UPLOAD}.contents")
    assert _count(db, PBCycle) == 2


def test_a_create_token_of_one_admin_form_is_refused_by_another(site):
    """One token, one kind of create: the table form's token cannot be replayed on the PB cycle form."""
    from dash_app.pages.governorate import admin as admin_page
    from dash_app.pages.pb import admin_pb
    from dash_app.pages.pb import ids as pids
    from dash_app.ui import governorate_ids as gid
    from models.orm.pb import PBCycle

    app, db, world, _users = site
    client = _staff(app, db)
    token = form_tokens.new_token()
    post_callback(client, app, admin_page.AD_T_TOKEN, {
        gid.AD_T_SAVE: 1, gid.AD_T_SELECT: "", gid.AD_T_NAME_FA: "میز آب", gid.AD_T_NAME_EN: "Water",
        admin_page.AD_T_TOKEN: token}, f"{gid.AD_T_SAVE}.n_clicks")
    resp = post_callback(client, app, admin_pb.PB_CREATE_TOKEN, _cycle_form(world, token), f"{pids.PB_CREATE}.n_clicks")
    assert "This form was already used for something else" in str(resp.get_json())
    assert _count(db, PBCycle) == 0
