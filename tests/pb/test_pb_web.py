"""The PB pages over HTTP: forged callbacks are refused (401/403) and change nothing; what a person gets
wrong is worded in their language and changes nothing; the happy paths write what the domain says.
"""
from __future__ import annotations

import base64
import shutil

import pytest
from sqlalchemy import func, select

import models.accounts.users as accounts
import models.pb.cycles as pbc
from dash_app.pages.pb import ids
from models import orm
from models.core.db import Database
from models.core.enums import PBPhase
from models.orm.audit_event import AuditEvent
from models.orm.pb import PBBallot, PBCycle
from models.pb import pabulib
from tests.models.world import build_world
from tests.web.conftest import csrf, log_in

PASSWORD = "correct horse 42"
PEOPLE = {"gov": ("gov@example.org", "en", True), "ana": ("ana@example.org", "en", False),
          "cara": ("cara@example.org", "fa", False)}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The small county, a governorate officer, two citizens and a cycle in voting (approval, k = 1)."""
    path = tmp_path_factory.mktemp("pb-web") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    orm.Base.metadata.create_all(db.engine)
    with db.unit_of_work() as s:
        world = build_world(s)
        users = {k: accounts.create_user(s, name=k.title(), login=login, password=PASSWORD, language=lang,
                                         is_governorate=gov).id for k, (login, lang, gov) in PEOPLE.items()}
    with db.unit_of_work() as s:
        cycle = pbc.create_cycle(s, users["gov"], pbc.CycleInput(
            name_fa="دوره", name_en="Cycle", budget_rials=120_000_000, project_ids=(world.project, world.env_project),
            max_approvals=1))
    with db.unit_of_work() as s:
        pbc.advance_phase(s, users["gov"], cycle.id, "voting")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path, world, users, cycle.id


@pytest.fixture
def site(template, tmp_path):
    path, world, users, cycle_id = template
    copy = tmp_path / "pb-web.sqlite3"
    shutil.copyfile(path, copy)
    db = Database(f"sqlite:///{copy}")
    pbc.configure_ballot_key(db, pbc.ballot_key_from_secret("pb-web"))   # the app's key: the tests read ballots
    from dash_app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "pb-web"})
    yield app, db, world, users, cycle_id
    app.extensions["hamyar_db"].dispose()
    db.dispose()


def _key(app, *parts: str) -> str:
    """The callback_map key whose outputs include every `parts` ("id.property" or just "id.")."""
    app.test_client().get("/")
    keys = [k for k in app.extensions["hamyar_dash"].callback_map if all(p in k for p in parts)]
    assert len(keys) == 1, (parts, keys)
    return keys[0]


def _post(client, app, key: str, values: dict, trigger: str):
    """POST a callback as Dash's renderer would, with `values` for its inputs and states (by component id)."""
    entry = app.extensions["hamyar_dash"].callback_map[key]

    def dep(d):
        if d["id"].startswith("{"):   # a pattern (ALL): values holds the list of matches, as the renderer sends
            return values.get(d["id"] + "." + d["property"], [])
        return {"id": d["id"], "property": d["property"], "value": values.get(d["id"])}

    outputs = [{"id": k.split(".")[0], "property": k.split(".")[1].split("@")[0]}
               for k in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": [dep(d) for d in entry["inputs"]], "state": [dep(d) for d in entry.get("state", [])],
            "changedPropIds": [trigger]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def _client(app, who: str | None):
    client = app.test_client()
    if who is not None:
        log_in(client, PEOPLE[who][0], password=PASSWORD)
    return client


def _counts(db):
    with db.reader() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in
                     (PBCycle, PBBallot, AuditEvent, orm.PBCycleImport, orm.Allocation))


def _phase(db, cycle_id):
    with db.reader() as s:
        return s.get(PBCycle, cycle_id).phase


# --- forged callbacks -----------------------------------------------------------------------------

