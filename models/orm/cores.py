"""Key cores (issue 21 item 3): the small team around a project or a citizen proposal.

Imports sqlalchemy only. A `KeyCore` belongs to one table and is about a project, a citizen proposal or
both (an adopted proposal's core follows it into its project). Its members (`KeyCoreMember`) hold a role
(lead, expert, field) and say where they come from (a table member, an expert, agency staff, a volunteer
who pledged help); leaving keeps the row with `left_at`. It keeps a task list (`KeyCoreTask`) and a log
of meetings (`KeyCoreMeeting`). Operations: models.voice.cores.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.audit_event import AUDITED_TABLES
from models.orm.base import Base, utcnow

CORE_ROLES = ("lead", "expert", "field")
CORE_ORIGINS = ("member", "expert", "agency", "volunteer")


class KeyCore(Base):
    __tablename__ = "key_cores"
    __table_args__ = (CheckConstraint("project_id IS NOT NULL OR proposal_id IS NOT NULL", name="about_something"),
                      CheckConstraint("length(name) > 0", name="name_not_empty"))

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), unique=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("citizen_proposals.id", ondelete="RESTRICT"),
                                                    unique=True)
    name: Mapped[str] = mapped_column(String(200))
    formed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyCoreMember(Base):
    __tablename__ = "key_core_members"
    __table_args__ = (UniqueConstraint("core_id", "user_id", name="once_per_core"),
                      CheckConstraint("role IN ('lead', 'expert', 'field')", name="role"),
                      CheckConstraint("origin IN ('member', 'expert', 'agency', 'volunteer')", name="origin"),
                      Index("ix_key_core_members_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    core_id: Mapped[int] = mapped_column(ForeignKey("key_cores.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(String(10), default="member")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]


class KeyCoreTask(Base):
    __tablename__ = "key_core_tasks"
    __table_args__ = (CheckConstraint("length(title) > 0", name="title_not_empty"),
                      Index("ix_key_core_tasks_core", "core_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    core_id: Mapped[int] = mapped_column(ForeignKey("key_cores.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyCoreMeeting(Base):
    __tablename__ = "key_core_meetings"
    __table_args__ = (Index("ix_key_core_meetings_core", "core_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    core_id: Mapped[int] = mapped_column(ForeignKey("key_cores.id", ondelete="RESTRICT"))
    held_on: Mapped[date]
    attendees: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


AUDITED_TABLES.update({KeyCore.__tablename__, KeyCoreMember.__tablename__, KeyCoreTask.__tablename__,
                       KeyCoreMeeting.__tablename__})

__all__ = ["CORE_ORIGINS", "CORE_ROLES", "KeyCore", "KeyCoreMeeting", "KeyCoreMember", "KeyCoreTask"]
