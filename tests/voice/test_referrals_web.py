"""Issue 21 items 4-6 (web): the referral pages render for each role, and their callbacks act only for whom the
domain allows; a crafted request for another's referral is refused and changes nothing."""
from __future__ import annotations

import json

from sqlalchemy import select

from dash_app.pages.voice import ids_referrals as ids
from models.orm.organizations import Organization
from models.orm.referrals import Referral, ReferralAnswer
from models.voice import referrals as rf
from tests.web.callbacks import post_callback, rendered_text
from tests.web.conftest import log_in

TEMPLATE = {ids.ANSWER_FINDING: "The drain is blocked.", ids.ANSWER_REASONING: "Construction waste.",
            ids.ANSWER_DECISION: "will_act", ids.ANSWER_NEXT: "Cleared this week.",
            ids.ANSWER_RESPONSIBLE: "Mr. Rezaei"}


def _text(resp) -> str:
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _type(web_db, people):
    with web_db.unit_of_work() as s:
        return rf.create_type(s, people.governorate, "درخواست خدمت", "Service request", 10, 5).id


def test_a_citizen_sends_the_chair_answers_the_citizen_rates(app, web_db, people):
    type_id = _type(web_db, people)
    citizen = app.test_client()
    log_in(citizen, "citizen")
    page = rendered_text(citizen, "/referrals/new")
    assert "Service request" in page or "درخواست خدمت" in page
    resp = post_callback(citizen, app, ids.NEW_RESULT, {ids.NEW_SEND: 1, ids.NEW_TYPE: str(type_id),
                                                        ids.NEW_TABLE: str(people.table), ids.NEW_ORG: "",
                                                        ids.NEW_SUBJECT: "", ids.NEW_BODY: "b"}, f"{ids.NEW_SEND}.n_clicks")
    assert resp.status_code == 200 and "موضوع درخواست" in _text(resp)  # the sentence, no row
    resp = post_callback(citizen, app, ids.NEW_RESULT, {ids.NEW_SEND: 1, ids.NEW_TYPE: str(type_id),
                                                        ids.NEW_TABLE: str(people.table), ids.NEW_ORG: "",
                                                        ids.NEW_SUBJECT: "Flooded alley", ids.NEW_BODY: "Water."},
                         f"{ids.NEW_SEND}.n_clicks")
    assert resp.status_code == 200 and "مهلت پاسخ" in _text(resp)
    with web_db.reader() as s:
        ref = s.scalar(select(Referral))
        assert ref.subject == "Flooded alley" and ref.citizen_id == people.citizen
    assert "Flooded alley" in rendered_text(citizen, "/my")

    chair = app.test_client()
    log_in(chair, "chair")
    assert f'"data-referral": "{ref.id}"' in rendered_text(chair, "/referrals")
    assert ids.ANSWER_SEND in rendered_text(chair, f"/referrals/{ref.id}")
    assert ids.ANSWER_SEND not in rendered_text(citizen, f"/referrals/{ref.id}")
    missing = TEMPLATE | {ids.ANSWER_SEND: 1, ids.REF_ID: ref.id, ids.ANSWER_RESPONSIBLE: " "}
    resp = _cb(chair, app, ids.ANSWER_SEND, missing)
    assert resp.status_code == 200 and "فرد مسئول" in _text(resp)
    # the citizen crafting the answer callback: refused, nothing changes
    full = TEMPLATE | {ids.ANSWER_SEND: 1, ids.REF_ID: ref.id}
    assert _cb(citizen, app, ids.ANSWER_SEND, full).status_code == 403
    with web_db.reader() as s:
        assert s.scalar(select(ReferralAnswer.id)) is None
    assert _cb(chair, app, ids.ANSWER_SEND, full).status_code == 200
    with web_db.reader() as s:
        assert s.get(Referral, ref.id).status == "answered"
    from models.accounts.users import set_language

    with web_db.unit_of_work() as s:  # a signed-in person's own language wins over the cookie
        set_language(s, people.chair, "en")
    english = rendered_text(chair, f"/referrals/{ref.id}")
    assert "Finding" in english and "Will act on it" in english and "Mr. Rezaei" in english

    # rating: another citizen cannot (not found), the citizen can
    other = app.test_client()
    log_in(other, "member")
    rating = {ids.RATE_SEND: 1, ids.REF_ID: ref.id, ids.RATE_STARS: 5}
    assert _rate(other, app, rating).status_code == 404
    with web_db.reader() as s:
        assert s.scalar(select(ReferralAnswer.rating)) is None
    body = rendered_text(citizen, f"/referrals/{ref.id}")
    assert ids.RATE_SEND in body and ids.REOPEN_SEND in body
    assert _rate(citizen, app, rating).status_code == 200
    with web_db.reader() as s:
        assert s.scalar(select(ReferralAnswer.rating)) == 5
    assert '"data-rating": "5"' in rendered_text(citizen, f"/referrals/{ref.id}")


