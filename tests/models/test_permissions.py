"""models.core.permissions: who may do what, as one table, and the domain operations that ask it.

Each person below differs from a permitted one in exactly one way (deactivated, archived table,
left the table, another table), so each row of the table pins one part of the rule.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from models.audit.log import record
from models.core import permissions as perm
from models.core.enums import MemberBackground
from models.core.errors import PermissionDenied
from models.orm.base import utcnow
from models.orm.people import User
from models.orm.tables import Table, TableMembership
from models.reporting.valuation import set_rate
from models.tables.elections import open_election
from tests.models.world import build_world


def _person(s, name, *, governorate=False, active=True):
    user = User(name=name, email=f"{name}@example.org", password_hash="!x", is_governorate=governorate,
                is_active=active)
    s.add(user)
    record(s, None, "test.created", user)
    s.flush()
    return user.id


@pytest.fixture
def people(db):
    """The small world plus one person for each way of almost holding a role."""
    with db.unit_of_work() as s:
        w = build_world(s)
        p = {"chair": w.chair, "other_chair": w.other_chair, "member": w.member, "citizen": w.citizen,
             "gov": _person(s, "gov", governorate=True),
             "gov_inactive": _person(s, "govoff", governorate=True, active=False)}
        archived = Table(slug="archived", name_fa="بایگانی", name_en="Archived", domain="x",
                         chair_id=_person(s, "archchair"), archived_at=utcnow())
        s.add(archived)
        record(s, None, "test.created", archived)
        s.flush()
        p["archived_chair"] = archived.chair_id
        # the health table's chair, deactivated: a second table chaired by an inactive account
        off = Table(slug="off", name_fa="خاموش", name_en="Off", domain="y", chair_id=_person(s, "offchair", active=False))
        s.add(off)
        record(s, None, "test.created", off)
        s.flush()
        p["inactive_chair"] = off.chair_id
        left = _person(s, "left")
        m = TableMembership(table_id=w.health, user_id=left, background=MemberBackground.FIELD,
                            left_at=utcnow() - timedelta(days=1))
        s.add(m)
        record(s, None, "test.created", m)
        p["former_member"] = left
        tables = {"health": w.health, "env": w.env, "archived": archived.id, "off": off.id}
    return db, p, tables


# (person, is governorate, chairs, member of)
EXPECTED = [
    ("gov", True, set(), set()),
    ("gov_inactive", False, set(), set()),
    ("chair", False, {"health"}, {"health"}),
    ("other_chair", False, {"env"}, {"env"}),
    ("archived_chair", False, set(), set()),
    ("inactive_chair", False, set(), set()),
    ("member", False, set(), {"health"}),
    ("former_member", False, set(), set()),
    ("citizen", False, set(), set()),
]


@pytest.mark.parametrize("who,governorate,chairs,member", EXPECTED, ids=[row[0] for row in EXPECTED])
def test_who_may_do_what(people, who, governorate, chairs, member):
    db, p, tables = people
    uid = p[who]
    with db.reader() as s:
        assert perm.is_governorate(s, uid) is governorate
        for name, tid in tables.items():
            assert perm.is_chair_of(s, uid, tid) is (name in chairs), name
            assert perm.is_member_of(s, uid, tid) is (name in member), name
        roles = perm.roles_of(s, uid)
        assert roles.governorate is governorate
        assert roles.chair_of == {tables[n] for n in chairs}
        assert roles.member_of == {tables[n] for n in member}
        assert roles.citizen is (who not in ("gov_inactive", "inactive_chair"))
        if governorate:
            assert perm.require_governorate(s, uid).id == uid
        else:
            with pytest.raises(PermissionDenied):
                perm.require_governorate(s, uid)
        for name, tid in tables.items():
            if name in chairs:
                perm.require_chair_of(s, uid, tid)
            else:
                with pytest.raises(PermissionDenied):
                    perm.require_chair_of(s, uid, tid)


@pytest.mark.parametrize("forged", [None, "1", True, 1.0, 10**30, -1])
def test_forged_ids_hold_no_role(people, forged):
    db, _p, tables = people
    with db.reader() as s:
        assert perm.roles_of(s, forged) == perm.ANONYMOUS
        assert not perm.is_governorate(s, forged)
        assert not perm.is_chair_of(s, forged, tables["health"])
        assert not perm.is_member_of(s, forged, tables["health"])


def test_domain_operations_ask_the_same_rules(people):
    """Elections and valuation used to admit a deactivated governorate account; now every area refuses it."""
    db, p, tables = people
    for op in (lambda s: open_election(s, p["gov_inactive"], tables["health"], utcnow() + timedelta(days=7)),
               lambda s: set_rate(s, p["gov_inactive"], "design", "", 100_000)):
        with pytest.raises(PermissionDenied), db.unit_of_work() as s:
            op(s)
    with db.unit_of_work() as s:
        assert open_election(s, p["gov"], tables["health"], utcnow() + timedelta(days=7)).id
