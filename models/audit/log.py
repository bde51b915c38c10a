"""The append-only audit log and its one writer, `record`, which every state change calls.

Imports sqlalchemy only. A flush that changes an audited object without a matching `record`
in the same transaction makes the commit raise `UnauditedChange`, so forgetting the audit is a
failing test, not a gap.
"""
from __future__ import annotations

import enum
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from models.audit.keys import config_of, key_id
from models.orm.audit_event import AUDITED_TABLES, AuditEvent
from models.orm.base import utcnow


class UnauditedChange(RuntimeError):
    """A programmer changed an audited object without calling models.audit.log.record."""


GENESIS = "0" * 64
# PostgreSQL advisory lock that serialises appending to the chain (any fixed 64-bit number). Advisory locks are
# per database, not per schema, so the key is offset by the schema's hash (SCHEMA_LOCK_SQL): two Hamyar schemas in
# one database (the tests' schemas, a staging copy) have two chains and must not wait on each other's.
CHAIN_LOCK = 0x48616D796172  # "Hamyar"
SCHEMA_LOCK_SQL = "SELECT pg_advisory_xact_lock(CAST(:key AS bigint) + hashtext(current_schema()))"
CHAINED_FIELDS = ("at", "actor_id", "action", "object_type", "object_id", "table_id", "before", "after")


def event_digest(prev_hash: str, fields: dict[str, Any], key: bytes | None = None) -> str:
    """The event's hash over the previous hash and a canonical JSON of its content: plain sha256
    (events from before the keyed chain, `chain_key` NULL) or HMAC-SHA256 under the audit key."""
    at = fields["at"]
    if isinstance(at, datetime):
        at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    content = {k: fields[k] for k in CHAINED_FIELDS if k != "at"}
    content["at"] = at
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    message = f"{prev_hash}\n{payload}".encode()
    if key is not None:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


def chain_rows(rows: list[dict], prev_hash: str, key: bytes | None = None) -> str:
    """Fill prev_hash, hash and chain_key of plain event rows in order (bulk inserts); return the last hash."""
    kid = key_id(key) if key else None
    for row in rows:
        row["prev_hash"] = prev_hash
        row["chain_key"] = kid
        row["hash"] = prev_hash = event_digest(prev_hash, row, key)
    return prev_hash


