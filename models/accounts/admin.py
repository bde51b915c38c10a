"""The governorate's administration: tables (create, edit, archive), members, users and their roles.

Imports sqlalchemy and models only. Every operation checks that the actor is governorate staff,
validates, and is audited in the caller's transaction. History is never deleted: archiving keeps a
table's projects and decisions; removing a member sets `left_at`; a user with pledges (or any other
trace in the records) is deactivated, never deleted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from models.accounts.deletion import is_deleted_account
from models.accounts.password_reset import revoke_open_links
from models.audit.log import record, record_many, snapshot
from models.core.capacity import lock_rows, refresh_pledge_statuses
from models.core.enums import AllocationStatus, MemberBackground
from models.core.errors import Conflict, NotFound, ValidationError
from models.core.permissions import require_governorate
from models.core.system_accounts import is_system_account, system_user_ids
from models.orm.base import utcnow
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table, TableMembership

NAME_MAX = 160
DESCRIPTION_MAX = 4000
AFFILIATION_MAX = 200
# What archiving does with proposals still awaiting the table's chair.
KEEP_PROPOSALS = "keep"
WITHDRAW_PROPOSALS = "withdraw"


def _id(value: object, code: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotFound(code)
    return value


def _table(session: Session, table_id: object) -> Table:
    table = session.get(Table, _id(table_id, "table_not_found"))
    if table is None:
        raise NotFound("table_not_found")
    return table


def _user(session: Session, user_id: object) -> User:
    user = session.get(User, _id(user_id, "user_not_found"))
    if user is None:
        raise NotFound("user_not_found")
    return user


def _text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    text = " ".join(value.split()) if isinstance(value, str) and field.startswith("name") else (
        value.strip() if isinstance(value, str) else "")
    if required and not text:
        raise ValidationError("field_required", field=field)
    if len(text) > limit:
        raise ValidationError("text_too_long", field=field, maximum=limit)
    return text


# --- tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableInput:
    name_fa: str
    name_en: str
    description_fa: str = ""
    description_en: str = ""


def _slug(session: Session, name_en: str, table_id: int | None = None) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name_en.lower()).strip("-")[:50] or "table"
    slug, n = base, 1
    while session.scalar(select(Table.id).where(Table.slug == slug, Table.id != (table_id or 0))):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _table_fields(session: Session, data: TableInput, table_id: int | None = None) -> dict:
    fields = {
        "name_fa": _text(data.name_fa, "name_fa", NAME_MAX, required=True),
        "name_en": _text(data.name_en, "name_en", NAME_MAX, required=True),
        "description_fa": _text(data.description_fa, "description_fa", DESCRIPTION_MAX),
        "description_en": _text(data.description_en, "description_en", DESCRIPTION_MAX),
    }
    for field in ("name_fa", "name_en"):
        clash = session.scalar(select(Table.id).where(func.lower(getattr(Table, field)) == fields[field].lower(),
                                                      Table.id != (table_id or 0)))
        if clash:
            raise ValidationError("table_name_taken", field=field)
    return fields


def create_table(session: Session, actor_id: int, data: TableInput) -> Table:
    require_governorate(session, actor_id)
    fields = _table_fields(session, data)
    slug = _slug(session, fields["name_en"])
    table = Table(slug=slug, domain=slug.replace("-", "_"), **fields)
    session.add(table)
    record(session, actor_id, "table.created", table)
    return table


def update_table(session: Session, actor_id: int, table_id: object, data: TableInput) -> Table:
    require_governorate(session, actor_id)
    table = _table(session, table_id)
    fields = _table_fields(session, data, table.id)
    before = snapshot(table, list(fields))
    changed = {k: v for k, v in fields.items() if getattr(table, k) != v}
    if changed:
        for k, v in changed.items():
            setattr(table, k, v)
        record(session, actor_id, "table.updated", table, before={k: before[k] for k in changed}, after=changed,
               table_id=table.id)
    return table


def open_proposals_of_table(session: Session, table_id: int) -> int:
    return int(session.scalar(
        select(func.count()).select_from(Allocation).join(Need, Need.id == Allocation.need_id)
        .join(Project, Project.id == Need.project_id)
        .where(Project.table_id == table_id, Allocation.status == AllocationStatus.PROPOSED)) or 0)


def archive_table(session: Session, actor_id: int, table_id: object, proposals: str | None = None) -> Table:
    """Archive a table (it keeps its history). With proposals awaiting its chair, say what to do:
    `"withdraw"` them (the pledges are free again) or `"keep"` them for the chair to decide."""
    require_governorate(session, actor_id)
    table = _table(session, table_id)
    lock_rows(session, Table, [table.id])
    if table.archived_at is not None:
        raise Conflict("table_archived")
    waiting = open_proposals_of_table(session, table.id)
    if waiting and proposals not in (KEEP_PROPOSALS, WITHDRAW_PROPOSALS):
        raise Conflict("table_has_open_proposals", count=waiting)
    table.archived_at = utcnow()
    record(session, actor_id, "table.archived", table, before={"archived_at": None},
           after={"archived_at": table.archived_at.isoformat(), "proposals": proposals if waiting else None,
                  "open_proposals": waiting}, table_id=table.id)
    if waiting and proposals == WITHDRAW_PROPOSALS:
        released = list(session.scalars(
            select(Allocation).join(Need, Need.id == Allocation.need_id).join(Project, Project.id == Need.project_id)
            .where(Project.table_id == table.id, Allocation.status == AllocationStatus.PROPOSED)
            .order_by(Allocation.id)))
        lock_rows(session, Pledge, {a.pledge_id for a in released})
        for alloc in released:
            alloc.status = AllocationStatus.WITHDRAWN
        record_many(session, actor_id, "allocation.released_by_archive", released, table_of=lambda a: table.id)
        refresh_pledge_statuses(session, actor_id, {a.pledge_id for a in released})
    return table


def unarchive_table(session: Session, actor_id: int, table_id: object) -> Table:
    require_governorate(session, actor_id)
    table = _table(session, table_id)
    if table.archived_at is None:
        raise Conflict("table_not_archived")
    before = {"archived_at": table.archived_at.isoformat()}
    table.archived_at = None
    record(session, actor_id, "table.unarchived", table, before=before, after={"archived_at": None},
           table_id=table.id)
    return table


@dataclass(frozen=True)
class TableRow:
    id: int
    name_fa: str
    name_en: str
    description_fa: str
    description_en: str
    archived: bool
    members: int
    projects: int
    open_proposals: int
    chair_name: str | None


def tables_overview(session: Session) -> list[TableRow]:
    """Every table (archived last) with member, project and open-proposal counts, in three GROUP BYs."""
    members = dict(session.execute(select(TableMembership.table_id, func.count())
                                   .where(TableMembership.left_at.is_(None)).group_by(TableMembership.table_id)).all())
    projects = dict(session.execute(select(Project.table_id, func.count()).group_by(Project.table_id)).all())
    proposals = dict(session.execute(
        select(Project.table_id, func.count()).select_from(Allocation).join(Need, Need.id == Allocation.need_id)
        .join(Project, Project.id == Need.project_id).where(Allocation.status == AllocationStatus.PROPOSED)
        .group_by(Project.table_id)).all())
    rows = session.execute(select(Table, User.name).outerjoin(User, User.id == Table.chair_id)
                           .order_by(Table.archived_at.is_not(None), Table.id)).all()
    return [TableRow(t.id, t.name_fa, t.name_en, t.description_fa, t.description_en, t.archived_at is not None,
                     int(members.get(t.id, 0)), int(projects.get(t.id, 0)), int(proposals.get(t.id, 0)), chair)
            for t, chair in rows]


# --- members -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    membership_id: int
    user_id: int
    name: str
    background: MemberBackground
    affiliation: str
    is_chair: bool


def members_of(session: Session, table_id: int) -> list[MemberRow]:
    chair_id = session.scalar(select(Table.chair_id).where(Table.id == table_id))
    rows = session.execute(select(TableMembership, User.name).join(User, User.id == TableMembership.user_id)
                           .where(TableMembership.table_id == table_id, TableMembership.left_at.is_(None))
                           .order_by(User.name, User.id)).all()
    return [MemberRow(m.id, m.user_id, name, m.background, m.affiliation, m.user_id == chair_id) for m, name in rows]


def add_member(session: Session, actor_id: int, table_id: object, user_id: object,
               background: str = MemberBackground.FIELD.value, affiliation: str = "") -> TableMembership:
    require_governorate(session, actor_id)
    table = _table(session, table_id)
    if table.archived_at is not None:
        raise Conflict("table_archived")
    user = _user(session, user_id)
    if not user.is_active:
        raise Conflict("account_inactive")
    try:
        bg = MemberBackground(background)
    except ValueError:
        raise ValidationError("background_unknown", field="background") from None
    affiliation = _text(affiliation, "affiliation", AFFILIATION_MAX)
    membership = session.scalar(select(TableMembership).where(TableMembership.table_id == table.id,
                                                              TableMembership.user_id == user.id))
    if membership is not None and membership.left_at is None:
        raise Conflict("already_member")
    if membership is None:
        membership = TableMembership(table_id=table.id, user_id=user.id, background=bg, affiliation=affiliation,
                                     joined_at=utcnow())
        session.add(membership)
        record(session, actor_id, "table.member_added", membership, table_id=table.id)
    else:  # a former member rejoins: the same row, so the unique (table, user) pair holds
        before = snapshot(membership, ["left_at", "background", "affiliation", "joined_at"])
        membership.left_at = None
        membership.background = bg
        membership.affiliation = affiliation
        membership.joined_at = utcnow()
        record(session, actor_id, "table.member_added", membership, before=before, table_id=table.id)
    return membership


def remove_member(session: Session, actor_id: int, table_id: object, user_id: object) -> TableMembership:
    """The member leaves (left_at is set; the row stays). A chair who leaves is no longer chair."""
    require_governorate(session, actor_id)
    table = _table(session, table_id)
    membership = session.scalar(select(TableMembership).where(
        TableMembership.table_id == table.id, TableMembership.user_id == _id(user_id, "user_not_found"),
        TableMembership.left_at.is_(None)))
    if membership is None:
        raise NotFound("member_not_found")
    membership.left_at = utcnow()
    record(session, actor_id, "table.member_removed", membership, before={"left_at": None},
           after={"left_at": membership.left_at.isoformat()}, table_id=table.id)
    if table.chair_id == membership.user_id:
        before = snapshot(table, ["chair_id", "chair_term_end"])
        table.chair_id = None
        table.chair_term_end = utcnow()
        record(session, actor_id, "table.chair_changed", table, before=before,
               after={"chair_id": None, "chair_term_end": table.chair_term_end.isoformat()}, table_id=table.id)
    return membership


# --- users -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    phone: str | None
    email: str | None
    is_governorate: bool
    is_active: bool
    pledges: int
    # Telling apart people of the same name (issue 20): where they live (the resident register's district,
    # else the district of their latest pledge that names one) and the tables they chair or sit on.
    district: tuple[str, str] | None = None            # (name_fa, name_en)
    tables: tuple[tuple[str, str, bool], ...] = ()      # (name_fa, name_en, chairs it)


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_users(session: Session, query: str = "", *, page: int = 1, per_page: int = 20,
                 governorate_only: bool = False) -> UserPage:
    """Users whose name, phone or e-mail contains `query` (any digits), with their pledge counts."""
    from models.accounts.users import to_latin_digits

    text = to_latin_digits((query or "").strip()).lower()
    stmt = select(User.id)
    if text:
        like = f"%{text}%"
        digits = re.sub(r"\D", "", text)
        conditions: list[ColumnElement[bool]] = [func.lower(User.name).like(like), func.lower(func.coalesce(User.email, "")).like(like)]
        if len(digits) >= 3:
            conditions.append(func.coalesce(User.phone, "").like(f"%{digits.lstrip('0')}%"))
        if text.isdigit():
            conditions.append(User.id == int(text))
        stmt = stmt.where(or_(*conditions))
    if governorate_only:
        stmt = stmt.where(User.is_governorate.is_(True))
    stmt = stmt.where(User.id.not_in(system_user_ids()))  # the PB budget's account is not a person
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    per_page = max(1, min(int(per_page), 100))
    pages = max(1, -(-total // per_page))
    page = max(1, min(int(page), pages))
    counts = (select(Pledge.citizen_id, func.count().label("n")).group_by(Pledge.citizen_id).subquery())
    rows = session.execute(
        select(User.id, User.name, User.phone, User.email, User.is_governorate, User.is_active,
               func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.citizen_id == User.id).where(User.id.in_(stmt))
        .order_by(User.name, User.id).offset((page - 1) * per_page).limit(per_page)).all()
    ids = [r[0] for r in rows]
    districts, tables = _districts_of(session, ids), _tables_of(session, ids)
    return UserPage([UserRow(i, n, ph, em, bool(g), bool(a), int(c), districts.get(i), tuple(tables.get(i, ())))
                     for i, n, ph, em, g, a, c in rows], total, page, per_page)


def _districts_of(session: Session, user_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each user's district: the resident register's when they claimed their entry, else their latest pledge's."""
    from models.orm.geo import District
    from models.orm.residents import Resident

    if not user_ids:
        return {}
    found: dict[int, tuple[str, str]] = {}
    for uid, fa, en in session.execute(
            select(Pledge.citizen_id, District.name_fa, District.name_en).join(District, District.id == Pledge.district_id)
            .where(Pledge.citizen_id.in_(user_ids)).order_by(Pledge.citizen_id, Pledge.id)):
        found[uid] = (fa, en)  # ordered by id: the latest pledge's district is the last written
    for resident_of, fa, en in session.execute(
            select(Resident.user_id, District.name_fa, District.name_en).join(District, District.id == Resident.district_id)
            .where(Resident.user_id.in_(user_ids))):
        if resident_of is not None:
            found[resident_of] = (fa, en)
    return found


