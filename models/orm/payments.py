"""Paying a money pledge: the table's payment instructions and the citizen's bank reference (issue 20 item 14).

Imports sqlalchemy only. The governorate sets each table's instructions (an account, a card or a
link, in Persian and English); after the chair accepts a money contribution the citizen records the
bank reference of their transfer; the chair confirms receipt, which marks the allocation delivered
(models.pledging.decisions.confirm_payment). Every change is audited.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.audit_event import AUDITED_TABLES
from models.orm.base import Base, utcnow


class TablePayment(Base):
    """Where citizens pay the money a table's chair accepted (set by the governorate)."""

    __tablename__ = "table_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"), unique=True)
    instructions_fa: Mapped[str] = mapped_column(Text, default="")
    instructions_en: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AllocationPayment(Base):
    """The citizen's report of paying an accepted money allocation, and the chair's confirmation of receipt."""

    __tablename__ = "allocation_payments"
    __table_args__ = (CheckConstraint("length(reference) > 0", name="reference_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id", ondelete="RESTRICT"), unique=True)
    reference: Mapped[str] = mapped_column(String(64))
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    confirmed_at: Mapped[datetime | None]


AUDITED_TABLES.update({TablePayment.__tablename__, AllocationPayment.__tablename__})

__all__ = ["AllocationPayment", "TablePayment"]
