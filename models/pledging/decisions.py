"""A chair's decisions on proposed allocations: accept, reject with a reason, mark delivered.

Imports sqlalchemy and models only. Each decision locks the allocation and its pledge and need,
checks the version the chair saw (so two tabs cannot both decide), is audited, and tells the
citizen concerned. Locks are always taken allocations first, then pledges, then needs, each in
ascending id order (as matching runs do), so concurrent deciders wait for each other instead of
deadlocking. `accept_many` accepts a selection all or nothing. The reads for the chair's page
(`review_page`, `awaiting_delivery`, `recent_decisions`) return plain data, grouped by project.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from models.audit.log import record, snapshot
from models.core.capacity import assert_within_capacity, lock_rows, refresh_pledge_statuses
from models.core.clock import county_date, county_today
from models.core.enums import AllocationStatus, HelpKind
from models.core.errors import Conflict, NotFound, ValidationError
from models.core.notify import notify
from models.core.permissions import require_chair_of, require_governorate
from models.orm.base import utcnow
from models.orm.payments import AllocationPayment, TablePayment
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table

MAX_REASON = 500
MAX_BULK = 200


def table_of_allocation(session: Session, allocation_id: int) -> int | None:
    return session.scalar(select(Project.table_id).join(Need, Need.project_id == Project.id)
                          .join(Allocation, Allocation.need_id == Need.id).where(Allocation.id == allocation_id))


def _decidable(session: Session, actor_id: int, allocation_id: object, expected_version: int | None,
               allowed_from: tuple[AllocationStatus, ...]) -> tuple[Allocation, int]:
    if isinstance(allocation_id, bool) or not isinstance(allocation_id, int):
        raise NotFound("allocation_not_found")
    table_id = table_of_allocation(session, allocation_id)
    if table_id is None:
        raise NotFound("allocation_not_found")
    require_chair_of(session, actor_id, table_id)
    # The one lock order (models.core.capacity.LOCK_ORDER): pledge, then allocation, then need. An
    # allocation's pledge and need never change, so they can be read before locking.
    pledge_id, need_id = session.execute(select(Allocation.pledge_id, Allocation.need_id)
                                         .where(Allocation.id == allocation_id)).one()
    lock_rows(session, Pledge, [pledge_id])
    lock_rows(session, Allocation, [allocation_id])
    lock_rows(session, Need, [need_id])
    alloc = session.get(Allocation, allocation_id, populate_existing=True)
    if alloc is None:  # allocations are never deleted; only a forged id gets here
        raise NotFound("allocation_not_found")
    if expected_version is not None and alloc.version != expected_version:
        raise Conflict("allocation_changed", status=alloc.status.value)
    if alloc.status not in allowed_from:
        code = "allocation_not_proposed" if allowed_from[0] is AllocationStatus.PROPOSED else "allocation_not_accepted"
        raise Conflict(code, status=alloc.status.value)
    return alloc, table_id


def _title(alloc: Allocation) -> dict:
    project = alloc.need.project
    return {"project_id": project.id, "project_fa": project.title_fa, "project_en": project.title_en or project.title_fa,
            "help_kind": alloc.need.kind.value, "quantity": alloc.quantity}


def accept(session: Session, actor_id: int, allocation_id: object, expected_version: int | None = None) -> Allocation:
    alloc, table_id = _decidable(session, actor_id, allocation_id, expected_version, (AllocationStatus.PROPOSED,))
    before = snapshot(alloc, ["status"])
    alloc.status = AllocationStatus.ACCEPTED
    alloc.decided_by_id = actor_id
    alloc.decided_at = utcnow()
    record(session, actor_id, "allocation.accepted", alloc, before=before, table_id=table_id)
    assert_within_capacity(session, [alloc.pledge_id], [alloc.need_id])
    refresh_pledge_statuses(session, actor_id, [alloc.pledge_id])
    notify(session, alloc.pledge.citizen_id, "allocation_accepted", allocation_id=alloc.id, **_title(alloc))
    return alloc


def reject(session: Session, actor_id: int, allocation_id: object, reason: str,
           expected_version: int | None = None) -> Allocation:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError("reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError("reason_too_long", field="reason", maximum=MAX_REASON)
    alloc, table_id = _decidable(session, actor_id, allocation_id, expected_version, (AllocationStatus.PROPOSED,))
    before = snapshot(alloc, ["status"])
    alloc.status = AllocationStatus.REJECTED
    alloc.reject_reason = reason
    alloc.decided_by_id = actor_id
    alloc.decided_at = utcnow()
    record(session, actor_id, "allocation.rejected", alloc, before=before, table_id=table_id)
    refresh_pledge_statuses(session, actor_id, [alloc.pledge_id])
    notify(session, alloc.pledge.citizen_id, "allocation_rejected", allocation_id=alloc.id, reason=reason,
           **_title(alloc))
    return alloc


def mark_delivered(session: Session, actor_id: int, allocation_id: object, delivered_on: date, note: str = "",
                   expected_version: int | None = None, today: date | None = None) -> Allocation:
    if not isinstance(delivered_on, date):
        raise ValidationError("date_invalid", field="delivered_on")
    if delivered_on > (today or county_today()):
        raise ValidationError("delivered_in_future", field="delivered_on")
    note = (note or "").strip() if isinstance(note, str) else ""
    if len(note) > MAX_REASON:
        raise ValidationError("note_too_long", field="note", maximum=MAX_REASON)
    alloc, table_id = _decidable(session, actor_id, allocation_id, expected_version, (AllocationStatus.ACCEPTED,))
    if alloc.decided_at and delivered_on < county_date(alloc.decided_at):
        raise ValidationError("delivered_before_accepted", field="delivered_on")
    before = snapshot(alloc, ["status"])
    alloc.status = AllocationStatus.DELIVERED
    alloc.delivered_at = delivered_on
    alloc.delivery_note = note or None
    record(session, actor_id, "allocation.delivered", alloc, before=before, table_id=table_id)
    refresh_pledge_statuses(session, actor_id, [alloc.pledge_id])
    notify(session, alloc.pledge.citizen_id, "allocation_delivered", allocation_id=alloc.id, **_title(alloc))
    return alloc


def mark_delivered_many(session: Session, actor_id: int, selection: object, delivered_on: date, note: str = "",
                        today: date | None = None) -> list[Allocation]:
    """Mark several accepted allocations delivered on one date, all or nothing (`selection`: id -> version seen).

    The same checks as `mark_delivered` for each (the chair's table, accepted, unchanged, a date not in the
    future and not before its acceptance); the error names the first allocation that failed.
    """
    if not isinstance(delivered_on, date):
        raise ValidationError("date_invalid", field="delivered_on")
    if delivered_on > (today or county_today()):
        raise ValidationError("delivered_in_future", field="delivered_on")
    note = (note or "").strip() if isinstance(note, str) else ""
    if len(note) > MAX_REASON:
        raise ValidationError("note_too_long", field="note", maximum=MAX_REASON)
    ids, tables = _selection(session, actor_id, selection)
    allocs = _locked(session, ids)
    for alloc in allocs:
        expected = selection[alloc.id]  # type: ignore[index]
        if expected is not None and alloc.version != expected:
            raise Conflict("allocation_changed", status=alloc.status.value, allocation_id=alloc.id)
        if alloc.status is not AllocationStatus.ACCEPTED:
            raise Conflict("allocation_not_accepted", status=alloc.status.value, allocation_id=alloc.id)
        if alloc.decided_at and delivered_on < county_date(alloc.decided_at):
            raise ValidationError("delivered_before_accepted", field="delivered_on", allocation_id=alloc.id)
    for alloc in allocs:
        before = snapshot(alloc, ["status"])
        alloc.status = AllocationStatus.DELIVERED
        alloc.delivered_at = delivered_on
        alloc.delivery_note = note or None
        record(session, actor_id, "allocation.delivered", alloc, before=before, table_id=tables[alloc.id])
    refresh_pledge_statuses(session, actor_id, {a.pledge_id for a in allocs})
    for alloc in allocs:
        notify(session, alloc.pledge.citizen_id, "allocation_delivered", allocation_id=alloc.id, **_title(alloc))
    return allocs


def _selection(session: Session, actor_id: int, selection: object) -> tuple[list[int], dict[int, int]]:
    """The ids of a bulk selection (id -> version seen), checked: sizes, types, existence, the actor chairs them."""
    if not isinstance(selection, dict) or not selection:
        raise ValidationError("selection_empty", field="selection")
    if len(selection) > MAX_BULK:
        raise ValidationError("selection_too_large", field="selection", maximum=MAX_BULK)
    for key, version in selection.items():
        if isinstance(key, bool) or not isinstance(key, int) or (
                version is not None and (isinstance(version, bool) or not isinstance(version, int))):
            raise NotFound("allocation_not_found")
    ids = sorted(selection)
    tables = dict(session.execute(select(Allocation.id, Project.table_id).join(Need, Allocation.need_id == Need.id)
                                  .join(Project, Need.project_id == Project.id).where(Allocation.id.in_(ids))).all())
    if len(tables) != len(ids):
        raise NotFound("allocation_not_found", allocation_id=min(set(ids) - set(tables)))
    require_chair_of(session, actor_id, set(tables.values()))
    return ids, tables


def _locked(session: Session, ids: list[int]) -> list[Allocation]:
    ends = session.execute(select(Allocation.pledge_id, Allocation.need_id).where(Allocation.id.in_(ids))).all()
    lock_rows(session, Pledge, {p for p, _n in ends})       # LOCK_ORDER: pledges, allocations, needs
    lock_rows(session, Allocation, ids)
    lock_rows(session, Need, {n for _p, n in ends})
    return list(session.scalars(select(Allocation).where(Allocation.id.in_(ids)).order_by(Allocation.id)
                                .execution_options(populate_existing=True)))


# --- paying a money pledge (issue 20 item 14) ---------------------------------------------------------

MAX_INSTRUCTIONS = 1000
MIN_REFERENCE, MAX_REFERENCE = 4, 40
_REFERENCE_FOLD = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def payment_instructions(session: Session, table_id: int) -> tuple[str, str] | None:
    """(Persian, English) instructions for paying a table's accepted money, or None when none are set."""
    row = session.scalar(select(TablePayment).where(TablePayment.table_id == table_id))
    if row is None or not (row.instructions_fa.strip() or row.instructions_en.strip()):
        return None
    return row.instructions_fa, row.instructions_en


