"""The controlled list of skills that needs ask for and pledges offer.

Imports sqlalchemy only.
"""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String
from sqlalchemy import Table as SATable
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_fa: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))


need_skills = SATable(
    "need_skills",
    Base.metadata,
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="RESTRICT"), primary_key=True),
)

pledge_skills = SATable(
    "pledge_skills",
    Base.metadata,
    Column("pledge_id", ForeignKey("pledges.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="RESTRICT"), primary_key=True),
)

pledge_tables = SATable(
    "pledge_tables",
    Base.metadata,
    Column("pledge_id", ForeignKey("pledges.id", ondelete="CASCADE"), primary_key=True),
    Column("table_id", ForeignKey("tables.id", ondelete="RESTRICT"), primary_key=True),
)
