"""outbox and one-time codes: messages that reach phones and mailboxes, codes to sign in by phone

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 08:20:00

Issue 23 items 1, 3, 4. `outbox_messages` (every SMS and e-mail: status, tries, the provider's id and the
delivery receipt), `notification_preferences` (per person and group of notifications: off, in the app,
SMS, e-mail or both; immediately or in a daily digest), `one_time_codes` (HMAC of a 6-digit code, its
purpose, tries, expiry). `users.phone_verified_at` is set when a code sent to the phone is confirmed;
`notifications.dispatched_at` marks what the dispatcher has looked at: existing notifications count as
looked at, so an upgrade sends nothing about the past.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('unsubscribe_url', sa.String(length=300), nullable=True),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('provider_id', sa.String(length=100), nullable=True),
    sa.Column('sent_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=True),
    sa.CheckConstraint("channel IN ('sms', 'email')", name=op.f('ck_outbox_messages_channel')),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'dead')",
                       name=op.f('ck_outbox_messages_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_messages_attempts_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_messages_user_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key'))
    )
    op.create_index('ix_outbox_messages_due', 'outbox_messages', ['status', 'next_attempt_at'])
    op.create_index(op.f('ix_outbox_messages_user_id'), 'outbox_messages', ['user_id'])
    op.create_index(op.f('ix_outbox_messages_provider_id'), 'outbox_messages', ['provider_id'])
    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=24), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('frequency', sa.String(length=12), nullable=False),
    sa.Column('updated_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('off', 'in_app', 'sms', 'email', 'sms_email')",
                       name=op.f('ck_notification_preferences_channel')),
    sa.CheckConstraint("frequency IN ('immediate', 'daily')", name=op.f('ck_notification_preferences_frequency')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'group', name=op.f('uq_notification_preferences_user_id_group'))
    )
    op.create_table('one_time_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('register', 'sign_in', 'reset', 'verify')",
                       name=op.f('ck_one_time_codes_purpose')),
    sa.CheckConstraint("channel IN ('sms', 'email')", name=op.f('ck_one_time_codes_channel')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_one_time_codes_attempts_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_codes'))
    )
    op.create_index('ix_one_time_codes_recipient', 'one_time_codes', ['recipient', 'created_at'])
    op.create_index('ix_one_time_codes_address', 'one_time_codes', ['address_hash', 'created_at'])
    # Added columns only (no table rebuild on SQLite: other tables refer to users).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_verified_at', models.orm.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispatched_at', models.orm.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_dispatched_at'), ['dispatched_at'], unique=False)
    op.execute("UPDATE notifications SET dispatched_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_dispatched_at'))
        batch_op.drop_column('dispatched_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone_verified_at')
    op.drop_index('ix_one_time_codes_address', table_name='one_time_codes')
    op.drop_index('ix_one_time_codes_recipient', table_name='one_time_codes')
    op.drop_table('one_time_codes')
    op.drop_table('notification_preferences')
    op.drop_index(op.f('ix_outbox_messages_provider_id'), table_name='outbox_messages')
    op.drop_index(op.f('ix_outbox_messages_user_id'), table_name='outbox_messages')
    op.drop_index('ix_outbox_messages_due', table_name='outbox_messages')
    op.drop_table('outbox_messages')