def set_payment_instructions(session: Session, actor_id: int, table_id: object, instructions_fa: object,
                             instructions_en: object = "") -> TablePayment:
    """The governorate sets where citizens pay a table's accepted money (an account, a card number, a link)."""
    require_governorate(session, actor_id)
    if isinstance(table_id, bool) or not isinstance(table_id, int) or session.get(Table, table_id) is None:
        raise NotFound("table_not_found")
    texts = []
    for value, field_name in ((instructions_fa, "instructions_fa"), (instructions_en, "instructions_en")):
        text = value.strip() if isinstance(value, str) else ""
        if len(text) > MAX_INSTRUCTIONS:
            raise ValidationError("instructions_too_long", field=field_name, maximum=MAX_INSTRUCTIONS)
        texts.append(text)
    row = session.scalar(select(TablePayment).where(TablePayment.table_id == table_id))
    before = snapshot(row, ["instructions_fa", "instructions_en"]) if row is not None else None
    if row is None:
        row = TablePayment(table_id=table_id)
        session.add(row)
    row.instructions_fa, row.instructions_en = texts
    row.updated_by_id, row.updated_at = actor_id, utcnow()
    record(session, actor_id, "table.payment_instructions_set", row, before=before, table_id=table_id)
    return row


def report_payment(session: Session, citizen_id: int, allocation_id: object, reference: object) -> AllocationPayment:
    """The citizen records the bank reference of paying an accepted money contribution of theirs."""
    text = reference.translate(_REFERENCE_FOLD).strip() if isinstance(reference, str) else ""
    text = "".join(text.split())
    if not text:
        raise ValidationError("reference_required", field="reference")
    if not (MIN_REFERENCE <= len(text) <= MAX_REFERENCE) or not all(ch.isascii() and (ch.isalnum() or ch in "-/")
                                                                   for ch in text):
        raise ValidationError("reference_invalid", field="reference", minimum=MIN_REFERENCE, maximum=MAX_REFERENCE)
    if isinstance(allocation_id, bool) or not isinstance(allocation_id, int):
        raise NotFound("allocation_not_found")
    alloc = session.get(Allocation, allocation_id)
    if alloc is None or alloc.pledge.citizen_id != citizen_id:
        raise NotFound("allocation_not_found")
    if alloc.need.kind is not HelpKind.FINANCIAL:
        raise Conflict("payment_not_money")
    if alloc.status is not AllocationStatus.ACCEPTED:
        raise Conflict("allocation_not_accepted", status=alloc.status.value)
    row = session.scalar(select(AllocationPayment).where(AllocationPayment.allocation_id == alloc.id))
    before = snapshot(row, ["reference"]) if row is not None else None
    if row is None:
        row = AllocationPayment(allocation_id=alloc.id, reference=text, reported_by_id=citizen_id)
        session.add(row)
    row.reference, row.reported_at = text, utcnow()
    record(session, citizen_id, "allocation.payment_reported", row, before=before, table_id=alloc.need.project.table_id)
    chair_id = alloc.need.project.table.chair_id
    if chair_id is not None:  # the chair confirms receipt, so they hear of the report (issue 20 field test)
        notify(session, chair_id, "payment_reported", allocation_id=alloc.id, reference=text, **_title(alloc))
    return row


