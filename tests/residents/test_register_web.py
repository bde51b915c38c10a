"""The register's pages over HTTP: the governorate imports a file (every bad row worded by line, nothing
imported), sets who may vote; a citizen links their account and a second account with the same national
code is refused with a sentence; a resident votes without an account once; a table member registers a
resident from a paper form; forged callbacks change nothing."""
from __future__ import annotations

import base64
import json
import shutil

import pytest
from sqlalchemy import func, select

import models.accounts.users as accounts
import models.pb.cycles as pbc
from dash_app.pages.pb import ids_census as cids
from dash_app.ui import register_ids as ids
from dash_app.ui import resident_ids as rids
from models import orm
from models.audit.log import record
from models.core.db import Database
from models.core.residency import configure_register_key, register_key_from_secret
from models.demo.residents import register_csv, synthetic_code
from models.orm.base import utcnow
from models.orm.pb import PBBallot
from models.orm.residents import Resident, VoteEligibility
from tests.models.world import build_world
from tests.web.callbacks import post_callback, rendered_text
from tests.web.conftest import csrf

PASSWORD = "correct horse 42"
PEOPLE = {"gov": ("gov@example.org", "en", True), "ana": ("ana@example.org", "en", False),
          "bob": ("bob@example.org", "en", False)}
SECRET = "register-web"
CODES = [synthetic_code(i) for i in range(1, 5)]
ROWS = [(CODES[0], "Ana Resident", "amol-city", 1360), (CODES[1], "Bob Resident", "larijan", 1370),
        (CODES[2], "Cara Resident", "Larijan District", "۱۳۵۰")]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("register-web") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    orm.Base.metadata.create_all(db.engine)
    with db.unit_of_work() as s:
        world = build_world(s)
        made = {k: accounts.create_user(s, name=k.title(), login=login, password=PASSWORD, language=lang,
                                        is_governorate=gov) for k, (login, lang, gov) in PEOPLE.items()}
        for i, key in enumerate(("ana", "bob")):  # a claim asks for a phone confirmed by a code
            made[key].phone, made[key].phone_verified_at = f"+98911000001{i}", utcnow()
            record(s, None, "user.phone_verified", made[key])
        users = {k: u.id for k, u in made.items()}
    with db.unit_of_work() as s:
        cycle = pbc.create_cycle(s, users["gov"], pbc.CycleInput(
            name_fa="دوره", name_en="Residents' cycle", budget_rials=120_000_000,
            project_ids=(world.project, world.env_project), max_approvals=1))
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path, world, users, cycle.id


@pytest.fixture
def site(template, tmp_path):
    path, world, users, cycle_id = template
    copy = tmp_path / "register-web.sqlite3"
    shutil.copyfile(path, copy)
    db = Database(f"sqlite:///{copy}")
    configure_register_key(db, register_key_from_secret(SECRET))   # the app's key, so the test reads the same digests
    from dash_app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SECRET_KEY": SECRET})
    yield app, db, world, users, cycle_id
    app.extensions["hamyar_db"].dispose()
    db.dispose()


def _client(app, who: str | None):
    client = app.test_client()
    client.set_cookie("hamyar_lang", "en")        # an anonymous visitor reading English
    if who:
        client.post("/login", data={"csrf_token": csrf(client), "login": PEOPLE[who][0], "password": PASSWORD})
        client.get("/")
    return client


def _upload(client, app, data: bytes, name="register.csv"):
    contents = "data:text/csv;base64," + base64.b64encode(data).decode()
    return post_callback(client, app, ids.REG_RESULT, {ids.REG_UPLOAD: contents},
                         f"{ids.REG_UPLOAD}.contents", prop="children")


def _answer(resp) -> str:
    assert resp.status_code == 200, resp.data
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _count(db, model):
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def _import(app, db):
    _answer(_upload(_client(app, "gov"), app, register_csv(ROWS)))
    assert _count(db, Resident) == 3


def test_only_the_governorate_imports(site):
    app, db, *_ = site
    assert _upload(_client(app, None), app, register_csv(ROWS)).status_code == 401
    assert _upload(_client(app, "ana"), app, register_csv(ROWS)).status_code == 403
    assert _count(db, Resident) == 0
    assert _client(app, "ana").get("/governorate/register").status_code in (200, 403)


