"""Creating and checking the schema through Alembic migrations (`hamyar init-db`).

Imports sqlalchemy and alembic only.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from models.core.db import Database
from models.orm.base import Base

MIGRATIONS = Path(__file__).with_name("migrations")


class AlreadyInitialised(RuntimeError):
    pass


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def has_data(db: Database) -> bool:
    names = set(inspect(db.engine).get_table_names())
    if "users" not in names:
        return False
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM users LIMIT 1")).first() is not None


def migrate(db: Database) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def init_db(db: Database) -> str:
    """Create the schema on an empty database; refuse a database that already holds Hamyar's data."""
    db.check_reachable()
    if current_revision(db) == head_revision() and has_data(db):
        raise AlreadyInitialised(f"the database at {db.safe_url} is already initialised and holds data")
    migrate(db)
    return head_revision()


def schema_differences(db: Database) -> list:
    """What the migrated database lacks or has beyond the models (empty when they match)."""
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)
