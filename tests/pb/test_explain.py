"""Issue 17 item 2: every result explained, equal-shares style (models.pb.explain), stored when results are
published, shown on /vote and /admin/pb in Persian; voting dates on the cycle form and the countdown on /vote."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import models.pb.cycles as pbc
from dash_app.pages.pb import ids
from models.audit.log import record
from models.orm.pb import PBCycle, PBCycleProject
from models.pb import explain as ex
from models.pb.rules import ALL_RULES, APPROVAL_ONLY, Election, count
from tests.pb.test_pb_cycles import _advance, _cycle
from tests.pb.test_pb_web import _client, _key, _post

HAND = Election(100, {"A": 60, "B": 50, "C": 30, "D": 200, "E": 10}, [["A", "C"], ["A"], ["A", "B"], ["B", "D"]])


def _why(rule, e=HAND):
    return ex.explain(rule, e, count(rule, e))


def test_equal_shares_explained_by_hand():
    """4 voters with 25 each. A (60; voters 1-3) costs each 20. Then B's supporters (3: 5 left, 4: 25) hold 30 < 50:
    blocked by A. C's one supporter never held its 30. D costs more than the budget, nobody chose E."""
    why = _why("mes")
    assert (why["A"].reason, why["A"].stage, why["A"].price_per_voter, why["A"].paid_all, why["A"].votes) == \
        (ex.FUNDED_EQUAL_SHARES, ex.EQUAL_SHARES, 20.0, 0, 3)
    assert (why["B"].reason, why["B"].blocked_by, why["B"].supporters_left, why["B"].effective_support) == \
        (ex.SHARES_RAN_OUT, "A", 30.0, 0.6)
    assert (why["C"].reason, why["C"].blocked_by, why["C"].supporters_left) == (ex.TOO_FEW_SUPPORTERS, None, 5.0)
    assert why["D"].reason == ex.OVER_BUDGET and why["E"].reason == ex.NO_VOTES
    assert not any(x.funded for p, x in why.items() if p != "A")


def test_completion_with_few_or_no_votes_is_marked():
    """The default rule: add1 raises each share to 34; equal shares funds A, the completion C (1 of 4 ballots)
    and E (no vote at all) from the 40 left; B (50) did not fit but was nearly funded (96 %)."""
    why = _why("mes-add1-greedy")
    assert count("mes-add1-greedy", HAND).winners == ("A", "C", "E")
    assert why["A"].stage == ex.EQUAL_SHARES
    assert (why["C"].stage, why["C"].reason, why["C"].left_at_turn) == (ex.COMPLETION, ex.FUNDED_COMPLETION, 40.0)
    assert (why["E"].stage, why["E"].reason, why["E"].few_votes) == (ex.COMPLETION, ex.FUNDED_COMPLETION_FEW_VOTES,
                                                                     True)
    assert (why["B"].reason, why["B"].blocked_by, why["B"].effective_support) == (ex.SHARES_RAN_OUT, "A", 0.96)
    assert why["B"].effective_support >= ex.NEARLY


def test_greedy_says_what_was_left():
    why = _why("greedy")
    assert [why[p].left_at_turn for p in "ABC"] == [100.0, 40.0, 40.0]
    assert why["B"].reason == ex.DID_NOT_FIT and why["C"].reason == ex.FUNDED_GREEDY


def _random(seed):
    rng = random.Random(seed)
    ids_ = [str(i) for i in range(1, rng.randint(2, 9))]
    costs = {p: rng.choice([5, 10, 25, 40, 60, 90, 150]) for p in ids_}
    ballots = [rng.sample(ids_, rng.randint(0, min(4, len(ids_)))) for _ in range(rng.randint(1, 30))]
    return Election(rng.randint(20, 200), costs, ballots)


@pytest.mark.parametrize("seed", range(60))
def test_explanations_agree_with_the_outcome(seed):
    e = _random(seed)
    for rule in ALL_RULES:
        if rule in APPROVAL_ONLY and e.cardinal:
            continue
        out = count(rule, e)
        why = ex.explain(rule, e, out)
        assert set(why) == set(e.ids)
        assert {p for p, x in why.items() if x.funded} == set(out.winners)
        for p, x in why.items():
            assert x.votes == e.approvals[e.index[p]]
            if out.mes_count is not None:
                assert (x.stage == ex.EQUAL_SHARES) == (p in out.winners[:out.mes_count])
                if not x.funded and x.reason in (ex.SHARES_RAN_OUT, ex.TOO_FEW_SUPPORTERS):
                    # equal shares stopped: nothing it left out was affordable
                    assert x.effective_support < 1 + 1e-9
            if x.reason == ex.FUNDED_EQUAL_SHARES and x.votes:
                cost = float(e.costs[e.index[p]])
                assert x.price_per_voter * x.votes >= cost * (1 - 1e-9)   # the cap times supporters covers it


# --- stored when published, shown in Persian ------------------------------------------------------

