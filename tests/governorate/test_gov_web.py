"""The governorate's pages without a browser: charts, audit sentences, exports and forged callbacks."""
from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

import models.accounts.users as accounts
from dash_app.i18n import LANGUAGE_COOKIE, _
from dash_app.ui import governorate_charts as charts_gov
from models.reporting.audit_views import AuditFilter, AuditLine
from models.reporting.dashboard import DashboardFilter, dashboard
from tests.governorate.fixture import build_mobilised
from tests.web.conftest import PASSWORD, csrf, log_in


@pytest.fixture
def gov_app(db):
    from dash_app import create_app

    with db.unit_of_work() as s:
        m = build_mobilised(s)
        accounts.create_user(s, name="Staff", login="staff@example.org", password=PASSWORD, is_governorate=True)
        accounts.create_user(s, name="Someone", login="09120000009", password=PASSWORD)
    server = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "test"})
    yield server, m
    server.extensions["hamyar_db"].dispose()


def _ctx(app, lang):
    return app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}={lang}"})


def test_charts_follow_the_language(gov_app):
    app, m = gov_app
    db = app.extensions["hamyar_db"]
    with db.reader() as s:
        board = dashboard(s, DashboardFilter())
    with _ctx(app, "fa"):
        fig = charts_gov.groups_figure(board.by_table, "x", "fa")
        assert fig.layout.xaxis.autorange == "reversed" and fig.layout.yaxis.side == "right"
        assert all(any(ch in t for ch in "۰۱۲۳۴۵۶۷۸۹") for t in fig.layout.xaxis.ticktext)
        money = charts_gov.kind_label("financial")
        assert money != "Money" and {t.name for t in fig.data} == {money, charts_gov.kind_label("execution"),
                                                                   charts_gov.kind_label("logistics")}
        months = charts_gov.months_figure(board.by_month, "fa")
        assert list(months.data[0].x) == ["آبان ۱۴۰۵", "آذر ۱۴۰۵"]
        sankey = charts_gov.sankey_figure(board.flows, "fa")
        assert sankey.data[0].type == "sankey"
        labels = list(sankey.data[0].node.label)
        assert {money, "سلامت", "محیط زیست", "پایگاه سلامت", "نهالستان"} <= set(labels)
        assert sum(sankey.data[0].link.value) == 2 * board.headline.total_value
    with _ctx(app, "en"):
        sankey = charts_gov.sankey_figure(board.flows, "en")
        assert {"Money", "Health", "Nursery"} <= set(sankey.data[0].node.label)
        cov = charts_gov.coverage_figure(board.coverage, "en")
        assert list(cov.data[0].y)[0] in ("Health post", "Nursery") and max(cov.data[0].x) <= 100
        empty = charts_gov.groups_figure([], "x", "en")
        assert empty.layout.annotations[0].text == "Nothing mobilised for these filters yet."
    assert charts_gov.nice_ticks(17.5) == [0, 5, 10, 15, 20]


def test_audit_sentences_in_both_languages(gov_app):
    app, m = gov_app
    from dash_app.pages.governorate.governorate import describe

    line = AuditLine(1, datetime(2026, 11, 1, tzinfo=UTC), "allocation.accepted", 2, "Maryam", "allocations",
                     9, 1, "میز سلامت", "Health table", {"status": "proposed"}, {"status": "accepted"},
                     {"kind": "execution", "quantity": 40, "item": "", "citizen_name": "Reza",
                      "project_fa": "پایگاه سلامت", "project_en": "Health post"})
    with _ctx(app, "en"):
        assert describe(line, "en") == ("Chair Maryam accepted 40 person-hours from citizen Reza for the project "
                                        "“Health post”.")
        unknown = AuditLine(2, line.at, "pb.voted", None, None, "pb_ballots", 7, None, None, None, None, None, {})
        # an action without a sentence is named in words, never by its code (issue 20 item 9)
        assert describe(unknown, "en") == "The system: Other change (budgeting ballot no. 7)."
    with _ctx(app, "fa"):
        assert describe(line, "fa") == "رئیس میز، Maryam، ۴۰ نفرساعت از شهروند Reza را برای پروژه «پایگاه سلامت» پذیرفت."


