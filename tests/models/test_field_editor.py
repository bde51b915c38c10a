"""Issue 20's editor items, rule by rule: a need's time window, edits and removal; a citizen editing a pledge;
a chair election's quorum changed only before the first ballot and the one extension rule."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models.audit.log import record
from models.core.enums import AllocationStatus, HelpKind, RunScope
from models.core.errors import Conflict, NotFound, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.notifications import Notification
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need
from models.pledging.pledge_edit import PledgeEdit, edit_pledge, editable
from models.pledging.pledges import PledgeInput, create_pledge
from models.projects.editing import (
    NeedEdit,
    NeedInput,
    add_need,
    removal_preview,
    remove_need,
    table_projects,
    update_need,
)
from models.projects.items import item_choices
from models.runs.lifecycle import build_instance, coverage
from models.tables.elections import (
    EXTENSION_DAYS,
    cast_ballot,
    extend_election,
    nominate,
    open_election,
    quorum_changeable,
    set_quorum,
)
from tests.models.world import build_world

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
TODAY = date(2027, 1, 10)


@pytest.fixture
def world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test", gov)
        s.flush()
        w.gov = gov.id  # type: ignore[attr-defined]
    return db, w


def _pledge(db, w, quantity=60, kind="execution", citizen=None, **kw):
    with db.unit_of_work() as s:
        return create_pledge(s, citizen or w.citizen, PledgeInput(kind=kind, quantity=quantity, **kw), today=TODAY).id


def _allocate(db, pledge_id, need_id, quantity, status=AllocationStatus.PROPOSED):
    with db.unit_of_work() as s:
        a = Allocation(pledge_id=pledge_id, need_id=need_id, quantity=quantity, status=status)
        s.add(a)
        record(s, None, "test", a)
        s.flush()
        return a.id


def _version(db, model, row_id):
    with db.reader() as s:
        return s.get(model, row_id).version


def _actions(db, action):
    with db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- needs: window, edits, removal, the item of a logistics need ------------------------------------------


def test_a_need_gets_a_window_that_matching_reads_and_an_inverted_one_is_refused(world):
    db, w = world
    with db.unit_of_work() as s:
        nid = add_need(s, w.chair, w.project, NeedInput(kind="design", quantity=40, window_start=date(2027, 2, 1),
                                                        window_end=date(2027, 2, 20))).id
    with db.reader() as s:
        need = next(n for n in build_instance(s, RunScope.COUNTY)["needs"] if n["id"] == f"n{nid}")
        assert need["window"] == ["2027-02-01", "2027-02-20"]
        row = next(n for p in table_projects(s, w.health) for n in p.needs if n.need_id == nid)
        assert (row.window_start, row.window_end) == (date(2027, 2, 1), date(2027, 2, 20))
    with pytest.raises(ValidationError) as err, db.unit_of_work() as s:
        add_need(s, w.chair, w.project, NeedInput(kind="design", quantity=4, window_start=date(2027, 2, 20),
                                                  window_end=date(2027, 2, 1)))
    assert (err.value.code, err.value.field) == ("window_inverted", "window")
    with pytest.raises(ValidationError) as err, db.unit_of_work() as s:
        update_need(s, w.chair, nid, NeedEdit(window_start=date(2027, 3, 2), window_end=date(2027, 3, 1)))
    assert err.value.code == "window_inverted"


def test_description_skills_and_window_are_edited_audited_and_versioned(world):
    db, w = world
    seen = _version(db, Need, w.hours_need)
    with db.unit_of_work() as s:
        update_need(s, w.chair, w.hours_need, NeedEdit(description="پرستار شیفت شب", skill_ids=(w.carpentry,),
                                                       window_start=date(2027, 3, 1), window_end=date(2027, 3, 31)),
                    version=seen)
    with db.reader() as s:
        need = s.get(Need, w.hours_need)
        assert need.description == "پرستار شیفت شب" and [k.id for k in need.skills] == [w.carpentry]
        assert need.window_end == date(2027, 3, 31) and need.version > seen
    event = _actions(db, "need.updated")[-1]
    assert event.before["skills"] == [w.nursing] and event.after["skills"] == [w.carpentry]
    with pytest.raises(Conflict, match="need_changed"), db.unit_of_work() as s:  # the old page's version
        update_need(s, w.chair, w.hours_need, NeedEdit(description="x"), version=seen)
    with pytest.raises(ValidationError, match="skills_not_for_kind"), db.unit_of_work() as s:
        update_need(s, w.chair, w.money_need, NeedEdit(skill_ids=(w.nursing,)))
    with pytest.raises(Exception, match="not_chair_of_table"), db.unit_of_work() as s:
        update_need(s, w.citizen, w.hours_need, NeedEdit(description="x"))


def test_a_logistics_need_without_an_item_is_refused_at_the_item_field(world):
    db, w = world
    with pytest.raises(ValidationError) as err, db.unit_of_work() as s:
        add_need(s, w.chair, w.project, NeedInput(kind="logistics", quantity=3, description="وانت"))
    assert (err.value.code, err.value.field) == ("item_required", "item")
    with db.unit_of_work() as s:
        item = item_choices(s)[0].id  # the catalogue the migrations seed
        assert add_need(s, w.chair, w.project, NeedInput(kind="logistics", quantity=3, item_id=item)).item_id == item


def test_removing_a_need_without_help_takes_it_off_everything(world):
    db, w = world
    with db.reader() as s:
        assert removal_preview(s, w.hours_need).allowed
    with db.unit_of_work() as s:
        remove_need(s, w.chair, w.hours_need, version=_version(db, Need, w.hours_need))
    with db.reader() as s:
        assert s.get(Need, w.hours_need).removed_at is not None  # the row stays, for history
        assert w.hours_need not in [n.need_id for p in table_projects(s, w.health) for n in p.needs]
        assert f"n{w.hours_need}" not in [n["id"] for n in build_instance(s, RunScope.COUNTY)["needs"]]
        assert coverage(s, RunScope.TABLE, w.health)["needs"] == 1
    assert _actions(db, "need.removed")[-1].object_id == w.hours_need
    with pytest.raises(NotFound), db.unit_of_work() as s:  # twice: it is gone
        remove_need(s, w.chair, w.hours_need)


def test_removing_a_need_withdraws_its_proposals_and_tells_the_citizens(world):
    db, w = world
    p1, p2 = _pledge(db, w, 30), _pledge(db, w, 50, citizen=w.citizen2)
    a1, a2 = _allocate(db, p1, w.hours_need, 30), _allocate(db, p2, w.hours_need, 40)
    with db.reader() as s:
        preview = removal_preview(s, w.hours_need)
        assert (preview.proposals, preview.citizens, preview.allowed) == (2, 2, True)
    with db.unit_of_work() as s:
        done = remove_need(s, w.chair, w.hours_need)
    assert done.proposals == 2
    with db.reader() as s:
        assert {s.get(Allocation, a).status for a in (a1, a2)} == {AllocationStatus.WITHDRAWN}
        assert s.get(Pledge, p1).status.value == "open"
        told = list(s.scalars(select(Notification).where(Notification.kind == "allocation_withdrawn")))
        assert sorted(n.user_id for n in told) == sorted([w.citizen, w.citizen2])
        assert {n.params["why"] for n in told} == {"need_removed"}
    assert len(_actions(db, "allocation.withdrawn_by_need_removal")) == 2


def test_a_need_with_accepted_help_cannot_be_removed(world):
    db, w = world
    pid = _pledge(db, w, 30)
    _allocate(db, pid, w.hours_need, 30, AllocationStatus.ACCEPTED)
    proposal = _allocate(db, _pledge(db, w, 10), w.hours_need, 10)
    with db.reader() as s:
        assert not removal_preview(s, w.hours_need).allowed
    with pytest.raises(Conflict) as err, db.unit_of_work() as s:
        remove_need(s, w.chair, w.hours_need)
    assert err.value.code == "need_has_decided_help" and err.value.params["count"] == 1
    with db.reader() as s:  # nothing changed
        assert s.get(Need, w.hours_need).removed_at is None
        assert s.get(Allocation, proposal).status is AllocationStatus.PROPOSED


# --- a citizen edits a pledge ------------------------------------------------------------------------


def _edit(db, w, pid, quantity, *, version=None, citizen=None, **kw):
    with db.unit_of_work() as s:
        return edit_pledge(s, citizen or w.citizen, pid, PledgeEdit(quantity=quantity, **kw),
                           _version(db, Pledge, pid) if version is None else version, today=TODAY)


def test_raising_a_pledge_keeps_its_proposals_and_edits_window_district_and_note(world):
    db, w = world
    pid = _pledge(db, w, 60)
    alloc = _allocate(db, pid, w.hours_need, 50)
    done = _edit(db, w, pid, 100, district_id=w.amol, window_start=date(2027, 2, 1), window_end=date(2027, 2, 28),
                 description="عصرها")
    assert done.withdrawn == 0 and done.tables_told == []
    with db.reader() as s:
        p = s.get(Pledge, pid)
        assert (p.quantity, p.district_id, p.window_end, p.description) == (100, w.amol, date(2027, 2, 28), "عصرها")
        assert s.get(Allocation, alloc).status is AllocationStatus.PROPOSED
        assert p.status.value == "partly_allocated"
    event = _actions(db, "pledge.edited")[-1]
    assert (event.before["quantity"], event.after["quantity"]) == (60, 100)


def test_lowering_a_pledge_withdraws_the_proposals_that_no_longer_fit_and_tells_the_chair(world):
    db, w = world
    pid = _pledge(db, w, 60)
    first = _allocate(db, pid, w.hours_need, 30)
    second = _allocate(db, pid, w.hours_need, 20)
    done = _edit(db, w, pid, 40)
    assert done.withdrawn == 1 and done.tables_told == [w.health]
    with db.reader() as s:
        assert s.get(Allocation, first).status is AllocationStatus.PROPOSED   # the oldest keeps its place
        assert s.get(Allocation, second).status is AllocationStatus.WITHDRAWN
        chair_note = s.scalar(select(Notification).where(Notification.kind == "pledge_lowered"))
        assert chair_note.user_id == w.chair and chair_note.params["count"] == 1
    assert len(_actions(db, "allocation.withdrawn_by_pledge_edit")) == 1


def test_a_pledge_with_accepted_help_or_a_stale_version_is_not_edited(world):
    db, w = world
    pid = _pledge(db, w, 60)
    stale = _version(db, Pledge, pid)
    _allocate(db, pid, w.hours_need, 10)
    with db.unit_of_work() as s:  # a run's proposal moved the pledge's status: the version the page held is old
        from models.core.capacity import refresh_pledge_statuses
        refresh_pledge_statuses(s, None, [pid])
    with pytest.raises(Conflict, match="pledge_changed"):
        _edit(db, w, pid, 70, version=stale)
    accepted = _pledge(db, w, 20)
    _allocate(db, accepted, w.hours_need, 5, AllocationStatus.ACCEPTED)
    with db.reader() as s:
        assert not editable(s.get(Pledge, accepted)) and editable(s.get(Pledge, pid))
    with pytest.raises(Conflict, match="pledge_has_decided_help"):
        _edit(db, w, accepted, 30)
    with pytest.raises(Exception, match="not_your_pledge"):
        _edit(db, w, pid, 70, citizen=w.citizen2)


def test_an_edited_pledge_meets_the_pledge_forms_rules(world):
    db, w = world
    pid = _pledge(db, w, 60)
    cases = [(dict(quantity=0), "quantity_not_positive"),
             (dict(quantity=10, window_start=date(2027, 1, 1), window_end=date(2027, 1, 5)), "window_in_past"),
             (dict(quantity=10, window_start=date(2027, 2, 5), window_end=date(2027, 2, 1)), "window_inverted"),
             (dict(quantity=10, district_id=w.county), "district_unknown"),
             (dict(quantity=10, description="x" * 201), "description_too_long")]
    for kw, code in cases:
        with pytest.raises(ValidationError) as err:
            _edit(db, w, pid, **kw)
        assert err.value.code == code, kw
    money = _pledge(db, w, 5_000_000, kind="financial")
    _edit(db, w, money, 8_000_000, district_id=w.amol, window_start=date(2027, 2, 1), window_end=date(2027, 2, 2))
    with db.reader() as s:  # money has no place and no window: only the amount and the note change
        p = s.get(Pledge, money)
        assert (p.quantity, p.district_id, p.window_start, p.kind) == (8_000_000, None, None, HelpKind.FINANCIAL)


# --- chair elections: the quorum until the first ballot, the one extension rule -------------------------


def test_the_quorum_changes_until_the_first_ballot_and_the_extension_follows_one_rule(world):
    db, w = world
    with db.unit_of_work() as s:
        eid = open_election(s, w.gov, w.health, NOW + timedelta(days=7), now=NOW).id
    with db.unit_of_work() as s:
        assert set_quorum(s, w.gov, eid, 75, now=NOW).quorum_percent == 75
    assert _actions(db, "election.quorum_changed")[-1].after == {"quorum_percent": 75}
    with pytest.raises(ValidationError, match="quorum_out_of_range"), db.unit_of_work() as s:
        set_quorum(s, w.gov, eid, 0, now=NOW)
    with pytest.raises(Exception, match="governorate"), db.unit_of_work() as s:
        set_quorum(s, w.chair, eid, 60, now=NOW)
    with db.unit_of_work() as s:
        cand = nominate(s, w.member, eid, now=NOW).id
        cast_ballot(s, w.chair, eid, [cand], now=NOW)
    with db.reader() as s:
        assert not quorum_changeable(s, eid)
    with pytest.raises(Conflict, match="quorum_locked"), db.unit_of_work() as s:
        set_quorum(s, w.gov, eid, 10, now=NOW)
    with db.unit_of_work() as s:  # extended by the one rule: a week after the closing time, and again
        assert extend_election(s, w.gov, eid, now=NOW).closes_at == NOW + timedelta(days=7 + EXTENSION_DAYS)
        assert extend_election(s, w.gov, eid, now=NOW).closes_at == NOW + timedelta(days=7 + 2 * EXTENSION_DAYS)