def chain_head(connection) -> str:
    """The newest event's hash, after taking the chain lock (held until the transaction ends)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(SCHEMA_LOCK_SQL), {"key": CHAIN_LOCK})
    last = connection.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    return last or GENESIS


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    # "edited": the content does not match its hash; "gap": events before it deleted or altered;
    # "unkeyed": a plain-hash event after keyed ones (written or rewritten without the key);
    # "unknown_key": chained with a key this check was not given. models.audit.anchors adds its own.
    problem: str


def verify_chain(rows: Iterable[Any], keys: dict[str, bytes] | None = None) -> Iterator[ChainProblem]:
    """Walk events in id order and report every place the chain breaks.

    `keys` maps key ids to audit keys; an event chained with a key not given is reported, not trusted.
    """
    keys = keys or {}
    expected_prev = GENESIS
    keyed_seen = False
    for row in rows:
        fields = {k: getattr(row, k) for k in CHAINED_FIELDS}
        kid = getattr(row, "chain_key", None)
        if row.prev_hash != expected_prev:
            yield ChainProblem(row.id, "gap")
        if kid is None:
            if keyed_seen:
                yield ChainProblem(row.id, "unkeyed")
            elif row.hash != event_digest(row.prev_hash or "", fields):
                yield ChainProblem(row.id, "edited")
        else:
            keyed_seen = True
            if kid not in keys:
                yield ChainProblem(row.id, "unknown_key")
            elif not hmac.compare_digest(row.hash or "", event_digest(row.prev_hash or "", fields, keys[kid])):
                yield ChainProblem(row.id, "edited")
        expected_prev = row.hash


def _json_safe(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


# Columns never copied into the audit log, which lives forever: no history needs a password's or a reset
# link's hash.
_SECRET_COLUMNS = {"password_hash", "token_hash"}
# Machinery, not state: users.roles_version moves with every role change (models.orm.roles_version) in the
# flush after the event's snapshot was taken, so a snapshot would hold a value that was never the row's.
_MACHINERY_COLUMNS = {"roles_version"}


def snapshot(obj: Any, columns: list[str] | None = None) -> dict[str, Any]:
    """The object's column values as JSON, for an audit event's before/after."""
    mapper = inspect(obj).mapper
    names = columns or [c.key for c in mapper.column_attrs]
    return {n: _json_safe(getattr(obj, n)) for n in names if n not in _SECRET_COLUMNS and n not in _MACHINERY_COLUMNS}


def _audited_objects(session: Session) -> list[Any]:
    return session.info.setdefault("audited_objects", [])


def record(
    session: Session,
    actor_id: int | None,
    action: str,
    obj: Any,
    *,
    before: dict | None = None,
    after: dict | None = None,
    table_id: int | None = None,
) -> AuditEvent:
    """Write one audit event for `obj` in the session's transaction.

    Call it after adding or changing `obj` (so `after` can default to its new state); a new object
    is flushed here to learn its id.
    """
    _audited_objects(session).append(obj)
    if getattr(obj, "id", None) is None:
        session.flush()
    if after is None and obj not in session.deleted:
        after = snapshot(obj)
    return _add_event(session, actor_id=actor_id, action=action, object_type=obj.__tablename__,
                      object_id=obj.id, table_id=table_id,
                      before=_json_safe(before) if before is not None else None,
                      after=_json_safe(after) if after is not None else None)


def _add_event(session: Session, **fields: Any) -> AuditEvent:
    """Queue one event; its place in the hash chain is fixed when it is flushed."""
    event_row = AuditEvent(at=utcnow(), **fields)
    session.add(event_row)
    session.info["audit_written"] = True
    session.info.setdefault("unchained_events", []).append(event_row)
    if fields.get("action") in ANCHORED_ACTIONS:
        request_anchor(session, fields["action"])
    return event_row


# After a commit that wrote one of these, the chain's new head is anchored (models.audit.anchors).
ANCHORED_ACTIONS = frozenset({"matching.finished", "matching.failed", "pb_cycle.results_published",
                              "database.restored"})


def request_anchor(session: Session, reason: str) -> None:
    """Anchor the chain's head once this session's transaction has committed (models.audit.anchors'
    after-commit listener); nothing happens when the database has no anchor file configured."""
    session.info["anchor_reason"] = reason


def record_system(session: Session, action: str, *, object_type: str = "database",
                  after: dict | None = None) -> AuditEvent:
    """An event about the database itself (a restore), by the system: no row of another table."""
    return _add_event(session, actor_id=None, action=action, object_type=object_type, object_id=None,
                      table_id=None, before=None, after=_json_safe(after) if after is not None else None)


def record_many(session: Session, actor_id: int | None, action: str, objs: list[Any], *,
                table_of: Any = None) -> None:
    """`record` for many objects at once, with one flush for all the new ones (matching runs)."""
    if not objs:
        return
    _audited_objects(session).extend(objs)
    if any(getattr(o, "id", None) is None for o in objs):
        session.flush()
    for o in objs:
        _add_event(session, actor_id=actor_id, action=action, object_type=o.__tablename__, object_id=o.id,
                   table_id=table_of(o) if table_of else None, before=None, after=snapshot(o))


def bypass_audit(session: Session, why: str) -> None:
    """For bulk loads (demo seeding) that write one summary event instead of one per row."""
    session.info["audit_bypass"] = why


@event.listens_for(Session, "before_flush")
def _note_audited_changes(session: Session, _ctx, _instances) -> None:
    """Remember every audited object this transaction changes; commit checks each was recorded."""
    _chain_pending_events(session)
    if session.info.get("audit_bypass"):
        return
    changed = list(session.new) + list(session.deleted)
    changed += [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    noted = session.info.setdefault("changed_objects", [])
    noted.extend(o for o in changed if getattr(o, "__tablename__", None) in AUDITED_TABLES)


def _chain_pending_events(session: Session) -> None:
    """Give the events about to be inserted their hashes, in the order they were recorded."""
    pending = session.info.pop("unchained_events", None)
    if not pending:
        return
    head = session.info.get("chain_head")
    if head is None:
        head = chain_head(session.connection())
    key = config_of(session).key
    kid = key_id(key) if key else None
    for event_row in pending:
        event_row.prev_hash = head
        event_row.chain_key = kid
        head = event_row.hash = event_digest(head, {k: getattr(event_row, k) for k in CHAINED_FIELDS}, key)
    session.info["chain_head"] = head
    session.info["chain_head_event"] = pending[-1]


@event.listens_for(Session, "before_commit")
def _every_change_is_audited(session: Session) -> None:
    session.flush()
    if session.info.get("audit_bypass"):
        return
    done = {id(o) for o in _audited_objects(session)}
    for obj in session.info.get("changed_objects", []):
        if id(obj) not in done:
            raise UnauditedChange(f"{type(obj).__name__} changed without models.audit.log.record")


# Called after every commit that wrote audit events (or a bypassed bulk load), i.e. after every
# state change: caches of derived figures (the dashboard's, dash_app.cache) forget what they hold.
_commit_hooks: list[Callable[[], None]] = []


def on_audited_commit(hook: Callable[[], None]) -> None:
    """Call `hook()` after each commit that changed audited state (once per hook, however often asked)."""
    if hook not in _commit_hooks:
        _commit_hooks.append(hook)


@event.listens_for(Session, "after_commit")
def _announce_commit(session: Session) -> None:
    if not (session.info.pop("audit_written", False) or session.info.get("audit_bypass")):
        return
    for hook in list(_commit_hooks):
        try:
            hook()
        except Exception:  # noqa: BLE001 - the change is committed; a cache hook must not undo the answer
            logging.getLogger(__name__).exception("audited-commit hook %r failed", hook)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_audited(session: Session) -> None:
    for key in ("audited_objects", "changed_objects", "unchained_events", "chain_head", "audit_written",
                "chain_head_event", "anchor_reason"):
        session.info.pop(key, None)
