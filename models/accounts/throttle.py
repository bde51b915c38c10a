"""Slowing down password guessing without letting anyone lock a chosen account (issue 18 item 4).

Imports the standard library, sqlalchemy and models only. Failed logins are counted under keys:
- (account, address) and, for a browser that signed in to the account before, (account, device):
  the person who mistypes waits, the guesser at one address waits longer and longer;
- address: one address guessing many accounts;
- account: guesses spread over many addresses. This key is not checked for the owner's known
  address or device, so nobody keeps the owner out by hammering the account from elsewhere.
Each key allows a few failures, then asks for a delay that doubles with every further failure up to a
cap; nothing is ever locked for good, and a key's count is forgotten FORGET_AFTER its last failure. A
refused attempt (too early) does not check the password and does not count. Keys are stored as their
SHA-256, so no typed login or address is kept here.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.orm import Session

from models.orm.base import utcnow
from models.orm.sessions import LoginThrottle

FORGET_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Policy:
    """`free` failures are allowed at once; after that the next attempt waits base * 2^(extra), at most cap."""

    free: int
    base: float  # seconds
    cap: float   # seconds

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.base * 2 ** min(failures - self.free, 30), self.cap)


ACCOUNT_ADDRESS = Policy(free=5, base=15, cap=15 * 60)
ACCOUNT_DEVICE = Policy(free=5, base=15, cap=15 * 60)
ADDRESS = Policy(free=20, base=5, cap=15 * 60)
ACCOUNT = Policy(free=10, base=15, cap=15 * 60)


def key_hash(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Key:
    name: str     # "account-address", "account-device", "address", "account": for messages and tests
    hash: str
    policy: Policy


def keys_for(login_key: str, address: str | None, *, device: str | None, known: bool) -> list[Key]:
    """The keys one attempt is checked and counted under. `login_key` is the normalised login (or the typed
    text when it is not one), `device` the id of a device cookie this account signed in from before, and
    `known` whether the address or the device is the account's: then the account-wide key is left out."""
    address = address or "unknown"
    if device:
        # A browser that signed in to this account before: only its own count, so neither a guesser
        # elsewhere nor one behind the same shared address keeps the owner out.
        return [Key("account-device", key_hash("acct-dev", login_key, device), ACCOUNT_DEVICE)]
    keys = [Key("account-address", key_hash("acct-addr", login_key, address), ACCOUNT_ADDRESS),
            Key("address", key_hash("addr", address), ADDRESS)]
    if not known:
        keys.append(Key("account", key_hash("acct", login_key), ACCOUNT))
    return keys


def wait_seconds(session: Session, keys: list[Key], *, now: datetime | None = None) -> float:
    """How long this attempt must wait before its password is checked (0: check it now)."""
    now = now or utcnow()
    rows = {r.key_hash: r for r in session.scalars(
        select(LoginThrottle).where(LoginThrottle.key_hash.in_([k.hash for k in keys])))}
    wait = 0.0
    for key in keys:
        row = rows.get(key.hash)
        if row is None or now - row.last_failure_at >= FORGET_AFTER:
            continue
        due = row.last_failure_at + timedelta(seconds=key.policy.delay(row.failures))
        wait = max(wait, (due - now).total_seconds())
    return wait


def _count_failure(session: Session, key: Key, now: datetime) -> None:
    """One failure more under `key`, as one INSERT ... ON CONFLICT DO UPDATE (atomic between workers)."""
    values = {"key_hash": key.hash, "failures": 1, "last_failure_at": now}
    counted = {
        "failures": case((LoginThrottle.last_failure_at < now - FORGET_AFTER, 1), else_=LoginThrottle.failures + 1),
        "last_failure_at": now,
    }
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(LoginThrottle).values(values).on_conflict_do_update(
            index_elements=["key_hash"], set_=counted))
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(LoginThrottle).values(values).on_conflict_do_update(
            index_elements=["key_hash"], set_=counted))


def record_failure(session: Session, keys: list[Key], *, now: datetime | None = None) -> None:
    """Count one failed attempt under every key (atomic per key, also between workers)."""
    now = now or utcnow()
    for key in keys:
        _count_failure(session, key, now)
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER))


def record_success(session: Session, keys: list[Key]) -> None:
    """The right password: the person's own keys (account-address, account-device) start again. The address
    and account keys keep counting, so signing in to one's own account between guesses buys nothing."""
    own = [k.hash for k in keys if k.name in ("account-address", "account-device")]
    if own:
        session.execute(delete(LoginThrottle).where(LoginThrottle.key_hash.in_(own)))


def failures(session: Session, key: Key) -> int:
    row = session.get(LoginThrottle, key.hash)
    return row.failures if row is not None else 0


__all__ = ["ACCOUNT", "ACCOUNT_ADDRESS", "ACCOUNT_DEVICE", "ADDRESS", "FORGET_AFTER", "Key", "Policy", "failures",
           "key_hash", "keys_for", "record_failure", "record_success", "wait_seconds"]
