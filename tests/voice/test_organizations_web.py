"""Issue 21 item 5 (web): /organizations for a member and an admin, and a pledge shown under the organization's
name on its project page once made on its behalf."""
from __future__ import annotations

import json

from sqlalchemy import select

from models.audit.log import record
from models.core.enums import AllocationStatus, HelpKind, ProjectKind, ProjectStatus
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.voice import organizations as orgs
from tests.web.callbacks import rendered_text
from tests.web.conftest import csrf, log_in


def _post(client, app, button: str, values: dict, trigger_id: dict):
    key = [k for k, v in app.extensions["hamyar_dash"].callback_map.items()
           if any(i["id"].startswith("{") and f'"{button}"' in i["id"] for i in v["inputs"])][0]
    entry = app.extensions["hamyar_dash"].callback_map[key]

    def dep(d):
        return values.get(d["id"], []) if d["id"].startswith("{") else \
            {"id": d["id"], "property": d["property"], "value": values.get(d["id"])}
    outputs = [{"id": k.split(".")[0], "property": k.split(".")[1].split("@")[0]} for k in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
            "state": [dep(d) for d in entry.get("state", [])],
            "changedPropIds": [json.dumps(trigger_id, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def test_a_member_pledges_on_behalf_and_the_project_names_the_organization(app, web_db, people):
    with web_db.unit_of_work() as s:
        org = orgs.create_organization(s, people.governorate, "شرکت آب‌رسان", "Water Co.", "company",
                                       [people.table]).id
        orgs.add_member(s, people.governorate, org, people.citizen, "admin")
        project = Project(table_id=people.table, kind=ProjectKind.PROBLEM, title_fa="چاه", title_en="Well",
                          priority=5, status=ProjectStatus.OPEN)
        s.add(project)
        record(s, None, "test.created", project)
        need = Need(project_id=project.id, kind=HelpKind.FINANCIAL, quantity=10_000_000)
        pledge = Pledge(citizen_id=people.citizen, kind=HelpKind.FINANCIAL, quantity=5_000_000)
        s.add_all([need, pledge])
        record(s, None, "test.created", need)
        record(s, None, "test.created", pledge)
        alloc = Allocation(pledge_id=pledge.id, need_id=need.id, quantity=5_000_000, status=AllocationStatus.ACCEPTED)
        s.add(alloc)
        record(s, None, "test.created", alloc)
        ids = org, project.id, pledge.id
    org, project_id, pledge_id = ids
    citizen = app.test_client()
    log_in(citizen, "citizen")
    page = rendered_text(citizen, "/organizations")
    assert "شرکت آب‌رسان" in page and "myorg-add" in page  # an admin: may add members
    trigger = {"type": "myorg-behalf-save", "pledge": pledge_id}
    values = {'{"pledge":["ALL"],"type":"myorg-behalf-save"}': [{"id": trigger, "property": "n_clicks", "value": 1}],
              '{"pledge":["ALL"],"type":"myorg-behalf"}': [{"id": {"type": "myorg-behalf", "pledge": pledge_id},
                                                            "property": "value", "value": str(org)}]}
    other = app.test_client()
    log_in(other, "member")
    assert _post(other, app, "myorg-behalf-save", values, trigger).status_code in (403, 404)
    with web_db.reader() as s:
        assert s.get(Pledge, pledge_id).organization_id is None
    resp = _post(citizen, app, "myorg-behalf-save", values, trigger)
    assert resp.status_code == 200, resp.data
    with web_db.reader() as s:
        assert s.scalar(select(Pledge.organization_id).where(Pledge.id == pledge_id)) == org
    assert "شرکت آب‌رسان" in rendered_text(app.test_client(), f"/projects/{project_id}")
