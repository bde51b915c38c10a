"""Chair elections from opening to the new chair, and every way to cheat them refused."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.audit.log import record
from models.core.enums import MemberBackground
from models.core.errors import Conflict, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.orm.tables import Table, TableMembership
from models.tables.elections import (
    cast_ballot,
    close_due_elections,
    close_election,
    close_preview,
    election_view,
    extend_election,
    nominate,
    open_election,
    published_result,
    quorum_needed,
    result_order,
)
from tests.models.world import build_world

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def setup(any_db):
    with any_db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test", gov)
        third = User(name="third", email="third@example.org", password_hash="!x")
        s.add(third)
        record(s, None, "test", third)
        m = TableMembership(table_id=w.health, user_id=third.id, background=MemberBackground.FIELD)
        s.add(m)
        record(s, None, "test", m)
    with any_db.unit_of_work() as s:
        e = open_election(s, gov.id, w.health, NOW + timedelta(days=7), now=NOW)
    return any_db, w, gov.id, third.id, e.id


def test_election_from_opening_to_new_chair(setup):
    db, w, gov, third, eid = setup
    with db.unit_of_work() as s:
        c_member = nominate(s, w.member, eid, now=NOW).id
        c_third = nominate(s, third, eid, now=NOW + timedelta(hours=1)).id
    with db.unit_of_work() as s:
        cast_ballot(s, w.chair, eid, [c_member], now=NOW)
        cast_ballot(s, w.member, eid, [c_member, c_third], now=NOW)
        cast_ballot(s, third, eid, [c_third], now=NOW)
        # changeable until the close: the old chair switches to `third`... then back
        cast_ballot(s, w.chair, eid, [c_third], now=NOW + timedelta(days=1))
        cast_ballot(s, w.chair, eid, [c_member], now=NOW + timedelta(days=2))
    with db.reader() as s, pytest.raises(PermissionDenied):
        published_result(s, eid)
    with db.unit_of_work() as s:
        assert close_due_elections(s, now=NOW + timedelta(days=3)) == []
        assert close_due_elections(s, now=NOW + timedelta(days=8)) == [eid]
    with db.reader() as s:
        assert s.get(Table, w.health).chair_id == w.member
        assert published_result(s, eid) == {str(w.member): 2, str(third): 2}
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"election.opened", "election.ballot_cast", "election.ballot_changed", "election.closed",
                "table.chair_changed"} <= actions
        # the audit never says whom a member approved
        for ev in s.scalars(select(AuditEvent).where(AuditEvent.action.like("election.ballot%"))):
            assert "choices" not in (ev.after or {}) and "candidate" not in str(ev.after)


def test_tie_goes_to_the_earlier_nomination(setup):
    db, w, gov, third, eid = setup
    with db.unit_of_work() as s:
        c_third = nominate(s, third, eid, now=NOW).id
        c_member = nominate(s, w.member, eid, now=NOW + timedelta(minutes=5)).id
        cast_ballot(s, third, eid, [c_third], now=NOW)
        cast_ballot(s, w.member, eid, [c_member], now=NOW)
    with db.unit_of_work() as s:
        close_election(s, None, eid, now=NOW + timedelta(days=7))
    with db.reader() as s:
        assert s.get(Table, w.health).chair_id == third


def test_cheating_is_refused(setup):
    db, w, gov, third, eid = setup
    with db.unit_of_work() as s:
        cand = nominate(s, w.member, eid, now=NOW).id
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:
        cast_ballot(s, w.citizen, eid, [cand], now=NOW)           # not a member
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:
        nominate(s, w.other_chair, eid, now=NOW)                  # member of another table
    with pytest.raises(Conflict), db.unit_of_work() as s:
        nominate(s, w.member, eid, now=NOW)                       # twice
    with pytest.raises(ValidationError), db.unit_of_work() as s:
        cast_ballot(s, w.chair, eid, [cand, 9999], now=NOW)       # unknown candidate
    with pytest.raises(Conflict), db.unit_of_work() as s:
        cast_ballot(s, w.chair, eid, [cand], now=NOW + timedelta(days=8))  # after the close
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:
        open_election(s, w.chair, w.env, NOW + timedelta(days=3), now=NOW)  # only the governorate opens
    with pytest.raises(Conflict), db.unit_of_work() as s:
        open_election(s, gov, w.health, NOW + timedelta(days=3), now=NOW)   # one open election per table


# --- quorum and the tie rule (issue 20 item 6) -------------------------------------------------------


def test_early_close_below_quorum_is_refused_then_accepted(setup):
    """Health has 3 members and the default quorum of one half: 2 must vote. With 1, the governorate's close
    is refused (the chair stays); it extends the election; once 2 have voted the close elects the winner."""
    db, w, gov, third, eid = setup
    with db.unit_of_work() as s:
        cand = nominate(s, third, eid, now=NOW).id
        cast_ballot(s, third, eid, [cand], now=NOW)
    with db.reader() as s:
        preview = close_preview(s, gov, eid)
        assert (preview.turnout.voted, preview.turnout.members, preview.turnout.needed) == (1, 3, 2)
        assert not preview.turnout.quorum_met and preview.leader_id is None
    with pytest.raises(Conflict) as refused, db.unit_of_work() as s:
        close_election(s, gov, eid, now=NOW + timedelta(days=1))
    assert refused.value.code == "quorum_not_met"
    assert refused.value.params == {"voted": 1, "members": 3, "needed": 2}
    with db.reader() as s:
        assert s.get(Table, w.health).chair_id == w.chair
    with db.unit_of_work() as s:
        assert extend_election(s, gov, eid, now=NOW + timedelta(days=1)).closes_at == NOW + timedelta(days=14)
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:  # the governorate only
        extend_election(s, w.chair, eid, now=NOW + timedelta(days=1))
    with db.unit_of_work() as s:
        cast_ballot(s, w.member, eid, [cand], now=NOW + timedelta(days=8))  # still open: extended
    with db.reader() as s:
        preview = close_preview(s, gov, eid)
        assert preview.turnout.quorum_met and (preview.leader_id, preview.leader_approvals) == (third, 2)
    with db.unit_of_work() as s:
        close_election(s, gov, eid, now=NOW + timedelta(days=9))
    with db.reader() as s:
        assert s.get(Table, w.health).chair_id == third


def test_quorum_counts_participations_of_current_members_only(setup):
    db, w, gov, third, eid = setup
    with db.unit_of_work() as s:
        cand = nominate(s, third, eid, now=NOW).id
        cast_ballot(s, third, eid, [cand], now=NOW)
        cast_ballot(s, w.member, eid, [cand], now=NOW)
    with db.unit_of_work() as s:  # `member` leaves: 1 of 2 voted, the quorum of 2 members is 1
        m = s.scalar(select(TableMembership).where(TableMembership.user_id == w.member,
                                                   TableMembership.table_id == w.health))
        m.left_at = NOW
        record(s, None, "test", m)
    with db.reader() as s:
        view = election_view(s, w.health, gov)
        assert (view.voted, view.members, view.quorum_needed) == (1, 2, 1)


def test_due_close_below_quorum_elects_nobody(setup):
    db, w, gov, third, eid = setup
    with db.unit_of_work() as s:
        cand = nominate(s, third, eid, now=NOW).id
        cast_ballot(s, third, eid, [cand], now=NOW)
    with db.unit_of_work() as s:
        assert close_due_elections(s, now=NOW + timedelta(days=8)) == [eid]
    with db.reader() as s:
        assert s.get(Table, w.health).chair_id == w.chair        # the chair stays
        assert published_result(s, eid) == {str(third): 1}


def test_quorum_is_set_by_the_governorate_when_opening(setup):
    db, w, gov, third, eid = setup
    with pytest.raises(ValidationError) as bad, db.unit_of_work() as s:
        open_election(s, gov, w.env, NOW + timedelta(days=3), now=NOW, quorum_percent=0)
    assert bad.value.code == "quorum_out_of_range"
    with db.unit_of_work() as s:
        e = open_election(s, gov, w.env, NOW + timedelta(days=3), now=NOW, quorum_percent=100)
        assert e.quorum_percent == 100
    assert [quorum_needed(n, 50) for n in (1, 2, 3, 9)] == [1, 1, 2, 5]
    assert quorum_needed(9, 100) == 9 and quorum_needed(0, 50) == 1


def test_tie_rule_most_approvals_then_earlier_nomination_then_smaller_user_id(setup):
    assert sorted([result_order(2, NOW, 5), result_order(3, NOW + timedelta(days=1), 9),
                   result_order(2, NOW - timedelta(hours=1), 7), result_order(2, NOW, 4)]) == [
        result_order(3, NOW + timedelta(days=1), 9), result_order(2, NOW - timedelta(hours=1), 7),
        result_order(2, NOW, 4), result_order(2, NOW, 5)]
    db, w, gov, third, eid = setup
    with db.unit_of_work() as s:  # same approvals, same nomination time: the smaller user id wins
        c_third = nominate(s, third, eid, now=NOW).id
        c_member = nominate(s, w.member, eid, now=NOW).id
        cast_ballot(s, third, eid, [c_third], now=NOW)
        cast_ballot(s, w.member, eid, [c_member], now=NOW)
    with db.unit_of_work() as s:
        close_election(s, gov, eid, now=NOW + timedelta(days=1))
    with db.reader() as s:
        assert s.get(Table, w.health).chair_id == min(third, w.member)
