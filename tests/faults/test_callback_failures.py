"""A failure is a sentence and nothing is done twice (issue 15 item 5), with real faults: the SQLite file
replaced or gone, a private PostgreSQL killed while the pledge confirm waits on a lock, a lock wait
that times out, two presses racing with one token. Each answer carries the translated sentence for the
shell's failure region (Dash's sideUpdate), never a bare 500; pressing again with the form's token
after the fault stores the pledge once.
"""
from __future__ import annotations

import json
import signal
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text

import models.accounts.users as accounts
from dash_app import create_app
from dash_app.ui import citizen_ids as ids
from dash_app.ui import ids as shell_ids
from models import orm
from models.core import db as dbmod
from models.core import form_tokens
from models.core.db import Database
from models.orm.form_token import FormToken
from models.orm.pledges import Pledge
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world
from tests.web.callbacks import post_callback, render, side_update
from tests.web.conftest import log_in

PASSWORD = "correct horse 42"
DATABASE_FA = "پایگاه داده"          # «پایگاه داده اکنون پاسخ نمی‌دهد …»
DATABASE_EN = "The database is not answering right now"
TIMEOUT_EN = "This took too long and was stopped"


def _people(db: Database):
    with db.unit_of_work() as s:
        world = build_world(s)
        accounts.create_user(s, name="Ana", login="ana@example.org", password=PASSWORD, language="en")
        accounts.create_user(s, name="Bita", login="bita@example.org", password=PASSWORD, language="fa")
    return world


def _form(world, token):
    return {ids.PLEDGE_KIND: "financial", ids.PLEDGE_QUANTITY: "۱۲۰۰۰۰۰", ids.PLEDGE_UNIT: "toman",
            ids.PLEDGE_DESCRIPTION: "", ids.PLEDGE_SKILLS: [], ids.PLEDGE_DISTRICT: world.amol,
            ids.PLEDGE_START: "", ids.PLEDGE_END: "", ids.PLEDGE_TABLES: [world.health],
            ids.PLEDGE_ONLY_TABLES: False, ids.PLEDGE_DIVISIBLE: True, ids.PLEDGE_TOKEN: token,
            ids.PLEDGE_REVIEW: 1, ids.PLEDGE_EDIT: 0, ids.PLEDGE_CONFIRM: 1}


def _confirm(client, app, world, token):
    return post_callback(client, app, ids.PLEDGE_SUMMARY, _form(world, token), f"{ids.PLEDGE_CONFIRM}.n_clicks")


def _message(resp) -> str:
    """The sentence the answer puts in the failure region (and that it is shown)."""
    assert resp.status_code == 200, resp.data
    update = side_update(resp).get(shell_ids.CALLBACK_ERROR)
    assert update and update["is_open"] is True, resp.data
    return update["children"]


def _count(db: Database, model=Pledge) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


# --- SQLite: the file replaced by garbage, or gone ----------------------------------------------------


@pytest.fixture
def sqlite_site(tmp_path):
    path = tmp_path / "faults.sqlite3"
    db = Database(f"sqlite:///{path}")
    orm.Base.metadata.create_all(db.engine)
    world = _people(db)
    db.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "faults"})
    yield app, path, world
    app.extensions["hamyar_db"].dispose()


def _break(app, path, how: str) -> None:
    app.extensions["hamyar_db"].engine.dispose()  # the next request opens the file afresh
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    if how == "garbage":
        path.write_bytes(b"this is not a database " * 200)
    else:  # gone: a folder where the file was (as root, chmod 000 would not stop sqlite)
        path.unlink()
        path.mkdir()


@pytest.mark.parametrize("how", ["garbage", "gone"])
@pytest.mark.parametrize("who, sentence", [("ana", DATABASE_EN), ("bita", DATABASE_FA)])
def test_a_callback_on_an_unreadable_sqlite_file_answers_with_a_translated_sentence(sqlite_site, how, who, sentence):
    app, path, world = sqlite_site
    client = app.test_client()
    log_in(client, f"{who}@example.org", password=PASSWORD)
    if who == "bita":
        client.set_cookie("hamyar_lang", "fa")
    else:
        client.set_cookie("hamyar_lang", "en")
    _break(app, path, how)
    started = time.monotonic()
    resp = _confirm(client, app, world, form_tokens.new_token())
    assert sentence in _message(resp)
    assert time.monotonic() - started < 10
    # a full page load: the Persian/English error page with what to do, not a bare 500
    page = client.get("/pledge")
    body = page.get_data(as_text=True)
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "Something went wrong on our side" in body and "مشکلی از سوی ما پیش آمد" in body
    assert "reload this page" in body and 'href="/pledge"' in body
    # the layout request Dash makes first: an error layout it can draw
    layout = client.get("/_dash-layout")
    assert layout.status_code == 500 and "error-page" in layout.get_data(as_text=True)


