"""Sign-in sessions kept on the server (issue 18 item 2).

Imports the standard library, sqlalchemy and models only. Signing in opens a session: a random token
that the session cookie and (with "remember me") the remember-me cookie carry, of which only the SHA-256
is stored. Every request looks the token up, so a session ends for every copy of its cookies at once:
logging out ends this one, "log out everywhere" and a new password end all of the person's sessions.
Sessions are not audit events (they are many, personal, and say nothing about decisions); a session
that ended more than KEEP_ENDED ago is deleted.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.orm.base import utcnow
from models.orm.people import User
from models.orm.sessions import UserSession

REMEMBER_FOR = timedelta(days=30)      # a remembered session lasts this long from sign-in
IDLE_FOR = timedelta(hours=12)         # a session without "remember me" ends after this long unused
TOUCH_EVERY = timedelta(minutes=5)     # last_seen_at is written at most this often per session
KEEP_ENDED = timedelta(days=30)        # ended and expired sessions are deleted after this long
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")

LOGOUT = "logout"
LOGOUT_EVERYWHERE = "logout_everywhere"
PASSWORD_CHANGED = "password_changed"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def open_session(session: Session, user_id: int, *, remember: bool, address: str | None = None,
                 user_agent: str | None = None, now: datetime | None = None) -> str:
    """Open a session for `user_id` and return its token (the only copy: it goes into the cookies)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(UserSession(user_id=user_id, token_hash=token_hash(token), remember=remember, created_at=now,
                            last_seen_at=now, expires_at=now + (REMEMBER_FOR if remember else IDLE_FOR),
                            address=(address or "")[:45] or None, user_agent=(user_agent or "")[:200] or None))
    session.execute(delete(UserSession).where(UserSession.user_id == user_id,
                                              UserSession.expires_at < now - KEEP_ENDED))
    session.execute(delete(UserSession).where(UserSession.user_id == user_id,
                                              UserSession.ended_at < now - KEEP_ENDED))
    session.flush()
    return token


def _find(session: Session, token: object) -> UserSession | None:
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        return None
    return session.scalars(select(UserSession).where(UserSession.token_hash == token_hash(token))).one_or_none()


@dataclass(frozen=True)
class Check:
    """What a request learns about its session token: the live session's user, and whether its
    last_seen_at is due to be written (touch_session)."""

    user: User
    session_id: int
    due_touch: bool


def check_session(session: Session, user_id: int, token: object, *, now: datetime | None = None) -> Check | None:
    """The active user of a live session `token` opened for `user_id`, else None."""
    now = now or utcnow()
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        return None
    # The session and its user in one statement: every signed-in request asks this (issue 19).
    row = session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                          .where(UserSession.token_hash == token_hash(token))).one_or_none()
    if row is None:
        return None
    found, user = row
    if found.user_id != user_id or not found.active(now) or not user.is_active:
        return None
    return Check(user, found.id, now - found.last_seen_at >= TOUCH_EVERY)


def touch_session(session: Session, session_id: int, *, now: datetime | None = None) -> None:
    """Note that the session was used now; a session without "remember me" then lasts IDLE_FOR more."""
    now = now or utcnow()
    found = session.get(UserSession, session_id)
    if found is None or not found.active(now):
        return
    found.last_seen_at = now
    if not found.remember:
        found.expires_at = now + IDLE_FOR


def end_session(session: Session, token: object, *, reason: str = LOGOUT, now: datetime | None = None) -> bool:
    """End the session `token` (logging out). False when it was not live."""
    now = now or utcnow()
    found = _find(session, token)
    if found is None or found.ended_at is not None:
        return False
    found.ended_at, found.ended_reason = now, reason
    return True


def end_sessions(session: Session, user_id: int, *, reason: str, keep_token: object = None,
                 now: datetime | None = None) -> int:
    """End every live session of `user_id` (but the one of `keep_token`, if given); the count ended."""
    now = now or utcnow()
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    keep = _find(session, keep_token) if keep_token is not None else None
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = session.execute(query.values(ended_at=now, ended_reason=reason).execution_options(
        synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def end_session_by_id(session: Session, user_id: int, session_id: object, *, now: datetime | None = None) -> bool:
    """The person ends one of their own sessions from the list (another person's id ends nothing)."""
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        return False
    found = session.get(UserSession, session_id)
    if found is None or found.user_id != user_id or found.ended_at is not None:
        return False
    found.ended_at, found.ended_reason = now or utcnow(), LOGOUT
    return True


def active_sessions(session: Session, user_id: int, *, now: datetime | None = None) -> list[UserSession]:
    """The person's live sessions, newest first."""
    now = now or utcnow()
    rows = session.scalars(select(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None), UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc()))
    return list(rows)


def session_id_of(session: Session, token: object) -> int | None:
    found = _find(session, token)
    return found.id if found is not None else None


def opened_at(session: Session, token: object) -> datetime | None:
    """When the live session `token` was opened (signing in), else None."""
    found = _find(session, token)
    return found.created_at if found is not None and found.ended_at is None else None


def is_remembered(session: Session, token: object) -> bool:
    """Whether the session `token` was opened with "remember me"."""
    found = _find(session, token)
    return bool(found is not None and found.remember)


def known_address(session: Session, user_id: int, address: str | None, *, within: timedelta = timedelta(days=90),
                  now: datetime | None = None) -> bool:
    """Whether `user_id` signed in from `address` in the last `within` (the login throttle trusts it)."""
    if not address:
        return False
    now = now or utcnow()
    return session.scalars(select(UserSession.id).where(
        UserSession.user_id == user_id, UserSession.address == address[:45],
        UserSession.created_at > now - within).limit(1)).first() is not None


__all__ = ["IDLE_FOR", "LOGOUT", "LOGOUT_EVERYWHERE", "PASSWORD_CHANGED", "REMEMBER_FOR", "Check",
           "active_sessions", "check_session", "end_session", "end_session_by_id", "end_sessions",
           "is_remembered", "known_address", "opened_at", "open_session", "session_id_of", "touch_session"]
