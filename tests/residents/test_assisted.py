"""Assisted use (issue 23 item 5): an officer or a table member registers a resident with no smartphone and
enters a pledge for them on a signed paper form; who may, form numbers once, and the audit of each."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.orm.pledges import Pledge
from models.orm.residents import AssistedEntry, Resident
from models.pledging.assisted import pledge_for_resident
from models.pledging.pledges import PledgeInput
from models.residents.claims import register_assisted
from tests.residents.conftest import load_register

MONEY = PledgeInput(kind="financial", quantity=5_000_000)


def _register(county, helper, i=0, form=" ۱۲-ab ", phone=None, year=1360):
    with county.db.unit_of_work() as s:
        return register_assisted(s, helper, county.codes[i], year, "  Maryam   Tabari ", form, phone).id


def _events(county, action):
    with county.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_table_member_registers_a_resident_on_a_paper_form(county):
    load_register(county)
    uid = _register(county, county.w.member, phone="+989121234567")
    with county.db.reader() as s:
        user = s.get(User, uid)
        assert (user.name, user.phone, user.password_hash) == ("Maryam Tabari", "+989121234567", "!assisted")
        assert s.scalar(select(Resident.user_id).where(Resident.user_id == uid)) == uid
        entry = s.scalar(select(AssistedEntry))
        assert (entry.kind, entry.form_number, entry.helper_id, entry.citizen_id) == \
            ("registration", "12-AB", county.w.member, uid)
    (made,) = _events(county, "assisted.registered")
    assert made.actor_id == county.w.member and made.after["form_number"] == "12-AB"
    (claimed,) = _events(county, "resident.claimed")
    assert claimed.actor_id == county.w.member and claimed.after == {"resident_id": 1, "user_id": uid}


def test_who_may_assist_and_what_is_refused(county):
    load_register(county)
    with pytest.raises(PermissionDenied) as err:       # a citizen who is on no table
        _register(county, county.users[0])
    assert err.value.code == "assisted_helpers_only"
    with pytest.raises(ValidationError):
        _register(county, county.gov, form="  ")
    with pytest.raises(NotFound):
        _register(county, county.gov, year=1361)
    uid = _register(county, county.gov)              # no phone: an address that reaches nobody
    with county.db.reader() as s:
        assert s.get(User, uid).email.endswith("@assisted.hamyar.invalid")
    with pytest.raises(Conflict) as twice:
        _register(county, county.gov, i=1, form="12-ab")
    assert twice.value.code == "assisted_form_number_used"
    with pytest.raises(Conflict) as other:
        _register(county, county.gov, i=0, form="13")
    assert other.value.code == "resident_claimed_by_other"
    with county.db.reader() as s:
        assert s.scalar(select(func.count(User.id)).where(User.password_hash == "!assisted")) == 1


def test_a_pledge_entered_for_a_resident(county):
    load_register(county)
    uid = _register(county, county.gov)
    with county.db.unit_of_work() as s:
        pledge = pledge_for_resident(s, county.w.member, uid, "P-7", MONEY)
        pid = pledge.id
    with county.db.reader() as s:
        assert s.get(Pledge, pid).citizen_id == uid
        entry = s.scalar(select(AssistedEntry).where(AssistedEntry.kind == "pledge"))
        assert (entry.pledge_id, entry.helper_id, entry.form_number) == (pid, county.w.member, "P-7")
    (event,) = _events(county, "assisted.pledge_entered")
    assert event.actor_id == county.w.member
    assert event.after["citizen_id"] == uid and event.after["form_number"] == "P-7"
    with county.db.unit_of_work() as s, pytest.raises(Conflict):
        pledge_for_resident(s, county.gov, uid, "p-7", MONEY)
    with county.db.unit_of_work() as s, pytest.raises(PermissionDenied) as err:   # not in the register
        pledge_for_resident(s, county.gov, county.users[0], "P-8", MONEY)
    assert err.value.code == "assisted_resident_only"
    with county.db.unit_of_work() as s, pytest.raises(PermissionDenied):
        pledge_for_resident(s, county.users[1], uid, "P-9", MONEY)
    with county.db.reader() as s:
        assert s.scalar(select(func.count(Pledge.id)).where(Pledge.citizen_id == uid)) == 1
