"""Issue 20 items 9-12 on the demo: the PB budget's system account apart from citizens' help, the audit log and
exports in words, Tehran time and toman, the admin's users table as cards, and a sane name length."""
from __future__ import annotations

import io
import json
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

import models.accounts.admin as admin_ops
from dash_app import auth
from models.accounts.users import NAME_MAX_LENGTH, create_user
from models.audit.log import record
from models.core.enums import AllocationStatus, HelpKind, PledgeStatus, ProjectStatus
from models.core.errors import Conflict, ValidationError
from models.core.system_accounts import BUDGET_USER_EMAIL, BUDGET_USER_NAME
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.projects.browse import totals
from models.reporting.audit_views import AuditFilter
from models.reporting.dashboard import DashboardFilter, headline
from tests.table.conftest import csrf, log_in

BUDGET = 30_000_000  # rials


@pytest.fixture
def budget(demo_db):
    """The governorate budget's account funding a financial need, as publishing a PB cycle does."""
    with demo_db.unit_of_work() as s:
        before = headline(s, DashboardFilter())
        before_totals = totals(s)
        user = User(name=BUDGET_USER_NAME, email=BUDGET_USER_EMAIL, password_hash="!no login", language="fa",
                    show_name_publicly=True)
        s.add(user)
        record(s, None, "user.created_for_pb_budget", user)
        need = s.scalars(select(Need).join(Project).where(
            Need.kind == HelpKind.FINANCIAL, Project.status.in_([ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS]))
            .order_by(Need.id)).first()
        pledge = Pledge(citizen_id=user.id, kind=HelpKind.FINANCIAL, quantity=BUDGET, divisible=True,
                        description="PB cycle 1: governorate budget", status=PledgeStatus.ALLOCATED)
        s.add(pledge)
        record(s, None, "pledge.created_for_pb_cycle", pledge)
        alloc = Allocation(pledge_id=pledge.id, need_id=need.id, quantity=BUDGET, status=AllocationStatus.ACCEPTED,
                           reasons=["pb_cycle"], decided_at=datetime.now().astimezone())
        s.add(alloc)
        record(s, None, "allocation.funded_by_pb_cycle", alloc)
        return user.id, before, before_totals


def test_the_pb_budget_is_public_money_shown_apart_and_its_account_is_not_a_person(demo_db, budget):
    uid, before, before_totals = budget
    with demo_db.reader() as s:
        after = headline(s, DashboardFilter())
        t = totals(s)
        listed = admin_ops.search_users(s, "budget", per_page=100)
        everyone = admin_ops.search_users(s, "", per_page=100)
    assert after.total_value == before.total_value and after.citizens == before.citizens
    assert after.public_budget == BUDGET
    assert t.mobilised[HelpKind.FINANCIAL] == before_totals.mobilised[HelpKind.FINANCIAL]
    assert t.participants == before_totals.participants and t.public_budget_rials == BUDGET
    assert uid not in {r.id for r in listed.rows} and uid not in {r.id for r in everyone.rows}
    with demo_db.reader() as s:
        staff = s.scalar(select(User.id).where(User.email == "gov@hamyar.local"))
    for attempt in (lambda s: admin_ops.set_active(s, staff, uid, False),
                    lambda s: admin_ops.set_governorate(s, staff, uid, True)):
        with pytest.raises(Conflict) as err, demo_db.unit_of_work() as s:
            attempt(s)
        assert err.value.code == "system_account"


def _render(client, path: str) -> str:
    body = {"output": auth.pages_router_key(),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_home_and_project_page_name_the_budget_in_one_language(demo_app, demo_db, budget):
    client = demo_app.test_client()
    home = _render(client, "/")
    assert "home-public-budget" in home and "۳٬۰۰۰٬۰۰۰ تومان" in home
    with demo_db.reader() as s:
        project = s.scalar(select(Need.project_id).join(Allocation, Allocation.need_id == Need.id)
                           .join(Pledge, Pledge.id == Allocation.pledge_id)
                           .join(User, User.id == Pledge.citizen_id).where(User.email == BUDGET_USER_EMAIL))
    page = _render(client, f"/projects/{project}")
    assert "بودجهٔ فرمانداری" in page and "Governorate budget" not in page


def test_every_audit_action_in_the_code_has_words(demo_app):
    from pathlib import Path

    from dash_app.pages.governorate.governorate import ACTION_LABELS, action_label

    root = Path(__file__).resolve().parents[2] / "models"
    actions = set()
    for path in root.rglob("*.py"):
        actions |= set(re.findall(r"record(?:_many)?\(\s*\w+,\s*[\w.\[\]]+,\s*\"([a-z_]+\.[a-z_]+)\"", path.read_text()))
    assert len(actions) > 30
    with demo_app.test_request_context("/"):
        for action in actions:
            label = action_label(action)
            assert label and "." not in label and "_" not in label, action
        # each has words of its own, not only the fallback "Change to a …" (project status moves excepted)
        own = {a for a in actions if a in ACTION_LABELS or a.startswith("project.")}
        assert own == actions, sorted(actions - own)
        assert action_label("allocation.accepted") == "پذیرش کمک"
        assert action_label("something.unknown") == "تغییر دیگر"


def test_the_audit_log_and_its_export_speak_persian(demo_app, demo_db):
    client = demo_app.test_client()
    log_in(client, "governorate")
    page = _render(client, "/governorate")
    assert '"value": "allocation.accepted"' in page and '"label": "allocation.accepted"' not in page
    assert "پذیرش کمک" in page
    # the wording notes on this screen: «جذب» not «بسیج», «فیلتر» not «صافی», «خروجی» not «برون‌بری»
    assert "منابع جذب‌شده" in page and "آمار کلی سامانه" in page
    assert not any(word in page for word in ("بسیج", "صافی", "برون‌بری", "آنچه همیار در خود دارد"))
    from dash_app.pages.governorate.governorate import export_file

    with demo_app.test_request_context("/"):
        data, _name = export_file("audit", "xlsx", DashboardFilter(), AuditFilter(), False, "fa")
    ws = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in ws[1]]
    action, kind = headers.index("عملیات") + 1, headers.index("نوع رکورد") + 1
    values = {ws.cell(r, action).value for r in range(2, ws.max_row + 1)}
    kinds = {ws.cell(r, kind).value for r in range(2, ws.max_row + 1)}
    assert values and not any(v and "." in v for v in values)
    assert kinds and not any(k and "_" in k for k in kinds)


