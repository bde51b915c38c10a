"""Issue 21 item 5 (domain): organizations created by the governorate, their admins and members, their remit,
and pledges made on behalf of one. SQLite (one PostgreSQL run of the whole story)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.audit.log import record
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.pledging.pledges import PledgeInput, create_pledge
from models.voice import organizations as orgs
from tests.models.world import build_world


def _world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test.created", gov)
        pledge = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=5_000_000)).id
    return w, gov.id, pledge


def test_the_governorate_creates_organizations_and_admins_manage_members(any_db):
    db = any_db
    w, gov, pledge = _world(db)
    for actor in (w.chair, w.citizen):
        with db.unit_of_work() as s, pytest.raises(PermissionDenied):
            orgs.create_organization(s, actor, "مدرسه", "School", "school")
    with db.unit_of_work() as s:
        org = orgs.create_organization(s, gov, "  اداره   آب  ", "Water office", "agency", [w.health, w.env]).id
    with db.unit_of_work() as s:
        assert s.get(orgs.Organization, org).name_fa == "اداره آب"
        assert orgs.remit_of(s, org) == sorted([w.health, w.env])
        orgs.add_member(s, gov, org, w.citizen, "admin")
    with db.unit_of_work() as s:  # the admin adds a member; a plain member cannot
        orgs.add_member(s, w.citizen, org, w.citizen2, "member")
    with db.unit_of_work() as s, pytest.raises(PermissionDenied):
        orgs.add_member(s, w.citizen2, org, w.member, "member")
    with db.reader() as s:
        assert [(m.organization_id, m.role) for m in orgs.organizations_of(s, w.citizen)] == [(org, "admin")]
        assert [m.role for m in orgs.organizations_of(s, w.citizen2)] == ["member"]
        assert orgs.organizations_of(s, w.member) == [] and orgs.admin_ids(s, org) == [w.citizen]
        assert [o.id for o in orgs.organizations_serving(s, w.env)] == [org]
    with db.unit_of_work() as s, pytest.raises(Conflict) as exc:
        orgs.remove_member(s, w.citizen, org, w.citizen)
    assert exc.value.code == "last_organization_admin"
    with db.unit_of_work() as s:
        orgs.remove_member(s, w.citizen, org, w.citizen2)
        orgs.set_remit(s, gov, org, [w.health])
    with db.reader() as s:
        assert orgs.organizations_of(s, w.citizen2) == [] and orgs.remit_of(s, org) == [w.health]
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("organization.%"))
                                 .order_by(AuditEvent.id)))
        assert actions == ["organization.created", "organization.remit_added", "organization.remit_added",
                           "organization.member_added", "organization.member_added", "organization.member_removed",
                           "organization.remit_removed"]


def test_bad_organization_input_is_refused(db):
    w, gov, _pledge = _world(db)
    cases = [(("", "x", "ngo", []), ValidationError, "field_required"),
             (("الف", "x", "club", []), ValidationError, "organization_kind_invalid"),
             (("الف", "x", "ngo", [999]), ValidationError, "remit_invalid"),
             (("الف", "x", "ngo", ["1"]), ValidationError, "remit_invalid"),
             (("ب" * 161, "x", "ngo", []), ValidationError, "text_too_long")]
    for args, error, code in cases:
        with db.unit_of_work() as s, pytest.raises(error) as exc:
            orgs.create_organization(s, gov, *args)
        assert exc.value.code == code
    with db.unit_of_work() as s:
        org = orgs.create_organization(s, gov, "الف", "", "ngo").id
    with db.unit_of_work() as s, pytest.raises(Conflict):
        orgs.create_organization(s, gov, "الف", "", "company")
    for user, role, error in ((999, "member", NotFound), (w.citizen, "owner", ValidationError)):
        with db.unit_of_work() as s, pytest.raises(error):
            orgs.add_member(s, gov, org, user, role)
    with db.unit_of_work() as s, pytest.raises(NotFound):
        orgs.get_organization(s, "1")


def test_a_member_pledges_on_behalf_of_the_organization(db):
    w, gov, pledge = _world(db)
    with db.unit_of_work() as s:
        org = orgs.create_organization(s, gov, "شرکت نمونه", "Sample Co.", "company").id
    with db.unit_of_work() as s, pytest.raises(PermissionDenied):
        orgs.attribute_pledge(s, w.citizen, pledge, org)  # not a member yet
    with db.unit_of_work() as s:
        orgs.add_member(s, gov, org, w.citizen, "member")
    with db.unit_of_work() as s, pytest.raises(NotFound):
        orgs.attribute_pledge(s, w.citizen2, pledge, None)  # another's pledge
    with db.unit_of_work() as s:
        orgs.attribute_pledge(s, w.citizen, pledge, org)
    with db.reader() as s:
        assert orgs.pledge_organizations(s, [pledge]) == {pledge: ("شرکت نمونه", "Sample Co.")}
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "pledges")
                        .order_by(AuditEvent.id.desc())) == "pledge.organization_set"
    with db.unit_of_work() as s:
        orgs.attribute_pledge(s, w.citizen, pledge, None)
    with db.reader() as s:
        assert orgs.pledge_organizations(s, [pledge]) == {}
