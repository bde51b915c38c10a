"""Headers on every response, a fresh session at sign-in, and rate limits on guessing passwords."""
from __future__ import annotations

import uuid

import pytest
import redis

from tests.web.conftest import LOGINS, PASSWORD, csrf, log_in


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/login", "/projects", "/_dash-layout", "/assets/hamyar.css"):
        resp = client.get(path)
        csp = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "'sha256-" in script_src  # Dash's own start-up script, allowed by its hash only
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin"
        assert resp.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite(client, people):
    log_in(client, "citizen")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_signing_in_starts_a_new_session(client, people):
    client.get("/")
    with client.session_transaction() as s:
        s["planted"] = "by someone else"
    log_in(client, "citizen")
    with client.session_transaction() as s:
        assert "planted" not in s and s.get("_user_id")


def _guess(client, login, password="wrong password"):
    return client.post("/login", data={"csrf_token": csrf(client), "login": login, "password": password})


def test_failed_logins_for_one_account_are_limited(client, people):
    for _ in range(5):
        assert "error=bad_credentials" in _guess(client, LOGINS["citizen"]).headers["Location"]
    refused = _guess(client, LOGINS["citizen"], PASSWORD)  # even the right password waits now
    assert refused.status_code == 303 and refused.headers["Location"] == "/login?error=too_many_attempts"
    assert "Location" in _guess(client, LOGINS["chair"], PASSWORD).headers  # other accounts are not locked
    page = client.get("/login?error=too_many_attempts")
    assert page.status_code == 200


@pytest.fixture
def redis_app(web_db):
    from dash_app import create_app

    prefix = f"hamyar-test-{uuid.uuid4().hex[:8]}"
    server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test",
                         "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "RATELIMIT_KEY_PREFIX": prefix})
    yield server
    r = redis.Redis(host="127.0.0.1", port=6379)
    for key in r.scan_iter(f"*{prefix}*"):
        r.delete(key)
    server.extensions["hamyar_db"].dispose()


def test_limits_are_shared_through_redis(redis_app, web_db, people):
    """Two app instances (two workers) count the same failed attempts, because counts live in Redis."""
    from dash_app import create_app

    other = create_app({**{k: redis_app.config[k] for k in ("RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX")},
                        "TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test"})
    first, second = redis_app.test_client(), other.test_client()
    for _ in range(3):
        _guess(first, LOGINS["citizen"])
    for _ in range(2):
        _guess(second, LOGINS["citizen"])
    refused = _guess(first, LOGINS["citizen"], PASSWORD)
    assert refused.headers["Location"] == "/login?error=too_many_attempts"
    r = redis.Redis(host="127.0.0.1", port=6379)
    assert any(r.scan_iter(f"*{redis_app.config['RATELIMIT_KEY_PREFIX']}*"))
    other.extensions["hamyar_db"].dispose()


def test_signing_in_works_with_the_limits_switched_off(web_db, people):
    """RATELIMIT_ENABLED=False (a test or an operator's choice) must not break the login form: the
    limiter, held weakly by the limited views, is kept alive by the app."""
    import gc

    from dash_app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test", "RATELIMIT_ENABLED": False})
    gc.collect()
    client = app.test_client()
    resp = log_in(client, "citizen")
    assert resp.status_code in (302, 303) and "error" not in resp.headers.get("Location", "")
    for _ in range(12):  # more failures than the per-account limit allows: none is refused as too many
        bad = client.post("/login", data={"csrf_token": csrf(client), "login": LOGINS["chair"], "password": "nope"})
        assert "too_many_attempts" not in bad.headers.get("Location", "")
    app.extensions["hamyar_db"].dispose()
