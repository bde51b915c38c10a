"""The results on the pages: the project page's timeline and curves (Persian digits, Jalali dates, a chart that
fits a phone), the chair's editor posting through its callback, /my's "what your help became", the pilots
gallery, and who may open the editor and the pilot form."""
from __future__ import annotations

import json
from datetime import date

from dash_app import auth
from dash_app.pages.results import ids
from models.core import uploads
from models.pledging.decisions import mark_delivered
from models.results import delivery_proof, indicators, milestones, pilots, progress
from tests.results.conftest import jpeg
from tests.web.conftest import csrf, log_in

TODAY = date(2026, 12, 2)


def _render(client, path: str, lang: str = "fa") -> str:
    client.set_cookie("hamyar_lang", lang)
    body = {"output": auth.pages_router_key(),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200
    return json.dumps(resp.get_json(), ensure_ascii=False)


def _fill(db, world):
    ind = db.run(lambda s: indicators.add_indicator(s, world.chair, world.project, indicators.IndicatorInput(
        "households with safe water", 400, "households", 120, "survey", date(2026, 10, 1))).id)
    db.run(lambda s: milestones.add_milestone(s, world.chair, world.project, "Buy the wood", date(2026, 11, 1)))
    token = db.run(lambda s: uploads.store_upload(s, world.chair, progress.PHOTO_PURPOSE, "p.jpg", jpeg()).token)
    db.run(lambda s: progress.post_update(s, world.chair, world.project, "Pipes laid", [token], ind, 180,
                                          date(2026, 11, 15), today=TODAY))
    return ind, token


def test_the_project_page_shows_the_timeline_curve_and_late_milestone(app, web_db, world):
    _ind, token = _fill(web_db, world)
    client = app.test_client()
    fa = _render(client, f"/projects/{world.project}", "fa")
    assert "هدف و مسیر" in fa and "عقب‌افتاده" in fa and "۱۸۰ households" in fa
    assert "۲۴ آبان ۱۴۰۵" in fa                      # Jalali, Persian digits
    assert f"/uploads/{token}" in fa and '"data-late-count": "1"' in fa
    assert '"data-points": "2"' in fa                # baseline + the new value
    assert "Edit targets" not in fa and "ویرایش هدف‌ها" not in fa  # anonymous: no editor link
    en = _render(client, f"/projects/{world.project}", "en")
    assert "Target and path" in en and "15 November 2026" in en


def test_the_curve_fits_a_phone_and_runs_right_to_left_in_persian(app, web_db, world):
    from dash_app.ui.results import CHART_HEIGHT, curve_figure

    _fill(web_db, world)
    with web_db.reader() as s:
        curve = indicators.curves(s, world.project)[0]
    with app.test_request_context("/", headers={"Cookie": "hamyar_lang=fa"}):
        fig = curve_figure(curve, "fa")
    assert fig.layout.height == CHART_HEIGHT and fig.layout.autosize
    assert fig.layout.margin.l + fig.layout.margin.r <= 20 and fig.layout.legend.orientation == "h"
    first, last = fig.layout.xaxis.range      # right to left: the later day on the left, with room at both ends
    assert first > max(fig.data[0].x) and last < min(fig.data[0].x) and fig.layout.yaxis.side == "right"
    with app.test_request_context("/", headers={"Cookie": "hamyar_lang=en"}):
        first, last = curve_figure(curve, "en").layout.xaxis.range
    assert first < min(fig.data[0].x) and last > max(fig.data[0].x)
    assert len(fig.layout.xaxis.tickvals) == 2   # the two measured days, each labelled
    assert all(ch in "۰۱۲۳۴۵۶۷۸۹/" for label in fig.layout.xaxis.ticktext for ch in label)
    assert list(fig.data[1].y) == [400, 400]  # the target line


def test_the_chair_posts_an_update_through_the_editor_and_others_are_refused(app, web_db, world):
    client = app.test_client()
    log_in(client, "member")
    page = _render(client, f"/progress/{world.project}")
    assert ids.UP_SAVE not in page                     # a member sees the refusal, not the form
    client = app.test_client()
    log_in(client, "chair")
    assert ids.UP_SAVE in _render(client, f"/progress/{world.project}")
    key = "..results-body.children...results-alert.children...up-tokens.value...up-indicator.options.."
    state = [{"id": i, "property": "value", "value": v} for i, v in [
        (ids.UP_BODY, "The shelves are up"), (ids.UP_TOKENS, ""), (ids.UP_INDICATOR, ""), (ids.UP_VALUE, ""),
        (ids.UP_DATE, ""), (ids.MS_TITLE, ""), (ids.MS_DUE, ""), (ids.MS_WHO, ""), (ids.MS_NEEDS, []),
        (ids.IND_NAME, ""), (ids.IND_UNIT, ""), (ids.IND_BASELINE, ""), (ids.IND_TARGET, ""), (ids.IND_SOURCE, ""),
        (ids.IND_DATE, "")]] + [{"id": ids.PROJECT_ID, "property": "data", "value": world.project},
                                {"id": ids.TABLE_ID, "property": "data", "value": world.table}]
    inputs = [{"id": ids.UP_SAVE, "property": "n_clicks", "value": 1}, {"id": ids.MS_SAVE, "property": "n_clicks", "value": 0},
              {"id": ids.IND_SAVE, "property": "n_clicks", "value": 0}, []]
    body = {"output": key, "outputs": [{"id": ids.BODY, "property": "children"}, {"id": ids.ALERT, "property": "children"},
                                       {"id": ids.UP_TOKENS, "property": "value"},
                                       {"id": ids.UP_INDICATOR, "property": "options"}],
            "inputs": inputs, "state": state, "changedPropIds": [f"{ids.UP_SAVE}.n_clicks"]}
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 200, resp.data[:300]
    assert "The shelves are up" in resp.get_data(as_text=True)
    with web_db.reader() as s:
        assert progress.updates_of(s, world.project)[0].body == "The shelves are up"
    # the same post naming another table's id is refused by the guard
    client = app.test_client()
    log_in(client, "member")
    resp = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert resp.status_code == 403


def test_my_shows_what_the_help_became_with_its_proof(app, web_db, world):
    token = web_db.run(lambda s: uploads.store_upload(s, world.chair, delivery_proof.PROOF_PURPOSE, "r.jpg",
                                                      jpeg()).token)

    def deliver(s):
        part = delivery_proof.split_for_delivery(s, world.chair, world.allocation, 10)
        mark_delivered(s, world.chair, part.id, date(2026, 12, 3), today=date(2026, 12, 3))
        delivery_proof.attach_proof(s, world.chair, part.id, [token])
        delivery_proof.confirm_hours(s, world.chair, part.id, 10)
    web_db.run(deliver)
    client = app.test_client()
    log_in(client, "citizen")
    page = _render(client, "/my", "fa")
    assert "کمک شما به چه انجامید" in page and "۱۲ آذر ۱۴۰۵" in page and f"/uploads/{token}" in page
    assert "۱۰ ساعت تأیید شده است" in page
    assert client.get(f"/uploads/{token}").status_code == 200
    other = app.test_client()
    log_in(other, "member")
    assert other.get(f"/uploads/{token}").status_code == 404


def _confirm_hours(app, client, alloc_id: int, typed: str):
    from dash_app.ui.results import MY_HOURS, MY_HOURS_CONFIRM, MY_HOURS_INPUT

    key = next(k for k in app.extensions["hamyar_dash"].callback_map if k.startswith(f"..{MY_HOURS}.children"))
    button = {"alloc": alloc_id, "type": MY_HOURS_CONFIRM}
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]}
               for part in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs,
            "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
            "state": [[{"id": {"alloc": alloc_id, "type": MY_HOURS_INPUT}, "property": "value", "value": typed}]],
            "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def _said(resp) -> str:
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_the_core_lead_confirms_a_volunteers_hours_on_my(app, web_db, world):
    from models.voice.cores import CoreMemberInput, form_core

    def deliver(s):
        part = delivery_proof.split_for_delivery(s, world.chair, world.allocation, 6)
        mark_delivered(s, world.chair, part.id, date(2026, 12, 3), today=date(2026, 12, 3))
        return part.id
    part = web_db.run(deliver)
    lead = app.test_client()
    log_in(lead, "member")
    assert "ساعت‌های داوطلبان" not in _render(lead, "/my")            # not the core's lead yet: nothing to confirm
    web_db.run(lambda s: form_core(s, world.chair, project_id=world.project,
                                   members=[CoreMemberInput(world.member, "lead")]))
    page = _render(lead, "/my")
    assert "ساعت‌های داوطلبان، در انتظار تأیید" in page and f'"data-hours-waiting": "{part}"' in page
    assert '"value": "۶"' in page                                     # prefilled with the hours delivered
    # more hours than were delivered: a clear message, nothing stored
    resp = _confirm_hours(app, lead, part, "۹")
    assert resp.status_code == 200 and "ساعت‌ها باید عددی درست از ۱ تا ۶ باشد." in _said(resp)
    with web_db.reader() as s:
        assert [a.id for a in delivery_proof.hours_to_confirm(s, world.member)] == [part]
    # someone who leads nothing is refused by the rule, not by a hidden button
    other = app.test_client()
    log_in(other, "citizen")
    assert _confirm_hours(app, other, part, "4").status_code == 403
    resp = _confirm_hours(app, lead, part, "۴")
    assert resp.status_code == 200 and "تأیید شد: ۴ ساعت." in _said(resp)
    with web_db.reader() as s:
        assert delivery_proof.hours_to_confirm(s, world.member) == []
        assert delivery_proof.results_of_citizen(s, world.citizen)[0].hours_confirmed == 4
    assert "ساعت‌های داوطلبان" not in _render(lead, "/my")
    assert "این ساعت‌ها پیش‌تر تأیید شده‌اند." in _said(_confirm_hours(app, lead, part, "4"))  # a second click


