"""`users.roles_version` follows every change to what a person may do (issue 19 item 2, migration 0030).

Imports sqlalchemy and the ORM models only. A listener on every Session's flush, so no operation can
forget it: in the same transaction as the change, it adds one to the roles_version of each person whose
roles (models.core.permissions: governorate staff, member of a table, chair of a table that is not
archived, an active account at all) may have changed:
- a user whose `is_governorate` or `is_active` changed;
- the user of a membership added, removed, or whose `left_at`, `user_id` or `table_id` changed;
- the old and new chair of a table whose `chair_id` changed;
- the chair and every member, past and present, of a table archived, restored or removed.
The web (dash_app.auth.current_roles) trusts the roles carried in a signed session only while they carry
the user's current roles_version. Bulk UPDATE statements on these columns bypass the ORM: none exists
outside account deletion, which also deactivates the account (so it is seen here too).
"""
from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from models.orm.people import User
from models.orm.tables import Table, TableMembership

USER_FIELDS = ("is_governorate", "is_active")
MEMBERSHIP_FIELDS = ("left_at", "user_id", "table_id")


def _changed(obj: Any, name: str) -> bool:
    return inspect(obj).attrs[name].history.has_changes()


def _values(obj: Any, name: str) -> set[int]:
    """Every value the attribute had or has in this flush (old and new)."""
    history = inspect(obj).attrs[name].history
    return {v for v in chain(history.added, history.unchanged, history.deleted) if isinstance(v, int)}


def affected_users(session: Session) -> tuple[set[int], set[int]]:
    """(user ids, table ids whose people all count) of the changes this flush writes."""
    users: set[int] = set()
    tables: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, User):
            if obj not in session.new and any(_changed(obj, f) for f in USER_FIELDS):
                users.add(obj.id)
        elif isinstance(obj, TableMembership):
            if obj in session.new or obj in session.deleted or any(_changed(obj, f) for f in MEMBERSHIP_FIELDS):
                users |= _values(obj, "user_id")
        elif isinstance(obj, Table):
            if obj in session.new or _changed(obj, "chair_id"):
                users |= _values(obj, "chair_id")
            if obj in session.deleted or _changed(obj, "archived_at"):
                users |= _values(obj, "chair_id")
                if obj.id is not None:
                    tables.add(obj.id)
    return users, tables


@event.listens_for(Session, "after_flush")
def _bump_roles_versions(session: Session, _flush_context: Any) -> None:
    users, tables = affected_users(session)
    if not users and not tables:
        return
    conn = session.connection()
    if tables:
        users |= set(conn.execute(select(TableMembership.user_id).where(TableMembership.table_id.in_(tables))).scalars())
    users.discard(0)
    if users:
        # On the connection, not through the session: a statement there now would autoflush inside the flush.
        conn.execute(update(User).where(User.id.in_(sorted(users))).values(roles_version=User.roles_version + 1))


__all__ = ["affected_users"]
