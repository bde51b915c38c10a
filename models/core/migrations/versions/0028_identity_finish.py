"""Issue 23, the rest of "people, not accounts": a confirmed e-mail and a one-time code to vote.

`users.email_verified_at` is set when a code sent to the e-mail address is confirmed (notifications go by
e-mail only to a confirmed address; existing addresses count as confirmed as of the upgrade, so nobody stops
getting what they chose); `one_time_codes.purpose` gains `vote` (voting without an account, /vote/resident).

Revision ID: 0028
Revises: 0025
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0028'
down_revision = '0025'
branch_labels = None
depends_on = None

OLD = ('register', 'sign_in', 'reset', 'verify')
NEW = OLD + ('vote',)
CHECK = 'ck_one_time_codes_purpose'


def _purposes(values: tuple[str, ...]) -> None:
    with op.batch_alter_table('one_time_codes', schema=None, recreate='auto') as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_='check')
        batch_op.create_check_constraint('purpose', "purpose IN (" + ", ".join(f"'{v}'" for v in values) + ")")


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', models.orm.base.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at WHERE email IS NOT NULL")
    _purposes(NEW)


def downgrade() -> None:
    op.execute("DELETE FROM one_time_codes WHERE purpose = 'vote'")
    _purposes(OLD)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
