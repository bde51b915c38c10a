"""From notifications to messages: the dispatcher (immediately) and the daily digest.

Imports the standard library, sqlalchemy and models. models.core.notify.notify writes the in-app notification
in the transaction of the change; the dispatcher (each sender tick) then reads the person's preference for
the kind's group and queues an SMS and/or an e-mail with a link to the right page and a one-click unsubscribe
link, or leaves it to the app or to the digest, and marks it dispatched. Any kind with a template
(models.messaging.templates) goes out; one without stays in the app, so a new kind only needs its texts.

An SMS goes only to a phone whose code was confirmed (models.accounts.codes sets phone_verified_at): a number
somebody typed is not enough to text it. The digest sends one message per person, channel and day with that
day's items of the groups they want daily; its dedupe key makes a second run the same day send nothing.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.core.clock import COUNTY_TZ
from models.core.notify import kind_group
from models.messaging.outbox import queue
from models.messaging.preferences import DEFAULT, preferences_of, unsubscribe_token
from models.messaging.templates import open_line, render, unsubscribe_line
from models.orm.base import utcnow
from models.orm.notifications import Notification
from models.orm.outbox import NotificationPreference, OutboxMessage
from models.orm.people import User

DISPATCH_BATCH = 500
DIGEST_MAX_LINES = 20


def channels_of(choice: str) -> tuple[str, ...]:
    return {"sms": ("sms",), "email": ("email",), "sms_email": ("sms", "email")}.get(choice, ())


def _sms_ok(user: User) -> bool:
    return bool(user.phone) and user.phone_verified_at is not None


def queue_notification(session: Session, user: User, kind: str, params: dict, channels, *, public_url: str = "",
                       dedupe: str | None = None, now: datetime | None = None) -> list[OutboxMessage]:
    """Queue `kind` for `user` on each of `channels` it can reach; nothing when the kind has no template."""
    rendered = render(kind, params, user.language)
    if rendered is None:
        return []
    lang = user.language if user.language in ("fa", "en") else "fa"
    link = f"{public_url}{rendered.path}"
    unsubscribe = f"{public_url}/unsubscribe/{unsubscribe_token(session, user.id, kind_group(kind))}" \
        if kind != "digest" else f"{public_url}/account"
    queued = []
    for channel in channels:
        if channel == "sms" and _sms_ok(user):
            text = "\n".join([rendered.sms, link, unsubscribe_line(lang, unsubscribe)])
            recipient = user.phone
        elif channel == "email" and user.email and user.email_verified_at is not None:
            text = "\n\n".join([rendered.body, open_line(lang, link), unsubscribe_line(lang, unsubscribe)])
            recipient = user.email
        else:
            continue
        queued.append(queue(session, channel=channel, recipient=str(recipient), kind=kind, text=text,
                            subject=rendered.subject, user_id=user.id, unsubscribe_url=unsubscribe,
                            dedupe_key=f"{dedupe}:{channel}" if dedupe else None, now=now))
    return queued


def queue_code(session: Session, *, channel: str, recipient: str, code: str, purpose: str, language: str,
               user_id: int | None, minutes: int = 2, now: datetime | None = None) -> OutboxMessage:
    """The message carrying a one-time code (models.accounts.codes.issue_code made it)."""
    rendered = render(f"code_{purpose}", {"code": code, "minutes": minutes}, language)
    assert rendered is not None, purpose
    text = rendered.sms if channel == "sms" else rendered.body
    return queue(session, channel=channel, recipient=recipient, kind=f"code_{purpose}", text=text,
                 subject=rendered.subject, user_id=user_id, secret=True, now=now)


def _pending(session: Session, limit: int) -> list[Notification]:
    pending = select(Notification).where(Notification.dispatched_at.is_(None)).order_by(Notification.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pending = pending.with_for_update(skip_locked=True)  # two dispatchers never take the same notification
    return list(session.scalars(pending))


def dispatch_pending(session: Session, *, public_url: str = "", now: datetime | None = None,
                     limit: int = DISPATCH_BATCH) -> int:
    """Look at up to `limit` new notifications; returns how many messages were queued."""
    now = now or utcnow()
    notes = _pending(session, limit)
    if not notes:
        return 0
    uids = {n.user_id for n in notes}
    chosen = preferences_of(session, uids)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(sorted(uids))))}
    queued = 0
    for note in notes:
        note.dispatched_at = now
        channel, frequency = chosen.get((note.user_id, kind_group(note.kind)), DEFAULT)
        if channel == "off":
            note.read_at = note.read_at or now   # kept in the list, never rung for
            continue
        user = users.get(note.user_id)
        if user is None or not user.is_active or frequency == "daily":
            continue
        queued += len(queue_notification(session, user, note.kind, dict(note.params or {}), channels_of(channel),
                                         public_url=public_url, now=now))
    session.flush()
    return queued


def county_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC moments a county calendar day starts and ends."""
    start = datetime.combine(day, time(0), tzinfo=COUNTY_TZ)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=COUNTY_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def _digest_lines(session: Session, user: User, groups: set[str], start: datetime, end: datetime) -> list[str]:
    lines = []
    for note in session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.created_at >= start, Notification.created_at < end)
            .order_by(Notification.id)):
        if kind_group(note.kind) not in groups:
            continue
        rendered = render(note.kind, dict(note.params or {}), user.language)
        if rendered is not None and not rendered.secret:
            lines.append(rendered.body.split("\n")[0])
    return lines


def send_digests(session: Session, day: date, *, public_url: str = "", now: datetime | None = None) -> int:
    """Queue each person's digest of `day` (a county calendar day) on the channels they chose for daily groups;
    a person, channel and day get at most one. Returns how many messages were queued."""
    start, end = county_day_bounds(day)
    wanted: dict[int, dict[str, set[str]]] = {}
    for pref in session.scalars(select(NotificationPreference).where(NotificationPreference.frequency == "daily")):
        for channel in channels_of(pref.channel):
            wanted.setdefault(pref.user_id, {}).setdefault(channel, set()).add(pref.group)
    queued = 0
    for user_id, by_channel in sorted(wanted.items()):
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            continue
        for channel, groups in sorted(by_channel.items()):
            key = f"digest:{user_id}:{day.isoformat()}"
            if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == f"{key}:{channel}")):
                continue
            lines = _digest_lines(session, user, groups, start, end)
            if not lines:
                continue
            params = {"count": len(lines), "lines": lines[:DIGEST_MAX_LINES]}
            try:
                with session.begin_nested():  # another process queued it meanwhile: the unique key refuses ours
                    queued += len(queue_notification(session, user, "digest", params, (channel,),
                                                     public_url=public_url, dedupe=key, now=now))
            except IntegrityError:
                continue
    return queued


__all__ = ["channels_of", "county_day_bounds", "dispatch_pending", "queue_code", "queue_notification",
           "send_digests"]