def payments_of(session: Session, allocation_ids: list[int]) -> list[AllocationPayment]:
    """The payment reports of these allocations (one query)."""
    return list(session.scalars(select(AllocationPayment).where(AllocationPayment.allocation_id.in_(allocation_ids))))


def payment_of(session: Session, allocation_id: int) -> AllocationPayment | None:
    return session.scalar(select(AllocationPayment).where(AllocationPayment.allocation_id == allocation_id))


def confirm_payment(session: Session, actor_id: int, allocation_id: object, expected_version: int | None = None,
                    today: date | None = None) -> Allocation:
    """The chair confirms the money reached the table: the allocation is delivered today, the reference noted."""
    if isinstance(allocation_id, bool) or not isinstance(allocation_id, int):
        raise NotFound("allocation_not_found")
    row = payment_of(session, allocation_id)
    if row is None:
        table_id = table_of_allocation(session, allocation_id)
        if table_id is None:
            raise NotFound("allocation_not_found")
        require_chair_of(session, actor_id, table_id)
        raise Conflict("payment_not_reported")
    day = today or county_today()
    alloc = mark_delivered(session, actor_id, allocation_id, day, f"bank reference {row.reference}",
                           expected_version, today=day)
    before = snapshot(row, ["confirmed_at"])
    row.confirmed_by_id, row.confirmed_at = actor_id, utcnow()
    record(session, actor_id, "allocation.payment_confirmed", row, before=before, table_id=alloc.need.project.table_id)
    return alloc


