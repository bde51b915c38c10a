"""Sign-in sessions kept on the server, and the counters that slow down password guessing.

Imports sqlalchemy only; opening, checking and ending sessions is models.accounts.sessions, the
throttle is models.accounts.throttle.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow


class UserSession(Base):
    """One signed-in browser: the session cookie and the remember-me cookie carry its token, the
    database only the token's SHA-256. Ended (logout, "log out everywhere", a new password) or expired,
    it stops every cookie that carries it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # logout | logout_everywhere | password_changed | deactivated
    ended_reason: Mapped[str | None] = mapped_column(String(24))
    # Shown in the person's list of active sessions, and "a known address" for the login throttle.
    address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    def active(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at


class LoginThrottle(Base):
    """Failed logins under one key (account and address, address, account, account and device), kept
    as the SHA-256 of the key so no typed login or address is stored for it."""

    __tablename__ = "login_throttle"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
