"""secret pb ballots: who voted apart from what was voted

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 00:40:00

Issue 18 item 5 for PB (models.pb.cycles, as 0015 did for chair elections). `pb_ballots` loses
`voter_id` and `cast_at`: a ballot is its cycle, a random id, its source and district and, while
voting is open, a keyed `link` (HMAC of cycle and voter under a key that is not in the database);
`pb_participations` records who voted (and, for an assisted vote, the station, the officer and the
form number). Existing ballots are moved: one participation per (cycle, voter), ballots rewritten in
random order with new random ids; the online and assisted ballots of cycles still voting get a plain
`legacy:<voter id>` link until voting closes (the app has the key, this migration does not), the
others none. Paper ballots keep their number, station and officer. One-way: the downgrade restores
the columns but cannot say whose a closed cycle's ballot was (its online ballots are dropped).
"""
import random
import secrets
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

BALLOT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _create_ballots() -> None:
    op.create_table('pb_ballots',
    sa.Column('id', BALLOT_ID, autoincrement=False, nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('link', sa.String(length=80), nullable=True),
    sa.Column('ballot_number', sa.String(length=40), nullable=True),
    sa.Column('station', sa.String(length=120), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source IN ('online', 'paper', 'assisted')", name=op.f('ck_pb_ballots_source')),
    sa.CheckConstraint("(source = 'paper') = (ballot_number IS NOT NULL)", name=op.f('ck_pb_ballots_number_iff_paper')),
    sa.ForeignKeyConstraint(['cycle_id'], ['pb_cycles.id'], name=op.f('fk_pb_ballots_cycle_id_pb_cycles'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_pb_ballots_district_id_districts'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_pb_ballots_entered_by_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_ballots')),
    sa.UniqueConstraint('cycle_id', 'ballot_number', name=op.f('uq_pb_ballots_cycle_id_ballot_number')),
    sa.UniqueConstraint('link', name=op.f('uq_pb_ballots_link'))
    )
    op.create_table('pb_ballot_choices',
    sa.Column('ballot_id', BALLOT_ID, nullable=False),
    sa.Column('cycle_project_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['pb_ballots.id'], name=op.f('fk_pb_ballot_choices_ballot_id_pb_ballots'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cycle_project_id'], ['pb_cycle_projects.id'],
                            name=op.f('fk_pb_ballot_choices_cycle_project_id_pb_cycle_projects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('ballot_id', 'cycle_project_id', name=op.f('pk_pb_ballot_choices'))
    )


def upgrade() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    old_ballots = sa.Table('pb_ballots', meta, autoload_with=bind)
    old_choices = sa.Table('pb_ballot_choices', meta, autoload_with=bind)
    cycles = sa.Table('pb_cycles', meta, autoload_with=bind)
    voting = {r[0] for r in bind.execute(sa.select(cycles.c.id).where(cycles.c.phase == 'voting'))}
    c = old_ballots.c
    ballots = [dict(r._mapping) for r in bind.execute(sa.select(
        c.id, c.cycle_id, c.voter_id, c.source, c.ballot_number, c.station, c.entered_by_id, c.district_id))]
    choices = defaultdict(list)
    for ballot_id, cp in bind.execute(sa.select(old_choices.c.ballot_id, old_choices.c.cycle_project_id)):
        choices[ballot_id].append(cp)

    op.create_table('pb_participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('station', sa.String(length=120), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('ballot_number', sa.String(length=40), nullable=True),
    sa.CheckConstraint("channel IN ('online', 'assisted')", name=op.f('ck_pb_participations_channel')),
    sa.ForeignKeyConstraint(['cycle_id'], ['pb_cycles.id'], name=op.f('fk_pb_participations_cycle_id_pb_cycles'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_pb_participations_entered_by_id_users'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pb_participations_user_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_participations')),
    sa.UniqueConstraint('cycle_id', 'user_id', name=op.f('uq_pb_participations_cycle_id_user_id'))
    )
    op.drop_table('pb_ballot_choices')
    op.drop_table('pb_ballots')
    _create_ballots()

    meta = sa.MetaData()
    participations = sa.Table('pb_participations', meta, autoload_with=bind)
    new_ballots = sa.Table('pb_ballots', meta, autoload_with=bind)
    new_choices = sa.Table('pb_ballot_choices', meta, autoload_with=bind)
    people = [{'cycle_id': b['cycle_id'], 'user_id': b['voter_id'],
               'channel': 'assisted' if b['source'] == 'assisted' else 'online',
               'station': b['station'] if b['source'] == 'assisted' else None,
               'entered_by_id': b['entered_by_id'] if b['source'] == 'assisted' else None,
               'ballot_number': b['ballot_number'] if b['source'] == 'assisted' else None}
              for b in ballots if b['voter_id'] is not None]
    if people:
        bind.execute(participations.insert(), people)
    random.SystemRandom().shuffle(ballots)
    for b in ballots:
        new_id = secrets.randbelow(2**62) + 1
        paper = b['source'] == 'paper'
        link = f"legacy:{b['voter_id']}" if b['voter_id'] is not None and b['cycle_id'] in voting else None
        bind.execute(new_ballots.insert().values(
            id=new_id, cycle_id=b['cycle_id'], source=b['source'], link=link, district_id=b['district_id'],
            ballot_number=b['ballot_number'] if paper else None, station=b['station'] if paper else None,
            entered_by_id=b['entered_by_id'] if paper else None))
        if choices[b['id']]:
            bind.execute(new_choices.insert(), [{'ballot_id': new_id, 'cycle_project_id': cp}
                                                for cp in sorted(choices[b['id']])])


def downgrade() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    ballots_t = sa.Table('pb_ballots', meta, autoload_with=bind)
    choices_t = sa.Table('pb_ballot_choices', meta, autoload_with=bind)
    paper = [dict(r._mapping) for r in bind.execute(sa.select(ballots_t).where(ballots_t.c.source == 'paper'))]
    choices = defaultdict(list)
    for ballot_id, cp in bind.execute(sa.select(choices_t.c.ballot_id, choices_t.c.cycle_project_id)):
        choices[ballot_id].append(cp)
    op.drop_table('pb_ballot_choices')
    op.drop_table('pb_ballots')
    op.drop_table('pb_participations')
    import models.orm.base

    op.create_table('pb_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=True),
    sa.Column('cast_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('ballot_number', sa.String(length=40), nullable=True),
    sa.Column('station', sa.String(length=120), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source IN ('online', 'paper', 'assisted')", name=op.f('ck_pb_ballots_source')),
    sa.CheckConstraint("(source = 'online') = (ballot_number IS NULL)", name=op.f('ck_pb_ballots_number_iff_station')),
    sa.ForeignKeyConstraint(['cycle_id'], ['pb_cycles.id'], name=op.f('fk_pb_ballots_cycle_id_pb_cycles'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_pb_ballots_voter_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_pb_ballots_district_id_districts'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_pb_ballots_entered_by_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_ballots')),
    sa.UniqueConstraint('cycle_id', 'voter_id', name=op.f('uq_pb_ballots_cycle_id_voter_id')),
    sa.UniqueConstraint('cycle_id', 'ballot_number', name=op.f('uq_pb_ballots_cycle_id_ballot_number'))
    )
    op.create_table('pb_ballot_choices',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('cycle_project_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['pb_ballots.id'], name=op.f('fk_pb_ballot_choices_ballot_id_pb_ballots'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cycle_project_id'], ['pb_cycle_projects.id'],
                            name=op.f('fk_pb_ballot_choices_cycle_project_id_pb_cycle_projects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('ballot_id', 'cycle_project_id', name=op.f('pk_pb_ballot_choices'))
    )
    # whose online ballot was which cannot be recovered: only the paper ballots come back
    meta = sa.MetaData()
    ballots_t = sa.Table('pb_ballots', meta, autoload_with=bind)
    choices_t = sa.Table('pb_ballot_choices', meta, autoload_with=bind)
    from datetime import UTC, datetime
    for i, b in enumerate(paper, start=1):
        bind.execute(ballots_t.insert().values(id=i, cycle_id=b['cycle_id'], voter_id=None, cast_at=datetime.now(UTC),
                                               district_id=b['district_id'], source='paper',
                                               ballot_number=b['ballot_number'], station=b['station'],
                                               entered_by_id=b['entered_by_id']))
        if choices[b['id']]:
            bind.execute(choices_t.insert(), [{'ballot_id': i, 'cycle_project_id': cp} for cp in choices[b['id']]])
