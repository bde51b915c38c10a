"""Organizations (issue 21 item 5): agencies, NGOs, companies and schools as accounts with members.

Imports sqlalchemy and models' foundation only. The governorate creates an organization, sets its remit (the
tables it serves) and adds its first admin; the governorate or the organization's admins add and remove
members. A member may make one of their own pledges on behalf of the organization (`attribute_pledge`): the
pledge is then shown under the organization's name, and matching treats it like anyone's (matching never
reads `organization_id`). Referrals to an organization are answered by its admins (models.voice.referrals).
`organizations_of` is what other features (proposals on behalf of an organization) ask.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import active_user, is_governorate, require_governorate
from models.orm.base import utcnow
from models.orm.organizations import (
    ORGANIZATION_KINDS,
    ORGANIZATION_ROLES,
    Organization,
    OrganizationMember,
    OrganizationRemit,
)
from models.orm.pledges import Pledge
from models.orm.tables import Table

NAME_MAX = 160


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _name(value: object, field: str, *, required: bool) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if required and not text:
        raise ValidationError("field_required", field=field)
    if len(text) > NAME_MAX:
        raise ValidationError("text_too_long", field=field, maximum=NAME_MAX)
    return text


def get_organization(session: Session, org_id: object) -> Organization:
    org = session.get(Organization, org_id) if _is_id(org_id) else None
    if org is None:
        raise NotFound("organization_not_found")
    return org


def _tables(session: Session, table_ids: Iterable[object]) -> list[int]:
    given = list(table_ids)
    wanted = sorted({t for t in given if isinstance(t, int) and _is_id(t)})
    if len(wanted) != len(set(map(repr, given))):
        raise ValidationError("remit_invalid", field="remit")
    found = set(session.scalars(select(Table.id).where(Table.id.in_(wanted), Table.archived_at.is_(None))))
    if found != set(wanted):
        raise ValidationError("remit_invalid", field="remit")
    return wanted


# --- who is who ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Membership:
    organization_id: int
    name_fa: str
    name_en: str
    kind: str
    role: str  # "admin" or "member"


def organizations_of(session: Session, user_id: object) -> list[Membership]:
    """The organizations the user currently belongs to (active account, organization not archived)."""
    if active_user(session, user_id) is None:
        return []
    rows = session.execute(select(Organization, OrganizationMember.role)
                           .join(OrganizationMember, OrganizationMember.organization_id == Organization.id)
                           .where(OrganizationMember.user_id == user_id, OrganizationMember.left_at.is_(None),
                                  Organization.archived_at.is_(None)).order_by(Organization.name_fa)).all()
    return [Membership(o.id, o.name_fa, o.name_en, o.kind, role) for o, role in rows]


def is_admin_of(session: Session, user_id: object, org_id: object) -> bool:
    return any(m.organization_id == org_id and m.role == "admin" for m in organizations_of(session, user_id))


def admin_ids(session: Session, org_id: int) -> list[int]:
    """The organization's current admins (whom its late referrals go to first)."""
    return list(session.scalars(select(OrganizationMember.user_id).where(
        OrganizationMember.organization_id == org_id, OrganizationMember.role == "admin",
        OrganizationMember.left_at.is_(None)).order_by(OrganizationMember.user_id)))


def remit_of(session: Session, org_id: int) -> list[int]:
    return list(session.scalars(select(OrganizationRemit.table_id).where(OrganizationRemit.organization_id == org_id)
                                .order_by(OrganizationRemit.table_id)))


def _require_manager(session: Session, actor_id: object, org: Organization) -> None:
    """The governorate, or an admin of this organization."""
    if is_governorate(session, actor_id):
        return
    if org.archived_at is None and is_admin_of(session, actor_id, org.id):
        return
    raise PermissionDenied("not_organization_admin")


# --- the governorate's operations ---------------------------------------------------------------------


