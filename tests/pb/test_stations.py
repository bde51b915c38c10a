"""Issue 17 item 5: paper ballots and assisted voting entered by a polling officer (SQLite and PostgreSQL):
who may enter, numbers entered once (the check and the database), assisted votes are the citizen's own,
audited without the choices, counted with the online ballots; the /pb/station page."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import models.pb.cycles as pbc
import models.pb.stations as st
from dash_app.pages.pb import ids
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.pb import PBBallot, PBParticipation
from models.orm.tables import random_ballot_id
from tests.pb.test_pb_cycles import _advance, _cycle
from tests.pb.test_pb_web import _client, _key, _post


@pytest.fixture
def station(setup):
    db, w, gov, voters, _ = setup
    cid = _cycle(db, gov, w, max_approvals=1)
    _advance(db, gov, cid, "voting")
    with db.unit_of_work() as s:
        st.assign_officer(s, gov, cid, voters[0], "  Mosque   school ")
    return db, w, gov, voters, cid


def _enter(db, officer, cid, number, projects, assisted=None):
    """(id, form number, "paper" or "assisted", the assisted citizen, station)."""
    with db.unit_of_work() as s:
        b = st.enter_ballot(s, officer, cid, number, projects, assisted)
        if isinstance(b, PBParticipation):      # an assisted vote: the citizen's participation, ballot anonymous
            return b.id, b.ballot_number, b.channel, b.user_id, b.station
        return b.id, b.ballot_number, b.source, None, b.station


def _n_ballots(db, cid):
    with db.reader() as s:
        return len(list(s.scalars(select(PBBallot.id).where(PBBallot.cycle_id == cid))))


def test_only_officers_enter_and_only_the_governorate_assigns(station):
    db, w, gov, voters, cid = station
    with pytest.raises(PermissionDenied) as err:
        _enter(db, voters[1], cid, "7", [w.project])
    assert err.value.code == "pb_not_officer"
    with db.unit_of_work() as s, pytest.raises(PermissionDenied):
        st.assign_officer(s, voters[0], cid, voters[1], "Station")
    with db.unit_of_work() as s, pytest.raises(ValidationError) as bad:
        st.assign_officer(s, gov, cid, voters[1], "   ")
    assert bad.value.code == "pb_station_invalid"
    assert _n_ballots(db, cid) == 0


def test_a_paper_ballot_counts_once(station):
    db, w, gov, voters, cid = station
    _id, number, source, voter, where = _enter(db, voters[0], cid, " ۱۲-a ", [w.project])
    assert (number, source, voter, where) == ("12-A", "paper", None, "Mosque school")
    for again in ("12-A", "۱۲-A", "12-a"):
        with pytest.raises(Conflict) as dup:
            _enter(db, voters[0], cid, again, [w.env_project])
        assert dup.value.code == "pb_ballot_number_used"
    with pytest.raises(ValidationError) as bad:
        _enter(db, voters[0], cid, "12; DROP", [w.project])
    assert bad.value.code == "pb_ballot_number_invalid"
    with pytest.raises(ValidationError) as many:      # the ballot's rules apply: k = 1
        _enter(db, voters[0], cid, "13", [w.project, w.env_project])
    assert many.value.code == "pb_too_many_projects"
    assert _n_ballots(db, cid) == 1


def test_the_database_refuses_a_number_twice(station):
    """Two officers racing past the check still meet the unique constraint."""
    db, _w, _gov, voters, cid = station
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            for _ in range(2):
                conn.execute(PBBallot.__table__.insert().values(id=random_ballot_id(), cycle_id=cid, source="paper",
                                                                ballot_number="99", station="x",
                                                                entered_by_id=voters[0]))


def test_assisted_votes_are_the_citizens_own(station):
    db, w, gov, voters, cid = station
    _id, _n, source, voter, _s = _enter(db, voters[0], cid, "A-1", [w.env_project], assisted=voters[1])
    assert (source, voter) == ("assisted", voters[1])
    with db.unit_of_work() as s, pytest.raises(Conflict) as online:
        pbc.cast_ballot(s, voters[1], cid, [w.project])
    assert online.value.code == "pb_ballot_entered_at_station"
    with pytest.raises(Conflict) as twice:
        _enter(db, voters[0], cid, "A-2", [w.project], assisted=voters[1])
    assert twice.value.code == "pb_already_voted"
    with db.unit_of_work() as s:
        pbc.cast_ballot(s, voters[2], cid, [w.project])
    with pytest.raises(Conflict):
        _enter(db, voters[0], cid, "A-3", [w.project], assisted=voters[2])
    with pytest.raises(NotFound):
        _enter(db, voters[0], cid, "A-4", [w.project], assisted=424242)
    with db.reader() as s:
        assert pbc.my_ballot(s, voters[1], cid) == [w.env_project]


def test_paper_ballots_are_counted_and_audited_without_choices(station):
    db, w, gov, voters, cid = station
    with db.unit_of_work() as s:
        pbc.cast_ballot(s, voters[3], cid, [w.project])
    _enter(db, voters[0], cid, "1", [w.env_project])
    _advance(db, gov, cid, "tallying")
    _enter(db, voters[0], cid, "2", [w.env_project])          # forms still arriving after the polls closed
    with pytest.raises(Conflict):                               # but nobody is assisted after closing
        _enter(db, voters[0], cid, "3", [w.project], assisted=voters[4])
    with db.reader() as s:
        result = pbc.tally(s, gov, cid)
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "pb_ballot.paper_entered")))
    assert result.n_ballots == 3 and result.projects[str(w.env_project)][1] == 2
    assert len(events) == 2
    assert [e.after for e in events] == [{"cycle_id": cid, "ballot_number": n, "station": "Mosque school"}
                                         for n in ("1", "2")]     # never the projects marked
    with db.unit_of_work() as s:
        pbc.publish_results(s, gov, cid)
    with pytest.raises(Conflict):
        _enter(db, voters[0], cid, "4", [w.project])


def test_the_station_page(site):
    app, db, world, users, cycle_id = site
    with db.unit_of_work() as s:
        st.assign_officer(s, users["gov"], cycle_id, users["ana"], "Station 1")
    key = _key(app, f"{ids.PAPER_MESSAGE}.")
    values = {ids.PAPER_SUBMIT: 1, ids.PAPER_CYCLE: {"cycle_id": cycle_id}, ids.PAPER_NUMBER: "۵۵",
              ids.PAPER_CHOICES: [world.project], ids.PAPER_ASSISTED: ""}
    ok = _post(_client(app, "ana"), app, key, values, f"{ids.PAPER_SUBMIT}.n_clicks")
    assert "Ballot 55 is entered." in str(ok.get_json())
    again = _post(_client(app, "ana"), app, key, values, f"{ids.PAPER_SUBMIT}.n_clicks")
    assert "Ballot number 55 has already been entered" in str(again.get_json())
    stranger = _post(_client(app, "cara"), app, key, dict(values, **{ids.PAPER_NUMBER: "56"}),
                     f"{ids.PAPER_SUBMIT}.n_clicks")
    assert "فقط مأمور شعبهٔ این دوره" in str(stranger.get_json())
    assisted = _post(_client(app, "ana"), app, key, dict(values, **{ids.PAPER_NUMBER: "57",
                                                                    ids.PAPER_ASSISTED: "cara@example.org"}),
                     f"{ids.PAPER_SUBMIT}.n_clicks")
    assert "Ballot 57 is entered." in str(assisted.get_json())
    pbc.configure_ballot_key(db, pbc.ballot_key_from_secret("pb-web"))   # the app's key, from its SECRET_KEY
    with db.reader() as s:
        assert pbc.my_ballot(s, users["cara"], cycle_id) == [world.project]
        assert pbc.ballot_count(s, cycle_id) == 2
    assert _post(_client(app, None), app, key, values, f"{ids.PAPER_SUBMIT}.n_clicks").status_code == 401
    assert _client(app, "ana").get("/pb/station").status_code == 200


def test_the_governorate_assigns_an_officer_on_the_admin_page(site):
    app, db, _world, users, cycle_id = site
    key = _key(app, f"{ids.PB_OFFICER_MESSAGE}.")
    values = {ids.PB_OFFICER_ASSIGN: 1, ids.PB_SELECT: str(cycle_id), ids.PB_OFFICER_LOGIN: "ana@example.org",
              ids.PB_OFFICER_STATION: "Station 2", ids.PB_OFFICER_DISTRICT: ""}
    resp = _post(_client(app, "gov"), app, key, values, f"{ids.PB_OFFICER_ASSIGN}.n_clicks")
    assert "Ana is an officer of this cycle at Station 2." in str(resp.get_json())
    refused = _post(_client(app, "ana"), app, key, values, f"{ids.PB_OFFICER_ASSIGN}.n_clicks")
    assert refused.status_code == 403
    with db.reader() as s:
        assert [o.station for _c, o in st.officer_cycles(s, users["ana"])] == ["Station 2"]