def _tables_of(session: Session, user_ids: list[int]) -> dict[int, list[tuple[str, str, bool]]]:
    """The tables each user chairs or sits on now (not archived), chaired ones first."""
    if not user_ids:
        return {}
    out: dict[int, list[tuple[str, str, bool]]] = {}
    live = Table.archived_at.is_(None)
    chaired: set[tuple[int, int]] = set()
    for tid, chair, fa, en in session.execute(select(Table.id, Table.chair_id, Table.name_fa, Table.name_en)
                                              .where(Table.chair_id.in_(user_ids), live).order_by(Table.id)):
        if chair is not None:
            out.setdefault(chair, []).append((fa, en, True))
            chaired.add((tid, chair))
    for tid, uid, fa, en in session.execute(
            select(Table.id, TableMembership.user_id, Table.name_fa, Table.name_en)
            .join(Table, Table.id == TableMembership.table_id)
            .where(TableMembership.user_id.in_(user_ids), TableMembership.left_at.is_(None), live).order_by(Table.id)):
        if (tid, uid) not in chaired:
            out.setdefault(uid, []).append((fa, en, False))
    return out


def set_governorate(session: Session, actor_id: int, user_id: object, flag: bool) -> User:
    require_governorate(session, actor_id)
    user = _user(session, user_id)
    if is_system_account(user):
        raise Conflict("system_account")
    if is_deleted_account(user):
        raise Conflict("account_deleted")
    if user.id == actor_id and not flag:
        raise Conflict("cannot_change_own_account")
    if user.is_governorate != bool(flag):
        before = {"is_governorate": user.is_governorate}
        user.is_governorate = bool(flag)
        record(session, actor_id, "user.role_changed", user, before=before, after={"is_governorate": bool(flag)})
    return user


