"""Participatory-budgeting cycles as domain operations: create, move phases, vote, tally, publish, import, export.

Imports sqlalchemy and models only (never web code, never pabutools). Every function takes a
session, validates its input, raises a DomainError with a catalogue code for what a user can get
wrong (nothing is then changed: the caller's unit of work rolls back), and audits every change.

* A cycle is run by the governorate: a budget in rials, eligible projects, a ballot rule
  (approval of at most k projects, or knapsack: any set whose costs fit in the budget) and a
  counting rule from models.pb.rules (mes-add1-greedy by default). Phases go
  proposal -> voting -> tallying -> results, one step at a time; `publish_results` is the only
  way into `results`.
* A project's cost in a cycle is its financial need still uncovered: the rials its financial
  needs ask for, minus what accepted or delivered allocations already give them (pledged money
  that a chair has accepted nets off what the budget must pay). Proposals do not count: they are
  not commitments. A project with nothing uncovered is not eligible. The cost is frozen when the
  cycle is created, so the ballot does not change under the voters.
* Ballots are secret: one per citizen per cycle, replaceable during voting; the audit log records
  that a ballot was cast or replaced, never what it says; only aggregates are returned to anyone
  but the voter.
* Publishing funds the winners: the money comes from one pledge of the "governorate budget" system
  user (created on first use; it cannot log in: its password hash is not a hash) for the cycle's
  funded total, with one accepted allocation per funded financial need, each marked reason
  "pb_cycle". Proposed allocations on those needs are withdrawn first (the budget now covers
  them, and the citizens' money becomes free for other needs). Each cycle project's
  Project.pb_support becomes the share of ballots approving it (0..1), the meaning
  models.runs.lifecycle.project_weight gives it: weight = priority x (1 + pb_support).
* An imported cycle holds a real pabulib election (to try the rules on it): a PBCycle in phase
  `tallying` with no PBCycleProject rows, and a PBCycleImport row holding the external projects by
  their pabulib id, their costs and the aggregated ballots. It creates no Project; it can be
  tallied with any rule, compared and exported, but not opened for voting nor published.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session, selectinload

from models.audit.log import record, record_many, snapshot
from models.core.ballot_links import LEGACY_LINK, BallotLinks
from models.core.capacity import assert_within_capacity, lock_rows, refresh_pledge_statuses
from models.core.enums import (
    FIXED_ALLOCATION,
    AllocationStatus,
    DistrictLevel,
    HelpKind,
    PBBallotRule,
    PBCountingRule,
    PBPhase,
    PledgeStatus,
    ProjectStatus,
)
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify_withdrawn
from models.core.permissions import require_governorate
from models.core.residency import admit
from models.orm.base import utcnow
from models.orm.geo import District
from models.orm.pb import (
    PBBallot,
    PBBallotChoice,
    PBCycle,
    PBCycleHeading,
    PBCycleImport,
    PBCycleProject,
    PBParticipation,
)
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table, random_ballot_id
from models.pb.explain import explain
from models.pb.pabulib import PabulibError, PBFile, PBProject, PBVote, parse_bytes, write
from models.pb.rules import Election, count

MAX_BUDGET = 10**15
MAX_NAME = 200
MAX_IMPORT_BYTES = 20 * 1024 * 1024
PHASE_ORDER = (PBPhase.PROPOSAL, PBPhase.VOTING, PBPhase.TALLYING, PBPhase.RESULTS)
ELIGIBLE_STATUSES = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)
BUDGET_USER_EMAIL = "governorate-budget@hamyar.invalid"


# ------------------------------------------------------------------------------------------ helpers

def get_cycle(session: Session, cycle_id: object, *, lock: bool = False) -> PBCycle:
    if isinstance(cycle_id, bool) or not isinstance(cycle_id, int):
        raise NotFound("pb_cycle_not_found")
    if lock:
        lock_rows(session, PBCycle, [cycle_id])
    cycle = session.get(PBCycle, cycle_id, populate_existing=lock)
    if cycle is None:
        raise NotFound("pb_cycle_not_found")
    return cycle


def imported_of(session: Session, cycle_id: int) -> PBCycleImport | None:
    return session.scalar(select(PBCycleImport).where(PBCycleImport.cycle_id == cycle_id))


# --- the keyed link between a voter and their ballot, only while voting is open (issue 18 item 5) ---------

_LINKS = BallotLinks("pb-ballot")
ballot_key_from_secret = _LINKS.key_from_secret
configure_ballot_key = _LINKS.configure
_ballot_key = _LINKS.key
ballot_link = _LINKS.link


def _ballot_of(session: Session, cycle_id: int, voter_id: int) -> int | None:
    """The id of the voter's ballot while its link exists (None once voting closed, or before a first vote)."""
    links = [ballot_link(_ballot_key(session), cycle_id, voter_id), f"{LEGACY_LINK}{voter_id}"]
    return session.scalar(select(PBBallot.id).where(PBBallot.cycle_id == cycle_id, PBBallot.link.in_(links))
                          .limit(1))


def headings_of(session: Session, cycle_id: int) -> list[PBCycleHeading]:
    """The cycle's headings, county-wide first then by district id (empty: one budget, no headings)."""
    rows = list(session.scalars(select(PBCycleHeading).where(PBCycleHeading.cycle_id == cycle_id)))
    return sorted(rows, key=lambda h: (h.district_id is not None, h.district_id or 0))


def _heading_for(project: Project, headings: Mapping[int | None, Any], parents: dict[int, int | None]) -> Any:
    """A project's heading: its district's, else its nearest ancestor's that has one, else the county-wide one."""
    district = project.district_id
    seen = set()
    while district is not None and district not in seen:
        if district in headings:
            return headings[district]
        seen.add(district)
        district = parents.get(district)
    return headings.get(None)


