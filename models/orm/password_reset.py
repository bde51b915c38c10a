"""A one-time password-reset link (only the SHA-256 of its token is stored).

Imports sqlalchemy only; issuing and redeeming links is models.accounts.password_reset.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow


class PasswordReset(Base):
    """A one-time link: who it is for, who issued it, until when it works, and whether it was used."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # SHA-256 (hex) of the token; the token itself exists only in the link handed over.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Set when a newer link for the same person replaced this one before it was used.
    revoked_at: Mapped[datetime | None]

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at
