"""Voting without an account (issue 23 item 4): a resident in the register casts a PB ballot with their
national code and birth year, as Barcelona's census check does.

Imports sqlalchemy and models only. Offered only in cycles whose rule asks for residents (models.residents
.rules): elsewhere nothing would tie the vote to one person. The same once-per-national-code marker as
account ballots (models.core.residency) makes a second vote by that code fail, whether it comes from an
account or from this form. The ballot has no link (nobody can change it afterwards) and no voter; the
audit says that the register entry voted in the cycle, never what for.

The one-time code (issue 23 item 4): `census_voter` makes every check a ballot would meet (the cycle, the
rule, the register entry, the ballot's limits, "has not voted") and returns the entry with the phone to send
the code to: the confirmed phone of the account linked to the entry (an entry nobody claimed, or whose account
has no confirmed phone, is Conflict("census_no_phone"): the person signs up with their phone and claims the
entry, or votes at a polling station). The page issues a "vote" code to that phone (models.accounts.codes:
this area imports no other, so the page joins the two) and `cast_census_ballot`'s `confirm` spends it before
anything is written: the national code and the birth year alone admit nobody.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.errors import Conflict, ValidationError
from models.core.residency import (
    check_rule,
    has_marker,
    is_phone_verified,
    match_register,
    rule_for,
    write_marker,
)
from models.orm.base import utcnow
from models.orm.pb import PBBallot, PBBallotChoice, PBCycleProject
from models.orm.people import User
from models.orm.residents import Resident
from models.orm.tables import random_ballot_id
from models.pb.cycles import _check_limits, _voting_open, get_cycle, headings_of


def census_offered(session: Session, cycle_id: int) -> bool:
    return rule_for(session, cycle_id=cycle_id).needs_register


def _chosen(session: Session, cycle_id: int, project_ids: object) -> tuple[dict[int, PBCycleProject], list[int]]:
    if not isinstance(project_ids, (list, tuple)) or \
            any(isinstance(i, bool) or not isinstance(i, int) for i in project_ids):
        raise ValidationError("pb_ballot_invalid", field="projects")
    chosen = list(project_ids)
    if len(set(chosen)) != len(chosen):
        raise ValidationError("pb_project_repeated", field="projects")
    if not chosen:
        raise ValidationError("pb_ballot_empty", field="projects")
    rows = {r.project_id: r for r in session.scalars(select(PBCycleProject).where(PBCycleProject.cycle_id == cycle_id))}
    for pid in chosen:
        if pid not in rows:
            raise ValidationError("pb_project_not_on_ballot", field="projects", project_id=pid)
    return rows, chosen


@dataclass(frozen=True)
class CensusVoter:
    resident_id: int
    user_id: int
    phone: str


def voter_phone(session: Session, resident: Resident) -> CensusVoter:
    """Where the code goes: the confirmed phone of the account linked to the entry."""
    user = session.get(User, resident.user_id) if resident.user_id is not None else None
    if user is None or not user.is_active or not is_phone_verified(user):
        raise Conflict("census_no_phone")
    return CensusVoter(resident.id, user.id, str(user.phone))


def census_voter(session: Session, cycle_id: object, national_code: object, birth_year: object,
                 project_ids: object, *, now: datetime | None = None) -> CensusVoter:
    """Every check of `cast_census_ballot` but the code, nothing written: who is voting and their phone."""
    now = now or utcnow()
    cycle, resident, _rows, _chosen_ids, _district = _checked(session, cycle_id, national_code, birth_year,
                                                              project_ids, now)
    if has_marker(session, resident.national_digest, cycle_id=cycle.id):
        raise Conflict("national_code_already_voted")
    return voter_phone(session, resident)


def _checked(session: Session, cycle_id: object, national_code: object, birth_year: object, project_ids: object,
             now: datetime):
    cycle = get_cycle(session, cycle_id)
    if not _voting_open(cycle, now):
        raise Conflict("pb_voting_closed", phase=cycle.phase.value)
    rule = rule_for(session, cycle_id=cycle.id)
    if not rule.needs_register:
        raise Conflict("census_vote_not_offered")
    resident = match_register(session, national_code, birth_year)
    check_rule(session, rule, resident, now)
    rows, chosen = _chosen(session, cycle.id, project_ids)
    district = _check_limits(cycle, rows, chosen, {h.id: h for h in headings_of(session, cycle.id)}, None)
    return cycle, resident, rows, chosen, district


def cast_census_ballot(session: Session, cycle_id: object, national_code: object, birth_year: object,
                       project_ids: object, *, confirm: Callable[[CensusVoter], None] | None = None,
                       now: datetime | None = None) -> int:
    """Cast a resident's ballot without an account; returns the register entry's id. `confirm(voter)` must
    raise a DomainError unless the one-time code sent to `voter.phone` was typed (None: no code asked, for the
    domain tests of the register rules only; the page always passes one)."""
    now = now or utcnow()
    cycle, resident, rows, chosen, district = _checked(session, cycle_id, national_code, birth_year, project_ids,
                                                       now)
    if confirm is not None:
        if has_marker(session, resident.national_digest, cycle_id=cycle.id):
            raise Conflict("national_code_already_voted")
        confirm(voter_phone(session, resident))
    write_marker(session, resident.national_digest, cycle_id=cycle.id)
    ballot_id = random_ballot_id()
    session.execute(insert(PBBallot).values(id=ballot_id, cycle_id=cycle.id, source="online", link=None,
                                            district_id=district))
    session.execute(insert(PBBallotChoice), [{"ballot_id": ballot_id, "cycle_project_id": rows[pid].id}
                                             for pid in sorted(chosen)])
    record(session, None, "pb_ballot.census_cast", cycle, after={"cycle_id": cycle.id, "resident_id": resident.id})
    return resident.id


__all__ = ["CensusVoter", "cast_census_ballot", "census_offered", "census_voter", "voter_phone"]
