"""Roles carried in the signed session (issue 19 item 2): read once, then trusted only while they carry the
user's current users.roles_version (models.orm.roles_version), which every role change moves in its own
transaction. Through the app as the browser drives it, on a copy of the demo (SQLite): a removed role
takes effect on the very next request, an old cookie replayed after the change does not bring it back,
and while nothing changes the roles are not read again.
"""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from bench.loadtest import Browser, CallbackError, FlaskTransport, refresh_dashboard
from dash_app.auth import ROLES_SESSION_KEY
from models.accounts import admin
from models.demo.seed import DEMO_PASSWORD
from models.orm.people import User
from models.orm.roles_version import affected_users
from models.orm.tables import Table, TableMembership


@pytest.fixture
def site(seeded_site):
    return seeded_site


def _browser(app, who: str) -> Browser:
    b = Browser(FlaskTransport(app.test_client()))
    b.log_in(f"{who}@hamyar.local", DEMO_PASSWORD)
    return b


def _ids(app) -> dict[str, int]:
    with app.extensions["hamyar_db"].reader() as s:
        people = {who: s.scalar(select(User.id).where(User.email == f"{who}@hamyar.local"))
                  for who in ("gov", "chair", "member", "citizen")}
        people["table"] = s.scalar(select(Table.id).where(Table.chair_id == people["chair"]).order_by(Table.id))
        people["member_table"] = s.scalar(select(TableMembership.table_id).where(
            TableMembership.user_id == people["member"], TableMembership.left_at.is_(None)).order_by(TableMembership.id))
        people["other_table"] = s.scalar(select(Table.id).where(Table.id.not_in(select(TableMembership.table_id).where(
            TableMembership.user_id == people["chair"]))).order_by(Table.id))
    return people


def _is_chair_page(b: Browser, table_id: int) -> bool:
    return "table-review-list" in str(b.open_page(f"/tables/{table_id}"))


def _statements(app):
    seen: list[str] = []
    engine = app.extensions["hamyar_db"].engine

    def before(_c, _cur, statement, *_a):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(engine, "before_cursor_execute", before)


def test_a_chair_removed_loses_the_queue_on_the_next_request(site):
    ids = _ids(site)
    chair = _browser(site, "chair")
    assert _is_chair_page(chair, ids["table"]) and _is_chair_page(chair, ids["table"])  # carried the second time
    old_cookie = chair.t.cookie("session")
    site.extensions["hamyar_db"].run(lambda s: admin.remove_member(s, ids["gov"], ids["table"], ids["chair"]))
    assert not _is_chair_page(chair, ids["table"])
    # The session cookie from before the change still carries the chair role and is validly signed: replayed,
    # it is not trusted, since its version is not the row's any more.
    chair.t.c.set_cookie("session", old_cookie)
    assert not _is_chair_page(chair, ids["table"])


def test_the_governorate_flag_removed_takes_effect_on_the_next_request(site):
    ids = _ids(site)
    with site.extensions["hamyar_db"].unit_of_work() as s:  # a second staff member, to take the flag from the first
        admin.set_governorate(s, ids["gov"], ids["citizen"], True)
    staff = _browser(site, "gov")
    refresh_dashboard(staff)
    refresh_dashboard(staff)
    site.extensions["hamyar_db"].run(lambda s: admin.set_governorate(s, ids["citizen"], ids["gov"], False))
    with pytest.raises(CallbackError, match="403"):
        refresh_dashboard(staff)


def test_a_membership_ended_takes_effect_and_one_begun_too(site):
    ids = _ids(site)
    member = _browser(site, "member")
    table = ids["member_table"]

    def sees_the_editor() -> bool:  # the table's project editor is for its members
        return "table-editor-panel" in str(member.open_page(f"/tables/{table}"))

    assert sees_the_editor() and sees_the_editor()
    site.extensions["hamyar_db"].run(lambda s: admin.remove_member(s, ids["gov"], table, ids["member"]))
    assert not sees_the_editor()
    site.extensions["hamyar_db"].run(lambda s: admin.add_member(s, ids["gov"], table, ids["member"]))
    assert sees_the_editor()


def test_carried_roles_are_not_read_again_until_they_change(site):
    ids = _ids(site)
    chair = _browser(site, "chair")
    chair.unread("/my")  # the first request after signing in carries the roles
    seen, stop = _statements(site)
    try:
        chair.unread("/my")
        chair.unread("/my")
    finally:
        stop()
    assert seen, "the counter saw nothing"
    assert not [q for q in seen if "FROM table_memberships" in q or "tables.chair_id" in q], seen
    site.extensions["hamyar_db"].run(lambda s: admin.add_member(s, ids["gov"], ids["other_table"], ids["chair"]))
    seen, stop = _statements(site)
    try:
        chair.unread("/my")  # the version moved: read again once
    finally:
        stop()
    assert [q for q in seen if "FROM table_memberships" in q], seen
    with site.test_client() as c:  # the carried copy names its user and version
        c.set_cookie("session", chair.t.cookie("session"))
        c.get("/healthz")
        from flask import session

        carried = session.get(ROLES_SESSION_KEY)
    assert carried["user"] == ids["chair"] and ids["table"] in carried["chair"]


def test_every_kind_of_role_change_moves_the_version(site):
    """The listener sees each change the roles depend on (and the version moves in the same transaction)."""
    ids = _ids(site)
    db = site.extensions["hamyar_db"]

    def version(uid: int) -> int:
        with db.reader() as s:
            return s.scalar(select(User.roles_version).where(User.id == uid))

    steps = [
        (ids["citizen"], lambda s: admin.set_governorate(s, ids["gov"], ids["citizen"], True)),
        (ids["citizen"], lambda s: admin.set_governorate(s, ids["gov"], ids["citizen"], False)),
        (ids["citizen"], lambda s: admin.add_member(s, ids["gov"], ids["table"], ids["citizen"])),
        (ids["citizen"], lambda s: admin.remove_member(s, ids["gov"], ids["table"], ids["citizen"])),
        (ids["chair"], lambda s: admin.archive_table(s, ids["gov"], ids["table"], "keep")),
        (ids["chair"], lambda s: admin.unarchive_table(s, ids["gov"], ids["table"])),
        (ids["chair"], lambda s: admin.remove_member(s, ids["gov"], ids["table"], ids["chair"])),
    ]
    for uid, change in steps:
        was = version(uid)
        db.run(change)
        assert version(uid) > was, change
    with db.unit_of_work() as s:  # a change to nothing a role depends on moves nothing
        user = s.get(User, ids["citizen"])
        user.show_name_publicly = not user.show_name_publicly
        assert affected_users(s) == (set(), set())
        s.rollback()
