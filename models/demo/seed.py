"""`hamyar seed-demo`: a deterministic demo county — Amol's real places, tables, projects, people.

Imports sqlalchemy and models only. The same seed gives the same rows (ids, times, hashes).
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Table as SATable
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from models.audit.keys import config_of
from models.audit.log import bypass_audit, chain_head, chain_rows, request_anchor
from models.core.enums import (
    AllocationStatus,
    DistrictLevel,
    ElectionStatus,
    HelpKind,
    Horizon,
    MemberBackground,
    PledgeStatus,
    ProjectKind,
    ProjectStatus,
    RunScope,
    RunStatus,
)
from models.demo import content
from models.demo.proposals import seed_proposals
from models.demo.referrals import seed_referrals
from models.orm.audit_event import AuditEvent
from models.orm.geo import District
from models.orm.items import LogisticsItem, need_accepted_items
from models.orm.people import User
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need, Project
from models.orm.skills import Skill, need_skills, pledge_skills, pledge_tables
from models.orm.tables import (
    ChairBallot,
    ChairBallotChoice,
    ChairCandidate,
    ChairElection,
    ChairParticipation,
    Table,
    TableMembership,
)
from models.orm.valuation import ValuationRate

AMOL = Path(__file__).with_name("data") / "amol.json"
DEMO_PASSWORD = "Amol-1405-demo"
DEMO_SEED = 1405
# The demo's "today": fixed so that two seedings give identical rows.
DEMO_NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
# Logins of the demo accounts, one per role.
DEMO_ACCOUNTS = {
    "governorate": ("gov@hamyar.local", "فرمانداری آمل — کارشناس", "Amol governorate officer"),
    "chair": ("chair@hamyar.local", "دکتر مریم طبری", "Dr Maryam Tabari"),
    "member": ("member@hamyar.local", "مهندس رضا لاریجانی", "Reza Larijani"),
    "citizen": ("citizen@hamyar.local", "زهرا آملی", "Zahra Amoli"),
}

NEED_SIZES = {  # kind -> size -> (low, high) in the kind's unit
    HelpKind.FINANCIAL: {"s": (50_000_000, 300_000_000), "m": (300_000_000, 1_500_000_000),
                         "l": (1_500_000_000, 6_000_000_000)},
    HelpKind.LOGISTICS: {"s": (5, 20), "m": (20, 60), "l": (60, 150)},
    HelpKind.DESIGN: {"s": (20, 60), "m": (60, 200), "l": (200, 500)},
    HelpKind.EXECUTION: {"s": (80, 300), "m": (300, 1200), "l": (1200, 3000)},
}
# Rials per unit-day, hour and person-hour; set by the governorate, changeable in /admin.
DEMO_RATES = [(HelpKind.LOGISTICS, "", 15_000_000), (HelpKind.LOGISTICS, "وانت", 25_000_000),
              (HelpKind.LOGISTICS, "بیل مکانیکی", 80_000_000), (HelpKind.DESIGN, "", 6_000_000),
              (HelpKind.EXECUTION, "", 1_500_000)]
PLEDGE_KIND_WEIGHTS = [(HelpKind.FINANCIAL, 0.55), (HelpKind.EXECUTION, 0.25),
                       (HelpKind.LOGISTICS, 0.10), (HelpKind.DESIGN, 0.10)]


class AlreadySeeded(RuntimeError):
    pass


@dataclass
class SeedSummary:
    districts: int
    tables: int
    projects: int
    needs: int
    citizens: int
    pledges: int
    allocations: int
    accounts: dict[str, str]


def demo_password_hash(login: str, password: str = DEMO_PASSWORD, seed: int = DEMO_SEED) -> str:
    """The accounts' own scrypt hash, with a salt derived from the seed so seeding is reproducible."""
    from models.accounts.users import hash_password

    return hash_password(password, salt=hashlib.sha256(f"{seed}:{login}".encode()).digest()[:16])


def _core(model) -> SATable:
    """A model's Core table, for the bulk updates below (no ORM bookkeeping on thousands of rows)."""
    return cast(SATable, model.__table__)


def _ids(session: Session, model, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, rows))


