"""One-time codes (issue 23 items 1, 3): 6 digits, 2 minutes, 5 tries, hashed, once; limits; sign up and in by
code without a password; forgot password by code; and the web flow reading the code from the outbox."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

import models.accounts.users as accounts
from models.accounts import codes
from models.core.errors import ValidationError
from models.orm.base import utcnow
from models.orm.codes import OneTimeCode
from models.orm.outbox import OutboxMessage
from models.orm.people import User
from models.orm.sessions import UserSession
from tests.web.conftest import app, client, csrf, web_db  # noqa: F401 (fixtures)

PHONE = "09121234567"


@pytest.fixture
def db(web_db):  # noqa: F811
    return web_db


def _issue(db, purpose="register", login=PHONE, address="10.0.0.1", now=None):
    with db.unit_of_work() as s:
        return codes.issue_code(s, purpose=purpose, login=login, address=address, now=now)


def test_a_code_is_six_digits_stored_hashed_and_works_once(db):
    issued = _issue(db)
    assert re.fullmatch(r"\d{6}", issued.code) and issued.recipient == "+989121234567" and issued.channel == "sms"
    with db.reader() as s:
        row = s.scalars(select(OneTimeCode)).one()
        assert issued.code not in row.code_hash and len(row.code_hash) == 64
    with db.unit_of_work() as s:
        user = codes.register_with_code(s, name="مریم", login=PHONE, code=issued.code, password=None)
        assert user is not None and codes.is_phone_verified(user) and not accounts.has_password(user)
    with db.unit_of_work() as s:
        assert codes.check_code(s, purpose="register", login=PHONE, code=issued.code) is None  # used
    with db.reader() as s:  # no password: no password signs in, not even an empty one
        assert accounts.authenticate(s, PHONE, "") is None and accounts.authenticate(s, PHONE, "!seeded") is None


def test_a_code_expires_after_two_minutes_and_ends_after_five_wrong_tries(db):
    now = utcnow()
    issued = _issue(db, now=now)
    with db.unit_of_work() as s:
        assert codes.check_code(s, purpose="register", login=PHONE, code=issued.code,
                                now=now + timedelta(minutes=2, seconds=1)) is None
    fresh = _issue(db, now=now + timedelta(minutes=3), address="10.0.0.2")
    wrong = f"{(int(fresh.code) + 1) % 10 ** 6:06d}"
    for _ in range(codes.MAX_TRIES):
        with db.unit_of_work() as s:
            assert codes.check_code(s, purpose="register", login=PHONE, code=wrong, now=now + timedelta(minutes=3)) \
                is None
    with db.unit_of_work() as s:  # the right code after five wrong ones: too late
        assert codes.check_code(s, purpose="register", login=PHONE, code=fresh.code,
                                now=now + timedelta(minutes=3)) is None


def test_asking_for_codes_is_limited_per_number_and_per_address(db):
    now = utcnow()
    _issue(db, now=now)
    with pytest.raises(ValidationError) as too_soon:
        _issue(db, now=now + timedelta(seconds=10))
    assert too_soon.value.code == "code_too_soon" and 45 <= too_soon.value.params["seconds"] <= 51
    for i in range(1, codes.PER_NUMBER):
        _issue(db, now=now + timedelta(minutes=2 * i))
    with pytest.raises(ValidationError, match="code_limit_number"):
        _issue(db, now=now + timedelta(minutes=20), address="10.9.9.9")
    for i in range(codes.PER_ADDRESS - codes.PER_NUMBER):  # other numbers, one address
        _issue(db, login=f"0912000{i:04d}", now=now + timedelta(minutes=21))
    with pytest.raises(ValidationError, match="code_limit_address"):
        _issue(db, login="09125550000", now=now + timedelta(minutes=21))


def test_sign_in_and_reset_codes_go_only_to_accounts_without_saying_so(db):
    assert _issue(db, purpose="sign_in").code is None  # nobody to send it to; the page says the same either way
    with db.unit_of_work() as s:
        accounts.create_user(s, name="Resident", login="09127770000", password="correct horse 42")
    with pytest.raises(ValidationError, match="login_taken"):
        _issue(db, purpose="register", login="09127770000")
    issued = _issue(db, purpose="reset", login="09127770000", address="10.0.0.3")
    with db.unit_of_work() as s:
        user = accounts.find_user_by_login(s, "09127770000")
        s.add(UserSession(user_id=user.id, token_hash="x" * 64, expires_at=utcnow() + timedelta(days=1)))
    with db.unit_of_work() as s:
        with pytest.raises(ValidationError, match="password_too_short"):  # refused before the code is spent
            codes.reset_with_code(s, login="09127770000", code=issued.code, new_password="short")
    with db.unit_of_work() as s:
        assert codes.reset_with_code(s, login="09127770000", code=issued.code, new_password="a new long secret 7")
    with db.reader() as s:
        assert accounts.authenticate(s, "09127770000", "a new long secret 7") is not None
        assert s.scalars(select(UserSession)).one().ended_at is not None  # every session ended
        assert codes.is_phone_verified(accounts.find_user_by_login(s, "09127770000"))


def _code_from_outbox(db) -> str:
    with db.reader() as s:
        text = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().text
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_signing_up_and_in_by_code_on_the_web(app, client, web_db):  # noqa: F811
    token = csrf(client)
    resp = client.post("/code/send", data={"csrf_token": token, "purpose": "register", "login": "۰۹۱۲۱۲۳۴۵۶۷",
                                           "name": "زهرا رضایی"})
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/signup?step=code")
    with web_db.reader() as s:
        msg = s.scalars(select(OutboxMessage)).one()
        assert msg.channel == "sms" and msg.recipient == "+989121234567" and msg.secret and msg.kind == "code_register"
    code = _code_from_outbox(web_db)
    wrong = client.post("/signup", data={"csrf_token": csrf(client), "code": "000000" if code != "000000" else "111111"})
    assert "error=code_wrong" in wrong.headers["Location"]
    with web_db.reader() as s:
        assert s.scalars(select(OneTimeCode)).one().attempts == 1  # the wrong try was counted (committed)
    resp = client.post("/signup", data={"csrf_token": csrf(client), "code": code})
    assert resp.status_code == 303 and resp.headers["Location"] == "/"
    with web_db.reader() as s:
        user = s.scalars(select(User)).one()
        assert user.name == "زهرا رضایی" and user.phone_verified_at is not None and user.password_hash == ""
    client.post("/logout", data={"csrf_token": csrf(client)})
    client.get("/")
    client.post("/code/send", data={"csrf_token": csrf(client), "purpose": "sign_in", "login": PHONE})
    with web_db.reader() as s:
        assert s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().kind == "code_sign_in"
    resp = client.post("/login/code", data={"csrf_token": csrf(client), "code": _code_from_outbox(web_db)})
    assert resp.status_code == 303 and resp.headers["Location"] == "/"
    with web_db.reader() as s:
        assert s.scalars(select(UserSession).where(UserSession.ended_at.is_(None))).one().user_id == user.id
