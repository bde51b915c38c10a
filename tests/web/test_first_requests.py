"""A worker's first requests arrive together (gunicorn gthread: 8 threads, a browser's parallel fetches).

Dash sets its app up on the first request behind a flag it checks and then sets: two threads could both set it
up, one copying and adding callbacks while the other iterated them ("dictionary changed size during iteration",
a 500, seen once in the load benchmark), or a thread could answer before the setup had finished.
create_app now runs that set-up itself, before any thread serves.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

from werkzeug.serving import make_server

THREADS = 12


def _first_requests_at_once(server) -> list[int]:
    http = make_server("127.0.0.1", 0, server, threaded=True)
    runner = threading.Thread(target=http.serve_forever, daemon=True)
    runner.start()
    start = threading.Barrier(THREADS)
    paths = ["/healthz", "/_dash-layout", "/_dash-dependencies", "/"]

    def fetch(i: int) -> int:
        start.wait()
        try:
            with urlopen(f"http://127.0.0.1:{http.server_port}{paths[i % len(paths)]}", timeout=60) as resp:
                return resp.status
        except Exception as exc:  # noqa: BLE001 - an HTTPError is the status we look at
            return getattr(exc, "code", 0)

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(fetch, range(THREADS)))
    finally:
        http.shutdown()
        runner.join(10)


def test_a_fresh_apps_first_requests_in_parallel_all_succeed(web_db):
    from dash_app import create_app

    for _ in range(6):
        server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test"})
        statuses = _first_requests_at_once(server)
        server.extensions["hamyar_db"].dispose()
        assert statuses == [200] * THREADS, statuses
        dash_app = server.extensions["hamyar_dash"]
        assert dash_app._got_first_request["setup_server"]
        assert len(dash_app.callback_map) > 50  # every page's callbacks, copied once


def test_dash_is_set_up_before_the_first_request(web_db):
    """Deterministic: the Pages router's callbacks (which Dash registers in its first request) are there already."""
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test"})
    dash_app = server.extensions["hamyar_dash"]
    assert dash_app._got_first_request["setup_server"] and dash_app._got_first_request["pages"]
    assert any("_pages_content.children" in key for key in dash_app.callback_map)
    before = dict(dash_app.callback_map)
    assert server.test_client().get("/healthz").status_code == 200
    assert dash_app.callback_map == before  # nothing registered while serving
    server.extensions["hamyar_db"].dispose()
