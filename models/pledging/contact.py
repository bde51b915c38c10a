"""Reaching the people whose help a chair accepted, with their consent (issue 20 item 13).

Imports sqlalchemy and models only. For each of their accepted (or delivered) contributions a citizen may
share their phone or e-mail with the chair of its table (`share_contact`), and take it back
(`revoke_contact`); the consent is given to the person chairing the table at that moment, so a new chair
does not inherit it. The chair reads shared contacts through `contacts_for_chair`, which checks on the
server that the reader chairs the table and is the person the consent was given to; nobody else (another
chair, another citizen, the governorate) can read them. The citizen and the table's chair may also write
short messages about one contribution (`post_message`, `thread`); the other side is notified. Every
change is audited; a message's event keeps its length, never its text.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.enums import AllocationStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import active_user, require_chair_of
from models.orm.base import utcnow
from models.orm.contact import ContactConsent, ContributionMessage
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table

CHANNELS = ("phone", "email")
OPEN_STATUSES = (AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED)
MAX_MESSAGE = 1000
MAX_THREAD = 200  # messages per contribution: a thread for coordinating, not a chat room


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


@dataclass(frozen=True)
class _Context:
    allocation: Allocation
    citizen_id: int
    table_id: int
    chair_id: int | None  # the table's chair now (None: no chair, or the table is archived)


def _context(session: Session, allocation_id: object) -> _Context:
    if not _is_id(allocation_id):
        raise NotFound("allocation_not_found")
    row = session.execute(select(Allocation, Pledge.citizen_id, Table.id, Table.chair_id, Table.archived_at)
                          .join(Pledge, Pledge.id == Allocation.pledge_id).join(Need, Need.id == Allocation.need_id)
                          .join(Project, Project.id == Need.project_id).join(Table, Table.id == Project.table_id)
                          .where(Allocation.id == allocation_id)).first()
    if row is None:
        raise NotFound("allocation_not_found")
    alloc, citizen_id, table_id, chair_id, archived_at = row
    return _Context(alloc, citizen_id, table_id, chair_id if archived_at is None else None)


def _own(session: Session, citizen_id: int, allocation_id: object) -> _Context:
    """The citizen's own contribution (another's answers 'not found', as if it did not exist)."""
    ctx = _context(session, allocation_id)
    if active_user(session, citizen_id) is None or ctx.citizen_id != citizen_id:
        raise NotFound("allocation_not_found")
    return ctx


def _title(ctx: _Context) -> dict:
    project = ctx.allocation.need.project
    return {"allocation_id": ctx.allocation.id, "project_id": project.id, "project_fa": project.title_fa,
            "project_en": project.title_en or project.title_fa, "table_id": ctx.table_id}


# --- consent ------------------------------------------------------------------------------------------


def consent_of(session: Session, allocation_id: int) -> ContactConsent | None:
    return session.scalar(select(ContactConsent).where(ContactConsent.allocation_id == allocation_id))


def share_contact(session: Session, citizen_id: int, allocation_id: object, channel: object) -> ContactConsent:
    """The citizen shows their phone or e-mail to the chair of the table that accepted this contribution."""
    if channel not in CHANNELS:
        raise ValidationError("contact_channel_invalid", field="channel")
    ctx = _own(session, citizen_id, allocation_id)
    if ctx.allocation.status not in OPEN_STATUSES:
        raise Conflict("contact_not_accepted", status=ctx.allocation.status.value)
    if ctx.chair_id is None:
        raise Conflict("table_has_no_chair")
    user = session.get(User, citizen_id)
    if not getattr(user, channel, None):
        raise ValidationError("contact_channel_missing", field="channel")
    row = consent_of(session, ctx.allocation.id)
    before = snapshot(row, ["chair_id", "channel", "revoked_at"]) if row is not None else None
    if row is None:
        row = ContactConsent(allocation_id=ctx.allocation.id, citizen_id=citizen_id, chair_id=ctx.chair_id,
                             channel=str(channel))
        session.add(row)
    row.chair_id, row.channel, row.granted_at, row.revoked_at = ctx.chair_id, str(channel), utcnow(), None
    record(session, citizen_id, "contact.shared", row, before=before, table_id=ctx.table_id)
    return row


def revoke_contact(session: Session, citizen_id: int, allocation_id: object) -> ContactConsent | None:
    """The citizen stops showing their contact for this contribution (nothing to do when it was not shared)."""
    ctx = _own(session, citizen_id, allocation_id)
    row = consent_of(session, ctx.allocation.id)
    if row is None or row.revoked_at is not None:
        return row
    before = snapshot(row, ["revoked_at"])
    row.revoked_at = utcnow()
    record(session, citizen_id, "contact.revoked", row, before=before, table_id=ctx.table_id)
    return row


@dataclass(frozen=True)
class ConsentState:
    """What /my shows for one contribution: whether (and which) contact is shared, with whom."""

    channel: str | None          # the channel shared now; None when not shared
    lapsed: bool                 # shared with a former chair: the new chair does not see it


def consents_for_citizen(session: Session, citizen_id: int, allocation_ids: list[int]) -> dict[int, ConsentState]:
    """The citizen's own consents for these allocations (only theirs, one query)."""
    if not allocation_ids:
        return {}
    rows = session.execute(select(ContactConsent, Table.chair_id, Table.archived_at)
                           .join(Allocation, Allocation.id == ContactConsent.allocation_id)
                           .join(Need, Need.id == Allocation.need_id).join(Project, Project.id == Need.project_id)
                           .join(Table, Table.id == Project.table_id)
                           .where(ContactConsent.allocation_id.in_(allocation_ids),
                                  ContactConsent.citizen_id == citizen_id)).all()
    out = {}
    for consent, chair_id, archived_at in rows:
        if consent.revoked_at is not None:
            continue
        lapsed = archived_at is not None or chair_id != consent.chair_id
        out[consent.allocation_id] = ConsentState(None if lapsed else consent.channel, lapsed)
    return out