def test_the_gallery_and_the_pilot_form(app, web_db, world):
    from models.audit.log import record
    from models.core.enums import ProjectStatus
    from models.orm.projects import Project

    _fill(web_db, world)
    with web_db.unit_of_work() as s:
        project = s.get(Project, world.project)
        project.status = ProjectStatus.COMPLETED
        record(s, world.chair, "project.updated", project)
    client = app.test_client()
    log_in(client, "chair")
    assert ids.PILOT_SAVE not in _render(client, f"/pilot-story/{world.project}")
    gov = app.test_client()
    log_in(gov, "governorate")
    assert ids.PILOT_SAVE in _render(gov, f"/pilot-story/{world.project}")
    pilot = web_db.run(lambda s: pilots.mark_pilot(s, world.governorate, world.project, "No water", "Pipes",
                                                   "Neighbours", 5_000_000).id)
    gallery = _render(app.test_client(), "/pilots", "en")
    assert "The library&#x27;s shelves" in gallery or "The library's shelves" in gallery
    assert "120 households before, 180 households after" in gallery
    page = _render(gov, f"/pilots/{pilot}")
    assert ids.REPL_SAVE in page and "۵۰۰٬۰۰۰ تومان" in page
    assert ids.REPL_SAVE not in _render(app.test_client(), f"/pilots/{pilot}", "en")


