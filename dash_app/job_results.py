"""Background-job results on disk that only this deployment can have written (issue 18 item 15).

Imports diskcache and the standard library only. Dash's `DiskcacheManager` keeps each job's result in
a diskcache folder, and diskcache stores any Python object as a pickle and unpickles it on read: whoever
can write the jobs folder (another local user, a process with a path-traversal bug) would run code in
the web process when the next poll reads the result. `SignedDisk` stores every value as
`MAGIC + HMAC-SHA256(key, pickle) + pickle` and reads nothing else: an entry without a valid MAC
(a planted pickle, a raw text or number, an edited file) is treated as missing, never unpickled; and
keys must be plain text, bytes or numbers (diskcache pickles other keys too). The key is derived from
the SECRET_KEY (never stored in the folder), which every web worker shares and the forked job
processes inherit.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import pickle
import sqlite3
from typing import Any

import diskcache
from diskcache.core import MODE_BINARY, MODE_RAW

MAGIC = b"HMJR1"
MAC_SIZE = hashlib.sha256().digest_size


def results_key(secret_key: str | bytes) -> bytes:
    """The MAC key for job results: derived from SECRET_KEY, so never written to the jobs folder."""
    secret = secret_key.encode() if isinstance(secret_key, str) else bytes(secret_key)
    return hmac.new(secret, b"hamyar-job-results", "sha256").digest()


class UnsignedResult(OSError):
    """A jobs-folder entry without this deployment's MAC (diskcache's get then answers "missing")."""


class SignedDisk(diskcache.Disk):
    """A diskcache Disk that signs what it pickles and refuses to unpickle anything unsigned."""

    key: bytes = b""  # set on the subclass `signed_disk` makes; never passed as a disk_* setting,
    #                   which diskcache would write into the folder's Settings table

    def _mac(self, data: bytes) -> bytes:
        if not self.key:
            raise RuntimeError("SignedDisk needs a key (use signed_disk(key))")
        return hmac.new(self.key, data, "sha256").digest()

    def put(self, key: Any):
        if type(key) not in (str, bytes, int, float):
            raise TypeError("job result keys must be text, bytes or numbers")
        return super().put(key)

    def get(self, key: Any, raw: bool):
        if not raw:
            raise UnsignedResult("refusing to unpickle a key")
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN):
        if read:
            value = value.read()
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return super().store(MAGIC + self._mac(data) + data, False, key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool):
        if mode not in (MODE_RAW, MODE_BINARY):
            raise UnsignedResult("not a signed job result")
        raw = super().fetch(mode, filename, value, False)
        if type(raw) is sqlite3.Binary:
            raw = bytes(raw)
        if not isinstance(raw, bytes) or not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + MAC_SIZE:
            raise UnsignedResult("not a signed job result")
        mac, data = raw[len(MAGIC):len(MAGIC) + MAC_SIZE], raw[len(MAGIC) + MAC_SIZE:]
        if not hmac.compare_digest(mac, self._mac(data)):
            raise UnsignedResult("job result with a wrong signature")
        result = pickle.loads(data)
        return io.BytesIO(result) if read and isinstance(result, bytes) else result


def signed_disk(key: bytes) -> type[SignedDisk]:
    """A SignedDisk class bound to `key` (diskcache instantiates the class itself)."""
    if len(key) < 16:
        raise ValueError("the job results key is too short")
    return type("BoundSignedDisk", (SignedDisk,), {"key": key})


def signed_cache(directory: str, secret_key: str | bytes) -> diskcache.Cache:
    """The jobs folder's diskcache, reading and writing only signed results."""
    return diskcache.Cache(directory, disk=signed_disk(results_key(secret_key)))


__all__ = ["SignedDisk", "UnsignedResult", "results_key", "signed_cache", "signed_disk"]