def accept_many(session: Session, actor_id: int, selection: object) -> list[Allocation]:
    """Accept several proposals at once, all or nothing: `selection` maps allocation id -> the version seen.

    Every allocation must be a proposal of a table the actor chairs and unchanged since it was seen;
    otherwise nothing is accepted and the error names the first allocation that failed.
    """
    ids, tables = _selection(session, actor_id, selection)
    assert isinstance(selection, dict)  # _selection refused anything else
    ends = session.execute(select(Allocation.pledge_id, Allocation.need_id).where(Allocation.id.in_(ids))).all()
    lock_rows(session, Pledge, {p for p, _n in ends})       # LOCK_ORDER: pledges, allocations, needs
    lock_rows(session, Allocation, ids)
    lock_rows(session, Need, {n for _p, n in ends})
    allocs = list(session.scalars(select(Allocation).where(Allocation.id.in_(ids)).order_by(Allocation.id)
                                  .execution_options(populate_existing=True)))
    for alloc in allocs:
        expected = selection[alloc.id]
        if expected is not None and alloc.version != expected:
            raise Conflict("allocation_changed", status=alloc.status.value, allocation_id=alloc.id)
        if alloc.status is not AllocationStatus.PROPOSED:
            raise Conflict("allocation_not_proposed", status=alloc.status.value, allocation_id=alloc.id)
    now = utcnow()
    for alloc in allocs:
        before = snapshot(alloc, ["status"])
        alloc.status = AllocationStatus.ACCEPTED
        alloc.decided_by_id = actor_id
        alloc.decided_at = now
        record(session, actor_id, "allocation.accepted", alloc, before=before, table_id=tables[alloc.id])
    assert_within_capacity(session, {a.pledge_id for a in allocs}, {a.need_id for a in allocs})
    refresh_pledge_statuses(session, actor_id, {a.pledge_id for a in allocs})
    for alloc in allocs:
        notify(session, alloc.pledge.citizen_id, "allocation_accepted", allocation_id=alloc.id, **_title(alloc))
    return allocs


