"""The keyed link between a voter and their ballot, kept only while the ballot may still change.

Imports the standard library and sqlalchemy only. Chair elections and PB cycles keep "who voted" (a
participation row) apart from "what was voted" (a ballot row with no voter). While voting is open a
ballot carries `link` = HMAC(key, scope, voter) so its voter can see and change it; closing erases
the links. The key is derived from SECRET_KEY, never stored in the database, so a backup or an
export holds no link a reader could follow (issue 18 item 5).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import weakref
from typing import Any

from sqlalchemy.orm import Session

# Ballots written before the links existed: "legacy:<voter id>", rewritten when voting closes.
LEGACY_LINK = "legacy:"


class BallotLinks:
    """Links for one kind of ballot; `purpose` ("chair-ballot", "pb-ballot") keeps their keys apart."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        self._keys: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()
        # Without a configured key (a script or a test using models directly) links use a key that lives
        # as long as this process: enough to change a ballot and close the vote in one process.
        self.process_key = secrets.token_bytes(32)

    def key_from_secret(self, secret_key: str | bytes) -> bytes:
        secret = secret_key.encode() if isinstance(secret_key, str) else bytes(secret_key)
        return hmac.new(secret, f"hamyar-{self.purpose}-link".encode(), "sha256").digest()

    def configure(self, db: Any, key: bytes) -> None:
        """Make the links of `db`'s ballots with `key` (never stored in the database)."""
        if len(key) < 16:
            raise ValueError("the ballot link key is too short")
        self._keys[db.engine] = key

    def key(self, session: Session) -> bytes:
        bind = session.get_bind()
        return self._keys.get(getattr(bind, "engine", bind), self.process_key)

    def link(self, key: bytes, scope_id: int, voter_id: int) -> str:
        return hmac.new(key, f"hamyar-{self.purpose}:{scope_id}:{voter_id}".encode(), hashlib.sha256).hexdigest()
