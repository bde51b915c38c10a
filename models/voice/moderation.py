"""Moderating citizens' text (issue 21 item 6): reports of abusive text and hiding it with a reason.

Imports sqlalchemy and models only. Anyone signed in may report a proposal or one of its comments (once per
thing reported while the report is open); the governorate, and the chair of the proposal's table, hide it
with a reason that is shown in its place ("hidden by a moderator: …"). Hiding a proposal makes its files
private again (its table's chair and the governorate still see them). Every step is audited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.errors import Conflict, NotFound, PermissionDenied
from models.core.notify import notify
from models.core.permissions import active_user, is_chair_of
from models.core.uploads import set_public
from models.orm.base import utcnow
from models.orm.proposals import CitizenProposal, ProposalAttachment, ProposalComment, ProposalReport
from models.orm.tables import Table
from models.orm.uploads import Upload
from models.voice.proposals import clean_text, get_proposal, is_id, may_moderate, summary

REASON_MAX = 500


def _comment_of(session: Session, proposal: CitizenProposal, comment_id: object) -> ProposalComment | None:
    if comment_id is None:
        return None
    row = session.get(ProposalComment, comment_id) if is_id(comment_id) else None
    if row is None or row.proposal_id != proposal.id:
        raise NotFound("proposal_comment_not_found")
    return row


def report(session: Session, actor_id: int, proposal_id: object, reason: object,
           comment_id: object = None) -> ProposalReport:
    """Someone signed in reports abusive text; the table's chair is told."""
    if active_user(session, actor_id) is None:
        raise PermissionDenied("not_signed_in")
    proposal = get_proposal(session, proposal_id)
    target = _comment_of(session, proposal, comment_id)
    text = clean_text(reason, "reason", REASON_MAX, required=True)
    hidden = (target.hidden_at if target is not None else proposal.hidden_at) is not None
    if hidden:
        raise Conflict("already_hidden")
    if session.scalar(select(ProposalReport.id).where(
            ProposalReport.proposal_id == proposal.id, ProposalReport.reporter_id == actor_id,
            ProposalReport.resolved_at.is_(None),
            (ProposalReport.comment_id == target.id) if target is not None else ProposalReport.comment_id.is_(None))):
        raise Conflict("already_reported")
    row = ProposalReport(proposal_id=proposal.id, comment_id=target.id if target is not None else None,
                         reporter_id=actor_id, reason=text)
    session.add(row)
    record(session, actor_id, "citizen_proposal.reported", row, table_id=proposal.table_id)
    chair = session.scalar(select(Table.chair_id).where(Table.id == proposal.table_id)) if proposal.table_id else None
    if chair is not None and chair != actor_id:
        notify(session, chair, "citizen_proposal", event="reported", **summary(proposal))
    return row


def open_reports(session: Session, proposal_id: int) -> list[ProposalReport]:
    return list(session.scalars(select(ProposalReport).where(ProposalReport.proposal_id == proposal_id,
                                                             ProposalReport.resolved_at.is_(None))
                                .order_by(ProposalReport.id)))


def _resolve(session: Session, actor_id: int, proposal: CitizenProposal, comment_id: int | None) -> None:
    for row in open_reports(session, proposal.id):
        if row.comment_id == comment_id:
            row.resolved_at = utcnow()
            record(session, actor_id, "citizen_proposal.report_resolved", row, before={"resolved_at": None},
                   table_id=proposal.table_id)


def hide(session: Session, actor_id: int, proposal_id: object, reason: object, comment_id: object = None) -> None:
    """A moderator (the governorate, or the chair of the proposal's table) hides a proposal or a comment."""
    proposal = get_proposal(session, proposal_id, lock=True)
    if not may_moderate(session, actor_id, proposal):
        raise PermissionDenied("proposal_moderators_only")
    target = _comment_of(session, proposal, comment_id)
    text = clean_text(reason, "reason", REASON_MAX, required=True)
    thing: CitizenProposal | ProposalComment = target if target is not None else proposal
    if thing.hidden_at is not None:
        raise Conflict("already_hidden")
    thing.hidden_at, thing.hidden_reason = utcnow(), text
    action = "citizen_proposal.comment_hidden" if target is not None else "citizen_proposal.hidden"
    record(session, actor_id, action, thing, before={"hidden_at": None, "hidden_reason": ""},
           after={"hidden_at": thing.hidden_at, "hidden_reason": text}, table_id=proposal.table_id)
    files = select(Upload).join(ProposalAttachment, ProposalAttachment.upload_id == Upload.id)
    files = files.where(ProposalAttachment.comment_id == target.id) if target is not None else \
        files.where(ProposalAttachment.proposal_id == proposal.id)
    set_public(session, actor_id, list(session.scalars(files)), False)
    _resolve(session, actor_id, proposal, target.id if target is not None else None)
    author = target.author_id if target is not None else proposal.author_id
    if author != actor_id:
        notify(session, author, "citizen_proposal", event="hidden", reason=text, **summary(proposal))


@dataclass(frozen=True)
class ReportedProposal:
    """A proposal with open reports (on itself or its comments), for its moderators' queue."""

    proposal_id: int
    title: str
    table_id: int | None
    reports: int
    first_at: datetime


def reported(session: Session, actor_id: object, table_id: int | None, limit: int = 50) -> list[ReportedProposal]:
    """The proposals with open reports a moderator should look at, the longest waiting first: the table's (its
    chair, the governorate), or with table_id None every table's and the "don't know" ones (the governorate)."""
    user = active_user(session, actor_id)
    if user is None or not (user.is_governorate or (table_id is not None and is_chair_of(session, user.id, table_id))):
        raise PermissionDenied("proposal_moderators_only")
    q = (select(CitizenProposal.id, CitizenProposal.title, CitizenProposal.table_id, func.count(ProposalReport.id),
                func.min(ProposalReport.created_at))
         .join(ProposalReport, ProposalReport.proposal_id == CitizenProposal.id)
         .where(ProposalReport.resolved_at.is_(None)))
    if table_id is not None:
        q = q.where(CitizenProposal.table_id == table_id)
    rows = session.execute(q.group_by(CitizenProposal.id, CitizenProposal.title, CitizenProposal.table_id)
                           .order_by(func.min(ProposalReport.created_at), CitizenProposal.id).limit(limit)).all()
    return [ReportedProposal(r[0], r[1], r[2], int(r[3]), r[4]) for r in rows]


__all__ = ["ReportedProposal", "hide", "open_reports", "report", "reported"]