def _secret_ballots(session: Session, rng: random.Random, election_id: int, voters: list[int],
                    ballots: list[list[int]]) -> None:
    """A closed election's ballots as models.tables.elections keeps them: who voted (participations) apart
    from what was voted (ballots with no link, random ids, in random order)."""
    session.execute(insert(ChairParticipation), [dict(election_id=election_id, user_id=v) for v in voters])
    rng.shuffle(ballots)
    for candidate_ids in ballots:
        bid = rng.randrange(1, 2**62)
        session.execute(insert(ChairBallot).values(id=bid, election_id=election_id, link=None))
        session.execute(insert(ChairBallotChoice), [dict(ballot_id=bid, candidate_id=c) for c in candidate_ids])


def _round_money(rials: float) -> int:
    """Round to a believable amount: 100,000 rials (10,000 toman) steps."""
    return max(100_000, int(round(rials / 100_000)) * 100_000)


def _seed_places(session: Session, facts: dict) -> tuple[int, dict[str, int], dict[str, float]]:
    """The county, its districts, cities and rural districts; ids by slug and each place's weight (population)."""
    county = facts["county"]
    county_id = _ids(session, District, [dict(
        slug=county["slug"], name_fa=county["name_fa"], name_en=county["name_en"], level=DistrictLevel.COUNTY,
        parent_id=None, population_2016=county["population_2016"], lat=county["lat_lon"][0], lon=county["lat_lon"][1])])[0]
    district_ids: dict[str, int] = {}
    place_weight: dict[str, float] = {}
    for d in facts["districts"]:
        (did,) = _ids(session, District, [dict(
            slug=d["slug"], name_fa=d["name_fa"], name_en=d["name_en"], level=DistrictLevel.DISTRICT,
            parent_id=county_id, population_2016=d["population_2016"],
            lat=(d["lat_lon"] or [None, None])[0], lon=(d["lat_lon"] or [None, None])[1])])
        district_ids[d["slug"]] = did
        children = [(c, DistrictLevel.CITY) for c in d["cities"]] + [(r, DistrictLevel.RURAL) for r in d["rural_districts"]]
        rows = [dict(slug=c["slug"], name_fa=c["name_fa"], name_en=c["name_en"], level=level, parent_id=did,
                     population_2016=c["population_2016"],
                     lat=(c.get("lat_lon") or [None, None])[0], lon=(c.get("lat_lon") or [None, None])[1])
                for c, level in children]
        for (c, _), cid in zip(children, _ids(session, District, rows)):
            district_ids[c["slug"]] = cid
            place_weight[c["slug"]] = float(c["population_2016"] or 3000)
    return county_id, district_ids, place_weight


def _table_members(key: str, t_index: int, experts: list[int], account_ids: dict[str, int],
                   governor_id: int) -> list[tuple[int, MemberBackground]]:
    """Six experts per table (a rotation through the shuffled experts), the demo's chair and member on
    health (the member on environment too) and the governor on three tables."""
    members = [(experts[(t_index * 6 + k) % len(experts)], bg) for k, bg in enumerate(
        [MemberBackground.AGENCY, MemberBackground.ACADEMIC, MemberBackground.ACADEMIC, MemberBackground.FIELD,
         MemberBackground.FIELD, MemberBackground.ACTIVIST])]
    if key == "health":
        members += [(account_ids["chair"], MemberBackground.ACADEMIC), (account_ids["member"], MemberBackground.FIELD)]
    if key == "environment":
        members += [(account_ids["member"], MemberBackground.FIELD)]
    if key in ("health", "economy_employment", "infrastructure_urban_rural"):
        members += [(governor_id, MemberBackground.GOVERNOR)]
    return members


