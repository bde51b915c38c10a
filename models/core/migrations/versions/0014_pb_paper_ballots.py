"""pb paper ballots: polling officers, paper and assisted ballots

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:55:00

pb_polling_officers: who may enter ballots for a cycle, at which station (and its district).
pb_ballots: voter_id becomes nullable (a paper ballot has no voter), source (online, paper,
assisted), ballot_number (unique per cycle: a paper ballot cannot be entered twice), station and
entered_by_id. Existing ballots are online ones.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pb_polling_officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('station', sa.String(length=120), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_pb_polling_officers_assigned_by_id_users'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cycle_id'], ['pb_cycles.id'], name=op.f('fk_pb_polling_officers_cycle_id_pb_cycles'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'],
                            name=op.f('fk_pb_polling_officers_district_id_districts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pb_polling_officers_user_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_polling_officers')),
    sa.UniqueConstraint('cycle_id', 'user_id', name=op.f('uq_pb_polling_officers_cycle_id_user_id'))
    )
    with op.batch_alter_table('pb_ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), nullable=False, server_default='online'))
        batch_op.add_column(sa.Column('ballot_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('station', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.alter_column('voter_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_pb_ballots_entered_by_id_users'), 'users', ['entered_by_id'],
                                    ['id'], ondelete='RESTRICT')
        batch_op.create_unique_constraint(batch_op.f('uq_pb_ballots_cycle_id_ballot_number'),
                                          ['cycle_id', 'ballot_number'])
        batch_op.create_check_constraint('source', "source IN ('online', 'paper', 'assisted')")
        batch_op.create_check_constraint('number_iff_station', "(source = 'online') = (ballot_number IS NULL)")
    with op.batch_alter_table('pb_ballots', schema=None) as batch_op:
        batch_op.alter_column('source', server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM pb_ballot_choices WHERE ballot_id IN (SELECT id FROM pb_ballots WHERE voter_id IS NULL)")
    op.execute("DELETE FROM pb_ballots WHERE voter_id IS NULL")
    with op.batch_alter_table('pb_ballots', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pb_ballots_number_iff_station'), type_='check')
        batch_op.drop_constraint(op.f('ck_pb_ballots_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_pb_ballots_cycle_id_ballot_number'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_pb_ballots_entered_by_id_users'), type_='foreignkey')
        batch_op.alter_column('voter_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('entered_by_id')
        batch_op.drop_column('station')
        batch_op.drop_column('ballot_number')
        batch_op.drop_column('source')
    op.drop_table('pb_polling_officers')
