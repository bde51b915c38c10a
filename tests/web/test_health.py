"""/healthz says the process lives; /readyz tells the truth about the database, its schema and Redis.

Faults are real: a PostgreSQL port nobody listens on, an empty (unmigrated) database, and a private
Redis server started on its own port and then killed (the machine's own services are never touched).
"""
from __future__ import annotations

import socket
import subprocess
import time

from dash_app import create_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client(**config):
    return create_app({"TESTING": True, "SECRET_KEY": "health", **config}).test_client()


def test_ready_on_a_migrated_database(db):
    client = _client(DATABASE_URL=db.url)
    assert client.get("/healthz").get_json() == {"status": "ok"}
    resp = client.get("/readyz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_not_ready_before_migrations(tmp_path):
    client = _client(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["migrations"] == "not current"


def test_database_down_is_not_ready_but_alive():
    client = _client(DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/none")
    started = time.monotonic()
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["database"].startswith("unreachable")
    assert time.monotonic() - started < 15
    assert client.get("/healthz").status_code == 200


def test_redis_stopped_is_not_ready(db, tmp_path):
    port = _free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        url = f"redis://127.0.0.1:{port}/0"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        client = _client(DATABASE_URL=db.url, REDIS_URL=url, HAMYAR_BACKGROUND="diskcache",
                         HAMYAR_JOBS_FOLDER=str(tmp_path / "jobs"))
        assert client.get("/readyz").get_json()["checks"]["redis"] == "ok"
        proc.kill()
        proc.wait()
        resp = client.get("/readyz")
        assert resp.status_code == 503
        assert resp.get_json()["checks"]["redis"].startswith("unreachable")
    finally:
        proc.kill()
        proc.wait()
