"""The jobs folder is private and forgets (issue 18 item 12).

Imports diskcache and the standard library only. Background jobs keep their results (matching
summaries, export sheets with phones and e-mails) in a diskcache folder under the data folder. The
folder is made owner-only (0700) and its files 0600 before diskcache opens it, so other local users
read nothing; and results are deleted once they are JOB_RESULTS_EXPIRE old, collected or not (Dash
only gives a collected result an expiry, so one nobody came back for stayed forever): at start-up and
then at most every SWEEP_EVERY seconds, after a request.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

SWEEP_EVERY = 300.0


def private_jobs_folder(folder: Path) -> None:
    """Create the folder 0700 (narrow it when others may enter) and its cache.db 0600, before diskcache."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    db = folder / "cache.db"
    try:
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    narrow_files(folder)


def narrow_files(folder: Path) -> int:
    """Every file under `folder` 0600 and every folder 0700 (diskcache writes big values with the
    process's umask); returns how many were narrowed."""
    narrowed = 0
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            p = Path(root, name)
            if p.stat().st_mode & 0o077:
                p.chmod(0o700)
                narrowed += 1
        for name in files:
            p = Path(root, name)
            try:
                if p.stat().st_mode & 0o077:
                    p.chmod(0o600)
                    narrowed += 1
            except FileNotFoundError:  # removed by diskcache meanwhile
                continue
    return narrowed


def expire_results(cache: Any, max_age: float, now: float | None = None) -> int:
    """Delete every entry stored more than `max_age` seconds before `now`; returns how many."""
    now = time.time() if now is None else now
    cache.expire(now)  # entries Dash gave an expiry (collected results)
    rows = cache._sql("SELECT key, raw FROM Cache WHERE store_time < ?", (now - max_age,)).fetchall()
    deleted = 0
    for key, raw in rows:
        if raw and cache.delete(key, retry=True):
            deleted += 1
    return deleted


def install_expiry(server: Any, cache: Any, max_age: float, folder: Path) -> None:
    """Sweep now, then after a request at most every SWEEP_EVERY seconds (per process)."""
    state = {"last": 0.0}
    lock = threading.Lock()

    def sweep() -> None:
        if time.monotonic() - state["last"] < SWEEP_EVERY or not lock.acquire(blocking=False):
            return
        try:
            state["last"] = time.monotonic()
            expire_results(cache, max_age)
            narrow_files(folder)
        except Exception:  # noqa: BLE001 - a sweep that fails is tried again later; never fail a request
            import logging

            logging.getLogger(__name__).warning("could not expire old job results", exc_info=True)
        finally:
            lock.release()

    sweep()

    @server.after_request
    def _expire_job_results(response):
        sweep()
        return response


__all__ = ["expire_results", "install_expiry", "narrow_files", "private_jobs_folder"]