def test_a_failure_inside_a_callback_also_gives_the_page_router_an_error_page(sqlite_site):
    """The page router (a callback too) draws the error page in the main area instead of leaving it blank."""
    app, path, _world = sqlite_site
    client = app.test_client()
    client.set_cookie("hamyar_lang", "en")
    client.get("/")  # anonymous: the guard needs no database for a public page
    _break(app, path, "garbage")
    resp = render(client, "/projects")
    assert resp.status_code == 200
    text_ = json.dumps(resp.get_json())
    assert "error-page" in text_ and "Try again" in text_ and "/projects" in text_
    assert DATABASE_EN in _message(resp)


# --- PostgreSQL: a private server killed while the confirm waits, a lock wait that times out -----------


@pytest.fixture
def pg_site(private_postgres):
    db = Database(private_postgres.url)
    orm.Base.metadata.create_all(db.engine)
    world = _people(db)
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "faults"})
    yield app, db, world, private_postgres
    app.extensions["hamyar_db"].dispose()
    db.dispose()


def _hold_pledges_lock(url: str):
    """Another session holding the pledges table: the confirm's INSERT waits behind it."""
    engine = create_engine(url)
    conn = engine.connect()
    conn.execute(text("LOCK TABLE pledges IN ACCESS EXCLUSIVE MODE"))
    return engine, conn


def test_postgres_killed_while_the_confirm_runs_shows_a_sentence_and_a_second_press_stores_once(pg_site):
    app, db, world, server = pg_site
    client = app.test_client()
    log_in(client, "ana@example.org", password=PASSWORD)
    token = form_tokens.new_token()
    engine, holder = _hold_pledges_lock(server.url)
    answers: list = []
    worker = threading.Thread(target=lambda: answers.append(_confirm(client, app, world, token)))
    worker.start()
    time.sleep(1.5)  # the callback is inside create_pledge, waiting for the lock
    server.stop(signal.SIGKILL)
    worker.join(30)
    holder.invalidate()
    engine.dispose()
    assert answers, "the callback never answered"
    assert DATABASE_EN in _message(answers[0])
    server.start()
    assert _count(db) == 0
    # the person presses again (the same form, the same token): stored once, however often
    for _ in range(2):
        resp = _confirm(client, app, world, token)
        assert resp.status_code == 200 and "Your pledge is saved" in resp.get_data(as_text=True)
    assert _count(db) == 1 and _count(db, FormToken) == 1


def test_postgres_down_before_the_callback_is_a_sentence_not_a_500(pg_site):
    app, _db, world, server = pg_site
    client = app.test_client()
    log_in(client, "bita@example.org", password=PASSWORD)
    server.stop(signal.SIGTERM)
    started = time.monotonic()
    resp = _confirm(client, app, world, form_tokens.new_token())
    assert DATABASE_FA in _message(resp)
    assert time.monotonic() - started < dbmod.CONNECT_TIMEOUT + 5
    page = client.get("/my")
    assert page.status_code == 500 and "مشکلی از سوی ما پیش آمد" in page.get_data(as_text=True)


def test_a_lock_wait_that_times_out_says_it_took_too_long(pg_site, monkeypatch):
    app, db, world, server = pg_site
    monkeypatch.setattr(dbmod, "LOCK_TIMEOUT", 1)
    app.extensions["hamyar_db"].engine.dispose()  # new connections get the 1 s lock timeout
    client = app.test_client()
    log_in(client, "ana@example.org", password=PASSWORD)
    token = form_tokens.new_token()
    engine, holder = _hold_pledges_lock(server.url)
    try:
        resp = _confirm(client, app, world, token)
    finally:
        holder.close()
        engine.dispose()
    assert TIMEOUT_EN in _message(resp)
    assert _count(db) == 0
    for _ in range(2):
        _confirm(client, app, world, token)
    assert _count(db) == 1


def test_two_presses_at_the_same_moment_store_one_pledge(pg_site):
    """Both requests look the token up and find nothing; the unique constraint lets one commit, the other's
    transaction fails on it and create_once runs it again, now finding the first pledge."""
    _app, db, _world, _server = pg_site
    with db.reader() as s:
        citizen = s.scalar(select(orm.User.id).where(orm.User.email == "ana@example.org"))
    token = form_tokens.new_token()
    data = PledgeInput(kind="financial", quantity=10_000_000)
    barrier = threading.Barrier(2)
    first_runs = {"n": 0}
    lock = threading.Lock()
    results: list[int] = []
    errors: list[BaseException] = []

    def work(s):
        made = form_tokens.made_with(s, citizen, token, "pledge")
        with lock:
            first_runs["n"] += 1
            racing = first_runs["n"] <= 2
        if racing:
            barrier.wait(timeout=10)  # both have looked and found nothing
        return made if made is not None else create_pledge(s, citizen, data, token=token).id

    def press():
        try:
            results.append(form_tokens.create_once(db, work))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(results) == 2 and results[0] == results[1]
    assert first_runs["n"] == 3  # the loser ran once more
    assert _count(db) == 1 and _count(db, FormToken) == 1
