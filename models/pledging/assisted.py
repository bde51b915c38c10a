"""A pledge entered for a resident who has no smartphone (issue 23 item 5), on a signed paper form.

Imports sqlalchemy and models only. The helper is governorate staff or a current member of a table (at a
village meeting); the resident's account must be linked to a register entry (so it is a known person, e.g.
one the helper registered with models.residents.claims.register_assisted). The pledge is the resident's
own, made by `create_pledge` with every rule of a pledge; the form's number is unique among assisted
pledges; the audit records who assisted, for whom, and the form number (`assisted.pledge_entered`).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.errors import Conflict, NotFound, PermissionDenied
from models.core.permissions import active_user, tables_of_member
from models.core.residency import normalise_form_number, resident_of
from models.orm.pledges import Pledge
from models.orm.residents import AssistedEntry
from models.pledging.pledges import PledgeInput, create_pledge


def pledge_for_resident(session: Session, helper_id: int, citizen_id: object, form_number: object,
                        data: PledgeInput) -> Pledge:
    helper = active_user(session, helper_id)
    if helper is None or not (helper.is_governorate or tables_of_member(session, helper_id)):
        raise PermissionDenied("assisted_helpers_only")
    number = normalise_form_number(form_number)
    citizen = active_user(session, citizen_id)
    if citizen is None or citizen.id == helper.id:
        raise NotFound("user_not_found")
    resident = resident_of(session, citizen.id)
    if resident is None:
        raise PermissionDenied("assisted_resident_only")
    if session.scalar(select(AssistedEntry.id).where(AssistedEntry.kind == "pledge",
                                                     AssistedEntry.form_number == number)) is not None:
        raise Conflict("assisted_form_number_used", form_number=number)
    pledge = create_pledge(session, citizen.id, data)
    entry = AssistedEntry(kind="pledge", form_number=number, helper_id=helper.id, citizen_id=citizen.id,
                          pledge_id=pledge.id)
    session.add(entry)
    record(session, helper.id, "assisted.pledge_entered", entry,
           after={"pledge_id": pledge.id, "citizen_id": citizen.id, "form_number": number, "resident_id": resident.id})
    return pledge


__all__ = ["pledge_for_resident"]