@dataclass(frozen=True)
class SharedContact:
    name: str
    channel: str      # "phone" or "email"
    value: str


def contacts_for_chair(session: Session, actor_id: int, table_id: int,
                       allocation_ids: list[int]) -> dict[int, SharedContact]:
    """The contacts shared with `actor_id` for these allocations of `table_id`; the actor must chair it.

    A contact is returned only while its consent holds, was given to this very chair, and the allocation is
    accepted or delivered on this table; every other allocation is simply absent ("not shared").
    """
    require_chair_of(session, actor_id, table_id)
    if not allocation_ids:
        return {}
    rows = session.execute(
        select(ContactConsent.allocation_id, ContactConsent.channel, User.name, User.phone, User.email)
        .join(Allocation, Allocation.id == ContactConsent.allocation_id)
        .join(Pledge, Pledge.id == Allocation.pledge_id).join(User, User.id == Pledge.citizen_id)
        .join(Need, Need.id == Allocation.need_id).join(Project, Project.id == Need.project_id)
        .where(ContactConsent.allocation_id.in_(allocation_ids), ContactConsent.revoked_at.is_(None),
               ContactConsent.chair_id == actor_id, ContactConsent.citizen_id == Pledge.citizen_id,
               Project.table_id == table_id, Allocation.status.in_(OPEN_STATUSES), User.is_active.is_(True))).all()
    out = {}
    for alloc_id, channel, name, phone, email in rows:
        value = phone if channel == "phone" else email
        if value:
            out[alloc_id] = SharedContact(name, channel, value)
    return out


# --- messages -------------------------------------------------------------------------------------------


