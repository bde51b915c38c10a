"""The logistics catalogue screen (/admin/items, issue 16's loose end): governorate staff add, rename or
translate, retire and offer again an item, each audited; a chair is refused and nothing changes; bad input is
refused with a sentence and changes nothing."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

import models.accounts.users as accounts
from models import orm
from models.audit.log import record
from models.core.db import Database
from models.orm.audit_event import AuditEvent
from models.orm.items import LogisticsItem
from models.orm.people import User
from tests.models.world import build_world
from tests.web.callbacks import post_callback
from tests.web.conftest import PASSWORD, log_in

IT_ADD, IT_RENAME, IT_TOGGLE = "it-add", "it-rename", "it-toggle"


@pytest.fixture
def site(tmp_path):
    from dash_app import create_app

    first = Database(f"sqlite:///{tmp_path / 'items.sqlite3'}")
    orm.Base.metadata.create_all(first.engine)
    with first.unit_of_work() as s:
        world = build_world(s)
        chair = s.get(User, world.chair)
        chair.password_hash, chair.language = accounts.hash_password(PASSWORD), "en"
        record(s, None, "user.login_set_for_tests", chair)
        accounts.create_user(s, name="Staff", login="staff@example.org", password=PASSWORD, language="en",
                             is_governorate=True)
        chair_login = chair.email
        hall = LogisticsItem(slug="hall", name_fa="سالن اجتماعات", name_en="Assembly hall", category="space")
        s.add(hall)
        s.flush()
        record(s, None, "test.created", hall)
    first.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": first.url, "SECRET_KEY": "items-admin"})
    yield app, app.extensions["hamyar_db"], chair_login
    app.extensions["hamyar_db"].dispose()


def _client(app, login):
    client = app.test_client()
    log_in(client, login, password=PASSWORD)
    return client


def _change(client, app, trigger, **values):
    base = {"it-category": "vehicle", "it-version": 0, f'{{"item":["ALL"],"type":"{IT_TOGGLE}"}}': []}
    return post_callback(client, app, "it-message", {**base, **values}, trigger)


def _events(db, action):
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_staff_add_rename_retire_and_offer_again(site):
    app, db, _chair = site
    from dash_app.pages.governorate import items_admin  # noqa: F401 - registers the page's callbacks

    staff = _client(app, "staff@example.org")
    resp = _change(staff, app, f"{IT_ADD}.n_clicks", **{IT_ADD: 1, "it-slug": " Camper-Van ", "it-fa": "ون کمپ",
                                                           "it-en": "Camper van"})
    assert resp.status_code == 200 and "The item is in the catalogue." in resp.data.decode(), resp.data[:300]
    with db.reader() as s:
        item = s.scalar(select(LogisticsItem).where(LogisticsItem.slug == "camper-van"))
        assert (item.name_fa, item.name_en, item.category, item.active) == ("ون کمپ", "Camper van", "vehicle", True)
        item_id = item.id
    resp = _change(staff, app, f"{IT_RENAME}.n_clicks", **{IT_RENAME: 1, "it-r-item": str(item_id),
                                                             "it-r-fa": "ون سفر", "it-r-en": "Camper"})
    assert "The item's names are saved." in resp.data.decode()
    toggle = f'{{"item":{item_id},"type":"{IT_TOGGLE}"}}.n_clicks'
    pattern = f'{{"item":["ALL"],"type":"{IT_TOGGLE}"}}'
    pressed = [{"id": {"type": IT_TOGGLE, "item": item_id}, "property": "n_clicks", "value": 1}]
    assert "no longer offered" in _change(staff, app, toggle, **{pattern: pressed}).data.decode()
    with db.reader() as s:
        item = s.get(LogisticsItem, item_id)
        assert (item.name_fa, item.name_en, item.active) == ("ون سفر", "Camper", False)
    assert "offered on the forms again" in _change(staff, app, toggle, **{pattern: pressed}).data.decode()
    with db.reader() as s:
        assert s.get(LogisticsItem, item_id).active is True
    for action in ("logistics_item.created", "logistics_item.renamed", "logistics_item.retired",
                   "logistics_item.reactivated"):
        assert _events(db, action) == 1, action
    with db.reader() as s:
        renamed = s.scalar(select(AuditEvent).where(AuditEvent.action == "logistics_item.renamed"))
        assert (renamed.before["name_en"], renamed.after["name_en"]) == ("Camper van", "Camper")


def test_bad_input_is_refused_with_a_sentence_and_a_chair_is_refused(site):
    app, db, chair = site
    from dash_app.pages.governorate import items_admin  # noqa: F401 - registers the page's callbacks

    staff = _client(app, "staff@example.org")
    with db.reader() as s:
        before = s.scalar(select(func.count()).select_from(LogisticsItem)), s.scalar(
            select(func.count()).select_from(AuditEvent))
    bad_slug = _change(staff, app, f"{IT_ADD}.n_clicks", **{IT_ADD: 1, "it-slug": "Hall!", "it-fa": "سالن",
                                                              "it-en": "Hall"})
    assert "lower-case Latin letters" in json.dumps(bad_slug.get_json())
    with db.reader() as s:
        hall = s.scalar(select(LogisticsItem.id).where(LogisticsItem.slug == "hall"))
    no_name = _change(staff, app, f"{IT_RENAME}.n_clicks", **{IT_RENAME: 1, "it-r-item": str(hall), "it-r-fa": " ",
                                                                "it-r-en": "X"})
    assert "in Persian and in English" in json.dumps(no_name.get_json(), ensure_ascii=False)
    missing = _change(staff, app, f"{IT_RENAME}.n_clicks", **{IT_RENAME: 1, "it-r-item": "987654", "it-r-fa": "a",
                                                                "it-r-en": "b"})
    assert "No such item." in json.dumps(missing.get_json())
    refused = _change(_client(app, chair), app, f"{IT_ADD}.n_clicks",
                      **{IT_ADD: 1, "it-slug": "tent-2", "it-fa": "چادر", "it-en": "Tent"})
    assert refused.status_code // 100 == 4
    with db.reader() as s:
        after = s.scalar(select(func.count()).select_from(LogisticsItem)), s.scalar(
            select(func.count()).select_from(AuditEvent))
    assert after == before


def test_the_list_shows_every_item_with_its_state(site):
    app, db, _chair = site
    from dash_app.pages.governorate import items_admin  # noqa: F401 - registers the page's callbacks

    staff = _client(app, "staff@example.org")
    shown = post_callback(staff, app, "it-list", {"it-version": 0}, "it-version.data")
    text = json.dumps(shown.get_json(), ensure_ascii=False)
    assert "Assembly hall" in text and "سالن اجتماعات" in text and "Retire" in text and "Assembly hall (hall)" in text
