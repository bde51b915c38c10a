"""Issue 21, what finishes it (web): the table's triage queue and the governorate's routing queue, reporting and
hiding abusive text, the adopt form's project title, cost and key core, the project page's link to its proposal.
Each page renders for whom it is for; each callback acts only for whom the domain allows, and a crafted request is
refused and changes nothing."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from dash_app.pages.table import ids as table_ids
from dash_app.pages.voice import ids
from models.core.enums import ProjectStatus
from models.orm.cores import KeyCore, KeyCoreMember
from models.orm.projects import Project
from models.orm.proposals import CitizenProposal, ProposalComment, ProposalReport
from models.projects.editing import NeedInput, add_need, change_status
from models.voice import proposals as pr
from tests.voice.test_proposals_web import _client, _district
from tests.voice.test_referrals_web import _cb
from tests.web.conftest import csrf


def _text(resp) -> str:
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _sid(d: dict) -> str:
    return json.dumps(d, sort_keys=True, separators=(",", ":"))


def _pattern_cb(client, app, button_type: str, lists: dict[str, list], values: dict, trigger: dict):
    """POST the callback a pattern-matched button fires: `lists` gives, per pattern type, the components the page
    holds ({"id": {...}, "property": ..., "value": ...}), `values` the plain inputs and states."""
    callbacks = app.extensions["hamyar_dash"].callback_map
    key = [k for k, v in callbacks.items() if any(f'"type":"{button_type}"' in i["id"] for i in v["inputs"])][0]
    entry = callbacks[key]

    def dep(d):
        if d["id"].startswith("{"):
            return lists.get(json.loads(d["id"])["type"], [])
        return {"id": d["id"], "property": d["property"], "value": values.get(d["id"])}

    outputs = [{"id": k.split(".")[0], "property": k.split(".")[1].split("@")[0]} for k in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
            "state": [dep(d) for d in entry.get("state", [])], "changedPropIds": [f"{_sid(trigger)}.n_clicks"]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def _one(kind: str, key: str, target, value, prop: str) -> dict:
    return {"id": {"type": kind, key: target}, "property": prop, "value": value}


def _propose(web_db, people, district, author=None, **change) -> int:
    values = dict(kind="problem", title="Flooded alley", body="Water stands for days.", district_id=district,
                  table_id=people.table)
    values.update(change)
    with web_db.unit_of_work() as s:
        return pr.create_proposal(s, author or people.citizen, pr.ProposalInput(**values)).id


def _count(web_db, model) -> int:
    with web_db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_the_table_s_triage_queue_and_the_governorate_s_routing_queue(app, web_db, people):
    from tests.web.callbacks import rendered_text

    district = _district(web_db)
    first = _propose(web_db, people, district, title="Broken lamp")
    second = _propose(web_db, people, district, title="Blocked drain")
    lost = _propose(web_db, people, district, table_id=None, title="Stray dogs")
    member, chair, gov = _client(app, "member"), _client(app, "chair"), _client(app, "governorate")
    page = rendered_text(member, f"/triage/{people.table}")
    assert ids.TRIAGE_LIST in page and '"data-state": "new"' in page
    assert page.index(f'"data-proposal": "{first}"') < page.index(f'"data-proposal": "{second}"')  # oldest first
    assert "data-waiting-days" in page and ids.TRIAGE_REPORTED not in page  # members do not moderate
    assert ids.TRIAGE_REPORTED in rendered_text(chair, f"/triage/{people.table}")
    assert f'"data-proposal": "{first}"' in rendered_text(gov, f"/triage/{people.table}")
    empty = rendered_text(member, f"/triage/{people.table}?state=adopted")
    assert f'"data-proposal": "{first}"' not in empty and "هنوز هیچ پیشنهاد شهروندی" in empty
    for outsider in (_client(app, "citizen"), chair):
        text = rendered_text(outsider, f"/triage/{people.other_table}" if outsider is chair else f"/triage/{people.table}")
        assert "shield-lock" in text and ids.TRIAGE_LIST not in text
    assert "/login?next=" in rendered_text(_client(app, None), f"/triage/{people.table}")
    from models.accounts.users import set_language

    with web_db.unit_of_work() as s:  # a signed-in person's own language
        set_language(s, people.member, "en")
    assert "Citizen proposals to" in rendered_text(_client(app, "member"), f"/triage/{people.table}")
    # the table page links to the queue for its people (with how many wait), to the public list for others
    table_page = rendered_text(chair, f"/tables/{people.table}")
    assert f"/triage/{people.table}" in table_page and '"data-waiting": "2"' in table_page
    assert f"/proposals?table={people.table}" in rendered_text(_client(app, None), f"/tables/{people.table}")
    assert table_ids.TABLE_PROPOSALS in table_page

    # the governorate's routing queue: the "don't know" ones, with a table to choose beside each
    assert "proposal-routing-link" in rendered_text(gov, "/proposals")
    assert "proposal-routing-link" not in rendered_text(chair, "/proposals")
    routing = rendered_text(gov, "/triage")
    assert f'"data-proposal": "{lost}"' in routing and f'"data-proposal": "{first}"' not in routing
    assert ids.ROUTE_SEND in routing
    assert "shield-lock" in rendered_text(chair, "/triage")

    def route(client, table):
        return _pattern_cb(client, app, ids.ROUTE_SEND,
                           {ids.ROUTE_SEND: [_one(ids.ROUTE_SEND, "proposal", lost, 1, "n_clicks")],
                            ids.ROUTE_TABLE: [_one(ids.ROUTE_TABLE, "proposal", lost, table, "value")]},
                           {ids.TRIAGE_PAGE: 1}, {"type": ids.ROUTE_SEND, "proposal": lost})

    assert route(chair, str(people.other_table)).status_code == 403
    assert route(_client(app, None), str(people.other_table)).status_code in (401, 403)
    resp = route(gov, "")
    assert resp.status_code == 200 and "میز" in _text(resp)  # the sentence: choose a table
    with web_db.reader() as s:
        assert s.get(CitizenProposal, lost).table_id is None
    resp = route(gov, str(people.other_table))
    assert resp.status_code == 200 and '"color": "success"' in _text(resp)
    with web_db.reader() as s:
        assert s.get(CitizenProposal, lost).table_id == people.other_table
    assert f'"data-proposal": "{lost}"' not in rendered_text(gov, "/triage")


def test_reporting_and_hiding_abusive_text(app, web_db, people):
    from tests.web.callbacks import rendered_text

    district = _district(web_db)
    pid = _propose(web_db, people, district)
    with web_db.unit_of_work() as s:
        comment = pr.add_evidence(s, people.member, pid, "Rude words about a neighbour").id
    citizen, chair, gov = _client(app, "citizen"), _client(app, "chair"), _client(app, "governorate")
    page = rendered_text(citizen, f"/proposals/{pid}")
    assert '"data-report-for": "0"' in page and f'"data-report-for": "{comment}"' in page
    assert "data-hide-for" not in page and "data-report-for" not in rendered_text(_client(app, None), f"/proposals/{pid}")
    assert f'"data-hide-for": "{comment}"' in rendered_text(chair, f"/proposals/{pid}")

    def press(client, kind, reason_kind, target, reason):
        return _pattern_cb(client, app, kind,
                           {kind: [_one(kind, "target", target, 1, "n_clicks")],
                            reason_kind: [_one(reason_kind, "target", target, reason, "value")]},
                           {ids.P_ID: pid}, {"type": kind, "target": target})

    def report(client, target, reason):
        return press(client, ids.REPORT_SEND, ids.REPORT_REASON, target, reason)

    def hide(client, target, reason):
        return press(client, ids.HIDE_SEND, ids.HIDE_REASON, target, reason)

    assert report(_client(app, None), comment, "abuse").status_code in (401, 403)
    resp = report(citizen, comment, " ")
    assert resp.status_code == 200 and _count(web_db, ProposalReport) == 0
    resp = report(citizen, comment, "It insults a neighbour")
    assert resp.status_code == 200 and '"color": "success"' in _text(resp)
    again = report(citizen, comment, "Again")
    assert again.status_code == 200 and "پیش‌تر" in _text(again)  # already reported: the sentence
    assert _count(web_db, ProposalReport) == 1
    assert report(citizen, 999999, "x").status_code == 404  # a comment that is not the proposal's
    chairs = rendered_text(chair, f"/proposals/{pid}")
    assert "data-open-report" in chairs and "It insults a neighbour" in chairs
    assert "data-open-report" not in rendered_text(_client(app, "member"), f"/proposals/{pid}")
    assert f'"data-reported": "{pid}"' in rendered_text(chair, f"/triage/{people.table}")

    # hiding: the chair of its table or the governorate, with a reason; the reason stands in the text's place
    for not_moderator in (citizen, _client(app, "member")):
        assert hide(not_moderator, comment, "abuse").status_code == 403
    assert hide(chair, comment, "").status_code == 200
    with web_db.reader() as s:
        assert s.get(ProposalComment, comment).hidden_at is None
    assert hide(chair, comment, "Insults a neighbour").status_code == 200
    public = rendered_text(_client(app, None), f"/proposals/{pid}")
    assert "Rude words" not in public and "Insults a neighbour" in public and "data-hidden" in public
    assert f'"data-reported": "{pid}"' not in rendered_text(chair, f"/triage/{people.table}")  # resolved
    assert hide(gov, 0, "A private address").status_code == 200
    public = rendered_text(_client(app, None), f"/proposals/{pid}")
    assert "A private address" in public and "Water stands" not in public
    assert "Water stands" in rendered_text(chair, f"/proposals/{pid}")  # its moderators still read it
    with web_db.reader() as s:
        p = s.get(CitizenProposal, pid)
        assert p.hidden_reason == "A private address" and p.hidden_at is not None


def test_the_chair_adopts_with_a_title_a_cost_and_a_key_core_and_the_project_links_back(app, web_db, people):
    from tests.web.callbacks import rendered_text

    district = _district(web_db)
    pid = _propose(web_db, people, district)
    with web_db.unit_of_work() as s:
        pr.support(s, people.governorate, pid)
    chair = _client(app, "chair")
    page = rendered_text(chair, f"/proposals/{pid}")
    assert ids.ADOPT_LEAD in page and ids.ADOPT_CORE in page and '"data-project-kind": "problem"' in page
    assert "Staff" in page and "Member" in page  # a supporter and a member of the table are offered
    toggle = _cb(chair, app, ids.DECISION, {ids.DECISION: "adopt"}, f"{ids.DECISION}.value")
    shown = {k: v["hidden"] for k, v in toggle.get_json()["response"].items()}
    assert shown == {ids.DECISION_ADOPT: False, ids.DECISION_FORWARD_WRAP: True, ids.DECISION_MERGE_WRAP: True}
    toggle = _cb(chair, app, ids.DECISION, {ids.DECISION: "not_remit"}, f"{ids.DECISION}.value")
    assert toggle.get_json()["response"][ids.DECISION_FORWARD_WRAP]["hidden"] is False

    adopt = {ids.DECISION_SEND: 1, ids.P_ID: pid, ids.DECISION: "adopt", ids.DECISION_TEXT: "We take it on.",
             ids.ADOPT_TITLE: "Opening the alley's drain", ids.ADOPT_COST: "۲۵۰٬۰۰۰٬۰۰۰",
             ids.ADOPT_LEAD: str(people.member), ids.ADOPT_CORE: [str(people.chair), str(people.citizen),
                                                                  str(people.governorate)]}
    for bad in ({ids.ADOPT_CORE: ["999999"]}, {ids.ADOPT_COST: "a lot"}, {ids.ADOPT_LEAD: "x"}):
        resp = _cb(chair, app, ids.DECISION_SEND, adopt | bad)
        assert resp.status_code == 200 and "alert-danger" in _text(resp) and '"color": "success"' not in _text(resp), bad
    assert _count(web_db, Project) == 0
    assert _cb(_client(app, "member"), app, ids.DECISION_SEND, adopt).status_code == 403
    resp = _cb(chair, app, ids.DECISION_SEND, adopt)
    assert resp.status_code == 200 and '"color": "success"' in _text(resp)
    with web_db.reader() as s:
        p = s.get(CitizenProposal, pid)
        project = s.get(Project, p.project_id)
        assert (project.title_fa, project.estimated_cost_rials, project.status) == (
            "Opening the alley's drain", 2_500_000_000, ProjectStatus.DRAFT)
        core = s.scalar(select(KeyCore).where(KeyCore.project_id == project.id))
        roles = dict(s.execute(select(KeyCoreMember.user_id, KeyCoreMember.role)
                               .where(KeyCoreMember.core_id == core.id)).all())
        assert roles == {people.member: "lead", people.chair: "expert", people.citizen: "field",
                         people.governorate: "field"}
        project_id = project.id
    # published (a need first), the project's page names the proposal it came from and its supporters
    with web_db.unit_of_work() as s:
        add_need(s, people.chair, project_id, NeedInput(kind="financial", quantity=2_500_000_000))
        change_status(s, people.chair, project_id, "open")
    page = rendered_text(_client(app, None), f"/projects/{project_id}")
    assert "project-origin" in page and f"/proposals/{pid}" in page and '"data-supporters": "1"' in page
    assert "This project began as" in rendered_text(_client(app, None, "en"), f"/projects/{project_id}")


def test_a_member_who_is_not_an_admin_reads_the_organization_s_referrals(app, web_db, people):
    from dash_app.pages.voice import ids_referrals as rids
    from models.voice import organizations as orgs
    from models.voice import referrals as rf
    from tests.web.callbacks import rendered_text

    with web_db.unit_of_work() as s:
        kind = rf.create_type(s, people.governorate, "درخواست خدمت", "Service request", 10, 5).id
        org = orgs.create_organization(s, people.governorate, "شهرداری", "Municipality", "agency", [people.table]).id
        orgs.add_member(s, people.governorate, org, people.member, "admin")
        orgs.add_member(s, people.governorate, org, people.chair, "member")
        ref = rf.send_referral(s, people.citizen, rf.ReferralInput(type_id=kind, subject="Flooded alley",
                                                                   body="Water.", organization_id=org)).id
    staff = _client(app, "chair")  # a plain member of the organization (the referral is not the table's: as member)
    assert f'"data-referral": "{ref}"' in rendered_text(staff, "/referrals")
    page = rendered_text(staff, f"/referrals/{ref}")
    assert "Flooded alley" in page and rids.ANSWER_SEND not in page  # reads it; only the admins answer
    assert rids.ANSWER_SEND in rendered_text(_client(app, "member"), f"/referrals/{ref}")
