"""pb counts: counting a cycle as a background job

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 00:00:00

pb_counts (models.orm.pb.PBCount): a count of a cycle with one or more rules, claimed in the request
and run by a background job that writes its progress and, at the end, each rule's result as JSON.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pb_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Double(), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=True),
    sa.Column('fingerprint', sa.String(length=120), nullable=True),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('picked_up_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running', 'done', 'failed')", name=op.f('ck_pb_counts_status')),
    sa.ForeignKeyConstraint(['cycle_id'], ['pb_cycles.id'], name=op.f('fk_pb_counts_cycle_id_pb_cycles'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_pb_counts_started_by_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_counts'))
    )
    with op.batch_alter_table('pb_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pb_counts_cycle_id'), ['cycle_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pb_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pb_counts_cycle_id'))
    op.drop_table('pb_counts')