def uncovered_financial_need(session: Session, project_ids: list[int]) -> dict[int, int]:
    """project id -> rials its financial needs ask for minus accepted/delivered allocations to them."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    asked = dict.fromkeys(ids, 0)
    for pid, qty in session.execute(select(Need.project_id, func.sum(Need.quantity))
                                    .where(Need.project_id.in_(ids), Need.kind == HelpKind.FINANCIAL, Need.removed_at.is_(None))
                                    .group_by(Need.project_id)):
        asked[pid] = int(qty)
    for pid, qty in session.execute(select(Need.project_id, func.sum(Allocation.quantity))
                                    .join(Allocation, Allocation.need_id == Need.id)
                                    .where(Need.project_id.in_(ids), Need.kind == HelpKind.FINANCIAL,
                                           Allocation.status.in_(FIXED_ALLOCATION))
                                    .group_by(Need.project_id)):
        asked[pid] -= int(qty)
    return {pid: max(0, v) for pid, v in asked.items()}


def _name(value: object, field: str) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text:
        raise ValidationError("name_required", field=field)
    if len(text) > MAX_NAME:
        raise ValidationError("name_too_long", field=field, maximum=MAX_NAME)
    return text


def _rule(value: object) -> PBCountingRule:
    try:
        return PBCountingRule(value if isinstance(value, str) else "")
    except ValueError:
        raise ValidationError("pb_counting_rule_unknown", field="counting_rule") from None


# ------------------------------------------------------------------------------------------- create

@dataclass(frozen=True)
class CycleInput:
    name_fa: str
    name_en: str
    budget_rials: int
    project_ids: tuple[int, ...]
    ballot_rule: str = PBBallotRule.APPROVAL.value
    max_approvals: int | None = None
    counting_rule: str = PBCountingRule.MES_ADD1_GREEDY.value
    voting_opens_at: datetime | None = None
    voting_closes_at: datetime | None = None
    # District budgets (issue 17 item 4): ((district id or None for county-wide, rials), ...), adding up
    # to budget_rials; empty = one budget. Each project goes on its district's heading (or its nearest
    # ancestor's), else on the county-wide one.
    headings: tuple[tuple[int | None, int], ...] = ()


def _check_headings(session: Session, data: CycleInput, budget: int) -> list[tuple[int | None, int]]:
    headings = list(data.headings or ())
    if not headings:
        return []
    seen: set[int | None] = set()
    for entry in headings:
        if not isinstance(entry, (tuple, list)) or len(entry) != 2:
            raise ValidationError("pb_heading_invalid", field="headings")
        district, amount = entry
        if district is not None and (isinstance(district, bool) or not isinstance(district, int)):
            raise ValidationError("pb_heading_invalid", field="headings")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValidationError("pb_heading_budget_invalid", field="headings")
        if district in seen:
            raise ValidationError("pb_heading_repeated", field="headings")
        seen.add(district)
    if sum(a for _, a in headings) != budget:
        raise ValidationError("pb_headings_sum", field="headings", budget=budget,
                              total=sum(a for _, a in headings))
    wanted = [d for d, _ in headings if d is not None]
    found = {d.id: d for d in session.scalars(select(District).where(District.id.in_(wanted)))}
    for d in wanted:
        if d not in found or found[d].level is DistrictLevel.COUNTY:
            raise ValidationError("pb_heading_district_unknown", field="headings", district_id=d)
    return headings


def create_cycle(session: Session, actor_id: int, data: CycleInput) -> PBCycle:
    """A new cycle in the proposal phase with its eligible projects at their uncovered cost."""
    require_governorate(session, actor_id)
    name_fa, name_en = _name(data.name_fa, "name_fa"), _name(data.name_en, "name_en")
    budget = data.budget_rials
    if isinstance(budget, bool) or not isinstance(budget, int):
        raise ValidationError("budget_not_integer", field="budget")
    if budget <= 0:
        raise ValidationError("budget_not_positive", field="budget")
    if budget > MAX_BUDGET:
        raise ValidationError("budget_too_large", field="budget", maximum=MAX_BUDGET)
    try:
        ballot_rule = PBBallotRule(data.ballot_rule)
    except ValueError:
        raise ValidationError("pb_ballot_rule_unknown", field="ballot_rule") from None
    counting_rule = _rule(data.counting_rule)
    ids = data.project_ids
    if not isinstance(ids, (list, tuple)) or not ids or any(isinstance(i, bool) or not isinstance(i, int)
                                                             for i in ids):
        raise ValidationError("pb_projects_required", field="projects")
    if len(set(ids)) != len(ids):
        raise ValidationError("pb_project_repeated", field="projects")
    max_k = data.max_approvals
    if ballot_rule is PBBallotRule.APPROVAL:
        if isinstance(max_k, bool) or not isinstance(max_k, int) or not 1 <= max_k <= len(ids):
            raise ValidationError("pb_max_approvals_invalid", field="max_approvals", maximum=len(ids))
    elif max_k is not None:
        raise ValidationError("pb_max_approvals_for_knapsack", field="max_approvals")
    opens, closes = data.voting_opens_at, data.voting_closes_at
    for value, field in ((opens, "voting_opens_at"), (closes, "voting_closes_at")):
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise ValidationError("date_invalid", field=field)
    if opens and closes and closes <= opens:
        raise ValidationError("pb_voting_window_inverted", field="voting_closes_at")
    projects = {p.id: p for p in session.scalars(select(Project).where(Project.id.in_(ids)))}
    for pid in ids:
        if pid not in projects or projects[pid].status not in ELIGIBLE_STATUSES:
            raise ValidationError("pb_project_not_eligible", field="projects", project_id=pid)
    uncovered = uncovered_financial_need(session, list(ids))
    for pid in ids:
        if uncovered[pid] <= 0:
            raise ValidationError("pb_project_fully_covered", field="projects", project_id=pid)
    heading_input = _check_headings(session, data, budget)
    parents = dict(session.execute(select(District.id, District.parent_id)).all()) if heading_input else {}
    for pid in ids if heading_input else ():
        by_district = {d: d for d, _ in heading_input}
        if _heading_for(projects[pid], by_district, parents) is None and None not in by_district:
            raise ValidationError("pb_project_no_heading", field="headings", project_id=pid)
    cycle = PBCycle(name_fa=name_fa, name_en=name_en, budget_rials=budget, phase=PBPhase.PROPOSAL,
                    ballot_rule=ballot_rule, max_approvals=max_k if ballot_rule is PBBallotRule.APPROVAL else None,
                    counting_rule=counting_rule, voting_opens_at=opens, voting_closes_at=closes,
                    created_by_id=actor_id)
    session.add(cycle)
    record(session, actor_id, "pb_cycle.created", cycle)
    heading_rows = [PBCycleHeading(cycle_id=cycle.id, district_id=d, budget_rials=a) for d, a in heading_input]
    if heading_rows:
        session.add_all(heading_rows)
        session.flush()
        record_many(session, actor_id, "pb_cycle_heading.added", heading_rows)
    heading_of_district = {h.district_id: h for h in heading_rows}
    rows = [PBCycleProject(cycle_id=cycle.id, project_id=pid, cost_rials=uncovered[pid],
                           heading_id=_heading_for(projects[pid], heading_of_district, parents).id
                           if heading_rows else None)
            for pid in ids]
    session.add_all(rows)
    record_many(session, actor_id, "pb_cycle_project.added", rows)
    return cycle


# ------------------------------------------------------------------------------------------- phases

def advance_phase(session: Session, actor_id: int, cycle_id: object, to_phase: str) -> PBCycle:
    """proposal -> voting -> tallying (results only through publish_results)."""
    require_governorate(session, actor_id)
    cycle = get_cycle(session, cycle_id, lock=True)
    try:
        target = PBPhase(to_phase)
    except ValueError:
        raise ValidationError("pb_phase_unknown", field="phase") from None
    current = PHASE_ORDER.index(cycle.phase)
    if target is PBPhase.RESULTS:
        raise ValidationError("pb_publish_to_finish", field="phase")
    if PHASE_ORDER.index(target) != current + 1:
        raise Conflict("pb_phase_not_next", phase=cycle.phase.value, requested=target.value)
    if imported_of(session, cycle.id) is not None:
        raise Conflict("pb_cycle_imported")
    before = snapshot(cycle, ["phase"])
    cycle.phase = target
    if target is PBPhase.TALLYING:
        unlink_ballots(session, cycle.id)      # voting closed: no ballot can be tied to its voter any more
    record(session, actor_id, "pb_cycle.phase_changed", cycle, before=before, after={"phase": target.value})
    return cycle


# ------------------------------------------------------------------------------------------- ballots

def _voting_open(cycle: PBCycle, now: datetime) -> bool:
    if cycle.phase is not PBPhase.VOTING:
        return False
    if cycle.voting_opens_at and now < cycle.voting_opens_at:
        return False
    return not (cycle.voting_closes_at and now >= cycle.voting_closes_at)


def _check_limits(cycle: PBCycle, rows: dict[int, PBCycleProject], chosen: list[int],
                  headings: dict[int, PBCycleHeading], district_id: object) -> int | None:
    """The ballot's limits (k, or the budget) within each heading; returns the district it counts in."""
    groups: dict[int | None, list[int]] = {}
    for pid in chosen:
        groups.setdefault(rows[pid].heading_id, []).append(pid)
    districts = {headings[h].district_id for h in groups if h is not None and headings[h].district_id is not None}
    if district_id is not None:
        if isinstance(district_id, bool) or not isinstance(district_id, int) or \
                district_id not in {h.district_id for h in headings.values()}:
            raise ValidationError("pb_heading_district_unknown", field="district", district_id=district_id)
        districts.add(district_id)
    if len(districts) > 1:
        raise ValidationError("pb_two_districts", field="projects")
    for heading_id, pids in groups.items():
        if cycle.ballot_rule is PBBallotRule.APPROVAL:
            if cycle.max_approvals is not None and len(pids) > cycle.max_approvals:
                raise ValidationError("pb_too_many_projects", field="projects", maximum=cycle.max_approvals,
                                      chosen=len(pids))
        else:
            budget = headings[heading_id].budget_rials if heading_id is not None else cycle.budget_rials
            total = sum(rows[pid].cost_rials for pid in pids)
            if total > budget:
                raise ValidationError("pb_over_budget", field="projects", budget=budget, total=total)
    return next(iter(districts)) if districts else None


