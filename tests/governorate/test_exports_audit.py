"""Exports (CSV, xlsx; contacts only when asked; empty filters give headers only) and the audit log."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from models.core.enums import HelpKind
from models.pledging import decisions
from models.reporting.audit_views import AuditFilter, audit_actions, audit_page
from models.reporting.dashboard import DashboardFilter
from models.reporting.exports import (
    allocations_sheet,
    audit_sheet,
    pledges_sheet,
    projects_sheet,
    runs_sheet,
    to_csv,
    to_xlsx,
)
from tests.governorate.fixture import build_mobilised


@pytest.fixture
def mob(any_db):
    with any_db.unit_of_work() as s:
        m = build_mobilised(s)
    return any_db, m


def test_sheets_follow_the_filters(mob):
    db, m = mob
    w = m.world
    with db.reader() as s:
        everything = allocations_sheet(s, DashboardFilter())
        env = allocations_sheet(s, DashboardFilter(table_id=w.env))
        pledges = pledges_sheet(s, DashboardFilter(kind=HelpKind.LOGISTICS))
        projects = projects_sheet(s, DashboardFilter(table_id=w.health))
        runs = runs_sheet(s, DashboardFilter())
    assert len(everything.rows) == 6
    col = env.columns.index("value_rials")
    assert sorted(r[col] for r in env.rows) == [2_000_000, 30_000_000, 75_000_000]
    assert {r[0] for r in pledges.rows} == {m.truck_pledge, m.tractor_pledge}
    p = projects.rows[0]
    assert p[0] == w.project and p[projects.columns.index("needed_value_rials")] == 280_000_000
    assert p[projects.columns.index("mobilised_value_rials")] == 70_000_000
    assert runs.rows == []


def test_contacts_only_when_asked(mob):
    db, m = mob
    with db.reader() as s:
        plain = pledges_sheet(s, DashboardFilter())
        with_contacts = allocations_sheet(s, DashboardFilter(), include_contacts=True)
    assert "email" not in plain.columns and "phone" not in plain.columns
    assert not any("@example.org" in str(v) for row in plain.rows for v in row)
    assert {"phone", "email"} <= set(with_contacts.columns)
    assert "citizen@example.org" in {row[with_contacts.columns.index("email")] for row in with_contacts.rows}


def test_empty_filters_give_headers_only_in_both_formats(mob):
    db, m = mob
    with db.reader() as s:
        empty = pledges_sheet(s, DashboardFilter(date_from=date(2030, 1, 1)))
    assert empty.rows == []
    text = to_csv(["شماره", "نام"], empty.rows).decode("utf-8")
    assert text.startswith("\ufeff") and list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [["شماره", "نام"]]
    wb = load_workbook(io.BytesIO(to_xlsx(["شماره", "نام"], empty.rows, right_to_left=True)))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["شماره", "نام"] and ws.max_row == 1 and ws.sheet_view.rightToLeft


def test_xlsx_keeps_numbers_and_defuses_formulas():
    data = to_xlsx(["a", "b"], [[1_500_000_000, "=HYPERLINK(\"x\")"], [2, "plain"]])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == 1_500_000_000 and ws["B2"].value.startswith("'=")
    assert to_csv(["a"], [["=1+1"]]).decode().splitlines()[1] == "'=1+1"


def test_audit_log_filters_pages_and_details(mob):
    db, m = mob
    w = m.world
    with db.unit_of_work() as s:
        from models.core.enums import AllocationStatus
        from models.orm.pledges import Allocation

        # A real decision through the domain operation: the chair of Environment accepts the proposal.
        decisions.accept(s, w.other_chair, m.proposed_allocation)
        assert s.get(Allocation, m.proposed_allocation).status is AllocationStatus.ACCEPTED
    with db.reader() as s:
        page = audit_page(s, AuditFilter(action="allocation.accepted"))
        assert page.total == 1
        line = page.lines[0]
        assert line.actor_name == "otherchair" and line.table_id == w.env
        assert line.details["citizen_name"] == "citizen2" and line.details["quantity"] == 2_000_000
        assert line.details["project_en"] == "Nursery"
        # Family filter, table filter (allocations found through their project), actor search, object.
        assert audit_page(s, AuditFilter(action="allocation")).total == 1
        assert audit_page(s, AuditFilter(table_id=w.health, action="allocation")).total == 0
        assert audit_page(s, AuditFilter(actor_query="OTHER")).total >= 1
        assert audit_page(s, AuditFilter(object_type="allocations", object_id=m.proposed_allocation)).total >= 1
        everything = audit_page(s, AuditFilter(), per_page=5)
        assert everything.pages == -(-everything.total // 5) and len(everything.lines) == 5
        last = audit_page(s, AuditFilter(), page=999, per_page=5)
        assert last.page == everything.pages
        assert "allocation.accepted" in audit_actions(s)
        sheet = audit_sheet(s, AuditFilter(action="allocation.accepted"), describe=lambda ln: f"{ln.actor_name}!")
        assert sheet.rows[0][-1] == "otherchair!" and sheet.columns[-1] == "description"
        assert audit_page(s, AuditFilter(date_from=date(2000, 1, 1), date_to=date(2000, 1, 2))).total == 0
