"""T23: the access-control matrix, generated from the callback registry and the page registry.

Every server callback in `app.callback_map` (each registered through `dash_app.auth.secured_callback`)
× six roles: anonymous, citizen, member of table X, chair of table X, chair of another table,
governorate. The expected verdict of each cell is worked out here from the rule's roles (not by
calling `auth.admits`), a forged POST is sent for each cell (table-scoped callbacks get table X's id),
and the answer must be 401 (anonymous) / 403 unless admitted, and no refusal and no 5xx when admitted.
A callback added tomorrow joins the matrix without editing this file. Pages get the same treatment.

Object-level checks go through the domain: a citizen cannot withdraw or read another's pledge, a chair
cannot decide another table's allocation, and ballots stay secret.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import dash
import pytest
from sqlalchemy import select

import models.accounts.users as accounts
from dash_app import auth
from models.audit.log import record
from models.core.clock import county_today
from models.core.enums import AllocationStatus, MemberBackground
from models.core.errors import NotFound, PermissionDenied
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.tables import Table, TableMembership
from models.pledging.decisions import accept, mark_delivered, reject
from models.pledging.pledges import PledgeInput, create_pledge, own_pledge, pledges_of, withdraw_remainder
from models.tables.elections import cast_ballot, election_view, nominate, open_election
from tests.models.world import build_world
from tests.web.conftest import PASSWORD, csrf, log_in, make_people

ROLES = ("anonymous", "citizen", "member_x", "chair_x", "chair_other", "governorate")
MATRIX_FLOOR = 45 * len(ROLES)  # 47 server callbacks today (incl. the pages router); a floor, not a pin


def expected_admission(rule_roles: frozenset[str], role: str) -> bool:
    """Who may fire a callback, derived from docs/design.md#roles independently of auth.admits.

    Table-scoped rules are asked about table X, so only X's member/chair hold MEMBER/CHAIR there."""
    if auth.ANYONE in rule_roles:
        return True
    if role == "anonymous":
        return False
    if auth.CITIZEN in rule_roles:  # every signed-in user is a citizen
        return True
    if role == "governorate":
        return auth.GOVERNORATE in rule_roles
    if role == "member_x":
        return auth.MEMBER in rule_roles
    if role == "chair_x":  # the chair of X is also a member of X
        return bool(rule_roles & {auth.MEMBER, auth.CHAIR})
    return False  # citizen, chair of another table: neither governorate nor anything on X


@pytest.fixture
def matrix_app(web_db):
    from dash_app import create_app

    people = make_people(web_db)
    with web_db.unit_of_work() as s:
        other_chair = accounts.create_user(s, name="Other chair", login="09120000009", password=PASSWORD)
        other = s.get(Table, people.other_table)
        other.chair_id = other_chair.id
        record(s, people.governorate, "table.set_chair", other)
        m = TableMembership(table_id=other.id, user_id=other_chair.id, background=MemberBackground.FIELD)
        s.add(m)
        record(s, people.governorate, "table.add_member", m, table_id=other.id)
    server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test"})
    yield server, people
    server.extensions["hamyar_db"].dispose()


LOGIN_OF = {"citizen": "citizen", "member_x": "member", "chair_x": "chair", "chair_other": "09120000009",
            "governorate": "governorate"}


def _clients(server):
    clients = {}
    for role in ROLES:
        c = server.test_client()
        if role != "anonymous":
            log_in(c, LOGIN_OF[role])
            assert c.get_cookie("session") is not None, role
        clients[role] = c
    return clients


def _is_pattern(dep_id) -> bool:
    return isinstance(dep_id, str) and dep_id.startswith("{")


def _dep(d: dict, rule: auth.CallbackRule, table_id: int) -> dict:
    if _is_pattern(d["id"]):  # an ALL wildcard: the renderer sends the list of matches (none here)
        return []
    value = table_id if rule.table_from == (d["id"], d["property"]) else None
    return {"id": d["id"], "property": d["property"], "value": value}


