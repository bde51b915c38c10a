"""Chair elections: the governorate opens one, members nominate themselves and cast approval
ballots (changeable until the close), and the close makes the most-approved candidate chair.

Imports sqlalchemy and models only.
Tie rule (documented for members on the election panel; one function, `result_order`): most approvals;
then the earlier nomination; then the smaller user id (the longer-standing account). Counts stay hidden
until the election is closed.

Quorum (issue 20 item 6): the governorate sets, when it opens an election, the share of the table's
current members who must have voted (`ChairElection.quorum_percent`, default one half; `quorum_needed`
rounds up, at least one). The governorate's early close below it is refused (`quorum_not_met`); it may
extend the election instead (`extend_election`: EXTENSION_DAYS after the current closing time, one rule for
every page). The quorum may be changed (`set_quorum`) only until the first ballot is
cast. At the closing time the system closes it anyway, and
below quorum nobody is elected: the chair stays. Turnout is counted from `chair_participations` of
current members (the ballots say nothing of who cast them).

Secret ballots, in the database too (issue 18 item 5): "who voted" and "what was voted" are kept apart.
`ChairParticipation` says that a member voted; `ChairBallot` + `ChairBallotChoice` hold what was voted
with no voter id, a random id and no time. While the ballot may still be changed, the ballot carries a
keyed link, HMAC-SHA256(key, election id, voter id), so the voter finds their own ballot and the count
leaves out members who left; the key is not in the database (the web app derives it from SECRET_KEY:
`configure_ballot_key`). The close erases every link and rewrites the counted ballots in random order
with new ids, so a backup or export taken after the close holds no link at all, and even with the key
a closed election's ballots cannot be tied to anyone. The audit events name the participation, never
the ballot. Ballots cast before migration 0014 in an election that was still open keep a plain
`legacy:<voter id>` link until that election closes.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session, selectinload

from models.audit.log import record, snapshot
from models.core.ballot_links import LEGACY_LINK, BallotLinks
from models.core.capacity import lock_rows
from models.core.enums import ElectionStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import require_governorate
from models.core.residency import admit
from models.orm.base import utcnow
from models.orm.people import User
from models.orm.tables import (
    ChairBallot,
    ChairBallotChoice,
    ChairCandidate,
    ChairElection,
    ChairParticipation,
    Table,
    TableMembership,
    random_ballot_id,
)

CHAIR_TERM = timedelta(days=730)
QUORUM_PERCENT_DEFAULT = 50
QUORUM_PERCENT_RANGE = (1, 100)
EXTENSION_DAYS = 7  # the one extension rule: `extended_closing`


def result_order(approvals: int, nominated_at: datetime, user_id: int) -> tuple[int, datetime, int]:
    """The tie rule, as a sort key (smallest first): most approvals, then the earlier nomination, then the
    smaller user id. Used by the count, the close and the published result alike."""
    return (-approvals, nominated_at, user_id)


def quorum_needed(members: int, quorum_percent: int) -> int:
    """How many of `members` must vote to reach `quorum_percent` (rounded up; at least one)."""
    return max(1, math.ceil(members * quorum_percent / 100))


def quorum_percent_checked(value: object) -> int:
    low, high = QUORUM_PERCENT_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError("quorum_out_of_range", field="quorum", minimum=low, maximum=high)
    return value

# --- the keyed link between a voter and their ballot (only while the election is open) -------------

_LINKS = BallotLinks("chair-ballot")
ballot_key_from_secret = _LINKS.key_from_secret
configure_ballot_key = _LINKS.configure
_ballot_key = _LINKS.key
ballot_link = _LINKS.link
_PROCESS_KEY = _LINKS.process_key


def _links_of(session: Session, election_id: int, voter_ids: list[int]) -> dict[str, int]:
    key = _ballot_key(session)
    links = {ballot_link(key, election_id, v): v for v in voter_ids}
    links.update({f"{LEGACY_LINK}{v}": v for v in voter_ids})
    return links


def _ballot_of(session: Session, election_id: int, voter_id: int) -> int | None:
    """The id of `voter_id`'s ballot while its link exists (None after the close or before a first vote)."""
    links = list(_links_of(session, election_id, [voter_id]))
    return session.scalar(select(ChairBallot.id).where(ChairBallot.election_id == election_id,
                                                       ChairBallot.link.in_(links)).limit(1))