def test_export_files_have_localised_headers_and_rows(gov_app):
    app, m = gov_app
    from dash_app.pages.governorate.governorate import export_file

    with _ctx(app, "fa"):
        data, name = export_file("allocations", "xlsx", DashboardFilter(), AuditFilter(), False, "fa")
        ws = load_workbook(io.BytesIO(data)).active
        headers = [c.value for c in ws[1]]
        expected = [_("Allocation no."), _("Status"), _("Kind of help")]
        assert headers[:3] == expected and expected[0] != "Allocation no." and _("E-mail") not in headers
        assert ws.max_row == 1 + 6 and name.endswith(".xlsx")
        statuses = {ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}
        assert statuses == {_("accepted"), _("delivered"), _("proposed"), _("rejected")} and "accepted" not in statuses
        with_contacts, _name = export_file("allocations", "csv", DashboardFilter(), AuditFilter(), True, "fa")
        assert "citizen@example.org" in with_contacts.decode("utf-8")
    with _ctx(app, "en"):
        empty, _name = export_file("pledges", "csv", DashboardFilter(table_id=999), AuditFilter(), False, "en")
        # times are Tehran time and say so; each date has its Jalali column (issue 20 item 10)
        assert empty.decode("utf-8").lstrip("\ufeff").strip().startswith(
            "Pledge no.,Created (Tehran time),Created (Jalali),Citizen no.")
        data_part = empty.decode("utf-8").strip().split("\r\n\r\n")[0]  # the audit anchor follows an empty line
        assert len(data_part.splitlines()) == 1
        audit, _name = export_file("audit", "csv", DashboardFilter(), AuditFilter(action="test"), False, "en")
        assert "Description" in audit.decode("utf-8").splitlines()[0]


def _body(app, key_part, inputs=(), state=()):
    dash_app = app.extensions["hamyar_dash"]
    key = next(k for k in dash_app.callback_map if key_part in k)
    outs = [{"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]} for o in key.strip(".").split("...")]
    return {"output": key, "outputs": outs if key.startswith("..") else outs[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state], "changedPropIds": []}


def test_forged_admin_and_dashboard_callbacks_get_403_and_staff_get_data(gov_app):
    app, m = gov_app
    citizen, staff = app.test_client(), app.test_client()
    citizen.get("/")
    log_in(citizen, "09120000009")
    log_in(staff, "staff@example.org")
    lists = _body(app, "adm-tables.children", [("adm-refresh", "data", 1)])
    save = _body(app, "adm-t-name-fa.value", [("adm-t-select", "value", str(m.world.health))])
    board = _body(app, "gov-headline", [(i, "value", "") for i in ("gov-f-date-from", "gov-f-date-to", "gov-f-table",
                                                                    "gov-f-kind", "gov-f-district")],
                  [("gov-f-show-all", "value", False)])  # "show all" is read with the filters (issue 20)
    for body in (lists, save, board):
        denied = citizen.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(citizen)})
        assert denied.status_code == 403 and denied.get_json()["error"] == "forbidden"
    ok = staff.post("/_dash-update-component", json=board, headers={"X-CSRFToken": csrf(staff)})
    # 175,000,000 rials is 17,500,000 toman, in Persian digits.
    assert ok.status_code == 200 and "۱۷٬۵۰۰٬۰۰۰" in json.dumps(ok.get_json(), ensure_ascii=False)
    loaded = staff.post("/_dash-update-component", json=save, headers={"X-CSRFToken": csrf(staff)})
    assert loaded.status_code == 200 and "Health" in loaded.get_data(as_text=True)
    assert staff.get("/admin").status_code == 200 and citizen.get("/admin").status_code == 403


def test_a_bad_rate_is_refused_with_a_message(gov_app):
    app, m = gov_app
    staff = app.test_client()
    log_in(staff, "staff@example.org")
    body = _body(app, next(k for k in app.extensions["hamyar_dash"].callback_map
                           if "adm-message" in k and "adm-r-save" in str(app.extensions["hamyar_dash"]
                                                                          .callback_map[k]["inputs"])),
                 [("adm-r-save", "n_clicks", 1)],
                 [("adm-r-kind", "value", "design"), ("adm-r-item", "value", ""), ("adm-r-rate", "value", "-۵"),
                  ("adm-refresh", "data", 0)])
    resp = staff.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(staff)})
    text = json.dumps(resp.get_json(), ensure_ascii=False)
    assert resp.status_code == 200 and "نرخ باید عددی صحیح و مثبت به ریال باشد" in text