def create_organization(session: Session, actor_id: int, name_fa: object, name_en: object, kind: object,
                        remit: Iterable[object] = ()) -> Organization:
    require_governorate(session, actor_id)
    fa = _name(name_fa, "name_fa", required=True)
    en = _name(name_en, "name_en", required=False)
    if kind not in ORGANIZATION_KINDS:
        raise ValidationError("organization_kind_invalid", field="kind")
    if session.scalar(select(Organization.id).where(Organization.name_fa == fa)) is not None:
        raise Conflict("organization_name_taken", field="name_fa")
    tables = _tables(session, remit)
    org = Organization(name_fa=fa, name_en=en, kind=str(kind), created_by_id=actor_id, created_at=utcnow())
    session.add(org)
    record(session, actor_id, "organization.created", org)
    for table_id in tables:
        row = OrganizationRemit(organization_id=org.id, table_id=table_id)
        session.add(row)
        record(session, actor_id, "organization.remit_added", row, table_id=table_id)
    return org


def set_remit(session: Session, actor_id: int, org_id: object, remit: Iterable[object]) -> list[int]:
    """The tables the organization serves, replaced by this set (the governorate's)."""
    require_governorate(session, actor_id)
    org = get_organization(session, org_id)
    wanted = set(_tables(session, remit))
    rows = {r.table_id: r for r in session.scalars(select(OrganizationRemit)
                                                  .where(OrganizationRemit.organization_id == org.id))}
    for table_id in sorted(wanted - set(rows)):
        row = OrganizationRemit(organization_id=org.id, table_id=table_id)
        session.add(row)
        record(session, actor_id, "organization.remit_added", row, table_id=table_id)
    for table_id in sorted(set(rows) - wanted):
        row = rows[table_id]
        before = snapshot(row)
        session.delete(row)
        record(session, actor_id, "organization.remit_removed", row, before=before, after={"deleted": True},
               table_id=table_id)
    return sorted(wanted)


def add_member(session: Session, actor_id: int, org_id: object, user_id: object, role: object = "member"
               ) -> OrganizationMember:
    """Add a person (or change their role); the governorate or one of the organization's admins."""
    org = get_organization(session, org_id)
    _require_manager(session, actor_id, org)
    if org.archived_at is not None:
        raise Conflict("organization_archived")
    if role not in ORGANIZATION_ROLES:
        raise ValidationError("organization_role_invalid", field="role")
    user = active_user(session, user_id)
    if user is None:
        raise NotFound("user_not_found")
    row = session.scalar(select(OrganizationMember).where(OrganizationMember.organization_id == org.id,
                                                          OrganizationMember.user_id == user.id))
    if row is not None and row.left_at is None and row.role == role:
        raise Conflict("already_organization_member")
    if row is None:
        row = OrganizationMember(organization_id=org.id, user_id=user.id, role=str(role), joined_at=utcnow())
        session.add(row)
        record(session, actor_id, "organization.member_added", row)
    else:  # rejoining or a new role: the same row keeps the (organization, user) pair unique
        before = snapshot(row, ["role", "left_at", "joined_at"])
        if row.left_at is not None:
            row.joined_at = utcnow()
        row.role, row.left_at = str(role), None
        record(session, actor_id, "organization.member_added", row, before=before)
    if user.id != actor_id:
        notify(session, user.id, "organization_member_added", organization_id=org.id, organization_fa=org.name_fa,
               organization_en=org.name_en or org.name_fa, role=str(role))
    return row


def remove_member(session: Session, actor_id: int, org_id: object, user_id: object) -> OrganizationMember:
    org = get_organization(session, org_id)
    _require_manager(session, actor_id, org)
    row = session.scalar(select(OrganizationMember).where(OrganizationMember.organization_id == org.id,
                                                          OrganizationMember.user_id == user_id,
                                                          OrganizationMember.left_at.is_(None))) \
        if _is_id(user_id) else None
    if row is None:
        raise NotFound("organization_member_not_found")
    if row.role == "admin" and admin_ids(session, org.id) == [row.user_id] and not is_governorate(session, actor_id):
        raise Conflict("last_organization_admin")  # an organization its admins cannot reach any more
    before = snapshot(row, ["left_at"])
    row.left_at = utcnow()
    record(session, actor_id, "organization.member_removed", row, before=before)
    return row


