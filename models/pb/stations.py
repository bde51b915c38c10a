"""Paper ballots and assisted voting at polling stations (issue 17 item 5), as audited domain operations.

Imports sqlalchemy and models only. The governorate assigns polling officers to a cycle, each at a
station (and, in a cycle with district budgets, the station's district). Only an officer assigned
to the cycle may enter its ballots:

* a **paper ballot**: the projects marked on a paper form and the form's ballot number. The number
  is unique in the cycle (a form entered twice is refused, by the check here and by the database's
  unique constraint when two officers race). It has no voter: who dropped it in the box is the
  station's register's business, not the database's.
* an **assisted vote**: a registered citizen who cannot vote alone, at the station; the officer
  enters the citizen's choices as the citizen's own ballot (with a ballot number). Refused if the
  citizen already has a ballot in the cycle; the citizen cannot then replace it online.

Paper ballots are accepted while voting is open and after it closes until the results are published
(forms travel); assisted votes only while voting is open. The same rules as online ballots apply (on
the ballot, at most k or within the budget, per heading). Both are counted with the online ones.
The audit records who entered which ballot number at which station, never what it says.
"""
from __future__ import annotations

import re

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.enums import PBPhase
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.permissions import active_user, require_governorate
from models.core.residency import admit
from models.orm.base import utcnow
from models.orm.geo import District
from models.orm.pb import PBBallot, PBBallotChoice, PBCycle, PBCycleProject, PBParticipation, PBPollingOfficer
from models.orm.people import User
from models.orm.tables import random_ballot_id
from models.pb.cycles import (
    _ballot_of,
    _check_limits,
    _voting_open,
    get_cycle,
    headings_of,
    imported_of,
    write_linked_ballot,
)

MAX_STATION = 120
BALLOT_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9/-]{0,39}$")
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def normalise_ballot_number(value: object) -> str:
    """'  ۱۲-ab ' -> '12-AB': Latin digits, upper case, no spaces; ValidationError when it is not a number."""
    text = value.translate(_DIGITS).strip().upper().replace(" ", "") if isinstance(value, str) else ""
    if not BALLOT_NUMBER.match(text):
        raise ValidationError("pb_ballot_number_invalid", field="ballot_number")
    return text


def assign_officer(session: Session, actor_id: int, cycle_id: object, user_id: object, station: object,
                   district_id: object = None) -> PBPollingOfficer:
    """The governorate makes `user_id` an officer of the cycle at `station` (again: moves them there)."""
    require_governorate(session, actor_id)
    cycle = get_cycle(session, cycle_id)
    if imported_of(session, cycle.id) is not None:
        raise Conflict("pb_cycle_imported")
    if cycle.phase is PBPhase.RESULTS:
        raise Conflict("pb_results_published")
    user = session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    if user is None or not user.is_active:
        raise NotFound("user_not_found")
    name = " ".join(station.split()) if isinstance(station, str) else ""
    if not name or len(name) > MAX_STATION:
        raise ValidationError("pb_station_invalid", field="station", maximum=MAX_STATION)
    if district_id is not None:
        if isinstance(district_id, bool) or not isinstance(district_id, int) or \
                session.get(District, district_id) is None:
            raise ValidationError("pb_heading_district_unknown", field="district", district_id=district_id)
        heads = headings_of(session, cycle.id)
        if heads and district_id not in {h.district_id for h in heads}:
            raise ValidationError("pb_heading_district_unknown", field="district", district_id=district_id)
    officer = session.scalar(select(PBPollingOfficer).where(PBPollingOfficer.cycle_id == cycle.id,
                                                            PBPollingOfficer.user_id == user.id))
    if officer is None:
        officer = PBPollingOfficer(cycle_id=cycle.id, user_id=user.id, station=name, district_id=district_id,
                                   assigned_by_id=actor_id)
        session.add(officer)
        record(session, actor_id, "pb_officer.assigned", officer)
    else:
        officer.station, officer.district_id, officer.assigned_by_id = name, district_id, actor_id
        record(session, actor_id, "pb_officer.moved", officer)
    return officer


def officer_cycles(session: Session, user_id: int) -> list[tuple[PBCycle, PBPollingOfficer]]:
    """The cycles this person may enter ballots for now (voting or counting), with their station."""
    rows = session.execute(select(PBCycle, PBPollingOfficer).join(PBPollingOfficer, PBPollingOfficer.cycle_id == PBCycle.id)
                           .where(PBPollingOfficer.user_id == user_id,
                                  PBCycle.phase.in_((PBPhase.VOTING, PBPhase.TALLYING)))
                           .order_by(PBCycle.id))
    return [(c, o) for c, o in rows]