def cast_ballot(session: Session, citizen_id: int, cycle_id: object, project_ids: object,
                now: datetime | None = None, district_id: object = None) -> PBParticipation | None:
    """Cast or replace the citizen's ballot: the projects (Project ids) they approve.

    Approval cycles take 1..k projects; knapsack cycles any non-empty set whose costs fit in the
    budget. Casting the same set again changes nothing (a replayed request is harmless).
    """
    citizen = session.get(User, citizen_id) if isinstance(citizen_id, int) else None
    if citizen is None or not citizen.is_active:
        raise PermissionDenied("account_inactive")
    cycle = get_cycle(session, cycle_id)
    if not _voting_open(cycle, now or utcnow()):
        raise Conflict("pb_voting_closed", phase=cycle.phase.value)
    if not isinstance(project_ids, (list, tuple, set, frozenset)) or \
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
    district = _check_limits(cycle, rows, chosen, headings, district_id)
    wanted = {rows[pid].id for pid in chosen}
    participation = session.scalar(select(PBParticipation).where(PBParticipation.cycle_id == cycle.id,
                                                                 PBParticipation.user_id == citizen_id))
    if participation is not None and participation.channel != "online":
        raise Conflict("pb_ballot_entered_at_station")
    # Who may vote (issue 23): the cycle's rule on the voter's register entry; one vote per national code.
    admit(session, citizen_id, voted_before=participation is not None, cycle_id=cycle.id, now=now)
    ballot_id = _ballot_of(session, cycle.id, citizen_id)
    if ballot_id is not None:
        same = set(session.scalars(select(PBBallotChoice.cycle_project_id).where(PBBallotChoice.ballot_id == ballot_id)))
        if same == wanted and session.scalar(select(PBBallot.district_id).where(PBBallot.id == ballot_id)) == district:
            return participation
    if participation is None:
        participation = PBParticipation(cycle_id=cycle.id, user_id=citizen_id, channel="online")
        session.add(participation)
    action = "pb_ballot.replaced" if ballot_id is not None else "pb_ballot.cast"
    write_linked_ballot(session, cycle.id, citizen_id, ballot_id, district, wanted, "online")
    # Secret: the audit says that this citizen voted in this cycle (the participation), never for what
    # nor which ballot is theirs.
    record(session, citizen_id, action, participation, after={"cycle_id": cycle.id, "voter_id": citizen_id})
    return participation


