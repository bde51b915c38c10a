"""PostgreSQL roles: the owner runs the migrations, the app runs as a role that owns nothing.

Imports sqlalchemy only (issue 18 item 1c). The owner role creates and alters the tables (`hamyar
init-db`, `hamyar restore`); the web and Celery workers connect as the app role, which
`grant_app_role` gives exactly what Hamyar's code does: SELECT/INSERT/UPDATE/DELETE on its tables,
only SELECT and INSERT on the audit log, only SELECT on alembic_version, the sequences it draws ids
from, and nothing else. Not owning a table, the app role cannot ALTER it (so no DISABLE TRIGGER),
cannot TRUNCATE it (no TRUNCATE privilege; the audit log's statement-level trigger refuses it even to
the owner), and, not being a superuser, cannot set session_replication_role. docs/deploy.md
("Database roles") says how to create both roles.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text

# Tables the app may read and append to but never change or remove rows of.
APPEND_ONLY_TABLES = ("audit_events",)
READ_ONLY_TABLES = ("alembic_version",)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_$]{0,62}$")


class RoleError(ValueError):
    pass


def _ident(name: str) -> str:
    if not _ROLE_NAME.match(name):
        raise RoleError(f"{name!r} is not a plain PostgreSQL role or schema name (lower case, digits, _)")
    return f'"{name}"'


def grant_app_role(db: Any, role: str, schema: str | None = None) -> list[str]:
    """Give `role` the app's privileges on the database's schema (run as the owner; idempotent).

    Also sets default privileges, so tables a later migration creates are granted the same way (the
    audit log's restrictions are applied again by running this after every migration and restore).
    Returns the statements run.
    """
    if db.engine.dialect.name != "postgresql":
        raise RoleError("database roles are a PostgreSQL feature; SQLite has one file and its owner")
    r = _ident(role)
    with db.engine.begin() as conn:
        schema = schema or conn.execute(text("SELECT current_schema()")).scalar_one()
        s = _ident(schema)
        tables = [t for (t,) in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"), {"s": schema})]
        statements = [
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
            f"REVOKE ALL ON SCHEMA {s} FROM {r}",
            f"GRANT USAGE ON SCHEMA {s} TO {r}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
        ]
        statements += [f"REVOKE UPDATE, DELETE ON {s}.{_ident(t)} FROM {r}" for t in APPEND_ONLY_TABLES if t in tables]
        statements += [f"REVOKE INSERT, UPDATE, DELETE ON {s}.{_ident(t)} FROM {r}"
                       for t in READ_ONLY_TABLES if t in tables]
        for statement in statements:
            conn.execute(text(statement))
    return statements


def table_privileges(db: Any, role: str) -> dict[str, set[str]]:
    """{table: privileges} `role` holds in the database's schema (for tests and `hamyar` checks)."""
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = :r AND table_schema = current_schema()"), {"r": role})
        out: dict[str, set[str]] = {}
        for table, privilege in rows:
            out.setdefault(table, set()).add(privilege)
    return out
