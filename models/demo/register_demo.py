"""The demo's resident register and a budgeting vote for residents only (issue 23 item 6).

Imports sqlalchemy and models (every area may be used by the demo). Not part of `seed_demo`, whose rows are
the same on every machine (tests/models/test_schema_and_seed.py): the register stores each national code as an
HMAC under a key derived from the running app's SECRET_KEY (models.core.residency), which in development is a
random key kept in the data folder. So `hamyar demo` and `hamyar seed-demo` configure the register key from the
app's own SECRET_KEY first (dash_app.cli), then call `seed_demo_register`: the same synthetic register
(models.demo.residents.demo_register: 60 people with national codes that belong to nobody), the same cycle and
rule, the same link of the demo citizen to entry 1, on every run; only the digests differ between data folders,
as they must (a digest without the key proves nothing, and with another key the register would be orphaned).
The steps go through the domain functions and are audited like the governorate's own (times are the seeding's).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import models.pb.cycles as pbc
from models.audit.log import record
from models.demo.residents import demo_register
from models.demo.seed import DEMO_ACCOUNTS, DEMO_NOW
from models.orm.people import User
from models.residents.claims import claim
from models.residents.register import import_register
from models.residents.rules import RuleInput, set_cycle_rule

# The demo citizen's mobile number, confirmed, so /vote/resident sends a code to it (shown on /outbox).
DEMO_CITIZEN_PHONE = "+989120001405"
DEMO_CYCLE_NAME = ("بودجهٔ مشارکتی ساکنان آمل ۱۴۰۵", "Amol residents' budget 1405")


@dataclass(frozen=True)
class DemoRegister:
    residents: int
    cycle_id: int
    linked_code: str   # the demo citizen's synthetic national code (printed by the CLI for the demo)
    linked_year: int


def _account(session: Session, role: str) -> User:
    return session.scalars(select(User).where(User.email == DEMO_ACCOUNTS[role][0])).one()


def seed_demo_register(session: Session) -> DemoRegister:
    """Import the demo register, link the demo citizen to its first entry, open a residents-only vote."""
    gov = _account(session, "governorate")
    data = demo_register()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]
    imp = import_register(session, gov.id, data, "demo-register.csv")
    citizen = _account(session, "citizen")
    if citizen.phone is None:
        citizen.phone, citizen.phone_verified_at = DEMO_CITIZEN_PHONE, DEMO_NOW
        record(session, None, "user.phone_verified", citizen, after={"phone_verified_at": DEMO_NOW})
    code, year = rows[0][0], int(rows[0][3])
    claim(session, citizen.id, code, year)
    items = pbc.eligible_projects(session, gov.id)[:6]
    cycle = pbc.create_cycle(session, gov.id, pbc.CycleInput(
        name_fa=DEMO_CYCLE_NAME[0], name_en=DEMO_CYCLE_NAME[1],
        budget_rials=max(1, sum(i.cost for i in items) // 2), project_ids=tuple(i.project_id for i in items),
        max_approvals=3))
    set_cycle_rule(session, gov.id, cycle.id, RuleInput("county", min_age=18))
    pbc.advance_phase(session, gov.id, cycle.id, "voting")
    return DemoRegister(imp.rows, cycle.id, code, year)


__all__ = ["DEMO_CITIZEN_PHONE", "DemoRegister", "seed_demo_register"]
