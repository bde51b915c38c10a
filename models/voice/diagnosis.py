"""Diagnosing a citizen proposal and the chair's decision on it (issue 21 item 2).

Imports sqlalchemy and models only. The members (and the chair) of the table a proposal is addressed to write
comments and structured diagnoses (cause, scale, options, a cost range in toman); the first diagnosis moves a
new proposal to "diagnosis". The chair then decides:
- adopt: a draft project of the proposal's kind on the table, with its text and evidence, the proposal (and so
  its supporters and files) linked to it, and a key core formed around it;
- answer without adopting, with a standard answer type: already planned, not this table's remit (forwarded to
  another table, where it starts again as new), not feasible because …, needs more evidence (the chair may
  decide again once there is more);
- decline with reasons;
- merge a duplicate into another proposal of the same table: its supporters (and its author) become the other's
  supporters, nobody counted twice.
Every change is audited and the author and supporters are notified.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.enums import Horizon, ProjectKind, ProjectStatus
from models.core.errors import Conflict, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import active_user, is_chair_of
from models.orm.base import utcnow
from models.orm.people import User
from models.orm.projects import Project
from models.orm.proposals import ANSWER_TYPES, CitizenProposal, ProposalComment, ProposalSupport
from models.orm.tables import Table, TableMembership
from models.voice.cores import CoreMemberInput, form_core
from models.voice.proposals import (
    OPEN_STATUSES,
    TEXT_MAX,
    clean_text,
    get_proposal,
    is_table_member,
    open_table,
    summary,
    supporter_ids,
    tell_people,
)

COST_MAX_TOMAN = 10**13  # ten thousand billion toman: a typo, not a county project


@dataclass(frozen=True)
class DiagnosisInput:
    cause: str
    scale: str = ""
    options: str = ""
    cost_min_toman: int | None = None
    cost_max_toman: int | None = None
    body: str = ""


def _open_for_table(session: Session, actor_id: int, proposal_id: object) -> CitizenProposal:
    proposal = get_proposal(session, proposal_id, lock=True)
    if active_user(session, actor_id) is None or not is_table_member(session, actor_id, proposal):
        raise PermissionDenied("proposal_members_only")
    if not _decidable(proposal):
        raise Conflict("proposal_already_decided", status=proposal.status)
    return proposal


def _decidable(proposal: CitizenProposal) -> bool:
    """New or under diagnosis; an answer asking for more evidence can be revisited."""
    return proposal.hidden_at is None and (proposal.status in OPEN_STATUSES or (
        proposal.status == "answered" and proposal.answer_type == "needs_evidence"))


def comment(session: Session, actor_id: int, proposal_id: object, body: object) -> ProposalComment:
    """A member's comment in the diagnosis thread."""
    proposal = _open_for_table(session, actor_id, proposal_id)
    row = ProposalComment(proposal_id=proposal.id, author_id=actor_id, kind="comment",
                          body=clean_text(body, "comment", TEXT_MAX, required=True))
    session.add(row)
    record(session, actor_id, "citizen_proposal.commented", row, table_id=proposal.table_id)
    return row