# --- what the chair's page reads ---------------------------------------------------------------


@dataclass
class DecisionItem:
    """One allocation as the chair sees it: the pledge, the solver's reasons, the citizen's preference."""

    allocation_id: int
    version: int
    status: str
    quantity: int
    kind: str
    need_id: int
    need_description: str
    need_quantity: int
    pledge_id: int
    pledge_quantity: int
    pledge_description: str
    citizen_name: str
    district_fa: str | None
    district_en: str | None
    skills: list[tuple[str, str]]          # (fa, en) names
    reasons: list[str]                      # the solver's reason strings (the page words them)
    score: float
    prefers_table: bool                     # the citizen named this table among their tables
    only_tables: bool                       # ... and asked for "only these tables"
    divisible: bool
    decided_at: datetime | None = None
    reject_reason: str | None = None
    delivered_at: date | None = None
    delivery_note: str | None = None
    payment_reference: str | None = None    # a money contribution the citizen reports having paid
    payment_reported_at: datetime | None = None


@dataclass
class ProjectGroup:
    project_id: int
    title_fa: str
    title_en: str
    priority: int
    items: list[DecisionItem] = field(default_factory=list)


@dataclass
class DecisionPage:
    total: int
    groups: list[ProjectGroup]


def _public_name(user) -> str:
    return user.name if getattr(user, "show_name_publicly", True) else ""


def _items_query(table_id: int, statuses: tuple[AllocationStatus, ...]):
    return (select(Allocation).join(Need, Allocation.need_id == Need.id).join(Project, Need.project_id == Project.id)
            .where(Project.table_id == table_id, Allocation.status.in_(statuses)))


_SEARCH_FOLD = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩يك", "01234567890123456789یک")


def _searched(stmt, query: object):
    """Narrow an allocation query to a text: the citizen's name, the project's titles, the descriptions, the number."""
    text = " ".join(query.split())[:MAX_QUERY] if isinstance(query, str) else ""
    if not text:
        return stmt
    text = text.translate(_SEARCH_FOLD)
    like = f"%{text.lower()}%"
    citizen = aliased(User, name="search_citizen")
    pledge = aliased(Pledge, name="search_pledge")
    conditions: list[ColumnElement[bool]] = [func.lower(citizen.name).like(like), func.lower(Project.title_fa).like(like),
                  func.lower(func.coalesce(Project.title_en, "")).like(like),
                  func.lower(func.coalesce(Need.description, "")).like(like),
                  func.lower(func.coalesce(pledge.description, "")).like(like)]
    if text.isdigit():
        conditions.append(Allocation.id == int(text))
    return (stmt.join(pledge, pledge.id == Allocation.pledge_id).join(citizen, citizen.id == pledge.citizen_id)
            .where(or_(*conditions)))


def _load(query):
    return query.options(selectinload(Allocation.pledge).selectinload(Pledge.citizen),
                         selectinload(Allocation.pledge).selectinload(Pledge.skills),
                         selectinload(Allocation.pledge).selectinload(Pledge.tables),
                         selectinload(Allocation.pledge).selectinload(Pledge.district),
                         selectinload(Allocation.need).selectinload(Need.project))


def _item(alloc: Allocation, table_id: int) -> DecisionItem:
    pledge, need = alloc.pledge, alloc.need
    district = pledge.district
    return DecisionItem(
        allocation_id=alloc.id, version=alloc.version, status=alloc.status.value, quantity=alloc.quantity,
        kind=need.kind.value, need_id=need.id, need_description=need.description or "", need_quantity=need.quantity,
        pledge_id=pledge.id, pledge_quantity=pledge.quantity - pledge.withdrawn_quantity,
        pledge_description=pledge.description or "", citizen_name=_public_name(pledge.citizen),
        district_fa=district.name_fa if district else None, district_en=district.name_en if district else None,
        skills=[(sk.name_fa, sk.name_en) for sk in pledge.skills], reasons=list(alloc.reasons or []),
        score=float(alloc.score or 0.0), prefers_table=any(t.id == table_id for t in pledge.tables),
        only_tables=bool(pledge.only_tables), divisible=bool(pledge.divisible), decided_at=alloc.decided_at,
        reject_reason=alloc.reject_reason, delivered_at=alloc.delivered_at, delivery_note=alloc.delivery_note)


