"""The citizen's domain rules: what a typed quantity may be, validation without writing, withdrawal, notifications."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models.audit.log import record
from models.core.enums import AllocationStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import mark_read_up_to, notify, notify_proposed, unread_count
from models.core.validation import quantity_from_input
from models.orm.audit_event import AuditEvent
from models.orm.notifications import Notification
from models.orm.pledges import Allocation, Pledge
from models.pledging.pledges import (
    PledgeInput,
    count_pledges_of,
    create_pledge,
    validate_pledge,
    withdraw_remainder,
)
from tests.models.world import build_world

TODAY = date(2026, 11, 27)


@pytest.fixture
def world(any_db):
    with any_db.unit_of_work() as s:
        return build_world(s)


def _counts(db):
    with db.reader() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Pledge, AuditEvent, Allocation))


# --- quantities as typed ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind, amount, unit, rials", [
    ("financial", Decimal("1200000"), "toman", 12_000_000),
    ("financial", Decimal("1200000"), "rial", 1_200_000),
    ("financial", Decimal("1000000000000000"), "rial", 10**15),  # the largest amount accepted
    ("logistics", Decimal("3"), None, 3),
    ("execution", Decimal("40.0"), None, 40),
])
def test_typed_quantities_become_whole_units(kind, amount, unit, rials):
    assert quantity_from_input(kind, amount, unit) == rials


@pytest.mark.parametrize("kind, amount, unit, code", [
    ("financial", Decimal("0"), "toman", "quantity_not_positive"),
    ("financial", Decimal("-5"), "toman", "quantity_not_positive"),
    ("financial", Decimal("0.05"), "toman", "quantity_fractional_rial"),
    ("financial", Decimal("12.5"), "toman", "quantity_fractional_toman"),  # 125 rials: nobody gives 12½ toman (issue 20)
    ("financial", Decimal("10.5"), "rial", "quantity_fractional_rial"),
    ("financial", Decimal("1000000000000001"), "rial", "quantity_too_large"),
    ("financial", Decimal("100000000000001"), "toman", "quantity_too_large"),  # 10^15 + 10 rials
    ("financial", Decimal("1" + "0" * 40), "toman", "quantity_too_large"),
    ("financial", None, "toman", "quantity_not_number"),
    ("financial", "twelve", "toman", "quantity_not_number"),
    ("financial", Decimal("NaN"), "toman", "quantity_not_number"),
    ("financial", Decimal("Infinity"), "toman", "quantity_not_number"),
    ("financial", True, "toman", "quantity_not_number"),
    ("financial", Decimal("100"), "dollar", "money_unit_unknown"),
    ("design", Decimal("2.5"), None, "quantity_not_integer"),
    ("execution", Decimal("0"), None, "quantity_not_positive"),
    ("logistics", Decimal("100001"), None, "quantity_too_large"),
    ("prayers", Decimal("1"), None, "kind_unknown"),
])
def test_bad_typed_quantities_are_refused_with_their_own_code(kind, amount, unit, code):
    with pytest.raises(ValidationError) as err:
        quantity_from_input(kind, amount, unit)
    assert err.value.code == code
    assert err.value.field in ("quantity", "unit", "kind")


# --- validation without writing, and creation -------------------------------------------------------


def test_validate_pledge_checks_everything_and_writes_nothing(any_db, world):
    before = _counts(any_db)
    data = PledgeInput(kind="execution", quantity=40, district_id=world.amol, skill_ids=[world.nursing],
                       table_ids=[world.health], only_tables=True, divisible=False,
                       window_start=TODAY, window_end=TODAY + timedelta(days=30), description="  first aid  ")
    with any_db.unit_of_work() as s:
        checked = validate_pledge(s, world.citizen, data, today=TODAY)
        assert checked.data.description == "first aid" and checked.data.skill_ids == (world.nursing,)
        assert [t.slug for t in checked.tables] == ["health"] and checked.district.slug == "amol-city"
    assert _counts(any_db) == before


@pytest.mark.parametrize("change, code, field", [
    ({"district_id": 424242}, "district_unknown", "district"),
    ({"table_ids": (424242,)}, "table_unknown", "tables"),
    ({"table_ids": "1,2"}, "table_unknown", "tables"),
    ({"skill_ids": (424242,), "kind": "design", "quantity": 5}, "skill_unknown", "skills"),
    ({"skill_ids": ("nursing",), "kind": "design", "quantity": 5}, "skill_unknown", "skills"),
    ({"window_start": TODAY + timedelta(days=9), "window_end": TODAY + timedelta(days=2)}, "window_inverted", "window"),
    ({"window_start": TODAY - timedelta(days=30), "window_end": TODAY - timedelta(days=1)}, "window_in_past", "window"),
    ({"quantity": 10**15 + 1}, "quantity_too_large", "quantity"),
    ({"quantity": 0}, "quantity_not_positive", "quantity"),
    ({"kind": "logistics", "quantity": 3, "description": "   "}, "item_required", "item"),  # issue 16
    ({"description": "x" * 201}, "description_too_long", "description"),
])
def test_create_refuses_and_changes_nothing(any_db, world, change, code, field):
    before = _counts(any_db)
    data = PledgeInput(**{"kind": "financial", "quantity": 5_000_000, **change})
    with pytest.raises(ValidationError) as err, any_db.unit_of_work() as s:
        create_pledge(s, world.citizen, data, today=TODAY)
    assert (err.value.code, err.value.field) == (code, field)
    assert _counts(any_db) == before


def test_money_is_always_divisible_and_skills_only_for_skilled_kinds(any_db, world):
    with any_db.unit_of_work() as s:
        p = create_pledge(s, world.citizen, PledgeInput(kind="financial", quantity=1000, divisible=False))
        assert p.divisible is True
    with pytest.raises(ValidationError, match="skills_not_for_kind"), any_db.unit_of_work() as s:
        create_pledge(s, world.citizen, PledgeInput(kind="financial", quantity=1000, skill_ids=(world.nursing,)))


def test_count_pledges_of_counts_only_ones_own(any_db, world):
    with any_db.unit_of_work() as s:
        for who in (world.citizen, world.citizen, world.citizen2):
            create_pledge(s, who, PledgeInput(kind="financial", quantity=1000))
    with any_db.reader() as s:
        assert (count_pledges_of(s, world.citizen), count_pledges_of(s, world.citizen2)) == (2, 1)


# --- withdrawal -----------------------------------------------------------------------------------


def _pledge_with_parts(db, world, quantity=10_000_000):
    with db.unit_of_work() as s:
        pid = create_pledge(s, world.citizen, PledgeInput(kind="financial", quantity=quantity)).id
        for status, qty in ((AllocationStatus.ACCEPTED, 3_000_000), (AllocationStatus.PROPOSED, 2_000_000)):
            a = Allocation(pledge_id=pid, need_id=world.money_need, quantity=qty, status=status)
            s.add(a)
            record(s, None, "test", a)
    return pid


def test_withdraw_with_the_amount_shown(any_db, world):
    pid = _pledge_with_parts(any_db, world)
    with any_db.unit_of_work() as s:
        assert withdraw_remainder(s, world.citizen, pid, expected=7_000_000) == 7_000_000
    with any_db.reader() as s:
        p = s.get(Pledge, pid)
        assert p.withdrawn_quantity == 7_000_000
        assert sorted(a.status.value for a in p.allocations) == ["accepted", "withdrawn"]
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "pledge.withdrawn", AuditEvent.object_id == pid)) == 1


def test_withdraw_refuses_when_the_amount_changed_meanwhile(any_db, world):
    pid = _pledge_with_parts(any_db, world)
    before = _counts(any_db)
    with pytest.raises(Conflict) as err, any_db.unit_of_work() as s:
        withdraw_remainder(s, world.citizen, pid, expected=9_000_000)
    assert err.value.code == "withdrawable_changed" and err.value.params["amount"] == 7_000_000
    assert _counts(any_db) == before
    with any_db.reader() as s:
        assert s.get(Pledge, pid).withdrawn_quantity == 0


@pytest.mark.parametrize("pledge_id, exc", [(424242, NotFound), ("1", NotFound), (None, NotFound), (True, NotFound)])
def test_withdraw_of_unknown_ids(any_db, world, pledge_id, exc):
    with pytest.raises(exc), any_db.unit_of_work() as s:
        withdraw_remainder(s, world.citizen, pledge_id)


def test_nobody_withdraws_anothers_pledge(any_db, world):
    pid = _pledge_with_parts(any_db, world)
    before = _counts(any_db)
    with pytest.raises(PermissionDenied) as err, any_db.unit_of_work() as s:
        withdraw_remainder(s, world.citizen2, pid)
    assert err.value.code == "not_your_pledge" and err.value.http_status == 403
    assert _counts(any_db) == before


# --- notifications --------------------------------------------------------------------------------


def test_mark_read_up_to_leaves_newer_notifications_unread(any_db, world):
    with any_db.unit_of_work() as s:
        notify(s, world.citizen, "allocation_accepted", project_id=world.project)
        notify(s, world.citizen, "allocation_delivered", project_id=world.project)
        notify(s, world.citizen2, "allocation_accepted", project_id=world.project)
    with any_db.reader() as s:
        first, second = sorted(s.scalars(select(Notification.id).where(Notification.user_id == world.citizen)))
    with any_db.unit_of_work() as s:
        assert mark_read_up_to(s, world.citizen, first) == 1
        assert mark_read_up_to(s, world.citizen, "everything") == 0
    with any_db.reader() as s:
        assert unread_count(s, world.citizen) == 1 and unread_count(s, world.citizen2) == 1
    with any_db.unit_of_work() as s:
        mark_read_up_to(s, world.citizen, second)
        assert unread_count(s, world.citizen) == 0


def test_notify_proposed_sends_one_notice_per_citizen(any_db, world):
    with any_db.unit_of_work() as s:
        pids = [create_pledge(s, who, PledgeInput(kind="financial", quantity=1_000_000)).id
                for who in (world.citizen, world.citizen, world.citizen2)]
        allocs = [Allocation(pledge_id=p, need_id=world.money_need, quantity=1_000_000) for p in pids]
        s.add_all(allocs)
        record(s, None, "test", allocs[0])
        for a in allocs[1:]:
            record(s, None, "test", a)
        s.flush()
        notify_proposed(s, allocs)
    with any_db.reader() as s:
        rows = s.execute(select(Notification.user_id, Notification.kind, Notification.params)).all()
    by_user = {u: (k, p["count"]) for u, k, p in rows}
    assert by_user == {world.citizen: ("allocation_proposed", 2), world.citizen2: ("allocation_proposed", 1)}
