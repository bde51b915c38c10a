"""One-time codes sent to a phone or an e-mail address to register, sign in, reset a password or verify.

Imports sqlalchemy only; issuing and checking them is models.accounts.codes. Only an HMAC of the code is
stored (keyed with a key derived from SECRET_KEY, never in the database), so a backup holds no usable code.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow

PURPOSES = ("register", "sign_in", "reset", "verify", "vote")


class OneTimeCode(Base):
    __tablename__ = "one_time_codes"
    __table_args__ = (
        CheckConstraint("purpose IN ('register', 'sign_in', 'reset', 'verify', 'vote')", name="purpose"),
        CheckConstraint("channel IN ('sms', 'email')", name="channel"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_one_time_codes_recipient", "recipient", "created_at"),
        Index("ix_one_time_codes_address", "address_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(254))  # the normalised phone or e-mail
    code_hash: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the client address that asked: the per-address limit holds across every web worker.
    address_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
