"""needs removed by the table editor

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 14:00:00

Issue 20 (the editor's minor items): a need can be removed from its project while no help for it is
accepted or delivered. Its proposals are withdrawn and the row stays (`needs.removed_at`) for the history
of its allocations; matching, coverage and the lists leave removed needs out (models.projects.editing).
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', models.orm.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
