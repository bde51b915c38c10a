"""Valuation rates: what one unit of in-kind help counts as, in rials (the governorate sets them).

Imports sqlalchemy only. An empty `item` is the kind's default rate; a logistics item may have its own.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.core.enums import HelpKind
from models.orm.base import Base, BigInt, enum_column, utcnow


class ValuationRate(Base):
    __tablename__ = "valuation_rates"
    __table_args__ = (
        UniqueConstraint("kind", "item"),
        CheckConstraint("rials_per_unit > 0", name="rate_positive"),
        CheckConstraint("kind != 'financial'", name="not_for_money"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[HelpKind] = mapped_column(enum_column(HelpKind, "help_kind"))
    item: Mapped[str] = mapped_column(String(200), default="")
    rials_per_unit: Mapped[int] = mapped_column(BigInt)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
