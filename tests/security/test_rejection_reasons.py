"""Issue 18 item 9: a rejection's reason is for its citizen (the chair's dialog: "the citizen will read
it"). The table page's "Recent decisions" showed it to everyone, anonymous visitors included; now only
the table's chair (who wrote it) and the governorate see it there, and the citizen on "My pledges".
"""
from __future__ import annotations

import json

from sqlalchemy import select

import models.accounts.users as accounts
from dash_app import auth
from models.audit.log import record
from models.core.enums import AllocationStatus
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from tests.governorate.test_gov_web import gov_app  # noqa: F401 - fixture
from tests.web.conftest import PASSWORD, csrf, log_in

REASON = "Private-reason-for-the-citizen-7Q"


def _render(client, path: str) -> str:
    body = {"output": auth.pages_router_key(),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200, resp.status_code
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_only_the_chair_and_the_governorate_read_a_rejection_reason_on_the_table_page(gov_app):  # noqa: F811
    app, m = gov_app
    db = app.extensions["hamyar_db"]
    with db.unit_of_work() as s:
        rejected = s.scalars(select(Allocation).where(Allocation.status == AllocationStatus.REJECTED)).one()
        rejected.reject_reason = REASON
        record(s, None, "test.reason", rejected)
        need = s.get(Need, rejected.need_id)
        table_id = s.get(Project, need.project_id).table_id
        pledge = s.get(Pledge, rejected.pledge_id)
        for uid, login in ((m.world.chair, "chair@example.org"), (pledge.citizen_id, "owner@example.org"),
                           (m.world.member, "member@example.org")):
            user = s.get(User, uid)
            user.email, user.password_hash = login, accounts.hash_password(PASSWORD)
            record(s, None, "test.password", user)
        chair_of_table = s.get(__import__("models.orm.tables", fromlist=["Table"]).Table, table_id).chair_id
    assert chair_of_table == m.world.chair
    path = f"/tables/{table_id}"

    def page(login: str | None) -> str:
        client = app.test_client()
        client.get("/")
        if login:
            log_in(client, login)
        return _render(client, path)

    anonymous = page(None)
    assert "Recent decisions" in anonymous or "تصمیم" in anonymous  # the section is there ...
    assert REASON not in anonymous                                   # ... without the reason
    for login in ("09120000009", "member@example.org", "owner@example.org"):  # a citizen, a member, the owner
        assert REASON not in page(login), login
    assert REASON in page("chair@example.org")
    assert REASON in page("staff@example.org")