def _cost(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COST_MAX_TOMAN:
        raise ValidationError("proposal_cost_invalid", field=name)
    return value


def diagnose(session: Session, actor_id: int, proposal_id: object, data: DiagnosisInput) -> ProposalComment:
    """A member's structured diagnosis: the cause, how big it is, the options, what it would cost."""
    proposal = _open_for_table(session, actor_id, proposal_id)
    low, high = _cost(data.cost_min_toman, "cost_min"), _cost(data.cost_max_toman, "cost_max")
    if low is not None and high is not None and high < low:
        raise ValidationError("proposal_cost_order", field="cost_max")
    row = ProposalComment(proposal_id=proposal.id, author_id=actor_id, kind="diagnosis",
                          cause=clean_text(data.cause, "cause", TEXT_MAX, required=True),
                          scale=clean_text(data.scale, "scale", TEXT_MAX),
                          options=clean_text(data.options, "options", TEXT_MAX),
                          body=clean_text(data.body, "comment", TEXT_MAX), cost_min_toman=low, cost_max_toman=high)
    session.add(row)
    record(session, actor_id, "citizen_proposal.diagnosed", row, table_id=proposal.table_id)
    if proposal.status == "new":
        before = snapshot(proposal, ["status"])
        proposal.status = "diagnosis"
        record(session, actor_id, "citizen_proposal.under_diagnosis", proposal, before=before,
               after={"status": "diagnosis"}, table_id=proposal.table_id)
        tell_people(session, proposal, actor_id, "under_diagnosis")
    return row


def diagnoses(session: Session, proposal_id: int) -> list[ProposalComment]:
    return list(session.scalars(select(ProposalComment).where(ProposalComment.proposal_id == proposal_id,
                                                              ProposalComment.kind == "diagnosis")
                                .order_by(ProposalComment.id)))


# --- the chair's decisions --------------------------------------------------------------------------


def _for_chair(session: Session, actor_id: int, proposal_id: object) -> CitizenProposal:
    proposal = get_proposal(session, proposal_id, lock=True)
    if proposal.table_id is None or not is_chair_of(session, actor_id, proposal.table_id):
        raise PermissionDenied("proposal_chair_only")
    if not _decidable(proposal):
        raise Conflict("proposal_already_decided", status=proposal.status)
    return proposal


def _decide(session: Session, actor_id: int, proposal: CitizenProposal, status: str, action: str,
            answer_type: str | None, text: str, **extra) -> None:
    before = snapshot(proposal, ["status", "answer_type", "answer_text", "table_id", "project_id"])
    proposal.status, proposal.answer_type, proposal.answer_text = status, answer_type, text
    proposal.decided_by_id, proposal.decided_at = actor_id, utcnow()
    for name, value in extra.items():
        setattr(proposal, name, value)
    record(session, actor_id, action, proposal, before=before, table_id=before["table_id"])


@dataclass(frozen=True)
class AdoptInput:
    title: str = ""                       # the project's title; the proposal's when empty
    horizon: str | None = None            # talent projects need one
    estimated_cost_rials: int = 0
    core_name: str = ""
    core_members: tuple[CoreMemberInput, ...] = field(default_factory=tuple)
    note: str = ""                        # what the chair tells the author and supporters
    # the adopt form: the key core's lead and its other people by account, chosen among core_candidates; each
    # joins with the role and origin core_candidates gives (the lead as lead)
    core_lead_id: int | None = None
    core_people: tuple[int, ...] = ()


@dataclass(frozen=True)
class CoreCandidate:
    """Someone the chair may put in the key core on adopting a proposal."""

    user_id: int
    name: str
    origin: str   # "member": the table's chair or a member; "volunteer": the author or a supporter
    role: str     # what the adopt form suggests: expert for the table's people, field for the citizens


CANDIDATE_SUPPORTERS = 40  # the adopt form lists the first supporters; more are added to the core later


def core_candidates(session: Session, proposal: CitizenProposal) -> list[CoreCandidate]:
    """The table's chair and members, then the proposal's author and its first supporters, each once (active
    accounts only): the people a key core formed on adoption is chosen from."""
    if proposal.table_id is None:
        return []
    chair = session.scalar(select(Table.chair_id).where(Table.id == proposal.table_id))
    members = session.execute(select(User.id, User.name).join(TableMembership, TableMembership.user_id == User.id)
                              .where(TableMembership.table_id == proposal.table_id,
                                     TableMembership.left_at.is_(None), User.is_active.is_(True))
                              .order_by(TableMembership.id)).all()
    author = session.execute(select(User.id, User.name).where(User.id == proposal.author_id,
                                                              User.is_active.is_(True))).all()
    supporters = session.execute(select(User.id, User.name).join(ProposalSupport, ProposalSupport.user_id == User.id)
                                 .where(ProposalSupport.proposal_id == proposal.id, User.is_active.is_(True))
                                 .order_by(ProposalSupport.id).limit(CANDIDATE_SUPPORTERS)).all()
    names = {uid: name for uid, name in members}
    out: dict[int, CoreCandidate] = {}
    if chair is not None:
        chair_name = names.get(chair) or session.scalar(select(User.name).where(User.id == chair)) or ""
        out[chair] = CoreCandidate(chair, chair_name, "member", "lead")
    for uid, name in members:
        out.setdefault(uid, CoreCandidate(uid, name, "member", "expert"))
    for uid, name in [*author, *supporters]:
        out.setdefault(uid, CoreCandidate(uid, name, "volunteer", "field"))
    return list(out.values())


def _evidence_text(session: Session, proposal: CitizenProposal) -> str:
    """The author's evidence, then what others added, then the diagnoses, as one text for the project."""
    parts = [proposal.evidence] if proposal.evidence else []
    for c in session.scalars(select(ProposalComment).where(ProposalComment.proposal_id == proposal.id,
                                                           ProposalComment.kind.in_(("evidence", "diagnosis")),
                                                           ProposalComment.hidden_at.is_(None))
                             .order_by(ProposalComment.id)):
        parts.append(" — ".join(p for p in (c.cause, c.scale, c.options, c.body) if p))
    return "\n\n".join(p for p in parts if p)[:TEXT_MAX]


def _core_members(session: Session, proposal: CitizenProposal, data: AdoptInput) -> list[CoreMemberInput]:
    """The key core the chair chose: only people core_candidates offers (the table's, the author, supporters),
    one lead at most (none named: form_core makes the chair the lead)."""
    if not (data.core_members or data.core_people or data.core_lead_id is not None):
        return []
    offered = {c.user_id: c for c in core_candidates(session, proposal)}
    wanted = list(data.core_members)
    chosen = [data.core_lead_id] if data.core_lead_id is not None else []
    for uid in dict.fromkeys([*chosen, *data.core_people]):
        c = offered.get(uid)
        if c is None:
            raise ValidationError("core_person_not_candidate", field="core")
        role = "lead" if uid == data.core_lead_id else (
            "expert" if c.role == "lead" and data.core_lead_id is not None else c.role)
        wanted.append(CoreMemberInput(c.user_id, role, c.origin))
    if any(m.user_id not in offered for m in wanted):
        raise ValidationError("core_person_not_candidate", field="core")
    if sum(m.role == "lead" for m in wanted) > 1:
        raise ValidationError("core_one_lead", field="core_lead")
    return wanted


def adopt(session: Session, actor_id: int, proposal_id: object, data: AdoptInput) -> Project:
    """The chair turns the proposal into a draft project of its kind, and forms its key core."""
    proposal = _for_chair(session, actor_id, proposal_id)
    kind = ProjectKind(proposal.kind)
    horizon = None
    if kind is ProjectKind.TALENT:
        try:
            horizon = Horizon(data.horizon or "")
        except ValueError:
            raise ValidationError("horizon_required", field="horizon") from None
    cost = data.estimated_cost_rials
    if isinstance(cost, bool) or not isinstance(cost, int) or not 0 <= cost <= 10**15:
        raise ValidationError("cost_invalid", field="estimated_cost_rials")
    title = clean_text(data.title, "title", 200) or proposal.title
    note = clean_text(data.note, "answer", TEXT_MAX)
    members = _core_members(session, proposal, data)
    project = Project(table_id=proposal.table_id, kind=kind, status=ProjectStatus.DRAFT, title_fa=title,
                      summary_fa=proposal.body, district_id=proposal.district_id, priority=5,
                      estimated_cost_rials=cost, created_by_id=actor_id,
                      problem=proposal.body if kind is ProjectKind.PROBLEM else None,
                      evidence=(_evidence_text(session, proposal) or None) if kind is ProjectKind.PROBLEM else None,
                      affected=(proposal.affected or None) if kind is ProjectKind.PROBLEM else None,
                      capacity=proposal.body if kind is ProjectKind.TALENT else None, horizon=horizon)
    session.add(project)
    record(session, actor_id, "project.created", project, table_id=proposal.table_id,
           after={**snapshot(project), "citizen_proposal_id": proposal.id})
    _decide(session, actor_id, proposal, "adopted", "citizen_proposal.adopted", None, note, project_id=project.id)
    form_core(session, actor_id, proposal_id=proposal.id, project_id=project.id,
              name=data.core_name or title, members=members)
    tell_people(session, proposal, actor_id, "adopted", project_id=project.id)
    return project


def answer(session: Session, actor_id: int, proposal_id: object, answer_type: object, text: object,
           forward_to: object = None) -> CitizenProposal:
    """A reasoned answer without adopting; "not_remit" forwards the proposal to the table named."""
    proposal = _for_chair(session, actor_id, proposal_id)
    if answer_type not in ANSWER_TYPES:
        raise ValidationError("proposal_answer_type_unknown", field="answer_type")
    reasons = clean_text(text, "answer", TEXT_MAX, required=True)
    if answer_type != "not_remit":
        _decide(session, actor_id, proposal, "answered", "citizen_proposal.answered", str(answer_type), reasons)
        tell_people(session, proposal, actor_id, "answered", answer_type=answer_type)
        return proposal
    target = open_table(session, forward_to, "forward_to")
    if target.id == proposal.table_id:
        raise ValidationError("proposal_forward_same_table", field="forward_to")
    _decide(session, actor_id, proposal, "new", "citizen_proposal.forwarded", "not_remit", reasons,
            forwarded_from_id=proposal.table_id, table_id=target.id)
    tell_people(session, proposal, actor_id, "forwarded", table_fa=target.name_fa, table_en=target.name_en)
    if target.chair_id is not None and target.chair_id != actor_id:
        notify(session, target.chair_id, "citizen_proposal", event="new_for_table", **summary(proposal))
    return proposal


def decline(session: Session, actor_id: int, proposal_id: object, reasons: object) -> CitizenProposal:
    proposal = _for_chair(session, actor_id, proposal_id)
    text = clean_text(reasons, "answer", TEXT_MAX, required=True)
    _decide(session, actor_id, proposal, "declined", "citizen_proposal.declined", None, text)
    tell_people(session, proposal, actor_id, "declined")
    return proposal


def merge(session: Session, actor_id: int, duplicate_id: object, into_id: object) -> CitizenProposal:
    """The chair merges a duplicate into another proposal of the same table; supports follow, none twice."""
    if duplicate_id == into_id:
        raise ValidationError("proposal_merge_same", field="merge_into")
    duplicate = _for_chair(session, actor_id, duplicate_id)
    target = get_proposal(session, into_id, lock=True)
    if target.table_id != duplicate.table_id:
        raise ValidationError("proposal_merge_other_table", field="merge_into")
    if target.hidden_at is not None or target.status in ("merged", "declined"):
        raise Conflict("proposal_merge_target_closed")
    told = dict.fromkeys([duplicate.author_id, target.author_id, *supporter_ids(session, duplicate.id),
                          *supporter_ids(session, target.id)])
    already = set(supporter_ids(session, target.id)) | {target.author_id}
    moving = list(session.scalars(select(ProposalSupport).where(ProposalSupport.proposal_id == duplicate.id)
                                  .order_by(ProposalSupport.id)))
    for row in moving:
        if row.user_id in already:
            continue  # stays on the duplicate: the person already counts for the target
        row.proposal_id = target.id
        already.add(row.user_id)
        record(session, actor_id, "citizen_proposal.support_moved", row, before={"proposal_id": duplicate.id},
               after={"proposal_id": target.id}, table_id=target.table_id)
    if duplicate.author_id not in already:
        carried = ProposalSupport(proposal_id=target.id, user_id=duplicate.author_id)
        session.add(carried)
        record(session, actor_id, "citizen_proposal.support_moved", carried, table_id=target.table_id)
    _decide(session, actor_id, duplicate, "merged", "citizen_proposal.merged", None, "", merged_into_id=target.id)
    for uid in told:
        if uid != actor_id:
            notify(session, uid, "citizen_proposal", event="merged", **summary(duplicate), into_id=target.id,
                   into_title=target.title[:120])
    return target


def table_name(session: Session, table_id: int | None) -> tuple[str, str] | None:
    row = session.execute(select(Table.name_fa, Table.name_en).where(Table.id == table_id)).first() \
        if table_id is not None else None
    return (row[0], row[1]) if row else None


__all__ = ["ANSWER_TYPES", "AdoptInput", "CoreCandidate", "DiagnosisInput", "adopt", "answer", "comment",
           "core_candidates", "decline", "diagnose", "diagnoses", "merge", "table_name"]
