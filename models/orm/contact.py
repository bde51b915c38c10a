"""Reaching the people whose help a chair accepted (issue 20 item 13): contact consent and messages.

Imports sqlalchemy only. A `ContactConsent` is the citizen's choice, per accepted allocation, to show
their phone or e-mail to the chair of its table (the chair at the time of consent: a new chair does not
inherit it); revoking keeps the row with `revoked_at`. A `ContributionMessage` is one message of the
short thread between that citizen and the table's chair about one allocation. The contact itself is
never copied here: the chair's page reads it from the account while the consent holds
(models.pledging.contact). Both tables are audited; a message's audit event holds its length, not its text.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.audit_event import AUDITED_TABLES
from models.orm.base import Base, utcnow


class ContactConsent(Base):
    """A citizen agrees (or no longer agrees) to show one contact to the chair about one allocation."""

    __tablename__ = "contact_consents"
    __table_args__ = (CheckConstraint("channel IN ('phone', 'email')", name="channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id", ondelete="RESTRICT"), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # whom it was given to: the table's chair when the citizen agreed
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(8))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class ContributionMessage(Base):
    """One message between a citizen and the chair of the table about one of the citizen's allocations."""

    __tablename__ = "contribution_messages"
    __table_args__ = (CheckConstraint("length(body) > 0", name="body_not_empty"),
                      CheckConstraint("side IN ('citizen', 'chair')", name="side"),
                      Index("ix_contribution_messages_allocation", "allocation_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id", ondelete="RESTRICT"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # "citizen" or "chair": the side the author wrote from (a chair may also be the citizen)
    side: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


AUDITED_TABLES.update({ContactConsent.__tablename__, ContributionMessage.__tablename__})

__all__ = ["ContactConsent", "ContributionMessage"]
