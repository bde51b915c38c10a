"""Chair elections: the governorate opens one, members nominate themselves and cast approval
ballots (changeable until the close), and the close makes the most-approved candidate chair.

Imports sqlalchemy and models only.
Tie-break (documented for members): most approvals; then the earlier nomination; then the
smaller user id. Counts stay hidden until the election is closed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.audit.log import record, snapshot
from models.core.capacity import lock_rows
from models.core.enums import ElectionStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import require_governorate
from models.orm.base import utcnow
from models.orm.people import User
from models.orm.tables import (
    ChairBallot,
    ChairBallotChoice,
    ChairCandidate,
    ChairElection,
    Table,
    TableMembership,
)

CHAIR_TERM = timedelta(days=730)


def active_member_ids(session: Session, table_id: int) -> list[int]:
    return list(session.scalars(select(TableMembership.user_id).where(
        TableMembership.table_id == table_id, TableMembership.left_at.is_(None)).order_by(TableMembership.user_id)))


def open_election(session: Session, actor_id: int, table_id: int, closes_at: datetime,
                  now: datetime | None = None) -> ChairElection:
    require_governorate(session, actor_id)
    now = now or utcnow()
    table = session.get(Table, table_id) if isinstance(table_id, int) else None
    if table is None or table.archived_at is not None:
        raise NotFound("table_not_found")
    if not isinstance(closes_at, datetime) or closes_at.tzinfo is None or closes_at <= now:
        raise ValidationError("close_must_be_future", field="closes_at")
    if session.scalar(select(ChairElection.id).where(ChairElection.table_id == table_id,
                                                     ChairElection.status == ElectionStatus.OPEN)):
        raise Conflict("election_already_open")
    election = ChairElection(table_id=table_id, opens_at=now, closes_at=closes_at, created_by_id=actor_id)
    session.add(election)
    record(session, actor_id, "election.opened", election, table_id=table_id)
    for uid in active_member_ids(session, table_id):
        notify(session, uid, "election_opened", election_id=election.id, table_id=table_id)
    return election


def _open_election(session: Session, election_id: object, now: datetime) -> ChairElection:
    if isinstance(election_id, bool) or not isinstance(election_id, int):
        raise NotFound("election_not_found")
    lock_rows(session, ChairElection, [election_id])
    election = session.get(ChairElection, election_id)
    if election is None:
        raise NotFound("election_not_found")
    if election.status is not ElectionStatus.OPEN or now >= election.closes_at:
        raise Conflict("election_closed")
    return election


def nominate(session: Session, actor_id: int, election_id: object, now: datetime | None = None) -> ChairCandidate:
    now = now or utcnow()
    election = _open_election(session, election_id, now)
    if actor_id not in active_member_ids(session, election.table_id):
        raise PermissionDenied("members_only")
    if session.scalar(select(ChairCandidate.id).where(ChairCandidate.election_id == election.id,
                                                      ChairCandidate.user_id == actor_id)):
        raise Conflict("already_candidate")
    candidate = ChairCandidate(election_id=election.id, user_id=actor_id, nominated_at=now)
    session.add(candidate)
    record(session, actor_id, "election.nominated", candidate, table_id=election.table_id)
    return candidate


def cast_ballot(session: Session, actor_id: int, election_id: object, candidate_ids: list[int],
                now: datetime | None = None) -> ChairBallot:
    """A member's approval ballot: any set of candidates; casting again replaces the ballot."""
    now = now or utcnow()
    election = _open_election(session, election_id, now)
    if actor_id not in active_member_ids(session, election.table_id):
        raise PermissionDenied("members_only")
    if not isinstance(candidate_ids, (list, tuple)) or any(
            isinstance(c, bool) or not isinstance(c, int) for c in candidate_ids):
        raise ValidationError("candidate_unknown", field="candidates")
    wanted = sorted(set(candidate_ids))
    valid = set(session.scalars(select(ChairCandidate.id).where(ChairCandidate.election_id == election.id)))
    if not wanted:
        raise ValidationError("ballot_empty", field="candidates")
    if not set(wanted) <= valid:
        raise ValidationError("candidate_unknown", field="candidates")
    ballot = session.scalar(select(ChairBallot).where(ChairBallot.election_id == election.id,
                                                      ChairBallot.voter_id == actor_id))
    if ballot is None:
        ballot = ChairBallot(election_id=election.id, voter_id=actor_id, cast_at=now)
        session.add(ballot)
        action = "election.ballot_cast"
    else:
        ballot.cast_at = now
        action = "election.ballot_changed"
    ballot.choices = [ChairBallotChoice(candidate_id=c) for c in wanted]
    # The audit says that a member voted, never for whom: ballots are secret.
    record(session, actor_id, action, ballot, after={"election_id": election.id, "cast_at": now.isoformat()},
           table_id=election.table_id)
    return ballot