def write_linked_ballot(session: Session, cycle_id: int, voter_id: int, ballot_id: int | None,
                        district: int | None, cycle_project_ids: set[int], source: str) -> None:
    """Insert (or overwrite) a voter's anonymous ballot with its keyed link, by Core statements."""
    link = ballot_link(_ballot_key(session), cycle_id, voter_id)
    if ballot_id is None:
        ballot_id = random_ballot_id()
        session.execute(insert(PBBallot).values(id=ballot_id, cycle_id=cycle_id, source=source, link=link,
                                                district_id=district))
    else:
        session.execute(update(PBBallot).where(PBBallot.id == ballot_id).values(link=link, district_id=district))
        session.execute(delete(PBBallotChoice).where(PBBallotChoice.ballot_id == ballot_id))
    session.execute(insert(PBBallotChoice), [{"ballot_id": ballot_id, "cycle_project_id": cp}
                                             for cp in sorted(cycle_project_ids)])


def my_ballot(session: Session, citizen_id: int, cycle_id: int) -> list[int]:
    """The Project ids on the citizen's own ballot while it may change (empty if none, or once voting closed)."""
    ballot_id = _ballot_of(session, cycle_id, citizen_id)
    if ballot_id is None:
        return []
    return list(session.scalars(
        select(PBCycleProject.project_id).join(PBBallotChoice, PBBallotChoice.cycle_project_id == PBCycleProject.id)
        .where(PBBallotChoice.ballot_id == ballot_id).order_by(PBCycleProject.project_id)))


def unlink_ballots(session: Session, cycle_id: int) -> None:
    """When voting closes: every ballot of the cycle loses its link and is written again, in random order
    with a new random id (ids and row order in casting order would line them up with the participations)."""
    rows = [dict(r._mapping) for r in session.execute(
        select(PBBallot.id, PBBallot.source, PBBallot.ballot_number, PBBallot.station, PBBallot.entered_by_id,
               PBBallot.district_id).where(PBBallot.cycle_id == cycle_id))]
    choices: dict[int, list[int]] = {}
    for ballot_id, cp in session.execute(select(PBBallotChoice.ballot_id, PBBallotChoice.cycle_project_id)
                                         .join(PBBallot, PBBallot.id == PBBallotChoice.ballot_id)
                                         .where(PBBallot.cycle_id == cycle_id)):
        choices.setdefault(ballot_id, []).append(cp)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))  # the deleted rows' bytes are overwritten
    old = select(PBBallot.id).where(PBBallot.cycle_id == cycle_id).scalar_subquery()
    session.execute(delete(PBBallotChoice).where(PBBallotChoice.ballot_id.in_(old)))
    session.execute(delete(PBBallot).where(PBBallot.cycle_id == cycle_id))
    random.SystemRandom().shuffle(rows)
    for row in rows:
        new_id = random_ballot_id()
        mine = choices.get(row.pop("id"), [])
        session.execute(insert(PBBallot).values(id=new_id, cycle_id=cycle_id, link=None, **row))
        if mine:
            session.execute(insert(PBBallotChoice), [{"ballot_id": new_id, "cycle_project_id": cp}
                                                     for cp in sorted(mine)])


def open_cycles(session: Session, now: datetime | None = None) -> list[PBCycle]:
    now = now or utcnow()
    cycles = session.scalars(select(PBCycle).where(PBCycle.phase == PBPhase.VOTING).order_by(PBCycle.id))
    return [c for c in cycles if _voting_open(c, now)]


# ------------------------------------------------------------------------------------------- tally

@dataclass(frozen=True)
class TallyResult:
    rule: str
    budget: int
    n_ballots: int
    # key -> (cost, approvals); keys are Project ids (str) or pabulib ids of an imported cycle.
    projects: dict[str, tuple[int | Fraction, int]]
    winners: tuple[str, ...]
    total_cost: int | Fraction
    # key -> models.pb.explain.ProjectExplanation.as_dict(): why it is funded or not
    explanations: dict[str, dict] = dc_field(default_factory=dict)
    stopped_early: bool = False
    headings: tuple = ()      # HeadingResult per heading, county-wide first (empty: no headings)

    @property
    def budget_left(self) -> int | Fraction:
        return self.budget - self.total_cost


@dataclass(frozen=True)
class HeadingResult:
    """One heading's count: its budget, its ballots, its winners (keys as in TallyResult.projects)."""

    heading_id: int | None
    district_id: int | None
    budget: int
    n_ballots: int
    winners: tuple[str, ...]
    total_cost: int | Fraction
    stopped_early: bool = False


def _ballots(session: Session, cycle: PBCycle, keys: dict[int, str]) -> list[tuple[int | None, frozenset]]:
    """(district, chosen keys) of every ballot of the cycle (empty ballots included); keys: cycle project id -> key."""
    choices: dict[int, set[str]] = {}
    for ballot_id, cp_id in session.execute(
            select(PBBallotChoice.ballot_id, PBBallotChoice.cycle_project_id)
            .join(PBBallot, PBBallot.id == PBBallotChoice.ballot_id).where(PBBallot.cycle_id == cycle.id)):
        choices.setdefault(ballot_id, set()).add(keys[cp_id])
    return [(district, frozenset(choices.get(bid, ())))
            for bid, district in session.execute(select(PBBallot.id, PBBallot.district_id)
                                                 .where(PBBallot.cycle_id == cycle.id))]


def _election(session: Session, cycle: PBCycle, heading: PBCycleHeading | None = None,
              ballots: list[tuple[int | None, frozenset]] | None = None) -> tuple[Election, dict[str, tuple]]:
    """The cycle's election, or one heading's: its projects, its budget, and the ballots counting in it
    (every ballot for the county-wide heading, those of its district for a district's), each reduced
    to the heading's projects."""
    imported = imported_of(session, cycle.id)
    if imported is not None:
        costs = {p["id"]: Fraction(p["cost"]) for p in imported.projects}
        counted: Counter = Counter()
        for n, ids in imported.ballots:
            counted[frozenset(ids)] += int(n)
        e = Election(cycle.budget_rials, costs, dict(counted))
    else:
        rows = list(session.scalars(select(PBCycleProject).where(PBCycleProject.cycle_id == cycle.id)))
        keys = {r.id: str(r.project_id) for r in rows}
        if ballots is None:
            ballots = _ballots(session, cycle, keys)
        if heading is not None:
            rows = [r for r in rows if r.heading_id == heading.id]
        mine = {str(r.project_id) for r in rows}
        counted = Counter(chosen & mine for district, chosen in ballots
                          if heading is None or heading.district_id is None or district == heading.district_id)
        budget = heading.budget_rials if heading is not None else cycle.budget_rials
        e = Election(budget, {str(r.project_id): r.cost_rials for r in rows}, dict(counted))
    info = {pid: (e.costs[i] if e.costs[i].denominator != 1 else int(e.costs[i]), e.approvals[i])
            for i, pid in enumerate(e.ids)}
    return e, info


