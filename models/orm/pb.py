"""Participatory budgeting: cycles, the projects on their ballots, and citizens' ballots.

Imports sqlalchemy only.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.enums import PBBallotRule, PBCountingRule, PBPhase
from models.orm.base import Base, BigInt, enum_column, utcnow
from models.orm.projects import Project
from models.orm.tables import BALLOT_ID, random_ballot_id


class PBCycle(Base):
    __tablename__ = "pb_cycles"
    __table_args__ = (
        CheckConstraint("budget_rials > 0", name="budget_positive"),
        CheckConstraint("max_approvals IS NULL OR max_approvals > 0", name="max_approvals_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_fa: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    budget_rials: Mapped[int] = mapped_column(BigInt)
    phase: Mapped[PBPhase] = mapped_column(enum_column(PBPhase, "pb_phase"), default=PBPhase.PROPOSAL)
    ballot_rule: Mapped[PBBallotRule] = mapped_column(enum_column(PBBallotRule, "pb_ballot_rule"))
    max_approvals: Mapped[int | None]
    # enum_column's 24 characters do not hold "mes-cardinality-add1-greedy" (migration 0006)
    counting_rule: Mapped[PBCountingRule] = mapped_column(
        Enum(PBCountingRule, name="pb_counting_rule", native_enum=False, create_constraint=True, length=32,
             values_callable=lambda e: [m.value for m in e], validate_strings=True),
        default=PBCountingRule.MES_ADD1_GREEDY,
    )
    voting_opens_at: Mapped[datetime | None]
    voting_closes_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    projects: Mapped[list[PBCycleProject]] = relationship(back_populates="cycle")


class PBCycleHeading(Base):
    """A part of a cycle's budget (issue 17 item 4): county-wide (district NULL) or one district's or city's.

    A cycle with headings splits its budget among them (their budgets add up to the cycle's); each
    project is on exactly one heading; a ballot counts in the county-wide heading and in its own
    district's (PBBallot.district_id), and each heading is counted separately. Migration 0012.
    """

    __tablename__ = "pb_cycle_headings"
    __table_args__ = (
        UniqueConstraint("cycle_id", "district_id"),
        CheckConstraint("budget_rials > 0", name="budget_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("pb_cycles.id", ondelete="RESTRICT"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    budget_rials: Mapped[int] = mapped_column(BigInt)


class PBCycleProject(Base):
    __tablename__ = "pb_cycle_projects"
    __table_args__ = (
        UniqueConstraint("cycle_id", "project_id"),
        CheckConstraint("cost_rials > 0", name="cost_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("pb_cycles.id", ondelete="RESTRICT"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    cost_rials: Mapped[int] = mapped_column(BigInt)
    votes: Mapped[int] = mapped_column(default=0)
    funded: Mapped[bool] = mapped_column(default=False)
    # Why it was funded or not, stored when the results are published (models.pb.explain, migration 0009).
    explanation: Mapped[dict | None]
    # The heading it is on, when the cycle has headings (migration 0012).
    heading_id: Mapped[int | None] = mapped_column(ForeignKey("pb_cycle_headings.id", ondelete="RESTRICT"))

    cycle: Mapped[PBCycle] = relationship(back_populates="projects")
    project: Mapped[Project] = relationship()


class PBBallot(Base):
    """What was voted in a cycle, never who voted (issue 18 item 5; migration 0017).

    An online ballot (`source` "online") or an assisted vote ("assisted") carries, while voting is
    open, a keyed `link` -- HMAC(key, cycle, voter) under a key that is not in the database
    (models.pb.cycles.configure_ballot_key) -- so its voter can see and change it; closing the vote
    erases every link and writes the ballots again in random order with new random ids. Who voted is
    `PBParticipation`. A paper ballot ("paper", migration 0013) has no voter at all: its form number
    (unique in the cycle), station and the officer who entered it. No time is kept (it would line
    ballots up with the participations and the audit). Online and assisted ballots are written with
    Core statements, never as ORM objects an audit event could name.
    """

    __tablename__ = "pb_ballots"
    __table_args__ = (
        UniqueConstraint("cycle_id", "ballot_number"),
        CheckConstraint("source IN ('online', 'paper', 'assisted')", name="source"),
        CheckConstraint("(source = 'paper') = (ballot_number IS NOT NULL)", name="number_iff_paper"),
    )

    id: Mapped[int] = mapped_column(BALLOT_ID, primary_key=True, autoincrement=False, default=random_ballot_id)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("pb_cycles.id", ondelete="RESTRICT"))
    source: Mapped[str] = mapped_column(String(10), default="online")
    link: Mapped[str | None] = mapped_column(String(80), unique=True)
    ballot_number: Mapped[str | None] = mapped_column(String(40))
    station: Mapped[str | None] = mapped_column(String(120))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # A cycle with district headings: the district whose heading this ballot counts in (besides the
    # county-wide one); NULL when it chose no district project (migration 0012).
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))

    choices: Mapped[list[PBBallotChoice]] = relationship(cascade="all, delete-orphan")


class PBParticipation(Base):
    """Who voted in a cycle (one row per citizen; what they chose is in no column of it). Migration 0017.

    `channel` "assisted": the vote was entered for them at a polling station (station, officer, form number)."""

    __tablename__ = "pb_participations"
    __table_args__ = (
        UniqueConstraint("cycle_id", "user_id"),
        CheckConstraint("channel IN ('online', 'assisted')", name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("pb_cycles.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(10), default="online")
    station: Mapped[str | None] = mapped_column(String(120))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    ballot_number: Mapped[str | None] = mapped_column(String(40))


class PBPollingOfficer(Base):
    """Who may enter paper ballots and assisted votes for a cycle, at which polling station (migration 0013).

    The station's district (when the cycle has district budgets) is the district its ballots count in."""

    __tablename__ = "pb_polling_officers"
    __table_args__ = (UniqueConstraint("cycle_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("pb_cycles.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    station: Mapped[str] = mapped_column(String(120))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class PBBallotChoice(Base):
    __tablename__ = "pb_ballot_choices"

    ballot_id: Mapped[int] = mapped_column(BALLOT_ID, ForeignKey("pb_ballots.id", ondelete="CASCADE"),
                                           primary_key=True)
    cycle_project_id: Mapped[int] = mapped_column(
        ForeignKey("pb_cycle_projects.id", ondelete="RESTRICT"), primary_key=True
    )


class PBCycleImport(Base):
    """A pabulib election imported into a cycle: external projects and aggregated ballots."""

    __tablename__ = "pb_cycle_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("pb_cycles.id", ondelete="RESTRICT"), unique=True)
    source_name: Mapped[str] = mapped_column(String(200))
    vote_type: Mapped[str] = mapped_column(String(24))
    meta: Mapped[dict]
    # [{"id": pabulib id, "cost": exact decimal string, "name": str}], in file order.
    projects: Mapped[list]
    # [[count, [project ids]]]: identical ballots aggregated; voter ids are not kept.
    ballots: Mapped[list]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class PBCount(Base):
    """A count of a cycle run as a background job (models.pb.counting_jobs, migration 0014).

    Claimed in the request (status "running"), picked up once by its job, which writes its progress
    here and ends with the TallyResult of each rule as JSON ("done") or the error ("failed"). A count
    holds for the ballots it saw (`fingerprint`): a paper ballot entered later makes it stale.
    """

    __tablename__ = "pb_counts"
    __table_args__ = (CheckConstraint("status IN ('running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("pb_cycles.id", ondelete="RESTRICT"), index=True)
    rules: Mapped[list]
    status: Mapped[str] = mapped_column(String(10), default="running")
    progress: Mapped[float] = mapped_column(default=0.0)
    stage: Mapped[str | None] = mapped_column(String(40))
    fingerprint: Mapped[str | None] = mapped_column(String(120))
    results: Mapped[dict | None]
    error: Mapped[str | None] = mapped_column(String(200))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    picked_up_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
