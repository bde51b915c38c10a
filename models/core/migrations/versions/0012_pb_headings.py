"""pb headings: district budgets

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:50:00

A cycle may split its budget into headings (models.orm.pb.PBCycleHeading): county-wide (district
NULL) and one per district or city. pb_cycle_projects.heading_id puts each project on one heading;
pb_ballots.district_id is the district whose heading a ballot counts in. Cycles created before have
no headings and are counted as one budget, as before.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pb_cycle_headings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('budget_rials', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('budget_rials > 0', name=op.f('ck_pb_cycle_headings_budget_positive')),
    sa.ForeignKeyConstraint(['cycle_id'], ['pb_cycles.id'], name=op.f('fk_pb_cycle_headings_cycle_id_pb_cycles'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'],
                            name=op.f('fk_pb_cycle_headings_district_id_districts'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_cycle_headings')),
    sa.UniqueConstraint('cycle_id', 'district_id', name=op.f('uq_pb_cycle_headings_cycle_id_district_id'))
    )
    with op.batch_alter_table('pb_cycle_headings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pb_cycle_headings_cycle_id'), ['cycle_id'], unique=False)
    with op.batch_alter_table('pb_cycle_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heading_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_pb_cycle_projects_heading_id_pb_cycle_headings'),
                                    'pb_cycle_headings', ['heading_id'], ['id'], ondelete='RESTRICT')
    with op.batch_alter_table('pb_ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_pb_ballots_district_id_districts'), 'districts',
                                    ['district_id'], ['id'], ondelete='RESTRICT')


def downgrade() -> None:
    with op.batch_alter_table('pb_ballots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pb_ballots_district_id_districts'), type_='foreignkey')
        batch_op.drop_column('district_id')
    with op.batch_alter_table('pb_cycle_projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pb_cycle_projects_heading_id_pb_cycle_headings'), type_='foreignkey')
        batch_op.drop_column('heading_id')
    with op.batch_alter_table('pb_cycle_headings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pb_cycle_headings_cycle_id'))
    op.drop_table('pb_cycle_headings')
