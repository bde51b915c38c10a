"""The person's own choices about how they appear: whether their name is shown publicly (issue 20 item 13).

Imports sqlalchemy and models only. `User.show_name_publicly` decides whether the citizen's name is shown
beside their contributions on public pages (the project page, the chair's lists); the default is no.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.errors import NotFound, ValidationError
from models.core.permissions import active_user
from models.orm.people import User


def set_show_name_publicly(session: Session, user_id: int, show: object) -> User:
    """The signed-in person chooses whether their name is shown publicly (audited when it changes)."""
    if not isinstance(show, bool):
        raise ValidationError("choice_invalid", field="show_name_publicly")
    user = active_user(session, user_id)
    if user is None:
        raise NotFound("user_not_found")
    if bool(user.show_name_publicly) != show:
        before = {"show_name_publicly": bool(user.show_name_publicly)}
        user.show_name_publicly = show
        record(session, user.id, "user.show_name_set", user, before=before, after={"show_name_publicly": show})
    return user
