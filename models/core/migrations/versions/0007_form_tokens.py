"""form tokens

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:55:00

One-time form tokens (models.orm.form_token.FormToken, issue 15 item 5): every create form carries a token;
the create stores it with what it made, under a unique constraint, so pressing again after a timeout
returns the first pledge (project, need, ballot ...) instead of making a second.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('form_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_tokens_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_form_tokens_token'))
    )
    with op.batch_alter_table('form_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_tokens_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('form_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_tokens_user_id'))
    op.drop_table('form_tokens')
