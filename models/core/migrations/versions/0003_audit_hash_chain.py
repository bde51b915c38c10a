"""audit hash chain

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 03:55:00

Each audit event carries the hash of its content chained to the previous event's hash, so an
edited or deleted event is found by `hamyar audit verify`. Existing events are chained in id
order (the append-only triggers are lifted for that one backfill and put back).
"""
from datetime import UTC

import sqlalchemy as sa
from alembic import op

from models.audit.log import CHAINED_FIELDS, GENESIS, event_digest
from models.orm.audit_event import APPEND_ONLY_DDL

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events"],
}


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in _DROP.get(dialect, []):
        op.execute(statement)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    events = sa.table("audit_events", sa.column("id"), sa.column("prev_hash"), sa.column("hash"),
                      *[sa.column(c) for c in CHAINED_FIELDS if c not in ("before", "after")],
                      sa.column("before", sa.JSON), sa.column("after", sa.JSON))
    head = GENESIS
    rows = bind.execute(sa.select(events).order_by(events.c.id)).mappings().all()
    for row in rows:
        fields = dict(row)
        at = fields["at"]
        if isinstance(at, str):
            from datetime import datetime
            at = datetime.fromisoformat(at)
            fields["at"] = at if at.tzinfo else at.replace(tzinfo=UTC)
        digest = event_digest(head, fields)
        bind.execute(events.update().where(events.c.id == row["id"]).values(prev_hash=head, hash=digest))
        head = digest
    for statement in APPEND_ONLY_DDL.get(dialect, []):  # CREATE OR REPLACE: safe to run again
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _DROP.get(dialect, []):
        op.execute(statement)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    for statement in APPEND_ONLY_DDL.get(dialect, []):
        op.execute(statement)