def _outputs(key: str) -> list[dict] | dict:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    outs = []
    for part in parts:
        ident, _, prop = part.rpartition(".")
        prop = prop.split("@")[0]
        outs.append([] if _is_pattern(ident) else {"id": ident, "property": prop})
    return outs if key.startswith("..") else outs[0]


def _body(key: str, entry: dict, rule: auth.CallbackRule, table_id: int) -> dict:
    return {"output": key, "outputs": _outputs(key),
            "inputs": [_dep(d, rule, table_id) for d in entry.get("inputs", [])],
            "state": [_dep(d, rule, table_id) for d in entry.get("state", [])],
            "changedPropIds": []}


def _server_callbacks(server) -> dict:
    server.test_client().get("/")
    return {k: v for k, v in server.extensions["hamyar_dash"].callback_map.items() if "callback" in v}


def test_callback_matrix(matrix_app):
    server, people = matrix_app
    callbacks = _server_callbacks(server)
    clients = _clients(server)
    tokens = {role: csrf(c) for role, c in clients.items()}
    cells, admitted, refused, failures, statuses = 0, 0, 0, [], {}
    for key, entry in sorted(callbacks.items()):
        rule = auth.rule_for(server, key)
        assert rule is not None, f"{key} is not registered through secured_callback"
        if key == auth.pages_router_key():
            continue  # public router: its pages are the page matrix below
        body = _body(key, entry, rule, people.table)
        for role in ROLES:
            cells += 1
            resp = clients[role].post("/_dash-update-component", json=body,
                                      headers={"X-CSRFToken": tokens[role]})
            if expected_admission(rule.roles, role):
                admitted += 1
                statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
                # Admitted: the callback ran (200/204) or the domain worded the empty input (400/404/409
                # with its catalogue code); never refused, never a server error.
                worded = resp.status_code in (400, 404, 409) and resp.is_json and "error" in resp.get_json()
                if resp.status_code not in (200, 204) and not worded:
                    failures.append((role, rule.name, resp.status_code, resp.get_data(as_text=True)[:120]))
            else:
                refused += 1
                want = 401 if role == "anonymous" else 403
                if resp.status_code != want:
                    failures.append((role, rule.name, resp.status_code, "should be refused"))
    assert not failures, failures
    assert cells >= MATRIX_FLOOR and refused > admitted > 0 and statuses.get(200, 0) > admitted // 2, (
        f"callback matrix: {cells} cells ({len(callbacks) - 1} callbacks x {len(ROLES)} roles), "
        f"{admitted} admitted (statuses {statuses}), {refused} refused")
    print(f"\ncallback matrix: {cells} cells, {admitted} admitted, {refused} refused, 0 failures")


def test_table_rules_are_checked_against_the_table_sent(matrix_app):
    """The chair of X sending table X's id is admitted; sending another table's id is refused, and the
    chair of the other table sending X's id is refused (for every MEMBER/CHAIR callback)."""
    server, people = matrix_app
    callbacks = _server_callbacks(server)
    clients = _clients(server)
    table_scoped = 0
    for key, entry in callbacks.items():
        rule = auth.rule_for(server, key)
        if not rule.roles & auth.TABLE_ROLES or rule.roles & {auth.CITIZEN, auth.ANYONE}:
            continue
        table_scoped += 1
        for role, table_id, admitted in (("chair_x", people.table, True), ("chair_x", people.other_table, False),
                                          ("chair_other", people.table, False),
                                          ("chair_other", people.other_table, True),
                                          ("member_x", people.other_table, False)):
            resp = clients[role].post("/_dash-update-component", json=_body(key, entry, rule, table_id),
                                      headers={"X-CSRFToken": csrf(clients[role])})
            if admitted:
                assert resp.status_code not in (401, 403) and resp.status_code < 500, (role, key)
            else:
                assert resp.status_code == 403, (role, table_id, key)
    assert table_scoped >= 5


