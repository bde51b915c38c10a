"""Issue 16 item 6 on the table page: the chair turns automatic matching on (and only the chair)."""
from __future__ import annotations

import json

from dash_app.pages.table import ids
from models.orm.tables import Table
from tests.table.conftest import csrf, health_table, log_in


def _save(client, table_id, on, minutes):
    return client.post("/_dash-update-component", headers={"X-CSRFToken": csrf(client)}, json={
        "output": f"{ids.AUTO_STATUS}.children", "outputs": {"id": ids.AUTO_STATUS, "property": "children"},
        "inputs": [{"id": ids.AUTO_SAVE, "property": "n_clicks", "value": 1}],
        "state": [{"id": ids.AUTO_SWITCH, "property": "value", "value": on},
                  {"id": ids.AUTO_MINUTES, "property": "value", "value": minutes},
                  {"id": ids.TABLE_ID, "property": "data", "value": table_id}],
        "changedPropIds": [f"{ids.AUTO_SAVE}.n_clicks"]})


def test_the_chair_turns_automatic_matching_on(demo_app, demo_db):
    table_id = health_table(demo_db)
    member = demo_app.test_client()
    log_in(member, "member")
    assert _save(member, table_id, True, "۱۵").status_code == 403
    chair = demo_app.test_client()
    log_in(chair, "chair")
    resp = _save(chair, table_id, True, "۱۵")  # Persian digits
    assert resp.status_code == 200 and "۱۵" in json.dumps(resp.get_json(), ensure_ascii=False)
    with demo_db.reader() as s:
        t = s.get(Table, table_id)
        assert (t.auto_match, t.auto_match_minutes) == (True, 15)
    bad = _save(chair, table_id, True, "2")
    assert "alert" in bad.get_data(as_text=True)
    with demo_db.reader() as s:
        assert s.get(Table, table_id).auto_match_minutes == 15
