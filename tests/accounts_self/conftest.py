"""A person with something of everything (a pledge with an accepted and a proposed part, a notification, a
preference, a PB participation, a session, a proposal, a referral) and another person with their own."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from models.accounts.sessions import open_session
from models.audit.log import record
from models.core.notify import notify
from models.messaging.preferences import set_preference
from models.orm.pb import PBParticipation
from models.orm.pledges import Allocation
from models.pledging.decisions import accept
from models.pledging.pledges import PledgeInput, create_pledge
from tests.residents.conftest import County, make_county


@dataclass
class People:
    county: County
    me: int
    other: int
    accepted: int
    proposed: int
    pledge: int


def fill(county: County) -> People:
    w = county.w
    me, other = county.users[0], county.users[1]
    with county.db.unit_of_work() as s:
        p = create_pledge(s, me, PledgeInput(kind="financial", quantity=60_000_000, description="my own words"))
        create_pledge(s, other, PledgeInput(kind="financial", quantity=5_000_000, description="someone else's"))
        ids = []
        for qty in (20_000_000, 30_000_000):
            a = Allocation(pledge_id=p.id, need_id=w.money_need, quantity=qty)
            s.add(a)
            record(s, None, "allocation.proposed", a)
            ids.append(a.id)
        notify(s, me, "allocation_proposed", project="mine")
        notify(s, other, "allocation_proposed", project="theirs")
        set_preference(s, me, "decisions", "sms", "daily")
        open_session(s, me, remember=False, address="10.1.1.1", user_agent="MyBrowser/1")
        open_session(s, other, remember=False, address="10.2.2.2", user_agent="TheirBrowser/1")
        s.add(PBParticipation(cycle_id=_cycle(s, county), user_id=me, channel="online"))
    with county.db.unit_of_work() as s:
        accept(s, w.chair, ids[0])
    return People(county, me, other, ids[0], ids[1], p.id)


def _cycle(s, county) -> int:
    import models.pb.cycles as pbc

    return pbc.create_cycle(s, county.gov, pbc.CycleInput(
        name_fa="بودجهٔ محله", name_en="Neighbourhood budget", budget_rials=80_000_000,
        project_ids=(county.w.project,), ballot_rule="approval", max_approvals=1)).id


@pytest.fixture
def people(db) -> People:
    return fill(make_county(db))


@pytest.fixture
def any_people(any_db) -> People:
    return fill(make_county(any_db))