def tally(session: Session, actor_id: int, cycle_id: object, rule: str | None = None) -> TallyResult:
    """Count the cycle's ballots with `rule` (default: the cycle's); governorate, once voting is over.

    A cycle with headings is counted heading by heading (`TallyResult.headings`); the winners are
    then the headings' winners one heading after the other, county-wide first."""
    require_governorate(session, actor_id)
    cycle = get_cycle(session, cycle_id)
    if cycle.phase not in (PBPhase.TALLYING, PBPhase.RESULTS):
        raise Conflict("pb_not_tallying", phase=cycle.phase.value)
    chosen_rule = _rule(rule if rule is not None else cycle.counting_rule.value)
    return count_cycle(session, cycle, chosen_rule.value)


def count_cycle(session: Session, cycle: PBCycle, rule: str, progress=None) -> TallyResult:
    """The count itself (no permission check: `tally` and the background job check who asks).

    progress(fraction 0..1) is called as the count goes: per heading, and within a heading per run
    of MES (add1 rules: runs over the work bound, an upper bound of the work left)."""
    headings = headings_of(session, cycle.id) if imported_of(session, cycle.id) is None else []
    parts: list[tuple[PBCycleHeading | None, Election, dict]] = []
    if headings:
        rows = list(session.scalars(select(PBCycleProject).where(PBCycleProject.cycle_id == cycle.id)))
        ballots = _ballots(session, cycle, {r.id: str(r.project_id) for r in rows})
        parts = [(h, *_election(session, cycle, h, ballots)) for h in headings]
    else:
        parts = [(None, *_election(session, cycle))]
    info: dict[str, tuple] = {}
    why: dict[str, dict] = {}
    winners: list[str] = []
    total: int | Fraction = 0
    results = []
    stopped = False
    for done, (heading, e, part_info) in enumerate(parts, start=1):
        def within(runs: int, most: int, done: int = done) -> None:
            progress((done - 1 + min(runs / max(most, 1), 1.0)) / len(parts))
        outcome = count(rule, e, within if progress is not None else None)
        info.update(part_info)
        why.update({pid: x.as_dict() for pid, x in explain(rule, e, outcome).items()})
        winners += outcome.winners
        total += outcome.total_cost
        stopped = stopped or outcome.stopped_early
        results.append(HeadingResult(heading.id if heading else None, heading.district_id if heading else None,
                                     heading.budget_rials if heading else cycle.budget_rials, e.n_voters,
                                     outcome.winners, outcome.total_cost, outcome.stopped_early))
        if progress is not None:
            progress(done / len(parts))
    n_ballots = parts[0][1].n_voters if not headings else \
        (session.scalar(select(func.count(PBBallot.id)).where(PBBallot.cycle_id == cycle.id)) or 0)
    return TallyResult(rule, cycle.budget_rials, n_ballots, info, tuple(winners), total, why, stopped,
                       tuple(results) if headings else ())


def compare_rules(session: Session, actor_id: int, cycle_id: object, rules: tuple[str, str]) -> list[TallyResult]:
    return [tally(session, actor_id, cycle_id, r) for r in rules]


def _budget_pledge(session: Session, actor_id: int, cycle: PBCycle, amount: int) -> Pledge:
    user = session.scalar(select(User).where(User.email == BUDGET_USER_EMAIL))
    if user is None:
        user = User(name="Governorate budget / بودجه فرمانداری", email=BUDGET_USER_EMAIL,
                    password_hash="!governorate-budget: no login", language="fa",
                    show_name_publicly=True)   # not a person: project pages name the budget as the giver
        session.add(user)
        record(session, actor_id, "user.created_for_pb_budget", user)
    pledge = Pledge(citizen_id=user.id, kind=HelpKind.FINANCIAL, quantity=amount, divisible=True,
                    description=f"PB cycle {cycle.id}: governorate budget"[:200], status=PledgeStatus.OPEN)
    session.add(pledge)
    record(session, actor_id, "pledge.created_for_pb_cycle", pledge)
    return pledge


def publish_results(session: Session, actor_id: int, cycle_id: object, counted: TallyResult | None = None) -> TallyResult:
    """Fund the winners of the cycle's rule from the governorate budget, record support.

    `counted`: the result of a background count (models.pb.counting_jobs.cached_tally, over the
    current ballots, with the cycle's rule); without it the cycle is counted here (command line, tests)."""
    require_governorate(session, actor_id)
    cycle = get_cycle(session, cycle_id, lock=True)
    if imported_of(session, cycle.id) is not None:
        raise Conflict("pb_cycle_imported")
    if cycle.phase is not PBPhase.TALLYING:
        raise Conflict("pb_not_tallying", phase=cycle.phase.value)
    if counted is not None and counted.rule != cycle.counting_rule.value:
        raise Conflict("pb_count_first")
    result = counted if counted is not None else tally(session, actor_id, cycle.id)
    rows = list(session.scalars(select(PBCycleProject).where(PBCycleProject.cycle_id == cycle.id)
                                .order_by(PBCycleProject.id)))
    winners = {int(p) for p in result.winners}
    for row in rows:
        row.votes = result.projects[str(row.project_id)][1]
        row.funded = row.project_id in winners
        row.explanation = result.explanations.get(str(row.project_id))
    record_many(session, actor_id, "pb_cycle_project.counted", rows)
    projects = list(session.scalars(select(Project).where(Project.id.in_([r.project_id for r in rows]))
                                    .order_by(Project.id)))
    # support = approvals over the ballots of the project's heading (all ballots without headings)
    voters = {h.heading_id: h.n_ballots for h in result.headings}
    heading_of = {r.project_id: r.heading_id for r in rows}
    for project in projects:
        approvals = result.projects[str(project.id)][1]
        n = voters.get(heading_of[project.id], result.n_ballots)
        project.pb_support = approvals / n if n else 0.0
    record_many(session, actor_id, "project.pb_support_set", projects, table_of=lambda p: p.table_id)
    _fund(session, actor_id, cycle, [r for r in rows if r.funded])
    before = snapshot(cycle, ["phase"])
    cycle.phase = PBPhase.RESULTS
    record(session, actor_id, "pb_cycle.results_published", cycle, before=before,
           after={"phase": PBPhase.RESULTS.value, "rule": result.rule, "winners": list(result.winners),
                  "total_cost": int(result.total_cost), "ballots": result.n_ballots})
    return result


