"""referrals and organizations: citizens' referrals with reasoned answers on time; organizations as accounts

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 08:10:00

Issue 21 items 4 and 5 (models.orm.referrals, models.orm.organizations):
- `referral_types` (the governorate's types, each a deadline in working days and the further working days
  before a late referral goes up to the governorate), `referral_holidays` (days off besides Fridays),
  `referrals` (a citizen's request to a table or an organization, its deadline, escalation level, the one
  reopening) and `referral_answers` (the standard template, one row per round, with the citizen's rating);
- `organizations`, `organization_members` (admin or member), `organization_remits` (the tables it serves);
- `pledges.organization_id`: a pledge made on behalf of an organization.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referral_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name_fa', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_referral_holidays_day'))
    )
    op.create_table('referral_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_fa', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('escalate_after_days', sa.Integer(), nullable=False),
    sa.Column('archived_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('deadline_days BETWEEN 1 AND 60', name=op.f('ck_referral_types_deadline_days_range')),
    sa.CheckConstraint('escalate_after_days BETWEEN 1 AND 60', name=op.f('ck_referral_types_escalate_after_days_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_types')),
    sa.UniqueConstraint('name_fa', name=op.f('uq_referral_types_name_fa'))
    )
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_fa', sa.String(length=160), nullable=False),
    sa.Column('name_en', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('agency', 'ngo', 'company', 'school')", name=op.f('ck_organizations_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_organizations_created_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('name_fa', name=op.f('uq_organizations_name_fa'))
    )
    op.create_table('organization_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('joined_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('left_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'member')", name=op.f('ck_organization_members_role')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_members_organization_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_organization_members_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_members')),
    sa.UniqueConstraint('organization_id', 'user_id', name=op.f('uq_organization_members_organization_id_user_id'))
    )
    with op.batch_alter_table('organization_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_members_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_members_user_id'), ['user_id'], unique=False)

    op.create_table('organization_remits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_remits_organization_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['table_id'], ['tables.id'], name=op.f('fk_organization_remits_table_id_tables'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_remits')),
    sa.UniqueConstraint('organization_id', 'table_id', name=op.f('uq_organization_remits_organization_id_table_id'))
    )
    with op.batch_alter_table('organization_remits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_remits_organization_id'), ['organization_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('received_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('first_due_on', sa.Date(), nullable=False),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('escalated_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('reopened_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopen_reason', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'answered')", name=op.f('ck_referrals_status')),
    sa.CheckConstraint('escalation_level BETWEEN 0 AND 2', name=op.f('ck_referrals_escalation_level_range')),
    sa.CheckConstraint('reopen_count = 0 OR reopen_reason IS NOT NULL', name=op.f('ck_referrals_reopen_has_reason')),
    sa.CheckConstraint('reopen_count BETWEEN 0 AND 1', name=op.f('ck_referrals_reopened_once')),
    sa.CheckConstraint('table_id IS NOT NULL OR organization_id IS NOT NULL', name=op.f('ck_referrals_addressed')),
    sa.ForeignKeyConstraint(['citizen_id'], ['users.id'], name=op.f('fk_referrals_citizen_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_referrals_organization_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['table_id'], ['tables.id'], name=op.f('fk_referrals_table_id_tables'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['type_id'], ['referral_types.id'], name=op.f('fk_referrals_type_id_referral_types'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_referrals_status_due', ['status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_table_id'), ['table_id'], unique=False)

    op.create_table('referral_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=False),
    sa.Column('answered_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('reasoning', sa.Text(), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('next_step', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=160), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rated_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("decision IN ('accepted', 'will_act', 'partly', 'forwarded', 'needs_info', 'declined')", name=op.f('ck_referral_answers_decision')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_referral_answers_rating_range')),
    sa.CheckConstraint('round BETWEEN 1 AND 2', name=op.f('ck_referral_answers_round_range')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_referral_answers_answered_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_answers_referral_id_referrals'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_answers')),
    sa.UniqueConstraint('referral_id', 'round', name=op.f('uq_referral_answers_referral_id_round'))
    )
    with op.batch_alter_table('referral_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_answers_referral_id'), ['referral_id'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN with its REFERENCES clause: a batch copy of `pledges` would drop a table others refer to
        op.execute("ALTER TABLE pledges ADD COLUMN organization_id INTEGER CONSTRAINT "
                   "fk_pledges_organization_id_organizations REFERENCES organizations (id)")
    else:
        op.add_column('pledges', sa.Column('organization_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_pledges_organization_id_organizations'), 'pledges', 'organizations',
                              ['organization_id'], ['id'])
    op.create_index(op.f('ix_pledges_organization_id'), 'pledges', ['organization_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pledges_organization_id'), table_name='pledges')
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('pledges') as batch_op:  # SQLite drops no column a foreign key holds
            batch_op.drop_column('organization_id')
    else:
        op.drop_constraint(op.f('fk_pledges_organization_id_organizations'), 'pledges', type_='foreignkey')
        op.drop_column('pledges', 'organization_id')

    with op.batch_alter_table('referral_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_answers_referral_id'))

    op.drop_table('referral_answers')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_table_id'))
        batch_op.drop_index('ix_referrals_status_due')
        batch_op.drop_index(batch_op.f('ix_referrals_organization_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_citizen_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('organization_remits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_remits_organization_id'))

    op.drop_table('organization_remits')
    with op.batch_alter_table('organization_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_organization_members_organization_id'))

    op.drop_table('organization_members')
    op.drop_table('organizations')
    op.drop_table('referral_types')
    op.drop_table('referral_holidays')
