"""Slow clients: a real nginx with deploy/nginx/*.conf in front of a real gunicorn (issue 15 item 7).

Fifty sockets that send their request slowly took the site down for 60 s when they reached gunicorn
straight: each holds a gthread worker thread while it waits for the rest of the request. The test
first does exactly that to a bare gunicorn (the control: the site stops answering), then through
nginx, which holds the slow sockets itself and hands gunicorn only whole requests.

nginx is Debian's package (`./dev test` installs nginx-light beside chromium); it runs as this user
with every path in a temporary folder, on loopback ports of its own.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.faults.conftest import ROOT, free_port, start_gunicorn, start_nginx, stop

SLOW_CLIENTS = 50
THREADS = 4  # gunicorn threads of the one worker: fewer than the slow clients, as in any real setup


def _get(port: int, path: str = "/healthz", *, source: str = "127.0.0.2", timeout: float = 3.0) -> tuple[int, float]:
    """A well-behaved client's GET from another loopback address (nginx limits per address)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: hamyar.test\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, time.monotonic() - started


def _answers_within(port: int, seconds: float) -> bool:
    try:
        status, _ = _get(port, timeout=seconds)
    except OSError:  # socket.timeout included: no answer in time
        return False
    return status == 200


def _slow_clients(port: int, n: int, *, body: bool = False) -> list[socket.socket]:
    """n sockets that start a request and never finish it (headers, or a promised body)."""
    socks = []
    for _ in range(n):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if body:
            sock.sendall(b"POST /_dash-update-component HTTP/1.1\r\nHost: hamyar.test\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"output\":")
        else:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: hamyar.test\r\nX-Slow: ")
        socks.append(sock)
    return socks


def _close(socks: list[socket.socket]) -> None:
    for sock in socks:
        sock.close()


@pytest.fixture
def gunicorn_port(tmp_path) -> Iterator[int]:
    port = free_port()
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "HAMYAR_DATA": str(data), "HAMYAR_ENV": "development", "SECRET_KEY": "x" * 40,
           "HAMYAR_PROXIES": "1", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "-m", "dash_app.cli", "init-db"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    proc = start_gunicorn(port, env, threads=THREADS)
    try:
        yield port
    finally:
        stop(proc)


@pytest.fixture
def nginx_port(tmp_path, gunicorn_port) -> Iterator[int]:
    port = free_port()
    proc = start_nginx(tmp_path / "nginx", port, [gunicorn_port])
    try:
        yield port
    finally:
        stop(proc)


def test_slow_clients_straight_to_gunicorn_stop_the_site(gunicorn_port):
    """The control: without nginx the fault is real (so the next test can fail)."""
    assert _answers_within(gunicorn_port, 5)
    socks = _slow_clients(gunicorn_port, SLOW_CLIENTS)
    try:
        time.sleep(0.5)
        assert not _answers_within(gunicorn_port, 3), "gunicorn answered although every thread waits"
    finally:
        _close(socks)
    assert _answers_within(gunicorn_port, 10)


@pytest.mark.parametrize("body", [False, True], ids=["slow-headers", "slow-body"])
def test_behind_nginx_slow_clients_cost_nothing(nginx_port, body):
    socks = _slow_clients(nginx_port, SLOW_CLIENTS, body=body)
    try:
        time.sleep(0.5)
        timings = []
        for _ in range(10):
            status, took = _get(nginx_port, timeout=5)
            assert status == 200
            timings.append(took)
        assert max(timings) < 2.0, timings
    finally:
        _close(socks)


def test_nginx_limits_sockets_per_address(nginx_port):
    """The 21st open request from one address is refused (503); another address is served."""
    socks = _slow_clients(nginx_port, 20, body=True)  # a request body under way holds its connection
    try:
        time.sleep(0.5)
        status, _ = _get(nginx_port, source="127.0.0.1", timeout=5)
        assert status == 503
        assert _get(nginx_port, source="127.0.0.3", timeout=5)[0] == 200
    finally:
        _close(socks)
    time.sleep(0.2)
    assert _get(nginx_port, source="127.0.0.1", timeout=5)[0] == 200


def test_nginx_cuts_off_a_client_that_stops_sending_headers(nginx_port):
    """client_header_timeout (10 s): the slow socket is closed by nginx, not kept for minutes."""
    sock = _slow_clients(nginx_port, 1)[0]
    sock.settimeout(20)
    started = time.monotonic()
    try:
        leftover = sock.recv(4096)  # nginx closes (b"") or answers 408 and closes
        while leftover:
            leftover = sock.recv(4096)
    finally:
        sock.close()
    assert 8 < time.monotonic() - started < 15
