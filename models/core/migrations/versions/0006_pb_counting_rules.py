"""pb counting rules: every rule of models.pb.rules.ALL_RULES

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:50:00

pb_cycles.counting_rule takes the rules of models.pb.rules.EXTRA_RULES too (cardinality
satisfaction, sequential Phragmen, maximum welfare): the column widens from 24 to 32 characters
("mes-cardinality-add1-greedy" has 27) and its CHECK constraint lists the new values.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD = ('mes-add1-greedy', 'mes-add1', 'mes', 'greedy')
NEW = OLD + ('greedy-cardinality', 'mes-cardinality', 'mes-cardinality-add1', 'mes-cardinality-add1-greedy',
             'phragmen', 'max-welfare')
CHECK = 'ck_pb_cycles_pb_counting_rule'


def _values(values: tuple[str, ...]) -> str:
    return "counting_rule IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _change(values: tuple[str, ...], length: int) -> None:
    with op.batch_alter_table('pb_cycles', schema=None, recreate='auto') as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_='check')
        batch_op.alter_column('counting_rule', existing_type=sa.String(), type_=sa.String(length=length),
                              existing_nullable=False)
        batch_op.create_check_constraint('pb_counting_rule', _values(values))


def upgrade() -> None:
    _change(NEW, 32)


def downgrade() -> None:
    op.execute("UPDATE pb_cycles SET counting_rule = 'mes-add1-greedy' WHERE counting_rule NOT IN ("
               + ", ".join(f"'{v}'" for v in OLD) + ")")
    _change(OLD, 24)
