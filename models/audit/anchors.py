"""Anchors: the audit chain's head (event id, hash, time) written outside the database.

Imports sqlalchemy and models.audit/models.orm only. An anchor file (`<data folder>/audit-anchors.jsonl`)
is append-only JSON lines, each naming the newest event of the chain at that moment; each line also
carries the hash of the line before it and, when the audit key is known, an HMAC under it, so the
file's own lines cannot be edited or invented without the key either. The heads are public (the
transparency page shows the newest), so whoever copied an anchor can later hold the county to it.

Anchors are written by `write_anchor(db, reason)` (`hamyar audit anchor`, the demo's seeding), after
every commit that finished a matching run, published a PB result or restored a backup
(models.audit.log.ANCHORED_ACTIONS, or `request_anchor(session, reason)` from any code), and after the
first audited commit once the newest anchor is older than a day.

`verify_anchors` proves each anchored head is still in the chain: an anchored event that is gone
(truncation of the newest events, everything deleted), one whose hash differs (rewritten and re-hashed
from some point), and the chain's own breaks (a forged append has no valid HMAC) are each reported with
the first bad event id. A restore of an older backup writes a `database.restored` event naming the backup
and the head it returns to, and an anchor saying so: the anchors of the abandoned branch after that
head are then reported as superseded by the restore, not as truncation.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from models.audit.keys import AuditConfig, config_of, key_id
from models.audit.log import GENESIS, ChainProblem, verify_chain
from models.orm.audit_event import AuditEvent

ANCHOR_EVERY = timedelta(days=1)
_last_anchor_at: dict[Path, datetime] = {}  # per anchor file, this process's knowledge of its newest line


@dataclass(frozen=True)
class Anchor:
    event_id: int            # the chain's newest event when anchored (0: the chain was empty)
    hash: str                # its hash
    event_at: str | None     # its time (UTC, ISO 8601)
    anchored_at: str         # when the anchor was written (UTC, ISO 8601)
    reason: str              # "manual", "daily", "demo.seeded", "matching.finished", "database.restored", ...
    key_id: str | None = None  # the audit key the head was chained with (None: plain SHA-256 / empty)
    restore: dict | None = None  # for a restore: {"returns_to": {"event_id", "hash"}, "backup": name}
    line: int = 0            # 1-based line in the file (0 before it is written)

    @property
    def anchored_datetime(self) -> datetime:
        return datetime.fromisoformat(self.anchored_at)


def _utc_iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _mac(key: bytes, record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "mac"}
    return hmac.new(key, _canonical(body).encode(), hashlib.sha256).hexdigest()


def default_anchor_file(data_folder: Path) -> Path:
    from models.audit.keys import ANCHOR_FILE_NAME

    return data_folder / ANCHOR_FILE_NAME


# --- the chain's head --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    event_id: int
    hash: str
    at: Any
    chain_key: str | None
    action: str | None = None
    after: dict | None = None


def chain_head_of(bind: Any) -> Head:
    """The newest event of the chain (event id 0 and the genesis hash when there is none)."""
    with bind.connect() as conn:
        row = conn.execute(select(AuditEvent.id, AuditEvent.hash, AuditEvent.at, AuditEvent.chain_key,
                                  AuditEvent.action, AuditEvent.after)
                           .order_by(AuditEvent.id.desc()).limit(1)).first()
    if row is None:
        return Head(0, GENESIS, None, None)
    return Head(row.id, row.hash or "", row.at, row.chain_key, row.action, row.after)


# --- writing -----------------------------------------------------------------------------------------


def append_anchor(path: Path, head: Head, reason: str, config: AuditConfig, *, now: datetime | None = None) -> Anchor:
    """Append one anchor for `head` to the file at `path` (created when missing; a lock keeps lines whole).
    `now` is the anchor's time (default: the clock's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
    restore = None
    if head.action == "database.restored" and isinstance(head.after, dict):
        restore = {"returns_to": head.after.get("returns_to"), "backup": head.after.get("backup")}
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    with os.fdopen(fd, "r+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            f.seek(0)
            lines = f.read().splitlines()
            prev = hashlib.sha256(lines[-1]).hexdigest() if lines else GENESIS
            record: dict[str, Any] = {"v": 1, "event_id": head.event_id, "hash": head.hash,
                                      "event_at": _utc_iso(head.at), "anchored_at": stamp, "reason": reason,
                                      "key_id": head.chain_key, "prev": prev}
            if restore:
                record["restore"] = restore
            if config.key:
                record["mac_key"] = key_id(config.key)
                record["mac"] = _mac(config.key, record)
            f.seek(0, os.SEEK_END)
            f.write(_canonical(record).encode() + b"\n")
            f.flush()
            os.fsync(f.fileno())
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    _last_anchor_at[path] = datetime.fromisoformat(stamp)
    return Anchor(head.event_id, head.hash, record["event_at"], stamp, reason, head.chain_key, restore,
                  line=len(lines) + 1)


def write_anchor(db: Any, reason: str = "manual", path: Path | None = None) -> Anchor:
    """Anchor `db`'s chain head now, to `path` or the database's configured anchor file.

    The function for anyone who needs an anchor at once (`hamyar audit anchor`, a scheduled job).
    """
    config = config_of(db)
    target = path or config.anchor_file
    if target is None:
        raise ValueError("no anchor file: configure the database (models.audit.keys.configure) or pass a path")
    return append_anchor(Path(target), chain_head_of(db.engine), reason, config)


def _newest_anchor_time(path: Path) -> datetime | None:
    if path in _last_anchor_at:
        return _last_anchor_at[path]
    newest = latest_anchor(path)
    if newest is None:
        return None
    _last_anchor_at[path] = newest.anchored_datetime
    return _last_anchor_at[path]


def anchor_if_stale(db: Any, reason: str = "daily") -> Anchor | None:
    """Anchor `db`'s head when its anchor file has no anchor younger than ANCHOR_EVERY (a day); for
    schedulers and for pages that show the anchor, so a quiet day still gets one. None: fresh enough,
    or no anchor file configured."""
    path = config_of(db).anchor_file
    if path is None:
        return None
    newest = _newest_anchor_time(Path(path))
    if newest is not None and datetime.now(UTC) - newest < ANCHOR_EVERY:
        return None
    return write_anchor(db, reason)


def after_commit_anchor(session: Any, reason: str | None) -> Anchor | None:
    """Called by models.audit.log after every commit that wrote audit events or asked for an anchor."""
    config = config_of(session)
    if config.anchor_file is None:
        return None
    path = Path(config.anchor_file)
    if reason is None:
        newest = _newest_anchor_time(path)
        if newest is not None and datetime.now(UTC) - newest < ANCHOR_EVERY:
            return None
        reason = "daily"
    head = chain_head_of(session.get_bind())  # the committed head (this commit's, or a later one's)
    return append_anchor(path, head, reason, config)


@event.listens_for(Session, "after_commit", insert=True)  # before models.audit.log forgets the session's notes
def _anchor_after_commit(session: Session) -> None:
    reason = session.info.pop("anchor_reason", None)
    if session.info.get("chain_head_event") is None and not reason:
        return
    try:
        after_commit_anchor(session, reason)
    except Exception:  # noqa: BLE001 - the change is committed; `hamyar audit anchor` can anchor it later
        logging.getLogger(__name__).exception("could not anchor the audit chain's head")


# --- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorProblem:
    event_id: int | None   # the first bad event id (None: a problem of the file itself)
    problem: str           # "missing", "rewritten", "file_edited", "forged_anchor", "unreadable"
    detail: str
    line: int = 0


def read_anchors(path: Path, keys: dict[str, bytes] | None = None) -> tuple[list[Anchor], list[AnchorProblem]]:
    """The anchors in the file, and what is wrong with the file itself (a line edited, removed or
    invented: its `prev` or its HMAC does not match)."""
    anchors: list[Anchor] = []
    problems: list[AnchorProblem] = []
    if not path.is_file():
        return anchors, [AnchorProblem(None, "unreadable", f"no anchor file at {path}")]
    prev = GENESIS
    for n, raw in enumerate(path.read_bytes().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            anchor = Anchor(int(record["event_id"]), str(record["hash"]), record.get("event_at"),
                            str(record["anchored_at"]), str(record.get("reason", "")), record.get("key_id"),
                            record.get("restore"), line=n)
        except (ValueError, KeyError, TypeError):
            problems.append(AnchorProblem(None, "unreadable", f"line {n} is not an anchor", n))
            prev = hashlib.sha256(raw).hexdigest()
            continue
        if record.get("prev") != prev:
            problems.append(AnchorProblem(None, "file_edited", f"line {n}: the line before it was edited or "
                                                                "removed", n))
        mac_key = record.get("mac_key")
        if keys is not None and mac_key is not None and mac_key in keys:
            if not hmac.compare_digest(str(record.get("mac", "")), _mac(keys[mac_key], record)):
                problems.append(AnchorProblem(anchor.event_id, "forged_anchor",
                                              f"line {n}: its HMAC does not match (written without the key)", n))
        prev = hashlib.sha256(raw).hexdigest()
        anchors.append(anchor)
    return anchors, problems


def latest_anchor(path: Path | None) -> Anchor | None:
    """The newest anchor in the file (None when there is no file or no anchor yet)."""
    if path is None or not Path(path).is_file():
        return None
    newest = None
    with open(path, "rb") as f:
        for raw in f:
            if raw.strip():
                newest = raw
    if newest is None:
        return None
    try:
        r = json.loads(newest)
        return Anchor(int(r["event_id"]), str(r["hash"]), r.get("event_at"), str(r["anchored_at"]),
                      str(r.get("reason", "")), r.get("key_id"), r.get("restore"))
    except (ValueError, KeyError, TypeError):
        return None


# --- verifying ---------------------------------------------------------------------------------------


@dataclass
class AnchorReport:
    events: int = 0
    anchors: int = 0
    chain_problems: list[ChainProblem] = field(default_factory=list)
    anchor_problems: list[AnchorProblem] = field(default_factory=list)
    superseded: list[tuple[Anchor, Anchor]] = field(default_factory=list)  # (abandoned anchor, the restore's)

    @property
    def ok(self) -> bool:
        return not self.chain_problems and not self.anchor_problems

    @property
    def first_bad_id(self) -> int | None:
        ids = [p.event_id for p in self.chain_problems]
        ids += [p.event_id for p in self.anchor_problems if p.event_id is not None]
        return min(ids) if ids else None


def verify_anchors(db: Any, path: Path, keys: dict[str, bytes] | None = None, batch: int = 5000) -> AnchorReport:
    """The chain checked end to end, then every anchor in `path` against it (see the module docstring)."""
    keys = config_of(db).keys_by_id() if keys is None else keys
    report = AnchorReport()
    anchors, report.anchor_problems = read_anchors(path, keys)
    report.anchors = len(anchors)
    with db.engine.connect() as conn:
        rows = conn.execution_options(yield_per=batch).execute(
            select(AuditEvent.id, AuditEvent.at, AuditEvent.actor_id, AuditEvent.action, AuditEvent.object_type,
                   AuditEvent.object_id, AuditEvent.table_id, AuditEvent.before, AuditEvent.after,
                   AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.chain_key).order_by(AuditEvent.id))
        hashes: dict[int, str] = {}
        wanted = {a.event_id for a in anchors}
        for a in anchors:
            if a.restore and isinstance(a.restore.get("returns_to"), dict):
                wanted.add(int(a.restore["returns_to"].get("event_id") or 0))

        def counting():
            for row in rows:
                report.events += 1
                if row.id in wanted:
                    hashes[row.id] = row.hash
                yield row

        report.chain_problems = list(verify_chain(counting(), keys))
        newest_id = conn.execute(select(func.max(AuditEvent.id))).scalar() or 0
    hashes[0] = GENESIS

    def holds(anchor: Anchor) -> bool:
        return hashes.get(anchor.event_id) == anchor.hash

    # A restore's anchor, itself in the chain, and the head it returns to, also in the chain, make the
    # anchors written before it beyond that head an abandoned branch.
    superseded: set[int] = set()
    for i, a in enumerate(anchors):
        back = (a.restore or {}).get("returns_to")
        if not isinstance(back, dict) or not holds(a):
            continue
        back_id, back_hash = int(back.get("event_id") or 0), back.get("hash")
        if hashes.get(back_id) != back_hash:
            continue
        for earlier in anchors[:i]:
            if earlier.event_id > back_id and earlier.line not in superseded:
                superseded.add(earlier.line)
                report.superseded.append((earlier, a))

    good_ids = sorted(a.event_id for a in anchors if a.line not in superseded and holds(a))
    broken_ids = sorted(p.event_id for p in report.chain_problems)
    for a in anchors:
        if a.line in superseded or holds(a):
            continue
        below = [g for g in good_ids if g < a.event_id]
        lower = below[-1] if below else 0
        # The chain's own checks name the exact event when the rewrite had no key; else the anchors
        # bound it: after the newest anchor that still holds, at or before this one.
        exact = [b for b in broken_ids if lower < b <= a.event_id]
        if a.event_id > newest_id:
            first = exact[0] if exact else max(newest_id, lower) + 1
            report.anchor_problems.append(AnchorProblem(
                first, "missing", f"anchor of line {a.line} names event {a.event_id} (anchored {a.anchored_at}), "
                f"but the chain ends at {newest_id}: events from {first} on were deleted or replaced", a.line))
        else:
            first = exact[0] if exact else lower + 1
            report.anchor_problems.append(AnchorProblem(
                first, "rewritten" if a.event_id in hashes else "missing",
                f"anchor of line {a.line} names event {a.event_id} with hash {a.hash[:16]}…, the chain "
                + (f"holds {str(hashes[a.event_id])[:16]}…" if a.event_id in hashes else "lacks it")
                + f": rewritten from event {first}" + ("" if exact else f" at the earliest (the newest anchor "
                                                        f"that holds is event {lower})"), a.line))
    return report


# --- what the pages show -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorStatus:
    latest: Anchor | None    # the newest anchor in the file (None: none yet)
    recent: list[Anchor]     # the newest few, newest first
    head: Head               # the chain's head now
    events_since: int        # events written after the newest anchor
    holds: bool | None       # the newest anchor's event still has its hash (None: no anchor)


def anchor_status(db: Any, path: Path | None, recent: int = 7) -> AnchorStatus:
    """The newest anchors and whether the newest still holds (the full proof is `verify_anchors`)."""
    head = chain_head_of(db.engine)
    anchors = read_anchors(Path(path))[0] if path is not None and Path(path).is_file() else []
    latest = anchors[-1] if anchors else None
    if latest is None:
        return AnchorStatus(None, [], head, head.event_id, None)
    with db.engine.connect() as conn:
        held = conn.execute(select(AuditEvent.hash).where(AuditEvent.id == latest.event_id)).scalar()
        since = conn.execute(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.id > latest.event_id)).scalar() or 0
    holds = (held == latest.hash) if latest.event_id else True
    return AnchorStatus(latest, list(reversed(anchors[-recent:])), head, int(since), holds)
