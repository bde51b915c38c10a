"""Alembic environment: migrates the connection it is given (or DATABASE_URL) to Hamyar's models."""
from __future__ import annotations

from alembic import context

from models import orm
from models.core.db import make_engine

config = context.config
target_metadata = orm.Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("Hamyar's migrations run through models.core.schema, which names the database")
    engine = make_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Hamyar migrations run online only")
run_migrations_online()
