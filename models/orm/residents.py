"""The resident register, who may vote, one vote per national code, and help given to residents (issue 23).

Imports sqlalchemy only. The register holds only what eligibility needs: a keyed digest of each national
code (HMAC under a key derived from SECRET_KEY, never in the database: the code itself is stored
nowhere), the Jalali birth year and the district. Names are checked on import and dropped. A register
entry is claimed by at most one account, an account claims at most one entry. "This national code voted
in this cycle" is a `ResidentVoteMarker` holding the digest and the cycle or election, and nothing that
leads to a ballot (ballots carry no voter; models.core.ballot_links). `VoteEligibility` is who may vote
in a PB cycle or a chair election (no row: anyone signed in, today's rule). `AssistedEntry` records
what an officer or a table member did for a resident, with the signed paper form's number.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.audit_event import AUDITED_TABLES
from models.orm.base import Base, utcnow

DIGEST_LENGTH = 64


class ResidentImport(Base):
    """One register file the governorate imported: its name and sha256, and what it changed."""

    __tablename__ = "resident_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    added: Mapped[int]
    updated: Mapped[int]
    unchanged: Mapped[int]
    removed: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Resident(Base):
    """One person in the register. `removed_at` set: the latest file no longer lists them (not a resident
    now); a later file listing them again clears it. The row stays, so its claim and history stay."""

    __tablename__ = "residents"
    __table_args__ = (
        CheckConstraint("birth_year BETWEEN 1200 AND 1500", name="birth_year_jalali"),
        CheckConstraint("(user_id IS NULL) = (claimed_at IS NULL)", name="claimed_when_linked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    national_digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    birth_year: Mapped[int]
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    claimed_at: Mapped[datetime | None]
    import_id: Mapped[int | None] = mapped_column(ForeignKey("resident_imports.id", ondelete="RESTRICT"))
    removed_at: Mapped[datetime | None]


class VoteEligibility(Base):
    """Who may vote in one PB cycle or one chair election (chair elections are members-only anyway).

    `residency` "any": anyone signed in; "county": residents in the register; "district": residents of
    the district or of a place inside it. `min_age` (years reached this Jalali year) needs the register."""

    __tablename__ = "vote_eligibility"
    __table_args__ = (
        CheckConstraint("(cycle_id IS NULL) <> (election_id IS NULL)", name="one_scope"),
        CheckConstraint("residency IN ('any', 'county', 'district')", name="residency"),
        CheckConstraint("(residency = 'district') = (district_id IS NOT NULL)", name="district_iff_district"),
        CheckConstraint("min_age IS NULL OR (min_age BETWEEN 1 AND 120 AND residency <> 'any')", name="min_age"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("pb_cycles.id", ondelete="RESTRICT"), unique=True)
    election_id: Mapped[int | None] = mapped_column(ForeignKey("chair_elections.id", ondelete="RESTRICT"),
                                                    unique=True)
    residency: Mapped[str] = mapped_column(String(10), default="any")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    min_age: Mapped[int | None]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResidentVoteMarker(Base):
    """A national code (its digest) has voted in this cycle or election: at most once, whatever the account.

    No account, no time, no ballot: written by Core statements with the vote, never audited as a row."""

    __tablename__ = "resident_vote_markers"
    __table_args__ = (
        UniqueConstraint("cycle_id", "national_digest"),
        UniqueConstraint("election_id", "national_digest"),
        CheckConstraint("(cycle_id IS NULL) <> (election_id IS NULL)", name="one_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("pb_cycles.id", ondelete="RESTRICT"))
    election_id: Mapped[int | None] = mapped_column(ForeignKey("chair_elections.id", ondelete="RESTRICT"))
    national_digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH))


class AssistedEntry(Base):
    """An officer or a table member registered a resident without a smartphone, or entered a pledge for
    them, on a signed paper form (its number unique per kind). Assisted PB ballots are polling-station
    entries (models.pb.stations), kept with the participation."""

    __tablename__ = "assisted_entries"
    __table_args__ = (
        UniqueConstraint("kind", "form_number"),
        CheckConstraint("kind IN ('registration', 'pledge')", name="kind"),
        CheckConstraint("(kind = 'pledge') = (pledge_id IS NOT NULL)", name="pledge_iff_pledge"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    form_number: Mapped[str] = mapped_column(String(40))
    helper_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledges.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


AUDITED_TABLES.update({ResidentImport.__tablename__, Resident.__tablename__, VoteEligibility.__tablename__,
                       AssistedEntry.__tablename__})

__all__ = ["AssistedEntry", "Resident", "ResidentImport", "ResidentVoteMarker", "VoteEligibility"]
