"""pb explanations: why each cycle project was funded or not

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:55:00

pb_cycle_projects.explanation (JSON, nullable): models.pb.explain.ProjectExplanation.as_dict(),
stored when the results are published so the public page explains them without counting again.
Cycles published before this migration have none (the page then shows votes and funding only).
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pb_cycle_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pb_cycle_projects', schema=None) as batch_op:
        batch_op.drop_column('explanation')