ADMIN_CALLBACKS = [
    # (outputs that single the callback out, values, trigger)
    ((f"{ids.PB_CREATE_MESSAGE}.",), {ids.PB_CREATE: 1, ids.PB_NAME_FA: "x", ids.PB_NAME_EN: "x",
                                      ids.PB_BUDGET: "1000", ids.PB_UNIT: "rial", ids.PB_PROJECTS: [1],
                                      ids.PB_BALLOT_RULE: "approval", ids.PB_K: "1",
                                      ids.PB_COUNTING_RULE: "greedy"}, f"{ids.PB_CREATE}.n_clicks"),
    ((f"{ids.PB_MESSAGE}.children...", f"{ids.PB_REFRESH}."), {ids.PB_ADVANCE: 1, ids.PB_ADVANCE_TO: "tallying"},
     f"{ids.PB_ADVANCE}.submit_n_clicks"),
    ((f"{ids.PB_MESSAGE}.children...", f"{ids.PB_REFRESH}."), {ids.PB_PUBLISH: 1}, f"{ids.PB_PUBLISH}.submit_n_clicks"),
    ((f"{ids.PB_DOWNLOAD}.",), {ids.PB_EXPORT: 1}, f"{ids.PB_EXPORT}.n_clicks"),
    ((f"{ids.PB_IMPORT_MESSAGE}.",), {ids.PB_UPLOAD: "data:text/plain;base64,"
                                      + base64.b64encode(b"META\nkey;value\n").decode(), ids.PB_IMPORT_RULE: "greedy"},
     f"{ids.PB_UPLOAD}.contents"),
    ((f"{ids.PB_DETAIL}.",), {}, f"{ids.PB_SELECT}.value"),
    ((f"{ids.PB_LIST}.",), {ids.PB_REFRESH: 1}, f"{ids.PB_REFRESH}.data"),
    ((f"{ids.PB_COMPARE}.",), {ids.PB_RULE_A: "greedy", ids.PB_RULE_B: "mes"}, f"{ids.PB_RULE_A}.value"),
]


@pytest.mark.parametrize("who,status", [("ana", 403), (None, 401)])
@pytest.mark.parametrize("parts,values,trigger", ADMIN_CALLBACKS)
def test_admin_pb_callbacks_refuse_citizens_and_anonymous_and_change_nothing(site, who, status, parts, values,
                                                                             trigger):
    app, db, _world, _users, cycle_id = site
    values = {ids.PB_SELECT: str(cycle_id), **values}
    before = _counts(db)
    resp = _post(_client(app, who), app, _key(app, *parts), values, trigger)
    assert resp.status_code == status, resp.data
    assert resp.get_json()["error"] == ("forbidden" if status == 403 else "not_signed_in")
    assert _counts(db) == before and _phase(db, cycle_id) is PBPhase.VOTING


@pytest.mark.parametrize("parts,values,trigger", [
    ((f"{ids.VOTE_MESSAGE}.",), {ids.VOTE_SUBMIT: 1}, f"{ids.VOTE_SUBMIT}.n_clicks"),
    ((f"{ids.VOTE_COUNTER}.",), {}, f"{ids.VOTE_CHOICES}.value"),
])
def test_vote_callbacks_refuse_anonymous_and_change_nothing(site, parts, values, trigger):
    app, db, world, _users, cycle_id = site
    values = {ids.VOTE_CHOICES: [world.project], ids.VOTE_CYCLE: {"cycle_id": cycle_id}, **values}
    before = _counts(db)
    resp = _post(_client(app, None), app, _key(app, *parts), values, trigger)
    assert resp.status_code == 401 and resp.get_json()["error"] == "not_signed_in"
    assert _counts(db) == before


@pytest.mark.parametrize("path,who,status", [("/admin/pb", "ana", 403), ("/admin/pb", None, 302),
                                             ("/vote", None, 302), ("/admin/pb", "gov", 200), ("/vote", "ana", 200)])
def test_pages_by_role(site, path, who, status):
    app, *_ = site
    resp = _client(app, who).get(path)
    assert resp.status_code == status
    if status == 302:
        assert resp.headers["Location"].startswith("/login?next=")


# --- the citizen's ballot -------------------------------------------------------------------------

def _cast(app, who, choices, cycle):
    return _post(_client(app, who), app, _key(app, f"{ids.VOTE_MESSAGE}."),
                 {ids.VOTE_SUBMIT: 1, ids.VOTE_CHOICES: choices, ids.VOTE_CYCLE: {"cycle_id": cycle}},
                 f"{ids.VOTE_SUBMIT}.n_clicks")


