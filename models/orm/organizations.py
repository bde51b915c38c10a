"""Organizations (issue 21 item 5): agencies, NGOs, companies and schools as accounts with members.

Imports sqlalchemy only. The governorate creates an organization; its members are admins or plain members
(leaving keeps the row with `left_at`, as table memberships do). Its remit is the tables it serves: a
citizen may address a referral to it about those tables. A pledge may carry the organization it is
made on behalf of (`pledges.organization_id`, models.orm.pledges); matching treats it like anyone's.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.audit_event import AUDITED_TABLES
from models.orm.base import Base, utcnow

ORGANIZATION_KINDS = ("agency", "ngo", "company", "school")
ORGANIZATION_ROLES = ("admin", "member")


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint("kind IN ('agency', 'ngo', 'company', 'school')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_fa: Mapped[str] = mapped_column(String(160), unique=True)
    name_en: Mapped[str] = mapped_column(String(160), default="")
    kind: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]


class OrganizationMember(Base):
    __tablename__ = "organization_members"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),
                      CheckConstraint("role IN ('admin', 'member')", name="role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(8))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]


class OrganizationRemit(Base):
    """One table an organization serves (its remit is the set of these rows)."""

    __tablename__ = "organization_remits"
    __table_args__ = (UniqueConstraint("organization_id", "table_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"))


AUDITED_TABLES.update({Organization.__tablename__, OrganizationMember.__tablename__,
                       OrganizationRemit.__tablename__})

__all__ = ["ORGANIZATION_KINDS", "ORGANIZATION_ROLES", "Organization", "OrganizationMember", "OrganizationRemit"]
