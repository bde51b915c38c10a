"""Checking the audit log's hash chain over a whole database (`hamyar audit verify`).

Imports sqlalchemy and models only. With an anchor file, models.audit.anchors.verify_anchors also
proves every anchored head is still in the chain.
"""
from __future__ import annotations

from sqlalchemy import select

from models.audit.keys import config_of
from models.audit.log import ChainProblem, verify_chain
from models.core.db import Database
from models.orm.audit_event import AuditEvent


def verify_database(db: Database, batch: int = 5000, keys: dict[str, bytes] | None = None
                    ) -> tuple[int, list[ChainProblem]]:
    """(events checked, problems found), streaming the log in id order; keyed events are checked with
    `keys` (default: the database's configured audit key and its earlier keys)."""
    keys = config_of(db).keys_by_id() if keys is None else keys
    with db.engine.connect() as conn:
        rows = conn.execution_options(yield_per=batch).execute(
            select(AuditEvent.__table__).order_by(AuditEvent.id))
        counted = []

        def counting():
            for row in rows:
                counted.append(1)
                yield row

        problems = list(verify_chain(counting(), keys))
    return len(counted), problems
