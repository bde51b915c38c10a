"""Issue 16 item 1 in the database: the catalogue, needs and pledges naming items, the migration that
converts free-text logistics, and the instance the app sends to the engine."""


import pytest
from alembic import command
from sqlalchemy import select, text

from matching import solve_instance
from models.audit.log import record
from models.core.enums import RunScope
from models.core.errors import PermissionDenied, ValidationError
from models.core.schema import alembic_config
from models.orm.items import LogisticsItem
from models.orm.people import User
from models.orm.pledges import Allocation
from models.orm.projects import Need
from models.pledging.pledges import PledgeInput, create_pledge
from models.projects.editing import NeedInput, add_need, table_projects
from models.projects.items import add_item, item_choices, retire_item
from models.runs.lifecycle import build_instance, run_matching
from tests.models.world import build_world


@pytest.fixture
def world(db):
    with db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test.created", gov)
        s.flush()
        w.gov = gov.id
        w.db = db
        w.item = dict(s.execute(select(LogisticsItem.slug, LogisticsItem.id)).all())
        return w


def _logistics_need(w, item, accepts=(), quantity=10):
    with w.db.unit_of_work() as s:
        return add_need(s, w.chair, w.project, NeedInput(kind="logistics", quantity=quantity, item_id=w.item[item],
                                                         accept_ids=tuple(w.item[a] for a in accepts))).id


def _logistics_pledge(w, item, quantity=5, who=None, **kw):
    with w.db.unit_of_work() as s:
        return create_pledge(s, who or w.citizen, PledgeInput(kind="logistics", quantity=quantity,
                                                             item_id=w.item[item], **kw)).id


def _upgrade(db, target):
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def test_migration_converts_free_text_logistics_and_drops_logistics_skills(tmp_path):
    from models.core.db import Database

    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    _upgrade(db, "0008")
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO users (id, name, email, password_hash, language, is_governorate, is_active, "
                       "show_name_publicly, created_at) VALUES (1, 'a', 'a@x', '!', 'fa', 0, 1, 0, '2026-01-01')"))
        c.execute(text("INSERT INTO tables (id, slug, name_fa, name_en, domain, description_fa, description_en, "
                       "created_at) VALUES (1, 't', 'م', 'T', 'd', '', '', '2026-01-01')"))
        c.execute(text("INSERT INTO projects (id, table_id, kind, title_fa, summary_fa, priority, pb_support, status, "
                       "estimated_cost_rials, created_at, updated_at, version) VALUES (1, 1, 'problem', 'پ', '', 5, 0, "
                       "'open', 0, '2026-01-01', '2026-01-01', 1)"))
        c.execute(text("INSERT INTO skills (id, slug, name_fa, name_en) VALUES (1, 'driving', 'رانندگی', 'Driving')"))
        needs = [(1, "logistics", "وانت برای حمل"), (2, "logistics", "سالن اجتماعات"), (3, "logistics", "Minibus"),
                 (4, "logistics", "چیزی دیگر"), (5, "execution", "وانت")]
        for nid, kind, desc in needs:
            c.execute(text("INSERT INTO needs (id, project_id, kind, quantity, description, created_at, version) "
                           "VALUES (:id, 1, :k, 5, :d, '2026-01-01', 1)"), {"id": nid, "k": kind, "d": desc})
        c.execute(text("INSERT INTO need_skills (need_id, skill_id) VALUES (2, 1), (5, 1)"))
        for pid, desc in [(1, "مینی‌بوس ۱۵ نفره"), (2, "ژنراتور"), (3, "")]:
            c.execute(text("INSERT INTO pledges (id, citizen_id, kind, quantity, withdrawn_quantity, description, "
                           "only_tables, divisible, status, created_at, version) VALUES (:id, 1, 'logistics', 3, 0, "
                           ":d, 0, 1, 'open', '2026-01-01', 1)"), {"id": pid, "d": desc})
        c.execute(text("INSERT INTO pledge_skills (pledge_id, skill_id) VALUES (1, 1)"))
    _upgrade(db, "0009")
    with db.engine.connect() as c:
        slug = dict(c.execute(text("SELECT id, slug FROM logistics_items")).all())
        need_items = {nid: slug.get(iid) for nid, iid in c.execute(text("SELECT id, item_id FROM needs"))}
        pledge_items = {pid: slug.get(iid) for pid, iid in c.execute(text("SELECT id, item_id FROM pledges"))}
        assert need_items == {1: "pickup", 2: "hall", 3: "minibus", 4: "other", 5: None}
        assert pledge_items == {1: "minibus", 2: "generator", 3: "other"}
        assert c.execute(text("SELECT need_id FROM need_skills")).scalars().all() == [5]  # execution keeps it
        assert c.execute(text("SELECT count(*) FROM pledge_skills")).scalar() == 0
        assert {"pickup", "minibus", "truck", "water-tanker", "hall", "classroom", "workshop", "generator", "tent",
                "chairs", "sound-system", "other"} <= set(slug.values())
        assert c.execute(text("SELECT count(*) FROM pledges WHERE only_project")).scalar() == 0
        assert c.execute(text("SELECT auto_match, auto_match_minutes FROM tables")).one() == (0, 30)


