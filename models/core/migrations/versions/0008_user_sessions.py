"""user sessions and the login throttle

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:50:00

Server-side sign-in sessions (models.orm.sessions.UserSession, issue 18 item 2): the session and
remember-me cookies carry a token whose SHA-256 is stored here, so logging out, "log out everywhere" and
a new password end every copy of those cookies. The login throttle (LoginThrottle, issue 18 item 4):
failed logins per hashed key, for growing delays instead of a hard lock of the account.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=24), nullable=True),
    sa.Column('address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
    op.create_table('login_throttle',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_login_throttle'))
    )


def downgrade() -> None:
    op.drop_table('login_throttle')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