def count_approvals(session: Session, election_id: int) -> list[tuple[ChairCandidate, int]]:
    """Candidates with their approvals, in the order of the result (winner first)."""
    election = session.scalars(select(ChairElection).where(ChairElection.id == election_id)
                               .options(selectinload(ChairElection.candidates))).one()
    members = set(active_member_ids(session, election.table_id))
    counts = {c.id: 0 for c in election.candidates}
    for voter_id, cand_id in session.execute(
            select(ChairBallot.voter_id, ChairBallotChoice.candidate_id).join(ChairBallotChoice)
            .where(ChairBallot.election_id == election_id)):
        if voter_id in members:  # a member who left before the close no longer counts
            counts[cand_id] += 1
    ordered = sorted(election.candidates, key=lambda c: (-counts[c.id], c.nominated_at, c.user_id))
    return [(c, counts[c.id]) for c in ordered]


def close_election(session: Session, actor_id: int | None, election_id: object,
                   now: datetime | None = None) -> ChairElection:
    """Close at or after the closing time (the system, or the governorate early); the winner becomes chair."""
    now = now or utcnow()
    if actor_id is not None:
        require_governorate(session, actor_id)
    if isinstance(election_id, bool) or not isinstance(election_id, int):
        raise NotFound("election_not_found")
    lock_rows(session, ChairElection, [election_id])
    election = session.get(ChairElection, election_id)
    if election is None:
        raise NotFound("election_not_found")
    if election.status is ElectionStatus.CLOSED:
        raise Conflict("election_closed")
    if actor_id is None and now < election.closes_at:
        raise Conflict("election_not_due")
    results = count_approvals(session, election.id)
    election.status = ElectionStatus.CLOSED
    election.result = {str(c.user_id): n for c, n in results}
    table = session.get(Table, election.table_id)
    assert table is not None  # elections.table_id is a foreign key (RESTRICT)
    before_chair = snapshot(table, ["chair_id"])
    if results and results[0][1] > 0:
        election.winner_id = results[0][0].user_id
        table.chair_id = election.winner_id
        table.chair_term_start = now
        table.chair_term_end = now + CHAIR_TERM
        record(session, actor_id, "table.chair_changed", table, before=before_chair,
               after=snapshot(table, ["chair_id", "chair_term_end"]), table_id=table.id)
    record(session, actor_id, "election.closed", election, table_id=election.table_id)
    for uid in active_member_ids(session, election.table_id):
        notify(session, uid, "election_closed", election_id=election.id, table_id=election.table_id,
               winner_id=election.winner_id)
    return election


def published_result(session: Session, election_id: int) -> dict[str, int]:
    """The counts, once closed; before that they are secret even to the governorate."""
    election = session.get(ChairElection, election_id)
    if election is None:
        raise NotFound("election_not_found")
    if election.status is not ElectionStatus.CLOSED:
        raise PermissionDenied("results_hidden_until_close")
    return dict(election.result or {})


def close_due_elections(session: Session, now: datetime | None = None) -> list[int]:
    """Close every open election whose time has come (called on page loads and by a scheduler)."""
    now = now or utcnow()
    due = list(session.scalars(select(ChairElection.id).where(ChairElection.status == ElectionStatus.OPEN,
                                                             ChairElection.closes_at <= now)))
    for eid in due:
        close_election(session, None, eid, now)
    return due


# --- what the table page reads -----------------------------------------------------------------


@dataclass
class MemberRow:
    user_id: int
    name: str
    background: str
    affiliation: str
    joined_at: datetime
    is_chair: bool


