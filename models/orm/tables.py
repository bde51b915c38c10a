"""Specialized tables, their members, and the elections in which members choose the chair.

Imports sqlalchemy only.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
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
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
                      CheckConstraint("quorum_percent BETWEEN 1 AND 100", name="quorum_percent_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"), index=True)
    # The quorum (issue 20 item 6), set by the governorate when it opens the election: the share of the
    # table's current members, in percent, who must have voted before the election may be closed early
    # (models.tables.elections.quorum_needed). Elections opened before migration 0018 have one half.
    quorum_percent: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
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


# A ballot's id is random: ids in casting order would line ballots up with the participations and the
# audit events of the voters. On SQLite the column is the table's rowid, so rows are stored by it too.
BALLOT_ID = BigInteger().with_variant(Integer(), "sqlite")


def random_ballot_id() -> int:
    return secrets.randbelow(2**62) + 1


class ChairBallot(Base):
    """What was voted, never who voted (issue 18 item 5): an anonymous approval ballot.

    While the election is open, `link` is a keyed MAC of the election and the voter (the key is not in
    the database: models.tables.elections) so the voter can change their own ballot and the close can
    leave out the ballots of members who left; the close erases every link and writes the counted
    ballots again in random order with new ids. Who voted is `ChairParticipation`. Written with Core
    statements, never as ORM objects: an audit event naming a ballot would link it to its voter."""

    __tablename__ = "chair_ballots"

    id: Mapped[int] = mapped_column(BALLOT_ID, primary_key=True, autoincrement=False, default=random_ballot_id)
    election_id: Mapped[int] = mapped_column(ForeignKey("chair_elections.id", ondelete="RESTRICT"))
    link: Mapped[str | None] = mapped_column(String(80), unique=True)

    choices: Mapped[list[ChairBallotChoice]] = relationship(cascade="all, delete-orphan")


class ChairParticipation(Base):
    """Who voted in a chair election (one row per voter; what they chose is in no column of it)."""

    __tablename__ = "chair_participations"
    __table_args__ = (UniqueConstraint("election_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("chair_elections.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class ChairBallotChoice(Base):
    __tablename__ = "chair_ballot_choices"

    ballot_id: Mapped[int] = mapped_column(BALLOT_ID, ForeignKey("chair_ballots.id", ondelete="CASCADE"),
                                           primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("chair_candidates.id", ondelete="RESTRICT"), primary_key=True
    )
