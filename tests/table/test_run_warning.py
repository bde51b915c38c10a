"""Issue 16 item 6 on the table page: pressing "Run matching" on a run that would withdraw proposals or lower
coverage shows what it would do and starts nothing; "Run anyway" starts it and the run's record says what the
chair confirmed. Over HTTP, on the seeded demo (the health table's re-run withdraws 140 proposals)."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from dash_app.pages.table import ids
from models.core.enums import RunScope
from models.orm.audit_event import AuditEvent
from models.orm.pledges import MatchingRun
from models.runs.preview import preview_run
from tests.table.conftest import csrf, health_table, log_in

CONFIRM = {"scope": "table", "type": ids.MATCH_CONFIRM}


def _item(cid, prop, value):
    return {"id": cid, "property": prop, "value": value}


def _press(client, table_id: int, button: str):
    return client.post("/_dash-update-component", headers={"X-CSRFToken": csrf(client)}, json={
        "output": f"..{ids.MATCH_STATUS}.children...{ids.MATCH_INTERVAL}.disabled...{ids.MATCH_START}.disabled..."
                  f"{ids.MATCH_DONE}.children...{ids.MATCH_CLAIMED}.children..",
        "outputs": [{"id": i, "property": p} for i, p in (
            (ids.MATCH_STATUS, "children"), (ids.MATCH_INTERVAL, "disabled"), (ids.MATCH_START, "disabled"),
            (ids.MATCH_DONE, "children"), (ids.MATCH_CLAIMED, "children"))],
        "inputs": [_item(ids.MATCH_START, "n_clicks", 1), _item(ids.MATCH_INTERVAL, "n_intervals", None),
                   [_item(CONFIRM, "n_clicks", 1)] if button == ids.MATCH_CONFIRM else []],
        "state": [_item(ids.TABLE_ID, "data", table_id), _item(ids.MATCH_DONE, "children", None)],
        "changedPropIds": [f"{json.dumps(CONFIRM, separators=(',', ':'), sort_keys=True) if button == ids.MATCH_CONFIRM else button}.n_clicks"]})


def _runs(db):
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(MatchingRun))


def test_a_run_that_would_withdraw_proposals_waits_for_the_chair(demo_app, demo_db):
    table_id = health_table(demo_db)
    with demo_db.reader() as s:
        expected = preview_run(s, RunScope.TABLE, table_id)
    assert expected.withdrawn > 100
    client = demo_app.test_client()
    log_in(client, "chair")
    before = _runs(demo_db)
    resp = _press(client, table_id, ids.MATCH_START)
    assert resp.status_code == 200
    answer = resp.get_json()["response"]
    assert ids.MATCH_CLAIMED not in answer  # nothing was started
    text = json.dumps(answer[ids.MATCH_STATUS], ensure_ascii=False)
    assert f'"data-run-warning": "{expected.withdrawn}"' in text
    withdrawn_fa = str(expected.withdrawn).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert withdrawn_fa in text and "پیشنهاد" in text  # in Persian, with Persian digits
    assert _runs(demo_db) == before
    resp = _press(client, table_id, ids.MATCH_CONFIRM)
    assert resp.status_code == 200 and _runs(demo_db) == before + 1  # claimed, and its job queued with it
    with demo_db.reader() as s:
        run_id = s.scalar(select(func.max(MatchingRun.id)))
    with demo_db.reader() as s:
        confirmed = s.scalars(select(AuditEvent).where(AuditEvent.action == "matching.confirmed",
                                                       AuditEvent.object_id == run_id)).one()
        assert confirmed.after["withdrawn"] == expected.withdrawn
        assert confirmed.after["coverage_after"] == round(expected.coverage_after, 6)


def test_the_warning_is_the_chairs_only(demo_app, demo_db):
    table_id = health_table(demo_db)
    client = demo_app.test_client()
    log_in(client, "member")
    assert _press(client, table_id, ids.MATCH_START).status_code == 403
    assert _press(client, table_id, ids.MATCH_CONFIRM).status_code == 403