def test_the_governorate_imports_a_file_and_sees_each_bad_row(site):
    app, db, *_ = site
    gov = _client(app, "gov")
    bad = ROWS + [("0012345678", "Wrong", "amol-city", 1360), (CODES[0], "Again", "amol-city", 1360),
                  (CODES[3], "Lost", "atlantis", 1360)]
    text = _answer(_upload(gov, app, register_csv(bad)))
    assert "3 problems were found, so nothing was imported." in text
    assert "Line 5: “0012345678” is not a valid national code" in text
    assert "Line 6: this national code is already on line 2." in text
    assert "Line 7: no district, city or rural district is called “atlantis”." in text
    assert _count(db, Resident) == 0
    text = _answer(_upload(gov, app, register_csv(ROWS)))
    assert "Imported 3 residents: 3 new, 0 changed, 0 unchanged; 0 no longer in the register." in text
    assert _count(db, Resident) == 3
    page = rendered_text(gov, "/governorate/register")
    assert "3 residents in the register; 0 of them have linked an account." in page
    assert CODES[0] not in page


def _set_rule(app, cycle_id, residency="county", min_age=None):
    return post_callback(_client(app, "gov"), app, ids.RULE_MESSAGE,
                         {ids.RULE_SCOPE: f"cycle:{cycle_id}", ids.RULE_RESIDENCY: residency,
                          ids.RULE_DISTRICT: None, ids.RULE_MIN_AGE: min_age, ids.RULE_SAVE: 1}, f"{ids.RULE_SAVE}.n_clicks",
                         prop="children")


def _claim(app, who, code, year):
    return _answer(post_callback(_client(app, who), app, rids.RES_MESSAGE, {rids.RES_CODE: code, rids.RES_YEAR: year, rids.RES_SUBMIT: 1},
                                 f"{rids.RES_SUBMIT}.n_clicks", prop="children"))


def test_residents_only_cycle_one_account_per_national_code(site):
    app, db, world, users, cycle_id = site
    _import(app, db)
    assert _set_rule(app, cycle_id, "county", "200").status_code == 200
    assert _count(db, VoteEligibility) == 0                          # 200 is refused, worded
    assert "Saved." in _answer(_set_rule(app, cycle_id, "county", "18"))
    with db.unit_of_work() as s:
        pbc.advance_phase(s, users["gov"], cycle_id, "voting")
    page = rendered_text(_client(app, "ana"), "/vote")
    assert "Who may vote: residents in the county's resident register, aged 18 or over this year." in page
    assert "Link your account to the resident register" in page
    assert "Your account is now linked to the resident register." in _claim(app, "ana", CODES[0], "1360")
    refused = _claim(app, "bob", CODES[0], "1360")
    assert "This national code is already linked to another account." in refused
    assert "No one in the resident register has this national code" in _claim(app, "bob", CODES[1], "1371")
    with db.reader() as s:
        assert s.scalar(select(Resident.user_id).where(Resident.user_id.is_not(None))) == users["ana"]


def _census(app, cycle_id, code, year, choices, otp=None):
    trigger = cids.CENSUS_SUBMIT if otp is not None else cids.CENSUS_SEND
    return _answer(post_callback(_client(app, None), app, cids.CENSUS_MESSAGE, {
        cids.CENSUS_CYCLE: {"cycle_id": cycle_id}, cids.CENSUS_CODE: code, cids.CENSUS_YEAR: year,
        cids.CENSUS_CHOICES: choices, cids.CENSUS_OTP: otp, cids.CENSUS_SEND: 1, cids.CENSUS_SUBMIT: 1},
        f"{trigger}.n_clicks", prop="children"))


@pytest.fixture
def gateway():
    from tests.messaging.servers import Gateway, start_gateway

    gw = Gateway()
    server = start_gateway(gw)
    yield gw
    server.shutdown()
    server.server_close()


