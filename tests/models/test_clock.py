""""Today" is the county's day whatever the server's time zone: at 01:00 in Tehran (21:30 UTC the day
before) a delivery dated today is accepted and tomorrow is refused, with TZ=UTC and TZ=Asia/Tehran."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest

from models.audit.log import record
from models.core import clock
from models.core.errors import ValidationError
from models.orm.pledges import Allocation
from models.pledging.decisions import accept, mark_delivered
from models.pledging.pledges import PledgeInput, create_pledge, validate_pledge
from tests.models.world import build_world

ONE_AM_IN_TEHRAN = datetime(2026, 12, 1, 21, 30, tzinfo=UTC)   # 1405/09/11 01:00 Tehran
TEHRAN_DAY = date(2026, 12, 2)


@pytest.fixture(params=["UTC", "Asia/Tehran"])
def server_zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    monkeypatch.setattr(clock, "utcnow", lambda: ONE_AM_IN_TEHRAN)
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_county_today_is_tehrans_day(server_zone):
    assert clock.county_today() == TEHRAN_DAY
    assert clock.county_date(datetime(2026, 12, 1, 20, 29, tzinfo=UTC)) == date(2026, 12, 1)
    assert clock.county_date(datetime(2026, 12, 1, 20, 30)) == TEHRAN_DAY  # naive = UTC, as stored


def test_a_delivery_dated_today_is_accepted_at_one_in_the_morning(server_zone, db):
    with db.unit_of_work() as s:
        w = build_world(s)
        p = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=10_000_000))
        a = Allocation(pledge_id=p.id, need_id=w.money_need, quantity=10_000_000)
        s.add(a)
        record(s, None, "allocation.proposed", a)
        s.flush()
        accept(s, w.chair, a.id)
        # accepted "now" = 01:00 on TEHRAN_DAY: a delivery that day is neither future nor before acceptance
        a.decided_at = ONE_AM_IN_TEHRAN
        alloc_id, chair = a.id, w.chair
    with pytest.raises(ValidationError, match="delivered_in_future"), db.unit_of_work() as s:
        mark_delivered(s, chair, alloc_id, date(2026, 12, 3))
    with db.unit_of_work() as s:
        assert mark_delivered(s, chair, alloc_id, TEHRAN_DAY).delivered_at == TEHRAN_DAY


def test_a_window_ending_today_is_not_in_the_past(server_zone, db):
    with db.unit_of_work() as s:
        w = build_world(s)
        data = PledgeInput(kind="execution", quantity=5, window_start=TEHRAN_DAY, window_end=TEHRAN_DAY)
        assert validate_pledge(s, w.citizen, data).data.window_end == TEHRAN_DAY
        with pytest.raises(ValidationError, match="window_in_past"):
            validate_pledge(s, w.citizen, PledgeInput(kind="execution", quantity=5,
                                                       window_start=date(2026, 12, 1), window_end=date(2026, 12, 1)))
