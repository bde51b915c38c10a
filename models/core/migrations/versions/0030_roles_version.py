"""users.roles_version: the roles a session carries are checked against it

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 19:00:00

Issue 19 item 2 (roles carried in the session): the web keeps a signed-in person's table roles in their
signed session with the version they were read at, instead of reading them with three statements on
every request. The version moves (models.orm.roles_version) in the same transaction as any change to
what the person may do: a chair elected or ended, a membership begun or ended, a table archived or
restored, the governorate flag or the account's activation changed. The session's copy is used only
while its version is the row's current one, so a removed role takes effect on the next request.
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roles_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('roles_version')