def active_member_ids(session: Session, table_id: int) -> list[int]:
    return list(session.scalars(select(TableMembership.user_id).where(
        TableMembership.table_id == table_id, TableMembership.left_at.is_(None)).order_by(TableMembership.user_id)))


def open_election(session: Session, actor_id: int, table_id: int, closes_at: datetime,
                  now: datetime | None = None, quorum_percent: int = QUORUM_PERCENT_DEFAULT) -> ChairElection:
    require_governorate(session, actor_id)
    now = now or utcnow()
    quorum_percent = quorum_percent_checked(quorum_percent)
    table = session.get(Table, table_id) if isinstance(table_id, int) else None
    if table is None or table.archived_at is not None:
        raise NotFound("table_not_found")
    if not isinstance(closes_at, datetime) or closes_at.tzinfo is None or closes_at <= now:
        raise ValidationError("close_must_be_future", field="closes_at")
    if session.scalar(select(ChairElection.id).where(ChairElection.table_id == table_id,
                                                     ChairElection.status == ElectionStatus.OPEN)):
        raise Conflict("election_already_open")
    election = ChairElection(table_id=table_id, opens_at=now, closes_at=closes_at, created_by_id=actor_id,
                             quorum_percent=quorum_percent)
    session.add(election)
    record(session, actor_id, "election.opened", election, table_id=table_id)
    for uid in active_member_ids(session, table_id):
        notify(session, uid, "election_opened", election_id=election.id, table_id=table_id,
               table_fa=table.name_fa, table_en=table.name_en, closes_at=closes_at.isoformat())
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
                now: datetime | None = None) -> ChairParticipation:
    """A member's approval ballot: any set of candidates; casting again replaces the ballot. Returns the
    member's participation (the ballot itself is anonymous)."""
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
    participation = session.scalar(select(ChairParticipation).where(
        ChairParticipation.election_id == election.id, ChairParticipation.user_id == actor_id))
    # Who may vote (issue 23): the election's rule on the member's register entry; once per national code.
    admit(session, actor_id, voted_before=participation is not None, election_id=election.id, now=now)
    if participation is None:
        participation = ChairParticipation(election_id=election.id, user_id=actor_id)
        session.add(participation)
        action = "election.ballot_cast"
    else:
        action = "election.ballot_changed"
    link = ballot_link(_ballot_key(session), election.id, actor_id)
    ballot_id = _ballot_of(session, election.id, actor_id)
    if ballot_id is None:
        ballot_id = random_ballot_id()
        session.execute(insert(ChairBallot).values(id=ballot_id, election_id=election.id, link=link))
    else:
        session.execute(update(ChairBallot).where(ChairBallot.id == ballot_id).values(link=link))
        session.execute(delete(ChairBallotChoice).where(ChairBallotChoice.ballot_id == ballot_id))
    session.execute(insert(ChairBallotChoice), [{"ballot_id": ballot_id, "candidate_id": c} for c in wanted])
    # The audit says that a member voted (the participation), never for whom nor which ballot is theirs.
    record(session, actor_id, action, participation, after={"election_id": election.id}, table_id=election.table_id)
    return participation


def _counted_ballots(session: Session, election: ChairElection) -> dict[int, set[int]]:
    """Ballot id -> approved candidate ids, for the ballots of current members (found by their links:
    a member who left before the close no longer counts; a ballot whose link matches nobody is not one)."""
    links = _links_of(session, election.id, active_member_ids(session, election.table_id))
    ballots: dict[int, set[int]] = {}
    voters: dict[int, int] = {}
    for ballot_id, link in session.execute(select(ChairBallot.id, ChairBallot.link)
                                           .where(ChairBallot.election_id == election.id)):
        voter = links.get(link or "")
        if voter is not None and voter not in voters:
            voters[voter] = ballot_id
            ballots[ballot_id] = set()
    for ballot_id, cand_id in session.execute(
            select(ChairBallotChoice.ballot_id, ChairBallotChoice.candidate_id).join(ChairBallot)
            .where(ChairBallot.election_id == election.id)):
        if ballot_id in ballots:
            ballots[ballot_id].add(cand_id)
    return ballots


def count_approvals(session: Session, election_id: int) -> list[tuple[ChairCandidate, int]]:
    """Candidates with their approvals, in the order of the result (winner first). Only meaningful while
    the links exist (an open election, or inside `close_election` before they are erased)."""
    election = session.scalars(select(ChairElection).where(ChairElection.id == election_id)
                               .options(selectinload(ChairElection.candidates))).one()
    counts = {c.id: 0 for c in election.candidates}
    for choices in _counted_ballots(session, election).values():
        for cand_id in choices:
            if cand_id in counts:
                counts[cand_id] += 1
    ordered = sorted(election.candidates, key=lambda c: result_order(counts[c.id], c.nominated_at, c.user_id))
    return [(c, counts[c.id]) for c in ordered]


