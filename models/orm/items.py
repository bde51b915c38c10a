"""The catalogue of logistics items (vehicles by type, spaces, equipment) that logistics needs ask for and
logistics pledges offer, and the substitutes a need accepts (issue 16 item 1, docs/matching.md#logistics-items).

Imports sqlalchemy only. The governorate extends the catalogue; an item is never deleted (needs and pledges
name it), only retired (`active` false: no longer offered on the forms).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String
from sqlalchemy import Table as SATable
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.audit_event import AUDITED_TABLES
from models.orm.base import Base, utcnow

#: the catalogue's groups, in the order the forms show them
ITEM_CATEGORIES = ("vehicle", "space", "equipment", "other")


class LogisticsItem(Base):
    __tablename__ = "logistics_items"
    __table_args__ = (CheckConstraint("category IN ('vehicle', 'space', 'equipment', 'other')", name="category_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_fa: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


need_accepted_items = SATable(
    "need_accepted_items",
    Base.metadata,
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", ForeignKey("logistics_items.id", ondelete="RESTRICT"), primary_key=True),
)

AUDITED_TABLES.add(LogisticsItem.__tablename__)  # the governorate's edits of the catalogue are audited
