"""audit keyed chain and TRUNCATE guard

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:50:00

Issue 18 item 1: new audit events are chained with an HMAC under a key kept outside the database;
`chain_key` names the key (NULL for the plain SHA-256 events written before, which still verify,
see models.audit.log.verify_chain). On PostgreSQL a statement-level trigger refuses TRUNCATE of
audit_events (row triggers never see a TRUNCATE).
"""
import sqlalchemy as sa
from alembic import op

from models.orm.audit_event import TRUNCATE_GUARD_DDL

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_key", sa.String(length=16), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        for statement in TRUNCATE_GUARD_DDL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_no_truncate()")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("chain_key")
