"""The audit chain's key and where a database's anchors go: one `AuditConfig` per `Database`.

Imports the standard library and sqlalchemy only. The key is never stored in the database: it comes
from HAMYAR_AUDIT_KEY, a key file named by HAMYAR_AUDIT_KEY_FILE, or (development and tests) a
random key kept in `<data folder>/audit_key`, created owner-only (0600) on first use. dash_app.settings
refuses to start production without one, the way it refuses a missing SECRET_KEY.

A keyed event's hash is an HMAC-SHA256 under the key and carries the key's id (`chain_key`, the first
16 hex digits of a hash of the key: naming a key, telling nothing about it); events written before
the key existed keep their plain SHA-256 (`chain_key` NULL) and still verify.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INFO_KEY = "hamyar_audit"  # where a session finds its database's AuditConfig (Session.info)
KEY_FILE_NAME = "audit_key"
ANCHOR_FILE_NAME = "audit-anchors.jsonl"


class AuditKeyError(RuntimeError):
    """The audit key cannot be read or kept (said in one sentence)."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"hamyar-audit-key-id\0" + key).hexdigest()[:16]


def parse_key(text: str) -> bytes:
    text = text.strip()
    if len(text) < 32:
        raise AuditKeyError("the audit key must be at least 32 characters (e.g. `python -c \"import secrets; "
                            "print(secrets.token_hex(32))\"`)")
    return text.encode()


def read_key_file(path: Path) -> bytes:
    try:
        return parse_key(path.read_text(encoding="ascii"))
    except OSError as exc:
        raise AuditKeyError(f"cannot read the audit key file {path}: {exc.strerror}") from exc


def load_or_create_key_file(path: Path) -> bytes:
    """The key kept in `path`; a new random one written owner-only (0600) when the file does not exist."""
    if path.is_file():
        return read_key_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return read_key_file(path)
    except OSError as exc:
        raise AuditKeyError(f"cannot create the audit key file {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(32))
        f.flush()
        os.fsync(f.fileno())
    return read_key_file(path)


@dataclass(frozen=True)
class AuditConfig:
    key: bytes | None = None                 # the key new events are chained with (None: plain SHA-256)
    anchor_file: Path | None = None          # where anchors are appended (None: no automatic anchors)
    old_keys: tuple[bytes, ...] = field(default=())  # earlier keys, still accepted when verifying

    @property
    def key_id(self) -> str | None:
        return key_id(self.key) if self.key else None

    def keys_by_id(self) -> dict[str, bytes]:
        return {key_id(k): k for k in (*self.old_keys, *([self.key] if self.key else []))}


_configs: weakref.WeakKeyDictionary[Any, AuditConfig] = weakref.WeakKeyDictionary()


def configure(db: Any, config: AuditConfig) -> AuditConfig:
    """Chain `db`'s new events with `config.key` and anchor them to `config.anchor_file`."""
    _configs[db] = config
    db.sessions.configure(info={INFO_KEY: config})
    return config


def config_of(db_or_session: Any) -> AuditConfig:
    """The AuditConfig of a Database or of a session made by one (an empty one when none was set)."""
    info = getattr(db_or_session, "info", None)
    if isinstance(info, dict) and isinstance(info.get(INFO_KEY), AuditConfig):
        return info[INFO_KEY]
    try:
        return _configs.get(db_or_session) or AuditConfig()
    except TypeError:
        return AuditConfig()
