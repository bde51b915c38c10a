"""Where the database is, how to connect to it, and the unit of work for domain operations.

Imports sqlalchemy only.
"""
from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

# SQLSTATEs after which PostgreSQL has rolled the transaction back and running it again may succeed:
# serialization_failure and deadlock_detected. (A lock or statement timeout is not retried: waiting
# again would double what the person already waited.)
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
RETRY_ATTEMPTS = 4


def is_retryable(exc: BaseException) -> bool:
    """Whether `exc` is a deadlock or serialization failure, after which the whole unit may run again."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code in RETRYABLE_SQLSTATES


class DatabaseConfigError(RuntimeError):
    """The configured database cannot be used (bad URL, unwritable folder, unreachable server)."""


def normalise_database_url(url: str) -> str:
    """A configured URL with the driver Hamyar uses (Heroku-style URLs name the old one; psycopg 3 here)."""
    url = url.strip()
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def sqlite_url_in(folder: Path) -> str:
    """The embedded default: a SQLite file in the data folder."""
    return f"sqlite:///{folder / 'hamyar.sqlite3'}"


def _prepare_sqlite_folder(url: str) -> None:
    path = url.removeprefix("sqlite:///")
    if not path or path == ":memory:" or url.startswith("sqlite://") and not url.startswith("sqlite:///"):
        return
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseConfigError(f"cannot create the data folder {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK):
        raise DatabaseConfigError(f"the data folder {folder} is not writable")
    private_file(Path(path))


def private_file(path: Path) -> None:
    """The SQLite file readable by its owner only (0600; it holds phones, e-mails and the audit log):
    created so before SQLite opens it (its -wal and -shm files take the same mode), and an existing file
    others can read is narrowed (issue 18 item 12)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    except OSError:
        return  # SQLite says what is wrong when it opens the file
    try:
        st = path.stat()
        if st.st_mode & 0o077 and st.st_uid == os.geteuid():
            for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                if name.exists():
                    name.chmod(0o600)
    except OSError:
        pass


# PostgreSQL limits, in seconds (see make_engine).
CONNECT_TIMEOUT = 5
STATEMENT_TIMEOUT = 60
LOCK_TIMEOUT = 15
IDLE_IN_TRANSACTION_TIMEOUT = 120
POOL_RECYCLE = 1800


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        _prepare_sqlite_folder(url)
        # The driver's own transaction handling is switched off (isolation_level=None) so that
        # SQLAlchemy's BEGIN is the only one: reads get real snapshots, and a unit of work can
        # start with BEGIN IMMEDIATE, taking the write lock first instead of failing half-way.
        engine = create_engine(url, connect_args={"timeout": 30, "isolation_level": None}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            # WAL lets readers go on while one writer commits; foreign keys are off by default.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:
            immediate = conn.get_execution_options().get("hamyar_writer", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # A frozen or distant server must cost a request seconds, not minutes: libpq gives up connecting
    # after CONNECT_TIMEOUT, the server cancels a statement after STATEMENT_TIMEOUT and a lock wait
    # after LOCK_TIMEOUT; pre-ping replaces connections that died with a restart instead of handing
    # them to requests (no 5xx storm after a restart).
    connect_args = {"connect_timeout": CONNECT_TIMEOUT, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, pool_pre_ping=True, pool_recycle=POOL_RECYCLE, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _pg_timeouts(dbapi_conn, _record) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(STATEMENT_TIMEOUT * 1000)}")
            cur.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT * 1000)}")
            cur.execute(f"SET idle_in_transaction_session_timeout = {int(IDLE_IN_TRANSACTION_TIMEOUT * 1000)}")
        dbapi_conn.commit()

    return engine


class Database:
    """One engine and one session factory; domain operations run inside `unit_of_work()`."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.url = url
        self.engine = make_engine(self.url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._pid = os.getpid()

    def _after_fork(self) -> None:
        # A background job forked from a web worker inherits its pooled connections; two processes
        # talking over one socket (PostgreSQL) or one SQLite handle corrupt each other. The child
        # drops the inherited pool without closing it (the parent still uses those connections).
        if os.getpid() != self._pid:
            self.engine.dispose(close=False)
            self._pid = os.getpid()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on any error."""
        self._after_fork()
        with self.sessions.begin() as session:
            # Writers take SQLite's write lock at the start (PostgreSQL ignores the option).
            session.connection(execution_options={"hamyar_writer": True})
            yield session

    def run(self, work: Callable[[Session], T], *, attempts: int = RETRY_ATTEMPTS) -> T:
        """`work(session)` in one unit of work, run again from the start after a deadlock or a
        serialization failure (PostgreSQL rolled it back whole, so nothing of the failed try stays).

        One lock order (models.core.capacity.LOCK_ORDER) keeps deadlocks out of Hamyar's own paths;
        this is the net for the rest (a lock taken by an index, a trigger, an operator's session).
        `work` must do nothing outside the database that it cannot do twice.
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.unit_of_work() as session:
                    return work(session)
            except DBAPIError as exc:
                if attempt == attempts or not is_retryable(exc):
                    raise
                delay = random.uniform(0.01, 0.05) * 2 ** attempt  # jitter: the two losers do not meet again
                log.warning("unit of work hit %s (try %s of %s); running it again in %.0f ms",
                            type(exc.orig).__name__, attempt, attempts, delay * 1000)
                time.sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reading; closing it rolls back and detaches what it loaded, still readable."""
        self._after_fork()
        with self.sessions() as session:
            yield session

    def check_reachable(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any driver error means "cannot use it"
            msg = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
            raise DatabaseConfigError(f"cannot reach the database at {self.safe_url}: {msg}") from exc

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()
