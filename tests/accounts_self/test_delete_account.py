"""Delete my account: anonymised in one unit of work, logged out everywhere; what is kept stays."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.accounts import codes
from models.accounts.admin import set_active
from models.accounts.deletion import delete_my_account, is_deleted_account
from models.accounts.sessions import active_sessions
from models.audit.chain import verify_database
from models.core.errors import Conflict
from models.core.system_accounts import BUDGET_USER_EMAIL
from models.orm.audit_event import AuditEvent
from models.orm.notifications import Notification
from models.orm.outbox import NotificationPreference
from models.orm.pb import PBParticipation
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.residents import Resident
from models.orm.sessions import UserSession
from models.residents.claims import claim
from tests.residents.conftest import load_register


def test_deleting_erases_the_person_and_keeps_what_others_rest_on(any_people):
    p = any_people
    db = p.county.db
    load_register(p.county)
    with db.unit_of_work() as s:
        claim(s, p.me, p.county.codes[0], 1360)
    with db.unit_of_work() as s:
        delete_my_account(s, p.me)
    with db.reader() as s:
        user = s.get(User, p.me)
        assert is_deleted_account(user) and not user.is_active
        assert (user.phone, user.phone_verified_at, user.password_hash) == (None, None, "")
        assert user.name == "—" and "p0@example.org" != user.email
        for model, column in ((Notification, Notification.user_id), (NotificationPreference, NotificationPreference.user_id),
                              (UserSession, UserSession.user_id)):
            assert s.scalar(select(func.count()).select_from(model).where(column == p.me)) == 0
        assert active_sessions(s, p.me) == []
        # the accepted part stays as anonymous help; the proposed part and the rest are taken back
        assert s.get(Allocation, p.accepted).status.value == "accepted"
        assert s.get(Allocation, p.proposed).status.value == "withdrawn"
        pledge = s.get(Pledge, p.pledge)
        assert pledge.withdrawn_quantity == 40_000_000 and pledge.citizen_id == p.me
        # the vote stays counted (participation kept); the register entry can be claimed again
        assert s.scalar(select(func.count()).select_from(PBParticipation).where(PBParticipation.user_id == p.me)) == 1
        assert s.scalar(select(Resident.user_id).where(Resident.user_id == p.me)) is None
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "account.deleted")).one()
        assert event.object_id == p.me and event.actor_id == p.me
        assert "+98911" not in str(event.after) and "person0" not in str(event.after)
        # the other person is untouched
        other = s.get(User, p.other)
        assert other.phone == "+989110000001" and len(active_sessions(s, p.other)) == 1
    assert verify_database(db)[1] == []


def test_the_same_phone_registers_again_and_the_account_stays_deleted(people):
    db = people.county.db
    with db.unit_of_work() as s:
        delete_my_account(s, people.me)
    with db.unit_of_work() as s:
        issued = codes.issue_code(s, purpose="register", login="+989110000000", address="10.0.0.9")
    with db.unit_of_work() as s:
        again = codes.register_with_code(s, name="Maryam", login="+989110000000", code=issued.code, password=None)
        assert again is not None and again.id != people.me
    with db.unit_of_work() as s, pytest.raises(Conflict) as err:
        set_active(s, people.county.gov, people.me, True)
    assert err.value.code == "account_deleted"


def test_the_system_account_and_the_last_officer_are_refused(people):
    db = people.county.db
    with db.unit_of_work() as s:
        budget = User(name="Governorate budget", email=BUDGET_USER_EMAIL, password_hash="!", is_active=True)
        s.add(budget)
        from models.audit.log import record
        record(s, None, "test.created", budget)
        budget_id = budget.id
    with db.unit_of_work() as s, pytest.raises(Conflict) as err:
        delete_my_account(s, budget_id)
    assert err.value.code == "system_account"
    with db.unit_of_work() as s, pytest.raises(Conflict) as err:
        delete_my_account(s, people.county.gov)
    assert err.value.code == "last_governorate_staff"
    with db.reader() as s:
        assert s.get(User, people.county.gov).email == "gov@example.org"
    with db.unit_of_work() as s:  # with a second officer, the first may go
        s.get(User, people.other).is_governorate = True
        from models.audit.log import record
        record(s, None, "test.staff", s.get(User, people.other))
    with db.unit_of_work() as s:
        delete_my_account(s, people.county.gov)