# --- reading --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationRow:
    id: int
    name_fa: str
    name_en: str
    kind: str
    remit: list[int]
    members: list[tuple[int, str, str]]  # (user id, name, role), current members only


def list_organizations(session: Session) -> list[OrganizationRow]:
    orgs = list(session.scalars(select(Organization).where(Organization.archived_at.is_(None))
                                .order_by(Organization.name_fa)))
    if not orgs:
        return []
    from models.orm.people import User

    members: dict[int, list[tuple[int, str, str]]] = {}
    for org_id, uid, name, role in session.execute(
            select(OrganizationMember.organization_id, User.id, User.name, OrganizationMember.role)
            .join(User, User.id == OrganizationMember.user_id)
            .where(OrganizationMember.left_at.is_(None)).order_by(OrganizationMember.role, User.name)):
        members.setdefault(org_id, []).append((uid, name, role))
    return [OrganizationRow(o.id, o.name_fa, o.name_en, o.kind, remit_of(session, o.id), members.get(o.id, []))
            for o in orgs]


def organizations_serving(session: Session, table_id: int | None = None) -> list[Organization]:
    """Organizations a citizen may address (all, or those whose remit holds the table)."""
    query = select(Organization).where(Organization.archived_at.is_(None)).order_by(Organization.name_fa)
    if table_id is not None:
        query = query.join(OrganizationRemit, OrganizationRemit.organization_id == Organization.id) \
            .where(OrganizationRemit.table_id == table_id)
    return list(session.scalars(query))


# --- pledges on behalf of an organization --------------------------------------------------------------


def attribute_pledge(session: Session, actor_id: int, pledge_id: object, org_id: object | None) -> Pledge:
    """Make (or stop making) one of the actor's own pledges on behalf of an organization they belong to."""
    pledge = session.get(Pledge, pledge_id) if _is_id(pledge_id) else None
    if pledge is None or active_user(session, actor_id) is None or pledge.citizen_id != actor_id:
        raise NotFound("pledge_not_found")
    if org_id is not None and not any(m.organization_id == org_id for m in organizations_of(session, actor_id)):
        raise PermissionDenied("not_organization_member")
    if pledge.organization_id == org_id:
        return pledge
    before = snapshot(pledge, ["organization_id"])
    pledge.organization_id = org_id  # type: ignore[assignment]  # an id checked above, or None
    record(session, actor_id, "pledge.organization_set", pledge, before=before,
           after={"organization_id": org_id})
    return pledge


def own_pledges(session: Session, user_id: int, limit: int = 50) -> list[Pledge]:
    """The user's pledges not withdrawn, newest first: those they may make on behalf of an organization."""
    from models.core.enums import PledgeStatus

    return list(session.scalars(select(Pledge).where(Pledge.citizen_id == user_id,
                                                     Pledge.status != PledgeStatus.WITHDRAWN)
                                .order_by(Pledge.id.desc()).limit(limit)))


def pledge_organizations(session: Session, pledge_ids: list[int]) -> dict[int, tuple[str, str]]:
    """{pledge id: (name fa, name en)} for those of these pledges made on behalf of an organization."""
    if not pledge_ids:
        return {}
    rows = session.execute(select(Pledge.id, Organization.name_fa, Organization.name_en)
                           .join(Organization, Organization.id == Pledge.organization_id)
                           .where(Pledge.id.in_(pledge_ids))).all()
    return {pid: (fa, en or fa) for pid, fa, en in rows}


__all__ = ["Membership", "OrganizationRow", "add_member", "admin_ids", "attribute_pledge", "create_organization",
           "get_organization", "is_admin_of", "list_organizations", "organizations_of", "organizations_serving", "own_pledges",
           "pledge_organizations", "remit_of", "remove_member", "set_remit"]
