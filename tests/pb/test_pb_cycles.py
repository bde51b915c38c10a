"""PB cycles on SQLite and PostgreSQL: create, phases, ballots and their limits, tally, publish, import, export."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import models.pb.cycles as pbc
from models.audit.log import record
from models.core.enums import AllocationStatus, PBPhase
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.base import utcnow
from models.orm.pb import PBBallot, PBCycle
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Project
from models.pb.pabulib import parse, read
from models.pb.rules import RULES, count
from models.pledging.pledges import PledgeInput, create_pledge
from tests.models.world import build_world

DATA = Path(__file__).resolve().parents[1] / "data" / "pabulib"


@pytest.fixture
def setup(any_db):
    with any_db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test.created", gov)
        voters = []
        for i in range(6):
            u = User(name=f"voter{i}", email=f"v{i}@example.org", password_hash="!x")
            s.add(u)
            record(s, None, "test.created", u)
            voters.append(u.id)
        # 30M of the health post's 100M is already accepted from a citizen's pledge.
        p = create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=40_000_000))
        a = Allocation(pledge_id=p.id, need_id=w.money_need, quantity=30_000_000, status=AllocationStatus.ACCEPTED,
                       decided_by_id=w.chair, decided_at=utcnow())
        s.add(a)
        record(s, None, "allocation.accepted", a)
        proposed = Allocation(pledge_id=p.id, need_id=w.money_need, quantity=10_000_000)
        s.add(proposed)
        record(s, None, "allocation.proposed", proposed)
    return any_db, w, gov.id, voters, proposed.id


def _cycle(db, gov, w, **kw):
    data = dict(name_fa="دوره ۱", name_en="Cycle 1", budget_rials=80_000_000,
                project_ids=(w.project, w.env_project), ballot_rule="approval", max_approvals=1)
    data.update(kw)
    with db.unit_of_work() as s:
        return pbc.create_cycle(s, gov, pbc.CycleInput(**data)).id


def _advance(db, gov, cycle_id, *phases):
    for phase in phases:
        with db.unit_of_work() as s:
            pbc.advance_phase(s, gov, cycle_id, phase)


def _counts(db):
    with db.reader() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in
                     (PBCycle, PBBallot, AuditEvent, Allocation, pbc.PBCycleImport))


def test_create_costs_are_the_uncovered_financial_need(setup):
    db, w, gov, _, _ = setup
    cid = _cycle(db, gov, w)
    with db.reader() as s:
        costs = {r.project_id: r.cost_rials for r in s.get(PBCycle, cid).projects}
        assert costs == {w.project: 70_000_000, w.env_project: 50_000_000}  # the proposal does not net off
        assert s.get(PBCycle, cid).phase is PBPhase.PROPOSAL


BAD_CYCLES = [
    ({"budget_rials": 0}, "budget_not_positive"),
    ({"budget_rials": 1.5}, "budget_not_integer"),
    ({"name_en": "  "}, "name_required"),
    ({"project_ids": ()}, "pb_projects_required"),
    ({"project_ids": (999,)}, "pb_project_not_eligible"),
    ({"max_approvals": 3}, "pb_max_approvals_invalid"),
    ({"ballot_rule": "ranked"}, "pb_ballot_rule_unknown"),
    ({"counting_rule": "borda"}, "pb_counting_rule_unknown"),
    ({"ballot_rule": "knapsack"}, "pb_max_approvals_for_knapsack"),
]


def test_create_rejects_bad_input_and_changes_nothing(setup):
    db, w, gov, _, _ = setup
    before = _counts(db)
    for change, code in BAD_CYCLES:
        with pytest.raises(ValidationError) as err:
            _cycle(db, gov, w, **change)
        assert err.value.code == code, change
    assert _counts(db) == before


def test_only_the_governorate_creates_and_fully_covered_projects_are_not_eligible(setup):
    db, w, gov, voters, _ = setup
    with pytest.raises(PermissionDenied):
        _cycle(db, voters[0], w)
    with db.unit_of_work() as s:
        p = create_pledge(s, w.citizen2, PledgeInput(kind="financial", quantity=50_000_000))
        a = Allocation(pledge_id=p.id, need_id=w.env_need, quantity=50_000_000, status=AllocationStatus.DELIVERED,
                       decided_by_id=w.other_chair, decided_at=utcnow(), delivered_at=utcnow().date())
        s.add(a)
        record(s, None, "allocation.delivered", a)
    with pytest.raises(ValidationError, match="pb_project_fully_covered"):
        _cycle(db, gov, w)


def test_phases_move_one_step_forward(setup):
    db, w, gov, voters, _ = setup
    cid = _cycle(db, gov, w)
    with pytest.raises(Conflict, match="pb_phase_not_next"), db.unit_of_work() as s:
        pbc.advance_phase(s, gov, cid, "tallying")
    with pytest.raises(ValidationError, match="pb_publish_to_finish"), db.unit_of_work() as s:
        pbc.advance_phase(s, gov, cid, "results")
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:
        pbc.advance_phase(s, voters[0], cid, "voting")
    _advance(db, gov, cid, "voting", "tallying")
    with pytest.raises(Conflict), db.unit_of_work() as s:
        pbc.advance_phase(s, gov, cid, "voting")
    with pytest.raises(NotFound), db.unit_of_work() as s:
        pbc.advance_phase(s, gov, 12345, "voting")


def test_ballot_rules_and_phases(setup):
    db, w, gov, voters, _ = setup
    cid = _cycle(db, gov, w)
    v = voters[0]
    with pytest.raises(Conflict, match="pb_voting_closed"), db.unit_of_work() as s:
        pbc.cast_ballot(s, v, cid, [w.project])
    _advance(db, gov, cid, "voting")
    before = _counts(db)
    for bad, code in (([w.project, w.env_project], "pb_too_many_projects"), ([], "pb_ballot_empty"),
                      ([9999], "pb_project_not_on_ballot"), ([w.project, w.project], "pb_project_repeated"),
                      ("1", "pb_ballot_invalid")):
        with pytest.raises(ValidationError) as err, db.unit_of_work() as s:
            pbc.cast_ballot(s, v, cid, bad)
        assert err.value.code == code
    assert _counts(db) == before
    with db.unit_of_work() as s:
        pbc.cast_ballot(s, v, cid, [w.project])
    after_first = _counts(db)
    with db.unit_of_work() as s:  # a replayed request changes nothing, not even the audit log
        pbc.cast_ballot(s, v, cid, [w.project])
    assert _counts(db) == after_first
    with db.unit_of_work() as s:
        pbc.cast_ballot(s, v, cid, [w.env_project])
    with db.reader() as s:
        assert pbc.my_ballot(s, v, cid) == [w.env_project]
        assert s.scalar(select(func.count(PBBallot.id))) == 1
        # the audit names the participation (who voted), never the anonymous ballot (issue 18 item 5)
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.object_type == "pb_participations")))
        assert not s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "pb_ballots"))
        assert [e.action for e in events] == ["pb_ballot.cast", "pb_ballot.replaced"]
        assert all(set(e.after) == {"cycle_id", "voter_id"} for e in events)  # secret: no choices
    _advance(db, gov, cid, "tallying")
    with pytest.raises(Conflict, match="pb_voting_closed"), db.unit_of_work() as s:
        pbc.cast_ballot(s, voters[1], cid, [w.project])


def test_voting_window_dates(setup):
    db, w, gov, voters, _ = setup
    now = utcnow()
    cid = _cycle(db, gov, w, voting_opens_at=now + timedelta(days=1), voting_closes_at=now + timedelta(days=2))
    _advance(db, gov, cid, "voting")
    with pytest.raises(Conflict), db.unit_of_work() as s:
        pbc.cast_ballot(s, voters[0], cid, [w.project], now=now)
    with db.unit_of_work() as s:
        pbc.cast_ballot(s, voters[0], cid, [w.project], now=now + timedelta(hours=30))


def test_knapsack_ballots_stay_within_the_budget(setup):
    db, w, gov, voters, _ = setup
    cid = _cycle(db, gov, w, ballot_rule="knapsack", max_approvals=None, budget_rials=100_000_000)
    _advance(db, gov, cid, "voting")
    with pytest.raises(ValidationError) as err, db.unit_of_work() as s:
        pbc.cast_ballot(s, voters[0], cid, [w.project, w.env_project])  # 70M + 50M > 100M
    assert err.value.code == "pb_over_budget" and err.value.params["total"] == 120_000_000
    with db.unit_of_work() as s:
        pbc.cast_ballot(s, voters[0], cid, [w.env_project])


@pytest.mark.parametrize("rule", RULES)
def test_tally_and_publish_fund_the_winners(setup, rule):
    db, w, gov, voters, proposed = setup
    cid = _cycle(db, gov, w, counting_rule=rule, max_approvals=2, budget_rials=90_000_000)
    _advance(db, gov, cid, "voting")
    ballots = [[w.project], [w.project], [w.project, w.env_project], [w.env_project], [w.project], [w.project]]
    for v, b in zip(voters, ballots):
        with db.unit_of_work() as s:
            pbc.cast_ballot(s, v, cid, b)
    with pytest.raises(Conflict), db.unit_of_work() as s:
        pbc.tally(s, gov, cid)  # not while voting
    _advance(db, gov, cid, "tallying")
    with db.reader() as s:
        result = pbc.tally(s, gov, cid)
        with pytest.raises(PermissionDenied):
            pbc.tally(s, voters[0], cid)
    expected = count(rule, pbc.Election(90_000_000, {str(w.project): 70_000_000, str(w.env_project): 50_000_000},
                                        [[str(p) for p in b] for b in ballots]))
    assert result.winners == expected.winners == (str(w.project),)
    assert result.projects[str(w.project)] == (70_000_000, 5) and result.n_ballots == 6
    with db.unit_of_work() as s:
        pbc.publish_results(s, gov, cid)
    with db.reader() as s:
        assert s.get(PBCycle, cid).phase is PBPhase.RESULTS
        assert s.get(Project, w.project).pb_support == pytest.approx(5 / 6)
        assert s.get(Project, w.env_project).pb_support == pytest.approx(2 / 6)
        assert s.get(Allocation, proposed).status is AllocationStatus.WITHDRAWN
        funded = list(s.scalars(select(Allocation).where(Allocation.reasons.is_not(None),
                                                         Allocation.need_id == w.money_need,
                                                         Allocation.status == AllocationStatus.ACCEPTED)))
        from_budget = [a for a in funded if s.get(Pledge, a.pledge_id).citizen.email == pbc.BUDGET_USER_EMAIL]
        assert [a.quantity for a in from_budget] == [70_000_000]
        public = pbc.public_results(s, cid)
        assert public.budget_left == 20_000_000
        assert [(p.id, votes, funded) for p, _, votes, funded in public.projects] == \
               [(w.project, 5, True), (w.env_project, 2, False)]
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"pb_cycle.results_published", "allocation.funded_by_pb_cycle", "project.pb_support_set",
                "pledge.created_for_pb_cycle"} <= actions
    with pytest.raises(Conflict), db.unit_of_work() as s:
        pbc.publish_results(s, gov, cid)
    with db.reader() as s:
        text = pbc.export_pb(s, gov, cid)
    pb = parse(text)
    assert sorted(v.projects for v in pb.votes) == sorted(tuple(sorted(str(p) for p in b)) for b in ballots)
    assert [v.voter_id for v in pb.votes] == ["1", "2", "3", "4", "5", "6"]
    assert pb.projects[str(w.project)].fields["selected"] == "1" and pb.meta["max_length"] == "2"


def test_import_a_real_election_and_try_every_rule(setup):
    db, w, gov, _, _ = setup
    path = DATA / "US_Stanford_Dataset_PB_Chicago_35th_Ward_2019_vote_approvals.pb"
    with db.unit_of_work() as s:
        cid = pbc.import_pb(s, gov, path.read_bytes(), path.name).id
    e = read(path).election()
    with db.reader() as s:
        for rule in RULES:
            assert pbc.tally(s, gov, cid, rule).winners == count(rule, e).winners
        a, b = pbc.compare_rules(s, gov, cid, ("greedy", "mes"))
        assert a.rule == "greedy" and b.rule == "mes"
        exported = parse(pbc.export_pb(s, gov, cid))
    assert sorted(v.projects for v in exported.votes) == sorted(tuple(sorted(v.projects)) for v in read(path).votes)
    with pytest.raises(Conflict, match="pb_cycle_imported"), db.unit_of_work() as s:
        pbc.publish_results(s, gov, cid)
    with pytest.raises(ValidationError, match="pb_publish_to_finish"), db.unit_of_work() as s:
        pbc.advance_phase(s, gov, cid, "results")


BROKEN_FILES = [
    (b"META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;x\nVOTES\nvoter_id;vote\n", 7),
    (b"PROJECTS\n", 1),
    (b"META\nkey;value\ndescription;\xff\n", 3),
]


def test_import_of_a_broken_file_names_the_line_and_changes_nothing(setup):
    db, w, gov, _, _ = setup
    before = _counts(db)
    for data, line in BROKEN_FILES:
        with pytest.raises(ValidationError) as err, db.unit_of_work() as s:
            pbc.import_pb(s, gov, data, "broken.pb")
        assert err.value.code == "pb_file_invalid" and err.value.params["line"] == line
    assert _counts(db) == before
    with pytest.raises(ValidationError, match="pb_file_empty"), db.unit_of_work() as s:
        pbc.import_pb(s, gov, b"", "empty.pb")