def _grouped(allocs: list[Allocation], table_id: int) -> list[ProjectGroup]:
    groups: dict[int, ProjectGroup] = {}
    for alloc in allocs:
        project = alloc.need.project
        group = groups.get(project.id)
        if group is None:
            group = groups[project.id] = ProjectGroup(project.id, project.title_fa, project.title_en or project.title_fa,
                                                      project.priority)
        group.items.append(_item(alloc, table_id))
    return list(groups.values())


def review_page(session: Session, table_id: int, *, offset: int = 0, limit: int = 25,
                statuses: tuple[AllocationStatus, ...] = (AllocationStatus.PROPOSED,), query: str = "") -> DecisionPage:
    """One page of a table's allocations in `statuses` (proposals by default), grouped by project.

    Order: the project's priority (highest first), the project, the need, the largest quantity.
    """
    base = _searched(_items_query(table_id, statuses), query)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    allocs = list(session.scalars(_load(base.order_by(Project.priority.desc(), Project.id, Allocation.need_id,
                                                      Allocation.quantity.desc(), Allocation.id)
                                        .offset(max(0, offset)).limit(max(1, min(limit, 100))))))
    groups = _grouped(allocs, table_id)
    if AllocationStatus.ACCEPTED in statuses and allocs:
        paid = {p.allocation_id: p for p in session.scalars(select(AllocationPayment).where(
            AllocationPayment.allocation_id.in_([a.id for a in allocs])))}
        for group in groups:
            for item in group.items:
                if item.allocation_id in paid:
                    item.payment_reference = paid[item.allocation_id].reference
                    item.payment_reported_at = paid[item.allocation_id].reported_at
    return DecisionPage(total=total, groups=groups)


MAX_QUERY = 100


def awaiting_delivery(session: Session, table_id: int, *, offset: int = 0, limit: int = 25,
                      query: str = "") -> DecisionPage:
    """Accepted allocations not yet delivered: what the chair marks delivered, a page at a time.

    `query` narrows them to a citizen's name, a project's title, the need's or the pledge's description,
    or the allocation's number.
    """
    return review_page(session, table_id, offset=offset, limit=limit, statuses=(AllocationStatus.ACCEPTED,),
                       query=query)


def recent_decisions(session: Session, table_id: int, limit: int = 10) -> list[tuple[DecisionItem, str, str]]:
    """The table's latest decisions (accepted, rejected, delivered), newest first, with the project's titles."""
    allocs = list(session.scalars(_load(
        _items_query(table_id, (AllocationStatus.ACCEPTED, AllocationStatus.REJECTED, AllocationStatus.DELIVERED))
        .where(Allocation.decided_at.is_not(None))
        .order_by(Allocation.decided_at.desc(), Allocation.id.desc()).limit(limit))))
    return [(_item(a, table_id), a.need.project.title_fa, a.need.project.title_en or a.need.project.title_fa)
            for a in allocs]


def pending_count(session: Session, table_id: int,
                  status: AllocationStatus = AllocationStatus.PROPOSED) -> int:
    """How many of the table's allocations are in `status` (proposals by default; ACCEPTED: awaiting delivery)."""
    return session.scalar(select(func.count()).select_from(_items_query(
        table_id, (status,)).subquery())) or 0


def as_page(alloc: Allocation, table_id: int) -> DecisionPage:
    """One allocation just decided, grouped as the lists show it (read from what the decision loaded)."""
    return DecisionPage(total=1, groups=_grouped([alloc], table_id))


def review_queue(session: Session, table_id: int, *, offset: int = 0, limit: int = 50) -> list[Allocation]:
    """Proposals awaiting the chair of `table_id`, grouped by project, largest first."""
    return list(session.scalars(
        select(Allocation).join(Need).join(Project)
        .where(Project.table_id == table_id, Allocation.status == AllocationStatus.PROPOSED)
        .order_by(Project.id, Allocation.need_id, Allocation.quantity.desc(), Allocation.id)
        .offset(offset).limit(limit)
        .options(selectinload(Allocation.pledge).selectinload(Pledge.citizen),
                 selectinload(Allocation.pledge).selectinload(Pledge.skills),
                 selectinload(Allocation.pledge).selectinload(Pledge.tables),
                 selectinload(Allocation.need).selectinload(Need.project))))
