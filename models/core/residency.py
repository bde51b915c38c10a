"""Residents as voters (issue 23): the keyed digest of a national code, who may vote, and one vote per
national code per cycle or election.

Imports sqlalchemy, jdatetime and models.core/models.orm only, so that PB ballots (models.pb) and chair
ballots (models.tables) can enforce the rules here while the register itself lives in models.residents.

* A national code is never stored: `national_digest` is HMAC-SHA256 under a key derived from SECRET_KEY
  and configured per database (like the ballot links), so a copy of the database cannot be searched for
  a code (there are only about 10^9 of them: an unkeyed hash would be a lookup table away).
* `admit` is called where a ballot is written. It applies the scope's `VoteEligibility` (no row: anyone
  signed in) to the voter's register entry, and for a voter who has one it writes the scope's marker
  for the digest; the database's unique constraint on (scope, digest) makes a second vote by the same
  national code fail, whichever account (or none) casts it.
* Invariant: in a scope still open, every participation by an account that claims a register entry has
  that entry's marker (claiming writes the markers of the account's earlier votes; see
  `mark_earlier_votes`), so an existing participation with its marker present is the same voter
  replacing their ballot, never a second person.
"""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from zoneinfo import ZoneInfo

import jdatetime
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.core.ballot_links import BallotLinks
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.national_code import normalise as normalise_national_code
from models.orm.base import utcnow
from models.orm.geo import District
from models.orm.residents import Resident, ResidentVoteMarker, VoteEligibility

TEHRAN = ZoneInfo("Asia/Tehran")
RESIDENCY = ("any", "county", "district")
_KEYS = BallotLinks("resident-register")   # the same per-database key handling, with a label of its own
register_key_from_secret = _KEYS.key_from_secret
configure_register_key = _KEYS.configure


def national_digest(session: Session, national_code: str) -> str:
    """The stored form of a (normalised) national code: a keyed MAC, useless without SECRET_KEY."""
    return hmac.new(_KEYS.key(session), f"hamyar-resident:{national_code}".encode(), sha256).hexdigest()


def is_phone_verified(user: object) -> bool:
    """Whether a one-time code sent to the account's phone was confirmed (as models.accounts.codes says;
    repeated here because models.core may not import an area)."""
    return getattr(user, "phone_verified_at", None) is not None


def phone_check_available() -> bool:
    """Accounts can confirm a phone (models.accounts.codes), so a claim asks for it."""
    return True


def jalali_year(now: datetime | None = None) -> int:
    return jdatetime.date.fromgregorian(date=(now or utcnow()).astimezone(TEHRAN).date()).year


def age_this_year(birth_year: int, now: datetime | None = None) -> int:
    """The age a person born in Jalali `birth_year` reaches this Jalali year (the register has no day)."""
    return jalali_year(now) - birth_year


def resident_of(session: Session, user_id: int) -> Resident | None:
    """The register entry the account claims, if it is still in the register."""
    return session.scalar(select(Resident).where(Resident.user_id == user_id, Resident.removed_at.is_(None)))


def find_resident(session: Session, national_code: str) -> Resident | None:
    return session.scalar(select(Resident).where(Resident.national_digest == national_digest(session, national_code)))


def national_code_checked(value: object) -> str:
    code = normalise_national_code(value)
    if code is None:
        raise ValidationError("national_code_invalid", field="national_code")
    return code


def birth_year_checked(value: object) -> int:
    text = str(value).translate(_DIGITS).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) \
        else ""
    if not text.isascii() or not text.isdigit() or not 1200 <= int(text) <= 1500:
        raise ValidationError("birth_year_invalid", field="birth_year")
    return int(text)


def match_register(session: Session, code: object, birth_year: object) -> Resident:
    """The entry still in the register with this national code and birth year. A code not in the register and
    a wrong year get the same answer, so nobody learns from it who is in the register."""
    resident = find_resident(session, national_code_checked(code))
    year = birth_year_checked(birth_year)
    if resident is None or resident.removed_at is not None or resident.birth_year != year:
        raise NotFound("resident_not_matched")
    return resident


def user_of_national_code(session: Session, text: object):
    """The active account linked to the register entry of this national code (a resident registered on a paper
    form has no login an officer knows), else None."""
    from models.orm.people import User

    code = normalise_national_code(text)
    resident = find_resident(session, code) if code is not None else None
    if resident is None or resident.user_id is None or resident.removed_at is not None:
        return None
    user = session.get(User, resident.user_id)
    return user if user is not None and user.is_active else None


def within(session: Session, district_id: int, ancestor_id: int) -> bool:
    """Whether the place is `ancestor_id` or lies inside it (a city in a district, a rural district...)."""
    seen: set[int] = set()
    current: int | None = district_id
    while current is not None and current not in seen:
        if current == ancestor_id:
            return True
        seen.add(current)
        current = session.scalar(select(District.parent_id).where(District.id == current))
    return False


