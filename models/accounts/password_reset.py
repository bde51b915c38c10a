"""One-time password-reset links that the governorate issues and hands over in person (threat T21).

Imports the standard library, sqlalchemy and models only. Hamyar sends no e-mail or SMS, so a person who
forgot their password asks the governorate, which checks who they are and issues a link `/reset/<token>`
valid for RESET_VALID_FOR. Only the SHA-256 of the token is stored, so someone holding the database or a
backup cannot use a link, and the audit log never sees the token or its hash. Issuing a new link withdraws
the person's earlier unused ones; a link works once. Redeeming changes the password hash and ends
every session of the person (models.accounts.sessions).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts.sessions import PASSWORD_CHANGED, end_sessions
from models.accounts.users import check_password_strength, hash_password
from models.audit.log import record
from models.core.capacity import lock_rows
from models.core.errors import Conflict, NotFound
from models.core.permissions import require_governorate
from models.orm.base import utcnow
from models.orm.password_reset import PasswordReset
from models.orm.people import User

RESET_VALID_FOR = timedelta(hours=24)
TOKEN_BYTES = 32  # 256 bits: guessing is hopeless, so a fast hash of the token is safe to store
# What secrets.token_urlsafe makes; anything else is not a link we issued (and is not hashed or looked up).
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")
# One error for a link that is unknown, used, withdrawn, expired or for a deactivated account:
# whoever holds a link learns nothing about why it does not work.
LINK_INVALID = "reset_link_invalid"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue_reset(session: Session, actor_id: int, user_id: object, *, now: datetime | None = None) -> str:
    """Issue a one-time link for `user_id` (governorate staff only) and return its token, the only copy.

    The person's earlier unused links stop working. The link expires RESET_VALID_FOR after `now`.
    """
    require_governorate(session, actor_id)
    user = session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    if user is None:
        raise NotFound("user_not_found")
    if not user.is_active:
        raise Conflict("account_inactive")
    now = now or utcnow()
    lock_rows(session, User, [user.id])  # two officers at once still leave one working link
    revoke_open_links(session, actor_id, user.id, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    reset = PasswordReset(user_id=user.id, token_hash=token_hash(token), created_by_id=actor_id, created_at=now,
                          expires_at=now + RESET_VALID_FOR)
    session.add(reset)
    record(session, actor_id, "password_reset.issued", reset,
           after={"user_id": user.id, "expires_at": reset.expires_at})
    return token


def revoke_open_links(session: Session, actor_id: int, user_id: int, now: datetime | None = None) -> None:
    """Revoke the person's unused, unexpired links (a new link is issued, or the account is deactivated)."""
    now = now or utcnow()
    earlier = session.scalars(select(PasswordReset).where(
        PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None), PasswordReset.revoked_at.is_(None),
        PasswordReset.expires_at > now).order_by(PasswordReset.id))
    for old in earlier:
        old.revoked_at = now
        record(session, actor_id, "password_reset.revoked", old, before={"revoked_at": None},
               after={"user_id": user_id, "revoked_at": now})


def _find(session: Session, token: object) -> PasswordReset | None:
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        return None
    return session.scalars(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))).one_or_none()


def reset_link_works(session: Session, token: object, *, now: datetime | None = None) -> bool:
    """True when `token` would be accepted now (for showing the form; redeeming checks again)."""
    reset = _find(session, token)
    if reset is None or not reset.usable(now or utcnow()):
        return False
    user = session.get(User, reset.user_id)
    return user is not None and user.is_active


def redeem_reset(session: Session, token: object, new_password: object, *, now: datetime | None = None) -> User:
    """Set the person's new password through a working link, which is then used up.

    NotFound(LINK_INVALID) for any link that does not work (never saying why); ValidationError(field=
    "password") for a weak password, in which case the link still works and nothing changed.
    """
    now = now or utcnow()
    reset = _find(session, token)
    if reset is not None:
        lock_rows(session, PasswordReset, [reset.id])  # two tabs redeeming at once: the second sees it used
        session.refresh(reset)
    user = session.get(User, reset.user_id) if reset is not None else None
    if reset is None or not reset.usable(now) or user is None or not user.is_active:
        raise NotFound(LINK_INVALID)
    password = new_password if isinstance(new_password, str) else ""
    check_password_strength(password, login=user.email or user.phone or "", name=user.name)
    reset.used_at = now
    record(session, user.id, "password_reset.used", reset, before={"used_at": None},
           after={"user_id": user.id, "used_at": now})
    user.password_hash = hash_password(password)
    record(session, user.id, "user.password_reset", user, after={"password_reset_id": reset.id})
    # Every session and remember-me cookie made with the old password ends (models.accounts.sessions).
    end_sessions(session, user.id, reason=PASSWORD_CHANGED, now=now)
    return user


__all__ = ["LINK_INVALID", "RESET_VALID_FOR", "PasswordReset", "issue_reset", "redeem_reset", "reset_link_works",
           "token_hash"]