@dataclass
class TablePeople:
    table_id: int
    name_fa: str
    name_en: str
    description_fa: str
    description_en: str
    chair_id: int | None
    chair_name: str | None
    term_start: datetime | None
    term_end: datetime | None
    members: list[MemberRow]


def table_people(session: Session, table_id: object) -> TablePeople:
    """A table with its chair, the chair's term and its current members (chair first, then by name)."""
    table = session.get(Table, table_id) if isinstance(table_id, int) and not isinstance(table_id, bool) else None
    if table is None or table.archived_at is not None:
        raise NotFound("table_not_found")
    rows = session.execute(select(TableMembership, User).join(User, TableMembership.user_id == User.id)
                           .where(TableMembership.table_id == table.id, TableMembership.left_at.is_(None))).all()
    members = sorted((MemberRow(u.id, u.name, m.background.value, m.affiliation or "", m.joined_at, u.id == table.chair_id)
                      for m, u in rows), key=lambda r: (not r.is_chair, r.name, r.user_id))
    chair = session.get(User, table.chair_id) if table.chair_id else None
    return TablePeople(table.id, table.name_fa, table.name_en, table.description_fa or "", table.description_en or "",
                       table.chair_id, chair.name if chair else None, table.chair_term_start, table.chair_term_end,
                       members)


@dataclass
class CandidateRow:
    candidate_id: int
    user_id: int
    name: str
    nominated_at: datetime
    approvals: int | None      # None while the election is open: counts are secret until the close


@dataclass
class ElectionView:
    election_id: int
    status: str
    opens_at: datetime
    closes_at: datetime
    candidates: list[CandidateRow]
    my_choices: list[int]       # candidate ids the viewer approved (their own ballot only)
    voted: int                  # how many members have cast a ballot (shown; whom they chose is not)
    winner_id: int | None
    winner_name: str | None
    viewer_is_candidate: bool


def election_view(session: Session, table_id: int, viewer_id: int | None, now: datetime | None = None
                  ) -> ElectionView | None:
    """The table's open election, else its latest closed one, as `viewer_id` may see it (or None)."""
    election = session.scalar(select(ChairElection).where(ChairElection.table_id == table_id)
                              .order_by((ChairElection.status == ElectionStatus.OPEN).desc(),
                                        ChairElection.id.desc()).limit(1)
                              .options(selectinload(ChairElection.candidates).selectinload(ChairCandidate.user)))
    if election is None:
        return None
    closed = election.status is ElectionStatus.CLOSED
    counts = {int(k): int(v) for k, v in (election.result or {}).items()} if closed else {}
    candidates = [CandidateRow(c.id, c.user_id, c.user.name, c.nominated_at, counts.get(c.user_id, 0) if closed else None)
                  for c in election.candidates]
    if closed:
        candidates.sort(key=lambda c: (-(c.approvals or 0), c.nominated_at, c.user_id))
    else:
        candidates.sort(key=lambda c: (c.nominated_at, c.user_id))
    mine: list[int] = []
    if viewer_id is not None:
        mine = sorted(session.scalars(select(ChairBallotChoice.candidate_id).join(ChairBallot).where(
            ChairBallot.election_id == election.id, ChairBallot.voter_id == viewer_id)))
    voted = session.scalar(select(func.count()).select_from(ChairBallot).where(
        ChairBallot.election_id == election.id)) or 0
    winner = session.get(User, election.winner_id) if election.winner_id else None
    return ElectionView(election.id, election.status.value, election.opens_at, election.closes_at, candidates, mine,
                        int(voted), election.winner_id, winner.name if winner else None,
                        any(c.user_id == viewer_id for c in candidates))


def has_due_elections(session: Session, table_id: int | None = None, now: datetime | None = None) -> bool:
    """True when an open election's closing time has passed (so a page load should close it)."""
    q = select(ChairElection.id).where(ChairElection.status == ElectionStatus.OPEN,
                                       ChairElection.closes_at <= (now or utcnow()))
    if table_id is not None:
        q = q.where(ChairElection.table_id == table_id)
    return session.scalar(q.limit(1)) is not None