def test_catalogue_is_translated_and_the_governorate_extends_it(world):
    with world.db.unit_of_work() as s:
        choices = item_choices(s)
        assert [c.category for c in choices] == sorted([c.category for c in choices],
                                                       key=("vehicle", "space", "equipment", "other").index)
        pickup = next(c for c in choices if c.slug == "pickup")
        assert pickup.name("fa") == "وانت" and pickup.name("en") == "Pickup truck"
        with pytest.raises(PermissionDenied):
            add_item(s, world.citizen, "boat", "قایق", "Boat", "vehicle")
        with pytest.raises(ValidationError):
            add_item(s, world.gov, "Boat!", "قایق", "Boat", "vehicle")
        boat = add_item(s, world.gov, "boat", "قایق", "Boat", "vehicle")
        assert any(c.slug == "boat" for c in item_choices(s))
        retire_item(s, world.gov, boat.id)
        assert not any(c.slug == "boat" for c in item_choices(s))
        assert s.get(LogisticsItem, boat.id) is not None


def test_needs_and_pledges_name_an_item_and_skills_stay_with_design_and_execution(world):
    w = world
    with w.db.unit_of_work() as s:
        with pytest.raises(ValidationError) as e:
            add_need(s, w.chair, w.project, NeedInput(kind="logistics", quantity=5))
        assert e.value.code == "item_required"
        with pytest.raises(ValidationError) as e:
            add_need(s, w.chair, w.project, NeedInput(kind="logistics", quantity=5, item_id=w.item["hall"],
                                                      skill_ids=(w.nursing,)))
        assert e.value.code == "skills_not_for_kind"
        with pytest.raises(ValidationError) as e:
            add_need(s, w.chair, w.project, NeedInput(kind="execution", quantity=5, item_id=w.item["hall"]))
        assert e.value.code == "item_not_for_kind"
        with pytest.raises(ValidationError) as e:
            create_pledge(s, w.citizen, PledgeInput(kind="logistics", quantity=5, description="a van"))
        assert e.value.code == "item_required"
        with pytest.raises(ValidationError) as e:
            create_pledge(s, w.citizen, PledgeInput(kind="financial", quantity=5_000_000, item_id=w.item["hall"]))
        assert e.value.code == "item_not_for_kind"
    nid = _logistics_need(w, "vehicle-10", accepts=("minibus",))
    with w.db.reader() as s:
        need = s.get(Need, nid)
        assert need.item.slug == "vehicle-10" and [a.slug for a in need.accepts] == ["minibus"]
        row = next(n for p in table_projects(s, w.health) for n in p.needs if n.need_id == nid)
        assert row.item == ("خودروی ۱۰ نفره", "Vehicle for 10 people") and row.accepts == [("مینی‌بوس", "Minibus")]


def test_matching_in_the_app_pairs_logistics_only_on_compatible_items(world):
    """The field-test case: a hall was proposed for a pickup-truck need. Now the pickup need gets the
    pickup and the van it accepts, never the hall; the hall waits."""
    w = world
    pickup_need = _logistics_need(w, "pickup", accepts=("van",), quantity=10)
    hall = _logistics_pledge(w, "hall", quantity=5)
    pickup = _logistics_pledge(w, "pickup", quantity=4, district_id=w.amol)
    van = _logistics_pledge(w, "van", quantity=6, who=w.citizen2)
    with w.db.reader() as s:
        inst = build_instance(s, RunScope.TABLE, w.health)
    by_id = {n["id"]: n for n in inst["needs"]}
    assert by_id[f"n{pickup_need}"]["item"] == "pickup" and by_id[f"n{pickup_need}"]["accepts"] == ["van"]
    assert {p["id"]: p.get("item") for p in inst["pledges"] if p["kind"] == "logistics"} == {
        f"p{hall}": "hall", f"p{pickup}": "pickup", f"p{van}": "van"}
    assert all(n["skills"] == [] for n in inst["needs"] if n["kind"] in ("logistics", "financial"))
    run_matching(w.db, w.chair, RunScope.TABLE, w.health)
    with w.db.reader() as s:
        got = {(a.pledge_id, a.need_id): (a.quantity, a.reasons) for a in s.scalars(select(Allocation))}
    assert set(got) == {(pickup, pickup_need), (van, pickup_need)}
    assert got[(pickup, pickup_need)][1][0] == "item: pickup"
    assert got[(van, pickup_need)][1][0] == "substitute: van"
    assert solve_instance(inst)["objective"] > 0
