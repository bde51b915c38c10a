"""Done when (issue 23): a resident in the register signs up with their phone and a one-time code read from the
test's own SMS gateway (a real HTTP server), claims their register entry, votes once in a cycle for residents;
a second account with the same national code is refused, and cannot vote for it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

import models.pb.cycles as pbc
from models.accounts import codes
from models.core.errors import Conflict, PermissionDenied
from models.messaging.dispatch import queue_code
from models.messaging.sender import send_due
from models.messaging.transports import HttpSmsTransport, SmtpTransport, Transports
from models.orm.pb import PBBallot
from models.residents.claims import claim
from models.residents.rules import RuleInput, set_cycle_rule
from tests.messaging.servers import Gateway, start_gateway
from tests.residents.conftest import load_register

PHONE = "09121234567"


@pytest.fixture
def gateway():
    gw = Gateway()
    server = start_gateway(gw)
    yield gw
    server.shutdown()
    server.server_close()


def _sign_up_by_code(db, gateway, name: str, phone: str) -> int:
    with db.unit_of_work() as s:
        issued = codes.issue_code(s, purpose="register", login=phone, address="10.0.0.7")
        queue_code(s, channel=issued.channel, recipient=issued.recipient, code=issued.code, purpose="register",
                   language="fa", user_id=None)
    transports = Transports(sms=HttpSmsTransport(gateway.url, gateway.api_key, "Hamyar", timeout=5),
                            email=SmtpTransport("127.0.0.1", 9, "hamyar@amol.example", timeout=1))
    assert send_due(db, transports).sent == 1
    text = gateway.received[-1]["text"]
    assert text.startswith("همیار: کد ثبت‌نام شما") and len(text) <= 70
    code = re.search(r"\b(\d{6})\b", text).group(1)  # Latin digits, so the phone can fill it in
    with db.unit_of_work() as s:
        user = codes.register_with_code(s, name=name, login=phone, code=code, password=None)
        assert user is not None and codes.is_phone_verified(user)
        return user.id


def test_a_resident_signs_up_by_code_votes_once_and_a_second_account_is_refused(sqlite_county, gateway):
    county = sqlite_county
    load_register(county)
    w = county.w
    with county.db.unit_of_work() as s:
        cid = pbc.create_cycle(s, county.gov, pbc.CycleInput(
            name_fa="بودجهٔ محله", name_en="Neighbourhood budget", budget_rials=80_000_000,
            project_ids=(w.project, w.env_project), ballot_rule="approval", max_approvals=1)).id
        set_cycle_rule(s, county.gov, cid, RuleInput("county"))
    with county.db.unit_of_work() as s:
        pbc.advance_phase(s, county.gov, cid, "voting")

    first = _sign_up_by_code(county.db, gateway, "مریم طبری", PHONE)
    with county.db.unit_of_work() as s, pytest.raises(PermissionDenied) as err:
        pbc.cast_ballot(s, first, cid, [w.project])  # not yet linked to the register
    assert err.value.code == "vote_residents_only"
    with county.db.unit_of_work() as s:
        claim(s, first, county.codes[0], 1360)
    with county.db.unit_of_work() as s:
        pbc.cast_ballot(s, first, cid, [w.project])

    second = _sign_up_by_code(county.db, gateway, "Maryam T.", "09127654321")
    with county.db.unit_of_work() as s, pytest.raises(Conflict) as err:
        claim(s, second, county.codes[0], 1360)
    assert err.value.code == "resident_claimed_by_other"
    with county.db.unit_of_work() as s, pytest.raises(PermissionDenied):
        pbc.cast_ballot(s, second, cid, [w.env_project])
    with county.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(PBBallot).where(PBBallot.cycle_id == cid)) == 1
