"""The audit log as the governorate reads it: filtered, paginated events with the facts a sentence needs.

Imports sqlalchemy and models only; the page words each line in the user's language. One query
reads a page of events; one batched query per kind of object on the page fills in the details
(who gave what to which project), never one query per event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from models.core.errors import ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.password_reset import PasswordReset
from models.orm.people import User
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import ChairElection, Table, TableMembership
from models.orm.valuation import ValuationRate
from models.reporting.dashboard import day_start_utc

PER_PAGE = 25
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    actor_query: str = ""          # part of the actor's name, phone or e-mail
    action: str = ""               # exact action ("allocation.accepted") or a family ("allocation")
    table_id: int | None = None
    object_type: str = ""          # "allocations", "pledges", "projects", ...
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValidationError("date_range_invalid", field="date_to")


@dataclass
class AuditLine:
    """One event and what a reader needs to understand it (names in both languages)."""

    id: int
    at: datetime
    action: str
    actor_id: int | None
    actor_name: str | None
    object_type: str
    object_id: int | None
    table_id: int | None
    table_fa: str | None
    table_en: str | None
    before: dict | None
    after: dict | None
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AuditPage:
    lines: list[AuditLine]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _allocations_of_table(table_id: int):
    return (select(Allocation.id).join(Need, Need.id == Allocation.need_id)
            .join(Project, Project.id == Need.project_id).where(Project.table_id == table_id))


def filtered_events(f: AuditFilter):
    """SELECT of the audit events matching `f` (newest first)."""
    stmt = select(AuditEvent)
    if f.actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == f.actor_id)
    query = (f.actor_query or "").strip()
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(AuditEvent.actor_id.in_(select(User.id).where(or_(
            func.lower(User.name).like(like), func.lower(func.coalesce(User.email, "")).like(like),
            func.coalesce(User.phone, "").like(like)))))
    action = (f.action or "").strip()
    if action:
        stmt = stmt.where(or_(AuditEvent.action == action, AuditEvent.action.like(f"{action}.%")))
    if f.table_id is not None:
        stmt = stmt.where(or_(AuditEvent.table_id == f.table_id,
                              and_(AuditEvent.object_type == "allocations",
                                   AuditEvent.object_id.in_(_allocations_of_table(f.table_id)))))
    if f.object_type:
        stmt = stmt.where(AuditEvent.object_type == f.object_type)
    if f.object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == f.object_id)
    if f.date_from:
        stmt = stmt.where(AuditEvent.at >= day_start_utc(f.date_from))
    if f.date_to:
        stmt = stmt.where(AuditEvent.at < day_start_utc(f.date_to + timedelta(days=1)))
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def audit_page(session: Session, f: AuditFilter, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """One page of the filtered audit log, newest first, each line with its details filled in."""
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    stmt = filtered_events(f)
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    pages = max(1, -(-total // per_page))
    page = max(1, min(int(page), pages))
    events = list(session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)))
    return AuditPage(describe_events(session, events), total, page, per_page)


def describe_events(session: Session, events: list[AuditEvent]) -> list[AuditLine]:
    """The events as AuditLines, with actors, tables and objects read in a few batched queries."""
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    by_type: dict[str, set[int]] = {}
    for e in events:
        if e.object_id is not None:
            by_type.setdefault(e.object_type, set()).add(e.object_id)
    names = _user_names(session, actor_ids | by_type.get("users", set()))
    details: dict[tuple[str, int], dict] = {}
    details.update(_allocation_details(session, by_type.get("allocations", set())))
    details.update(_pledge_details(session, by_type.get("pledges", set())))
    details.update(_project_details(session, by_type.get("projects", set())))
    details.update(_need_details(session, by_type.get("needs", set())))
    details.update(_membership_details(session, by_type.get("table_memberships", set())))
    details.update(_rate_details(session, by_type.get("valuation_rates", set())))
    details.update(_run_details(session, by_type.get("matching_runs", set())))
    details.update(_election_details(session, by_type.get("chair_elections", set())))
    details.update(_reset_details(session, by_type.get("password_resets", set())))
    for uid in by_type.get("users", set()):
        details[("users", uid)] = {"user_name": names.get(uid)}
    table_ids = {e.table_id for e in events if e.table_id is not None}
    table_ids |= {d["table_id"] for d in details.values() if d.get("table_id")}
    table_ids |= by_type.get("tables", set())
    tables = {tid: (fa, en) for tid, fa, en in session.execute(
        select(Table.id, Table.name_fa, Table.name_en).where(Table.id.in_(table_ids)))} if table_ids else {}
    for tid in by_type.get("tables", set()):
        fa, en = tables.get(tid, (None, None))
        details[("tables", tid)] = {"table_id": tid, "name_fa": fa, "name_en": en}
    lines = []
    for e in events:
        d = dict(details.get((e.object_type, e.object_id), {})) if e.object_id is not None else {}
        event_table: int | None = e.table_id or d.get("table_id")
        fa, en = tables.get(event_table, (None, None)) if event_table else (None, None)
        lines.append(AuditLine(e.id, e.at, e.action, e.actor_id, names.get(e.actor_id) if e.actor_id else None,
                               e.object_type, e.object_id, event_table, fa, en, e.before, e.after, d))
    return lines


def _user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _allocation_details(session: Session, ids: set[int]) -> dict:
    if not ids:
        return {}
    rows = session.execute(
        select(Allocation.id, Allocation.quantity, Pledge.kind, Pledge.description, User.name, Project.id,
               Project.title_fa, Project.title_en, Project.table_id, Allocation.reject_reason)
        .join(Pledge, Pledge.id == Allocation.pledge_id).join(User, User.id == Pledge.citizen_id)
        .join(Need, Need.id == Allocation.need_id).join(Project, Project.id == Need.project_id)
        .where(Allocation.id.in_(ids)))
    return {("allocations", aid): {"quantity": q, "kind": kind.value, "item": desc, "citizen_name": citizen,
                                   "project_id": pid, "project_fa": pfa, "project_en": pen or pfa, "table_id": tid,
                                   "reason": reason}
            for aid, q, kind, desc, citizen, pid, pfa, pen, tid, reason in rows}


def _pledge_details(session: Session, ids: set[int]) -> dict:
    if not ids:
        return {}
    rows = session.execute(select(Pledge.id, Pledge.quantity, Pledge.kind, Pledge.description, User.name)
                           .join(User, User.id == Pledge.citizen_id).where(Pledge.id.in_(ids)))
    return {("pledges", pid): {"quantity": q, "kind": kind.value, "item": desc, "citizen_name": name}
            for pid, q, kind, desc, name in rows}


def _project_details(session: Session, ids: set[int]) -> dict:
    if not ids:
        return {}
    rows = session.execute(select(Project.id, Project.title_fa, Project.title_en, Project.table_id)
                           .where(Project.id.in_(ids)))
    return {("projects", pid): {"project_id": pid, "project_fa": fa, "project_en": en or fa, "table_id": tid}
            for pid, fa, en, tid in rows}


def _need_details(session: Session, ids: set[int]) -> dict:
    if not ids:
        return {}
    rows = session.execute(select(Need.id, Need.kind, Need.quantity, Project.id, Project.title_fa, Project.title_en,
                                  Project.table_id).join(Project, Project.id == Need.project_id)
                           .where(Need.id.in_(ids)))
    return {("needs", nid): {"kind": kind.value, "quantity": q, "project_id": pid, "project_fa": fa,
                             "project_en": en or fa, "table_id": tid}
            for nid, kind, q, pid, fa, en, tid in rows}


def _membership_details(session: Session, ids: set[int]) -> dict:
    if not ids:
        return {}
    rows = session.execute(select(TableMembership.id, TableMembership.table_id, User.name)
                           .join(User, User.id == TableMembership.user_id).where(TableMembership.id.in_(ids)))
    return {("table_memberships", mid): {"table_id": tid, "user_name": name} for mid, tid, name in rows}


def _rate_details(session: Session, ids: set[int]) -> dict:
    if not ids:
        return {}
    rows = session.execute(select(ValuationRate.id, ValuationRate.kind, ValuationRate.item,
                                  ValuationRate.rials_per_unit).where(ValuationRate.id.in_(ids)))
    return {("valuation_rates", rid): {"kind": kind.value, "item": item, "rate": rate} for rid, kind, item, rate in rows}


def _run_details(session: Session, ids: set[int]) -> dict:
    if not ids:
        return {}
    rows = session.execute(select(MatchingRun.id, MatchingRun.table_id, MatchingRun.n_proposed)
                           .where(MatchingRun.id.in_(ids)))
    return {("matching_runs", rid): {"table_id": tid, "proposed": n} for rid, tid, n in rows}


def _election_details(session: Session, ids: set[int]) -> dict:
    if not ids:
        return {}
    rows = session.execute(select(ChairElection.id, ChairElection.table_id, User.name)
                           .outerjoin(User, User.id == ChairElection.winner_id).where(ChairElection.id.in_(ids)))
    return {("chair_elections", eid): {"table_id": tid, "winner_name": name} for eid, tid, name in rows}


def _reset_details(session: Session, ids: set[int]) -> dict:
    """Whose password a reset link was for (never its token or hash)."""
    if not ids:
        return {}
    rows = session.execute(select(PasswordReset.id, PasswordReset.expires_at, User.name)
                           .join(User, User.id == PasswordReset.user_id).where(PasswordReset.id.in_(ids)))
    return {("password_resets", rid): {"user_name": name, "expires_at": expires} for rid, expires, name in rows}


def audit_actions(session: Session) -> list[str]:
    """The distinct actions the log holds, for the filter."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


__all__ = ["AuditFilter", "AuditLine", "AuditPage", "audit_actions", "audit_page", "describe_events",
           "filtered_events"]