def test_over_the_limit_is_worded_in_persian_and_saves_nothing(site):
    app, db, world, _users, cycle_id = site
    before = _counts(db)
    resp = _cast(app, "cara", [world.project, world.env_project], cycle_id)
    assert resp.status_code == 200
    shown = resp.get_json()["response"][ids.VOTE_MESSAGE]["children"]["props"]["children"]
    assert shown == "۲ پروژه انتخاب کرده‌اید؛ حداکثر ۱ پروژه می‌توانید انتخاب کنید."
    assert _counts(db) == before


@pytest.mark.parametrize("choices,cycle,sentence", [
    ([999], "own", "One of the chosen projects is not on this ballot."),
    ([], "own", "Choose at least one project."),
    (["1; DROP TABLE"], "own", "The ballot could not be read"),
    ([1], 424242, "No such budgeting cycle."),
])
def test_bad_ballots_are_worded_and_change_nothing(site, choices, cycle, sentence):
    app, db, _world, _users, cycle_id = site
    before = _counts(db)
    resp = _cast(app, "ana", choices, cycle_id if cycle == "own" else cycle)
    assert resp.status_code == 200 and sentence in str(resp.get_json())
    assert _counts(db) == before


def test_a_ballot_is_saved_replaced_and_a_replay_changes_nothing(site):
    app, db, world, users, cycle_id = site
    assert "Your ballot is saved" in str(_cast(app, "ana", [world.project], cycle_id).get_json())
    after_first = _counts(db)
    _cast(app, "ana", [world.project], cycle_id)                      # replayed: same ballot, no new audit
    assert _counts(db) == after_first
    _cast(app, "ana", [world.env_project], cycle_id)
    with db.reader() as s:
        assert pbc.my_ballot(s, users["ana"], cycle_id) == [world.env_project]
        assert s.scalar(select(func.count()).select_from(PBBallot)) == 1


def test_the_counter_and_the_budget_bar(site):
    app, _db, _world, _users, _cycle_id = site
    key = _key(app, f"{ids.VOTE_COUNTER}.")
    client = _client(app, "ana")
    approval = {"cycle_id": 1, "rule": "approval", "k": 2, "budget": 100, "costs": {"1": 60, "2": 50, "3": 10}}
    over = _post(client, app, key, {ids.VOTE_CHOICES: [1, 2, 3], ids.VOTE_CYCLE: approval}, f"{ids.VOTE_CHOICES}.value")
    assert "You chose 3 projects; you may choose at most 2." in str(over.get_json())
    knapsack = dict(approval, rule="knapsack", k=None)
    bar = _post(client, app, key, {ids.VOTE_CHOICES: [1, 2], ids.VOTE_CYCLE: knapsack}, f"{ids.VOTE_CHOICES}.value")
    text = str(bar.get_json())
    assert "11 toman of the budget of 10 toman chosen." in text and "cost more than the budget" in text
    assert "bg-danger" in text and "'width': '100.0%'" in text


# --- the governorate's actions --------------------------------------------------------------------

def test_governorate_creates_a_cycle_from_persian_toman(site):
    app, db, world, _users, _cycle_id = site
    client = _client(app, "gov")
    resp = _post(client, app, _key(app, f"{ids.PB_CREATE_MESSAGE}."), {
        ids.PB_CREATE: 1, ids.PB_NAME_FA: "دوره دوم", ids.PB_NAME_EN: "", ids.PB_BUDGET: "۵٬۰۰۰٬۰۰۰",
        ids.PB_UNIT: "toman", ids.PB_PROJECTS: [world.env_project], ids.PB_BALLOT_RULE: "knapsack",
        ids.PB_K: "3", ids.PB_COUNTING_RULE: "mes"}, f"{ids.PB_CREATE}.n_clicks")
    assert resp.status_code == 200 and "The cycle is created" in str(resp.get_json())
    with db.reader() as s:
        new = s.scalars(select(PBCycle).order_by(PBCycle.id.desc())).first()
        assert (new.name_fa, new.name_en, new.budget_rials, new.max_approvals, new.counting_rule.value) == \
            ("دوره دوم", "دوره دوم", 50_000_000, None, "mes")


