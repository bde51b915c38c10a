"""Referrals with reasoned answers on time (issue 21 item 4).

Imports sqlalchemy only. A `Referral` is a citizen's request or question addressed to a table, or to an
organization (then `table_id`, when set, is the table of its remit it is about). Its `ReferralType`,
set by the governorate, gives the deadline in working days and the further working days after which a
late referral goes up to the governorate; `ReferralHoliday` rows are the county's days off besides
Fridays. Every answer is a `ReferralAnswer` row (the standard template: finding, reasoning, decision,
next step, responsible person); a reopened referral gets a second one, so the first stays for the
public figures. The citizen's rating belongs to the answer it rates.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.audit_event import AUDITED_TABLES
from models.orm.base import Base, utcnow

REFERRAL_STATUSES = ("open", "answered")
# accepted / will_act are the decisions the public figures count as "adopted" (models.voice.referrals)
DECISIONS = ("accepted", "will_act", "partly", "forwarded", "needs_info", "declined")


class ReferralType(Base):
    __tablename__ = "referral_types"
    __table_args__ = (CheckConstraint("deadline_days BETWEEN 1 AND 60", name="deadline_days_range"),
                      CheckConstraint("escalate_after_days BETWEEN 1 AND 60", name="escalate_after_days_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name_fa: Mapped[str] = mapped_column(String(120), unique=True)
    name_en: Mapped[str] = mapped_column(String(120), default="")
    deadline_days: Mapped[int]
    # working days after the deadline at which a still unanswered referral goes up to the governorate
    escalate_after_days: Mapped[int] = mapped_column(default=5)
    archived_at: Mapped[datetime | None]


class ReferralHoliday(Base):
    __tablename__ = "referral_holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name_fa: Mapped[str] = mapped_column(String(120), default="")


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint("table_id IS NOT NULL OR organization_id IS NOT NULL", name="addressed"),
        CheckConstraint("status IN ('open', 'answered')", name="status"),
        CheckConstraint("escalation_level BETWEEN 0 AND 2", name="escalation_level_range"),
        CheckConstraint("reopen_count BETWEEN 0 AND 1", name="reopened_once"),
        CheckConstraint("reopen_count = 0 OR reopen_reason IS NOT NULL", name="reopen_has_reason"),
        Index("ix_referrals_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("referral_types.id", ondelete="RESTRICT"))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"),
                                                        index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the county day by whose end the answer is due (the first deadline, or the one a reopening set)
    due_on: Mapped[date]
    first_due_on: Mapped[date]
    escalation_level: Mapped[int] = mapped_column(default=0)  # 0 none, 1 the chair / admins, 2 the governorate
    escalated_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0)
    reopened_at: Mapped[datetime | None]
    reopen_reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ReferralAnswer(Base):
    __tablename__ = "referral_answers"
    __table_args__ = (
        UniqueConstraint("referral_id", "round"),
        CheckConstraint("round BETWEEN 1 AND 2", name="round_range"),
        CheckConstraint("decision IN ('accepted', 'will_act', 'partly', 'forwarded', 'needs_info', 'declined')",
                        name="decision"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="RESTRICT"), index=True)
    round: Mapped[int]  # 1 the first answer, 2 the answer after the reopening
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    on_time: Mapped[bool]
    finding: Mapped[str] = mapped_column(Text)
    reasoning: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(12))
    next_step: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(160))
    rating: Mapped[int | None]
    rated_at: Mapped[datetime | None]


AUDITED_TABLES.update({ReferralType.__tablename__, ReferralHoliday.__tablename__, Referral.__tablename__,
                       ReferralAnswer.__tablename__})

__all__ = ["DECISIONS", "REFERRAL_STATUSES", "Referral", "ReferralAnswer", "ReferralHoliday", "ReferralType"]