def seed_demo(session: Session, seed: int = DEMO_SEED) -> SeedSummary:
    if session.scalar(select(func.count()).select_from(User)):
        raise AlreadySeeded("the database already holds users; seed-demo fills an empty database only")
    bypass_audit(session, "demo seed")
    rng = random.Random(seed)
    at = DEMO_NOW - timedelta(days=60)
    facts = json.loads(AMOL.read_text(encoding="utf-8"))

    # Places: county -> district -> city / rural district.
    county_id, district_ids, place_weight = _seed_places(session, facts)
    places = sorted(place_weight)
    weights = [place_weight[p] for p in places]

    skill_ids = dict(zip([s[0] for s in content.SKILLS], _ids(session, Skill, [
        dict(slug=slug, name_fa=fa, name_en=en) for slug, fa, en in content.SKILLS])))

    # People: demo accounts, table members (experts), then citizens.
    def person_name() -> str:
        return f"{rng.choice(content.FIRST_NAMES)} {rng.choice(content.LAST_NAMES)}"

    account_rows = []
    for role, (login, fa_name, _en) in DEMO_ACCOUNTS.items():
        account_rows.append(dict(name=fa_name, email=login, phone=None, password_hash=demo_password_hash(login, seed=seed),
                                 language="fa", is_governorate=role == "governorate", is_active=True,
                                 show_name_publicly=True, created_at=at, email_verified_at=at))
    account_ids = dict(zip(DEMO_ACCOUNTS, _ids(session, User, account_rows)))
    governor_id = _ids(session, User, [dict(
        name="فرماندار شهرستان آمل", email="governor@hamyar.local", phone=None, password_hash="!seeded",
        language="fa", is_governorate=True, is_active=True, show_name_publicly=True, created_at=at,
        email_verified_at=at)])[0]

    phone_numbers = rng.sample(range(1_000_000, 9_999_999), 3200)
    expert_rows = [dict(name=person_name(), phone=f"+98911{phone_numbers[i]}", email=None, password_hash="!seeded",
                        language="fa", is_governorate=False, is_active=True, show_name_publicly=True, created_at=at)
                   for i in range(60)]
    expert_ids = _ids(session, User, expert_rows)
    n_citizens = 3000
    citizen_rows = [dict(name=person_name(), phone=f"+98912{phone_numbers[60 + i]}", email=None,
                         password_hash="!seeded", language="fa", is_governorate=False, is_active=True,
                         show_name_publicly=rng.random() < 0.4, created_at=at + timedelta(minutes=i))
                    for i in range(n_citizens)]
    citizen_ids = [account_ids["citizen"]] + _ids(session, User, citizen_rows)

    # Tables, members, and the elections that chose their chairs.
    table_ids: dict[str, int] = {}
    experts = list(expert_ids)
    rng.shuffle(experts)
    audit_rows: list[dict] = []
    table_members: dict[int, list[int]] = {}  # the experts of each table (not its chair, not the governor)
    for t_index, (key, fa, en) in enumerate(content.TABLES):
        (tid,) = _ids(session, Table, [dict(slug=key.replace("_", "-"), name_fa=fa, name_en=en, domain=key,
                                            description_fa="", description_en="", created_at=at)])
        table_ids[key] = tid
        members = _table_members(key, t_index, experts, account_ids, governor_id)
        domain_fa = fa.replace("میز تخصصی ", "")
        session.execute(insert(TableMembership), [
            dict(table_id=tid, user_id=uid, background=bg, joined_at=at,
                 affiliation=content.AFFILIATIONS[bg.value][0].format(domain=domain_fa)) for uid, bg in members])
        member_ids = [uid for uid, _ in members]
        candidates = [account_ids["chair"]] if key == "health" else []
        candidates += [uid for uid in member_ids if uid not in candidates and uid != governor_id][: 3 - len(candidates)]
        opens, closes = at - timedelta(days=30), at - timedelta(days=16)
        (eid,) = _ids(session, ChairElection, [dict(table_id=tid, opens_at=opens, closes_at=closes,
                                                    status=ElectionStatus.CLOSED, created_by_id=account_ids["governorate"])])
        cand_ids = _ids(session, ChairCandidate, [dict(election_id=eid, user_id=u, nominated_at=opens) for u in candidates])
        counts = {u: 0 for u in candidates}
        ballots = []
        for _voter in member_ids:
            approved = [c for c in candidates if rng.random() < (0.8 if c == candidates[0] else 0.45)] or [candidates[0]]
            ballots.append([cand_ids[candidates.index(c)] for c in approved])
            for c in approved:
                counts[c] += 1
        _secret_ballots(session, random.Random(f"{seed}-ballots-{tid}"), eid, member_ids, ballots)
        # Most approvals wins; a tie goes to the earlier nomination (then the smaller user id).
        winner = max(candidates, key=lambda u: (counts[u], -candidates.index(u), -u))
        session.execute(_core(ChairElection).update().where(ChairElection.id == eid).values(
            winner_id=winner, result={str(u): counts[u] for u in candidates}))
        session.execute(_core(Table).update().where(Table.id == tid).values(
            chair_id=winner, chair_term_start=closes, chair_term_end=closes + timedelta(days=730)))
        table_members[tid] = [u for u in member_ids if u not in (winner, governor_id, *account_ids.values())]
        audit_rows.append(dict(at=closes, actor_id=None, action="election.closed", object_type="chair_elections",
                               object_id=eid, table_id=tid, before=None,
                               after={"winner_id": winner, "counts": {str(u): counts[u] for u in candidates}}))
    chairs = {tid: session.scalar(select(Table.chair_id).where(Table.id == tid)) for tid in table_ids.values()}

    # Projects and needs; logistics needs and pledges name a catalogue item (issue 16 item 1), drawn from
    # a generator of their own so that the other draws stay as they were.
    item_ids = dict(session.execute(select(LogisticsItem.slug, LogisticsItem.id)).all())
    rng_items = random.Random(seed + 16)
    statuses = [ProjectStatus.OPEN] * 41 + [ProjectStatus.IN_PROGRESS] * 6 + [ProjectStatus.COMPLETED, ProjectStatus.DRAFT,
                                                                               ProjectStatus.DRAFT]
    rng.shuffle(statuses)
    horizons = list(Horizon)
    need_rows: list[dict] = []
    need_skill_slugs: list[list[str]] = []
    need_project: list[tuple[int, str]] = []  # (project index, table key)
    project_ids: list[int] = []
    for p_index, (tkey, kind, t_fa, t_en, place, priority, s_fa, s_en, needs) in enumerate(content.PROJECTS):
        tid = table_ids[tkey]
        row = dict(table_id=tid, kind=ProjectKind(kind), title_fa=t_fa, title_en=t_en, summary_fa=s_fa, summary_en=s_en,
                   district_id=district_ids[place], priority=priority, pb_support=0.0, status=statuses[p_index],
                   created_by_id=chairs[tid], created_at=at + timedelta(hours=p_index), updated_at=at + timedelta(hours=p_index),
                   version=1, problem=None, evidence=None, affected=None, capacity=None, horizon=None)
        if kind == "problem":
            row.update(problem=s_fa, evidence="گزارش میدانی اعضای میز و آمار اداره مربوط",
                       affected="ساکنان " + (place.replace("-", " ")))
        else:
            row.update(capacity=s_fa, horizon=horizons[p_index % 3])
        cost = 0
        for n_kind, size, skills in cast(list[tuple[str, str, list[str]]], needs):
            hk = HelpKind(n_kind)
            low, high = NEED_SIZES[hk][size]
            qty = rng.randint(low, high)
            if hk is HelpKind.FINANCIAL:
                qty = _round_money(qty)
                cost += qty
            start = date(2026, 12, 1) + timedelta(days=rng.randint(0, 90)) if rng.random() < 0.6 else None
            end = start + timedelta(days=rng.randint(30, 180)) if start else None
            item = rng.choice(content.LOGISTICS_ITEMS) if hk is HelpKind.LOGISTICS else None
            need_rows.append(dict(kind=hk, quantity=qty, description=item[0] if item else "",
                                  window_start=start, window_end=end, created_at=row["created_at"], version=1,
                                  item_id=item_ids[item[2]] if item else None))
            # skills are for design and execution only (issue 16: no hall needing "driving")
            need_skill_slugs.append(list(skills) if hk in (HelpKind.DESIGN, HelpKind.EXECUTION) else [])
            need_project.append((p_index, tkey))
        row["estimated_cost_rials"] = cost + rng.randint(0, 20) * 10_000_000
        project_ids.append(_ids(session, Project, [row])[0])
    for nr, (p_index, _) in zip(need_rows, need_project):
        nr["project_id"] = project_ids[p_index]
    need_ids = _ids(session, Need, need_rows)
    session.execute(insert(need_skills), [dict(need_id=nid, skill_id=skill_ids[s])
                                          for nid, slugs in zip(need_ids, need_skill_slugs) for s in slugs])
    slug_of_item = {v: k for k, v in item_ids.items()}
    need_accepts = [[item_ids[a] for a in content.ITEM_SUBSTITUTES.get(slug_of_item[nr["item_id"]], [])]
                    if nr["item_id"] else [] for nr in need_rows]
    accepted_rows = [dict(need_id=nid, item_id=a) for nid, subs in zip(need_ids, need_accepts) for a in subs]
    if accepted_rows:
        session.execute(insert(need_accepted_items), accepted_rows)
    # (need index) per (kind, item) a chosen-project pledge could serve, among projects open to help
    live_needs = [j for j, (p_index, _) in enumerate(need_project)
                  if statuses[p_index] in (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)]

    # Pledges: many small, a few large; skills and places from the citizen's life.
    skills_by_kind = {HelpKind.DESIGN: ["architecture", "civil-engineering", "graphic-design", "software", "accounting",
                                        "marketing", "photography", "agronomy", "environmental-science", "legal-advice",
                                        "aquaculture", "social-work", "tour-guiding"],
                      HelpKind.EXECUTION: [s[0] for s in content.SKILLS]}
    kinds = [k for k, _ in PLEDGE_KIND_WEIGHTS]
    kind_w = [w for _, w in PLEDGE_KIND_WEIGHTS]
    pledge_rows, pledge_skill_slugs, pledge_table_keys = [], [], []
    n_pledges = 5000
    table_keys = [t[0] for t in content.TABLES]
    for i in range(n_pledges):
        citizen = citizen_ids[0] if i < 4 else citizen_ids[rng.randrange(len(citizen_ids))]
        kind = kinds[i] if i < 4 else rng.choices(kinds, kind_w)[0]
        if kind is HelpKind.FINANCIAL:
            qty = _round_money(min(2_000_000_000, rng.lognormvariate(15.4, 1.3)))
        elif kind is HelpKind.LOGISTICS:
            qty = max(1, int(rng.lognormvariate(1.6, 0.8)))
        elif kind is HelpKind.DESIGN:
            qty = max(2, int(rng.lognormvariate(2.8, 0.8)))
        else:
            qty = max(2, int(rng.lognormvariate(2.7, 0.7)))
        skills = rng.sample(skills_by_kind[kind], rng.randint(1, 3)) if kind in skills_by_kind else []
        prefs = rng.sample(table_keys, rng.randint(1, 2)) if rng.random() < 0.45 else []
        start = date(2026, 11, 1) + timedelta(days=rng.randint(0, 150)) if rng.random() < 0.4 else None
        end = start + timedelta(days=rng.randint(14, 120)) if start else None
        item = rng.choice(content.LOGISTICS_ITEMS) if kind is HelpKind.LOGISTICS else None
        if item is not None and rng_items.random() < 0.15:
            item = rng_items.choice(content.PLEDGE_ONLY_ITEMS)
        # about one pledge in twenty is given to a chosen project (two in five of those to it only);
        # the demo citizen's first pledge is "only this project"
        project_id, only_project = None, False
        if i == 0 or rng_items.random() < 0.05:
            fits = [j for j in live_needs if need_rows[j]["kind"] is kind and (
                item is None or need_rows[j]["item_id"] == item_ids[item[2]] or item_ids[item[2]] in need_accepts[j])]
            if fits:
                project_id = need_rows[rng_items.choice(fits)]["project_id"]
                only_project = i == 0 or rng_items.random() < 0.4
        pledge_rows.append(dict(
            item_id=item_ids[item[2]] if item else None, project_id=project_id, only_project=only_project,
            citizen_id=citizen, kind=kind, quantity=qty, withdrawn_quantity=0, description=item[0] if item else "",
            district_id=district_ids[rng.choices(places, weights)[0]], window_start=start, window_end=end,
            only_tables=bool(prefs) and rng.random() < 0.3,
            divisible=kind is HelpKind.FINANCIAL or rng.random() < 0.7, status=PledgeStatus.OPEN,
            created_at=at + timedelta(minutes=10 * i), version=1))
        pledge_skill_slugs.append(skills)
        pledge_table_keys.append(prefs)
    pledge_ids = _ids(session, Pledge, pledge_rows)
    session.execute(insert(pledge_skills), [dict(pledge_id=pid, skill_id=skill_ids[s])
                                            for pid, slugs in zip(pledge_ids, pledge_skill_slugs) for s in slugs])
    session.execute(insert(pledge_tables), [dict(pledge_id=pid, table_id=table_ids[k])
                                            for pid, keys in zip(pledge_ids, pledge_table_keys) for k in keys])

    allocations = _seed_allocations(session, rng, pledge_ids, pledge_rows, pledge_skill_slugs, pledge_table_keys,
                                    need_ids, need_rows, need_skill_slugs, need_project, statuses, table_ids, chairs,
                                    account_ids["governorate"], audit_rows, need_accepts)

    session.execute(insert(ValuationRate), [
        dict(kind=kind, item=item, rials_per_unit=rate, set_by_id=account_ids["governorate"], set_at=at)
        for kind, item, rate in DEMO_RATES])
    seed_referrals(session, DEMO_NOW, account_ids, table_ids, chairs, citizen_ids, audit_rows)  # issue 21
    from models.demo.results_demo import seed_results  # issue 22: targets, paths, progress, a model pilot

    audit_rows += seed_results(session, DEMO_NOW, account_ids["governorate"])
    # issue 21: citizens' problems and talents in every state of a table's queue, one adopted with its key core
    seed_proposals(session, DEMO_NOW, account_ids, table_ids, chairs, district_ids, citizen_ids, table_members,
                   audit_rows)
    audit_rows.append(dict(at=DEMO_NOW, actor_id=None, action="demo.seeded", object_type="database", object_id=None,
                           table_id=None, before=None, after={"seed": seed, "citizens": n_citizens, "pledges": n_pledges}))
    audit_rows.sort(key=lambda r: r["at"])
    chain_rows(audit_rows, chain_head(session.connection()), config_of(session).key)
    session.execute(insert(AuditEvent), audit_rows)
    session.info.pop("audit_bypass", None)
    request_anchor(session, "demo.seeded")  # the demo ends with an anchor (when its database has an anchor file)
    return SeedSummary(districts=len(district_ids) + 1, tables=len(table_ids), projects=len(project_ids),
                       needs=len(need_ids), citizens=n_citizens, pledges=n_pledges, allocations=allocations,
                       accounts={role: login for role, (login, _, _) in DEMO_ACCOUNTS.items()})