def _fund(session: Session, actor_id: int, cycle: PBCycle, funded: list[PBCycleProject]) -> None:
    """Accepted allocations from the governorate budget to the funded projects' financial needs."""
    if not funded:
        return
    needs = list(session.scalars(select(Need).where(Need.project_id.in_([r.project_id for r in funded]),
                                                    Need.kind == HelpKind.FINANCIAL, Need.removed_at.is_(None)).order_by(Need.id)))
    proposed = select(Allocation).where(Allocation.need_id.in_([n.id for n in needs]),
                                        Allocation.status == AllocationStatus.PROPOSED)
    # models.core.capacity.LOCK_ORDER: the proposals' pledges, the proposals, then the needs
    lock_rows(session, Pledge, set(session.scalars(proposed.with_only_columns(Allocation.pledge_id))))
    lock_rows(session, Allocation, session.scalars(proposed.with_only_columns(Allocation.id)).all())
    lock_rows(session, Need, [n.id for n in needs])
    proposals = list(session.scalars(proposed.order_by(Allocation.id).execution_options(populate_existing=True)))
    for alloc in proposals:
        alloc.status = AllocationStatus.WITHDRAWN
    record_many(session, actor_id, "allocation.withdrawn_by_pb_cycle", proposals,
                table_of=lambda a: a.need.project.table_id)
    notify_withdrawn(session, proposals, "pb")  # publishing told nobody before issue 23
    fixed: Counter = Counter()
    for need_id, qty in session.execute(select(Allocation.need_id, func.sum(Allocation.quantity))
                                        .where(Allocation.need_id.in_([n.id for n in needs]),
                                               Allocation.status.in_(FIXED_ALLOCATION))
                                        .group_by(Allocation.need_id)):
        fixed[need_id] = int(qty)
    # Each funded project gets at most its cycle cost, spread over its financial needs in id order.
    plan: list[tuple[Need, int]] = []
    for row in funded:
        left = row.cost_rials
        for need in (n for n in needs if n.project_id == row.project_id):
            amount = min(left, need.quantity - fixed[need.id])
            if amount > 0:
                plan.append((need, amount))
                left -= amount
    if not plan:
        return
    pledge = _budget_pledge(session, actor_id, cycle, sum(a for _, a in plan))
    now = utcnow()
    allocations = [Allocation(pledge_id=pledge.id, need_id=need.id, quantity=amount, score=0.0,
                              reasons=["pb_cycle"], status=AllocationStatus.ACCEPTED, decided_by_id=actor_id,
                              decided_at=now)
                   for need, amount in plan]
    session.add_all(allocations)
    record_many(session, actor_id, "allocation.funded_by_pb_cycle", allocations,
                table_of=lambda a: next(n.project.table_id for n, _ in plan if n.id == a.need_id))
    assert_within_capacity(session, [pledge.id], [n.id for n, _ in plan])
    refresh_pledge_statuses(session, actor_id, [pledge.id] + sorted({a.pledge_id for a in proposals}))


@dataclass(frozen=True)
class PublicResult:
    cycle: PBCycle
    projects: list[tuple[Project, int, int, bool]]   # project, cost, votes, funded
    budget_left: int
    # project id -> models.pb.explain.ProjectExplanation.as_dict() stored when published (None before 0009)
    explanations: dict[int, dict | None] = dc_field(default_factory=dict)
    headings: list[PublicHeading] = dc_field(default_factory=list)


@dataclass(frozen=True)
class PublicHeading:
    """One heading of a published cycle: its district (None: county-wide), budget, ballots and projects."""

    heading_id: int
    district: District | None
    budget: int
    spent: int
    n_ballots: int
    project_ids: list[int]


def public_results(session: Session, cycle_id: object) -> PublicResult:
    """What anyone may read once results are published: aggregates only."""
    cycle = get_cycle(session, cycle_id)
    if cycle.phase is not PBPhase.RESULTS:
        raise Conflict("pb_results_not_published", phase=cycle.phase.value)
    rows = list(session.scalars(select(PBCycleProject).where(PBCycleProject.cycle_id == cycle.id)
                                .options(selectinload(PBCycleProject.project))
                                .order_by(PBCycleProject.funded.desc(), PBCycleProject.votes.desc(),
                                          PBCycleProject.project_id)))
    spent = sum(r.cost_rials for r in rows if r.funded)
    headings = []
    heads = headings_of(session, cycle.id)
    if heads:
        by_district = dict(session.execute(select(PBBallot.district_id, func.count(PBBallot.id))
                                           .where(PBBallot.cycle_id == cycle.id).group_by(PBBallot.district_id)).all())
        for h in heads:
            mine = [r for r in rows if r.heading_id == h.id]
            headings.append(PublicHeading(
                h.id, session.get(District, h.district_id) if h.district_id is not None else None, h.budget_rials,
                sum(r.cost_rials for r in mine if r.funded),
                sum(by_district.values()) if h.district_id is None else by_district.get(h.district_id, 0),
                [r.project_id for r in mine]))
    return PublicResult(cycle, [(r.project, r.cost_rials, r.votes, r.funded) for r in rows],
                        cycle.budget_rials - spent, {r.project_id: r.explanation for r in rows}, headings)


# ------------------------------------------------------------------------------------ import / export

