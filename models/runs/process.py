"""A matching run's job in a process of its own (one machine, no Celery): `python -m models.runs.process`.

Imports the standard library and models only. The web request that claimed the run starts this
process (dash_app.background) and writes one JSON line to its standard input:
{"database_url": ..., "run_id": ..., "actor_id": ..., "stale_after": ..., "heartbeat": ...,
"audit_key": ..., "anchor_file": ...} (the audit chain's key and anchors, models.audit.keys, as the web
worker has them). The URL and the key travel on stdin, never on the command line, which any local user
can read with ps.
The process is in a session of its own, so it outlives the web worker that started it; if it dies,
its run falls silent and is marked interrupted (models.runs.liveness).
"""
from __future__ import annotations

import json
import logging
import sys
from typing import TextIO

log = logging.getLogger("models.runs.process")


def main(stdin: TextIO | None = None) -> int:
    from pathlib import Path

    from models.audit.keys import AuditConfig, configure
    from models.core.db import Database
    from models.runs import liveness
    from models.runs.jobs import run_claimed

    job = json.loads((stdin or sys.stdin).readline())
    liveness.configure(job.get("stale_after"), job.get("heartbeat"))
    db = Database(job["database_url"])
    configure(db, AuditConfig(key=job["audit_key"].encode() if job.get("audit_key") else None,
                              anchor_file=Path(job["anchor_file"]) if job.get("anchor_file") else None))
    try:
        run_claimed(db, int(job["run_id"]), job.get("actor_id"))
    except Exception:  # noqa: BLE001 - execute_run marked the run failed; say why in the log and exit 1
        log.exception("matching run %s failed", job.get("run_id"))
        return 1
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(main())
