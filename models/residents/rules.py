"""Who may vote: the governorate sets it for a PB cycle or a chair election; everyone may read it.

Imports sqlalchemy and models only. No rule (the default) is today's: anyone signed in for PB, the table's
current members for a chair election. A rule may ask for residents of the county (in the register), of one
district (or a place inside it), and a minimum age; a chair election stays members-only whatever its rule.
A rule is set before the first ballot of its cycle or election, so nobody's vote is judged by a rule that
changed under it. Ballots apply it on the server (models.core.residency.admit).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.enums import ElectionStatus, PBPhase
from models.core.errors import Conflict, NotFound, ValidationError
from models.core.permissions import require_governorate
from models.core.residency import RESIDENCY, Rule, rule_for
from models.orm.geo import District
from models.orm.pb import PBBallot, PBCycle, PBCycleImport, PBParticipation
from models.orm.residents import ResidentVoteMarker, VoteEligibility
from models.orm.tables import ChairElection, ChairParticipation

MAX_AGE = 120


@dataclass(frozen=True)
class RuleInput:
    residency: str = "any"
    district_id: int | None = None
    min_age: int | None = None


def _checked(session: Session, data: RuleInput) -> Rule:
    if data.residency not in RESIDENCY:
        raise ValidationError("eligibility_residency_unknown", field="residency")
    district = data.district_id if data.residency == "district" else None
    if data.residency == "district" and (isinstance(district, bool) or not isinstance(district, int)
                                         or session.get(District, district) is None):
        raise ValidationError("eligibility_district_required", field="district")
    age = data.min_age
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 1 <= age <= MAX_AGE):
        raise ValidationError("eligibility_age_invalid", field="min_age", maximum=MAX_AGE)
    if age is not None and data.residency == "any":
        raise ValidationError("eligibility_age_needs_register", field="min_age")
    return Rule(data.residency, district, age)


def _store(session: Session, actor_id: int, row: VoteEligibility | None, rule: Rule, **scope: int) -> VoteEligibility:
    before = snapshot(row, ["residency", "district_id", "min_age"]) if row is not None else None
    if row is None:
        row = VoteEligibility(**scope)
        session.add(row)
    row.residency, row.district_id, row.min_age, row.set_by_id = rule.residency, rule.district_id, rule.min_age, actor_id
    record(session, actor_id, "eligibility.set", row, before=before,
           after={"residency": rule.residency, "district_id": rule.district_id, "min_age": rule.min_age, **scope})
    return row


def set_cycle_rule(session: Session, actor_id: int, cycle_id: object, data: RuleInput) -> VoteEligibility:
    require_governorate(session, actor_id)
    cycle = session.get(PBCycle, cycle_id) if isinstance(cycle_id, int) and not isinstance(cycle_id, bool) else None
    if cycle is None:
        raise NotFound("pb_cycle_not_found")
    if session.scalar(select(PBCycleImport.id).where(PBCycleImport.cycle_id == cycle.id)) is not None:
        raise Conflict("pb_cycle_imported")
    voted = (session.scalar(select(func.count(PBBallot.id)).where(PBBallot.cycle_id == cycle.id)) or 0) + \
        (session.scalar(select(func.count(PBParticipation.id)).where(PBParticipation.cycle_id == cycle.id)) or 0) + \
        (session.scalar(select(func.count(ResidentVoteMarker.id)).where(ResidentVoteMarker.cycle_id == cycle.id)) or 0)
    if cycle.phase not in (PBPhase.PROPOSAL, PBPhase.VOTING) or voted:
        raise Conflict("eligibility_after_first_ballot")
    rule = _checked(session, data)
    row = session.scalar(select(VoteEligibility).where(VoteEligibility.cycle_id == cycle.id))
    return _store(session, actor_id, row, rule, cycle_id=cycle.id)


def set_election_rule(session: Session, actor_id: int, election_id: object, data: RuleInput) -> VoteEligibility:
    require_governorate(session, actor_id)
    election = session.get(ChairElection, election_id) \
        if isinstance(election_id, int) and not isinstance(election_id, bool) else None
    if election is None:
        raise NotFound("election_not_found")
    voted = session.scalar(select(func.count(ChairParticipation.id))
                           .where(ChairParticipation.election_id == election.id)) or 0
    if election.status is not ElectionStatus.OPEN or voted:
        raise Conflict("eligibility_after_first_ballot")
    rule = _checked(session, data)
    row = session.scalar(select(VoteEligibility).where(VoteEligibility.election_id == election.id))
    return _store(session, actor_id, row, rule, election_id=election.id)


def cycle_rule(session: Session, cycle_id: int) -> Rule:
    return rule_for(session, cycle_id=cycle_id)


def election_rule(session: Session, election_id: int) -> Rule:
    return rule_for(session, election_id=election_id)


__all__ = ["RuleInput", "cycle_rule", "election_rule", "set_cycle_rule", "set_election_rule"]
