"""Issue 17 item 4: district budgets. A cycle's budget split into a county-wide heading and one per district;
each project on its district's heading (or its nearest ancestor's), a ballot counts county-wide and in its own
district, each heading counted separately (SQLite and PostgreSQL), results and .pb files per heading."""
from __future__ import annotations

import base64
import io
import zipfile

import pytest
from sqlalchemy import select

import models.pb.cycles as pbc
from dash_app.pages.pb import ids
from models.audit.log import record
from models.core.enums import HelpKind, ProjectKind, ProjectStatus
from models.core.errors import ValidationError
from models.orm.pb import PBBallot, PBCycle, PBCycleHeading, PBCycleProject
from models.orm.projects import Need, Project
from models.pb.pabulib import parse
from models.pb.rules import Election, count
from tests.pb.test_pb_cycles import _advance
from tests.pb.test_pb_web import _client, _key, _post

M = 1_000_000


def _county_project(db, w) -> int:
    with db.unit_of_work() as s:
        p = Project(table_id=w.health, kind=ProjectKind.PROBLEM, title_fa="کتابخانه", title_en="Library", priority=3,
                    status=ProjectStatus.OPEN)
        s.add(p)
        record(s, None, "test.created", p)
        n = Need(project_id=p.id, kind=HelpKind.FINANCIAL, quantity=20 * M)
        s.add(n)
        record(s, None, "test.created", n)
        return p.id


@pytest.fixture
def split(setup):
    """Budget 150M: county-wide 30M (the library, 20M), Central District 70M (the health post in Amol city,
    70M uncovered), Larijan 50M (the nursery, 50M). Approval of at most 1 project per heading."""
    db, w, gov, voters, _ = setup
    library = _county_project(db, w)
    with db.unit_of_work() as s:
        cycle = pbc.create_cycle(s, gov, pbc.CycleInput(
            name_fa="دوره بخش‌ها", name_en="Districts", budget_rials=150 * M,
            project_ids=(w.project, w.env_project, library), max_approvals=1, counting_rule="mes",
            headings=((None, 30 * M), (w.markazi, 70 * M), (w.larijan, 50 * M))))
    _advance(db, gov, cycle.id, "voting")
    return db, w, gov, voters, library, cycle.id


def test_projects_go_on_their_districts_heading(split):
    db, w, _gov, _voters, library, cid = split
    with db.reader() as s:
        heads = {h.id: h.district_id for h in s.scalars(select(PBCycleHeading).where(PBCycleHeading.cycle_id == cid))}
        on = {r.project_id: heads[r.heading_id] for r in s.scalars(select(PBCycleProject)
                                                                    .where(PBCycleProject.cycle_id == cid))}
    # the health post is in Amol city, whose parent is the Central District
    assert on == {w.project: w.markazi, w.env_project: w.larijan, library: None}


def test_a_ballot_counts_county_wide_and_in_one_district(split):
    db, w, gov, voters, library, cid = split
    with db.unit_of_work() as s:
        # k = 1 per heading: one county-wide project and one of the district's is allowed
        pbc.cast_ballot(s, voters[0], cid, [w.project, library])
        pbc.cast_ballot(s, voters[1], cid, [w.project])
        pbc.cast_ballot(s, voters[2], cid, [library])
        pbc.cast_ballot(s, voters[3], cid, [w.env_project, library])
    with db.unit_of_work() as s, pytest.raises(ValidationError) as two:
        pbc.cast_ballot(s, voters[5], cid, [w.project, w.env_project])
    assert two.value.code == "pb_two_districts"
    with db.unit_of_work() as s, pytest.raises(ValidationError) as other:
        pbc.cast_ballot(s, voters[5], cid, [w.env_project], district_id=w.markazi)
    assert other.value.code == "pb_two_districts"
    with db.reader() as s:
        districts = sorted((b.district_id or 0) for b in s.scalars(select(PBBallot).where(PBBallot.cycle_id == cid)))
    assert districts == sorted([w.markazi, w.markazi, 0, w.larijan])
    _advance(db, gov, cid, "tallying")
    with db.reader() as s:
        result = pbc.tally(s, gov, cid)
    by = {h.district_id: h for h in result.headings}
    assert [h.district_id for h in result.headings] == [None, w.markazi, w.larijan]
    # county-wide: all 4 ballots are its voters (2 chose the library); MES at 30M/4 each
    county = Election(30 * M, {str(library): 20 * M}, [[str(library)], [], [str(library)], [str(library)]])
    assert by[None].n_ballots == 4 and by[None].winners == count("mes", county).winners == (str(library),)
    # Central District: its 2 ballots, 35M each, both for the health post (70M): funded
    assert by[w.markazi].n_ballots == 2 and by[w.markazi].winners == (str(w.project),)
    # Larijan: 1 ballot with the whole 50M: the nursery (50M) is funded
    assert by[w.larijan].n_ballots == 1 and by[w.larijan].winners == (str(w.env_project),)
    assert set(result.winners) == {str(library), str(w.project), str(w.env_project)}
    assert result.explanations[str(w.project)]["reason"] == "funded_equal_shares"


