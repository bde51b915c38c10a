"""T21 in the domain: one-time password-reset links issued by the governorate (models.accounts.password_reset)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

import models.accounts.admin as admin_ops
import models.accounts.users as accounts
from models.accounts.password_reset import (
    LINK_INVALID,
    RESET_VALID_FOR,
    issue_reset,
    redeem_reset,
    reset_link_works,
)
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.base import utcnow
from models.orm.password_reset import PasswordReset
from models.orm.people import User
from models.orm.tables import Table

OLD = "correct horse 42"
NEW = "battery staple 1405"


@dataclass
class People:
    gov: int
    chair: int
    citizen: int


@pytest.fixture
def people(any_db):
    with any_db.unit_of_work() as s:
        gov = accounts.create_user(s, name="Staff", login="gov@example.org", password=OLD, is_governorate=True)
        chair = accounts.create_user(s, name="Chair", login="09120000004", password=OLD)
        citizen = accounts.create_user(s, name="Sara", login="09120000001", password=OLD)
        table = Table(slug="health", name_fa="میز سلامت", name_en="Health table", domain="health", chair_id=chair.id)
        s.add(table)
        from models.audit.log import record

        record(s, gov.id, "table.created", table)
    return any_db, People(gov.id, chair.id, citizen.id)


def _issue(db, actor, user, **kw) -> str:
    with db.unit_of_work() as s:
        return issue_reset(s, actor, user, **kw)


def _redeem(db, token, password=NEW, **kw) -> User:
    with db.unit_of_work() as s:
        return redeem_reset(s, token, password, **kw)


def _refused(db, token, password=NEW) -> NotFound:
    with pytest.raises(NotFound) as info:
        _redeem(db, token, password)
    assert info.value.code == LINK_INVALID and info.value.params == {}
    return info.value


def _password_hash(db, user_id) -> str:
    with db.reader() as s:
        return s.get(User, user_id).password_hash


def test_a_link_from_the_governorate_sets_the_password_once(people):
    db, p = people
    token = _issue(db, p.gov, p.citizen)
    assert isinstance(token, str) and len(token) >= 43  # token_urlsafe(32): 256 bits
    with db.reader() as s:
        assert reset_link_works(s, token)
    user = _redeem(db, token)
    assert user.id == p.citizen
    with db.reader() as s:
        assert accounts.authenticate(s, "09120000001", NEW).id == p.citizen
        assert accounts.authenticate(s, "09120000001", OLD) is None
        reset = s.scalars(select(PasswordReset)).one()
        assert reset.used_at is not None and reset.created_by_id == p.gov
        assert not reset_link_works(s, token)
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        used = s.scalars(select(AuditEvent).where(AuditEvent.action == "password_reset.used")).one()
    assert actions[-3:] == ["password_reset.issued", "password_reset.used", "user.password_reset"]
    assert used.actor_id == p.citizen  # the person, not the officer, set the password
    changed = _password_hash(db, p.citizen)
    _refused(db, token, "another good password 7")  # a second use
    assert _password_hash(db, p.citizen) == changed


def test_the_token_is_stored_only_as_its_hash_and_never_audited(people):
    db, p = people
    first = _issue(db, p.gov, p.citizen)
    token = _issue(db, p.gov, p.citizen)  # also writes a "revoked" event for the first
    _redeem(db, token)
    digest = hashlib.sha256(token.encode()).hexdigest()
    with db.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(PasswordReset.__table__))]
        events = [json.dumps([r.action, r.before, r.after], default=str)
                  for r in conn.execute(select(AuditEvent.__table__))]
    assert digest in {r[2] for r in rows}
    for raw in (token, first):
        assert not any(raw in str(r) for r in rows)
    for secret in (token, first, digest, hashlib.sha256(first.encode()).hexdigest()):
        assert not any(secret in e for e in events), secret
    assert not any("token_hash" in e or "password_hash" in e for e in events)


def test_an_expired_link_is_refused(people):
    db, p = people
    token = _issue(db, p.gov, p.citizen)
    with db.reader() as s:
        expires = s.scalars(select(PasswordReset.expires_at)).one()
        assert expires - s.scalars(select(PasswordReset.created_at)).one() == RESET_VALID_FOR
    with db.engine.begin() as conn:  # the clock moves past the expiry (a plain UPDATE, as time would)
        conn.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    before = _password_hash(db, p.citizen)
    with db.reader() as s:
        assert not reset_link_works(s, token)
    _refused(db, token)
    assert _password_hash(db, p.citizen) == before


def test_only_governorate_staff_issue_links(people):
    db, p = people
    for actor in (p.citizen, p.chair, None, 10**6, "1"):
        with pytest.raises(PermissionDenied) as info:
            _issue(db, actor, p.citizen)
        assert info.value.code == "governorate_only"
    with db.reader() as s:
        assert s.scalars(select(PasswordReset)).all() == []


def test_unknown_and_deactivated_people_get_no_link(people):
    db, p = people
    for target in (10**6, None, "2", True, -1):
        with pytest.raises(NotFound) as info:
            _issue(db, p.gov, target)
        assert info.value.code == "user_not_found"
    token = _issue(db, p.gov, p.citizen)
    with db.unit_of_work() as s:
        admin_ops.set_active(s, p.gov, p.citizen, False)
    with pytest.raises(Conflict) as info:
        _issue(db, p.gov, p.citizen)
    assert info.value.code == "account_inactive"
    _refused(db, token)  # a link issued before the account was deactivated stops working too
    with db.unit_of_work() as s:
        admin_ops.set_active(s, p.gov, p.citizen, True)
    _refused(db, token)  # ... and stays revoked when the account comes back
    with db.reader() as s:
        revoked = s.scalars(select(AuditEvent).where(AuditEvent.action == "password_reset.revoked")).one()
        assert revoked.actor_id == p.gov


def test_a_weak_password_is_refused_and_nothing_changes(people):
    db, p = people
    token = _issue(db, p.gov, p.citizen)
    before = _password_hash(db, p.citizen)
    with db.reader() as s:
        events = s.scalars(select(AuditEvent.id)).all()
    for weak, code in (("short", "password_too_short"), ("12345678", "password_too_common"),
                       ("x" * 200, "password_too_long"), (None, "password_too_short"),
                       ("+989120000001", "password_like_login")):
        with pytest.raises(ValidationError) as info:
            _redeem(db, token, weak)
        assert info.value.code == code and info.value.field == "password"
    with db.reader() as s:
        assert s.scalars(select(AuditEvent.id)).all() == events
        assert s.scalars(select(PasswordReset.used_at)).one() is None
        assert reset_link_works(s, token)  # still usable with a good password
    assert _password_hash(db, p.citizen) == before
    _redeem(db, token)


def test_a_new_link_replaces_the_earlier_unused_one(people):
    db, p = people
    first = _issue(db, p.gov, p.citizen)
    second = _issue(db, p.gov, p.citizen)
    with db.reader() as s:
        assert not reset_link_works(s, first) and reset_link_works(s, second)
        revoked = s.scalars(select(AuditEvent).where(AuditEvent.action == "password_reset.revoked")).one()
        assert revoked.actor_id == p.gov
    _refused(db, first)
    _redeem(db, second)
    # Links for someone else are untouched by a new link for this person.
    other = _issue(db, p.gov, p.chair)
    _issue(db, p.gov, p.citizen)
    with db.reader() as s:
        assert reset_link_works(s, other)


@pytest.mark.parametrize("token", [None, "", 42, "x", "a" * 43, "a" * 1000, "../../etc/passwd",
                                   "<script>alert(1)</script>", "۱۲۳" * 15, ["a" * 43]])
def test_anything_that_is_not_a_working_link_gets_the_same_error(people, token):
    db, p = people
    _issue(db, p.gov, p.citizen)
    _refused(db, token)