def set_active(session: Session, actor_id: int, user_id: object, active: bool) -> User:
    """Deactivate (the person can no longer sign in; their history stays) or reactivate an account. An
    account its owner deleted (models.accounts.deletion) stays inactive: there is nobody to sign in."""
    require_governorate(session, actor_id)
    user = _user(session, user_id)
    if is_system_account(user):
        raise Conflict("system_account")
    if is_deleted_account(user):
        raise Conflict("account_deleted")
    if user.id == actor_id:
        raise Conflict("cannot_change_own_account")
    if user.is_active != bool(active):
        before = {"is_active": user.is_active}
        user.is_active = bool(active)
        record(session, actor_id, "user.activated" if active else "user.deactivated", user, before=before,
               after={"is_active": bool(active)})
        if not active:
            # A link handed over before the deactivation must not work again if the account comes back.

            revoke_open_links(session, actor_id, user.id)
    return user


def _references_to_user(session: Session, user_id: int) -> int:
    """How many rows anywhere point at this user (found from the schema's foreign keys)."""
    from models.orm.base import Base

    total = 0
    for table in Base.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name == "users" and table.name != "users":
                total += session.scalar(select(func.count()).select_from(table).where(fk.parent == user_id)) or 0
                if total:
                    return total
    return total


def delete_user(session: Session, actor_id: int, user_id: object) -> None:
    """Delete an account that left no trace; one with pledges or any history must be deactivated instead."""
    require_governorate(session, actor_id)
    user = _user(session, user_id)
    if user.id == actor_id:
        raise Conflict("cannot_change_own_account")
    if session.scalar(select(func.count()).select_from(Pledge).where(Pledge.citizen_id == user.id)):
        raise Conflict("user_has_pledges")
    if _references_to_user(session, user.id):
        raise Conflict("user_has_history")
    before = snapshot(user, ["id", "name", "is_governorate", "is_active"])
    session.delete(user)
    record(session, actor_id, "user.deleted", user, before=before, after={"deleted": True})


__all__ = ["KEEP_PROPOSALS", "WITHDRAW_PROPOSALS", "MemberRow", "TableInput", "TableRow", "UserPage", "UserRow",
           "add_member", "archive_table", "create_table", "delete_user", "members_of", "open_proposals_of_table",
           "remove_member", "search_users", "set_active", "set_governorate",
           "tables_overview", "unarchive_table", "update_table"]