def test_page_matrix(matrix_app):
    server, people = matrix_app
    clients = _clients(server)
    cells = 0
    for page in list(dash.page_registry.values()):
        path = page["path"]
        if path in auth.ACCOUNT_PATHS:
            continue  # Flask's own account routes (signing out would end the role's session)
        if page.get("path_template"):
            path = page["path_template"].replace("<table_id>", str(people.table)).replace("<project_id>", "1")
        roles = frozenset(page.get("roles") or ())
        for role in ROLES:
            cells += 1
            resp = clients[role].get(path)
            assert resp.status_code < 500, (role, path)
            if expected_admission(roles, role):
                assert resp.status_code in (200, 404) and "Location" not in resp.headers, (role, path)
            elif role == "anonymous":
                assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next="), path
            else:
                assert resp.status_code == 403, (role, path)
    assert cells >= 14 * len(ROLES), f"page matrix: {cells} cells"


# --- object-level checks through the domain --------------------------------------------------------

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        mine = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=60_000_000))
        env_pledge = create_pledge(s, w.citizen2, PledgeInput(kind="financial", quantity=10_000_000))
        health_alloc = Allocation(pledge_id=mine.id, need_id=w.money_need, quantity=20_000_000)
        env_alloc = Allocation(pledge_id=env_pledge.id, need_id=w.env_need, quantity=10_000_000)
        for a in (health_alloc, env_alloc):
            s.add(a)
            record(s, None, "allocation.proposed", a)
    return db, w, mine.id, health_alloc.id, env_alloc.id


def test_a_citizen_cannot_withdraw_or_read_anothers_pledge(world):
    db, w, mine, _, _ = world
    for outsider in (w.citizen2, w.chair, w.member):
        with pytest.raises(PermissionDenied), db.unit_of_work() as s:
            withdraw_remainder(s, outsider, mine)
        with pytest.raises(PermissionDenied), db.reader() as s:
            own_pledge(s, outsider, mine)
    with pytest.raises(NotFound), db.unit_of_work() as s:
        withdraw_remainder(s, w.citizen2, 10**9)
    with db.reader() as s:
        assert s.get(Pledge, mine).withdrawn_quantity == 0
        assert mine not in [st.pledge.id for st in pledges_of(s, w.citizen2)]
        assert mine in [st.pledge.id for st in pledges_of(s, w.citizen)]


def test_a_chair_cannot_decide_another_tables_allocation(world):
    db, w, _, health_alloc, env_alloc = world

    for actor, alloc in ((w.other_chair, health_alloc), (w.chair, env_alloc), (w.member, health_alloc)):
        with pytest.raises(PermissionDenied), db.unit_of_work() as s:
            accept(s, actor, alloc)
        with pytest.raises(PermissionDenied), db.unit_of_work() as s:
            reject(s, actor, alloc, "not mine to decide")
        with pytest.raises(PermissionDenied), db.unit_of_work() as s:
            mark_delivered(s, actor, alloc, county_today(), "")
    with db.reader() as s:
        assert {s.get(Allocation, a).status for a in (health_alloc, env_alloc)} == {AllocationStatus.PROPOSED}
    with db.unit_of_work() as s:  # the rightful chairs may
        accept(s, w.chair, health_alloc)
        accept(s, w.other_chair, env_alloc)


def test_ballots_stay_secret(world):
    db, w, _, _, _ = world
    with db.unit_of_work() as s:
        gov = User(name="gov", email="gov2@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test", gov)
    with db.unit_of_work() as s:
        eid = open_election(s, gov.id, w.health, NOW + timedelta(days=7), now=NOW).id
    with db.unit_of_work() as s:
        cand = nominate(s, w.chair, eid, now=NOW).id
    with db.unit_of_work() as s:
        cast_ballot(s, w.member, eid, [cand], now=NOW)
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:  # an outsider cannot vote
        cast_ballot(s, w.other_chair, eid, [cand], now=NOW)
    with db.reader() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action.like("election.ballot%"))).all()
        assert events, "the ballot itself is audited"
        for event in events:  # that a member voted, never for whom
            assert str(cand) not in json.dumps([event.before, event.after], default=str).replace(str(eid), "")
        other_view = election_view(s, w.health, w.chair, now=NOW)
        assert other_view.my_choices == [] and other_view.voted == 1
        assert all(c.approvals is None for c in other_view.candidates)  # no counts while open
        assert election_view(s, w.health, w.member, now=NOW).my_choices == [cand]
