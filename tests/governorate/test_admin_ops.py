"""Administration: tables, archiving with open proposals, members, users, valuation rates."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

import models.accounts.admin as admin_ops
from models.core.enums import AllocationStatus, HelpKind, PledgeStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.tables import Table, TableMembership
from models.orm.valuation import ValuationRate
from models.reporting import valuation
from tests.governorate.fixture import build_mobilised


@pytest.fixture
def admin(any_db):
    with any_db.unit_of_work() as s:
        m = build_mobilised(s)
        staff = User(name="Staff", email="staff@example.org", password_hash="!x", is_governorate=True)
        s.add(staff)
        from models.audit.log import record

        record(s, None, "test.created", staff)
        staff_id = staff.id
    return any_db, m, staff_id


def test_only_active_governorate_staff_administer(admin):
    db, m, staff = admin
    with db.unit_of_work() as s:
        with pytest.raises(PermissionDenied):
            admin_ops.create_table(s, m.world.chair, admin_ops.TableInput("میز", "Desk"))
        with pytest.raises(PermissionDenied):
            valuation.set_rate(s, m.world.citizen, "design", "", 1)


def test_create_edit_and_name_clash(admin):
    db, m, staff = admin
    with db.unit_of_work() as s:
        t = admin_ops.create_table(s, staff, admin_ops.TableInput(" میز  آب ", "Water table", "شرح"))
        tid = t.id
        assert (t.name_fa, t.slug) == ("میز آب", "water-table")
    with db.unit_of_work() as s:
        with pytest.raises(ValidationError) as info:
            admin_ops.create_table(s, staff, admin_ops.TableInput("دیگر", "HEALTH"))
        assert info.value.code == "table_name_taken"
        with pytest.raises(ValidationError) as info:
            admin_ops.create_table(s, staff, admin_ops.TableInput("", "x"))
        assert info.value.field == "name_fa"
    with db.unit_of_work() as s:
        admin_ops.update_table(s, staff, tid, admin_ops.TableInput("میز آب", "Water and rivers table"))
    with db.reader() as s:
        assert s.get(Table, tid).name_en == "Water and rivers table"
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(["table.created", "table.updated"]), AuditEvent.object_id == tid)) == 2


def test_archiving_a_table_with_open_proposals_asks_then_withdraws(admin):
    db, m, staff = admin
    env = m.world.env
    with db.unit_of_work() as s:
        with pytest.raises(Conflict) as info:
            admin_ops.archive_table(s, staff, env)
        assert info.value.code == "table_has_open_proposals" and info.value.params == {"count": 1}
    with db.unit_of_work() as s:
        admin_ops.archive_table(s, staff, env, admin_ops.WITHDRAW_PROPOSALS)
    with db.reader() as s:
        assert s.get(Table, env).archived_at is not None
        assert s.get(Allocation, m.proposed_allocation).status is AllocationStatus.WITHDRAWN
        # The spare pledge had only that proposal (the other was rejected): it is open again.
        assert s.get(Pledge, m.spare_pledge).status is PledgeStatus.OPEN
        # History stays: accepted allocations are untouched.
        assert s.scalar(select(func.count()).select_from(Allocation).where(
            Allocation.status == AllocationStatus.ACCEPTED)) == 3
    with db.unit_of_work() as s:
        with pytest.raises(Conflict):
            admin_ops.archive_table(s, staff, env, admin_ops.KEEP_PROPOSALS)
        admin_ops.unarchive_table(s, staff, env)


def test_archiving_can_keep_proposals(admin):
    db, m, staff = admin
    with db.unit_of_work() as s:
        admin_ops.archive_table(s, staff, m.world.env, admin_ops.KEEP_PROPOSALS)
    with db.reader() as s:
        assert s.get(Allocation, m.proposed_allocation).status is AllocationStatus.PROPOSED
        rows = {r.id: r for r in admin_ops.tables_overview(s)}
        assert rows[m.world.env].archived and rows[m.world.env].open_proposals == 1
        assert rows[m.world.health].members == 2


def test_members_add_remove_rejoin_and_chair_leaves(admin):
    db, m, staff = admin
    w = m.world
    with db.unit_of_work() as s:
        admin_ops.add_member(s, staff, w.health, w.citizen, "academic", "دانشگاه")
        with pytest.raises(Conflict):
            admin_ops.add_member(s, staff, w.health, w.citizen)
        with pytest.raises(ValidationError):
            admin_ops.add_member(s, staff, w.env, w.citizen, "wizard")
    with db.unit_of_work() as s:
        admin_ops.remove_member(s, staff, w.health, w.citizen)
        with pytest.raises(NotFound):
            admin_ops.remove_member(s, staff, w.health, w.citizen)
    with db.unit_of_work() as s:
        admin_ops.add_member(s, staff, w.health, w.citizen, "field")   # rejoins on the same row
    with db.unit_of_work() as s:
        admin_ops.remove_member(s, staff, w.health, w.chair)
    with db.reader() as s:
        rows = s.scalars(select(TableMembership).where(TableMembership.user_id == w.citizen)).all()
        assert len(rows) == 1 and rows[0].left_at is None
        assert s.get(Table, w.health).chair_id is None
        names = [mm.user_id for mm in admin_ops.members_of(s, w.health)]
        assert w.chair not in names and w.citizen in names


def test_users_roles_deactivation_and_deletion_rules(admin):
    db, m, staff = admin
    w = m.world
    with db.unit_of_work() as s:
        found = admin_ops.search_users(s, "citizen")
        assert {u.id for u in found.rows} == {w.citizen, w.citizen2}
        assert {u.id: u.pledges for u in found.rows}[w.citizen] == 2
        admin_ops.set_governorate(s, staff, w.member, True)
        admin_ops.set_active(s, staff, w.citizen, False)
        with pytest.raises(Conflict) as info:
            admin_ops.set_active(s, staff, staff, False)
        assert info.value.code == "cannot_change_own_account"
    with db.unit_of_work() as s:
        with pytest.raises(Conflict) as info:
            admin_ops.delete_user(s, staff, w.citizen)
        assert info.value.code == "user_has_pledges"
    with pytest.raises(Conflict) as info:   # a chair's memberships and decisions are history
        with db.unit_of_work() as s:
            admin_ops.delete_user(s, staff, w.chair)
    assert info.value.code == "user_has_history"
    with db.unit_of_work() as s:
        loner = User(name="Loner", email="loner@example.org", password_hash="!x")
        s.add(loner)
        from models.audit.log import record

        record(s, None, "test.created", loner)
        loner_id = loner.id
    with db.unit_of_work() as s:
        admin_ops.delete_user(s, staff, loner_id)
    with db.reader() as s:
        assert s.get(User, loner_id) is None
        assert s.get(User, w.member).is_governorate and not s.get(User, w.citizen).is_active
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.deleted")) == 1


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "12", None])
def test_a_rate_must_be_a_positive_integer(admin, bad):
    db, m, staff = admin
    with db.unit_of_work() as s:
        with pytest.raises(ValidationError) as info:
            valuation.set_rate(s, staff, "design", "", bad)
        assert info.value.code == "rate_not_positive"


def test_rates_set_change_and_remove(admin):
    db, m, staff = admin
    with db.unit_of_work() as s:
        with pytest.raises(ValidationError) as info:
            valuation.set_rate(s, staff, "financial", "", 10)
        assert info.value.code == "rate_not_for_money"
        valuation.set_rate(s, staff, HelpKind.DESIGN, "", 6_000_000)
        valuation.set_rate(s, staff, "logistics", "وانت", 30_000_000)
    with db.reader() as s:
        rates = {(r.kind, r.item): r for r in valuation.list_rates(s)}
        assert rates[(HelpKind.LOGISTICS, "وانت")].rials_per_unit == 30_000_000
        assert rates[(HelpKind.DESIGN, "")].set_by_id == staff
        truck, default = rates[(HelpKind.LOGISTICS, "وانت")].id, rates[(HelpKind.LOGISTICS, "")].id
    with db.unit_of_work() as s:
        with pytest.raises(Conflict):
            valuation.remove_rate(s, staff, default)
        valuation.remove_rate(s, staff, truck)
    with db.reader() as s:
        assert s.get(ValuationRate, truck) is None
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(["valuation.set", "valuation.removed"]))) == 3
