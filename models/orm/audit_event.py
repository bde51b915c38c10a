"""The audit log's row, its append-only triggers, and the registry of audited tables.

Imports sqlalchemy only. The writer (`record`) and the hash chain live in models.audit.log.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow

# Every table whose changes must be audited (filled by models/orm/__init__.py); a flush that
# changes one of them without a `record` in the same transaction makes the commit raise.
AUDITED_TABLES: set[str] = set()


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # None means the system itself (seeding, a scheduled close of an election).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    # The table the object belongs to, so a table's history can be filtered without joins.
    table_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="RESTRICT"), index=True)
    before: Mapped[dict | None]
    after: Mapped[dict | None]
    # Tamper evidence: each event's hash covers its content and the previous event's hash.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    # The id of the audit key whose HMAC `hash` is (models.audit.keys); NULL: a plain SHA-256, written
    # before the chain was keyed.
    chain_key: Mapped[str | None] = mapped_column(String(16))


# Append-only in the database itself: no UPDATE or DELETE reaches an audit row.
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
]
# TRUNCATE fires no row trigger: a statement-level one refuses it (the app's role has no TRUNCATE
# privilege either, see models.core.roles; this guards the owner's own sessions).
TRUNCATE_GUARD_DDL = [
    "CREATE OR REPLACE FUNCTION audit_events_no_truncate() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_events is append-only: TRUNCATE refused'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_no_truncate()",
]
_PG_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
]
APPEND_ONLY_DDL = {"sqlite": _SQLITE_TRIGGERS, "postgresql": _PG_TRIGGERS}

for _dialect, _statements in {**APPEND_ONLY_DDL, "postgresql": _PG_TRIGGERS + TRUNCATE_GUARD_DDL}.items():
    for _sql in _statements:
        event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect))
