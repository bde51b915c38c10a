"""Specialized tables, their members, and the elections in which members choose the chair.

Imports sqlalchemy only.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.enums import ElectionStatus, MemberBackground
from models.orm.base import Base, enum_column, utcnow
from models.orm.people import User


class Table(Base):
    """A specialized table (میز تخصصی): a standing committee for one domain."""

    __tablename__ = "tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_fa: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    domain: Mapped[str] = mapped_column(String(64))
    description_fa: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    chair_term_start: Mapped[datetime | None]
    chair_term_end: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Automatic matching (issue 16 item 6, models.runs.auto): after new pledges or decisions, at most
    # every `auto_match_minutes`, and never a run that would withdraw proposals or lower coverage.
    auto_match: Mapped[bool] = mapped_column(default=False)
    auto_match_minutes: Mapped[int] = mapped_column(default=30)

    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    memberships: Mapped[list[TableMembership]] = relationship(back_populates="table")

    def __repr__(self) -> str:
        return f"<Table {self.slug}>"


class TableMembership(Base):
    __tablename__ = "table_memberships"
    __table_args__ = (UniqueConstraint("table_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    background: Mapped[MemberBackground] = mapped_column(enum_column(MemberBackground, "member_background"))
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Leaving keeps the row, so past decisions still show who was a member.
    left_at: Mapped[datetime | None]

    table: Mapped[Table] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class ChairElection(Base):
    __tablename__ = "chair_elections"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"), index=True)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    status: Mapped[ElectionStatus] = mapped_column(
        enum_column(ElectionStatus, "election_status"), default=ElectionStatus.OPEN
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    winner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # Published counts per candidate once closed: {"<user id>": approvals}.
    result: Mapped[dict | None]

    table: Mapped[Table] = relationship()
    candidates: Mapped[list[ChairCandidate]] = relationship(back_populates="election")


class ChairCandidate(Base):
    __tablename__ = "chair_candidates"
    __table_args__ = (UniqueConstraint("election_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("chair_elections.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    nominated_at: Mapped[datetime] = mapped_column(default=utcnow)

    election: Mapped[ChairElection] = relationship(back_populates="candidates")
    user: Mapped[User] = relationship()


class ChairBallot(Base):
    """One member's approval ballot; changeable until the election closes."""

    __tablename__ = "chair_ballots"
    __table_args__ = (UniqueConstraint("election_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("chair_elections.id", ondelete="RESTRICT"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    choices: Mapped[list[ChairBallotChoice]] = relationship(cascade="all, delete-orphan")


class ChairBallotChoice(Base):
    __tablename__ = "chair_ballot_choices"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("chair_ballots.id", ondelete="CASCADE"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("chair_candidates.id", ondelete="RESTRICT"), primary_key=True
    )
