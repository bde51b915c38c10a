"""Proof of delivery: part of an accepted contribution delivered, photos, receipts or signed sheets of hours
attached to a delivery, volunteers' hours confirmed, and what a citizen's help became (for /my).

Imports sqlalchemy and models' foundation only. Marking delivered stays in models.pledging.decisions;
a partial delivery first splits the accepted allocation here (`split_for_delivery`: the part to deliver
becomes an allocation of its own, the rest stays accepted), then the page marks that part delivered in
the same transaction and attaches its proof (`attach_proof`). A proof is seen by the citizen whose help
it proves, the table's chair and the governorate only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.capacity import assert_within_capacity, lock_rows, refresh_pledge_statuses
from models.core.enums import AllocationStatus, HelpKind
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import active_user, is_chair_of, require_chair_of
from models.core.uploads import register_viewer, uploads_by_token
from models.orm.cores import KeyCore, KeyCoreMember
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.results import HoursConfirmation, ResultFile
from models.orm.uploads import Upload
from models.results.common import title_params

PROOF_PURPOSE = "delivery_proof"
MAX_PROOFS = 8


def _allocation(session: Session, allocation_id: object) -> Allocation:
    if isinstance(allocation_id, bool) or not isinstance(allocation_id, int):
        raise NotFound("allocation_not_found")
    alloc = session.get(Allocation, allocation_id)
    if alloc is None:
        raise NotFound("allocation_not_found")
    return alloc


def split_for_delivery(session: Session, actor_id: int, allocation_id: object, quantity: object,
                       expected_version: int | None = None) -> Allocation:
    """Cut `quantity` off an accepted allocation into a new accepted one (to be marked delivered); the rest
    stays accepted on the original. The whole quantity returns the allocation itself. Audited "allocation.split"."""
    alloc = _allocation(session, allocation_id)
    table_id = alloc.need.project.table_id
    require_chair_of(session, actor_id, table_id)
    lock_rows(session, Pledge, [alloc.pledge_id])            # LOCK_ORDER: pledges, allocations, needs
    lock_rows(session, Allocation, [alloc.id])
    lock_rows(session, Need, [alloc.need_id])
    session.refresh(alloc)
    if expected_version is not None and alloc.version != expected_version:
        raise Conflict("allocation_changed", status=alloc.status.value)
    if alloc.status is not AllocationStatus.ACCEPTED:
        raise Conflict("allocation_not_accepted", status=alloc.status.value)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= alloc.quantity:
        raise ValidationError("delivered_quantity_invalid", field="quantity", maximum=alloc.quantity)
    if quantity == alloc.quantity:
        return alloc
    if not alloc.pledge.divisible:
        raise ValidationError("whole_pledge_not_split", field="quantity")
    before = snapshot(alloc, ["quantity"])
    alloc.quantity -= quantity
    part = Allocation(pledge_id=alloc.pledge_id, need_id=alloc.need_id, quantity=quantity, score=alloc.score,
                      reasons=list(alloc.reasons or []), matching_run_id=alloc.matching_run_id,
                      status=AllocationStatus.ACCEPTED, decided_by_id=alloc.decided_by_id,
                      decided_at=alloc.decided_at)
    session.add(part)
    record(session, actor_id, "allocation.split", alloc, before=before, table_id=table_id)
    record(session, actor_id, "allocation.split_off", part, table_id=table_id)
    assert_within_capacity(session, [alloc.pledge_id], [alloc.need_id])
    refresh_pledge_statuses(session, actor_id, [alloc.pledge_id])
    return part


def attach_proof(session: Session, actor_id: int, allocation_id: object, tokens: object) -> list[ResultFile]:
    """The chair attaches photos, receipts or signed sheets of hours to a delivered contribution."""
    alloc = _allocation(session, allocation_id)
    table_id = alloc.need.project.table_id
    require_chair_of(session, actor_id, table_id)
    if alloc.status is not AllocationStatus.DELIVERED:
        raise Conflict("allocation_not_delivered", status=alloc.status.value)
    if not isinstance(tokens, (list, tuple)) or len(tokens) > MAX_PROOFS:
        raise ValidationError("too_many_files", maximum=MAX_PROOFS)
    files = uploads_by_token(session, list(tokens), actor_id)
    ids = [u.id for u in files]
    if any(u.purpose != PROOF_PURPOSE for u in files) or (ids and session.scalar(
            select(ResultFile.id).where(ResultFile.upload_id.in_(ids)).limit(1)) is not None):
        raise ValidationError("upload_not_yours", field="file")
    rows = []
    for upload in files:
        row = ResultFile(upload_id=upload.id, allocation_id=alloc.id, attached_by_id=actor_id)
        session.add(row)
        record(session, actor_id, "result_file.proof_attached", row, table_id=table_id)
        rows.append(row)
    if rows:
        notify(session, alloc.pledge.citizen_id, "delivery_proof_added", allocation_id=alloc.id,
               count=len(rows), **title_params(alloc.need.project))
    return rows


def may_confirm_hours(session: Session, user: User | None, project: Project) -> bool:
    """Who confirms a volunteer's hours: the table's chair, or the lead of the project's key core (the one who
    worked beside the volunteers, issue 22 item 2)."""
    if user is None:
        return False
    return is_chair_of(session, user.id, project.table_id) or is_core_lead(session, user.id, project.id)


def is_core_lead(session: Session, user_id: int, project_id: int) -> bool:
    """The person leads the project's key core now (read from the ORM: results does not import voice)."""
    return session.scalar(
        select(KeyCoreMember.id).join(KeyCore, KeyCore.id == KeyCoreMember.core_id)
        .where(KeyCore.project_id == project_id, KeyCoreMember.user_id == user_id,
               KeyCoreMember.role == "lead", KeyCoreMember.left_at.is_(None))) is not None


