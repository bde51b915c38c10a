"""Projects a table runs and the needs (kinds of help, with quantities) each one has.

Imports sqlalchemy only.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.enums import HelpKind, Horizon, ProjectKind, ProjectStatus
from models.orm.base import Base, BigInt, enum_column, utcnow
from models.orm.geo import District
from models.orm.items import LogisticsItem, need_accepted_items
from models.orm.skills import Skill, need_skills
from models.orm.tables import Table


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 10", name="priority_1_to_10"),
        CheckConstraint("estimated_cost_rials >= 0", name="cost_not_negative"),
        CheckConstraint("pb_support >= 0", name="pb_support_not_negative"),
        CheckConstraint("length(title_fa) > 0", name="title_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ProjectKind] = mapped_column(enum_column(ProjectKind, "project_kind"))
    title_fa: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    summary_fa: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str | None] = mapped_column(Text)
    # Problem-oriented: the diagnosis — what is wrong, the evidence, who is affected.
    problem: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    affected: Mapped[str | None] = mapped_column(Text)
    # Talent-oriented: the untapped capacity and the horizon of its use.
    capacity: Mapped[str | None] = mapped_column(Text)
    horizon: Mapped[Horizon | None] = mapped_column(enum_column(Horizon, "horizon"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    priority: Mapped[int] = mapped_column(default=5)
    # Share of PB votes won (0..1), raising the project's weight in matching.
    pb_support: Mapped[float] = mapped_column(default=0.0)
    status: Mapped[ProjectStatus] = mapped_column(
        enum_column(ProjectStatus, "project_status"), default=ProjectStatus.DRAFT, index=True
    )
    estimated_cost_rials: Mapped[int] = mapped_column(BigInt, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    table: Mapped[Table] = relationship()
    district: Mapped[District | None] = relationship()
    needs: Mapped[list[Need]] = relationship(back_populates="project", order_by="Need.id")

    __mapper_args__ = {"version_id_col": version}


class Need(Base):
    """One kind of help a project requires, with a quantity in the kind's unit."""

    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "window_start IS NULL OR window_end IS NULL OR window_end >= window_start", name="window_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[HelpKind] = mapped_column(enum_column(HelpKind, "help_kind"))
    # Rials for money, unit-days for logistics, hours for design, person-hours for execution.
    quantity: Mapped[int] = mapped_column(BigInt)
    # What exactly: "pickup truck", "structural engineer", "planting saplings".
    description: Mapped[str] = mapped_column(String(200), default="")
    # Logistics: the catalogue item asked for, and the items accepted instead (issue 16 item 1).
    item_id: Mapped[int | None] = mapped_column(ForeignKey("logistics_items.id"))
    window_start: Mapped[date | None]
    window_end: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Removed from its project by the editor (issue 20): the row stays for the history of its allocations
    # (withdrawn or rejected, never accepted or delivered); matching, coverage and every list leave it out.
    removed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship(back_populates="needs")
    skills: Mapped[list[Skill]] = relationship(secondary=need_skills, order_by=Skill.slug)
    item: Mapped[LogisticsItem | None] = relationship()
    accepts: Mapped[list[LogisticsItem]] = relationship(secondary=need_accepted_items, order_by=LogisticsItem.slug)

    __mapper_args__ = {"version_id_col": version}
