"""Issue 20 item 13 (domain): a citizen's consent to show a contact to the chair of the table that accepted their
help (per allocation, revocable, given to that chair only), who may read it, messages about one contribution, and
the "show my name publicly" choice. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.accounts.profile import set_show_name_publicly
from models.audit.log import record
from models.core.enums import AllocationStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.contact import ContactConsent, ContributionMessage
from models.orm.notifications import Notification
from models.orm.people import User
from models.orm.pledges import Allocation
from models.orm.tables import Table
from models.pledging import contact
from models.pledging.decisions import accept
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world

PHONE = "+989121234567"


@pytest.fixture
def setup(any_db):
    """The citizen's accepted contribution to the health table (chair w.chair), and one still proposed."""
    with any_db.unit_of_work() as s:
        w = build_world(s)
        user = s.get(User, w.citizen)
        user.phone = PHONE
        record(s, None, "test.phone_set", user)
        p = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=60_000_000))
        allocs = []
        for qty in (20_000_000, 30_000_000):
            a = Allocation(pledge_id=p.id, need_id=w.money_need, quantity=qty)
            s.add(a)
            record(s, None, "allocation.proposed", a)
            allocs.append(a.id)
    with any_db.unit_of_work() as s:
        accept(s, w.chair, allocs[0])
    return any_db, w, allocs[0], allocs[1]


def _contacts(db, actor, table, ids):
    with db.reader() as s:
        return contact.contacts_for_chair(s, actor, table, ids)


def test_shared_contact_is_seen_by_that_chair_only_and_revocation_hides_it(setup):
    db, w, accepted, _proposed = setup
    assert _contacts(db, w.chair, w.health, [accepted]) == {}  # nothing shared yet: "not shared"
    with db.unit_of_work() as s:
        contact.share_contact(s, w.citizen, accepted, "phone")
    seen = _contacts(db, w.chair, w.health, [accepted])
    assert seen[accepted].value == PHONE and seen[accepted].channel == "phone" and seen[accepted].name == "citizen"
    # another chair (even naming their own table), a member, another citizen, the citizen, staff: refused
    for outsider in (w.other_chair, w.member, w.citizen2, w.citizen, None):
        with pytest.raises(PermissionDenied):
            _contacts(db, outsider, w.health, [accepted])
    assert _contacts(db, w.other_chair, w.env, [accepted]) == {}  # not their table's contribution
    with db.unit_of_work() as s:
        contact.share_contact(s, w.citizen, accepted, "email")  # changing the channel
    assert _contacts(db, w.chair, w.health, [accepted])[accepted].value == "citizen@example.org"
    with db.unit_of_work() as s:
        contact.revoke_contact(s, w.citizen, accepted)
    assert _contacts(db, w.chair, w.health, [accepted]) == {}
    with db.reader() as s:
        row = s.scalar(select(ContactConsent).where(ContactConsent.allocation_id == accepted))
        assert row.revoked_at is not None and row.chair_id == w.chair
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "contact_consents")
                                 .order_by(AuditEvent.id)))
        assert actions == ["contact.shared", "contact.shared", "contact.revoked"]
        assert contact.consents_for_citizen(s, w.citizen, [accepted]) == {}
    with db.unit_of_work() as s:  # shared again after revoking
        contact.share_contact(s, w.citizen, accepted, "phone")
    assert accepted in _contacts(db, w.chair, w.health, [accepted])


def test_only_the_citizen_shares_and_only_accepted_help(setup):
    db, w, accepted, proposed = setup
    for other in (w.citizen2, w.chair, w.other_chair):
        with pytest.raises(NotFound), db.unit_of_work() as s:
            contact.share_contact(s, other, accepted, "phone")
    with pytest.raises(NotFound), db.unit_of_work() as s:
        contact.revoke_contact(s, w.citizen2, accepted)
    with pytest.raises(Conflict, match="contact_not_accepted"), db.unit_of_work() as s:
        contact.share_contact(s, w.citizen, proposed, "phone")
    for bad in ("fax", None, 1, ["phone"]):
        with pytest.raises(ValidationError), db.unit_of_work() as s:
            contact.share_contact(s, w.citizen, accepted, bad)
    for forged in (True, "1", 10**30, -1, 999_999):
        with pytest.raises(NotFound), db.unit_of_work() as s:
            contact.share_contact(s, w.citizen, forged, "phone")
    with db.unit_of_work() as s:  # an account without a phone cannot share one
        user = s.get(User, w.citizen)
        user.phone = None
        record(s, None, "test.phone_removed", user)
    with pytest.raises(ValidationError, match="contact_channel_missing"), db.unit_of_work() as s:
        contact.share_contact(s, w.citizen, accepted, "phone")
    with db.reader() as s:
        assert s.scalar(select(ContactConsent)) is None