def _unlink_ballots(session: Session, election: ChairElection) -> None:
    """At the close: keep the counted ballots only, with no link, new random ids, written in random order
    (ids and row order in casting order would line them up with the participations and the audit)."""
    counted = list(_counted_ballots(session, election).values())
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))  # the deleted rows' bytes are overwritten
    old = select(ChairBallot.id).where(ChairBallot.election_id == election.id).scalar_subquery()
    session.execute(delete(ChairBallotChoice).where(ChairBallotChoice.ballot_id.in_(old)))
    session.execute(delete(ChairBallot).where(ChairBallot.election_id == election.id))
    random.SystemRandom().shuffle(counted)
    for choices in counted:
        ballot_id = random_ballot_id()
        session.execute(insert(ChairBallot).values(id=ballot_id, election_id=election.id, link=None))
        if choices:
            session.execute(insert(ChairBallotChoice), [{"ballot_id": ballot_id, "candidate_id": c}
                                                        for c in sorted(choices)])


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
    turnout = election_turnout(session, election)
    if actor_id is not None and now < election.closes_at and not turnout.quorum_met:
        raise Conflict("quorum_not_met", voted=turnout.voted, members=turnout.members, needed=turnout.needed)
    results = count_approvals(session, election.id)
    _unlink_ballots(session, election)
    election.status = ElectionStatus.CLOSED
    election.result = {str(c.user_id): n for c, n in results}
    table = session.get(Table, election.table_id)
    assert table is not None  # elections.table_id is a foreign key (RESTRICT)
    before_chair = snapshot(table, ["chair_id"])
    if results and results[0][1] > 0 and turnout.quorum_met:
        election.winner_id = results[0][0].user_id
        table.chair_id = election.winner_id
        table.chair_term_start = now
        table.chair_term_end = now + CHAIR_TERM
        record(session, actor_id, "table.chair_changed", table, before=before_chair,
               after=snapshot(table, ["chair_id", "chair_term_end"]), table_id=table.id)
    record(session, actor_id, "election.closed", election, table_id=election.table_id)
    winner = session.get(User, election.winner_id) if election.winner_id is not None else None
    for uid in active_member_ids(session, election.table_id):
        notify(session, uid, "election_closed", election_id=election.id, table_id=election.table_id,
               winner_id=election.winner_id, winner_name=winner.name if winner is not None else None,
               table_fa=table.name_fa, table_en=table.name_en)
    return election


@dataclass
class Turnout:
    voted: int          # current members who cast a ballot (from chair_participations)
    members: int        # current members of the table
    needed: int         # the quorum, in members
    quorum_percent: int

    @property
    def quorum_met(self) -> bool:
        return self.voted >= self.needed


def election_turnout(session: Session, election: ChairElection) -> Turnout:
    members = active_member_ids(session, election.table_id)
    voted = session.scalar(select(func.count()).select_from(ChairParticipation).where(
        ChairParticipation.election_id == election.id, ChairParticipation.user_id.in_(members))) or 0 \
        if members else 0
    pct = election.quorum_percent or QUORUM_PERCENT_DEFAULT
    return Turnout(int(voted), len(members), quorum_needed(len(members), pct), pct)


@dataclass
class ClosePreview:
    """What the governorate sees before it confirms an early close."""
    election_id: int
    turnout: Turnout
    leader_id: int | None       # who would become chair (None: nobody approved, or below quorum)
    leader_name: str | None
    leader_approvals: int


def close_preview(session: Session, actor_id: int, election_id: object) -> ClosePreview:
    """Turnout and the would-be winner of an open election, for the governorate's confirmation only."""
    require_governorate(session, actor_id)
    election = session.get(ChairElection, election_id) if isinstance(election_id, int) and not isinstance(
        election_id, bool) else None
    if election is None:
        raise NotFound("election_not_found")
    if election.status is not ElectionStatus.OPEN:
        raise Conflict("election_closed")
    turnout = election_turnout(session, election)
    results = count_approvals(session, election.id)
    if results and results[0][1] > 0 and turnout.quorum_met:
        leader = session.get(User, results[0][0].user_id)
        return ClosePreview(election.id, turnout, results[0][0].user_id, leader.name if leader else None,
                            results[0][1])
    return ClosePreview(election.id, turnout, None, None, results[0][1] if results else 0)


