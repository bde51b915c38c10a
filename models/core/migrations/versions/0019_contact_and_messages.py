"""contact and messages: a citizen's consent to show a contact to the chair, and per-contribution messages

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 01:20:00

Issue 20 item 13 (models.orm.contact): `contact_consents` holds, per accepted allocation, the citizen's
choice to show their phone or e-mail to the table's chair (the chair it was given to, when, and when it
was revoked; the contact itself stays on the account); `contribution_messages` holds the short thread
between the citizen and the table's chair about one allocation.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('granted_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('phone', 'email')", name=op.f('ck_contact_consents_channel')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'],
                            name=op.f('fk_contact_consents_allocation_id_allocations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['citizen_id'], ['users.id'], name=op.f('fk_contact_consents_citizen_id_users'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['chair_id'], ['users.id'], name=op.f('fk_contact_consents_chair_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_consents')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_contact_consents_allocation_id'))
    )
    op.create_table('contribution_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(body) > 0', name=op.f('ck_contribution_messages_body_not_empty')),
    sa.CheckConstraint("side IN ('citizen', 'chair')", name=op.f('ck_contribution_messages_side')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'],
                            name=op.f('fk_contribution_messages_allocation_id_allocations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_contribution_messages_author_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution_messages'))
    )
    op.create_index('ix_contribution_messages_allocation', 'contribution_messages', ['allocation_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_contribution_messages_allocation', table_name='contribution_messages')
    op.drop_table('contribution_messages')
    op.drop_table('contact_consents')
