"""resident register: residents (national codes as keyed digests), imports, who may vote, vote markers, assisted entries

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 08:05:19

Issue 23 items 2 and 5 (models.orm.residents): `residents` holds the register (an HMAC digest of each national
code under a key that is not in the database, the Jalali birth year, the district, the account that claimed
it, `removed_at` when a later file no longer lists the person); `resident_imports` each file imported;
`vote_eligibility` who may vote in a PB cycle or a chair election (no row: anyone signed in);
`resident_vote_markers` one row per national code that voted in a cycle or an election (unique), with no
account, time or ballot; `assisted_entries` registrations and pledges entered for residents on paper forms.
"""
import sqlalchemy as sa
from alembic import op

import models.orm.base

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resident_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_resident_imports_imported_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_imports'))
    )
    op.create_table('residents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('national_digest', sa.String(length=64), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', models.orm.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) = (claimed_at IS NULL)', name=op.f('ck_residents_claimed_when_linked')),
    sa.CheckConstraint('birth_year BETWEEN 1200 AND 1500', name=op.f('ck_residents_birth_year_jalali')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_residents_district_id_districts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['import_id'], ['resident_imports.id'], name=op.f('fk_residents_import_id_resident_imports'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_residents_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residents')),
    sa.UniqueConstraint('national_digest', name=op.f('uq_residents_national_digest')),
    sa.UniqueConstraint('user_id', name=op.f('uq_residents_user_id'))
    )
    op.create_table('resident_vote_markers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('election_id', sa.Integer(), nullable=True),
    sa.Column('national_digest', sa.String(length=64), nullable=False),
    sa.CheckConstraint('(cycle_id IS NULL) <> (election_id IS NULL)', name=op.f('ck_resident_vote_markers_one_scope')),
    sa.ForeignKeyConstraint(['cycle_id'], ['pb_cycles.id'], name=op.f('fk_resident_vote_markers_cycle_id_pb_cycles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['election_id'], ['chair_elections.id'], name=op.f('fk_resident_vote_markers_election_id_chair_elections'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_vote_markers')),
    sa.UniqueConstraint('cycle_id', 'national_digest', name=op.f('uq_resident_vote_markers_cycle_id_national_digest')),
    sa.UniqueConstraint('election_id', 'national_digest', name=op.f('uq_resident_vote_markers_election_id_national_digest'))
    )
    op.create_table('vote_eligibility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('election_id', sa.Integer(), nullable=True),
    sa.Column('residency', sa.String(length=10), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(residency = 'district') = (district_id IS NOT NULL)", name=op.f('ck_vote_eligibility_district_iff_district')),
    sa.CheckConstraint("min_age IS NULL OR (min_age BETWEEN 1 AND 120 AND residency <> 'any')", name=op.f('ck_vote_eligibility_min_age')),
    sa.CheckConstraint("residency IN ('any', 'county', 'district')", name=op.f('ck_vote_eligibility_residency')),
    sa.CheckConstraint('(cycle_id IS NULL) <> (election_id IS NULL)', name=op.f('ck_vote_eligibility_one_scope')),
    sa.ForeignKeyConstraint(['cycle_id'], ['pb_cycles.id'], name=op.f('fk_vote_eligibility_cycle_id_pb_cycles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_vote_eligibility_district_id_districts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['election_id'], ['chair_elections.id'], name=op.f('fk_vote_eligibility_election_id_chair_elections'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_vote_eligibility_set_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_eligibility')),
    sa.UniqueConstraint('cycle_id', name=op.f('uq_vote_eligibility_cycle_id')),
    sa.UniqueConstraint('election_id', name=op.f('uq_vote_eligibility_election_id'))
    )
    op.create_table('assisted_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('form_number', sa.String(length=40), nullable=False),
    sa.Column('helper_id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=True),
    sa.Column('at', models.orm.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'pledge') = (pledge_id IS NOT NULL)", name=op.f('ck_assisted_entries_pledge_iff_pledge')),
    sa.CheckConstraint("kind IN ('registration', 'pledge')", name=op.f('ck_assisted_entries_kind')),
    sa.ForeignKeyConstraint(['citizen_id'], ['users.id'], name=op.f('fk_assisted_entries_citizen_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['helper_id'], ['users.id'], name=op.f('fk_assisted_entries_helper_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_assisted_entries_pledge_id_pledges'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assisted_entries')),
    sa.UniqueConstraint('kind', 'form_number', name=op.f('uq_assisted_entries_kind_form_number'))
    )


def downgrade() -> None:
    op.drop_table('assisted_entries')
    op.drop_table('vote_eligibility')
    op.drop_table('resident_vote_markers')
    op.drop_table('residents')
    op.drop_table('resident_imports')
