"""Files people attach: evidence of a problem, photos of progress, proof of delivery.

Imports sqlalchemy only. An `Upload` is the description of one stored file (what it is, who sent it,
for what purpose, whether anyone may see it); its bytes live in `UploadBlob`, a row of its own so
that listing uploads never reads them. Files are kept in the database rather than on a disk so that
every web process behind the load balancer serves them and the database backup holds them.
Operations: models.core.uploads.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow


class Upload(Base):
    """One file a person sent, after it was checked and (for images) re-encoded."""

    __tablename__ = "uploads"
    __table_args__ = (
        CheckConstraint("kind IN ('image', 'pdf')", name="kind"),
        CheckConstraint("size > 0", name="size_positive"),
        Index("ix_uploads_owner", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The name in URLs: random, so one upload's address says nothing about another's.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # What it was sent for ("proposal_evidence", "progress_photo", "delivery_proof", ...): decides who
    # may see it while it is not public (models.core.uploads.register_viewer).
    purpose: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    # The sender's file name, cleaned to a safe display name (never used as a path).
    name: Mapped[str] = mapped_column(String(120))
    is_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Hidden by a moderator (reason in the audit log): served to no one but the governorate.
    hidden_at: Mapped[datetime | None]


class UploadBlob(Base):
    """The bytes of one upload."""

    __tablename__ = "upload_blobs"

    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="RESTRICT"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