def extended_closing(election: ChairElection) -> datetime:
    """The one extension rule (issue 20): EXTENSION_DAYS more days after the current closing time, whichever
    page asks (the table page's dialog, /admin's). Extending again adds as much again; each is audited."""
    closes = election.closes_at if election.closes_at.tzinfo else election.closes_at.replace(tzinfo=UTC)
    return closes + timedelta(days=EXTENSION_DAYS)


def extend_election(session: Session, actor_id: int, election_id: object,
                    now: datetime | None = None) -> ChairElection:
    """The governorate moves an open election's closing time later by the one rule (`extended_closing`),
    the way out of a close refused below the quorum."""
    require_governorate(session, actor_id)
    now = now or utcnow()
    election = _open_election(session, election_id, now)
    before = snapshot(election, ["closes_at"])
    election.closes_at = extended_closing(election)
    record(session, actor_id, "election.extended", election, before=before, after=snapshot(election, ["closes_at"]),
           table_id=election.table_id)
    return election


def set_quorum(session: Session, actor_id: int, election_id: object, quorum_percent: object,
               now: datetime | None = None) -> ChairElection:
    """The governorate changes an open election's quorum, only until the first ballot is cast (issue 20): a
    quorum moved after members started voting could be fitted to the turnout. Audited."""
    require_governorate(session, actor_id)
    now = now or utcnow()
    election = _open_election(session, election_id, now)  # locked: a ballot cast meanwhile waits for this
    pct = quorum_percent_checked(quorum_percent)
    if session.scalar(select(ChairParticipation.id).where(ChairParticipation.election_id == election.id)
                      .limit(1)) is not None:
        raise Conflict("quorum_locked")
    if pct == election.quorum_percent:
        return election
    before = snapshot(election, ["quorum_percent"])
    election.quorum_percent = pct
    record(session, actor_id, "election.quorum_changed", election, before=before,
           after={"quorum_percent": pct}, table_id=election.table_id)
    return election


def quorum_changeable(session: Session, election_id: int) -> bool:
    """Whether the quorum may still change: nobody has voted yet."""
    return session.scalar(select(ChairParticipation.id).where(ChairParticipation.election_id == election_id)
                          .limit(1)) is None


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
    my_choices: list[int]       # candidate ids the viewer approved (their own ballot, while the election is open)
    voted: int                  # how many members have cast a ballot (shown; whom they chose is not)
    winner_id: int | None
    winner_name: str | None
    viewer_is_candidate: bool
    members: int = 0            # current members (the quorum is counted among them)
    quorum_needed: int = 1
    quorum_percent: int = QUORUM_PERCENT_DEFAULT


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
        candidates.sort(key=lambda c: result_order(c.approvals or 0, c.nominated_at, c.user_id))
    else:
        candidates.sort(key=lambda c: (c.nominated_at, c.user_id))
    mine: list[int] = []
    ballot_id = _ballot_of(session, election.id, viewer_id) if viewer_id is not None and not closed else None
    if ballot_id is not None:  # the viewer's own ballot, while it may still be changed
        mine = sorted(session.scalars(select(ChairBallotChoice.candidate_id).where(
            ChairBallotChoice.ballot_id == ballot_id)))
    turnout = election_turnout(session, election)
    voted = turnout.voted if not closed else session.scalar(select(func.count()).select_from(
        ChairParticipation).where(ChairParticipation.election_id == election.id)) or 0
    winner = session.get(User, election.winner_id) if election.winner_id else None
    return ElectionView(election.id, election.status.value, election.opens_at, election.closes_at, candidates, mine,
                        int(voted), election.winner_id, winner.name if winner else None,
                        any(c.user_id == viewer_id for c in candidates), turnout.members, turnout.needed,
                        turnout.quorum_percent)


def has_due_elections(session: Session, table_id: int | None = None, now: datetime | None = None) -> bool:
    """True when an open election's closing time has passed (so a page load should close it)."""
    q = select(ChairElection.id).where(ChairElection.status == ElectionStatus.OPEN,
                                       ChairElection.closes_at <= (now or utcnow()))
    if table_id is not None:
        q = q.where(ChairElection.table_id == table_id)
    return session.scalar(q.limit(1)) is not None
