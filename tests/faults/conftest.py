"""Private instances of the services, on their own ports, for tests that stop, freeze or kill them.

The machine's own PostgreSQL and Redis are never touched: each fixture here starts a server of its
own in a temporary folder (PostgreSQL as the `postgres` system user, since initdb refuses root)
and removes it afterwards.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.web.conftest import web_db  # noqa: F401 - the web tests' fresh SQLite file

PG_BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]) if glob.glob("/usr/lib/postgresql/*/bin") else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port} after {seconds} s")


def _user() -> dict:
    """Run as the postgres system user when we are root (initdb and postgres refuse root)."""
    return {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}


def _as_postgres(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **_user())


@dataclass
class PrivatePostgres:
    folder: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(PG_BIN / "postgres"), "-D", str(self.folder / "data"), "-p", str(self.port),
             "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **_user())
        deadline = time.monotonic() + 30
        while _pg_isready(self.port) != 0:
            if time.monotonic() > deadline:
                raise TimeoutError("the private PostgreSQL did not start")
            time.sleep(0.1)

    def send_to_postmaster(self, sig: int) -> None:
        assert self.process is not None
        os.kill(self.process.pid, sig)

    def send(self, sig: int) -> None:
        """Send `sig` to the postmaster and every process it started (backends call setsid(), so
        the process group alone would leave them running)."""
        assert self.process is not None
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            self.send(sig)
            self.process.wait(timeout=30)
        self.process = None
        # a killed postmaster leaves its pid file: a restart must not trip over it
        (self.folder / "data" / "postmaster.pid").unlink(missing_ok=True)


def _children(parent: int) -> list[int]:
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.split("/")[2]))
    return found


def _pg_isready(port: int) -> int:
    return subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"]).returncode


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if PG_BIN is None:
        pytest.fail("PostgreSQL's server binaries are missing (Debian: postgresql)")
    # Not under pytest's tmp folder: that one is private to root, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="hamyar-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                 "--no-sync", "-E", "UTF8")
    server = PrivatePostgres(folder, free_port())
    server.start()
    try:
        yield server
    finally:
        try:
            server.send(signal.SIGCONT)
        except (ProcessLookupError, AssertionError):
            pass
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    wait_for_port(port)
    try:
        yield PrivateRedis(port, proc)
    finally:
        for sig in (signal.SIGCONT, signal.SIGKILL):
            try:
                proc.send_signal(sig)
            except ProcessLookupError:
                pass
        proc.wait()
