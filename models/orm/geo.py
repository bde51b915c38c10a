"""Places: the county, its districts, cities and rural districts, as a tree.

Imports sqlalchemy only.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.enums import DistrictLevel
from models.orm.base import Base, enum_column


class District(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_fa: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    level: Mapped[DistrictLevel] = mapped_column(enum_column(DistrictLevel, "district_level"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    population_2016: Mapped[int | None]
    lat: Mapped[float | None]
    lon: Mapped[float | None]

    parent: Mapped[District | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<District {self.slug}>"
