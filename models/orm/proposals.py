"""Citizen proposals (issue 21): problems and untapped talents citizens bring to a table.

Imports sqlalchemy only. "Proposal" alone means matching's proposal (an Allocation in status proposed);
the citizen's is a `CitizenProposal` («پیشنهاد شهروندی»). A proposal is public from the moment it is
made; others support it (`ProposalSupport`, one per person, unique in the database) and add evidence;
the table's members comment and write structured diagnoses (`ProposalComment`); the chair decides
(the decision columns on the proposal). Anyone signed in may report abusive text (`ProposalReport`);
a moderator hides it with a reason kept beside it. Operations: models.voice.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.audit_event import AUDITED_TABLES
from models.orm.base import Base, BigInt, utcnow

PROPOSAL_STATUSES = ("new", "diagnosis", "adopted", "answered", "declined", "merged")
ANSWER_TYPES = ("already_planned", "not_remit", "not_feasible", "needs_evidence")


class CitizenProposal(Base):
    """A problem or an untapped talent a citizen brings, addressed to a table or to "don't know"."""

    __tablename__ = "citizen_proposals"
    __table_args__ = (
        CheckConstraint("kind IN ('problem', 'talent')", name="kind"),
        CheckConstraint("status IN ('new', 'diagnosis', 'adopted', 'answered', 'declined', 'merged')",
                        name="status"),
        CheckConstraint("answer_type IS NULL OR answer_type IN "
                        "('already_planned', 'not_remit', 'not_feasible', 'needs_evidence')", name="answer_type"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon_range"),
        Index("ix_citizen_proposals_table_status", "table_id", "status"),
        Index("ix_citizen_proposals_author", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # None: the citizen did not know which table; the governorate routes it
    table_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    place: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    title: Mapped[str] = mapped_column(String(200))
    # problem: what is wrong; talent: the untapped capacity (a skill, a building, land, a craft, a group)
    body: Mapped[str] = mapped_column(Text)
    affected: Mapped[str] = mapped_column(Text, default="")     # problem: who is affected
    evidence: Mapped[str] = mapped_column(Text, default="")     # problem: the author's evidence
    since: Mapped[str] = mapped_column(String(200), default="")  # problem: how often / since when
    serves: Mapped[str] = mapped_column(Text, default="")       # talent: what it could serve
    duration: Mapped[str] = mapped_column(String(200), default="")  # talent: for how long
    status: Mapped[str] = mapped_column(String(12), default="new")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("citizen_proposals.id", ondelete="RESTRICT"))
    # the chair's decision (adopted, answered, declined): type of answer, the reasons, who and when
    answer_type: Mapped[str | None] = mapped_column(String(16))
    answer_text: Mapped[str] = mapped_column(Text, default="")
    forwarded_from_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), unique=True)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ProposalSupport(Base):
    """One person's support of a citizen proposal (never two: the database refuses a second)."""

    __tablename__ = "proposal_supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="one_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("citizen_proposals.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalComment(Base):
    """Evidence someone added, a member's comment, or a member's structured diagnosis."""

    __tablename__ = "proposal_comments"
    __table_args__ = (
        CheckConstraint("kind IN ('evidence', 'comment', 'diagnosis')", name="kind"),
        CheckConstraint("cost_min_toman IS NULL OR cost_min_toman >= 0", name="cost_min_not_negative"),
        CheckConstraint("cost_min_toman IS NULL OR cost_max_toman IS NULL OR cost_max_toman >= cost_min_toman",
                        name="cost_order"),
        Index("ix_proposal_comments_proposal", "proposal_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("citizen_proposals.id", ondelete="RESTRICT"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text, default="")
    # a diagnosis: the cause, the scale, the options, the cost range in toman
    cause: Mapped[str] = mapped_column(Text, default="")
    scale: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[str] = mapped_column(Text, default="")
    cost_min_toman: Mapped[int | None] = mapped_column(BigInt)
    cost_max_toman: Mapped[int | None] = mapped_column(BigInt)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")


class ProposalAttachment(Base):
    """An upload attached to a proposal (by its author) or to one evidence comment (by its writer)."""

    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("citizen_proposals.id", ondelete="RESTRICT"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comments.id", ondelete="RESTRICT"))
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="RESTRICT"), unique=True)


class ProposalReport(Base):
    """Someone signed in reports a proposal's (or a comment's) text as abusive; a moderator resolves it."""

    __tablename__ = "proposal_reports"
    __table_args__ = (Index("ix_proposal_reports_open", "proposal_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("citizen_proposals.id", ondelete="RESTRICT"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comments.id", ondelete="RESTRICT"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


AUDITED_TABLES.update({CitizenProposal.__tablename__, ProposalSupport.__tablename__, ProposalComment.__tablename__,
                       ProposalAttachment.__tablename__, ProposalReport.__tablename__})

__all__ = ["ANSWER_TYPES", "PROPOSAL_STATUSES", "CitizenProposal", "ProposalAttachment", "ProposalComment",
           "ProposalReport", "ProposalSupport"]
