"""A one-time form token: which create it made, so pressing again after a timeout makes nothing twice.

Imports sqlalchemy only; claiming and remembering tokens is models.core.form_tokens.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow


class FormToken(Base):
    """The token a form carried when it created something, with what it created (unique: one create per token)."""

    __tablename__ = "form_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # What the form creates ("pledge", "project", "need", "pb_ballot", ...) and the id of what it made.
    action: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
