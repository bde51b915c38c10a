"""The API's contract on the seeded demo: pages and their links, filters, ETag/304, JSON errors, bulk files,
the .pb file, the results, proposals and referral figures, and that no personal data appears in any answer."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from models.core.db import Database
from models.opendata.privacy import MIN_CONTRIBUTORS, publishable
from models.orm.people import User
from models.orm.projects import Project
from models.orm.proposals import CitizenProposal, ProposalSupport

NO_ZIP = {"Accept-Encoding": "identity"}


def get(api, url, **headers):
    return api.get(url, headers={**NO_ZIP, **headers})


def test_pages_follow_their_links_and_cover_every_project_once(api, api_db_file):
    seen, url = [], "/api/v1/projects?limit=7"
    while url:
        body = get(api, url).get_json()
        assert len(body["items"]) <= 7
        seen += [p["id"] for p in body["items"]]
        url = body["links"]["next"]
    db = Database(f"sqlite:///{api_db_file}")
    with db.reader() as s:
        public = sorted(s.scalars(select(Project.id).where(Project.status != "draft")))
    db.dispose()
    assert seen == public and len(seen) > 7


def test_filters_narrow_the_list(api):
    projects = get(api, "/api/v1/projects?limit=200").get_json()["items"]
    table = projects[0]["table_id"]
    mine = get(api, f"/api/v1/projects?limit=200&table={table}").get_json()["items"]
    assert mine and {p["table_id"] for p in mine} == {table} and len(mine) < len(projects)
    talent = get(api, "/api/v1/projects?limit=200&kind=talent&status=open").get_json()["items"]
    assert talent and all(p["kind"] == "talent" and p["status"] == "open" for p in talent)
    districts = get(api, "/api/v1/districts?limit=200").get_json()["items"]
    central = next(d for d in districts if d["slug"] == "markazi")
    inside = {d["id"] for d in districts if d["parent_id"] == central["id"]} | {central["id"]}
    here = get(api, f"/api/v1/projects?limit=200&district={central['id']}").get_json()["items"]
    assert here and all(p["district_id"] in inside for p in here)


def test_bad_parameters_are_refused_with_a_sentence(api):
    for url in ("/api/v1/projects?limit=0", "/api/v1/projects?limit=201", "/api/v1/projects?status=draft",
                "/api/v1/projects?table=abc", "/api/v1/matching-runs?cursor=-1", "/api/v1/projects?table=۳"):
        r = get(api, url)
        assert r.status_code == 400 and r.is_json, url
        err = r.get_json()["error"]
        assert err["code"] == "bad_parameter" and err["message"].endswith(".") and err["message_fa"]
    r = get(api, "/api/v1/projects/999999")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert get(api, "/api/v1/no-such-thing").status_code == 404
    r = api.post("/api/v1/projects")
    assert r.status_code == 405 and r.is_json and "GET" in r.headers["Allow"]


def test_etag_gives_304_and_changes_with_the_content(api):
    first = get(api, "/api/v1/tables")
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.startswith('"') and not tag.startswith("W/")
    assert first.headers["Cache-Control"].startswith("public")
    assert first.headers["Access-Control-Allow-Origin"] == "*" and "Set-Cookie" not in first.headers
    again = get(api, "/api/v1/tables", **{"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    # The compressed answer's tag (flask-compress appends the coding) names the same content.
    zipped = api.get("/api/v1/tables", headers={"Accept-Encoding": "br"})
    assert api.get("/api/v1/tables", headers={"If-None-Match": zipped.headers["ETag"]}).status_code == 304
    other = get(api, "/api/v1/tables?limit=2")
    assert other.headers["ETag"] != tag
    assert get(api, "/api/v1/tables", **{"If-None-Match": '"stale"'}).status_code == 200


def test_published_cycle_has_counts_and_a_pb_file(api):
    cycles = get(api, "/api/v1/pb-cycles?phase=results").get_json()["items"]
    assert len(cycles) == 1
    results = cycles[0]["results"]
    assert results["ballots"] == 6 and sum(p["votes"] for p in results["projects"]) == 9
    assert any(p["funded"] for p in results["projects"])
    (url,) = cycles[0]["pb_files"]
    pb = get(api, url)
    assert pb.status_code == 200 and pb.mimetype == "text/plain"
    text = pb.get_data(as_text=True)
    assert text.startswith("META") and "VOTES" in text and "num_votes;6" in text


def test_bulk_csv_has_a_bom_and_the_same_rows_as_json(api):
    raw = get(api, "/api/v1/bulk/needs.csv")
    assert raw.status_code == 200 and raw.data.startswith(b"\xef\xbb\xbf") and raw.mimetype == "text/csv"
    assert "attachment" in raw.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(raw.data.decode("utf-8-sig"))))
    data = get(api, "/api/v1/bulk/needs.json").get_json()
    assert len(rows) == data["count"] == len(data["items"]) > 0
    assert [int(r["id"]) for r in rows] == [n["id"] for n in data["items"]]
    projects = get(api, "/api/v1/bulk/projects.csv").data.decode("utf-8-sig")
    assert "غربالگری" in projects or any("\u0600" <= ch <= "\u06ff" for ch in projects)
    assert get(api, "/api/v1/bulk/users.csv").status_code == 404


def test_small_groups_are_suppressed(api):
    needs = get(api, "/api/v1/bulk/needs.json").get_json()["items"]
    hidden = [n for n in needs if n["suppressed"]]
    shown = [n for n in needs if not n["suppressed"]]
    assert hidden and shown
    assert all(n["accepted"] is None and n["contributors"] is None for n in hidden)
    assert all(n["contributors"] == 0 or n["contributors"] >= MIN_CONTRIBUTORS for n in shown)
    assert publishable(0) and not publishable(1) and not publishable(2) and publishable(3)


def _every_answer(api) -> list[str]:
    urls = ["/api/v1/", "/api/v1/openapi.json", "/api"]
    index = get(api, "/api/v1/").get_json()
    for path in index["resources"].values():
        url = f"{path}?limit=200"
        while url:
            r = get(api, url)
            urls.append(url)
            url = r.get_json()["links"]["next"]
    urls += list(index["bulk"].values())
    for item in get(api, "/api/v1/projects?limit=200").get_json()["items"][:5]:
        urls.append(f"/api/v1/projects/{item['id']}")
    for c in get(api, "/api/v1/pb-cycles").get_json()["items"]:
        urls += [f"/api/v1/pb-cycles/{c['id']}", *c["pb_files"]]
    bodies = [get(api, u).get_data(as_text=True) for u in urls]
    for new in ("milestones", "indicators", "proposals", "referral-figures"):  # issue 22 item 5's resources
        assert any(u.startswith(f"/api/v1/{new}?") for u in urls) and f"/api/v1/bulk/{new}.csv" in urls
        assert get(api, f"/api/v1/{new}").get_json()["items"], new
    return bodies


def test_no_personal_data_in_any_answer(api, api_db_file):
    db = Database(f"sqlite:///{api_db_file}")
    with db.reader() as s:
        people = s.execute(select(User.name, User.phone, User.email, User.show_name_publicly)).all()
        authors = set(s.scalars(select(User.name).join(CitizenProposal, CitizenProposal.author_id == User.id)))
        supporters = set(s.scalars(select(User.name).join(ProposalSupport, ProposalSupport.user_id == User.id)))
        hidden = s.scalar(select(CitizenProposal.title).where(CitizenProposal.hidden_at.is_not(None)))
    db.dispose()
    bodies = "\n".join(_every_answer(api))
    phones = [p for _n, p, _e, _s in people if p]
    emails = [e for _n, _p, e, _s in people if e]
    assert phones and emails
    for secret in phones + [p.removeprefix("+98") for p in phones] + emails:
        assert secret not in bodies
    private = {n for n, _p, _e, shown in people if not shown and len(n) > 4}
    public = {n for n, _p, _e, shown in people if shown}
    leaked = [n for n in private - public if n in bodies]
    assert not leaked and len(private) > 100
    # the proposals' authors and supporters are never named (none of them chose to be: a stronger rule holds)
    assert authors and supporters and not [n for n in (authors | supporters) - public if n in bodies]
    assert hidden and hidden not in bodies                       # a proposal a moderator hid is not published


def test_proposals_carry_the_answer_and_supporters_as_a_count(api):
    items = {p["title"].split()[-1]: p for p in get(api, "/api/v1/proposals?limit=200").get_json()["items"]}
    assert "hidden" not in items and {"answered", "adopted", "duplicate", "forwarded", "unrouted"} <= set(items)
    answered = items["answered"]
    assert answered["supporters"] == 6 and answered["answer_type"] == "needs_evidence"  # 5 + 1 moved by the merge
    assert answered["answer_text"] and answered["decided_at"] and "author_id" not in answered
    assert "lat" not in answered and "lon" not in answered      # a point could be someone's door
    assert items["adopted"]["status"] == "adopted" and items["adopted"]["project_id"]
    assert items["duplicate"]["merged_into_id"] == answered["id"]
    forwarded = items["forwarded"]
    assert forwarded["status"] == "new" and forwarded["answer_type"] == "not_remit"
    assert forwarded["forwarded_from_table_id"] == answered["table_id"] != forwarded["table_id"]
    assert items["unrouted"]["table_id"] is None and items["unrouted"]["kind"] == "talent"
    only = get(api, f"/api/v1/proposals?table={answered['table_id']}&status=answered").get_json()["items"]
    assert [p["id"] for p in only] == [answered["id"]]


def test_milestones_indicators_and_referral_figures(api):
    milestones = get(api, "/api/v1/milestones?limit=200").get_json()["items"]
    assert milestones and any(m["late"] for m in milestones) and any(m["done_on"] for m in milestones)
    project = milestones[0]["project_id"]
    mine = get(api, f"/api/v1/milestones?project={project}").get_json()["items"]
    assert mine and {m["project_id"] for m in mine} == {project}
    indicators = get(api, "/api/v1/indicators?limit=200").get_json()["items"]
    water = next(i for i in indicators if i["baseline"] == 120)
    assert [p["value"] for p in water["points"]] == [120, 180, 240] and water["latest"] == 240
    points = get(api, "/api/v1/bulk/indicator-points.json").get_json()["items"]
    assert len(points) == sum(len(i["points"]) for i in indicators)
    csv_rows = list(csv.DictReader(io.StringIO(get(api, "/api/v1/bulk/milestones.csv").data.decode("utf-8-sig"))))
    assert [r["need_ids"] for r in csv_rows] == [" ".join(map(str, m["need_ids"])) for m in milestones]
    rows = get(api, "/api/v1/bulk/indicators.csv").data.decode("utf-8-sig").splitlines()
    assert rows[0].endswith(",points") and len(rows) == len(indicators) + 1
    seen, url = [], "/api/v1/referral-figures?limit=3"
    while url:  # tables and organizations interleaved by id: the cursor pages through both
        body = get(api, url).get_json()
        seen += [(f["of"], f["id"]) for f in body["items"]]
        url = body["links"]["next"]
    assert len(seen) == len(set(seen)) and {"table", "organization"} == {k for k, _i in seen}
    figures = get(api, "/api/v1/referral-figures?of=table&limit=200").get_json()["items"]
    assert {f["of"] for f in figures} == {"table"} and sum(f["received"] for f in figures) > 0
    busy = max(figures, key=lambda f: f["received"])
    assert busy["answered"] <= busy["received"] and busy["on_time"] <= busy["due"]


def test_the_rate_limit_answers_429_in_json(api_db_file):
    from dash_app import create_app
    from dash_app.api import API_PER_ADDRESS

    server = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{api_db_file}", "SECRET_KEY": "test",
                         "RATELIMIT_KEY_PREFIX": "api-limit-test"})
    client = server.test_client()
    per_minute = int(API_PER_ADDRESS.split()[0])
    codes = [client.get("/api/v1/matching-runs", headers=NO_ZIP).status_code for _ in range(per_minute + 1)]
    server.extensions["hamyar_db"].dispose()
    assert codes[:per_minute] == [200] * per_minute and codes[-1] == 429
    r = client.get("/api/v1/", headers=NO_ZIP)
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "rate_limited"