def import_pb(session: Session, actor_id: int, data: bytes, source_name: str,
              counting_rule: str = PBCountingRule.MES_ADD1_GREEDY.value) -> PBCycle:
    """A cycle holding a pabulib election, ready to tally; a broken file changes nothing."""
    require_governorate(session, actor_id)
    rule = _rule(counting_rule)
    if not isinstance(data, bytes) or not data:
        raise ValidationError("pb_file_empty", field="file")
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError("pb_file_too_large", field="file", maximum=MAX_IMPORT_BYTES)
    try:
        pb = parse_bytes(data)
    except PabulibError as exc:
        raise ValidationError("pb_file_invalid", field="file", line=exc.line, message=exc.message) from None
    budget = pb.budget
    if not isinstance(budget, int) or budget > MAX_BUDGET:
        raise ValidationError("pb_file_budget_unusable", field="file")
    if not pb.projects:
        raise ValidationError("pb_file_no_projects", field="file")
    name = (pb.meta.get("description") or source_name or "pabulib")[:MAX_NAME].strip() or "pabulib"
    max_length = pb.meta.get("max_length")
    max_k = int(max_length) if max_length and max_length.isdigit() and 0 < int(max_length) <= len(pb.projects) \
        else len(pb.projects)
    cycle = PBCycle(name_fa=name, name_en=name, budget_rials=budget, phase=PBPhase.TALLYING,
                    ballot_rule=PBBallotRule.APPROVAL, max_approvals=max_k, counting_rule=rule,
                    created_by_id=actor_id)
    session.add(cycle)
    record(session, actor_id, "pb_cycle.imported", cycle)
    ballots = Counter(tuple(sorted(v.projects)) for v in pb.votes)
    imported = PBCycleImport(
        cycle_id=cycle.id, source_name=(source_name or "")[:200], vote_type=pb.vote_type, meta=dict(pb.meta),
        projects=[{"id": p.project_id, "cost": str(p.cost), "name": p.fields.get("name", "")}
                  for p in pb.projects.values()],
        ballots=[[n, list(ids)] for ids, n in sorted(ballots.items())], imported_by_id=actor_id)
    session.add(imported)
    record(session, actor_id, "pb_cycle_import.created", imported,
           after={"cycle_id": cycle.id, "source_name": imported.source_name, "projects": len(pb.projects),
                  "ballots": len(pb.votes), "vote_type": pb.vote_type})
    return cycle


def export_files(session: Session, actor_id: int, cycle_id: object) -> dict[str, str]:
    """One .pb file per heading (pabulib's district files), or one for a cycle without headings: name -> text."""
    require_governorate(session, actor_id)
    cycle = get_cycle(session, cycle_id)
    heads = headings_of(session, cycle.id)
    if not heads:
        return {f"hamyar-pb-cycle-{cycle.id}.pb": export_pb(session, actor_id, cycle.id)}
    slugs = dict(session.execute(select(District.id, District.slug)).all())
    return {f"hamyar-pb-cycle-{cycle.id}-{slugs[h.district_id] if h.district_id else 'county'}.pb":
            export_pb(session, actor_id, cycle.id, h.id) for h in heads}


def export_pb(session: Session, actor_id: int, cycle_id: object, heading_id: int | None = None) -> str:
    """The cycle's anonymised ballots as .pb text: voters numbered 1..n in ballot order, never by who.

    A cycle with headings: one heading's file (`heading_id`; pabulib's "district" / "subunit" meta)."""
    require_governorate(session, actor_id)
    return _pb_text(session, cycle_id, heading_id)


def published_pb(session: Session, cycle_id: object, heading_id: int | None = None) -> str:
    """The same file for anyone (the open data, issue 22 item 6), once the county's cycle is published:
    an imported pabulib election is the governorate's trial of the rules, not the county's vote."""
    cycle = get_cycle(session, cycle_id)
    if cycle.phase is not PBPhase.RESULTS or imported_of(session, cycle.id) is not None:
        raise NotFound("pb_results_not_published")
    return _pb_text(session, cycle.id, heading_id)


def _pb_text(session: Session, cycle_id: object, heading_id: int | None) -> str:
    cycle = get_cycle(session, cycle_id)
    if cycle.phase not in (PBPhase.TALLYING, PBPhase.RESULTS):
        raise Conflict("pb_not_tallying", phase=cycle.phase.value)
    heads = {h.id: h for h in headings_of(session, cycle.id)}
    if heads and heading_id not in heads:
        raise ValidationError("pb_heading_required", field="heading")
    heading = heads.get(heading_id) if heads and heading_id is not None else None
    e, info = _election(session, cycle, heading)
    imported = imported_of(session, cycle.id)
    meta = {"description": cycle.name_en, "country": "Iran", "unit": "Amol", "instance": str(cycle.id),
            "num_projects": "0", "num_votes": "0", "budget": str(e.budget), "vote_type": "approval",
            "rule": cycle.counting_rule.value, "currency": "IRR", "language": "fa"}
    if heading is not None:
        district = session.get(District, heading.district_id) if heading.district_id is not None else None
        meta["district"] = district.name_en if district is not None else "county-wide"
        meta["subunit"] = district.slug if district is not None else "county"
    if imported is not None:
        meta = dict(imported.meta)
        names = {p["id"]: p["name"] for p in imported.projects}
        selected: set[str] = set()
    else:
        rows = list(session.scalars(select(PBCycleProject).where(PBCycleProject.cycle_id == cycle.id)
                                    .options(selectinload(PBCycleProject.project))))
        names = {str(r.project_id): r.project.title_en or r.project.title_fa for r in rows}
        selected = {str(r.project_id) for r in rows if r.funded}
        if cycle.ballot_rule is PBBallotRule.APPROVAL:
            meta["max_length"] = str(cycle.max_approvals)
        else:
            meta["max_sum_cost"] = str(e.budget)
    projects = {}
    for pid in sorted(info, key=lambda p: (-info[p][1], p)):
        cost, votes = info[pid]
        fields = {"name": names.get(pid, ""), "votes": str(votes)}
        if imported is None:
            fields["selected"] = "1" if pid in selected else "0"
        projects[pid] = PBProject(pid, cost, fields)
    columns = ["project_id", "cost", "votes", "name"] + ([] if imported is not None else ["selected"])
    votes = []
    for ballot, mult in sorted(zip(e.groups, e.weights.tolist()), key=lambda t: sorted(t[0])):
        for _ in range(mult):
            votes.append(PBVote(str(len(votes) + 1), tuple(sorted(ballot))))
    if imported is not None and imported.vote_type not in ("approval", "choose-1"):
        meta["vote_type"] = "approval"
        meta["comment"] = (meta.get("comment", "") + " Exported by Hamyar as approval ballots.").strip()
    return write(PBFile(meta, projects, votes, columns, ["voter_id", "vote"]))