# ----------------------------------------------------------------------------------------- the rule

@dataclass(frozen=True)
class Rule:
    residency: str = "any"
    district_id: int | None = None
    min_age: int | None = None

    @property
    def needs_register(self) -> bool:
        return self.residency != "any"


def rule_for(session: Session, *, cycle_id: int | None = None, election_id: int | None = None) -> Rule:
    row = session.scalar(select(VoteEligibility).where(
        VoteEligibility.cycle_id == cycle_id if cycle_id is not None else VoteEligibility.election_id == election_id))
    return Rule(row.residency, row.district_id, row.min_age) if row is not None else Rule()


def refusal(session: Session, rule: Rule, resident: Resident | None, now: datetime | None = None
            ) -> tuple[str, dict] | None:
    """Why this register entry (None: the voter has none) may not vote under `rule`, or None."""
    if not rule.needs_register:
        return None
    if resident is None or resident.removed_at is not None:
        return "vote_residents_only", {}
    if rule.residency == "district" and rule.district_id is not None and \
            not within(session, resident.district_id, rule.district_id):
        return "vote_district_only", {"district_id": rule.district_id}
    if rule.min_age is not None and age_this_year(resident.birth_year, now) < rule.min_age:
        return "vote_too_young", {"minimum": rule.min_age}
    return None


def check_rule(session: Session, rule: Rule, resident: Resident | None, now: datetime | None = None) -> None:
    refused = refusal(session, rule, resident, now)
    if refused is not None:
        raise PermissionDenied(refused[0], **refused[1])


# -------------------------------------------------------------------------------------- the markers

def _scope(cycle_id: int | None, election_id: int | None):
    return ResidentVoteMarker.cycle_id == cycle_id if cycle_id is not None \
        else ResidentVoteMarker.election_id == election_id


def has_marker(session: Session, digest: str, *, cycle_id: int | None = None, election_id: int | None = None) -> bool:
    return session.scalar(select(ResidentVoteMarker.id).where(
        _scope(cycle_id, election_id), ResidentVoteMarker.national_digest == digest)) is not None


def write_marker(session: Session, digest: str, *, cycle_id: int | None = None, election_id: int | None = None) -> None:
    """This national code votes now in the scope; Conflict when it already did (the check, and the unique
    constraint when two requests race)."""
    if has_marker(session, digest, cycle_id=cycle_id, election_id=election_id):
        raise Conflict("national_code_already_voted")
    try:
        with session.begin_nested():
            session.execute(insert(ResidentVoteMarker).values(cycle_id=cycle_id, election_id=election_id,
                                                              national_digest=digest))
    except IntegrityError:
        raise Conflict("national_code_already_voted") from None


def admit(session: Session, user_id: int, *, voted_before: bool, cycle_id: int | None = None,
          election_id: int | None = None, now: datetime | None = None) -> Resident | None:
    """The account may vote in the scope: the rule holds for its register entry, and its national code has
    not voted there through another account or without one. `voted_before`: the account already has a
    participation in the scope (replacing its ballot)."""
    resident = resident_of(session, user_id)
    check_rule(session, rule_for(session, cycle_id=cycle_id, election_id=election_id), resident, now)
    if resident is not None and not (voted_before and has_marker(
            session, resident.national_digest, cycle_id=cycle_id, election_id=election_id)):
        write_marker(session, resident.national_digest, cycle_id=cycle_id, election_id=election_id)
    return resident


def mark_earlier_votes(session: Session, digest: str, cycle_ids: list[int], election_ids: list[int]) -> None:
    """A claim: the account's votes in scopes still open now count for its national code too."""
    for cid in cycle_ids:
        write_marker(session, digest, cycle_id=cid)
    for eid in election_ids:
        write_marker(session, digest, election_id=eid)


# --------------------------------------------------------------------------------- paper form numbers

FORM_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9/-]{0,39}$")
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def normalise_form_number(value: object) -> str:
    """'  ۱۲-ab ' -> '12-AB' (as PB ballot numbers); ValidationError when it is not a form number."""
    text = value.translate(_DIGITS).strip().upper().replace(" ", "") if isinstance(value, str) else ""
    if not FORM_NUMBER.match(text):
        raise ValidationError("assisted_form_number_invalid", field="form_number")
    return text


__all__ = ["RESIDENCY", "Rule", "admit", "age_this_year", "birth_year_checked", "check_rule", "configure_register_key", "find_resident",
           "has_marker", "is_phone_verified", "jalali_year", "mark_earlier_votes", "match_register", "national_code_checked", "national_digest",
           "normalise_form_number", "phone_check_available", "refusal", "register_key_from_secret",
           "resident_of", "rule_for", "user_of_national_code", "within", "write_marker"]
