"""Backups and restores of the whole database: SQLite's online backup API, pg_dump/pg_restore for PostgreSQL.

Imports sqlalchemy and the standard library only. A backup is taken while the app runs; a
restore replaces everything in the database with the backup's contents.

A backup is written to a hidden `.<name>.incomplete` file beside the target (owner-only, 0600:
it holds phones and e-mails), flushed to disk and renamed into place, so the target either does
not exist or is complete. A run that was killed leaves only the `.incomplete` file, which the next
backup to the same target removes; a full disk or an unwritable folder ends in one sentence.
PostgreSQL's password travels in the environment of pg_dump/pg_restore, never on the command line
(where `ps` shows it to every local user).
"""
from __future__ import annotations

import errno
import hashlib
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


SQLITE_PAGES_PER_STEP = 1024  # online backup in steps, so writers are not held up for the whole copy


def _libpq_url(db: Database) -> str:
    """The database's URL for libpq tools, without its password (see _pg_env)."""
    url = db.engine.url.set(drivername="postgresql")._replace(password=None)
    url = url.difference_update_query(["options"])
    return url.render_as_string(hide_password=False)


def _pg_env(db: Database) -> dict[str, str]:
    env = dict(os.environ)
    if db.engine.url.password:
        env["PGPASSWORD"] = str(db.engine.url.password)
    return env


def _pg_schema(db: Database) -> str:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT current_schema()")).scalar_one()


def _run(cmd: list[str], env: dict[str, str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{cmd[0]} failed: {lines[-1] if lines else done.returncode}")


def incomplete_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.incomplete")


def _disk_problem(exc: BaseException, folder: Path) -> BackupError:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "full" in str(exc).lower():
        return BackupError(f"the disk holding {folder} is full; the backup was not written (free some space "
                           "and try again)")
    if isinstance(exc, PermissionError):
        return BackupError(f"cannot write in {folder}: permission denied; the backup was not written")
    return BackupError(f"the backup could not be written in {folder} ({exc}); nothing was kept")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(db: Database, target: str | os.PathLike) -> Path:
    """Write a consistent copy of the database to `target` (a SQLite file, or a pg_dump custom archive)."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    partial = incomplete_path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            leftover.unlink(missing_ok=True)  # left by a run that was killed
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        if db.is_sqlite:
            src = sqlite3.connect(_sqlite_path(db))
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst, pages=SQLITE_PAGES_PER_STEP)
            finally:
                dst.close()
                src.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--schema={_pg_schema(db)}", f"--file={partial}", f"--dbname={_libpq_url(db)}"], _pg_env(db))
        os.chmod(partial, 0o600)
        _fsync(partial)
        partial.replace(target)
        _fsync(target.parent)
    except BackupError:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise _disk_problem(exc, target.parent) from None
    finally:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return target


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _head_or_none(db: Database):
    from models.audit.anchors import chain_head_of

    try:
        return chain_head_of(db.engine)
    except Exception:  # noqa: BLE001 - an empty or broken database has no head to name
        return None


def restore(db: Database, source: str | os.PathLike, *, app_role: str | None = None) -> dict:
    """Replace the database's contents with the backup at `source`, then write the audited
    `database.restored` event: the backup (name, size, sha256), the chain head it returns to and the
    newest anchor at or before it, and the head that was abandoned. Its commit writes an anchor (when
    the database has an anchor file), so `hamyar audit verify --anchors` tells this restore from a
    truncation. On PostgreSQL, `app_role` gets its grants back (pg_restore recreates the tables).
    Returns the event's `after`."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    abandoned = _head_or_none(db)
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
              f"--schema={schema}", f"--dbname={_libpq_url(db)}", str(source)], _pg_env(db))
        if app_role:
            from models.core.roles import grant_app_role

            grant_app_role(db, app_role)
    return _record_restore(db, source, abandoned)


def _record_restore(db: Database, source: Path, abandoned) -> dict:
    from models.audit.anchors import latest_anchor, read_anchors
    from models.audit.keys import config_of
    from models.audit.log import record_system

    head = _head_or_none(db)
    if head is None:  # not a Hamyar database (no audit log): nothing to write into
        return {}
    anchor = None
    anchor_file = config_of(db).anchor_file
    if anchor_file is not None and latest_anchor(anchor_file) is not None:
        anchors, _ = read_anchors(Path(anchor_file))
        held = [a for a in anchors if a.event_id <= head.event_id]
        exact = [a for a in held if a.event_id == head.event_id and a.hash == head.hash]
        chosen = exact or held
        anchor = chosen[-1] if chosen else None
    after = {
        "backup": source.name, "backup_bytes": source.stat().st_size, "backup_sha256": _file_sha256(source),
        "returns_to": {"event_id": head.event_id, "hash": head.hash},
        "anchor": {"event_id": anchor.event_id, "hash": anchor.hash, "anchored_at": anchor.anchored_at,
                   "line": anchor.line} if anchor else None,
        "abandoned_head": {"event_id": abandoned.event_id, "hash": abandoned.hash} if abandoned else None,
    }
    with db.unit_of_work() as session:
        record_system(session, "database.restored", after=after)
    return after