def enter_ballot(session: Session, officer_id: int, cycle_id: object, ballot_number: object, project_ids: object,
                 assisted_citizen_id: object = None) -> PBBallot | PBParticipation:
    """An officer enters a paper ballot (or, with `assisted_citizen_id`, a citizen's assisted vote)."""
    if active_user(session, officer_id) is None:
        raise PermissionDenied("forbidden")
    cycle = get_cycle(session, cycle_id, lock=True)
    officer = session.scalar(select(PBPollingOfficer).where(PBPollingOfficer.cycle_id == cycle.id,
                                                            PBPollingOfficer.user_id == officer_id))
    if officer is None:
        raise PermissionDenied("pb_not_officer")
    assisted = assisted_citizen_id is not None
    now = utcnow()
    if assisted and not _voting_open(cycle, now):
        raise Conflict("pb_voting_closed", phase=cycle.phase.value)
    if not assisted and (cycle.phase not in (PBPhase.VOTING, PBPhase.TALLYING)
                         or cycle.phase is PBPhase.VOTING and cycle.voting_opens_at and now < cycle.voting_opens_at):
        raise Conflict("pb_voting_closed", phase=cycle.phase.value)
    number = normalise_ballot_number(ballot_number)
    if not isinstance(project_ids, (list, tuple)) or \
            any(isinstance(i, bool) or not isinstance(i, int) for i in project_ids):
        raise ValidationError("pb_ballot_invalid", field="projects")
    chosen = list(project_ids)
    if len(set(chosen)) != len(chosen):
        raise ValidationError("pb_project_repeated", field="projects")
    if not chosen:
        raise ValidationError("pb_ballot_empty", field="projects")
    rows = {r.project_id: r for r in session.scalars(select(PBCycleProject).where(PBCycleProject.cycle_id == cycle.id))}
    for pid in chosen:
        if pid not in rows:
            raise ValidationError("pb_project_not_on_ballot", field="projects", project_id=pid)
    headings = {h.id: h for h in headings_of(session, cycle.id)}
    district = _check_limits(cycle, rows, chosen, headings, officer.district_id if headings else None)
    if session.scalar(select(PBBallot.id).where(PBBallot.cycle_id == cycle.id, PBBallot.ballot_number == number)) or \
            session.scalar(select(PBParticipation.id).where(PBParticipation.cycle_id == cycle.id,
                                                            PBParticipation.ballot_number == number)):
        raise Conflict("pb_ballot_number_used", ballot_number=number)
    if assisted:
        return _assisted(session, officer, cycle, number, assisted_citizen_id, {rows[pid].id for pid in chosen},
                         district)
    ballot_id = random_ballot_id()
    try:
        with session.begin_nested():   # Core rows (a 62-bit random id; the audit names the officer, not the row)
            session.execute(insert(PBBallot).values(id=ballot_id, cycle_id=cycle.id, source="paper",
                                                    ballot_number=number, station=officer.station,
                                                    entered_by_id=officer_id, district_id=district))
            session.execute(insert(PBBallotChoice), [{"ballot_id": ballot_id, "cycle_project_id": rows[pid].id}
                                                     for pid in sorted(chosen)])
    except IntegrityError:
        raise Conflict("pb_ballot_number_used", ballot_number=number) from None
    # A paper ballot has no voter: who entered which numbered form where, never what it says.
    record(session, officer_id, "pb_ballot.paper_entered", officer,
           after={"cycle_id": cycle.id, "ballot_number": number, "station": officer.station})
    return session.get_one(PBBallot, ballot_id)


def _assisted(session: Session, officer: PBPollingOfficer, cycle: PBCycle, number: str, citizen_id: object,
              cycle_project_ids: set[int], district: int | None) -> PBParticipation:
    """The citizen's own (anonymous, linked while voting is open) ballot and their participation, which
    records the station, the officer and the form number."""
    citizen = session.get(User, citizen_id) if isinstance(citizen_id, int) and not isinstance(citizen_id, bool) \
        else None
    if citizen is None or not citizen.is_active:
        raise NotFound("user_not_found")
    if session.scalar(select(PBParticipation.id).where(PBParticipation.cycle_id == cycle.id,
                                                       PBParticipation.user_id == citizen.id)) or \
            _ballot_of(session, cycle.id, citizen.id) is not None:
        raise Conflict("pb_already_voted")
    admit(session, citizen.id, voted_before=False, cycle_id=cycle.id)   # the cycle's rule; once per national code
    participation = PBParticipation(cycle_id=cycle.id, user_id=citizen.id, channel="assisted",
                                    station=officer.station, entered_by_id=officer.user_id, ballot_number=number)
    session.add(participation)
    write_linked_ballot(session, cycle.id, citizen.id, None, district, cycle_project_ids, "assisted")
    record(session, officer.user_id, "pb_ballot.assisted_entered", participation,
           after={"cycle_id": cycle.id, "ballot_number": number, "station": officer.station, "voter_id": citizen.id})
    return participation


def station_count(session: Session, officer_id: int, cycle_id: int) -> int:
    """How many ballots this officer has entered in the cycle (an aggregate, shown at the station)."""
    from sqlalchemy import func

    paper = session.scalar(select(func.count(PBBallot.id)).where(PBBallot.cycle_id == cycle_id,
                                                                 PBBallot.entered_by_id == officer_id)) or 0
    return paper + (session.scalar(select(func.count(PBParticipation.id)).where(
        PBParticipation.cycle_id == cycle_id, PBParticipation.entered_by_id == officer_id)) or 0)


__all__ = ["assign_officer", "enter_ballot", "normalise_ballot_number", "officer_cycles", "station_count"]