def test_exports_give_tehran_time_jalali_toman_and_english_names(demo_app, demo_db):
    from dash_app.pages.governorate.governorate import export_file

    with demo_app.test_request_context("/", headers={"Cookie": "hamyar_lang=en"}):
        data, _name = export_file("allocations", "xlsx", DashboardFilter(), AuditFilter(), False, "en")
        projects, _n = export_file("projects", "xlsx", DashboardFilter(), AuditFilter(), False, "en")
    ws = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in ws[1]]
    assert "Decided (Tehran time)" in headers and "Decided (Jalali)" in headers
    assert headers.index("Value (toman)") == headers.index("Value (rials)") + 1
    col = {h: i + 1 for i, h in enumerate(headers)}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["Decided (Tehran time)"]).value)
    decided = ws.cell(row, col["Decided (Tehran time)"]).value
    assert isinstance(decided, datetime)   # a real date cell
    assert re.fullmatch(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}", ws.cell(row, col["Decided (Jalali)"]).value)
    assert ws.cell(row, col["Value (toman)"]).value * 10 == ws.cell(row, col["Value (rials)"]).value
    with demo_db.reader() as s:
        alloc_id = ws.cell(row, col["Allocation no."]).value
        alloc = s.get(Allocation, alloc_id)
        local = alloc.decided_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tehran")).replace(tzinfo=None)
        table_en = alloc.need.project.table.name_en
    assert abs((decided - local).total_seconds()) < 1
    assert table_en in {ws.cell(r, col["Table"]).value for r in range(2, ws.max_row + 1)}
    pws = load_workbook(io.BytesIO(projects)).active
    pheaders = [c.value for c in pws[1]]
    assert "Kind of project" in pheaders and "Kind of help" not in pheaders


def test_the_users_table_is_cards_on_phones_and_make_staff_says_what_it_grants(demo_app, demo_db):
    from dash_app.pages.governorate.admin import users_view

    with demo_db.reader() as s:
        found = admin_ops.search_users(s, "", per_page=20)
    with demo_app.test_request_context("/"):
        html = json.dumps(users_view(found, "fa").to_plotly_json(), default=lambda o: o.to_plotly_json(),
                          ensure_ascii=False)
    assert "table-cards" in html and '"data-label": "نام"' in html and "text-break" in html
    assert "دسترسی کامل" in html
    css = (__import__("pathlib").Path(__file__).resolve().parents[2] / "assets" / "hamyar.css").read_text()
    assert ".table-cards td[data-label]::before" in css and "overflow-wrap: anywhere" in css


def test_a_name_of_120_characters_is_refused(demo_db):
    assert NAME_MAX_LENGTH == 60
    with pytest.raises(ValidationError) as err, demo_db.unit_of_work() as s:
        create_user(s, name="x" * 120, login="long-name@example.org", password="a fine long passphrase 42")
    assert err.value.code == "name_too_long"
    with demo_db.reader() as s:
        assert not s.scalar(select(func.count()).select_from(User).where(User.email == "long-name@example.org"))


def test_how_matching_works_says_toman(demo_app):
    page = _render(demo_app.test_client(), "/how-matching-works")
    assert "مالی (به تومان)" in page and "ریال" not in page


def test_one_name_per_kind_of_help(demo_app):
    """The wording notes: «کار داوطلبانه» / "Volunteer work", «امکانات و تجهیزات», «نفرساعت», «دستگاه‌روز»."""
    from dash_app.ui.labels import kind_label
    from dash_app.ui.quantities import quantity_text

    with demo_app.test_request_context("/"):
        assert kind_label("execution") == "کار داوطلبانه" and kind_label("logistics") == "امکانات و تجهیزات"
        assert quantity_text("execution", 40) == "۴۰ نفرساعت" and "دستگاه‌روز" in quantity_text("logistics", 3)
    with demo_app.test_request_context("/", headers={"Cookie": "hamyar_lang=en"}):
        assert kind_label("execution") == "Volunteer work" and kind_label("logistics") == "Equipment and spaces"


def test_english_plurals(demo_app):
    from dash_app.i18n import ngettext

    with demo_app.test_request_context("/", headers={"Cookie": "hamyar_lang=en"}):
        assert ngettext("%(n)s ballot so far", "%(n)s ballots so far", 1, n="1") == "1 ballot so far"
        assert ngettext("%(n)s ballot so far", "%(n)s ballots so far", 3, n="3") == "3 ballots so far"
        assert ngettext("%(n)s decision", "%(n)s decisions", 1, n="1") == "1 decision"
    with demo_app.test_request_context("/"):
        assert ngettext("%(n)s ballot so far", "%(n)s ballots so far", 1, n="۱") == "تاکنون ۱ رأی"
    source = (__import__("pathlib").Path(__file__).resolve().parents[2] / "dash_app" / "pages" / "pb" / "vote.py")
    assert 'ngettext("%(n)s ballot so far"' in source.read_text()
