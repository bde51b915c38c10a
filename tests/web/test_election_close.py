"""Closing a chair election asks first and the server refuses below the quorum (issue 20 item 6), on the
table page and on /admin; after the close the table page's header names the new chair at once."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

import models.accounts.users as accounts
from dash_app.pages.table import ids as tids
from models import orm
from models.audit.log import record
from models.core.db import Database
from models.orm.base import utcnow
from models.orm.people import User
from models.orm.tables import Table
from models.tables.elections import cast_ballot, nominate, open_election
from tests.models.world import build_world
from tests.web.callbacks import callback_key, post_callback
from tests.web.conftest import PASSWORD, csrf, log_in


@pytest.fixture
def site(tmp_path):
    from dash_app import create_app

    first = Database(f"sqlite:///{tmp_path / 'elections.sqlite3'}")
    orm.Base.metadata.create_all(first.engine)
    with first.unit_of_work() as s:
        world = build_world(s)
        for uid in (world.chair, world.member):
            u = s.get(User, uid)
            u.password_hash = accounts.hash_password(PASSWORD)
            u.language = "en"
            record(s, None, "user.login_set_for_tests", u)
        staff = accounts.create_user(s, name="Staff", login="staff@example.org", password=PASSWORD, language="en",
                                     is_governorate=True)
    first.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": first.url, "SECRET_KEY": "elections"})
    db = app.extensions["hamyar_db"]  # ballots are linked with the app's key (from SECRET_KEY)
    with db.unit_of_work() as s:  # quorum 100 %: both health members must vote before an early close
        eid = open_election(s, staff.id, world.health, utcnow() + timedelta(days=7), quorum_percent=100).id
    with db.unit_of_work() as s:
        cand = nominate(s, world.member, eid).id
        cast_ballot(s, world.member, eid, [cand])
    yield app, db, world, eid, cand
    db.dispose()


def _pages():
    """The page modules, imported once the app exists (they register pages)."""
    from dash_app.pages.governorate import admin
    from dash_app.pages.table import table_election

    return admin, table_election


def _staff(app):
    client = app.test_client()
    log_in(client, "staff@example.org", password=PASSWORD)
    return client


def _text(resp) -> str:
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _chair_of(db, table_id):
    with db.reader() as s:
        return s.get(Table, table_id).chair_id


def test_table_page_close_asks_then_refuses_below_quorum_then_shows_the_new_chair(site):
    app, db, world, eid, cand = site
    _admin, te = _pages()
    staff = _staff(app)
    ask = _text(post_callback(staff, app, te.ELECTION_MODAL_BODY, {tids.ELECTION_CLOSE: 1, tids.TABLE_ID: world.health},
                              f"{tids.ELECTION_CLOSE}.n_clicks"))
    assert "1 of 2 members have voted; the quorum is 2 (100% of the members)" in ask
    assert "The election cannot be closed yet: only 1 of 2 members have voted" in ask
    assert '"display": "none"' in ask  # the dialog offers no "close" below the quorum, only extend / cancel
    # a forged "close" anyway: the server refuses it, in the dialog; the chair stays
    refused = _text(post_callback(staff, app, tids.TABLE_HEADER, {te.ELECTION_CONFIRM: 1, tids.TABLE_ID: world.health},
                                  f"{te.ELECTION_CONFIRM}.n_clicks"))
    assert "The election cannot be closed yet" in refused and "Wait, or extend the election." in refused
    assert _chair_of(db, world.health) == world.chair
    with db.unit_of_work() as s:
        cast_ballot(s, world.chair, eid, [cand])
    ask = _text(post_callback(staff, app, te.ELECTION_MODAL_BODY, {tids.ELECTION_CLOSE: 1, tids.TABLE_ID: world.health},
                              f"{tids.ELECTION_CLOSE}.n_clicks"))
    assert "2 of 2 members have voted" in ask, ask
    assert "If you close it now, member becomes chair with 2 approvals." in ask, ask
    closed = _text(post_callback(staff, app, tids.TABLE_HEADER, {te.ELECTION_CONFIRM: 1, tids.TABLE_ID: world.health},
                                 f"{te.ELECTION_CONFIRM}.n_clicks"))
    assert "Chair: member" in closed  # the header, without a reload
    assert _chair_of(db, world.health) == world.member


def test_only_the_governorate_may_ask_or_close(site):
    app, db, world, eid, cand = site
    _admin, te = _pages()
    chair = app.test_client()
    log_in(chair, "chair@example.org", password=PASSWORD)
    for output, trigger in ((te.ELECTION_MODAL_BODY, tids.ELECTION_CLOSE), (tids.TABLE_HEADER, te.ELECTION_CONFIRM)):
        resp = post_callback(chair, app, output, {trigger: 1, tids.TABLE_ID: world.health}, f"{trigger}.n_clicks")
        assert resp.status_code in (401, 403), resp.status_code
    assert _chair_of(db, world.health) == world.chair


def _post_admin_ask(client, app, election_id):
    admin, _te = _pages()
    key = callback_key(app, admin.AD_E_MODAL_BODY)
    pattern = {"election": election_id, "type": "adm-e-close"}
    body = {"output": key, "outputs": [{"id": k.split(".")[0], "property": k.split(".")[-1]}
                                       for k in key.strip(".").split("...")],
            "inputs": [[{"id": pattern, "property": "n_clicks", "value": 1}],
                       {"id": admin.AD_E_CANCEL, "property": "n_clicks", "value": 0}],
            "state": [], "changedPropIds": [json.dumps(pattern, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def test_admin_close_asks_and_is_refused_below_quorum_then_extends(site):
    app, db, world, eid, cand = site
    admin, _te = _pages()
    staff = _staff(app)
    ask = _text(_post_admin_ask(staff, app, eid))
    assert "1 of 2 members have voted" in ask and "The election cannot be closed yet" in ask
    refused = _text(post_callback(staff, app, admin.AD_E_MODAL_ERROR, {admin.AD_E_CONFIRM: 1, admin.AD_E_PENDING: eid,
                                                                        "adm-refresh": 0},
                                  f"{admin.AD_E_CONFIRM}.n_clicks", prop="children@"))
    assert "The election cannot be closed yet" in refused
    assert _chair_of(db, world.health) == world.chair
    with db.reader() as s:
        before = s.get(orm.ChairElection, eid).closes_at
    extended = _text(post_callback(staff, app, admin.AD_E_MODAL_ERROR, {admin.AD_E_EXTEND: 1, admin.AD_E_PENDING: eid},
                                   f"{admin.AD_E_EXTEND}.n_clicks", prop="children@"))
    assert "The election is extended until" in extended
    with db.reader() as s:
        assert s.get(orm.ChairElection, eid).closes_at - before == timedelta(days=7)