def _waiting_hours(user_id: int):
    """Delivered volunteer work on projects whose key core this person leads, hours not yet confirmed."""
    led = (select(KeyCore.project_id).join(KeyCoreMember, KeyCoreMember.core_id == KeyCore.id)
           .where(KeyCoreMember.user_id == user_id, KeyCoreMember.role == "lead", KeyCoreMember.left_at.is_(None),
                  KeyCore.project_id.is_not(None)))
    confirmed = select(HoursConfirmation.allocation_id)
    return (select(Allocation).join(Need, Need.id == Allocation.need_id)
            .where(Need.project_id.in_(led), Need.kind == HelpKind.EXECUTION,
                   Allocation.status == AllocationStatus.DELIVERED, Allocation.id.not_in(confirmed)))


def hours_to_confirm(session: Session, user_id: int) -> list[Allocation]:
    """Delivered volunteer work on projects whose key core this person leads, hours not yet confirmed."""
    return list(session.scalars(_waiting_hours(user_id).order_by(Allocation.id)))


@dataclass
class HoursWaiting:
    """One delivered volunteer contribution whose hours the core's lead has still to confirm (the /my section)."""

    allocation_id: int
    pledge_id: int
    hours: int            # the hours delivered: the most that can be confirmed
    project_id: int
    project_fa: str
    project_en: str
    need: str
    volunteer: str        # the volunteer's name if they let it be shown, else ""
    delivered_at: date | None


def hours_waiting(session: Session, user_id: int, limit: int = 50) -> list[HoursWaiting]:
    """What `hours_to_confirm` lists, ready to show, in one statement: oldest delivery first, at most `limit`."""
    rows = session.execute(
        _waiting_hours(user_id).join(Project, Project.id == Need.project_id)
        .join(Pledge, Pledge.id == Allocation.pledge_id).join(User, User.id == Pledge.citizen_id)
        .with_only_columns(Allocation.id, Allocation.pledge_id, Allocation.quantity, Project.id, Project.title_fa,
                           Project.title_en, Need.description, User.name, User.show_name_publicly,
                           Allocation.delivered_at)
        .order_by(Allocation.delivered_at, Allocation.id).limit(limit))
    return [HoursWaiting(aid, pid, qty, prj, fa, en or fa, need or "", name if shown else "", day)
            for aid, pid, qty, prj, fa, en, need, name, shown, day in rows]