def _rate(client, app, values):
    return _cb(client, app, ids.RATE_SEND, values)


def _cb(client, app, button: str, values, trigger: str | None = None):
    """The callback its button fires (outputs shared by several callbacks: found by the input)."""
    key = [k for k, v in app.extensions["hamyar_dash"].callback_map.items()
           if any(i["id"] == button for i in v["inputs"])][0]
    return _post(client, app, key, values, trigger or f"{button}.n_clicks")


def _post(client, app, key, values, trigger):
    from tests.web.conftest import csrf

    entry = app.extensions["hamyar_dash"].callback_map[key]
    def dep(d):
        if d["id"].startswith("{"):  # a pattern (ALL): the list of matching components
            return values.get(d["id"], [])
        return {"id": d["id"], "property": d["property"], "value": values.get(d["id"])}

    outputs = [{"id": k.split(".")[0], "property": k.split(".")[1].split("@")[0]} for k in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs, "inputs": [dep(d) for d in entry["inputs"]],
            "state": [dep(d) for d in entry.get("state", [])], "changedPropIds": [trigger]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def test_pages_for_each_role(app, web_db, people):
    _type(web_db, people)
    anyone = app.test_client()
    text = rendered_text(anyone, "/referrals")
    assert "referral-figures" in text and "referral-queue" not in text
    english = app.test_client()
    english.set_cookie("hamyar_lang", "en")
    assert "How each table answers" in rendered_text(english, "/referrals")
    citizen = app.test_client()
    log_in(citizen, "citizen")
    assert "referral-queue" not in rendered_text(citizen, "/referrals")
    assert ids.ORG_CREATE not in rendered_text(citizen, "/admin/organizations")
    gov = app.test_client()
    log_in(gov, "governorate")
    assert "referral-queue" in rendered_text(gov, "/referrals")
    assert ids.ORG_CREATE in rendered_text(gov, "/admin/organizations")
    values = {ids.ORG_CREATE: 1, ids.ORG_NAME_FA: "مدرسهٔ نمونه", ids.ORG_NAME_EN: "Model school",
              ids.ORG_KIND: "school", ids.ORG_REMIT: [people.table]}
    assert post_callback(citizen, app, ids.ORG_LIST, values, f"{ids.ORG_CREATE}.n_clicks").status_code == 403
    resp = post_callback(gov, app, ids.ORG_LIST, values, f"{ids.ORG_CREATE}.n_clicks")
    assert resp.status_code == 200
    with web_db.reader() as s:
        assert [o.name_en for o in s.scalars(select(Organization))] == ["Model school"]
    resp = post_callback(gov, app, ids.SETTINGS_LIST, {ids.HOLIDAY_ADD: 1, ids.HOLIDAY_DAY: "۱۴۰۶/۰۱/۰۱",
                                                        ids.HOLIDAY_NAME: "Nowruz"}, f"{ids.HOLIDAY_ADD}.n_clicks")
    assert resp.status_code == 200
    with web_db.reader() as s:
        assert [str(d) for d in rf.holidays(s)] == ["2027-03-21"]
        type_id = rf.active_types(s)[0].id
    # changing a kind's days (Persian digits typed); a citizen may not
    save = {"type": ids.TYPE_EDIT_SAVE, "kind": type_id}
    edit = {f'{{"kind":["ALL"],"type":"{ids.TYPE_EDIT_SAVE}"}}': [{"id": save, "property": "n_clicks", "value": 1}],
            f'{{"kind":["ALL"],"type":"{ids.TYPE_EDIT_DAYS}"}}': [
                {"id": {"type": ids.TYPE_EDIT_DAYS, "kind": type_id}, "property": "value", "value": "۷"}],
            f'{{"kind":["ALL"],"type":"{ids.TYPE_EDIT_ESCALATE}"}}': [
                {"id": {"type": ids.TYPE_EDIT_ESCALATE, "kind": type_id}, "property": "value", "value": "3"}]}
    trigger = json.dumps(save, separators=(",", ":"), sort_keys=True) + ".n_clicks"
    assert _cb(citizen, app, ids.HOLIDAY_ADD, edit, trigger).status_code == 403
    assert _cb(gov, app, ids.HOLIDAY_ADD, edit, trigger).status_code == 200
    with web_db.reader() as s:
        assert (rf.active_types(s)[0].deadline_days, rf.active_types(s)[0].escalate_after_days) == (7, 3)
