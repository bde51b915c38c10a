"""The rules that live in the database itself, proved on SQLite and PostgreSQL alike."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from models.audit.log import UnauditedChange, record
from models.core.enums import HelpKind, ProjectKind
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _user(session, login="a@example.org", name="Ali") -> User:
    user = User(name=name, email=login, password_hash="x")
    session.add(user)
    record(session, None, "user.created", user)
    return user


def _table_project_need(session, qty=100, kind=HelpKind.EXECUTION):
    table = Table(slug="health", name_fa="سلامت", name_en="Health", domain="health")
    session.add(table)
    record(session, None, "table.created", table)
    project = Project(table_id=table.id, kind=ProjectKind.PROBLEM, title_fa="پروژه", priority=5)
    session.add(project)
    record(session, None, "project.created", project)
    need = Need(project_id=project.id, kind=kind, quantity=qty)
    session.add(need)
    record(session, None, "need.created", need)
    return table, project, need


def _raw_insert_fails(db, model, **values):
    with pytest.raises((IntegrityError, StatementError, DBAPIError)):
        with db.engine.begin() as conn:
            conn.execute(insert(model).values(**values))


def test_quantities_must_be_positive(any_db):
    with any_db.unit_of_work() as s:
        user = _user(s)
        _, _, need = _table_project_need(s)
        uid, project_id = user.id, need.project_id
    for qty in (0, -5):
        _raw_insert_fails(any_db, Pledge, citizen_id=uid, kind="financial", quantity=qty, withdrawn_quantity=0,
                          description="", only_tables=False, divisible=True, status="open", created_at=T0, version=1)
        _raw_insert_fails(any_db, Need, project_id=project_id, kind="financial", quantity=qty, description="",
                          created_at=T0, version=1)


def test_kinds_and_statuses_are_constrained_values(any_db):
    with any_db.unit_of_work() as s:
        uid = _user(s).id
    with pytest.raises((IntegrityError, StatementError, DBAPIError, LookupError)):
        with any_db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO pledges (citizen_id, kind, quantity, withdrawn_quantity, description, only_tables, "
                "divisible, status, created_at, version) VALUES (:u, 'prayers', 5, 0, '', false, true, 'open', :t, 1)"),
                {"u": uid, "t": T0})
    with pytest.raises((IntegrityError, StatementError, DBAPIError)):
        with any_db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO pledges (citizen_id, kind, quantity, withdrawn_quantity, description, only_tables, "
                "divisible, status, created_at, version) VALUES (:u, 'financial', 5, 0, '', false, true, 'lost', :t, 1)"),
                {"u": uid, "t": T0})


def test_login_identifiers_are_unique(any_db):
    with any_db.unit_of_work() as s:
        _user(s, "same@example.org")
    with pytest.raises(IntegrityError):
        with any_db.unit_of_work() as s:
            _user(s, "same@example.org", name="Other")


def test_user_needs_a_login(any_db):
    with pytest.raises(IntegrityError):
        with any_db.unit_of_work() as s:
            user = User(name="No login", password_hash="x")
            s.add(user)
            record(s, None, "user.created", user)


def test_window_must_not_end_before_it_starts(any_db):
    with any_db.unit_of_work() as s:
        uid = _user(s).id
    _raw_insert_fails(any_db, Pledge, citizen_id=uid, kind="design", quantity=5, withdrawn_quantity=0, description="",
                      only_tables=False, divisible=True, status="open", created_at=T0, version=1,
                      window_start=date(2027, 2, 1), window_end=date(2027, 1, 1))


def test_money_is_integer_rials_beyond_32_bits(any_db):
    big = 12_000_000_000_000  # 1.2 trillion toman, well past 2**31
    with any_db.unit_of_work() as s:
        _table_project_need(s, qty=big, kind=HelpKind.FINANCIAL)
    with any_db.reader() as s:
        assert s.scalar(select(Need.quantity)) == big


def _allocation(any_db):
    with any_db.unit_of_work() as s:
        user = _user(s)
        _, _, need = _table_project_need(s)
        pledge = Pledge(citizen_id=user.id, kind=HelpKind.EXECUTION, quantity=40)
        s.add(pledge)
        record(s, user.id, "pledge.created", pledge)
        alloc = Allocation(pledge_id=pledge.id, need_id=need.id, quantity=40)
        s.add(alloc)
        record(s, None, "allocation.proposed", alloc)
        return pledge.id, need.id, alloc.id


def test_history_is_never_cascaded_away(any_db):
    pledge_id, need_id, _ = _allocation(any_db)
    for model, ident in ((Pledge, pledge_id), (Need, need_id)):
        with pytest.raises(IntegrityError):
            with any_db.engine.begin() as conn:
                conn.execute(delete(model).where(model.id == ident))
    with pytest.raises(IntegrityError):
        with any_db.engine.begin() as conn:
            conn.execute(delete(User))
    with any_db.reader() as s:
        assert s.scalar(select(Allocation.id)) is not None


def test_rejection_needs_a_reason(any_db):
    _, _, alloc_id = _allocation(any_db)
    with pytest.raises(IntegrityError):
        with any_db.engine.begin() as conn:
            conn.execute(update(Allocation).where(Allocation.id == alloc_id).values(status="rejected", reject_reason=""))


def test_audit_log_is_append_only(any_db):
    _allocation(any_db)
    with any_db.reader() as s:
        assert s.scalar(select(AuditEvent.id).limit(1)) is not None
    with pytest.raises(DBAPIError):
        with any_db.engine.begin() as conn:
            conn.execute(update(AuditEvent).values(action="forged"))
    with pytest.raises(DBAPIError):
        with any_db.engine.begin() as conn:
            conn.execute(delete(AuditEvent))


def test_a_change_without_an_audit_event_is_refused(any_db):
    with pytest.raises(UnauditedChange):
        with any_db.unit_of_work() as s:
            s.add(User(name="Sneaky", email="s@example.org", password_hash="x"))
    with any_db.reader() as s:
        assert s.scalar(select(User.id)) is None
    with any_db.unit_of_work() as s:
        user = _user(s)
    with pytest.raises(UnauditedChange):
        with any_db.unit_of_work() as s:
            s.get(User, user.id).name = "Renamed quietly"


def test_audit_event_records_actor_object_and_states(any_db):
    with any_db.unit_of_work() as s:
        user = _user(s)
    with any_db.unit_of_work() as s:
        u = s.get(User, user.id)
        before = {"name": u.name}
        u.name = "Ali Reza"
        record(s, user.id, "user.renamed", u, before=before, after={"name": u.name})
    with any_db.reader() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.renamed")).one()
        assert (ev.actor_id, ev.object_type, ev.object_id) == (user.id, "users", user.id)
        assert ev.before == {"name": "Ali"} and ev.after == {"name": "Ali Reza"}
        created = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.created")).one()
        assert "password_hash" not in created.after


def test_stale_versions_are_refused(any_db):
    """Two sessions editing the same allocation: the second write fails instead of overwriting.

    PostgreSQL reports the stale version; SQLite refuses even earlier, because the second
    session's snapshot predates the first one's commit (database is locked).
    """
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    _, _, alloc_id = _allocation(any_db)
    first, second = any_db.sessions(), any_db.sessions()
    try:
        a1, a2 = first.get(Allocation, alloc_id), second.get(Allocation, alloc_id)
        a1.status = "accepted"
        record(first, None, "allocation.accepted", a1)
        first.commit()
        a2.status = "rejected"
        a2.reject_reason = "duplicate"
        record(second, None, "allocation.rejected", a2)
        with pytest.raises((StaleDataError, OperationalError)):
            second.commit()
    finally:
        first.close()
        second.close()
    with any_db.reader() as s:
        assert s.get(Allocation, alloc_id).status.value == "accepted"
