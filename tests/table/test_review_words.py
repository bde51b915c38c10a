"""The chair's review queue words every solver reason (no raw code), and the delivery date reads 15/09/1405."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from dash_app import auth
from dash_app.pages.table import table_review
from dash_app.ui import dates, reasons
from matching import REASON_CODES
from models.audit.log import record
from models.core.enums import AllocationStatus
from models.orm.pledges import Allocation
from models.orm.projects import Need, Project
from models.orm.skills import Skill
from tests.table.conftest import csrf, health_table, log_in


def _render(client, path: str) -> str:
    body = {"output": auth.pages_router_key(),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _one_reason_per_code(skill: str) -> list[str]:
    examples = {"skill": f"skill: {skill}", "priority": "priority 12.5", "item": "item: pickup-truck",
                "substitute": "substitute: pickup-truck"}
    return [examples.get(code, code) for code in REASON_CODES] + ["pb_cycle", "priority:5", "preferred_table"]


def test_the_review_queue_shows_no_raw_reason_code(demo_app, demo_db):
    health = health_table(demo_db)
    with demo_db.unit_of_work() as s:
        skill = s.scalars(select(Skill).order_by(Skill.id)).first()
        raw = _one_reason_per_code(skill.slug)
        shown = s.scalars(select(Allocation).join(Need).join(Project).where(
            Project.table_id == health, Allocation.status == AllocationStatus.PROPOSED)).all()
        assert shown
        for alloc in shown:
            alloc.reasons = list(raw)
            record(s, None, "allocation.reasons_set_for_tests", alloc)
        skill_fa = skill.name_fa
    client = demo_app.test_client()
    log_in(client, "chair")
    page = _render(client, f"/tables/{health}")
    assert "data-allocation" in page
    for reason in raw:
        assert json.dumps(reason, ensure_ascii=False) not in page, reason
    assert f"{skill.slug}" not in page.replace(f'"{skill.slug}"', "")
    assert f"مهارت: {skill_fa}" in page
    assert "اولویت وزنی ۱۲٫۵" in page and "اولویت وزنی ۵" in page
    assert "تأمین‌شده از بودجه‌ریزی مشارکتی" in page


@pytest.mark.parametrize("code", [*REASON_CODES, "pb_cycle"])
def test_every_reason_code_has_words(demo_app, code):
    reason = {"skill": "skill: nursing", "priority": "priority 8", "item": "item: pickup-truck",
              "substitute": "substitute: pickup-truck"}.get(code, code)  # codes with an argument carry one
    with demo_app.test_request_context("/"):
        for for_citizen in (False, True):
            text = reasons.reason_text(reason, {"nursing": "پرستاری"}, for_citizen=for_citizen)
            assert text and text != reason and "_" not in text


def test_one_priority_wording_on_both_pages(demo_app):
    with demo_app.test_request_context("/"):
        assert reasons.reason_text("priority 20") == reasons.reason_text("priority 20", for_citizen=True) \
            == "اولویت وزنی ۲۰"
        assert "۱۰" not in reasons.reason_text("priority 8")


def test_the_delivery_date_reads_what_the_pledge_form_reads():
    assert table_review.parse_date_text is dates.parse_date_text
    assert dates.parse_date_text("15/09/1405", field="date", code="date_invalid") == date(2026, 12, 6)
    assert dates.parse_date_text("۱۴۰۵/۰۹/۱۵", field="date", code="date_invalid") == date(2026, 12, 6)
