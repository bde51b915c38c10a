"""Issue 18 item 4: nobody can lock out a chosen account, and guessing still gets slower and slower.

Real requests through the login form against the app on a fresh SQLite file; addresses are the WSGI
REMOTE_ADDR of each client (documentation ranges, no traffic leaves the process). Before this change
five failed logins from any address locked the account for everyone, its owner with the right password
included (flask-limiter's "5 per minute;20 per hour" per login).
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from dash_app.ratelimit import DEVICE_COOKIE
from models.orm.sessions import LoginThrottle
from tests.web.conftest import LOGINS, PASSWORD, csrf, make_people

OWNER_HOME = "198.51.100.7"


@pytest.fixture
def app(web_db):
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test"})
    yield server
    server.extensions["hamyar_db"].dispose()


@pytest.fixture
def people(web_db):
    return make_people(web_db)


def browser(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, password: str, login: str = LOGINS["member"]) -> str:
    """POST the login form; the outcome: "in", "bad_credentials" or "too_many_attempts"."""
    resp = client.post("/login", data={"csrf_token": csrf(client), "login": login, "password": password})
    assert resp.status_code == 303
    where = resp.headers["Location"]
    if "error=" not in where:
        return "in"
    return where.split("error=", 1)[1].split("&", 1)[0]


def log_out(client) -> None:
    client.get("/")
    client.post("/logout", data={"csrf_token": csrf(client)})


def age_counters(web_db, seconds: float) -> None:
    """As if `seconds` had passed since every counted failure (the delays are real time otherwise)."""
    with web_db.unit_of_work() as s:
        for row in s.scalars(select(LoginThrottle)):
            row.last_failure_at -= timedelta(seconds=seconds)


def test_the_owner_gets_in_while_someone_hammers_the_account(app, people, web_db):
    owner = browser(app, OWNER_HOME)
    assert attempt(owner, PASSWORD) == "in"  # an earlier sign-in: this browser and address are known now
    assert owner.get_cookie(DEVICE_COOKIE) is not None
    log_out(owner)
    # The rival guesses from 12 addresses, two guesses each. After 10 failures on the account, the account-
    # wide count asks every unknown browser and address to wait (growing delays; refusals do not count).
    outcomes = []
    for i in range(1, 13):
        rival = browser(app, f"203.0.113.{i}")
        outcomes += [attempt(rival, "wrong guess 1"), attempt(rival, "wrong guess 2")]
    assert outcomes[:10] == ["bad_credentials"] * 10 and set(outcomes[10:]) == {"too_many_attempts"}
    # Strangers wait, even with the right password ...
    assert attempt(browser(app, "203.0.113.99"), PASSWORD) == "too_many_attempts"
    # ... but the owner's browser (its signed device cookie) gets in from anywhere,
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.50"
    assert attempt(owner, PASSWORD) == "in"
    log_out(owner)
    # and so does a new browser at an address the owner signed in from before.
    assert attempt(browser(app, OWNER_HOME), PASSWORD) == "in"
    # Before: five failures locked the account for everyone, its owner included.


def test_one_address_waits_longer_and_longer_but_nothing_is_locked_for_good(app, people, web_db):
    guesser = browser(app, "203.0.113.20")
    assert [attempt(guesser, "nope nope 1") for _ in range(5)] == ["bad_credentials"] * 5
    assert attempt(guesser, "nope nope 2") == "too_many_attempts"  # the 6th waits 15 s
    assert attempt(guesser, PASSWORD) == "too_many_attempts"       # not even checked, and not counted
    age_counters(web_db, 16)
    assert attempt(guesser, "nope nope 3") == "bad_credentials"    # the wait is over: checked again
    age_counters(web_db, 16)
    assert attempt(guesser, "nope nope 4") == "too_many_attempts"  # now 30 s: 16 s is not enough
    age_counters(web_db, 16)
    assert attempt(guesser, "nope nope 5") == "bad_credentials"
    age_counters(web_db, 40)
    assert attempt(guesser, "nope nope 6") == "too_many_attempts"  # 60 s
    # The account itself is not locked: the owner at another address gets in at once.
    assert attempt(browser(app, "192.0.2.60"), PASSWORD) == "in"
    # And the guesser's own wait ends too; a right password then starts this address's count again.
    age_counters(web_db, 61)
    assert attempt(guesser, PASSWORD) == "in"


def test_an_address_guessing_many_accounts_is_slowed(app, people, web_db):
    spray = browser(app, "203.0.113.30")
    outcomes = [attempt(spray, "Summer2026!", login=f"0912555{i:04d}") for i in range(20)]
    assert outcomes == ["bad_credentials"] * 20
    assert attempt(spray, "Summer2026!", login=LOGINS["chair"]) == "too_many_attempts"
    assert attempt(browser(app, "192.0.2.70"), PASSWORD, login=LOGINS["chair"]) == "in"  # others are not


def test_counts_are_shared_by_every_worker_and_store_no_login_or_address(app, people, web_db):
    from dash_app import create_app

    other = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test"})
    first, second = browser(app, "203.0.113.40"), browser(other, "203.0.113.40")
    for client in (first, second, first, second, first):
        assert attempt(client, "wrong one 1") == "bad_credentials"
    assert attempt(second, "wrong one 2") == "too_many_attempts"
    with web_db.engine.connect() as conn:
        dump = json.dumps([list(map(str, r)) for r in conn.execute(text("SELECT * FROM login_throttle"))])
    assert "203.0.113.40" not in dump and LOGINS["member"] not in dump and "+98912" not in dump
    other.extensions["hamyar_db"].dispose()


def test_a_forged_device_cookie_is_not_a_known_device(app, people, web_db):
    for i in range(1, 7):
        rival = browser(app, f"203.0.113.{50 + i}")
        attempt(rival, "wrong guess a")
        attempt(rival, "wrong guess b")
    forged = browser(app, "203.0.113.70")
    forged.set_cookie(DEVICE_COOKIE, "eyJkIjoieCIsInUiOlszXX0.forged.signature")
    assert attempt(forged, PASSWORD) == "too_many_attempts"


# --- PostgreSQL: the same counters under concurrent workers -------------------------------------------------


@pytest.fixture
def pg_web_db():
    """A private PostgreSQL schema with the models' tables (as tests/web/conftest.web_db does on SQLite)."""
    import uuid

    from sqlalchemy import create_engine

    from models import orm
    from models.core.db import Database
    from tests.conftest import PG_URL

    schema = f"hamyar_throttle_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(f"{PG_URL}?options=-csearch_path%3D{schema}")
    orm.Base.metadata.create_all(db.engine)
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_concurrent_failures_are_all_counted_on_postgresql(pg_web_db):
    import threading

    from models.accounts.throttle import failures, keys_for, record_failure

    keys = keys_for("+989120000003", "203.0.113.80", device=None, known=False)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def fail_once():
        try:
            start.wait(timeout=10)
            with pg_web_db.unit_of_work() as s:
                record_failure(s, keys)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fail_once) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    with pg_web_db.reader() as s:
        assert [failures(s, k) for k in keys] == [8, 8, 8]


@pytest.mark.postgres
def test_on_postgresql_the_owner_gets_in_and_a_logged_out_cookie_is_refused(pg_web_db):
    from dash_app import create_app

    make_people(pg_web_db)
    app = create_app({"TESTING": True, "DATABASE_URL": pg_web_db.url, "SECRET_KEY": "test"})
    try:
        owner = browser(app, OWNER_HOME)
        assert attempt(owner, PASSWORD) == "in"
        copied = owner.get_cookie("session").value
        log_out(owner)
        replayed = app.test_client()
        replayed.set_cookie("session", copied)
        assert replayed.get("/my").status_code == 302  # the logged-out session is over on PostgreSQL too
        outcomes = [attempt(browser(app, f"203.0.113.{90 + i // 3}"), "wrong guess") for i in range(12)]
        assert outcomes[:10] == ["bad_credentials"] * 10 and set(outcomes[10:]) == {"too_many_attempts"}
        assert attempt(browser(app, "203.0.113.99"), PASSWORD) == "too_many_attempts"
        owner.environ_base["REMOTE_ADDR"] = "192.0.2.51"
        assert attempt(owner, PASSWORD) == "in"
    finally:
        app.extensions["hamyar_db"].dispose()
