"""election quorum: the share of a table's members who must vote before a chair election may close

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 01:15:00

Issue 20 item 6. `chair_elections.quorum_percent` (1-100, default 50): set by the governorate when it
opens an election; the governorate's early close is refused while fewer than that share of the
table's current members have voted (models.tables.elections). Existing elections get one half.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('chair_elections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum_percent', sa.Integer(), server_default='50', nullable=False))
        batch_op.create_check_constraint(op.f('ck_chair_elections_quorum_percent_range'),
                                         'quorum_percent BETWEEN 1 AND 100')


def downgrade() -> None:
    with op.batch_alter_table('chair_elections', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_chair_elections_quorum_percent_range'), type_='check')
        batch_op.drop_column('quorum_percent')