# ------------------------------------------------------------------------------------------- reads

@dataclass(frozen=True)
class BallotItem:
    """A project as a ballot or the cycle form shows it: its table and its cost in the cycle."""

    project_id: int
    title_fa: str
    title_en: str | None
    table_id: int
    table_fa: str
    table_en: str
    cost: int
    # a cycle with headings: the heading it is on and that heading's district (None: county-wide)
    heading_id: int | None = None
    district_id: int | None = None
    district_fa: str | None = None
    district_en: str | None = None


@dataclass(frozen=True)
class CycleSummary:
    cycle: PBCycle
    n_projects: int
    n_ballots: int
    imported: bool


def ballot_items(session: Session, cycle_id: object) -> list[BallotItem]:
    """The projects on a cycle's ballot with their table and frozen cost, ordered by table then title."""
    cycle = get_cycle(session, cycle_id)
    rows = session.execute(
        select(Project.id, Project.title_fa, Project.title_en, Table.id, Table.name_fa, Table.name_en,
               PBCycleProject.cost_rials, PBCycleProject.heading_id)
        .join(PBCycleProject, PBCycleProject.project_id == Project.id).join(Table, Table.id == Project.table_id)
        .where(PBCycleProject.cycle_id == cycle.id).order_by(Table.id, Project.title_fa, Project.id))
    heads = {h.id: h for h in headings_of(session, cycle.id)}
    names = {d.id: d for d in session.scalars(select(District).where(
        District.id.in_([h.district_id for h in heads.values() if h.district_id is not None])))}
    items = []
    for r in rows:
        district = heads[r[7]].district_id if r[7] in heads else None
        items.append(BallotItem(*r[:6], int(r[6]), r[7], district,
                                names[district].name_fa if district in names else None,
                                names[district].name_en if district in names else None))
    if heads:   # county-wide first, then each district's projects together
        order = {h.id: i for i, h in enumerate(heads.values())}
        items.sort(key=lambda i: order.get(i.heading_id or 0, 0))
    return items


def eligible_projects(session: Session, actor_id: int) -> list[BallotItem]:
    """Projects a new cycle may take (open or in progress, with uncovered financial need), cost = uncovered."""
    require_governorate(session, actor_id)
    rows = list(session.execute(
        select(Project.id, Project.title_fa, Project.title_en, Table.id, Table.name_fa, Table.name_en)
        .join(Table, Table.id == Project.table_id).where(Project.status.in_(ELIGIBLE_STATUSES))
        .order_by(Table.id, Project.title_fa, Project.id)))
    uncovered = uncovered_financial_need(session, [r[0] for r in rows])
    return [BallotItem(*r, uncovered[r[0]]) for r in rows if uncovered.get(r[0], 0) > 0]


def ballot_count(session: Session, cycle_id: int) -> int:
    """How many citizens have a ballot in the cycle (an aggregate: who and what stay secret)."""
    return session.scalar(select(func.count(PBBallot.id)).where(PBBallot.cycle_id == cycle_id)) or 0


def cycles_overview(session: Session, actor_id: int) -> list[CycleSummary]:
    """Every cycle, newest first, with its project and ballot counts (governorate)."""
    require_governorate(session, actor_id)
    cycles = list(session.scalars(select(PBCycle).order_by(PBCycle.id.desc())))
    n_projects = dict(session.execute(select(PBCycleProject.cycle_id, func.count(PBCycleProject.id))
                                      .group_by(PBCycleProject.cycle_id)).all())
    n_ballots = dict(session.execute(select(PBBallot.cycle_id, func.count(PBBallot.id))
                                     .group_by(PBBallot.cycle_id)).all())
    imported = {r.cycle_id: r for r in session.scalars(select(PBCycleImport))}
    return [CycleSummary(c, len(imported[c.id].projects) if c.id in imported else n_projects.get(c.id, 0),
                         sum(int(n) for n, _ in imported[c.id].ballots) if c.id in imported
                         else n_ballots.get(c.id, 0), c.id in imported)
            for c in cycles]


@dataclass(frozen=True)
class HeadingRow:
    id: int
    district_id: int | None
    name_fa: str
    name_en: str
    budget: int


def heading_rows(session: Session, cycle_id: int) -> list[HeadingRow]:
    """The cycle's headings with their districts' names (county-wide: empty names), county-wide first."""
    names = dict((d.id, d) for d in session.scalars(select(District)))
    return [HeadingRow(h.id, h.district_id, names[h.district_id].name_fa if h.district_id else "",
                       names[h.district_id].name_en if h.district_id else "", h.budget_rials)
            for h in headings_of(session, cycle_id)]


def heading_districts(session: Session) -> list[District]:
    """The districts and cities a cycle may give a budget of their own, by level then name."""
    return list(session.scalars(select(District).where(District.level.in_((DistrictLevel.DISTRICT, DistrictLevel.CITY)))
                                .order_by(District.level, District.name_en, District.id)))


def published_cycles(session: Session, limit: int = 5) -> list[PBCycle]:
    """The most recently published cycles (their results are public aggregates)."""
    return list(session.scalars(select(PBCycle).where(PBCycle.phase == PBPhase.RESULTS)
                                .order_by(PBCycle.id.desc()).limit(limit)))


def project_names(session: Session, cycle_id: int, keys: list[str]) -> dict[str, str]:
    """Display names for tally keys: Project titles (fa) for a normal cycle, the file's names for an import."""
    imported = imported_of(session, cycle_id)
    if imported is not None:
        return {p["id"]: p["name"] or p["id"] for p in imported.projects}
    ids = [int(k) for k in keys if k.isdigit()]
    return {str(pid): fa for pid, fa in session.execute(select(Project.id, Project.title_fa)
                                                         .where(Project.id.in_(ids)))}
