"""Delete my account (issue 23 item 3): the person erases their account themselves, by anonymisation.

Imports sqlalchemy and models (core, orm, audit) only. History is never deleted (docs/design.md, "Rules that
hold everywhere") and the rows that point at an account are many, so the account row stays with nothing
personal in it, in one unit of work audited `account.deleted`:

- **erased**: the name (a neutral "deleted account" marker instead), the phone, the e-mail (a placeholder
  under `.invalid` that no one can receive or sign in with), the password, the confirmed phone, the "show my
  name" choice, every notification preference, every in-app notification, every sign-in session (ended and
  removed: the person is logged out everywhere), open password-reset links and one-time codes to the old
  phone or e-mail; the claim on the resident register is released (the entry can be claimed again);
- **taken back**: whatever of the person's pledges is not accepted or delivered (as "withdraw the rest"
  does), so no chair is offered help from someone who is gone; current table memberships end (`left_at`);
- **kept**: accepted and delivered contributions (anonymous help to their projects: the projects' records and
  the chairs' decisions rest on them), participation records and the ballots (votes stay counted; ballots
  never named their voter), proposals, referrals and their answers (the tables' and organisations' work),
  and the audit log: its entries are hash-chained and cannot be rewritten, so they keep the account's number
  (now pseudonymous) and what they recorded at the time, readable by governorate staff only.

Refused: the governorate budget's system account, and the last active governorate staff member (nobody
could run the county then). Re-registering later with the same phone or e-mail makes a new account.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from models.accounts.users import NO_PASSWORD
from models.audit.log import record, record_many
from models.core.capacity import lock_rows, refresh_pledge_statuses
from models.core.enums import AllocationStatus
from models.core.errors import Conflict, NotFound
from models.core.system_accounts import is_system_account
from models.orm.base import utcnow
from models.orm.codes import OneTimeCode
from models.orm.notifications import Notification
from models.orm.outbox import NotificationPreference
from models.orm.password_reset import PasswordReset
from models.orm.people import User
from models.orm.pledges import Pledge
from models.orm.residents import Resident
from models.orm.sessions import UserSession
from models.orm.tables import TableMembership

DELETED_DOMAIN = "deleted.hamyar.invalid"
DELETED_NAME = "—"


def deleted_email(user_id: int) -> str:
    return f"account-{user_id}@{DELETED_DOMAIN}"


def is_deleted_account(user: User | None) -> bool:
    return user is not None and (user.email or "").endswith("@" + DELETED_DOMAIN)


def _withdraw_open_parts(session: Session, user_id: int) -> int:
    """Take back every pledge's part that is not accepted or delivered (the proposed allocations too)."""
    ids = list(session.scalars(select(Pledge.id).where(Pledge.citizen_id == user_id).order_by(Pledge.id)))
    if not ids:
        return 0
    lock_rows(session, Pledge, ids)
    changed = []
    for pledge in session.scalars(select(Pledge).where(Pledge.id.in_(ids)).order_by(Pledge.id)):
        decided = sum(a.quantity for a in pledge.allocations
                      if a.status in (AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED))
        amount = pledge.quantity - pledge.withdrawn_quantity - decided
        proposals = [a for a in pledge.allocations if a.status is AllocationStatus.PROPOSED]
        for alloc in proposals:
            alloc.status = AllocationStatus.WITHDRAWN
        if proposals:
            record_many(session, user_id, "allocation.withdrawn_by_citizen", proposals,
                        table_of=lambda a: a.need.project.table_id)
        if amount > 0:
            before = {"withdrawn_quantity": pledge.withdrawn_quantity, "status": pledge.status.value}
            pledge.withdrawn_quantity += amount
            record(session, user_id, "pledge.withdrawn", pledge, before=before,
                   after={"withdrawn_quantity": pledge.withdrawn_quantity, "amount": amount,
                          "by": "account_deleted"})
            changed.append(pledge.id)
    if changed:
        refresh_pledge_statuses(session, user_id, changed)
    return len(changed)


def active_staff_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.is_governorate.is_(True), User.is_active.is_(True))) or 0


def check_can_delete(session: Session, user: User) -> None:
    """Conflict with the reason when the account may not be deleted by its owner."""
    if is_system_account(user):
        raise Conflict("system_account")
    if is_deleted_account(user):
        raise NotFound("user_not_found")
    if user.is_governorate and user.is_active and active_staff_count(session) <= 1:
        raise Conflict("last_governorate_staff")


def delete_my_account(session: Session, user_id: int, *, now: datetime | None = None) -> User:
    """The signed-in person deletes their own account (see the module's docstring for what goes and stays)."""
    now = now or utcnow()
    lock_rows(session, User, [user_id])
    user = session.get(User, user_id, populate_existing=True)
    if user is None:
        raise NotFound("user_not_found")
    check_can_delete(session, user)
    logins = [x for x in (user.phone, user.email) if x]
    withdrawn = _withdraw_open_parts(session, user_id)
    left = session.execute(update(TableMembership).where(
        TableMembership.user_id == user_id, TableMembership.left_at.is_(None)).values(left_at=now)
        .execution_options(synchronize_session="fetch")).rowcount or 0  # type: ignore[attr-defined]
    released = session.execute(update(Resident).where(Resident.user_id == user_id)
                               .values(user_id=None, claimed_at=None)
                               .execution_options(synchronize_session="fetch")).rowcount or 0  # type: ignore[attr-defined]
    notifications = session.execute(delete(Notification).where(Notification.user_id == user_id)).rowcount or 0  # type: ignore[attr-defined]
    session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user_id))
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None),
                                                PasswordReset.revoked_at.is_(None)).values(revoked_at=now))
    if logins:
        session.execute(update(OneTimeCode).where(OneTimeCode.recipient.in_(logins), OneTimeCode.used_at.is_(None))
                        .values(expires_at=now))
    # The sessions end by going: every cookie that carries one stops, and their addresses and devices are personal.
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    user.name = DELETED_NAME
    user.phone = None
    user.email = deleted_email(user.id)
    user.password_hash = NO_PASSWORD
    user.phone_verified_at = None
    user.show_name_publicly = False
    user.is_active = False
    user.is_governorate = False
    # No personal value in the event: it says what was erased, never what it was.
    record(session, user.id, "account.deleted", user, before=None, after={
        "erased": ["name", "phone", "email", "password", "sessions", "preferences", "notifications"],
        "pledges_withdrawn": withdrawn, "memberships_ended": int(left), "notifications_erased": int(notifications),
        "register_claim_released": bool(released)})
    return user


__all__ = ["DELETED_DOMAIN", "active_staff_count", "check_can_delete", "delete_my_account", "deleted_email",
           "is_deleted_account"]
