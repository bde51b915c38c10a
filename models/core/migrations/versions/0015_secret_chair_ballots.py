"""secret chair ballots: who voted apart from what was voted

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 00:00:00

Issue 18 item 5 (models.tables.elections). `chair_ballots` loses `voter_id` and `cast_at`: a ballot is
its election, a random id and, while the election is open, a keyed `link` (HMAC of election and voter
under a key that is not in the database); `chair_participations` records who voted. Existing ballots
are moved: one participation per (election, voter), ballots rewritten in random order with new random
ids (the audit log's old `election.ballot_*` events name the old ids, which no longer exist); the
ballots of closed elections get no link, those of open elections a plain `legacy:<voter id>` link
until they close (the app has the key, this migration does not). One-way: the downgrade restores the
columns but cannot say whose a closed election's ballot was (its ballots are dropped).
"""
import random
import secrets
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BALLOT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _create_ballots() -> None:
    op.create_table('chair_ballots',
    sa.Column('id', BALLOT_ID, autoincrement=False, nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('link', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['election_id'], ['chair_elections.id'], name=op.f('fk_chair_ballots_election_id_chair_elections'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chair_ballots')),
    sa.UniqueConstraint('link', name=op.f('uq_chair_ballots_link'))
    )
    op.create_table('chair_ballot_choices',
    sa.Column('ballot_id', BALLOT_ID, nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['chair_ballots.id'], name=op.f('fk_chair_ballot_choices_ballot_id_chair_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['candidate_id'], ['chair_candidates.id'], name=op.f('fk_chair_ballot_choices_candidate_id_chair_candidates'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('ballot_id', 'candidate_id', name=op.f('pk_chair_ballot_choices'))
    )


def upgrade() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    old_ballots = sa.Table('chair_ballots', meta, autoload_with=bind)
    old_choices = sa.Table('chair_ballot_choices', meta, autoload_with=bind)
    elections = sa.Table('chair_elections', meta, autoload_with=bind)
    open_ids = {r[0] for r in bind.execute(sa.select(elections.c.id).where(elections.c.status == 'open'))}
    ballots = [tuple(r) for r in bind.execute(sa.select(old_ballots.c.id, old_ballots.c.election_id,
                                                          old_ballots.c.voter_id))]
    choices = defaultdict(list)
    for ballot_id, candidate_id in bind.execute(sa.select(old_choices.c.ballot_id, old_choices.c.candidate_id)):
        choices[ballot_id].append(candidate_id)

    op.create_table('chair_participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['chair_elections.id'], name=op.f('fk_chair_participations_election_id_chair_elections'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_chair_participations_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chair_participations')),
    sa.UniqueConstraint('election_id', 'user_id', name=op.f('uq_chair_participations_election_id_user_id'))
    )
    op.drop_table('chair_ballot_choices')
    op.drop_table('chair_ballots')
    _create_ballots()

    meta = sa.MetaData()
    participations = sa.Table('chair_participations', meta, autoload_with=bind)
    new_ballots = sa.Table('chair_ballots', meta, autoload_with=bind)
    new_choices = sa.Table('chair_ballot_choices', meta, autoload_with=bind)
    voters = sorted({(election_id, voter_id) for _id, election_id, voter_id in ballots})
    if voters:
        bind.execute(participations.insert(), [{'election_id': e, 'user_id': v} for e, v in voters])
    random.SystemRandom().shuffle(ballots)
    for old_id, election_id, voter_id in ballots:
        new_id = secrets.randbelow(2**62) + 1
        bind.execute(new_ballots.insert().values(
            id=new_id, election_id=election_id, link=f'legacy:{voter_id}' if election_id in open_ids else None))
        if choices[old_id]:
            bind.execute(new_choices.insert(), [{'ballot_id': new_id, 'candidate_id': c}
                                                for c in sorted(choices[old_id])])


def downgrade() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    participations = sa.Table('chair_participations', meta, autoload_with=bind)
    rows = [tuple(r) for r in bind.execute(sa.select(participations.c.election_id, participations.c.user_id))]
    op.drop_table('chair_ballot_choices')
    op.drop_table('chair_ballots')
    op.drop_table('chair_participations')
    import models.orm.base

    op.create_table('chair_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('cast_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['chair_elections.id'], name=op.f('fk_chair_ballots_election_id_chair_elections'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_chair_ballots_voter_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chair_ballots')),
    sa.UniqueConstraint('election_id', 'voter_id', name=op.f('uq_chair_ballots_election_id_voter_id'))
    )
    op.create_table('chair_ballot_choices',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['chair_ballots.id'], name=op.f('fk_chair_ballot_choices_ballot_id_chair_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['candidate_id'], ['chair_candidates.id'], name=op.f('fk_chair_ballot_choices_candidate_id_chair_candidates'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('ballot_id', 'candidate_id', name=op.f('pk_chair_ballot_choices'))
    )
    del rows  # whose ballot was which cannot be recovered: the ballots are not restored
