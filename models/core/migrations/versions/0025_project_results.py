"""project results: indicators, milestones, progress updates, attached files, confirmed hours, model pilots

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 08:30:00

models.orm.results (issue 22 items 1-3): `project_indicators` (baseline -> target), `project_milestones`
(the path), `progress_updates` (the chair's reports, with an indicator's new value), `result_files`
(uploads attached to an update or to a delivery), `hours_confirmations`, `model_pilots` and
`pilot_replications`.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('model_pilots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('what_was_done', sa.Text(), nullable=False),
    sa.Column('by_whom', sa.Text(), nullable=False),
    sa.Column('cost_rials', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cost_rials IS NULL OR cost_rials >= 0', name=op.f('ck_model_pilots_cost_not_negative')),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_model_pilots_marked_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_model_pilots_project_id_projects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_pilots')),
    sa.UniqueConstraint('project_id', name=op.f('uq_model_pilots_project_id'))
    )
    op.create_table('project_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('baseline_on', sa.Date(), nullable=True),
    sa.Column('target_on', sa.Date(), nullable=True),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_project_indicators_name_not_empty')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_indicators_project_id_projects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_indicators'))
    )
    with op.batch_alter_table('project_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_indicators_project_id'), ['project_id'], unique=False)

    op.create_table('project_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('responsible', sa.String(length=200), nullable=False),
    sa.Column('need_ids', sa.JSON(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(title) > 0', name=op.f('ck_project_milestones_title_not_empty')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_milestones_project_id_projects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones'))
    )
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_milestones_project_id'), ['project_id'], unique=False)

    op.create_table('pilot_replications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pilot_replications_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pilot_id'], ['model_pilots.id'], name=op.f('fk_pilot_replications_pilot_id_model_pilots'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_pilot_replications_project_id_projects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilot_replications')),
    sa.UniqueConstraint('project_id', name=op.f('uq_pilot_replications_project_id'))
    )
    with op.batch_alter_table('pilot_replications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_replications_pilot_id'), ['pilot_id'], unique=False)

    op.create_table('progress_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('measured_on', sa.Date(), nullable=True),
    sa.Column('posted_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(indicator_id IS NULL) = (value IS NULL)', name=op.f('ck_progress_updates_value_with_indicator')),
    sa.CheckConstraint('value IS NULL OR measured_on IS NOT NULL', name=op.f('ck_progress_updates_value_has_date')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_progress_updates_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['indicator_id'], ['project_indicators.id'], name=op.f('fk_progress_updates_indicator_id_project_indicators'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_progress_updates_project_id_projects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_updates'))
    )
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_updates_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_updates_project_id'), ['project_id'], unique=False)

    op.create_table('hours_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hours > 0', name=op.f('ck_hours_confirmations_hours_positive')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_hours_confirmations_allocation_id_allocations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_hours_confirmations_confirmed_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_confirmations')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_hours_confirmations_allocation_id'))
    )
    op.create_table('result_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=True),
    sa.Column('allocation_id', sa.Integer(), nullable=True),
    sa.Column('attached_by_id', sa.Integer(), nullable=False),
    sa.Column('attached_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(update_id IS NULL) != (allocation_id IS NULL)', name=op.f('ck_result_files_one_owner')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_result_files_allocation_id_allocations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['attached_by_id'], ['users.id'], name=op.f('fk_result_files_attached_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['update_id'], ['progress_updates.id'], name=op.f('fk_result_files_update_id_progress_updates'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_result_files_upload_id_uploads'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_files')),
    sa.UniqueConstraint('upload_id', name='upload_once')
    )
    with op.batch_alter_table('result_files', schema=None) as batch_op:
        batch_op.create_index('ix_result_files_allocation', ['allocation_id'], unique=False)
        batch_op.create_index('ix_result_files_update', ['update_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('result_files', schema=None) as batch_op:
        batch_op.drop_index('ix_result_files_update')
        batch_op.drop_index('ix_result_files_allocation')

    op.drop_table('result_files')
    op.drop_table('hours_confirmations')
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_updates_project_id'))
        batch_op.drop_index(batch_op.f('ix_progress_updates_indicator_id'))

    op.drop_table('progress_updates')
    with op.batch_alter_table('pilot_replications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_replications_pilot_id'))

    op.drop_table('pilot_replications')
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_milestones_project_id'))

    op.drop_table('project_milestones')
    with op.batch_alter_table('project_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_indicators_project_id'))

    op.drop_table('project_indicators')
    op.drop_table('model_pilots')