@pytest.mark.parametrize("budget,unit,sentence", [
    ("12.34", "toman", "Enter the budget as a whole number."),
    ("abc", "rial", "Enter the budget as a whole number."),
    ("0", "rial", "The budget must be more than zero."),
])
def test_bad_budgets_are_worded_and_create_nothing(site, budget, unit, sentence):
    app, db, world, _users, _cycle_id = site
    before = _counts(db)
    resp = _post(_client(app, "gov"), app, _key(app, f"{ids.PB_CREATE_MESSAGE}."), {
        ids.PB_CREATE: 1, ids.PB_NAME_FA: "x", ids.PB_NAME_EN: "x", ids.PB_BUDGET: budget, ids.PB_UNIT: unit,
        ids.PB_PROJECTS: [world.project], ids.PB_BALLOT_RULE: "approval", ids.PB_K: "1",
        ids.PB_COUNTING_RULE: "greedy"}, f"{ids.PB_CREATE}.n_clicks")
    assert sentence in str(resp.get_json())
    assert _counts(db) == before


def test_a_stale_phase_change_is_refused(site):
    """A second tab that still offers "Open voting" cannot move a cycle already in voting."""
    app, db, _world, _users, cycle_id = site
    before = _counts(db)
    resp = _post(_client(app, "gov"), app, _key(app, f"{ids.PB_MESSAGE}.children...", f"{ids.PB_REFRESH}."),
                 {ids.PB_ADVANCE: 1, ids.PB_ADVANCE_TO: "voting", ids.PB_SELECT: str(cycle_id)},
                 f"{ids.PB_ADVANCE}.submit_n_clicks")
    assert "The cycle has already moved on" in str(resp.get_json())
    assert _counts(db) == before and _phase(db, cycle_id) is PBPhase.VOTING


def test_a_broken_pb_upload_names_the_line_and_imports_nothing(site):
    app, db, *_ = site
    before = _counts(db)
    broken = b"META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;abc\nVOTES\nvoter_id;vote\n"
    resp = _post(_client(app, "gov"), app, _key(app, f"{ids.PB_IMPORT_MESSAGE}."), {
        ids.PB_UPLOAD: "data:application/octet-stream;base64," + base64.b64encode(broken).decode(),
        ids.PB_IMPORT_RULE: "greedy"}, f"{ids.PB_UPLOAD}.contents")
    text = str(resp.get_json())
    assert "The file is not a valid .pb file (line 6)" in text, text
    assert _counts(db) == before


def test_import_then_export_round_trips_the_ballots(site):
    app, db, *_ = site
    pb = (b"META\nkey;value\ndescription;Tiny\nnum_projects;2\nnum_votes;3\nbudget;100\nvote_type;approval\n"
          b"PROJECTS\nproject_id;cost\np1;60\np2;50\nVOTES\nvoter_id;vote\nv1;p1\nv2;p1,p2\nv3;p2\n")
    client = _client(app, "gov")
    resp = _post(client, app, _key(app, f"{ids.PB_IMPORT_MESSAGE}."), {
        ids.PB_UPLOAD: "data:text/plain;base64," + base64.b64encode(pb).decode(), ids.PB_IMPORT_RULE: "greedy"},
        f"{ids.PB_UPLOAD}.contents")
    text = str(resp.get_json())
    assert "Imported as cycle" in text and "Count the votes" in text   # counted in the background, not here
    with db.reader() as s:
        new_id = s.scalar(select(func.max(PBCycle.id)))
        gov = s.scalar(select(orm.User.id).where(orm.User.email == PEOPLE["gov"][0]))
    from models.pb import counting_jobs

    assert counting_jobs.run_claimed_count(db, counting_jobs.claim_count(db, gov, new_id), gov)
    shown = str(_post(client, app, _key(app, f"{ids.PB_DETAIL}."), {ids.PB_SELECT: str(new_id)},
                      f"{ids.PB_SELECT}.value").get_json())
    assert "Greedy by votes: 1 projects funded" in shown and "1 projects funded for 60 toman of 10 toman" not in shown
    out = _post(client, app, _key(app, f"{ids.PB_DOWNLOAD}."), {ids.PB_EXPORT: 1, ids.PB_SELECT: str(new_id)},
                f"{ids.PB_EXPORT}.n_clicks")
    data = out.get_json()["response"][ids.PB_DOWNLOAD]["data"]
    assert data["filename"] == f"hamyar-pb-cycle-{new_id}.pb"
    exported = pabulib.parse(data["content"])
    assert sorted(sorted(v.projects) for v in exported.votes) == [["p1"], ["p1", "p2"], ["p2"]]
