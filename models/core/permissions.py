"""Who may do what: the one home of "is governorate staff", "chairs this table", "member of it".

Imports sqlalchemy and models.orm only. Every rule holds for **active accounts only**: a deactivated
account is nobody, whatever flags or memberships it still carries. A chair is the chair of a table
that is not archived (archiving a table ends its chair's powers; the governorate still administers
it). The web layer's guard (dash_app.auth) reads the same answers through `roles_of`, so a page
and the domain operation behind it can never disagree.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.errors import PermissionDenied
from models.orm.people import User
from models.orm.tables import Table, TableMembership


def _is_id(value: object) -> bool:
    """A row id the database can hold (forged input may be a bool, text or a 100-digit number)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def active_user(session: Session, user_id: object) -> User | None:
    """The account if it exists and is active; None for anything else (including a forged id)."""
    if not _is_id(user_id):
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def is_governorate(session: Session, user_id: object) -> bool:
    user = active_user(session, user_id)
    return user is not None and bool(user.is_governorate)


def require_governorate(session: Session, user_id: object) -> User:
    user = active_user(session, user_id)
    if user is None or not user.is_governorate:
        raise PermissionDenied("governorate_only")
    return user


def tables_chaired(session: Session, user_id: object) -> frozenset[int]:
    if active_user(session, user_id) is None:
        return frozenset()
    return frozenset(session.scalars(
        select(Table.id).where(Table.chair_id == user_id, Table.archived_at.is_(None))))


def tables_of_member(session: Session, user_id: object) -> frozenset[int]:
    if active_user(session, user_id) is None:
        return frozenset()
    return frozenset(session.scalars(select(TableMembership.table_id).where(
        TableMembership.user_id == user_id, TableMembership.left_at.is_(None))))


def is_chair_of(session: Session, user_id: object, table_id: object) -> bool:
    if active_user(session, user_id) is None or not _is_id(table_id):
        return False
    return session.scalar(select(Table.id).where(
        Table.id == table_id, Table.chair_id == user_id, Table.archived_at.is_(None))) is not None


def require_chair_of(session: Session, user_id: object, table_ids: int | Iterable[int]) -> None:
    """Refuse (not_chair_of_table) unless the user chairs every one of the tables."""
    wanted = {table_ids} if isinstance(table_ids, int) else set(table_ids)
    if not wanted <= tables_chaired(session, user_id):
        raise PermissionDenied("not_chair_of_table")


def is_member_of(session: Session, user_id: object, table_id: object) -> bool:
    if active_user(session, user_id) is None or not _is_id(table_id):
        return False
    return session.scalar(select(TableMembership.id).where(
        TableMembership.table_id == table_id, TableMembership.user_id == user_id,
        TableMembership.left_at.is_(None))) is not None


@dataclass(frozen=True)
class Roles:
    """What a user may do: everyone signed in (and active) is a citizen; the rest comes from the rules above."""

    citizen: bool = False
    governorate: bool = False
    member_of: frozenset[int] = frozenset()
    chair_of: frozenset[int] = frozenset()

    @property
    def is_anonymous(self) -> bool:
        return not self.citizen

    def names(self) -> frozenset[str]:
        """The role names without a table: {"citizen", "governorate", "member", "chair"} as held."""
        held = set()
        if self.citizen:
            held.add("citizen")
        if self.governorate:
            held.add("governorate")
        if self.member_of:
            held.add("member")
        if self.chair_of:
            held.add("chair")
        return frozenset(held)


ANONYMOUS = Roles()


def roles_of(session: Session, user_id: int | None) -> Roles:
    """All of a user's roles now, in three statements (the web guard reads this once per request)."""
    user = active_user(session, user_id)
    if user is None:
        return ANONYMOUS
    return Roles(citizen=True, governorate=bool(user.is_governorate),
                 member_of=tables_of_member(session, user.id), chair_of=tables_chaired(session, user.id))
