"""Backups and restores of the whole database: SQLite's online backup API, pg_dump/pg_restore for PostgreSQL.

Imports sqlalchemy and the standard library only. A backup is taken while the app runs; a
restore replaces everything in the database with the backup's contents.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import text

from models.core.db import Database


class BackupError(RuntimeError):
    pass


def _sqlite_path(db: Database) -> str:
    return db.engine.url.database or ""


def _libpq_url(db: Database) -> str:
    url = db.engine.url.set(drivername="postgresql")
    url = url.difference_update_query(["options"])
    return url.render_as_string(hide_password=False)


def _pg_schema(db: Database) -> str:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT current_schema()")).scalar_one()


def _run(cmd: list[str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{cmd[0]} failed: {lines[-1] if lines else done.returncode}")


def backup(db: Database, target: str | os.PathLike) -> Path:
    """Write a consistent copy of the database to `target` (a SQLite file, or a pg_dump custom archive)."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        if db.is_sqlite:
            src = sqlite3.connect(_sqlite_path(db))
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--schema={_pg_schema(db)}", f"--file={partial}", f"--dbname={_libpq_url(db)}"])
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(db: Database, source: str | os.PathLike) -> None:
    """Replace the database's contents with the backup at `source`."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if db.is_sqlite:
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not a SQLite backup: {exc}") from exc
        db.dispose()
        dst = sqlite3.connect(_sqlite_path(db))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        schema = _pg_schema(db)
        db.dispose()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              f"--schema={schema}", f"--dbname={_libpq_url(db)}", str(source)])
