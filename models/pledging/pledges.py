"""Citizens' side of the domain: making a pledge, withdrawing its open remainder, following its story.

Imports sqlalchemy and models only. Inputs arrive already parsed to Python values (the page turns
Persian digits and toman into integers); every rule about what a pledge may be lives here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.audit.log import record, record_many, snapshot
from models.core import form_tokens
from models.core.capacity import lock_rows, pledge_usage, refresh_pledge_statuses
from models.core.clock import county_today
from models.core.enums import AllocationStatus, DistrictLevel, HelpKind, ProjectStatus
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.validation import (
    SKILLED_KINDS,
    help_kind,
    validate_quantity,
    validate_window,
)
from models.orm.geo import District
from models.orm.items import LogisticsItem
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.skills import Skill
from models.orm.tables import Table

MAX_DESCRIPTION = 200
MATCHABLE_STATUSES = (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)  # projects a pledge may choose


@dataclass(frozen=True)
class PledgeInput:
    kind: str
    quantity: int
    district_id: int | None = None
    window_start: date | None = None
    window_end: date | None = None
    skill_ids: tuple[int, ...] = ()
    table_ids: tuple[int, ...] = ()
    only_tables: bool = False
    divisible: bool = True
    description: str = ""
    item_id: int | None = None         # logistics: the catalogue item offered (required)
    project_id: int | None = None      # a chosen project: preferred, or with only_project the only one
    only_project: bool = False


def _ids_exist(session: Session, model, ids: tuple[int, ...], code: str, field: str, extra=None) -> list:
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise ValidationError(code, field=field)
    wanted = sorted(set(ids))
    q = select(model).where(model.id.in_(wanted))
    if extra is not None:
        q = q.where(extra)
    found = list(session.scalars(q.order_by(model.id)))
    if len(found) != len(wanted):
        raise ValidationError(code, field=field)
    return found


@dataclass(frozen=True)
class CheckedPledge:
    """A pledge that passed every rule, with the rows it refers to (for the review step and for storing)."""

    data: PledgeInput
    kind: HelpKind
    district: District | None
    skills: list[Skill]
    tables: list[Table]
    item: LogisticsItem | None = None
    project: Project | None = None


def validate_pledge(session: Session, citizen_id: int, data: PledgeInput, *, today: date | None = None) -> CheckedPledge:
    """Every rule a new pledge must meet, without writing anything. Raises ValidationError naming the field."""
    kind = help_kind(data.kind)
    quantity = validate_quantity(kind, data.quantity)
    validate_window(data.window_start, data.window_end)
    if data.window_end is not None and data.window_end < (today or county_today()):
        raise ValidationError("window_in_past", field="window")
    for ids, code, field in ((data.skill_ids, "skill_unknown", "skills"), (data.table_ids, "table_unknown", "tables")):
        if not isinstance(ids, (tuple, list)):
            raise ValidationError(code, field=field)
    citizen = session.get(User, citizen_id) if isinstance(citizen_id, int) else None
    if citizen is None or not citizen.is_active:
        raise PermissionDenied("account_inactive")
    district = None
    if data.district_id is not None:
        district = _ids_exist(session, District, (data.district_id,), "district_unknown", "district",
                              District.level != DistrictLevel.COUNTY)[0]
    skills = _ids_exist(session, Skill, tuple(data.skill_ids), "skill_unknown", "skills")
    if skills and kind not in SKILLED_KINDS:
        raise ValidationError("skills_not_for_kind", field="skills")
    tables = _ids_exist(session, Table, tuple(data.table_ids), "table_unknown", "tables", Table.archived_at.is_(None))
    if data.only_tables and not tables:
        raise ValidationError("only_tables_without_tables", field="tables")
    description = data.description.strip() if isinstance(data.description, str) else ""
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError("description_too_long", field="description", maximum=MAX_DESCRIPTION)
    item, project = _item_and_project(session, kind, data)
    clean = replace(data, kind=kind.value, quantity=quantity, description=description,
                    skill_ids=tuple(s.id for s in skills), table_ids=tuple(t.id for t in tables),
                    only_tables=bool(data.only_tables),
                    divisible=bool(data.divisible) or kind is HelpKind.FINANCIAL,
                    item_id=item.id if item else None, project_id=project.id if project else None,
                    only_project=bool(data.only_project) and project is not None)
    return CheckedPledge(clean, kind, district, skills, tables, item, project)


def _item_and_project(session: Session, kind: HelpKind, data: PledgeInput) -> tuple:
    """The catalogue item (logistics: required, the others: none) and the chosen project (issue 16 items 1-2).

    "Only this project" needs a project open to help with a need of the pledge's kind (for logistics, one
    asking for this item or accepting it): otherwise the pledge could never be matched."""
    item = None
    if kind is HelpKind.LOGISTICS:
        if data.item_id is None:
            raise ValidationError("item_required", field="item")
        if isinstance(data.item_id, bool) or not isinstance(data.item_id, int):
            raise ValidationError("item_unknown", field="item")
        item = session.get(LogisticsItem, data.item_id)
        if item is None or not item.active:
            raise ValidationError("item_unknown", field="item")
    elif data.item_id is not None:
        raise ValidationError("item_not_for_kind", field="item")
    if data.project_id is None:
        if data.only_project:
            raise ValidationError("only_project_without_project", field="project")
        return item, None
    if isinstance(data.project_id, bool) or not isinstance(data.project_id, int):
        raise ValidationError("project_unknown", field="project")
    project = session.get(Project, data.project_id)
    if project is None or project.status not in MATCHABLE_STATUSES:
        raise ValidationError("project_unknown", field="project")
    if data.only_project:
        fits = [n for n in project.needs if n.removed_at is None and n.kind is kind and (
            item is None or n.item_id == item.id or any(a.id == item.id for a in n.accepts))]
        if not fits:
            raise ValidationError("project_has_no_such_need", field="project")
    return item, project


def create_pledge(session: Session, citizen_id: int, data: PledgeInput, *, today: date | None = None,
                  token: str | None = None) -> Pledge:
    """Validate and store a new pledge; audited. Raises ValidationError naming the field.

    `token` is the form's one-time token (models.core.form_tokens): when it already made a pledge
    (pressing again after a timeout), that pledge is returned and nothing new is stored.
    """
    made = form_tokens.made_with(session, citizen_id, token, "pledge")
    if made is not None:
        earlier = session.get(Pledge, made)
        if earlier is not None:
            return earlier
    checked = validate_pledge(session, citizen_id, data, today=today)
    clean = checked.data
    pledge = Pledge(citizen_id=citizen_id, kind=checked.kind, quantity=clean.quantity, district_id=clean.district_id,
                    window_start=clean.window_start, window_end=clean.window_end, only_tables=clean.only_tables,
                    divisible=clean.divisible, description=clean.description, item_id=clean.item_id,
                    project_id=clean.project_id, only_project=clean.only_project)
    pledge.skills = checked.skills
    pledge.tables = checked.tables
    session.add(pledge)
    record(session, citizen_id, "pledge.created", pledge)
    form_tokens.remember(session, citizen_id, token, "pledge", pledge.id)
    return pledge


def own_pledge(session: Session, citizen_id: int, pledge_id: object, *, lock: bool = False) -> Pledge:
    if isinstance(pledge_id, bool) or not isinstance(pledge_id, int):
        raise NotFound("pledge_not_found")
    if lock:
        lock_rows(session, Pledge, [pledge_id])
    pledge = session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound("pledge_not_found")
    if pledge.citizen_id != citizen_id:
        raise PermissionDenied("not_your_pledge")
    return pledge


def withdrawable(session: Session, pledge: Pledge) -> int:
    """What the citizen may take back: all that is not accepted or delivered."""
    decided = sum(a.quantity for a in pledge.allocations
                  if a.status in (AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED))
    return pledge.quantity - pledge.withdrawn_quantity - decided


def withdraw_remainder(session: Session, citizen_id: int, pledge_id: object, expected: object = None) -> int:
    """Take back the open and merely proposed part of one's own pledge; accepted parts stay.

    `expected` is the amount the citizen was shown and confirmed; if a chair's decision changed it
    in the meantime, Conflict("withdrawable_changed") and nothing happens.
    """
    pledge = own_pledge(session, citizen_id, pledge_id, lock=True)
    amount = withdrawable(session, pledge)
    if amount <= 0:
        raise ValidationError("nothing_to_withdraw")
    if expected is not None and expected != amount:
        raise Conflict("withdrawable_changed", amount=amount)
    before = snapshot(pledge, ["withdrawn_quantity", "status"])
    proposals = [a for a in pledge.allocations if a.status is AllocationStatus.PROPOSED]
    for alloc in proposals:
        alloc.status = AllocationStatus.WITHDRAWN
    record_many(session, citizen_id, "allocation.withdrawn_by_citizen", proposals,
                table_of=lambda a: a.need.project.table_id)
    pledge.withdrawn_quantity += amount
    record(session, citizen_id, "pledge.withdrawn", pledge, before=before,
           after={"withdrawn_quantity": pledge.withdrawn_quantity, "amount": amount})
    refresh_pledge_statuses(session, citizen_id, [pledge.id])
    return amount


@dataclass(frozen=True)
class PledgeStory:
    pledge: Pledge
    remaining: int          # open, not proposed or decided
    withdrawable: int
    allocations: list[Allocation]


def pledges_of(session: Session, citizen_id: int, *, offset: int = 0, limit: int = 20) -> list[PledgeStory]:
    """A citizen's pledges, newest first, each with the story of its parts (one query per list)."""
    pledges = list(session.scalars(
        select(Pledge).where(Pledge.citizen_id == citizen_id).order_by(Pledge.id.desc()).offset(offset).limit(limit)
        .options(selectinload(Pledge.allocations).selectinload(Allocation.need).selectinload(Need.project)
                 .selectinload(Project.table),
                 selectinload(Pledge.skills), selectinload(Pledge.tables), selectinload(Pledge.district),
                 selectinload(Pledge.project), selectinload(Pledge.item))))
    usage = pledge_usage(session, [p.id for p in pledges])
    return [PledgeStory(pledge=p, remaining=p.quantity - p.withdrawn_quantity - usage[p.id][0],
                        withdrawable=withdrawable(session, p), allocations=list(p.allocations)) for p in pledges]


def count_pledges_of(session: Session, citizen_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Pledge).where(Pledge.citizen_id == citizen_id)) or 0
