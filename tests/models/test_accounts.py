"""models.accounts.users: hashing, login normalisation, registration rules, authentication, roles."""
from __future__ import annotations

import pytest

import models.accounts.users as accounts
from models import orm
from models.audit.log import record
from models.core import permissions
from models.core.db import Database
from models.core.enums import MemberBackground
from models.core.errors import ValidationError
from models.orm.tables import Table, TableMembership


@pytest.fixture
def adb(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'acc.sqlite3'}")
    orm.Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


def test_hash_and_verify():
    h = accounts.hash_password("a good password")
    assert h.startswith("scrypt$32768$8$1$")
    assert accounts.verify_password(h, "a good password")
    assert not accounts.verify_password(h, "a good passworD")
    assert not accounts.verify_password("garbage", "x")


@pytest.mark.parametrize("text,expected", [
    ("09121234567", ("phone", "+989121234567")),
    ("۰۹۱۲ ۱۲۳ ۴۵۶۷", ("phone", "+989121234567")),
    ("٠٩١٢١٢٣٤٥٦٧", ("phone", "+989121234567")),
    ("9121234567", ("phone", "+989121234567")),
    ("+98 (912) 123-4567", ("phone", "+989121234567")),
    ("00989121234567", ("phone", "+989121234567")),
    ("+44 20 7946 0958", ("phone", "+442079460958")),
    (" Ali@Example.ORG ", ("email", "ali@example.org")),
])
def test_normalise_login(text, expected):
    assert accounts.normalise_login(text) == expected


@pytest.mark.parametrize("text", ["", "12345", "0212345678", "ali@", "not a login", "+98 21 1234 5678"])
def test_normalise_login_refuses(text):
    with pytest.raises(ValidationError) as info:
        accounts.normalise_login(text)
    assert info.value.field == "login"


def test_create_user_validates_and_audits(adb):
    with adb.unit_of_work() as s:
        user = accounts.create_user(s, name="  Ali   Rezaei ", login="09121234567", password="long enough 1")
        assert user.name == "Ali Rezaei" and user.phone == "+989121234567"
    for kwargs, code in [
        ({"name": " "}, "name_required"),
        ({"login": "۰۹۱۲۱۲۳۴۵۶۷"}, "login_taken"),
        ({"password": "short"}, "password_too_short"),
        ({"password": "password123"}, "password_too_common"),
        ({"password": "aaaaaaaaaa"}, "password_too_common"),
        ({"login": "xavier@y.org", "password": "xavier@y.org"}, "password_like_login"),
        ({"login": "z@y.org", "language": "de"}, "language_invalid"),
    ]:
        args = {"name": "Sara", "login": "sara@example.org", "password": "long enough 1", **kwargs}
        with pytest.raises(ValidationError) as info, adb.unit_of_work() as s:
            accounts.create_user(s, **args)
        assert info.value.code == code


def test_authenticate(adb):
    with adb.unit_of_work() as s:
        accounts.create_user(s, name="Ali", login="ali@example.org", password="long enough 1")
    with adb.reader() as s:
        assert accounts.authenticate(s, "ALI@example.org", "long enough 1").name == "Ali"
        assert accounts.authenticate(s, "ali@example.org", "wrong") is None
        assert accounts.authenticate(s, "nobody@example.org", "long enough 1") is None
        assert accounts.authenticate(s, "not a login", "x") is None


def test_roles_of(adb):
    with adb.unit_of_work() as s:
        gov = accounts.create_user(s, name="Gov", login="g@example.org", password="long enough 1",
                                   is_governorate=True)
        member = accounts.create_user(s, name="M", login="m@example.org", password="long enough 1")
        chair = accounts.create_user(s, name="C", login="c@example.org", password="long enough 1")
        t = Table(slug="health", name_fa="سلامت", name_en="Health", domain="health")
        s.add(t)
        record(s, gov.id, "table.create", t)
        t.chair_id = chair.id
        record(s, gov.id, "table.set_chair", t)
        for u in (member, chair):
            m = TableMembership(table_id=t.id, user_id=u.id, background=MemberBackground.FIELD)
            s.add(m)
            record(s, gov.id, "table.add_member", m)
        ids = (gov.id, member.id, chair.id, t.id)
    gov_id, member_id, chair_id, table_id = ids
    with adb.reader() as s:
        assert permissions.roles_of(s, None) == permissions.ANONYMOUS
        g = permissions.roles_of(s, gov_id)
        assert g.citizen and g.governorate and not g.member_of
        m = permissions.roles_of(s, member_id)
        assert m.member_of == frozenset({table_id}) and not m.chair_of and not m.governorate
        c = permissions.roles_of(s, chair_id)
        assert c.chair_of == frozenset({table_id}) and c.names() == {"citizen", "member", "chair"}