def _code_from(db, gateway) -> str:
    import re

    from models.messaging.sender import send_due
    from models.messaging.transports import HttpSmsTransport, SmtpTransport, Transports

    transports = Transports(sms=HttpSmsTransport(gateway.url, gateway.api_key, "Hamyar", timeout=5),
                            email=SmtpTransport("127.0.0.1", 9, "hamyar@amol.example", timeout=1))
    assert send_due(db, transports).sent == 1
    text = gateway.received[-1]["text"]
    assert text.startswith("Hamyar voting code:") and len(text) <= 70
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_a_resident_votes_once_without_an_account_with_a_code_to_their_phone(site, gateway):
    app, db, world, users, cycle_id = site
    _import(app, db)
    _answer(_set_rule(app, cycle_id))
    with db.unit_of_work() as s:
        pbc.advance_phase(s, users["gov"], cycle_id, "voting")
    assert "Residents' cycle" in rendered_text(_client(app, None), "/vote/resident")
    # an entry nobody linked to a confirmed phone: told so, pointed to /signup, nothing sent
    refused = _census(app, cycle_id, CODES[2], "1350", [world.project])
    assert "has no confirmed mobile number" in refused and "/signup" in refused
    assert "Your account is now linked to the resident register." in _claim(app, "bob", CODES[1], "1370")
    # the national code and the year alone cast nothing: a code goes to the linked account's phone
    sent = post_callback(_client(app, None), app, cids.CENSUS_MESSAGE, {
        cids.CENSUS_CYCLE: {"cycle_id": cycle_id}, cids.CENSUS_CODE: CODES[1], cids.CENSUS_YEAR: "۱۳۷۰",
        cids.CENSUS_CHOICES: [world.project], cids.CENSUS_SEND: 1}, f"{cids.CENSUS_SEND}.n_clicks",
        prop="children").get_json()["response"]
    assert sent[cids.CENSUS_CODE_STEP]["hidden"] is False and "0011" in json.dumps(sent[cids.CENSUS_SENT])
    code = _code_from(db, gateway)
    assert gateway.received[-1]["to"] == "+989110000011"   # bob's confirmed phone
    wrong = "000000" if code != "000000" else "111111"
    assert "This code is not right" in _census(app, cycle_id, CODES[1], "1370", [world.project], otp=wrong)
    with db.reader() as s:
        assert s.scalar(select(func.count(PBBallot.id)).where(PBBallot.cycle_id == cycle_id)) == 0
        from models.orm.codes import OneTimeCode
        assert s.scalar(select(OneTimeCode.attempts).where(OneTimeCode.purpose == "vote")) == 1  # the try counted
    assert "Your vote is counted." in _census(app, cycle_id, CODES[1], "1370", [world.project], otp=code)
    assert "This national code has already voted here." in _census(app, cycle_id, CODES[1], "1370", [world.project])
    assert "Your vote is counted." not in _census(app, cycle_id, CODES[1], "1370", [world.project], otp=code)
    with db.reader() as s:
        assert s.scalar(select(func.count(PBBallot.id)).where(PBBallot.cycle_id == cycle_id)) == 1


def test_census_voting_is_off_with_hamyar_census_voting_0(site):
    from dataclasses import replace

    from dash_app.settings import EXTENSION_KEY

    app, db, world, users, cycle_id = site
    app.extensions[EXTENSION_KEY] = replace(app.extensions[EXTENSION_KEY], census_voting=False)
    assert "offered only where the vote is for residents" in _census(app, cycle_id, CODES[1], "1370", [world.project])
    assert "No budgeting vote for residents is open right now." in rendered_text(_client(app, None), "/vote/resident")


def test_a_table_member_registers_a_resident_and_a_citizen_cannot(site):
    app, db, world, users, cycle_id = site
    _import(app, db)
    values = {ids.AS_CODE: CODES[2], ids.AS_YEAR: "1350", ids.AS_NAME: "Cara Resident", ids.AS_PHONE: "",
              ids.AS_FORM: "F-12", ids.AS_REGISTER: 1}
    refused = _answer(post_callback(_client(app, "ana"), app, ids.AS_REGISTER_MESSAGE, values,
                                    f"{ids.AS_REGISTER}.n_clicks", prop="children"))
    assert "Only governorate staff and table members may register residents" in refused
    done = _answer(post_callback(_client(app, "gov"), app, ids.AS_REGISTER_MESSAGE, values,
                                 f"{ids.AS_REGISTER}.n_clicks", prop="children"))
    assert "The resident is registered and linked to the register." in done
    again = _answer(post_callback(_client(app, "gov"), app, ids.AS_REGISTER_MESSAGE, dict(values, **{ids.AS_CODE: CODES[1],
                                  ids.AS_YEAR: "1370"}), f"{ids.AS_REGISTER}.n_clicks", prop="children"))
    assert "Form F-12 has already been entered." in again
    pledged = _answer(post_callback(_client(app, "gov"), app, ids.AP_MESSAGE, {
        ids.AP_CODE: CODES[2], ids.AP_YEAR: "1350", ids.AP_FORM: "P-1", ids.AP_KIND: "financial", ids.AP_AMOUNT: "500000", ids.AP_SUBMIT: 1},
        f"{ids.AP_SUBMIT}.n_clicks", prop="children"))
    assert "The pledge is entered in the resident's name." in pledged