def test_publish_and_export_per_heading(split):
    db, w, gov, voters, library, cid = split
    with db.unit_of_work() as s:
        pbc.cast_ballot(s, voters[0], cid, [w.project, library])
        pbc.cast_ballot(s, voters[1], cid, [w.env_project])
    _advance(db, gov, cid, "tallying")
    with db.unit_of_work() as s:
        pbc.publish_results(s, gov, cid)
    with db.reader() as s:
        public = pbc.public_results(s, cid)
        support = {p.id: p.pb_support for p in s.scalars(select(Project))}
        files = pbc.export_files(s, gov, cid)
    heads = {(h.district.id if h.district else None): h for h in public.headings}
    assert (heads[None].n_ballots, heads[w.markazi].n_ballots, heads[w.larijan].n_ballots) == (2, 1, 1)
    assert support[w.project] == 1.0 and support[w.env_project] == 1.0 and support[library] == 0.5
    assert sorted(files) == [f"hamyar-pb-cycle-{cid}-{slug}.pb" for slug in ("county", "larijan", "markazi")]
    county = parse(files[f"hamyar-pb-cycle-{cid}-county.pb"])
    assert county.budget == 30 * M and list(county.projects) == [str(library)] and len(county.votes) == 2
    markazi = parse(files[f"hamyar-pb-cycle-{cid}-markazi.pb"])
    assert markazi.budget == 70 * M and markazi.meta["subunit"] == "markazi" and len(markazi.votes) == 1


@pytest.mark.parametrize("headings,code", [
    (((None, 30 * M), (1, 70 * M)), "pb_headings_sum"),
    (((None, 150 * M), (None, 0)), "pb_heading_budget_invalid"),
    (((None, 75 * M), (None, 75 * M)), "pb_heading_repeated"),
    (((None, 75 * M), (999, 75 * M)), "pb_heading_district_unknown"),
])
def test_bad_headings_are_refused(setup, headings, code):
    db, w, gov, *_ = setup
    with db.unit_of_work() as s, pytest.raises(ValidationError) as err:
        pbc.create_cycle(s, gov, pbc.CycleInput(name_fa="x", name_en="x", budget_rials=150 * M,
                                                project_ids=(w.project,), max_approvals=1, headings=headings))
    assert err.value.code == code


def test_no_county_wide_heading_for_a_project_without_district(setup):
    db, w, gov, *_ = setup
    library = _county_project(db, w)
    with db.unit_of_work() as s, pytest.raises(ValidationError) as err:
        pbc.create_cycle(s, gov, pbc.CycleInput(name_fa="x", name_en="x", budget_rials=70 * M,
                                                project_ids=(library,), max_approvals=1,
                                                headings=((w.markazi, 70 * M),)))
    assert err.value.code == "pb_project_no_heading"


def test_the_cycle_form_splits_the_budget(site):
    app, db, world, _users, _cycle_id = site
    with db.reader() as s:
        markazi = next(d.id for d in pbc.heading_districts(s) if d.slug == "markazi")
    key = _key(app, f"{ids.PB_CREATE_MESSAGE}.")
    entry = app.extensions["hamyar_dash"].callback_map[key]
    pattern = next(d["id"] for d in entry["state"] if d["id"].startswith("{"))
    matches = [{"id": {"type": ids.PB_HEADING, "district": markazi}, "property": "value", "value": "۷٬۰۰۰٬۰۰۰"}]
    id_matches = [{"id": {"type": ids.PB_HEADING, "district": markazi}, "property": "id",
                   "value": {"type": ids.PB_HEADING, "district": markazi}}]
    resp = _post(_client(app, "gov"), app, key, {
        ids.PB_CREATE: 1, ids.PB_NAME_FA: "دوره", ids.PB_NAME_EN: "Split", ids.PB_BUDGET: "12000000",
        ids.PB_UNIT: "toman", ids.PB_PROJECTS: [world.project, world.env_project], ids.PB_BALLOT_RULE: "approval",
        ids.PB_K: "1", ids.PB_COUNTING_RULE: "mes", pattern + ".value": matches, pattern + ".id": id_matches},
        f"{ids.PB_CREATE}.n_clicks")
    assert "The cycle is created" in str(resp.get_json()), resp.get_json()
    with db.reader() as s:
        cid = s.scalars(select(PBCycle.id).order_by(PBCycle.id.desc())).first()
        heads = sorted((h.district_id or 0, h.budget_rials) for h in pbc.headings_of(s, cid))
    assert heads == [(0, 50 * M), (markazi, 70 * M)]


def test_admin_export_is_a_zip_of_pb_files(site):
    app, db, world, users, _cycle_id = site
    with db.unit_of_work() as s:
        cycle = pbc.create_cycle(s, users["gov"], pbc.CycleInput(
            name_fa="د", name_en="Z", budget_rials=120 * M, project_ids=(world.project, world.env_project),
            max_approvals=1, headings=((world.markazi, 70 * M), (world.larijan, 50 * M))))
    _advance(db, users["gov"], cycle.id, "voting", "tallying")
    out = _post(_client(app, "gov"), app, _key(app, f"{ids.PB_DOWNLOAD}."),
                {ids.PB_EXPORT: 1, ids.PB_SELECT: str(cycle.id)}, f"{ids.PB_EXPORT}.n_clicks")
    data = out.get_json()["response"][ids.PB_DOWNLOAD]["data"]
    assert data["filename"] == f"hamyar-pb-cycle-{cycle.id}.zip" and data["base64"]
    names = zipfile.ZipFile(io.BytesIO(base64.b64decode(data["content"]))).namelist()
    assert sorted(names) == [f"hamyar-pb-cycle-{cycle.id}-larijan.pb", f"hamyar-pb-cycle-{cycle.id}-markazi.pb"]
