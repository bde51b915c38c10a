"""Issue 21 items 1-3, 6 (web): the citizen proposal pages render in both languages for each role, and their
callbacks act only for whom the domain allows; a crafted request (another's proposal, a forged id, the wrong
role) is refused and changes nothing."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from dash_app.pages.voice import ids
from models.audit.log import record
from models.core.enums import DistrictLevel
from models.orm.geo import District
from models.orm.projects import Project
from models.orm.proposals import CitizenProposal, ProposalComment, ProposalSupport
from models.voice import proposals as pr
from tests.voice.test_referrals_web import _cb
from tests.web.callbacks import post_callback, rendered_text
from tests.web.conftest import log_in

NEW = {ids.NEW_SEND: 1, ids.NEW_KIND: "problem", ids.NEW_PLACE: "Behind the school", ids.NEW_TITLE: "Flooded alley",
       ids.NEW_BODY: "Water stands for days.", ids.NEW_AFFECTED: "Forty families", ids.NEW_TOKENS: ""}


def _text(resp) -> str:
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _district(web_db) -> int:
    with web_db.unit_of_work() as s:
        d = District(slug="baneh-city", name_fa="شهر بانه", name_en="Baneh city", level=DistrictLevel.CITY)
        s.add(d)
        s.flush()
        record(s, None, "test.created", d)
        return d.id


def _client(app, who: str | None, lang: str | None = None):
    c = app.test_client()
    if lang:
        c.set_cookie("hamyar_lang", lang)
    if who:
        log_in(c, who)
    return c


def _propose(client, app, **values):
    return post_callback(client, app, ids.NEW_RESULT, NEW | values, f"{ids.NEW_SEND}.n_clicks")


def _count(web_db, model) -> int:
    with web_db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_pages_render_in_both_languages_for_everyone(app, web_db, people):
    district = _district(web_db)
    fa = rendered_text(_client(app, None), "/proposals")
    assert "پیشنهادهای شهروندی" in fa and "proposal-list" in fa and "proposal-filters" in fa
    assert "Citizen proposals" in rendered_text(_client(app, None, "en"), "/proposals")
    citizen = _client(app, "citizen")
    form = rendered_text(citizen, "/proposals/new")
    assert ids.NEW_FORM in form and "proposal_evidence" in form and "شهر بانه" in form
    assert ids.NEW_FORM not in rendered_text(_client(app, None), "/proposals/new")  # a sign-in first
    from models.accounts.users import set_language

    with web_db.unit_of_work() as s:  # a signed-in person's own language wins over the cookie
        set_language(s, people.member, "en")
    assert "Describe it" in rendered_text(_client(app, "member"), "/proposals/new")
    with web_db.unit_of_work() as s:
        pid = pr.create_proposal(s, people.citizen, pr.ProposalInput(
            kind="talent", title="Idle workshop", body="Lathes unused.", district_id=district,
            serves="Apprentices")).id
    for lang, word in (("fa", "Idle workshop"), ("en", "What it could serve")):
        assert word in rendered_text(_client(app, None, lang), f"/proposals/{pid}")
    assert "Idle workshop" in rendered_text(_client(app, None), "/proposals?kind=talent&sort=newest")
    assert "Idle workshop" not in rendered_text(_client(app, None), "/proposals?kind=problem")
    assert "هنوز هیچ پیشنهاد" in rendered_text(_client(app, None), "/proposals?status=adopted")
    assert "پیشنهاد شهروندی" in rendered_text(_client(app, None), "/proposals/999999")


def test_a_citizen_proposes_others_support_members_diagnose_the_chair_adopts(app, web_db, people):
    district = _district(web_db)
    citizen = _client(app, "citizen")
    resp = _propose(citizen, app, **{ids.NEW_TABLE: str(people.table), ids.NEW_DISTRICT: ""})
    assert resp.status_code == 200 and "بخش یا شهری را که" in _text(resp)
    assert _count(web_db, CitizenProposal) == 0
    assert _propose(_client(app, None), app, **{ids.NEW_TABLE: str(people.table),
                                                ids.NEW_DISTRICT: str(district)}).status_code in (401, 403)
    resp = _propose(citizen, app, **{ids.NEW_TABLE: str(people.table), ids.NEW_DISTRICT: str(district)})
    assert resp.status_code == 200 and "/proposals/" in _text(resp)
    with web_db.reader() as s:
        p = s.scalar(select(CitizenProposal))
        assert (p.title, p.table_id, p.author_id, p.affected) == ("Flooded alley", people.table, people.citizen,
                                                                 "Forty families")
    pid = p.id
    page = rendered_text(_client(app, None), "/proposals")
    assert f'"data-proposal": "{pid}"' in page

    # support: not the author, not anonymous, once; a forged id is not found
    assert ids.SUPPORT not in rendered_text(citizen, f"/proposals/{pid}")
    gov = _client(app, "governorate")
    assert ids.SUPPORT in rendered_text(gov, f"/proposals/{pid}")
    assert _cb(_client(app, None), app, ids.SUPPORT, {ids.SUPPORT: 1, ids.P_ID: pid}).status_code in (401, 403)
    assert _cb(gov, app, ids.SUPPORT, {ids.SUPPORT: 1, ids.P_ID: 999999}).status_code == 404
    resp = _cb(citizen, app, ids.SUPPORT, {ids.SUPPORT: 1, ids.P_ID: pid})
    assert resp.status_code == 200 and "پیشنهاد شهروندی خود شماست" in _text(resp)
    assert _count(web_db, ProposalSupport) == 0
    assert _cb(gov, app, ids.SUPPORT, {ids.SUPPORT: 1, ids.P_ID: pid}).status_code == 200
    again = _cb(gov, app, ids.SUPPORT, {ids.SUPPORT: 1, ids.P_ID: pid})
    assert again.status_code == 200 and "پیش‌تر از این پیشنهاد شهروندی" in _text(again)
    assert _count(web_db, ProposalSupport) == 1
    assert '"data-supporters": "1"' in rendered_text(_client(app, None), f"/proposals/{pid}")

    # the diagnosis thread: members only
    member = _client(app, "member")
    assert "proposal-member-forms" in rendered_text(member, f"/proposals/{pid}")
    assert "proposal-member-forms" not in rendered_text(citizen, f"/proposals/{pid}")
    assert "proposal-chair-form" not in rendered_text(member, f"/proposals/{pid}")
    dx_values = {ids.DX_SEND: 1, ids.P_ID: pid, ids.DX_CAUSE: "Blocked culvert", ids.DX_SCALE: "One street",
                 ids.DX_OPTIONS: "Clear it"}
    assert _cb(citizen, app, ids.DX_SEND, dx_values).status_code == 403
    assert _cb(member, app, ids.COMMENT_SEND, {ids.COMMENT_SEND: 1, ids.P_ID: pid,
                                               ids.COMMENT_BODY: ""}).status_code == 200  # the sentence only
    assert _count(web_db, ProposalComment) == 0
    assert _cb(member, app, ids.DX_SEND, dx_values).status_code == 200
    with web_db.reader() as s:
        assert s.get(CitizenProposal, pid).status == "diagnosis"
    assert "Blocked culvert" in rendered_text(_client(app, None), f"/proposals/{pid}")

    # the chair's decision: a member, a citizen and the governorate may not; an answer needs its reasons
    chair = _client(app, "chair")
    assert "proposal-chair-form" in rendered_text(chair, f"/proposals/{pid}")
    adopt = {ids.DECISION_SEND: 1, ids.P_ID: pid, ids.DECISION: "adopt", ids.DECISION_TEXT: "We will clear it."}
    for who in (member, citizen, gov):
        assert _cb(who, app, ids.DECISION_SEND, adopt).status_code == 403
    assert _count(web_db, Project) == 0
    resp = _cb(chair, app, ids.DECISION_SEND, adopt | {ids.DECISION: "not_feasible", ids.DECISION_TEXT: " "})
    assert resp.status_code == 200 and _count(web_db, Project) == 0
    with web_db.reader() as s:
        assert s.get(CitizenProposal, pid).status == "diagnosis"
    resp = _cb(chair, app, ids.DECISION_SEND, adopt | {ids.DECISION: "merge", ids.DECISION_MERGE: "abc"})
    assert resp.status_code == 200
    assert _cb(chair, app, ids.DECISION_SEND, adopt).status_code == 200
    with web_db.reader() as s:
        p = s.get(CitizenProposal, pid)
        assert p.status == "adopted" and s.get(Project, p.project_id).table_id == people.table
    assert "adopted" in rendered_text(_client(app, None), "/proposals?status=adopted")
    mine = rendered_text(citizen, "/my")
    assert f'"data-my-proposal": "{pid}"' in mine and '"data-my-core"' not in mine
    assert '"data-my-proposal"' not in rendered_text(gov, "/my")
    chairs = rendered_text(chair, "/my")  # the chair leads the key core formed on adoption
    assert '"data-my-core"' in chairs and "سرپرست هستهٔ کلیدی" in chairs


def test_the_form_shows_only_the_fields_of_the_kind_chosen(app, web_db, people):
    trigger = f"{ids.NEW_KIND}.value"
    resp = _cb(_client(app, "citizen"), app, ids.NEW_KIND, {ids.NEW_KIND: "talent"}, trigger)
    assert resp.status_code == 200
    shown = {k: v["hidden"] for k, v in resp.get_json()["response"].items()}
    assert shown == {f"{ids.NEW_AFFECTED}-wrap": True, f"{ids.NEW_SINCE}-wrap": True,
                     f"{ids.NEW_SERVES}-wrap": False, f"{ids.NEW_DURATION}-wrap": False}
    resp = _cb(_client(app, "citizen"), app, ids.NEW_KIND, {ids.NEW_KIND: "problem"}, trigger)
    assert resp.get_json()["response"][f"{ids.NEW_SERVES}-wrap"]["hidden"] is True
    assert _cb(_client(app, None), app, ids.NEW_KIND, {ids.NEW_KIND: "talent"}, trigger).status_code in (401, 403)


def test_anyone_signed_in_adds_evidence_to_an_open_proposal(app, web_db, people):
    district = _district(web_db)
    with web_db.unit_of_work() as s:
        pid = pr.create_proposal(s, people.citizen, pr.ProposalInput(
            kind="problem", title="Broken lamp", body="Dark at night.", district_id=district)).id
    assert ids.EVIDENCE_SEND not in rendered_text(_client(app, None), f"/proposals/{pid}")
    member = _client(app, "member")
    assert ids.EVIDENCE_SEND in rendered_text(member, f"/proposals/{pid}")
    values = {ids.EVIDENCE_SEND: 1, ids.P_ID: pid, ids.EVIDENCE_BODY: "", ids.EVIDENCE_TOKENS: ""}
    resp = _cb(member, app, ids.EVIDENCE_SEND, values)
    assert resp.status_code == 200 and "عکس یا سندی پیوست کنید" in _text(resp)
    assert _cb(_client(app, None), app, ids.EVIDENCE_SEND, values | {ids.EVIDENCE_BODY: "x"}).status_code in (401, 403)
    assert _cb(member, app, ids.EVIDENCE_SEND, values | {ids.P_ID: 999999, ids.EVIDENCE_BODY: "x"}).status_code == 404
    assert _count(web_db, ProposalComment) == 0
    assert _cb(member, app, ids.EVIDENCE_SEND, values | {ids.EVIDENCE_BODY: "Three lamps out."}).status_code == 200
    with web_db.reader() as s:
        c = s.scalar(select(ProposalComment))
        assert (c.kind, c.author_id, c.body) == ("evidence", people.member, "Three lamps out.")
    assert "Three lamps out." in rendered_text(_client(app, None), f"/proposals/{pid}")


def test_paging_and_forwarding(app, web_db, people):
    district = _district(web_db)
    with web_db.unit_of_work() as s:
        made = [pr.create_proposal(s, people.citizen, pr.ProposalInput(
            kind="problem", title=f"Pothole {n}", body="Deep.", district_id=district, table_id=people.table)).id
            for n in range(pr.PER_PAGE + 1)]
    first = rendered_text(_client(app, None), "/proposals?sort=newest")
    assert "proposal-pager" in first and "Pothole 10" in first and '"Pothole 0"' not in first
    last = rendered_text(_client(app, None), "/proposals?sort=newest&page=2")
    assert '"Pothole 0"' in last and '"Pothole 10"' not in last
    assert '"Pothole 0"' in rendered_text(_client(app, None), "/proposals?sort=newest&page=99")  # its last page
    chair = _client(app, "chair")
    forward = {ids.DECISION_SEND: 1, ids.P_ID: made[0], ids.DECISION: "not_remit", ids.DECISION_TEXT: "Roads.",
               ids.DECISION_FORWARD: ""}
    assert _cb(chair, app, ids.DECISION_SEND, forward).status_code == 200  # no table: the sentence only
    with web_db.reader() as s:
        assert s.get(CitizenProposal, made[0]).table_id == people.table
    forward[ids.DECISION_FORWARD] = str(people.other_table)
    assert _cb(chair, app, ids.DECISION_SEND, forward).status_code == 200
    with web_db.reader() as s:
        p = s.get(CitizenProposal, made[0])
        assert (p.table_id, p.status, p.forwarded_from_id) == (people.other_table, "new", people.table)
    # now another table's: the chair of the first may no longer decide on it
    assert "proposal-chair-form" not in rendered_text(chair, f"/proposals/{made[0]}")
    assert _cb(chair, app, ids.DECISION_SEND, forward | {ids.DECISION: "decline"}).status_code == 403
