"""logistics items, pledges to a chosen project, automatic matching per table

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:45:00

Issue 16 items 1, 2 and 6:
- `logistics_items`: the catalogue of vehicles, spaces and equipment (seeded below; the governorate
  extends it); `needs.item_id`, `need_accepted_items` (substitutes a need accepts) and `pledges.item_id`.
- `pledges.project_id` and `pledges.only_project`: a pledge to one chosen project, preferred or the only one.
- `tables.auto_match`, `tables.auto_match_minutes`: automatic matching (models.runs.auto).
- Existing free-text logistics is converted: each logistics need and pledge gets the catalogue item its
  description names (Persian or English keywords, `ITEM_KEYWORDS`), else `other`. Skills on logistics and
  money needs and pledges are removed (skills are for design and execution only).
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: (slug, name_fa, name_en, category): the catalogue as this migration seeds it
CATALOGUE = [
    ("pickup", "وانت", "Pickup truck", "vehicle"),
    ("van", "ون", "Van", "vehicle"),
    ("minibus", "مینی‌بوس", "Minibus", "vehicle"),
    ("bus", "اتوبوس", "Bus", "vehicle"),
    ("vehicle-10", "خودروی ۱۰ نفره", "Vehicle for 10 people", "vehicle"),
    ("truck", "کامیون", "Truck", "vehicle"),
    ("water-tanker", "تانکر آب", "Water tanker", "vehicle"),
    ("tractor", "تراکتور", "Tractor", "vehicle"),
    ("excavator", "بیل مکانیکی", "Excavator", "vehicle"),
    ("hall", "سالن اجتماعات", "Assembly hall", "space"),
    ("classroom", "کلاس درس", "Classroom", "space"),
    ("workshop", "کارگاه", "Workshop", "space"),
    ("storage", "انبار", "Storage space", "space"),
    ("generator", "ژنراتور برق", "Power generator", "equipment"),
    ("tent", "چادر", "Tent", "equipment"),
    ("chairs", "صندلی و میز", "Chairs and tables", "equipment"),
    ("sound-system", "سیستم صوتی", "Sound system", "equipment"),
    ("projector", "ویدئوپروژکتور", "Projector", "equipment"),
    ("laptop", "رایانه همراه", "Laptop", "equipment"),
    ("water-pump", "پمپ آب", "Water pump", "equipment"),
    ("other", "سایر", "Other", "other"),
]

#: (slug, keywords): the first item one of whose keywords the description contains (lower case);
#: more specific words first ("مینی‌بوس" before "اتوبوس", "تانکر" before "کامیون").
ITEM_KEYWORDS = [
    ("minibus", ("مینی‌بوس", "مینی بوس", "مینیبوس", "minibus")),
    ("water-tanker", ("تانکر", "tanker")),
    ("pickup", ("وانت", "pickup", "pick-up")),
    ("bus", ("اتوبوس", "bus")),
    ("truck", ("کامیون", "truck", "lorry")),
    ("tractor", ("تراکتور", "tractor")),
    ("excavator", ("بیل مکانیکی", "لودر", "excavator", "digger")),
    ("van", ("ون ", "van")),
    ("hall", ("سالن", "hall")),
    ("classroom", ("کلاس", "classroom")),
    ("workshop", ("کارگاه", "workshop")),
    ("storage", ("انبار", "storage", "warehouse")),
    ("generator", ("ژنراتور", "موتور برق", "generator")),
    ("tent", ("چادر", "tent")),
    ("chairs", ("صندلی", "chair")),
    ("sound-system", ("صوتی", "بلندگو", "sound", "speaker")),
    ("projector", ("پروژکتور", "projector")),
    ("laptop", ("رایانه", "لپ‌تاپ", "لپ تاپ", "laptop", "computer")),
    ("water-pump", ("پمپ", "pump")),
]


def item_for(description: str | None) -> str:
    """The catalogue slug a free-text logistics description names, or "other"."""
    text = (description or "").strip().lower() + " "
    for slug, words in ITEM_KEYWORDS:
        if any(w in text for w in words):
            return slug
    return "other"


def upgrade() -> None:
    items = op.create_table('logistics_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name_fa', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('vehicle', 'space', 'equipment', 'other')",
                       name=op.f('ck_logistics_items_category_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logistics_items')),
    sa.UniqueConstraint('slug', name=op.f('uq_logistics_items_slug'))
    )
    op.create_table('need_accepted_items',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['logistics_items.id'], name=op.f('fk_need_accepted_items_item_id_logistics_items'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_need_accepted_items_need_id_needs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('need_id', 'item_id', name=op.f('pk_need_accepted_items'))
    )
    if op.get_bind().dialect.name == "sqlite":
        # ALTER TABLE ... ADD COLUMN with its REFERENCES clause: a batch copy of `needs` or `pledges` would
        # drop tables that other rows refer to (a foreign-key failure even when deferred). SQLite cannot add
        # the CHECK afterwards; models.pledging refuses only_project without a project on every database.
        for table, column, name, target in (
                ('needs', 'item_id', 'fk_needs_item_id_logistics_items', 'logistics_items'),
                ('pledges', 'item_id', 'fk_pledges_item_id_logistics_items', 'logistics_items'),
                ('pledges', 'project_id', 'fk_pledges_project_id_projects', 'projects')):
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES {target} (id)")
        op.add_column('pledges', sa.Column('only_project', sa.Boolean(), nullable=False, server_default=sa.false()))
    else:
        op.add_column('needs', sa.Column('item_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_needs_item_id_logistics_items'), 'needs', 'logistics_items', ['item_id'], ['id'])
        op.add_column('pledges', sa.Column('item_id', sa.Integer(), nullable=True))
        op.add_column('pledges', sa.Column('project_id', sa.Integer(), nullable=True))
        op.add_column('pledges', sa.Column('only_project', sa.Boolean(), nullable=False, server_default=sa.false()))
        op.create_foreign_key(op.f('fk_pledges_item_id_logistics_items'), 'pledges', 'logistics_items', ['item_id'],
                              ['id'])
        op.create_foreign_key(op.f('fk_pledges_project_id_projects'), 'pledges', 'projects', ['project_id'], ['id'])
        op.create_check_constraint(op.f('ck_pledges_only_project_has_project'), 'pledges',
                                   'NOT only_project OR project_id IS NOT NULL')
    op.create_index(op.f('ix_pledges_project_id'), 'pledges', ['project_id'], unique=False)
    op.add_column('tables', sa.Column('auto_match', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('tables', sa.Column('auto_match_minutes', sa.Integer(), nullable=False, server_default='30'))

    # The catalogue, then the conversion of free-text logistics.
    from datetime import UTC, datetime
    now = datetime(2026, 12, 1, tzinfo=UTC)  # the catalogue's date: the same rows on every database
    op.bulk_insert(items, [dict(slug=s, name_fa=fa, name_en=en, category=c, active=True, created_at=now)
                           for s, fa, en, c in CATALOGUE])
    conn = op.get_bind()
    id_of: dict[str, int] = dict(conn.execute(sa.text("SELECT slug, id FROM logistics_items")).all())
    for table in ("needs", "pledges"):
        rows = conn.execute(sa.text(f"SELECT id, description FROM {table} WHERE kind = 'logistics'")).all()
        by_item: dict[int, list[int]] = {}
        for row_id, description in rows:
            by_item.setdefault(id_of[item_for(description)], []).append(row_id)
        for item_id, row_ids in sorted(by_item.items()):
            for k in range(0, len(row_ids), 500):
                chunk = row_ids[k:k + 500]
                conn.execute(sa.text(f"UPDATE {table} SET item_id = :item WHERE id IN ({', '.join(map(str, chunk))})"),
                             {"item": item_id})
    conn.execute(sa.text("DELETE FROM need_skills WHERE need_id IN "
                         "(SELECT id FROM needs WHERE kind IN ('logistics', 'financial'))"))
    conn.execute(sa.text("DELETE FROM pledge_skills WHERE pledge_id IN "
                         "(SELECT id FROM pledges WHERE kind IN ('logistics', 'financial'))"))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_column('tables', 'auto_match_minutes')
    op.drop_column('tables', 'auto_match')
    op.drop_index(op.f('ix_pledges_project_id'), table_name='pledges')
    if sqlite:  # a column named by a foreign key is dropped by a copy of the table
        with op.batch_alter_table('pledges', recreate='always') as batch_op:
            batch_op.drop_column('only_project')
            batch_op.drop_column('project_id')
            batch_op.drop_column('item_id')
        with op.batch_alter_table('needs', recreate='always') as batch_op:
            batch_op.drop_column('item_id')
    else:
        op.drop_constraint(op.f('ck_pledges_only_project_has_project'), 'pledges', type_='check')
        op.drop_constraint(op.f('fk_pledges_project_id_projects'), 'pledges', type_='foreignkey')
        op.drop_constraint(op.f('fk_pledges_item_id_logistics_items'), 'pledges', type_='foreignkey')
        op.drop_constraint(op.f('fk_needs_item_id_logistics_items'), 'needs', type_='foreignkey')
        op.drop_column('pledges', 'only_project')
        op.drop_column('pledges', 'project_id')
        op.drop_column('pledges', 'item_id')
        op.drop_column('needs', 'item_id')
    op.drop_table('need_accepted_items')
    op.drop_table('logistics_items')
