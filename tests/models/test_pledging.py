"""Pledge rules: what a citizen may offer, withdraw, and see."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models.core.errors import NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.pledges import Pledge
from models.pledging.pledges import PledgeInput, create_pledge, pledges_of, withdraw_remainder
from tests.models.world import build_world


@pytest.fixture
def world(any_db):
    with any_db.unit_of_work() as s:
        return build_world(s)


def _pledge(db, who, **kw):
    data = PledgeInput(**{"kind": "financial", "quantity": 5_000_000, **kw})
    with db.unit_of_work() as s:
        return create_pledge(s, who, data).id


def _count(db, model):
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_create_pledge_stores_and_audits(any_db, world):
    pid = _pledge(any_db, world.citizen, kind="execution", quantity=40, district_id=world.amol,
                  skill_ids=(world.nursing,), table_ids=(world.health,), only_tables=True,
                  window_start=date.today() + timedelta(days=30), window_end=date.today() + timedelta(days=60))
    with any_db.reader() as s:
        p = s.get(Pledge, pid)
        assert (p.quantity, p.kind.value, p.only_tables) == (40, "execution", True)
        assert [sk.slug for sk in p.skills] == ["nursing"] and [t.slug for t in p.tables] == ["health"]
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "pledge.created")).one()
        assert ev.actor_id == world.citizen and ev.object_id == pid


@pytest.mark.parametrize("bad, code", [
    ({"quantity": 0}, "quantity_not_positive"),
    ({"quantity": -10}, "quantity_not_positive"),
    ({"quantity": 1.5}, "quantity_not_integer"),
    ({"quantity": "100"}, "quantity_not_integer"),
    ({"quantity": True}, "quantity_not_integer"),
    ({"quantity": 10**15 + 1}, "quantity_too_large"),
    ({"kind": "prayers"}, "kind_unknown"),
    ({"window_start": date.today() + timedelta(days=60), "window_end": date.today() + timedelta(days=30)},
     "window_inverted"),
    ({"window_start": date.today() + timedelta(days=60)}, "window_incomplete"),
    ({"district_id": 99999}, "district_unknown"),
    ({"table_ids": (99999,)}, "table_unknown"),
    ({"only_tables": True}, "only_tables_without_tables"),
    ({"kind": "logistics", "quantity": 3}, "item_required"),  # issue 16: a catalogue item, not free text
])
def test_bad_pledges_are_refused_and_change_nothing(any_db, world, bad, code):
    before = (_count(any_db, Pledge), _count(any_db, AuditEvent))
    with pytest.raises(ValidationError) as err:
        _pledge(any_db, world.citizen, **bad)
    assert err.value.code == code
    assert (_count(any_db, Pledge), _count(any_db, AuditEvent)) == before


def test_unknown_skill_and_county_as_district_are_refused(any_db, world):
    with pytest.raises(ValidationError, match="skill_unknown"):
        _pledge(any_db, world.citizen, kind="design", quantity=5, skill_ids=(world.nursing, 4242))
    with pytest.raises(ValidationError, match="district_unknown"):
        _pledge(any_db, world.citizen, district_id=world.county)


def test_withdraw_takes_back_open_and_proposed_parts_only(any_db, world):
    from models.audit.log import record
    from models.core.enums import AllocationStatus
    from models.orm.pledges import Allocation

    pid = _pledge(any_db, world.citizen, quantity=10_000_000)
    with any_db.unit_of_work() as s:
        for status, qty in ((AllocationStatus.ACCEPTED, 3_000_000), (AllocationStatus.PROPOSED, 2_000_000)):
            a = Allocation(pledge_id=pid, need_id=world.money_need, quantity=qty, status=status)
            s.add(a)
            record(s, None, "test", a)
    with any_db.unit_of_work() as s:
        assert withdraw_remainder(s, world.citizen, pid) == 7_000_000
    with any_db.reader() as s:
        p = s.get(Pledge, pid)
        assert p.withdrawn_quantity == 7_000_000 and p.status.value == "allocated"
        statuses = sorted(a.status.value for a in p.allocations)
        assert statuses == ["accepted", "withdrawn"]
    with pytest.raises(ValidationError, match="nothing_to_withdraw"), any_db.unit_of_work() as s:
        withdraw_remainder(s, world.citizen, pid)


def test_nobody_withdraws_anothers_pledge(any_db, world):
    pid = _pledge(any_db, world.citizen)
    with pytest.raises(PermissionDenied), any_db.unit_of_work() as s:
        withdraw_remainder(s, world.citizen2, pid)
    with pytest.raises(NotFound), any_db.unit_of_work() as s:
        withdraw_remainder(s, world.citizen2, 424242)
    with any_db.reader() as s:
        assert s.get(Pledge, pid).withdrawn_quantity == 0


def test_pledges_of_lists_own_pledges_with_remaining(any_db, world):
    first = _pledge(any_db, world.citizen, quantity=1_000_000)
    second = _pledge(any_db, world.citizen, quantity=2_000_000)
    _pledge(any_db, world.citizen2)
    with any_db.reader() as s:
        stories = pledges_of(s, world.citizen)
    assert [st.pledge.id for st in stories] == [second, first]
    assert [st.remaining for st in stories] == [2_000_000, 1_000_000]
