"""Issue 21's done-when journey in Chromium at 360 px in Persian, on a copy of the seeded demo: a citizen brings the
health table a problem from the phone form with a real small JPEG chosen through the file input; another citizen
supports it; a member of the table finds it in the table's queue and posts a structured diagnosis; the chair adopts
it into a draft project with a key core (a member and the supporter beside the chair), adds a need and publishes it;
the project page names the proposal it came from; the supporter pledges to it, the table's matching run proposes
that pledge to the project's need, and the chair sees the matched pledge in the review queue.
Screenshots of each screen: test-artifacts/voice/proposal-*.png."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from models.core.enums import AllocationStatus, ProjectStatus, RunScope
from models.orm.cores import KeyCore, KeyCoreMember
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.proposals import CitizenProposal, ProposalAttachment, ProposalComment, ProposalSupport
from models.orm.tables import Table
from models.runs.lifecycle import run_matching
from tests.browser.conftest import ARTIFACTS, dash_idle, demo_copy, serving, wait_ready
from tests.browser.test_referrals_journey import _log_in, _no_sideways_scroll, _page

pytestmark = pytest.mark.browser
TITLE = "آب‌گرفتگی کوچهٔ پشت مدرسه"
PROJECT_TITLE = "بازگشایی آبروی کوچهٔ پشت مدرسه"
SUPPORTER = ("supporter@hamyar.local", "مریم رضایی")
PASSWORD = "Amol-1405-demo"
NEED_TOMAN = 40_000_000


@pytest.fixture(scope="module")
def demo(seeded_sqlite_file, tmp_path_factory):
    db = demo_copy(seeded_sqlite_file, tmp_path_factory.mktemp("proposal-demo"))
    with db.unit_of_work() as s:  # a second citizen who can sign in (the demo's citizens have no password)
        import models.accounts.users as accounts

        accounts.create_user(s, name=SUPPORTER[1], login=SUPPORTER[0], password=PASSWORD)
    with serving(db.url, "proposal-journey") as url:
        yield url, db
    db.dispose()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _shot(page, name: str, *, full_page: bool = True) -> None:
    """Each screen at 360 px, checked first (no sideways scrolling, nothing serious for axe); the table page is
    taken as the phone shows it around the part concerned (the whole page is many screens long)."""
    _no_sideways_scroll(page)
    shots = ARTIFACTS / "voice"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"proposal-{name}.png"), full_page=full_page)


def _pid(kind: str, project: int) -> str:
    """The DOM id Dash gives a pattern-matched component ({"type", "project"}), as a CSS selector."""
    return f"[id='{{\"project\":{project},\"type\":\"{kind}\"}}']"


def test_a_problem_goes_from_the_phone_form_to_an_adopted_project_with_a_matched_pledge(browser, demo):
    url, db = demo
    with db.reader() as s:
        health = s.scalar(select(Table).where(Table.slug == "health"))
        health_id, chair_id = health.id, health.chair_id
        member_id = s.scalar(select(User.id).where(User.email == "member@hamyar.local"))
        supporter_id = s.scalar(select(User.id).where(User.email == SUPPORTER[0]))

    # 1. a citizen brings a problem from the phone form, with a photo from the camera roll
    ctx, page = _page(browser, url)
    _log_in(page, "citizen@hamyar.local")
    page.goto("/proposals/new")
    wait_ready(page, "#prop-new-send")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.select_option("#prop-new-table", str(health_id))
    district = page.eval_on_selector("#prop-new-district", "s => [...s.options].find(o => o.value).value")
    page.select_option("#prop-new-district", district)
    page.fill("#prop-new-title", TITLE)
    page.fill("#prop-new-body", "پس از هر باران آب چند روز در کوچه می‌ماند و بچه‌ها از میان آن به مدرسه می‌روند.")
    page.fill("#prop-new-affected", "دانش‌آموزان مدرسه و چهل خانوار کوچه")
    page.set_input_files("#prop-new-files", files=[{"name": "kooche.jpg", "mimeType": "image/jpeg",
                                                    "buffer": _jpeg()}])
    page.wait_for_function("document.getElementById('prop-new-tokens').value.trim().length > 0")
    _shot(page, "1-form")
    page.click("#prop-new-send")
    page.wait_for_selector("#prop-new-result a[href^='/proposals/']")
    with db.reader() as s:
        p = s.scalar(select(CitizenProposal).where(CitizenProposal.title == TITLE))
        assert p is not None and p.table_id == health_id
        assert s.scalar(select(ProposalAttachment.id).where(ProposalAttachment.proposal_id == p.id)) is not None
    pid = p.id
    _shot(page, "2-sent")
    page.goto(f"/proposals/{pid}")
    wait_ready(page, "img.upload-thumb")
    _shot(page, "3-public")
    ctx.close()

    # 2. another citizen supports it
    ctx, page = _page(browser, url)
    _log_in(page, SUPPORTER[0])
    page.goto(f"/proposals/{pid}")
    wait_ready(page, "#prop-support")
    page.click("#prop-support")
    page.wait_for_selector("[data-supporters='1']")
    assert page.locator("#prop-support").count() == 0  # once per person
    _shot(page, "4-supported")
    ctx.close()
    with db.reader() as s:
        assert list(s.scalars(select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == pid))) == [
            supporter_id]

    # 3. a member of the table finds it in the table's queue (reached from the table page) and diagnoses it
    ctx, page = _page(browser, url)
    _log_in(page, "member@hamyar.local")
    page.goto(f"/tables/{health_id}")
    wait_ready(page, "#table-proposals a")
    page.click("#table-proposals a")
    wait_ready(page, f"#triage-list [data-proposal='{pid}']")
    _shot(page, "5-triage")
    page.click(f"#triage-list [data-proposal='{pid}'] a")
    wait_ready(page, "#prop-dx-send")
    page.fill("#prop-dx-cause", "دهانهٔ آبروی کوچه با نخالهٔ ساختمانی بسته شده است.")
    page.fill("#prop-dx-scale", "یک کوچهٔ ۱۰۰ متری و مسیر هر روز دانش‌آموزان")
    page.fill("#prop-dx-options", "لایروبی فوری؛ لوله‌گذاری تا کانال خیابان")
    page.click("#prop-dx-send")
    page.wait_for_selector("[data-status='diagnosis']")
    page.wait_for_selector("[data-comment='diagnosis']")
    _shot(page, "6-diagnosis")
    ctx.close()

    # 4. the chair adopts it: the project's title, a cost, a key core of a member and the supporter
    ctx, page = _page(browser, url)
    _log_in(page, "chair@hamyar.local")
    page.goto(f"/triage/{health_id}?state=diagnosis")
    wait_ready(page, f"#triage-list [data-proposal='{pid}']")
    page.click(f"#triage-list [data-proposal='{pid}'] a")
    wait_ready(page, "#prop-decision-send")
    page.select_option("#prop-decision", "adopt")
    page.wait_for_selector("#prop-decision-adopt", state="visible")
    assert page.locator("#prop-decision-forward-wrap").is_hidden()
    page.fill("#prop-adopt-title", PROJECT_TITLE)
    page.fill("#prop-adopt-cost", "۴۰٬۰۰۰٬۰۰۰")
    assert page.input_value("#prop-adopt-lead") == str(chair_id)  # the chair leads unless they choose another
    page.check(f"#prop-adopt-core input[value='{member_id}']")
    page.check(f"#prop-adopt-core input[value='{supporter_id}']")
    page.fill("#prop-decision-text", "شهرداری و میز با هم آبراه کوچه را باز می‌کنند.")
    _shot(page, "7-adopt-form")
    page.click("#prop-decision-send")
    page.wait_for_selector("[data-status='adopted']")
    _shot(page, "8-adopted")
    with db.reader() as s:
        p = s.get(CitizenProposal, pid)
        project = s.get(Project, p.project_id)
        assert p.status == "adopted" and project.status is ProjectStatus.DRAFT and project.title_fa == PROJECT_TITLE
        assert project.estimated_cost_rials == 400_000_000
        core = s.scalar(select(KeyCore).where(KeyCore.project_id == project.id))
        roles = dict(s.execute(select(KeyCoreMember.user_id, KeyCoreMember.role)
                               .where(KeyCoreMember.core_id == core.id)).all())
        assert roles == {chair_id: "lead", member_id: "expert", supporter_id: "field"}
        assert s.scalar(select(ProposalComment.id).where(ProposalComment.proposal_id == pid,
                                                         ProposalComment.kind == "diagnosis")) is not None
    project_id = project.id

    # 5. the chair adds a need to the draft and publishes it (each status move asks first)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"/tables/{health_id}")
    wait_ready(page, f"#table-editor-list [data-project='{project_id}']")
    page.click(f'[data-need-toggle="{project_id}"]')  # on a phone the add-need form is folded away
    # Bootstrap's collapse is still sliding open while the form is already "visible"; a press in that
    # moment can land beside the button. A person presses once it has opened: wait for "show".
    page.wait_for_selector(f"#table-need-form-{project_id}.collapse.show")
    page.fill(_pid("table-need-qty", project_id), "۴۰٬۰۰۰٬۰۰۰")
    assert page.input_value(_pid("table-need-qty", project_id)) == "۴۰٬۰۰۰٬۰۰۰"
    page.click(_pid("table-need-add", project_id))
    page.wait_for_selector(f"#table-editor-list [data-project='{project_id}'] [data-need]")
    # pressed once the page has settled (no callback pending), as a person would: in one CI run under heavy
    # load (other work on the 2 cores) the move to "open" never showed within 20 s; not reproduced in 5 runs
    dash_idle(page)
    page.click(f"[id='{{\"project\":{project_id},\"to\":\"open\",\"type\":\"table-project-status-button\"}}']")
    page.wait_for_selector(f"#table-editor-list [data-project='{project_id}'][data-status='open']")
    page.locator(f"#table-editor-list [data-project='{project_id}']").scroll_into_view_if_needed()
    _shot(page, "9-published", full_page=False)
    with db.reader() as s:
        need = s.scalar(select(Need).where(Need.project_id == project_id))
        assert need.quantity == NEED_TOMAN * 10 and s.get(Project, project_id).status is ProjectStatus.OPEN
    ctx.close()

    # 6. the project's page names the proposal it came from; the supporter pledges to it, only to it
    ctx, page = _page(browser, url)
    _log_in(page, SUPPORTER[0])
    page.goto(f"/projects/{project_id}")
    wait_ready(page, "#project-origin")
    assert page.get_attribute("#project-origin", "data-proposal") == str(pid)
    assert page.get_attribute("#project-origin [data-supporters]", "data-supporters") == "1"
    _shot(page, "10-project")
    page.click("#project-pledge")
    wait_ready(page, "#pledge-form")
    page.check("#pledge-project-mode input[value='only']")
    page.fill("#pledge-quantity", "۴۰۰۰۰۰۰۰")
    page.wait_for_function("document.querySelector('#pledge-preview').innerText.length > 0")
    page.click("#pledge-review")
    page.wait_for_selector("#pledge-summary dl")
    page.click("#pledge-confirm")
    page.wait_for_selector("#pledge-done [data-pledge]")
    pledge_id = int(page.get_attribute("#pledge-done [data-pledge]", "data-pledge"))
    _shot(page, "11-pledged")
    ctx.close()
    with db.reader() as s:
        pledge = s.get(Pledge, pledge_id)
        assert (pledge.citizen_id, pledge.project_id, pledge.only_project) == (supporter_id, project_id, True)

    # 7. the table's matching run proposes that pledge to the project's need; the chair sees it in the queue
    run_matching(db, chair_id, RunScope.TABLE, health_id)
    with db.reader() as s:
        matched = s.scalar(select(Allocation).where(Allocation.pledge_id == pledge_id,
                                                    Allocation.status == AllocationStatus.PROPOSED))
        assert matched is not None and matched.need_id == need.id, "matching did not propose the pledge to the need"
        allocation = matched.id
    ctx, page = _page(browser, url)
    _log_in(page, "chair@hamyar.local")
    page.goto(f"/tables/{health_id}")
    wait_ready(page, "#table-review-list")
    item = f"#table-review-list [data-project='{project_id}'] [data-allocation='{allocation}']"
    goto = "#table-review-list [id*='table-review-goto']"
    for n in range(1, page.locator(goto).count()):  # the queue is ordered by priority: find the page holding it
        if page.locator(item).count():
            break
        page.locator(goto).nth(n).click()
        page.wait_for_function(f"document.querySelectorAll(\"{goto}\")[{n}].getAttribute('aria-current') === 'page'")
    page.wait_for_selector(item)
    page.locator(f"#table-review-list [data-project='{project_id}']").scroll_into_view_if_needed()
    _shot(page, "12-matched", full_page=False)
    ctx.close()


def test_the_governorate_routes_a_dont_know_proposal_and_a_chair_hides_a_reported_comment(browser, demo):
    """The demo's "don't know" proposal sent to a table from /triage; abusive evidence on a health table proposal
    reported by a citizen, seen by the chair in the table's queue and hidden with a reason shown in its place."""
    from models.voice import proposals as pr

    url, db = demo
    with db.reader() as s:
        health_id = s.scalar(select(Table.id).where(Table.slug == "health"))
        environment = s.scalar(select(Table.id).where(Table.slug == "environment"))
        lost = s.scalar(select(CitizenProposal.id).where(CitizenProposal.table_id.is_(None)))
        ramp = s.scalar(select(CitizenProposal.id).where(CitizenProposal.table_id == health_id,
                                                         CitizenProposal.status == "new").order_by(CitizenProposal.id))
        supporter_id = s.scalar(select(User.id).where(User.email == SUPPORTER[0]))
    with db.unit_of_work() as s:
        rude = pr.add_evidence(s, supporter_id, ramp, "مسئول این خانهٔ بهداشت آدم تنبل و بی‌عرضه‌ای است.").id

    ctx, page = _page(browser, url)
    _log_in(page, "gov@hamyar.local")
    page.goto("/proposals")
    wait_ready(page, "#proposal-routing-link a")
    page.click("#proposal-routing-link a")
    wait_ready(page, f"#triage-list [data-proposal='{lost}']")
    page.select_option(f"[id='{{\"proposal\":{lost},\"type\":\"triage-route-table\"}}']", str(environment))
    _shot(page, "13-routing")
    page.click(f"[id='{{\"proposal\":{lost},\"type\":\"triage-route-send\"}}']")
    page.wait_for_selector("#triage-flash .alert-success")
    assert page.locator(f"#triage-list [data-proposal='{lost}']").count() == 0
    _shot(page, "14-routed")
    ctx.close()
    with db.reader() as s:
        assert s.get(CitizenProposal, lost).table_id == environment

    ctx, page = _page(browser, url)
    _log_in(page, "citizen@hamyar.local")
    page.goto(f"/proposals/{ramp}")
    wait_ready(page, f"[data-report-for='{rude}'] summary")
    page.click(f"[data-report-for='{rude}'] summary")
    page.fill(f"[id='{{\"target\":{rude},\"type\":\"prop-report-reason\"}}']", "به کارمند خانهٔ بهداشت توهین کرده است.")
    _shot(page, "15-report")
    page.click(f"[id='{{\"target\":{rude},\"type\":\"prop-report-send\"}}']")
    page.wait_for_selector("#prop-flash .alert-success")
    ctx.close()

    ctx, page = _page(browser, url)
    _log_in(page, "chair@hamyar.local")
    page.goto(f"/triage/{health_id}")
    wait_ready(page, f"#triage-reported [data-reported='{ramp}']")
    _shot(page, "16-reported")
    page.click(f"#triage-reported [data-reported='{ramp}'] a")
    wait_ready(page, "#proposal-reports [data-open-report]")
    page.click(f"[data-hide-for='{rude}'] summary")
    page.fill(f"[id='{{\"target\":{rude},\"type\":\"prop-hide-reason\"}}']", "توهین به یک کارمند")
    page.click(f"[id='{{\"target\":{rude},\"type\":\"prop-hide-send\"}}']")
    page.wait_for_selector("#prop-flash .alert-success")
    assert page.locator("#proposal-reports").count() == 0  # hiding closed the report
    ctx.close()

    ctx, page = _page(browser, url)  # anyone now reads the sentence in the comment's place
    page.goto(f"/proposals/{ramp}")
    wait_ready(page, "[data-comment][data-hidden]")
    text = page.inner_text("[data-comment][data-hidden]")
    assert "توهین به یک کارمند" in text and "تنبل" not in page.inner_text("#prop-body")
    _shot(page, "17-hidden")
    ctx.close()
