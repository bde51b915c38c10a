"""How each person hears about each group of notifications, and the signed one-click unsubscribe links.

Imports the standard library, sqlalchemy and models. Per group (models.core.notify.GROUPS) a person chooses
off, in the app only, SMS, e-mail or both, immediately or in a daily digest; without a choice a group is in the
app only, so nobody gets an SMS they did not ask for. Every change is audited. An unsubscribe link carries
the person and group with an HMAC (a key derived from SECRET_KEY, as the ballot links'), so it works
without signing in and cannot be made for somebody else; following it sets that group back to the app only.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.ballot_links import BallotLinks
from models.core.errors import NotFound, ValidationError
from models.core.notify import GROUPS
from models.orm.base import utcnow
from models.orm.outbox import PREF_CHANNELS, PREF_FREQUENCIES, NotificationPreference
from models.orm.people import User

DEFAULT = ("in_app", "immediate")
UNSUBSCRIBE_INVALID = "unsubscribe_link_invalid"
_KEYS = BallotLinks("unsubscribe")
unsubscribe_key_from_secret = _KEYS.key_from_secret
configure_unsubscribe_key = _KEYS.configure
_TOKEN = re.compile(r"^(\d{1,12})-([a-z]{2,12})-([A-Za-z0-9_-]{16})$")


def preferences_of(session: Session, user_ids) -> dict[tuple[int, str], tuple[str, str]]:
    """(user, group) -> (channel, frequency) for the choices these people made (others are DEFAULT)."""
    ids = sorted(set(user_ids))
    found: dict[tuple[int, str], tuple[str, str]] = {}
    for start in range(0, len(ids), 900):
        for row in session.scalars(select(NotificationPreference).where(
                NotificationPreference.user_id.in_(ids[start:start + 900]))):
            found[(row.user_id, row.group)] = (row.channel, row.frequency)
    return found


def preferences_for(session: Session, user_id: int) -> dict[str, tuple[str, str]]:
    chosen = preferences_of(session, [user_id])
    return {group: chosen.get((user_id, group), DEFAULT) for group in GROUPS}


def set_preference(session: Session, user_id: int, group: object, channel: object, frequency: object = "immediate",
                   *, actor_id: int | None = None, action: str = "set") -> NotificationPreference:
    """The person's choice for one group (audited); ValidationError for a group, channel or frequency that is
    not one of the lists."""
    if group not in GROUPS:
        raise ValidationError("notification_group_invalid", field="group")
    if channel not in PREF_CHANNELS:
        raise ValidationError("notification_channel_invalid", field="channel")
    if frequency not in PREF_FREQUENCIES:
        raise ValidationError("notification_frequency_invalid", field="frequency")
    if session.get(User, user_id) is None:
        raise NotFound("user_not_found")
    row = session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id,
                                                               NotificationPreference.group == group)).first()
    before = {"channel": row.channel, "frequency": row.frequency} if row is not None else \
        {"channel": DEFAULT[0], "frequency": DEFAULT[1]}
    if row is None:
        row = NotificationPreference(user_id=user_id, group=str(group))
        session.add(row)
    row.channel, row.frequency, row.updated_at = str(channel), str(frequency), utcnow()
    after = {"group": group, "channel": channel, "frequency": frequency}
    actor = actor_id if actor_id is not None else user_id
    if action == "unsubscribed":
        record(session, actor, "notification_pref.unsubscribed", row, before=before, after=after)
    else:
        record(session, actor, "notification_pref.set", row, before=before, after=after)
    return row


def _mac(key: bytes, user_id: int, group: str) -> str:
    digest = hmac.new(key, f"unsubscribe:{user_id}:{group}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:16]  # 96 bits: short enough for an SMS


def unsubscribe_token(session: Session, user_id: int, group: str) -> str:
    return f"{user_id}-{group}-{_mac(_KEYS.key(session), user_id, group)}"


def read_token(session: Session, token: object) -> tuple[int, str] | None:
    """(user id, group) of a genuine unsubscribe token, else None."""
    match = _TOKEN.match(token) if isinstance(token, str) else None
    if match is None or match.group(2) not in GROUPS:
        return None
    user_id, group = int(match.group(1)), match.group(2)
    if not hmac.compare_digest(match.group(3), _mac(_KEYS.key(session), user_id, group)):
        return None
    return user_id, group


def unsubscribe(session: Session, token: object, *, now: datetime | None = None) -> tuple[int, str]:
    """Follow an unsubscribe link: that group goes back to the app only (audited as the person's own act).
    NotFound(UNSUBSCRIBE_INVALID) for a link that is not genuine."""
    found = read_token(session, token)
    user = session.get(User, found[0]) if found else None
    if found is None or user is None:
        raise NotFound(UNSUBSCRIBE_INVALID)
    user_id, group = found
    channel, frequency = preferences_for(session, user_id)[group]
    if channel not in ("off", "in_app"):
        set_preference(session, user_id, group, "in_app", frequency, action="unsubscribed")
    return user_id, group


__all__ = ["DEFAULT", "UNSUBSCRIBE_INVALID", "configure_unsubscribe_key", "preferences_for", "preferences_of",
           "read_token", "set_preference", "unsubscribe", "unsubscribe_key_from_secret", "unsubscribe_token"]
