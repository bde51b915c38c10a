"""Checking the audit log's hash chain over a whole database (`hamyar audit verify`).

Imports sqlalchemy and models only.
"""
from __future__ import annotations

from sqlalchemy import select

from models.audit.log import ChainProblem, verify_chain
from models.core.db import Database
from models.orm.audit_event import AuditEvent


def verify_database(db: Database, batch: int = 5000) -> tuple[int, list[ChainProblem]]:
    """(events checked, problems found), streaming the log in id order."""
    with db.engine.connect() as conn:
        rows = conn.execution_options(yield_per=batch).execute(
            select(AuditEvent.__table__).order_by(AuditEvent.id))
        counted = []

        def counting():
            for row in rows:
                counted.append(1)
                yield row

        problems = list(verify_chain(counting()))
    return len(counted), problems
