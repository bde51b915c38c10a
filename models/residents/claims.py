"""Accounts and register entries: an account claims its resident's entry, one to one; an officer or a table
member registers a resident who has no smartphone.

Imports sqlalchemy and models only. A claim needs the national code and the birth year the register
holds (and, once phone sign-in lands, a verified phone: `models.core.residency.phone_check_available`).
A wrong code, a wrong year and a code not in the register get the same answer, so the page cannot be
used to learn who is in the register. An entry another account claimed is refused with its own sentence:
one person, one account that votes as them.
"""
from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.enums import ElectionStatus, PBPhase
from models.core.errors import Conflict, PermissionDenied, ValidationError
from models.core.permissions import active_user, tables_of_member
from models.core.residency import (
    is_phone_verified,
    mark_earlier_votes,
    match_register,
    normalise_form_number,
    phone_check_available,
)
from models.orm.base import utcnow
from models.orm.pb import PBCycle, PBParticipation
from models.orm.people import User
from models.orm.residents import AssistedEntry, Resident
from models.orm.tables import ChairElection, ChairParticipation

MAX_NAME = 120
PHONE = re.compile(r"^\+[0-9]{8,15}$")   # normalised by the page (models.accounts.users.normalise_login)


def match_resident(session: Session, code: object, birth_year: object) -> Resident:
    """The register entry with this national code and birth year, still in the register."""
    return match_register(session, code, birth_year)


def _open_votes(session: Session, user_id: int) -> tuple[list[int], list[int]]:
    """The PB cycles still voting and the chair elections still open in which the account has voted."""
    cycles = list(session.scalars(select(PBParticipation.cycle_id).join(PBCycle, PBCycle.id == PBParticipation.cycle_id)
                                  .where(PBParticipation.user_id == user_id, PBCycle.phase == PBPhase.VOTING)))
    elections = list(session.scalars(
        select(ChairParticipation.election_id).join(ChairElection, ChairElection.id == ChairParticipation.election_id)
        .where(ChairParticipation.user_id == user_id, ChairElection.status == ElectionStatus.OPEN)))
    return sorted(cycles), sorted(elections)


def _link(session: Session, actor_id: int | None, user: User, resident: Resident) -> Resident:
    if session.scalar(select(Resident.id).where(Resident.user_id == user.id)) is not None:
        raise Conflict("resident_already_yours")
    if resident.user_id is not None:
        raise Conflict("resident_claimed_by_other")
    cycles, elections = _open_votes(session, user.id)
    mark_earlier_votes(session, resident.national_digest, cycles, elections)
    resident.user_id, resident.claimed_at = user.id, utcnow()
    # Which account is which register entry; never the national code, not even its digest.
    record(session, actor_id, "resident.claimed", resident, after={"resident_id": resident.id, "user_id": user.id})
    return resident


def claim(session: Session, user_id: int, code: object, birth_year: object) -> Resident:
    """The signed-in person links their account to their register entry."""
    user = active_user(session, user_id)
    if user is None:
        raise PermissionDenied("account_inactive")
    if phone_check_available() and not is_phone_verified(user):
        raise PermissionDenied("resident_phone_not_verified")
    return _link(session, user.id, user, match_resident(session, code, birth_year))


def may_assist(session: Session, helper_id: int) -> bool:
    """Governorate staff, or a current member of a table (a village meeting), may help a resident."""
    helper = active_user(session, helper_id)
    return helper is not None and (helper.is_governorate or bool(tables_of_member(session, helper_id)))


def register_assisted(session: Session, helper_id: int, code: object, birth_year: object, name: object,
                      form_number: object, phone: str | None = None) -> User:
    """An officer or a table member makes an account for a resident without a smartphone, on a signed paper
    form, and links it to the resident's entry. The account has no password (nobody can sign in with it
    until the resident sets one through a reset or phone sign-in); its login is the resident's basic phone
    when given (normalised, +98...), else an address that reaches nobody."""
    if not may_assist(session, helper_id):
        raise PermissionDenied("assisted_helpers_only")
    number = normalise_form_number(form_number)
    resident = match_resident(session, code, birth_year)
    full_name = " ".join(name.split()) if isinstance(name, str) else ""
    if not full_name or len(full_name) > MAX_NAME:
        raise ValidationError("name_required", field="name")
    if resident.user_id is not None:
        raise Conflict("resident_claimed_by_other")
    if session.scalar(select(AssistedEntry.id).where(AssistedEntry.kind == "registration",
                                                     AssistedEntry.form_number == number)) is not None:
        raise Conflict("assisted_form_number_used", form_number=number)
    if phone is not None and not PHONE.match(str(phone)):
        raise ValidationError("login_invalid", field="phone")
    if phone and session.scalar(select(User.id).where(User.phone == phone)) is not None:
        raise ValidationError("login_taken", field="phone")
    user = User(name=full_name, phone=phone or None,
                email=None if phone else f"resident-{secrets.token_hex(8)}@assisted.hamyar.invalid",
                password_hash="!assisted", language="fa")
    session.add(user)
    record(session, helper_id, "user.assisted_registered", user, after={"user_id": None, "form_number": number})
    _link(session, helper_id, user, resident)
    entry = AssistedEntry(kind="registration", form_number=number, helper_id=helper_id, citizen_id=user.id)
    session.add(entry)
    record(session, helper_id, "assisted.registered", entry)
    return user


__all__ = ["claim", "match_resident", "may_assist", "register_assisted"]
