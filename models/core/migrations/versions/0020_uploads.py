"""uploads: the files people attach (evidence, progress photos, proof of delivery)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 08:00:00

models.orm.uploads: `uploads` describes each checked file (owner, purpose, type, size, digest, public or
not, hidden by a moderator); `upload_blobs` holds its bytes in a row of their own.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('image', 'pdf')", name=op.f('ck_uploads_kind')),
    sa.CheckConstraint('size > 0', name=op.f('ck_uploads_size_positive')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_uploads_owner_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_uploads_token'))
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index('ix_uploads_owner', ['owner_id'], unique=False)

    op.create_table('upload_blobs',
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_upload_blobs_upload_id_uploads'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('upload_id', name=op.f('pk_upload_blobs'))
    )


def downgrade() -> None:
    op.drop_table('upload_blobs')
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index('ix_uploads_owner')

    op.drop_table('uploads')