def _side(session: Session, actor_id: int, ctx: _Context) -> str:
    """'citizen' or 'chair': the actor's place in this contribution's thread; anyone else is refused."""
    if active_user(session, actor_id) is None:
        raise PermissionDenied("forbidden")
    if actor_id == ctx.citizen_id:
        return "citizen"
    if ctx.chair_id is not None and actor_id == ctx.chair_id:
        return "chair"
    raise PermissionDenied("not_in_this_thread")


def thread(session: Session, actor_id: int, allocation_id: object) -> list[ContributionMessage]:
    """The messages about one contribution, oldest first: its citizen and its table's chair only."""
    ctx = _context(session, allocation_id)
    _side(session, actor_id, ctx)
    return list(session.scalars(select(ContributionMessage).where(ContributionMessage.allocation_id == ctx.allocation.id)
                                .order_by(ContributionMessage.id)))


def threads_for(session: Session, allocation_ids: list[int]) -> dict[int, list[ContributionMessage]]:
    """The messages of several allocations, for a page that has already checked the reader may see each."""
    out: dict[int, list[ContributionMessage]] = {}
    if not allocation_ids:
        return out
    for msg in session.scalars(select(ContributionMessage).where(ContributionMessage.allocation_id.in_(allocation_ids))
                               .order_by(ContributionMessage.id)):
        out.setdefault(msg.allocation_id, []).append(msg)
    return out


def citizen_threads(session: Session, citizen_id: int, allocation_ids: list[int]) -> dict[int, list[ContributionMessage]]:
    """The threads of the citizen's own allocations among these (others' are left out)."""
    own = list(session.scalars(select(Allocation.id).join(Pledge, Pledge.id == Allocation.pledge_id)
                               .where(Allocation.id.in_(allocation_ids), Pledge.citizen_id == citizen_id))) \
        if allocation_ids else []
    return threads_for(session, own)


def chair_threads(session: Session, actor_id: int, table_id: int,
                  allocation_ids: list[int]) -> dict[int, list[ContributionMessage]]:
    """The threads of these allocations of a table the actor chairs (others' are left out)."""
    require_chair_of(session, actor_id, table_id)
    ours = list(session.scalars(select(Allocation.id).join(Need, Need.id == Allocation.need_id)
                                .join(Project, Project.id == Need.project_id)
                                .where(Allocation.id.in_(allocation_ids), Project.table_id == table_id))) \
        if allocation_ids else []
    return threads_for(session, ours)


def post_message(session: Session, actor_id: int, allocation_id: object, body: object) -> ContributionMessage:
    """Write a message about one accepted (or delivered) contribution; the other side is notified."""
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        raise ValidationError("message_required", field="message")
    if len(text) > MAX_MESSAGE:
        raise ValidationError("message_too_long", field="message", maximum=MAX_MESSAGE)
    ctx = _context(session, allocation_id)
    side = _side(session, actor_id, ctx)
    if ctx.allocation.status not in OPEN_STATUSES:
        raise Conflict("messages_closed", status=ctx.allocation.status.value)
    count = session.scalar(select(func.count()).select_from(ContributionMessage)
                           .where(ContributionMessage.allocation_id == ctx.allocation.id)) or 0
    if count >= MAX_THREAD:
        raise Conflict("thread_full", maximum=MAX_THREAD)
    msg = ContributionMessage(allocation_id=ctx.allocation.id, author_id=actor_id, side=side, body=text,
                              created_at=utcnow())
    session.add(msg)
    record(session, actor_id, "contact.message_sent", msg, table_id=ctx.table_id,
           after={"allocation_id": ctx.allocation.id, "side": side, "length": len(text)})
    recipient = ctx.chair_id if side == "citizen" else ctx.citizen_id
    if recipient is not None and recipient != actor_id:
        notify(session, recipient, "contribution_message", sender=side, **_title(ctx))
    return msg


__all__ = ["CHANNELS", "MAX_MESSAGE", "ConsentState", "SharedContact", "chair_threads", "citizen_threads",
           "consent_of", "consents_for_citizen", "contacts_for_chair", "post_message", "revoke_contact",
           "share_contact", "thread"]
