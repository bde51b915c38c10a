"""Citizens' pledges, the allocations that match them to needs, and the matching runs that propose them.

Imports sqlalchemy only.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.enums import AllocationStatus, HelpKind, PledgeStatus, RunScope, RunStatus
from models.orm.base import Base, BigInt, enum_column, utcnow
from models.orm.geo import District
from models.orm.items import LogisticsItem
from models.orm.people import User
from models.orm.projects import Need, Project
from models.orm.skills import Skill, pledge_skills, pledge_tables
from models.orm.tables import Table


class Pledge(Base):
    """What a citizen offers: one kind of help and a quantity in that kind's unit."""

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("withdrawn_quantity >= 0 AND withdrawn_quantity <= quantity", name="withdrawn_in_range"),
        CheckConstraint(
            "window_start IS NULL OR window_end IS NULL OR window_end >= window_start", name="window_order"
        ),
        CheckConstraint("NOT only_project OR project_id IS NOT NULL", name="only_project_has_project"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[HelpKind] = mapped_column(enum_column(HelpKind, "help_kind"), index=True)
    quantity: Mapped[int] = mapped_column(BigInt)
    # The part the citizen took back; accepted and delivered parts can never be withdrawn.
    withdrawn_quantity: Mapped[int] = mapped_column(BigInt, default=0)
    description: Mapped[str] = mapped_column(String(200), default="")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    window_start: Mapped[date | None]
    window_end: Mapped[date | None]
    only_tables: Mapped[bool] = mapped_column(default=False)
    divisible: Mapped[bool] = mapped_column(default=True)
    # Logistics: the catalogue item offered. A chosen project: preferred, or the only one (issue 16 items 1-2).
    item_id: Mapped[int | None] = mapped_column(ForeignKey("logistics_items.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    only_project: Mapped[bool] = mapped_column(default=False)
    # made on behalf of an organization (issue 21 item 5): shown under its name; matched like anyone's
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[PledgeStatus] = mapped_column(
        enum_column(PledgeStatus, "pledge_status"), default=PledgeStatus.OPEN, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    citizen: Mapped[User] = relationship()
    district: Mapped[District | None] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=pledge_skills, order_by=Skill.slug)
    tables: Mapped[list[Table]] = relationship(secondary=pledge_tables, order_by=Table.id)
    item: Mapped[LogisticsItem | None] = relationship()
    project: Mapped[Project | None] = relationship()
    allocations: Mapped[list[Allocation]] = relationship(back_populates="pledge", order_by="Allocation.id")

    __mapper_args__ = {"version_id_col": version}


class MatchingRun(Base):
    __tablename__ = "matching_runs"
    __table_args__ = (CheckConstraint("(scope = 'table') = (table_id IS NOT NULL)", name="scope_table"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    scope: Mapped[RunScope] = mapped_column(enum_column(RunScope, "run_scope"))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"))
    params: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "run_status"), default=RunStatus.RUNNING)
    n_pledges: Mapped[int] = mapped_column(default=0)
    n_needs: Mapped[int] = mapped_column(default=0)
    n_pairs: Mapped[int] = mapped_column(default=0)
    n_proposed: Mapped[int] = mapped_column(default=0)
    n_withdrawn: Mapped[int] = mapped_column(default=0)
    objective: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    started_by: Mapped[User | None] = relationship()
    table: Mapped[Table | None] = relationship()


class Allocation(Base):
    """A quantity of one pledge matched to one need, and what became of it."""

    __tablename__ = "allocations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status != 'rejected' OR length(reject_reason) > 0", name="rejected_has_reason"),
        CheckConstraint("status != 'delivered' OR delivered_at IS NOT NULL", name="delivered_has_date"),
        Index("ix_allocations_need_status", "need_id", "status"),
        Index("ix_allocations_pledge_status", "pledge_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id", ondelete="RESTRICT"))
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(BigInt)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    # Machine-readable reason codes from the solver; the catalogue words them.
    reasons: Mapped[list] = mapped_column(default=list)
    matching_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("matching_runs.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[AllocationStatus] = mapped_column(
        enum_column(AllocationStatus, "allocation_status"), default=AllocationStatus.PROPOSED, index=True
    )
    reject_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None]
    delivered_at: Mapped[date | None]
    delivery_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    pledge: Mapped[Pledge] = relationship(back_populates="allocations")
    need: Mapped[Need] = relationship()
    matching_run: Mapped[MatchingRun | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