def test_publish_stores_the_explanations(setup):
    db, w, gov, voters, _ = setup
    cid = _cycle(db, gov, w, max_approvals=2)
    _advance(db, gov, cid, "voting")
    with db.unit_of_work() as s:
        for v in voters[:4]:
            pbc.cast_ballot(s, v, cid, [w.project])
    _advance(db, gov, cid, "tallying")
    with db.unit_of_work() as s:
        result = pbc.publish_results(s, gov, cid)
    with db.reader() as s:
        rows = {r.project_id: r for r in s.scalars(select(PBCycleProject).where(PBCycleProject.cycle_id == cid))}
        public = pbc.public_results(s, cid)
    assert rows[w.project].explanation == result.explanations[str(w.project)]
    assert public.explanations[w.env_project]["reason"] == ex.NO_VOTES
    assert public.explanations[w.project]["reason"] in (ex.FUNDED_EQUAL_SHARES, ex.TOO_FEW_SUPPORTERS)


def test_persian_sentences(site):
    from dash_app.pages.pb.explain_view import sentence
    app, *_ = site
    why = {p: x.as_dict() for p, x in _why("mes-add1-greedy").items()}
    names = {"A": "پایگاه سلامت"}
    with app.test_request_context(headers={"Cookie": "hamyar_lang=fa"}):
        b = sentence(why["B"], names, "fa")
        e = sentence(why["E"], names, "fa")
        a = sentence(why["A"], names, "fa")
    assert b.startswith("نزدیک بود تأمین شود.") and "«پایگاه سلامت»" in b and "۹۶٪" in b
    assert e.startswith("بدون هیچ رأیی تأمین شد")
    assert "۳ حامی" in a


def test_effective_support_is_rounded_down_below_100():
    from dash_app.pages.pb.explain_view import support_percent
    assert support_percent(0.999, "en") == "99%" and support_percent(1.0, "en") == "100%"


# --- voting dates and the countdown ------------------------------------------------------------------

def test_countdown_text(site):
    from dash_app.pages.pb.vote import countdown_text
    app, *_ = site
    now = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    with app.test_request_context(headers={"Cookie": "hamyar_lang=en"}):
        assert countdown_text(now + timedelta(days=2, hours=5, minutes=11, seconds=30), now, "en") == \
            "Voting closes in 2 days, 5 hours and 12 minutes."
        assert countdown_text(now + timedelta(minutes=3), now, "en") == "Voting closes in 3 minutes."
        assert countdown_text(now - timedelta(seconds=1), now, "en") == "Voting has closed."


def test_the_cycle_form_takes_jalali_voting_dates(site):
    app, db, world, _users, _cycle_id = site
    resp = _post(_client(app, "gov"), app, _key(app, f"{ids.PB_CREATE_MESSAGE}."), {
        ids.PB_CREATE: 1, ids.PB_NAME_FA: "دوره با تاریخ", ids.PB_NAME_EN: "Dated", ids.PB_BUDGET: "5000000",
        ids.PB_UNIT: "toman", ids.PB_PROJECTS: [world.env_project], ids.PB_BALLOT_RULE: "knapsack",
        ids.PB_COUNTING_RULE: "mes", ids.PB_OPENS: "۱۴۰۵/۰۹/۱۰", ids.PB_CLOSES: "1405/09/20"},
        f"{ids.PB_CREATE}.n_clicks")
    assert "The cycle is created" in str(resp.get_json())
    with db.reader() as s:
        new = s.scalars(select(PBCycle).order_by(PBCycle.id.desc())).first()
        # 1405/09/10 = 2026-12-01, from 00:00 Tehran (20:30 UTC the day before); closes after 1405/09/20
        assert new.voting_opens_at == datetime(2026, 11, 30, 20, 30, tzinfo=UTC)
        assert new.voting_closes_at == datetime(2026, 12, 11, 20, 30, tzinfo=UTC)
    bad = _post(_client(app, "gov"), app, _key(app, f"{ids.PB_CREATE_MESSAGE}."), {
        ids.PB_CREATE: 1, ids.PB_NAME_FA: "x", ids.PB_NAME_EN: "x", ids.PB_BUDGET: "5000000", ids.PB_UNIT: "toman",
        ids.PB_PROJECTS: [world.env_project], ids.PB_BALLOT_RULE: "knapsack", ids.PB_COUNTING_RULE: "mes",
        ids.PB_OPENS: "1405/13/40"}, f"{ids.PB_CREATE}.n_clicks")
    assert "That is not a valid date." in str(bad.get_json())


def test_the_countdown_callback_reads_the_database(site):
    app, db, _world, _users, cycle_id = site
    with db.unit_of_work() as s:
        cycle = s.get(PBCycle, cycle_id)
        cycle.voting_closes_at = datetime.now(UTC) + timedelta(hours=3, minutes=30)
        record(s, None, "test.changed", cycle)
    resp = _post(_client(app, "ana"), app, _key(app, f"{ids.VOTE_COUNTDOWN}."),
                 {ids.VOTE_TICK: 1, ids.VOTE_CYCLE: {"cycle_id": cycle_id, "closes": "forged"}},
                 f"{ids.VOTE_TICK}.n_intervals")
    assert "Voting closes in 3 hours and 30 minutes." in str(resp.get_json())
    anonymous = _post(_client(app, None), app, _key(app, f"{ids.VOTE_COUNTDOWN}."),
                      {ids.VOTE_TICK: 1, ids.VOTE_CYCLE: {"cycle_id": cycle_id}}, f"{ids.VOTE_TICK}.n_intervals")
    assert anonymous.status_code == 401