def test_a_new_chair_does_not_inherit_the_consent(setup):
    db, w, accepted, _proposed = setup
    with db.unit_of_work() as s:
        contact.share_contact(s, w.citizen, accepted, "phone")
    with db.unit_of_work() as s:
        table = s.get(Table, w.health)
        table.chair_id = w.member
        record(s, None, "table.chair_changed", table)
    assert _contacts(db, w.member, w.health, [accepted]) == {}
    with pytest.raises(PermissionDenied):
        _contacts(db, w.chair, w.health, [accepted])  # no longer the chair
    with db.reader() as s:
        state = contact.consents_for_citizen(s, w.citizen, [accepted])[accepted]
        assert state.lapsed and state.channel is None


def test_messages_between_the_citizen_and_the_chair_only(setup):
    db, w, accepted, proposed = setup
    with db.unit_of_work() as s:
        contact.post_message(s, w.citizen, accepted, "  I can bring the money on Saturday.  ")
    with db.unit_of_work() as s:
        contact.post_message(s, w.chair, accepted, "Saturday at 10 at the health post, thank you.")
    with db.reader() as s:
        msgs = contact.thread(s, w.citizen, accepted)
        assert [(m.side, m.body) for m in msgs] == [("citizen", "I can bring the money on Saturday."),
                                                    ("chair", "Saturday at 10 at the health post, thank you.")]
        assert [m.id for m in contact.thread(s, w.chair, accepted)] == [m.id for m in msgs]
        notes = {(n.user_id, n.params.get("sender")) for n in s.scalars(
            select(Notification).where(Notification.kind == "contribution_message"))}
        assert notes == {(w.chair, "citizen"), (w.citizen, "chair")}
        # the audit event keeps the length, never the text
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "contact.message_sent")))
        assert len(events) == 2 and all("Saturday" not in str(e.after) for e in events)
        assert events[0].after["length"] == len("I can bring the money on Saturday.")
    for outsider in (w.other_chair, w.member, w.citizen2):
        with pytest.raises(PermissionDenied), db.reader() as s:
            contact.thread(s, outsider, accepted)
        with pytest.raises(PermissionDenied), db.unit_of_work() as s:
            contact.post_message(s, outsider, accepted, "hello")
    with pytest.raises(ValidationError, match="message_required"), db.unit_of_work() as s:
        contact.post_message(s, w.citizen, accepted, "   ")
    with pytest.raises(ValidationError, match="message_too_long"), db.unit_of_work() as s:
        contact.post_message(s, w.citizen, accepted, "x" * (contact.MAX_MESSAGE + 1))
    with pytest.raises(ValidationError), db.unit_of_work() as s:
        contact.post_message(s, w.citizen, accepted, {"body": "x"})
    with pytest.raises(Conflict, match="messages_closed"), db.unit_of_work() as s:
        contact.post_message(s, w.citizen, proposed, "before acceptance")
    with pytest.raises(NotFound), db.unit_of_work() as s:
        contact.post_message(s, w.citizen, "1", "forged id")
    with db.reader() as s:
        assert len(list(s.scalars(select(ContributionMessage)))) == 2
        assert contact.citizen_threads(s, w.citizen2, [accepted]) == {}
        with pytest.raises(PermissionDenied):
            contact.chair_threads(s, w.other_chair, w.health, [accepted])
        assert contact.chair_threads(s, w.other_chair, w.env, [accepted]) == {}


def test_show_my_name_publicly_is_the_persons_own_audited_choice(setup):
    db, w, _accepted, _proposed = setup
    with db.reader() as s:
        assert s.get(User, w.citizen).show_name_publicly is False
    with db.unit_of_work() as s:
        set_show_name_publicly(s, w.citizen, True)
    with db.unit_of_work() as s:
        set_show_name_publicly(s, w.citizen, True)  # unchanged: no second event
    with db.reader() as s:
        assert s.get(User, w.citizen).show_name_publicly is True
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "user.show_name_set")))
        assert len(events) == 1 and events[0].actor_id == w.citizen and events[0].object_id == w.citizen
        assert events[0].before == {"show_name_publicly": False} and events[0].after == {"show_name_publicly": True}
    for bad in ("yes", 1, None):
        with pytest.raises(ValidationError), db.unit_of_work() as s:
            set_show_name_publicly(s, w.citizen, bad)
    with pytest.raises(NotFound), db.unit_of_work() as s:
        set_show_name_publicly(s, 999_999, False)


def test_withdrawn_contribution_hides_the_contact(setup):
    db, w, accepted, _proposed = setup
    with db.unit_of_work() as s:
        contact.share_contact(s, w.citizen, accepted, "phone")
    with db.unit_of_work() as s:
        alloc = s.get(Allocation, accepted)
        alloc.status = AllocationStatus.WITHDRAWN
        record(s, None, "allocation.released_by_cancel", alloc)
    assert _contacts(db, w.chair, w.health, [accepted]) == {}
