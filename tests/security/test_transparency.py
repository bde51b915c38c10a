"""Issue 18 item 1 (a): the anchor shown to everyone (/transparency), on the governorate's dashboard
and carried by every export, in Persian with its Jalali date."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import jdatetime
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from dash_app.i18n import to_persian_digits
from models.audit.anchors import read_anchors, write_anchor
from models.core.clock import COUNTY_TZ
from models.reporting.audit_views import AuditFilter
from models.reporting.dashboard import DashboardFilter
from tests.web.callbacks import render
from tests.web.conftest import log_in, make_people

KEY = "transparency-test-key-" + "7" * 20


@pytest.fixture
def server(web_db, tmp_path):
    from dash_app import create_app

    make_people(web_db)
    app = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "t",
                      "HAMYAR_AUDIT_KEY": KEY, "HAMYAR_AUDIT_ANCHORS": str(tmp_path / "anchors.jsonl")})
    yield app
    app.extensions["hamyar_db"].dispose()


def _page(client, path):
    resp = render(client, path)
    assert resp.status_code == 200, resp.data
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _jalali(anchored_at: str) -> str:
    local = datetime.fromisoformat(anchored_at).astimezone(COUNTY_TZ)
    return to_persian_digits(jdatetime.date.fromgregorian(date=local.date()).strftime("%Y/%m/%d"))


def test_the_public_page_shows_the_newest_anchor_in_persian(server, tmp_path):
    client = server.test_client()
    first = _page(client, "/transparency")  # no anchor for a day (here: ever): looking at the page writes one
    assert "شفافیت" in first and "لنگر روزانه" in first
    _page(client, "/transparency")
    assert [a.reason for a in read_anchors(tmp_path / "anchors.jsonl")[0]] == ["daily"]  # not twice a day
    anchor = write_anchor(server.extensions["hamyar_db"], "manual")
    shown = _page(client, "/transparency")  # anonymous
    assert "transparency-anchor" in shown and "transparency-recent" in shown
    assert f"تازه‌ترین رویداد لنگرشده: شمارهٔ {to_persian_digits(anchor.event_id)}" in shown
    assert anchor.hash in shown and _jalali(anchor.anchored_at) in shown
    assert "هنوز در گزارش رویدادها هست" in shown and "نوشته‌شده به دست گردانندهٔ سامانه" in shown
    client.set_cookie("hamyar_lang", "en")
    english = _page(client, "/transparency")
    day = datetime.fromisoformat(anchor.anchored_at).astimezone(COUNTY_TZ).date().isoformat()
    assert f"Newest anchored event: number {anchor.event_id}" in english and day in english


def test_a_shortened_log_shows_on_the_page(server, web_db):
    write_anchor(server.extensions["hamyar_db"], "manual")
    with web_db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        conn.execute(text("DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)"))
    shown = _page(server.test_client(), "/transparency")
    assert "آن‌گونه که لنگر شده در گزارش رویدادها نیست" in shown


def test_the_governorate_dashboard_shows_it(server):
    anchor = write_anchor(server.extensions["hamyar_db"], "daily")
    client = server.test_client()
    log_in(client, "governorate")
    shown = _page(client, "/governorate")
    assert "gov-anchor" in shown and anchor.hash in shown and "لنگر روزانه" in shown


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_carry_the_chain_head_and_the_anchor(server, fmt):
    from dash_app.pages.governorate.governorate import export_file

    anchor = write_anchor(server.extensions["hamyar_db"], "manual")
    with server.test_request_context("/"):
        data, name = export_file("pledges", fmt, DashboardFilter(), AuditFilter(), False, "fa")
    if fmt == "csv":
        lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        at = lines.index(["#hamyar-audit-anchor"])
        found = dict(lines[at + 1:])
    else:
        found = {k: str(v) for k, v in load_workbook(io.BytesIO(data))["audit-anchor"].iter_rows(values_only=True)}
    assert found["chain_head_event_id"] == str(anchor.event_id) == found["anchor_event_id"]
    assert found["chain_head_hash"] == anchor.hash == found["anchor_hash"]
    assert found["anchored_at"] == anchor.anchored_at


def test_a_restore_reads_as_words_in_the_audit_log(server):
    from dash_app.pages.governorate.governorate import action_label

    with server.test_request_context("/"):
        assert action_label("database.restored") == "پایگاه داده از یک نسخهٔ پشتیبان بازگردانده شد"
