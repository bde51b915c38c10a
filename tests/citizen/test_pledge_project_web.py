"""Issue 16 items 1-2 on the pledge form: logistics names a catalogue item, and from a project's page the form
opens with the project chosen ("only this project" or "this project first") and the kind of help it lacks."""
from __future__ import annotations

from sqlalchemy import select

from dash_app.ui import citizen_ids as ids
from models.audit.log import record
from models.orm.items import LogisticsItem
from models.orm.pledges import Pledge
from tests.citizen.test_citizen_web import _form, _post, _signed_in, site, template  # noqa: F401 - fixtures


def _find(component, cid):
    if getattr(component, "id", None) == cid:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            found = _find(child, cid)
            if found is not None:
                return found
    return None


def _hall(db) -> int:
    with db.unit_of_work() as s:
        item = LogisticsItem(slug="hall", name_fa="سالن اجتماعات", name_en="Assembly hall", category="space")
        s.add(item)
        s.flush()
        record(s, None, "test.created", item)
        return item.id


def test_only_this_project_is_saved_and_the_review_says_so(site):  # noqa: F811 - the fixture imported above
    app, db, world, _users = site
    client = _signed_in(app)
    form = _form(world, **{ids.PLEDGE_PROJECT: world.project, ids.PLEDGE_PROJECT_MODE: "only"})
    review = _post(client, app, ids.PLEDGE_SUMMARY, {**form, ids.PLEDGE_CONFIRM: 0}, f"{ids.PLEDGE_REVIEW}.n_clicks")
    assert "Only “Health post”; it waits for this project" in str(review.get_json()["response"]), review.data[:400]
    resp = _post(client, app, ids.PLEDGE_SUMMARY, form, f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert resp.status_code == 200, resp.data[:400]
    with db.reader() as s:
        pledge = s.scalars(select(Pledge).order_by(Pledge.id.desc())).first()
        assert (pledge.project_id, pledge.only_project) == (world.project, True)
    prefer = _form(world, **{ids.PLEDGE_PROJECT: world.project, ids.PLEDGE_PROJECT_MODE: "prefer"})
    _post(client, app, ids.PLEDGE_SUMMARY, prefer, f"{ids.PLEDGE_CONFIRM}.n_clicks")
    with db.reader() as s:
        pledge = s.scalars(select(Pledge).order_by(Pledge.id.desc())).first()
        assert (pledge.project_id, pledge.only_project) == (world.project, False)


def test_logistics_names_an_item_from_the_catalogue(site):  # noqa: F811 - the fixture imported above
    app, db, world, _users = site
    hall = _hall(db)
    client = _signed_in(app)
    form = _form(world, **{ids.PLEDGE_KIND: "logistics", ids.PLEDGE_QUANTITY: "3", ids.PLEDGE_ITEM: hall})
    resp = _post(client, app, ids.PLEDGE_SUMMARY, form, f"{ids.PLEDGE_CONFIRM}.n_clicks")
    assert resp.status_code == 200, resp.data[:400]
    with db.reader() as s:
        pledge = s.scalars(select(Pledge).order_by(Pledge.id.desc())).first()
        assert (pledge.kind.value, pledge.item_id) == ("logistics", hall)
    forged = _form(world, **{ids.PLEDGE_KIND: "logistics", ids.PLEDGE_QUANTITY: "3", ids.PLEDGE_ITEM: 987654})
    assert _post(client, app, ids.PLEDGE_SUMMARY, forged, f"{ids.PLEDGE_CONFIRM}.n_clicks").status_code // 100 == 4
    # only this project, for logistics the health post does not ask for: refused with a sentence at the choice
    only = {**form, ids.PLEDGE_PROJECT: world.project, ids.PLEDGE_PROJECT_MODE: "only"}
    shown = _post(client, app, ids.PLEDGE_SUMMARY, only, f"{ids.PLEDGE_REVIEW}.n_clicks").get_json()["response"]
    assert "does not ask for this kind of help" in str(shown[ids.PLEDGE_PROJECT_ERROR]["children"])


def test_the_form_from_a_project_page_chooses_the_project_and_a_kind_it_needs(site):  # noqa: F811 - the fixture imported above
    """The health post needs money (half accepted already) and execution hours (none yet): the form opens on
    execution, the kind it lacks most (it once opened on money whatever the project needed)."""
    app, db, world, users = site
    from dash_app.pages.citizen import pledge
    from models.core.enums import AllocationStatus, HelpKind
    from models.orm.pledges import Allocation

    with db.unit_of_work() as s:
        gift = Pledge(citizen_id=users["bob"], kind=HelpKind.FINANCIAL, quantity=50_000_000)
        s.add(gift)
        s.flush()
        alloc = Allocation(pledge_id=gift.id, need_id=world.money_need, quantity=50_000_000,
                           status=AllocationStatus.ACCEPTED)
        s.add(alloc)
        s.flush()
        record(s, None, "test.created", gift)
        record(s, None, "test.created", alloc)
    with app.test_request_context("/pledge"):
        tree = pledge.layout(project=str(world.project))
        plain = pledge.layout()
    assert _find(tree, ids.PLEDGE_PROJECT).data == world.project
    assert _find(tree, ids.PLEDGE_PROJECT_MODE).value == "only"
    assert _find(tree, ids.PLEDGE_PROJECT_ROW).style == {}
    assert _find(tree, ids.PLEDGE_KIND).value == "execution"
    assert _find(plain, ids.PLEDGE_PROJECT).data is None
    assert _find(plain, ids.PLEDGE_PROJECT_ROW).style == {"display": "none"}
    assert _find(plain, ids.PLEDGE_KIND).value == "financial"


def test_my_says_which_project_a_pledge_is_for(site):  # noqa: F811 - the fixture imported above
    """/my repeats the review's choice: "only for project X" for a project-only pledge, "project X first" for a
    preference, and nothing of the kind for a pledge without a project; in Persian too."""
    app, db, world, users = site
    from dash_app.pages.citizen.my import pledge_card
    from models.pledging.pledges import pledges_of

    client = _signed_in(app)
    for mode in ("only", "prefer"):
        form = _form(world, **{ids.PLEDGE_PROJECT: world.project, ids.PLEDGE_PROJECT_MODE: mode})
        assert _post(client, app, ids.PLEDGE_SUMMARY, form, f"{ids.PLEDGE_CONFIRM}.n_clicks").status_code == 200
    _post(client, app, ids.PLEDGE_SUMMARY, _form(world), f"{ids.PLEDGE_CONFIRM}.n_clicks")
    with db.reader() as s:
        plain, prefer, only = pledges_of(s, users["ana"], limit=3)
        assert (only.pledge.only_project, prefer.pledge.only_project, plain.pledge.project_id) == (True, False, None)
        with app.test_request_context("/", headers={"Cookie": "hamyar_lang=en"}):
            assert "only for project “Health post”" in str(pledge_card(only, "en", {}))
            shown = str(pledge_card(prefer, "en", {}))
            assert "project “Health post” first" in shown and "only for project" not in shown
            assert "Health post" not in str(pledge_card(plain, "en", {}))
        with app.test_request_context("/", headers={"Cookie": "hamyar_lang=fa"}):
            assert "فقط برای پروژهٔ «" in str(pledge_card(only, "fa", {}))