def _seed_allocations(session, rng, pledge_ids, pledge_rows, pledge_skills_, pledge_tables_, need_ids, need_rows,
                      need_skills_, need_project, statuses, table_ids, chairs, governorate_id, audit_rows,
                      need_accepts_) -> int:
    """Decided history for the demo: a third of the pledges matched greedily, some accepted and delivered."""
    slug_of_item_ = dict(session.execute(select(LogisticsItem.id, LogisticsItem.slug)).all())
    table_of_key = table_ids
    need_left = [n["quantity"] for n in need_rows]
    run_at = DEMO_NOW - timedelta(days=20)
    (run_id,) = _ids(session, MatchingRun, [dict(
        started_by_id=governorate_id, scope=RunScope.COUNTY, table_id=None, params={"seeded": True},
        status=RunStatus.DONE, n_pledges=len(pledge_ids), n_needs=len(need_ids), started_at=run_at,
        finished_at=run_at + timedelta(seconds=2), seconds=1.7, objective=0.0, gap=0.0)])
    live = {i for i, (p_index, _) in enumerate(need_project) if statuses[p_index] in (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)}
    rows = []
    order = list(range(len(pledge_ids)))
    rng.shuffle(order)
    for i in order[: len(order) // 3]:
        p = pledge_rows[i]
        options = []
        for j in live:
            n = need_rows[j]
            tkey = need_project[j][1]
            if n["kind"] != p["kind"] or need_left[j] <= 0:
                continue
            if p["only_tables"] and tkey not in pledge_tables_[i]:
                continue
            if need_skills_[j] and not set(need_skills_[j]) & set(pledge_skills_[i]):
                continue
            if p["window_start"] and n["window_start"] and (p["window_end"] < n["window_start"] or n["window_end"] < p["window_start"]):
                continue
            if not p["divisible"] and need_left[j] < p["quantity"]:
                continue
            if p["item_id"] != n["item_id"] and p["item_id"] not in need_accepts_[j]:
                continue
            if p["only_project"] and n["project_id"] != p["project_id"]:
                continue
            options.append((p["project_id"] is not None and n["project_id"] == p["project_id"], tkey in pledge_tables_[i],
                            -j, j))
        if not options:
            continue
        j = max(options)[-1]
        qty = min(p["quantity"], need_left[j])
        need_left[j] -= qty
        roll = rng.random()
        status = AllocationStatus.PROPOSED if roll < 0.45 else AllocationStatus.ACCEPTED if roll < 0.8 else AllocationStatus.DELIVERED
        tid = table_of_key[need_project[j][1]]
        decided_at: datetime | None = (run_at + timedelta(days=rng.randint(1, 10))
                                       if status is not AllocationStatus.PROPOSED else None)
        # The solver's own reason strings (matching.compat.reasons): skills, preferred table, priority = the
        # project's weight, priority x (1 + PB support); the demo's PB support is 0. No district reason here.
        weight = float(content.PROJECTS[need_project[j][0]][5])
        n = need_rows[j]
        reasons = []
        if p["item_id"] is not None:
            reasons.append(("item: " if p["item_id"] == n["item_id"] else "substitute: ") + slug_of_item_[p["item_id"]])
        reasons += [f"skill: {slug}" for slug in sorted(set(need_skills_[j]) & set(pledge_skills_[i]))]
        if p["project_id"] is not None and p["project_id"] == n["project_id"]:
            reasons.append("preferred project")
        if need_project[j][1] in pledge_tables_[i]:
            reasons.append("preferred table")
        reasons.append(f"priority {weight:g}")
        rows.append(dict(pledge_id=pledge_ids[i], need_id=need_ids[j], quantity=qty, score=0.0, reasons=reasons,
                         matching_run_id=run_id, status=status, decided_by_id=chairs[tid] if decided_at else None,
                         decided_at=decided_at, delivered_at=(decided_at + timedelta(days=5)).date()
                         if status is AllocationStatus.DELIVERED and decided_at else None,
                         delivery_note="تحویل شد" if status is AllocationStatus.DELIVERED else None,
                         created_at=run_at, version=1))
        full = qty == p["quantity"]
        pledge_status = (PledgeStatus.DELIVERED if status is AllocationStatus.DELIVERED and full
                         else PledgeStatus.ALLOCATED if full else PledgeStatus.PARTLY_ALLOCATED)
        session.execute(_core(Pledge).update().where(Pledge.id == pledge_ids[i]).values(status=pledge_status))
    rows.sort(key=lambda r: (r["pledge_id"], r["need_id"]))
    table_of_need = {need_ids[j]: table_of_key[need_project[j][1]] for j in range(len(need_ids))}
    alloc_ids = _ids(session, Allocation, rows)
    for aid, row in zip(alloc_ids, rows):
        if row["decided_at"] is None:
            continue
        tid = table_of_need[row["need_id"]]
        audit_rows.append(dict(at=row["decided_at"], actor_id=row["decided_by_id"], action="allocation.accepted",
                               object_type="allocations", object_id=aid, table_id=tid,
                               before={"status": "proposed"}, after={"status": "accepted", "quantity": row["quantity"]}))
        if row["status"] is AllocationStatus.DELIVERED:
            audit_rows.append(dict(at=row["decided_at"] + timedelta(days=5), actor_id=row["decided_by_id"],
                                   action="allocation.delivered", object_type="allocations", object_id=aid, table_id=tid,
                                   before={"status": "accepted"}, after={"status": "delivered"}))
    session.execute(_core(MatchingRun).update().where(MatchingRun.id == run_id).values(
        n_proposed=len(rows), n_pairs=len(rows)))
    return len(rows)