def confirm_hours(session: Session, actor_id: int, allocation_id: object, hours: object) -> HoursConfirmation:
    """Confirm the hours a volunteer gave on a delivered volunteer-work contribution (audited "hours.confirmed")."""
    alloc = _allocation(session, allocation_id)
    project = alloc.need.project
    if not may_confirm_hours(session, active_user(session, actor_id), project):
        raise PermissionDenied("not_chair_of_table")
    if alloc.need.kind is not HelpKind.EXECUTION:
        raise ValidationError("hours_not_volunteer_work")
    if alloc.status is not AllocationStatus.DELIVERED:
        raise Conflict("allocation_not_delivered", status=alloc.status.value)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 < hours <= alloc.quantity:
        raise ValidationError("hours_invalid", field="hours", maximum=alloc.quantity)
    if session.scalar(select(HoursConfirmation.id).where(HoursConfirmation.allocation_id == alloc.id)):
        raise Conflict("hours_already_confirmed")
    row = HoursConfirmation(allocation_id=alloc.id, hours=hours, confirmed_by_id=actor_id)
    session.add(row)
    record(session, actor_id, "hours.confirmed", row, table_id=project.table_id)
    notify(session, alloc.pledge.citizen_id, "hours_confirmed", allocation_id=alloc.id, hours=hours,
           **title_params(project))
    return row


@dataclass
class HelpResult:
    """What one delivered part of a citizen's help became: the project, when, the proof, the hours confirmed."""

    allocation_id: int
    kind: str
    quantity: int
    project_id: int
    project_fa: str
    project_en: str
    delivered_at: date | None
    hours_confirmed: int | None = None
    files: list[tuple[str, str, str]] = field(default_factory=list)   # (token, kind, name)


def results_of_citizen(session: Session, citizen_id: int, limit: int = 50) -> list[HelpResult]:
    """The citizen's delivered contributions, newest first, with their proof and confirmed hours."""
    rows = session.execute(
        select(Allocation, Need.kind, Project).join(Pledge, Pledge.id == Allocation.pledge_id)
        .join(Need, Need.id == Allocation.need_id).join(Project, Project.id == Need.project_id)
        .where(Pledge.citizen_id == citizen_id, Allocation.status == AllocationStatus.DELIVERED)
        .order_by(Allocation.delivered_at.desc(), Allocation.id.desc()).limit(limit)).all()
    out = {a.id: HelpResult(a.id, kind.value, a.quantity, p.id, p.title_fa, p.title_en or p.title_fa,
                            a.delivered_at) for a, kind, p in rows}
    if not out:
        return []
    for confirmed_id, hours in session.execute(select(HoursConfirmation.allocation_id, HoursConfirmation.hours)
                                           .where(HoursConfirmation.allocation_id.in_(list(out)))):
        out[confirmed_id].hours_confirmed = hours
    for proof_id, token, kind, name in session.execute(
            select(ResultFile.allocation_id, Upload.token, Upload.kind, Upload.name)
            .join(Upload, Upload.id == ResultFile.upload_id)
            .where(ResultFile.allocation_id.in_(list(out)), Upload.hidden_at.is_(None)).order_by(ResultFile.id)):
        if proof_id is not None:
            out[proof_id].files.append((token, kind, name))
    return list(out.values())


def _may_see_proof(session: Session, user: User | None, upload: Upload) -> bool:
    if user is None:
        return False
    alloc_id = session.scalar(select(ResultFile.allocation_id).where(ResultFile.upload_id == upload.id))
    if alloc_id is None:
        return False
    alloc = session.get(Allocation, alloc_id)
    return alloc is not None and (alloc.pledge.citizen_id == user.id
                                  or is_chair_of(session, user.id, alloc.need.project.table_id))


register_viewer(PROOF_PURPOSE, _may_see_proof)
