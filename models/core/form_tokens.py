"""One create per form: the one-time token every create form carries (issue 15 item 5).

Imports sqlalchemy, models.orm and models.core. A form is drawn with a fresh random token; the create
it submits looks the token up first (`made_with`): when it already made something, that is the answer
(pressing again after a timeout, a double tap, a retried request), else it creates and `remember`s the
token with what it made, in the same transaction. The token is unique in the database, so two
requests racing with one token cannot both create: the loser's transaction fails on the constraint
and `create_once` runs it again, when it finds the winner's row.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.core.db import Database
from models.core.errors import Conflict, ValidationError
from models.orm.form_token import FormToken

T = TypeVar("T")
TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    """A fresh token for a form (32 URL-safe characters, 192 random bits)."""
    return secrets.token_urlsafe(24)


def checked_token(token: object) -> str | None:
    """`token` when it is one `new_token` could have made; None when the form sent none; else
    ValidationError("form_token_invalid") (only a crafted request sends another value)."""
    if token is None or token == "":
        return None
    if not isinstance(token, str) or not TOKEN_FORMAT.match(token):
        raise ValidationError("form_token_invalid", field="token")
    return token


def made_with(session: Session, user_id: int, token: str | None, action: str) -> int | None:
    """The id of what `token` already created for this user and action, or None when it created nothing.
    A token used by someone else or for another kind of create is refused (Conflict "form_token_used")."""
    if token is None:
        return None
    row = session.scalar(select(FormToken).where(FormToken.token == token))
    if row is None:
        return None
    if row.user_id != user_id or row.action != action:
        raise Conflict("form_token_used")
    return row.object_id


def remember(session: Session, user_id: int, token: str | None, action: str, object_id: int | None) -> None:
    """Store that `token` made `object_id` (in the create's own transaction; flushed now so that a
    racing request with the same token fails here, before anything else is committed)."""
    if token is None:
        return
    session.add(FormToken(token=token, user_id=user_id, action=action, object_id=object_id))
    session.flush()


def once(session: Session, user_id: int, token: str | None, action: str, make: Callable[[], Any]) -> tuple[int, bool]:
    """(id, True) after `make()` created an object (flushed, with an id) for this token; (the first id, False)
    when the token already made one. For creates whose domain function takes no token."""
    made = made_with(session, user_id, token, action)
    if made is not None:
        return made, False
    obj = make()
    session.flush()
    remember(session, user_id, token, action, obj.id)
    return obj.id, True


def derived(token: object, suffix: str) -> str | None:
    """One form token for several creates on one page (a project, a need of project 12: "-p", "-n12"), each
    its own one-time key; None when the form sent none. ValidationError for a malformed token."""
    base = checked_token(token)
    return checked_token(f"{base[:40]}-{suffix}"[:64]) if base else None


def is_token_clash(exc: IntegrityError) -> bool:
    """True when `exc` is the unique form token refusing a second create (SQLite and PostgreSQL)."""
    return "form_tokens" in str(getattr(exc, "orig", exc))


def create_once(db: Database, work: Callable[[Session], T]) -> T:
    """`work(session)` in a unit of work; when a racing request with the same token committed first
    (the unique constraint refused this one), run it once more: `made_with` now finds the first create."""
    try:
        with db.unit_of_work() as s:
            return work(s)
    except IntegrityError as exc:
        if not is_token_clash(exc):
            raise
    with db.unit_of_work() as s:
        return work(s)


__all__ = ["TOKEN_FORMAT", "checked_token", "create_once", "derived", "is_token_clash", "made_with", "new_token",
           "once", "remember"]
