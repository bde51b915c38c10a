"""Issue 16 item 1 in the table editor: a logistics need picks its catalogue item and the items it accepts
instead; the editor lists them translated. Over HTTP on the seeded demo, as the health table's chair."""
from __future__ import annotations

import json

from sqlalchemy import select

from dash_app.pages.table import ids
from models.orm.items import LogisticsItem
from models.orm.projects import Need, Project
from tests.table.conftest import csrf, health_table, log_in


def _add_need(client, app, table_id, project_id, values):
    key = next(k for k in app.extensions["hamyar_dash"].callback_map if f"{ids.EDITOR_TOKEN}.data" in k)
    entry = app.extensions["hamyar_dash"].callback_map[key]

    def dep(d):
        cid = d["id"]
        if cid.startswith("{"):
            pattern = json.loads(cid)
            if pattern.get("type") not in values:
                return []
            return [{"id": {"type": pattern["type"], "project": project_id}, "property": d["property"],
                     "value": values[pattern["type"]]}]
        return {"id": cid, "property": d["property"], "value": {ids.TABLE_ID: table_id}.get(cid)}

    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop.split("@")[0]})
    changed = json.dumps({"project": project_id, "type": ids.NEED_ADD_TYPE}, separators=(",", ":"), sort_keys=True)
    return client.post("/_dash-update-component", headers={"X-CSRFToken": csrf(client)}, json={
        "output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
        "state": [dep(d) for d in entry["state"]], "changedPropIds": [changed + ".n_clicks"]})


def test_a_logistics_need_names_its_item_and_substitutes(demo_app, demo_db):
    table_id = health_table(demo_db)
    with demo_db.reader() as s:
        project = s.scalar(select(Project.id).where(Project.table_id == table_id, Project.status == "open")
                           .order_by(Project.id))
        item = dict(s.execute(select(LogisticsItem.slug, LogisticsItem.id)).all())
    client = demo_app.test_client()
    log_in(client, "chair")
    base = {ids.NEED_KIND_TYPE: "logistics", ids.NEED_QTY_TYPE: "6", ids.NEED_DESC_TYPE: "", ids.NEED_SKILLS_TYPE: [],
            ids.NEED_ADD_TYPE: 1}
    refused = _add_need(client, demo_app, table_id, project, base)  # no item: a sentence, nothing stored
    assert "from the list" in json.dumps(refused.get_json(), ensure_ascii=False) or \
        "از فهرست" in json.dumps(refused.get_json(), ensure_ascii=False)
    resp = _add_need(client, demo_app, table_id, project, {**base, ids.NEED_ITEM_TYPE: item["vehicle-10"],
                                                           ids.NEED_ACCEPTS_TYPE: [item["minibus"]]})
    assert resp.status_code == 200, resp.data[:300]
    text = json.dumps(resp.get_json(), ensure_ascii=False)
    assert "خودروی ۱۰ نفره" in text and "مینی‌بوس" in text  # listed in Persian with its substitute
    with demo_db.reader() as s:
        need = s.scalars(select(Need).where(Need.project_id == project).order_by(Need.id.desc())).first()
        assert need.item.slug == "vehicle-10" and [a.slug for a in need.accepts] == ["minibus"]
