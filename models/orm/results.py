"""Results a project can show: its indicators (baseline -> target), its path of milestones, the chair's
progress updates, the files attached to them or to a delivery, the volunteers' hours confirmed, and the
completed projects the governorate holds up as model pilots (issue 22 items 1-3).

Imports sqlalchemy only. Operations: models.results.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.orm.base import Base, BigInt, utcnow
from models.orm.uploads import Upload


class Indicator(Base):
    """One measure of a project's result: where it stood (baseline) and where it should get (target)."""

    __tablename__ = "project_indicators"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60), default="")
    # Empty on a replicated project until its own table measures it.
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")
    # The day the baseline was measured, and the day the target should be reached.
    baseline_on: Mapped[date | None]
    target_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Milestone(Base):
    """One step on a project's path: what, by when, who answers for it, the needs it uses, when it was done."""

    __tablename__ = "project_milestones"
    __table_args__ = (CheckConstraint("length(title) > 0", name="title_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    responsible: Mapped[str] = mapped_column(String(200), default="")
    # Ids of the project's needs this step uses (a list: a step rarely uses more than a few).
    need_ids: Mapped[list] = mapped_column(default=list)
    done_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def is_late(self, today: date) -> bool:
        """Not done and past due, or done after the due date (the project page and the open data say so)."""
        return (self.done_on is None and self.due_on < today) or (
            self.done_on is not None and self.done_on > self.due_on)


class ProgressUpdate(Base):
    """What the chair reports happened: a text, optionally a new value of one indicator on a date."""

    __tablename__ = "progress_updates"
    __table_args__ = (
        CheckConstraint("(indicator_id IS NULL) = (value IS NULL)", name="value_with_indicator"),
        CheckConstraint("value IS NULL OR measured_on IS NOT NULL", name="value_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text, default="")
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("project_indicators.id", ondelete="RESTRICT"),
                                                     index=True)
    value: Mapped[float | None] = mapped_column(Float)
    measured_on: Mapped[date | None]
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResultFile(Base):
    """An upload attached to a progress update (photos, documents) or to a delivery (proof)."""

    __tablename__ = "result_files"
    __table_args__ = (
        CheckConstraint("(update_id IS NULL) != (allocation_id IS NULL)", name="one_owner"),
        UniqueConstraint("upload_id", name="upload_once"),
        Index("ix_result_files_allocation", "allocation_id"),
        Index("ix_result_files_update", "update_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="RESTRICT"))
    update_id: Mapped[int | None] = mapped_column(ForeignKey("progress_updates.id", ondelete="RESTRICT"))
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id", ondelete="RESTRICT"))
    attached_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    attached_at: Mapped[datetime] = mapped_column(default=utcnow)

    upload: Mapped[Upload] = relationship()


class HoursConfirmation(Base):
    """A volunteer's delivered hours, confirmed by the person who may (models.results.delivery_proof)."""

    __tablename__ = "hours_confirmations"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id", ondelete="RESTRICT"), unique=True)
    hours: Mapped[int] = mapped_column(BigInt)
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModelPilot(Base):
    """A completed project the governorate holds up as an example, with its short story."""

    __tablename__ = "model_pilots"
    __table_args__ = (CheckConstraint("cost_rials IS NULL OR cost_rials >= 0", name="cost_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), unique=True)
    # The story: the problem or talent it started from, what was done, by whom, what it cost.
    problem: Mapped[str] = mapped_column(Text)
    what_was_done: Mapped[str] = mapped_column(Text)
    by_whom: Mapped[str] = mapped_column(Text, default="")
    cost_rials: Mapped[int | None] = mapped_column(BigInt)
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class PilotReplication(Base):
    """A draft project made from a model pilot, to adapt in another table or district."""

    __tablename__ = "pilot_replications"

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("model_pilots.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
