"""payments: the tables' payment instructions and the citizens' bank references

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 00:30:00

Issue 20 item 14 (models.orm.payments): `table_payments` holds where citizens pay the money a
table's chair accepted (set by the governorate, Persian and English); `allocation_payments` holds
the bank reference a citizen recorded for an accepted money allocation and the chair's
confirmation of receipt.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('table_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('instructions_fa', sa.Text(), nullable=False),
    sa.Column('instructions_en', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['table_id'], ['tables.id'], name=op.f('fk_table_payments_table_id_tables'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_table_payments_updated_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_table_payments')),
    sa.UniqueConstraint('table_id', name=op.f('uq_table_payments_table_id'))
    )
    op.create_table('allocation_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.Column('reported_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(reference) > 0', name=op.f('ck_allocation_payments_reference_not_empty')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_allocation_payments_allocation_id_allocations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_allocation_payments_confirmed_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_allocation_payments_reported_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation_payments')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_allocation_payments_allocation_id'))
    )


def downgrade() -> None:
    op.drop_table('allocation_payments')
    op.drop_table('table_payments')
