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
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def running_redis(folder: Path) -> Iterator[PrivateRedis]:
    """A redis-server of our own on a free loopback port, killed afterwards."""
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
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


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    with running_redis(tmp_path) as redis:
        yield redis

# --- real web processes: gunicorn instances of Hamyar and Debian's nginx in front (issue 15 item 7,
# issue 19 item 5). nginx runs as this user with every path in a temporary folder, on loopback ports of
# its own, around the two shipped files deploy/nginx/hamyar-http.conf and hamyar-site.conf.

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def http_status(port: int, path: str = "/healthz", *, timeout: float = 5.0) -> int:
    """The status of a plain GET (0 when nothing answered in time)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": "hamyar.test"})
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()


def start_gunicorn(port: int, env: dict, *, threads: int, workers: int = 1, log: Path | None = None,
                   wait: bool = True) -> subprocess.Popen:
    """`gunicorn dash_app.wsgi:server` (gthread) on 127.0.0.1:port with `env`; with `wait`, returns once
    /healthz answers 200."""
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dash_app.wsgi:server", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads), "--timeout", "120"],
        env={"PYTHONPATH": str(ROOT), **env}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    if log is not None:
        out.close()
    if wait:
        wait_for_gunicorn(proc, port, log)
    return proc


def wait_for_gunicorn(proc: subprocess.Popen, port: int, log: Path | None = None, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while http_status(port) != 200:
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log is not None else ""
            raise AssertionError(f"gunicorn on {port} did not answer /healthz:\n{tail}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a process we started: `sig` (gunicorn: SIGTERM graceful, SIGQUIT quick), SIGKILL after 15 s."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def start_nginx(folder: Path, port: int, upstream_ports: list[int]) -> subprocess.Popen:
    """Debian's nginx on 127.0.0.1:port with the shipped files, proxying to the gunicorns on
    `upstream_ports` (round robin over them). Its access log names the upstream of each request."""
    for sub in ("body", "proxy", "logs"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    servers = " ".join(f"server 127.0.0.1:{p};" for p in upstream_ports)
    # Only what a test needs around the two shipped files: its own ports, paths and no daemon.
    conf.write_text(f"""
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log warn;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
  log_format upstreams '$request_method $uri $status $upstream_addr';
  access_log {folder}/logs/access.log upstreams;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  include {ROOT}/deploy/nginx/hamyar-http.conf;
  upstream hamyar {{ {servers} keepalive 32; }}
  server {{
    listen 127.0.0.1:{port};
    server_name hamyar.test;
    include {ROOT}/deploy/nginx/hamyar-site.conf;
  }}
}}
""")
    check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(folder)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, 15)
    return proc


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A database of its own, with a unique name, on the machine's PostgreSQL (tests.conftest.PG_URL's
    server: 127.0.0.1:5432, trust); dropped afterwards. Yields its SQLAlchemy URL."""
    import uuid

    from sqlalchemy import create_engine, text

    from tests.conftest import PG_URL

    name = f"hamyar_scale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def throwaway_pg_database() -> Iterator[str]:
    with throwaway_database() as url:
        yield url
