"""Who may vote and one vote per national code (SQLite and PostgreSQL): each rule on PB ballots, chair
ballots and assisted station votes, claims one to one, and a national code voting once per cycle whatever
the account, or with none."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

import models.pb.cycles as pbc
import models.pb.stations as st
import models.tables.elections as el
from models.audit.log import record
from models.core.errors import Conflict, NotFound, PermissionDenied
from models.core.residency import national_digest
from models.orm.base import utcnow
from models.orm.pb import PBBallot, PBParticipation
from models.orm.people import User
from models.orm.residents import Resident, ResidentVoteMarker
from models.pb.census import cast_census_ballot
from models.residents.claims import claim
from models.residents.rules import RuleInput, set_cycle_rule, set_election_rule
from tests.residents.conftest import load_register


def _cycle(county, rule: RuleInput | None = None) -> int:
    w = county.w
    with county.db.unit_of_work() as s:
        cid = pbc.create_cycle(s, county.gov, pbc.CycleInput(
            name_fa="دوره", name_en="Cycle", budget_rials=80_000_000, project_ids=(w.project, w.env_project),
            ballot_rule="approval", max_approvals=1)).id
    if rule is not None:
        with county.db.unit_of_work() as s:
            set_cycle_rule(s, county.gov, cid, rule)
    with county.db.unit_of_work() as s:
        pbc.advance_phase(s, county.gov, cid, "voting")
    return cid


def _vote(county, user, cid):
    with county.db.unit_of_work() as s:
        pbc.cast_ballot(s, user, cid, [county.w.project])


def _refused(county, user, cid):
    with pytest.raises((PermissionDenied, Conflict)) as err:
        _vote(county, user, cid)
    return err.value.code


def _claim(county, user, i, year=1360):
    with county.db.unit_of_work() as s:
        claim(s, user, county.codes[i], year)


def _ballots(county, cid):
    with county.db.reader() as s:
        return len(list(s.scalars(select(PBBallot.id).where(PBBallot.cycle_id == cid))))


def test_without_a_rule_anyone_signed_in_votes(county):
    cid = _cycle(county)
    _vote(county, county.users[0], cid)
    _vote(county, county.users[0], cid)          # replacing is still allowed
    assert _ballots(county, cid) == 1


def test_residents_of_the_county(county):
    load_register(county)
    cid = _cycle(county, RuleInput("county"))
    u = county.users
    assert _refused(county, u[0], cid) == "vote_residents_only"
    _claim(county, u[0], 0)
    _vote(county, u[0], cid)
    with county.db.unit_of_work() as s:        # change the ballot: the marker is this voter's own
        pbc.cast_ballot(s, u[0], cid, [county.w.env_project])
    assert _ballots(county, cid) == 1
    with county.db.reader() as s:
        markers = list(s.scalars(select(ResidentVoteMarker.national_digest).where(ResidentVoteMarker.cycle_id == cid)))
        assert markers == [national_digest(s, county.codes[0])]


def test_residents_of_a_district_include_its_cities(county):
    load_register(county)
    cid = _cycle(county, RuleInput("district", district_id=county.w.markazi))
    u = county.users
    _claim(county, u[0], 0)              # Amol city, inside the Central District
    _claim(county, u[1], 4, 1370)        # Larijan
    _vote(county, u[0], cid)
    assert _refused(county, u[1], cid) == "vote_district_only"


def test_minimum_age(county):
    load_register(county)
    cid = _cycle(county, RuleInput("county", min_age=18))
    u = county.users
    _claim(county, u[0], 0)              # born 1360
    _claim(county, u[1], 5, 1395)        # born 1395: 10 this year
    _vote(county, u[0], cid)
    assert _refused(county, u[1], cid) == "vote_too_young"


def test_a_resident_removed_from_the_register_no_longer_votes(county):
    load_register(county)
    cid = _cycle(county, RuleInput("county"))
    _claim(county, county.users[0], 0)
    load_register(county, [(county.codes[1], "Ali", "amol-city", 1360)])
    assert _refused(county, county.users[0], cid) == "vote_residents_only"


def test_one_entry_one_account(county):
    load_register(county)
    _claim(county, county.users[0], 0)
    with county.db.unit_of_work() as s, pytest.raises(Conflict) as other:
        claim(s, county.users[1], county.codes[0], 1360)
    assert other.value.code == "resident_claimed_by_other"
    with county.db.unit_of_work() as s, pytest.raises(Conflict) as mine:
        claim(s, county.users[0], county.codes[1], 1360)
    assert mine.value.code == "resident_already_yours"
    for code, year in ((county.codes[1], 1361), (county.codes[6], 1360)):   # wrong year, not in the register
        with county.db.unit_of_work() as s, pytest.raises(NotFound) as err:
            claim(s, county.users[1], code, year)
        assert err.value.code == "resident_not_matched"


def test_a_national_code_votes_once_whatever_the_account(county):
    """Even if the entry's account changes after a vote (here: moved to another account by hand), the
    national code has voted in the cycle; so does a vote without an account."""
    load_register(county)
    cid = _cycle(county, RuleInput("county"))
    a, b = county.users[0], county.users[1]
    _claim(county, a, 0)
    _vote(county, a, cid)
    with county.db.unit_of_work() as s:
        resident = s.scalar(select(Resident).where(Resident.user_id == a))
        resident.user_id = b
        record(s, None, "test.moved", resident)
    assert _refused(county, b, cid) == "national_code_already_voted"
    with county.db.unit_of_work() as s, pytest.raises(Conflict) as err:
        cast_census_ballot(s, cid, county.codes[0], 1360, [county.w.project])
    assert err.value.code == "national_code_already_voted"
    assert _ballots(county, cid) == 1


def test_the_database_refuses_a_second_marker(county):
    load_register(county)
    cid = _cycle(county, RuleInput("county"))
    with county.db.reader() as s:
        digest = national_digest(s, county.codes[0])
    with county.db.engine.begin() as conn:
        conn.execute(insert(ResidentVoteMarker).values(cycle_id=cid, national_digest=digest))
    with pytest.raises(IntegrityError), county.db.engine.begin() as conn:
        conn.execute(insert(ResidentVoteMarker).values(cycle_id=cid, national_digest=digest))


def test_census_vote_then_the_account_claims_and_votes(county):
    load_register(county)
    cid = _cycle(county, RuleInput("county"))
    with county.db.unit_of_work() as s:
        cast_census_ballot(s, cid, county.codes[0], "۱۳۶۰", [county.w.project])
    _claim(county, county.users[0], 0)
    assert _refused(county, county.users[0], cid) == "national_code_already_voted"
    assert _ballots(county, cid) == 1


def test_a_vote_before_claiming_counts_for_the_national_code(county):
    load_register(county)
    cid = _cycle(county)                                   # anyone signed in
    _vote(county, county.users[0], cid)                    # not yet linked to the register
    with county.db.unit_of_work() as s:                    # census votes are not offered in such a cycle
        with pytest.raises(Conflict) as err:
            cast_census_ballot(s, cid, county.codes[0], 1360, [county.w.project])
    assert err.value.code == "census_vote_not_offered"
    _claim(county, county.users[0], 0)                     # the claim marks the earlier vote
    with county.db.reader() as s:
        assert s.scalar(select(ResidentVoteMarker.id).where(ResidentVoteMarker.cycle_id == cid)) is not None
    _vote(county, county.users[0], cid)                    # replacing is fine


def test_a_claim_is_refused_when_its_code_already_voted_where_the_account_did(county):
    """The account voted before claiming, and its national code has voted in that cycle another way: linking
    them would make two votes of one person, so the claim is refused and nothing changes."""
    load_register(county)
    cid = _cycle(county)
    _vote(county, county.users[0], cid)
    with county.db.unit_of_work() as s:
        digest = national_digest(s, county.codes[0])
    with county.db.engine.begin() as conn:
        conn.execute(insert(ResidentVoteMarker).values(cycle_id=cid, national_digest=digest))
    with county.db.unit_of_work() as s, pytest.raises(Conflict) as err:
        claim(s, county.users[0], county.codes[0], 1360)
    assert err.value.code == "national_code_already_voted"
    with county.db.reader() as s:
        assert s.scalar(select(Resident.user_id).where(Resident.national_digest == digest)) is None


def test_census_rules_apply(county):
    load_register(county)
    cid = _cycle(county, RuleInput("county", min_age=18))
    for code, year, expected in ((county.codes[5], 1395, "vote_too_young"), (county.codes[0], 1361,
                                                                             "resident_not_matched"),
                                 ("0012345678", 1360, "national_code_invalid")):
        with county.db.unit_of_work() as s, pytest.raises((PermissionDenied, NotFound, Exception)) as err:
            cast_census_ballot(s, cid, code, year, [county.w.project])
        assert err.value.code == expected
    assert _ballots(county, cid) == 0


def test_the_rule_is_set_before_the_first_ballot_by_the_governorate(county):
    load_register(county)
    cid = _cycle(county)
    with county.db.unit_of_work() as s, pytest.raises(PermissionDenied):
        set_cycle_rule(s, county.users[0], cid, RuleInput("county"))
    _vote(county, county.users[0], cid)
    with county.db.unit_of_work() as s, pytest.raises(Conflict) as err:
        set_cycle_rule(s, county.gov, cid, RuleInput("county"))
    assert err.value.code == "eligibility_after_first_ballot"
    for bad, code in ((RuleInput("planet"), "eligibility_residency_unknown"),
                      (RuleInput("district"), "eligibility_district_required"),
                      (RuleInput("any", min_age=18), "eligibility_age_needs_register"),
                      (RuleInput("county", min_age=0), "eligibility_age_invalid")):
        other = _cycle(county)
        with county.db.unit_of_work() as s, pytest.raises(Exception) as err:
            set_cycle_rule(s, county.gov, other, bad)
        assert err.value.code == code


def test_an_assisted_station_vote_follows_the_rule(county):
    load_register(county)
    cid = _cycle(county, RuleInput("county"))
    officer, outsider, resident = county.users[3], county.users[4], county.users[5]
    with county.db.unit_of_work() as s:
        st.assign_officer(s, county.gov, cid, officer, "Village mosque")
    _claim(county, resident, 0)
    with county.db.unit_of_work() as s, pytest.raises(PermissionDenied) as err:
        st.enter_ballot(s, officer, cid, "A-1", [county.w.project], outsider)
    assert err.value.code == "vote_residents_only"
    with county.db.unit_of_work() as s:
        st.enter_ballot(s, officer, cid, "A-2", [county.w.project], resident)
    with county.db.reader() as s:
        p = s.scalar(select(PBParticipation).where(PBParticipation.user_id == resident))
        assert (p.channel, p.ballot_number, p.entered_by_id) == ("assisted", "A-2", officer)


def test_chair_elections_members_who_are_residents(county):
    load_register(county)
    w = county.w
    with county.db.unit_of_work() as s:
        election = el.open_election(s, county.gov, w.health, utcnow() + timedelta(days=3))
        eid = election.id
    with county.db.unit_of_work() as s:
        set_election_rule(s, county.gov, eid, RuleInput("county"))
    with county.db.unit_of_work() as s:
        candidate = el.nominate(s, w.chair, eid).id
    with county.db.unit_of_work() as s, pytest.raises(PermissionDenied) as err:
        el.cast_ballot(s, w.member, eid, [candidate])
    assert err.value.code == "vote_residents_only"
    with county.db.unit_of_work() as s:
        member = s.get(User, w.member)
        member.phone_verified_at = utcnow()  # a claim asks for a confirmed phone
        record(s, None, "user.phone_verified", member)
        claim(s, w.member, county.codes[2], 1360)
    with county.db.unit_of_work() as s:
        el.cast_ballot(s, w.member, eid, [candidate])
        el.cast_ballot(s, w.member, eid, [candidate])      # the same member again: a replacement
    with county.db.unit_of_work() as s:                   # the entry handed to another member: refused
        r = s.scalar(select(Resident).where(Resident.user_id == w.member))
        s.execute(update(Resident).where(Resident.id == r.id).values(user_id=w.chair))
    with county.db.unit_of_work() as s, pytest.raises(Conflict) as twice:
        el.cast_ballot(s, w.chair, eid, [candidate])
    assert twice.value.code == "national_code_already_voted"
    with county.db.unit_of_work() as s, pytest.raises(Conflict):
        set_election_rule(s, county.gov, eid, RuleInput("any"))
