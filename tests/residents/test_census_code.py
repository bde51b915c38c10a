"""Voting without an account asks for a one-time code to the confirmed phone of the register entry's account
(issue 23 item 4): no code, a wrong one, or no phone to send one to, and nothing is cast."""
from __future__ import annotations

import pytest

from models.accounts import codes
from models.core.errors import Conflict, ValidationError
from models.orm.people import User
from models.pb.census import cast_census_ballot, census_voter
from models.residents.rules import RuleInput
from tests.residents.conftest import load_register
from tests.residents.test_eligibility import _ballots, _claim, _cycle


def _confirm_with(s, typed):
    def confirm(voter):
        if codes.check_code(s, purpose="vote", login=voter.phone, code=typed) is None:
            raise ValidationError("code_wrong")
    return confirm


def test_an_entry_without_a_confirmed_phone_gets_no_code(sqlite_county):
    county = sqlite_county
    load_register(county)
    cid = _cycle(county, RuleInput("county"))
    with county.db.reader() as s, pytest.raises(Conflict) as err:
        census_voter(s, cid, county.codes[0], 1360, [county.w.project])   # nobody claimed it
    assert err.value.code == "census_no_phone"
    _claim(county, county.users[0], 0)
    with county.db.unit_of_work() as s:
        s.get(User, county.users[0]).phone_verified_at = None
        from models.audit.log import record
        record(s, None, "test.unverified", s.get(User, county.users[0]))
    with county.db.reader() as s, pytest.raises(Conflict) as err:
        census_voter(s, cid, county.codes[0], 1360, [county.w.project])   # its account's phone is not confirmed
    assert err.value.code == "census_no_phone"


def test_the_ballot_is_cast_only_with_the_code_sent_to_that_phone(sqlite_county):
    county = sqlite_county
    load_register(county)
    cid = _cycle(county, RuleInput("county"))
    _claim(county, county.users[0], 0)
    with county.db.unit_of_work() as s:
        voter = census_voter(s, cid, county.codes[0], "۱۳۶۰", [county.w.project])
        assert voter.phone == "+989110000000" and voter.user_id == county.users[0]
        issued = codes.issue_code(s, purpose="vote", login=voter.phone, address="10.0.0.1",
                                  account=s.get(User, voter.user_id))
    with county.db.unit_of_work() as s, pytest.raises(ValidationError):
        cast_census_ballot(s, cid, county.codes[0], 1360, [county.w.project], confirm=_confirm_with(s, "123"))
    # a code for another purpose, or to the same phone for signing in, does not vote
    with county.db.unit_of_work() as s, pytest.raises(ValidationError):
        other = "000000" if issued.code != "000000" else "999999"
        cast_census_ballot(s, cid, county.codes[0], 1360, [county.w.project], confirm=_confirm_with(s, other))
    assert _ballots(county, cid) == 0
    with county.db.unit_of_work() as s:
        cast_census_ballot(s, cid, county.codes[0], 1360, [county.w.project], confirm=_confirm_with(s, issued.code))
    assert _ballots(county, cid) == 1
    with county.db.reader() as s, pytest.raises(Conflict) as err:
        census_voter(s, cid, county.codes[0], 1360, [county.w.project])    # no second code once voted
    assert err.value.code == "national_code_already_voted"


def test_a_vote_code_is_only_for_a_named_account(sqlite_county):
    county = sqlite_county
    with county.db.unit_of_work() as s, pytest.raises(ValidationError) as err:
        codes.issue_code(s, purpose="vote", login="+989110000000", address="10.0.0.1")
    assert err.value.code == "code_purpose_invalid"
    with county.db.unit_of_work() as s, pytest.raises(ValidationError) as err:   # another person's address
        codes.issue_code(s, purpose="verify", login="p1@example.org", address="10.0.0.1",
                         account=s.get(User, county.users[0]))
    assert err.value.code == "login_taken"
