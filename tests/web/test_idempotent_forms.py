"""Every create is made once per form (issue 15 item 5): a second press with the form's one-time token,
after a timeout or a double tap, answers with what the first one made and stores nothing new."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

import models.accounts.users as accounts
from dash_app.pages.citizen import ids
from models import orm
from models.core import form_tokens
from models.core.db import Database
from models.core.errors import Conflict
from models.orm.audit_event import AuditEvent
from models.orm.form_token import FormToken
from models.orm.pledges import Pledge
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world
from tests.web.callbacks import post_callback, rendered_text
from tests.web.conftest import log_in

PASSWORD = "correct horse 42"


@pytest.fixture
def site(tmp_path):
    from dash_app import create_app

    db = Database(f"sqlite:///{tmp_path / 'idem.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    with db.unit_of_work() as s:
        world = build_world(s)
        ana = accounts.create_user(s, name="Ana", login="ana@example.org", password=PASSWORD, language="en").id
        bob = accounts.create_user(s, name="Bob", login="bob@example.org", password=PASSWORD, language="fa").id
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": "idem"})
    yield app, db, world, {"ana": ana, "bob": bob}
    app.extensions["hamyar_db"].dispose()
    db.dispose()


def _form(world, token, **change):
    values = {ids.PLEDGE_KIND: "financial", ids.PLEDGE_QUANTITY: "۱۲۰۰۰۰۰", ids.PLEDGE_UNIT: "toman",
              ids.PLEDGE_DESCRIPTION: "", ids.PLEDGE_SKILLS: [], ids.PLEDGE_DISTRICT: world.amol,
              ids.PLEDGE_START: "", ids.PLEDGE_END: "", ids.PLEDGE_TABLES: [world.health],
              ids.PLEDGE_ONLY_TABLES: False, ids.PLEDGE_DIVISIBLE: True, ids.PLEDGE_TOKEN: token,
              ids.PLEDGE_REVIEW: 1, ids.PLEDGE_EDIT: 0, ids.PLEDGE_CONFIRM: 1}
    values.update(change)
    return values


def _pledges(db) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(Pledge))


def _signed_in(app, who):
    client = app.test_client()
    log_in(client, f"{who}@example.org", password=PASSWORD)
    return client


def test_the_pledge_page_hands_out_a_fresh_token_each_time(site):
    app, _db, _world, _users = site
    client = _signed_in(app, "ana")

    def token():
        text = rendered_text(client, "/pledge")
        return [piece for piece in text.split('"') if form_tokens.TOKEN_FORMAT.match(piece) and len(piece) == 32]

    first, second = token(), token()
    assert first and second and first != second


def test_pressing_confirm_twice_with_one_token_stores_one_pledge(site):
    """The timeout case: the first press was stored but its answer never arrived; the person presses again."""
    app, db, world, users = site
    client = _signed_in(app, "ana")
    token = form_tokens.new_token()
    first = post_callback(client, app, ids.PLEDGE_SUMMARY, _form(world, token), f"{ids.PLEDGE_CONFIRM}.n_clicks")
    second = post_callback(client, app, ids.PLEDGE_SUMMARY, _form(world, token), f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert first.status_code == second.status_code == 200
    assert "Your pledge is saved" in first.get_data(as_text=True)
    assert "Your pledge is saved" in second.get_data(as_text=True)   # the same answer, not an error
    with db.reader() as s:
        pledges = s.scalars(select(Pledge)).all()
        assert len(pledges) == 1 and pledges[0].citizen_id == users["ana"]
        assert f'"data-pledge": "{pledges[0].id}"' in second.get_data(as_text=True).replace("\\", "") or \
            f'"data-pledge":"{pledges[0].id}"' in second.get_data(as_text=True)
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "pledge.created")) == 1
        assert s.scalar(select(func.count()).select_from(FormToken)) == 1


def test_a_new_token_makes_a_new_pledge(site):
    app, db, world, _users = site
    client = _signed_in(app, "ana")
    for _ in range(2):
        post_callback(client, app, ids.PLEDGE_SUMMARY, _form(world, form_tokens.new_token()),
                      f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert _pledges(db) == 2


def test_another_persons_token_is_refused_and_stores_nothing(site):
    app, db, world, _users = site
    token = form_tokens.new_token()
    post_callback(_signed_in(app, "ana"), app, ids.PLEDGE_SUMMARY, _form(world, token), f"{ids.PLEDGE_CONFIRM}.n_clicks")
    resp = post_callback(_signed_in(app, "bob"), app, ids.PLEDGE_SUMMARY, _form(world, token),
                         f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert resp.status_code == 409 and resp.get_json()["error"] == "form_token_used"
    assert _pledges(db) == 1


@pytest.mark.parametrize("token", ["short", "x" * 65, "bad token with spaces!", 12345, ["list"]])
def test_a_forged_token_gets_a_4xx(site, token):
    app, db, world, _users = site
    resp = post_callback(_signed_in(app, "ana"), app, ids.PLEDGE_SUMMARY, _form(world, token),
                         f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert resp.status_code == 400 and resp.get_json()["error"] == "form_token_invalid"
    assert _pledges(db) == 0


def test_the_domain_function_returns_the_first_pledge_for_its_token(site):
    _app, db, world, users = site
    token = form_tokens.new_token()
    data = PledgeInput(kind="financial", quantity=10_000_000)
    with db.unit_of_work() as s:
        first = create_pledge(s, users["ana"], data, token=token).id
    with db.unit_of_work() as s:
        again = create_pledge(s, users["ana"], PledgeInput(kind="financial", quantity=99_000), token=token).id
    assert again == first and _pledges(db) == 1
    with db.unit_of_work() as s, pytest.raises(Conflict):
        create_pledge(s, users["bob"], data, token=token)
