"""People: a user account with its login identifiers, language and governorate flag.

Imports sqlalchemy only. Table membership and chairs live in models.orm.tables.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow


class User(Base):
    """A person. Everyone is a citizen; members, chairs and governorate staff are more."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="has_login"),
        CheckConstraint("language IN ('fa', 'en')", name="language"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Stored normalised (Latin digits, +98 form; lower-case e-mail) so uniqueness means something.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # "" (NO_PASSWORD in models.accounts.users): the account has no password and signs in only with a
    # one-time code (models.accounts.codes); no password ever verifies against it.
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="fa")
    is_governorate: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Citizens choose whether their name is shown beside their contributions.
    show_name_publicly: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When a one-time code sent to `phone` was last confirmed (models.accounts.codes.is_phone_verified).
    phone_verified_at: Mapped[datetime | None]
    # When a code sent to `email` was last confirmed (migration 0028): notifications go by e-mail only then.
    email_verified_at: Mapped[datetime | None]
    # Moved by every change to this person's roles (models.orm.roles_version, migration 0030): the web's
    # copy of their roles in the signed session is trusted only while it carries the current value.
    roles_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.name!r}>"