def test_the_delivery_dialog_delivers_part_with_proof_and_hours_in_one_go(web_db, world):
    from dash_app.ui.results import deliver_with_proof
    from models.core.enums import AllocationStatus
    from models.core.errors import ValidationError
    from models.orm.pledges import Allocation

    token = web_db.run(lambda s: uploads.store_upload(s, world.chair, delivery_proof.PROOF_PURPOSE, "r.jpg",
                                                      jpeg()).token)
    day = date.today()
    import pytest
    with pytest.raises(ValidationError):  # 12 of 10 hours: nothing is delivered
        web_db.run(lambda s: deliver_with_proof(s, world.chair, world.allocation, None, day, "", "۴", token, "12"))
    with web_db.reader() as s:
        assert s.get(Allocation, world.allocation).quantity == 10
    part = web_db.run(lambda s: deliver_with_proof(s, world.chair, world.allocation, None, day, "", "۴", token, "4"))
    with web_db.reader() as s:
        assert s.get(Allocation, world.allocation).status is AllocationStatus.ACCEPTED
        result = delivery_proof.results_of_citizen(s, world.citizen)[0]
        assert (result.allocation_id, result.quantity, result.hours_confirmed, result.files[0][0]) == (part, 4, 4, token)


def test_a_projects_photos_stop_being_public_when_it_returns_to_draft(app, web_db, world):
    """A progress photo is served to anyone while its project is published; should the project go back to draft,
    only its table's chair and the governorate get it, although the file was made public when it was posted."""
    from models.audit.log import record
    from models.core.enums import ProjectStatus
    from models.orm.projects import Project
    from models.orm.uploads import Upload

    _ind, token = _fill(web_db, world)
    anyone = app.test_client()
    served = anyone.get(f"/uploads/{token}")
    assert served.status_code == 200 and served.headers["Cache-Control"] == "public, max-age=600"
    with web_db.unit_of_work() as s:  # no page moves a project back to draft today: the rule must not rely on it
        project = s.get(Project, world.project)
        project.status = ProjectStatus.DRAFT
        record(s, world.chair, "project.updated", project)
    with web_db.reader() as s:
        assert s.query(Upload).filter_by(token=token).one().is_public  # the flag set at posting is still there
    assert anyone.get(f"/uploads/{token}").status_code == 404
    for who, status in (("citizen", 404), ("member", 404), ("chair", 200), ("governorate", 200)):
        client = app.test_client()
        log_in(client, who)
        got = client.get(f"/uploads/{token}")
        assert got.status_code == status, who
        if status == 200:  # a signed-in answer is never stored (dash_app's private headers)
            assert got.headers["Cache-Control"] == "no-store"
    # a photo not attached yet is its owner's alone (the upload widget shows it), whatever its project
    fresh = web_db.run(lambda s: uploads.store_upload(s, world.chair, progress.PHOTO_PURPOSE, "q.jpg", jpeg()).token)
    chair = app.test_client()
    log_in(chair, "chair")
    assert chair.get(f"/uploads/{fresh}").status_code == 200 and anyone.get(f"/uploads/{fresh}").status_code == 404
