"""The table the API is made from: each public list (its path, filters, item schema, query and bulk file).

Imports flask-babel and models.opendata only. A route, its OpenAPI operation and its documentation row are
all generated from one `Resource` here (dash_app.api.routes, dash_app.api.spec, dash_app.api.docs), so they
cannot drift apart. To publish another list, write its query in models.opendata returning
{"items", "next_cursor"}, its item schema in dash_app.api.spec.SCHEMAS, and add a Resource below (and its
flat bulk dataset in models.opendata.queries.BULK with its schema in BULK_ITEMS).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash_app.i18n import _l
from models.core.enums import PBPhase, ProjectKind, ProjectStatus, RunScope, RunStatus
from models.opendata import queries as q
from models.orm.proposals import PROPOSAL_STATUSES

MAX_ID = 2**31 - 1   # ids are 32-bit in every table; a larger number names nothing (and SQLite would overflow)


def parse_id(text: str) -> int:
    """A positive id written in ASCII digits; anything else raises ValueError (a 400)."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise ValueError(text)
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValueError(text)
    return value


def parse_limit(text: str) -> int:
    value = parse_id(text)
    if value > q.MAX_LIMIT:
        raise ValueError(text)
    return value


def parse_cursor(text: str) -> int:
    if text == "0":
        return 0
    return parse_id(text)


def _enum(enum_type, values: tuple[str, ...] | None = None) -> tuple[Callable[[str], Any], dict]:
    allowed = values or tuple(e.value for e in enum_type)

    def parse(text: str):
        if text not in allowed:
            raise ValueError(text)
        return enum_type(text)

    return parse, {"type": "string", "enum": list(allowed)}


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


@dataclass(frozen=True)
class Filter:
    name: str
    description: Any                      # a lazy string (English in the spec, translated on /api)
    parse: Callable[[str], Any]
    schema: dict


@dataclass(frozen=True)
class Resource:
    name: str                             # the path under /api/v1/ and the operation's tag
    summary: Any
    item: str                             # the item's schema in dash_app.api.spec.SCHEMAS
    fetch: Callable[..., dict]            # (session, filters by name, cursor, limit) -> page
    filters: tuple[Filter, ...] = ()
    one: Callable[..., dict | None] | None = None   # (session, id) -> item, for /api/v1/<name>/{id}
    one_param: str = "id"
    bulk: str | None = None               # its bulk dataset (models.opendata.queries.BULK)


def _project_query(f: dict) -> q.ProjectQuery:
    return q.ProjectQuery(table_id=f.get("table"), district_id=f.get("district"), status=f.get("status"),
                          kind=f.get("kind"))


_project_status = _enum(ProjectStatus, tuple(s.value for s in q.PUBLIC_PROJECT_STATUSES))
_project_kind = _enum(ProjectKind)
_phase = _enum(PBPhase)
_run_status = _enum(RunStatus)
_scope = _enum(RunScope)

TABLE_FILTER = Filter("table", _l("Only what belongs to this table (its id)."), parse_id, ID_SCHEMA)
PROJECT_FILTER = Filter("project", _l("Only this project's (its id)."), parse_id, ID_SCHEMA)
_proposal_status = _enum(str, PROPOSAL_STATUSES)
_proposal_kind = _enum(str, ("problem", "talent"))
_addressee = _enum(str, ("table", "organization"))


def _result_query(f: dict) -> q.ResultQuery:
    return q.ResultQuery(project_id=f.get("project"), table_id=f.get("table"))

RESOURCES: tuple[Resource, ...] = (
    Resource("districts", _l("The county's places: districts, cities and rural districts, with the census figures."),
             "District", lambda s, f, c, n: q.list_districts(s, c, n), bulk="districts"),
    Resource("tables", _l("The specialized tables, with their members and projects counted."),
             "Table", lambda s, f, c, n: q.list_tables(s, c, n), bulk="tables"),
    Resource("projects", _l("Published projects with their needs and how much of each is covered."),
             "Project", lambda s, f, c, n: q.list_projects(s, _project_query(f), c, n),
             filters=(TABLE_FILTER,
                      Filter("district", _l("Only projects in this place or in any place inside it (its id)."),
                             parse_id, ID_SCHEMA),
                      Filter("status", _l("Only projects in this state."), *_project_status),
                      Filter("kind", _l("Only problem-oriented or only talent-oriented projects."), *_project_kind)),
             one=q.get_project, one_param="project_id", bulk="projects"),
    Resource("pb-cycles", _l("Participatory-budgeting cycles; the counts per project once results are published."),
             "PBCycle", lambda s, f, c, n: q.list_pb_cycles(s, f.get("phase"), c, n),
             filters=(Filter("phase", _l("Only cycles in this phase."), *_phase),),
             one=q.get_pb_cycle, one_param="cycle_id", bulk="pb-results"),
    Resource("matching-runs", _l("The matching runs' summaries: what each run saw, proposed and how long it took."),
             "MatchingRun", lambda s, f, c, n: q.list_runs(s, q.RunQuery(f.get("table"), f.get("status"),
                                                                         f.get("scope")), c, n),
             filters=(TABLE_FILTER,
                      Filter("status", _l("Only runs that ended this way."), *_run_status),
                      Filter("scope", _l("Only county-wide runs or only one table's runs."), *_scope)),
             bulk="matching-runs"),
    Resource("milestones", _l("Each published project's path: its milestones, when due and done, and which are late."),
             "Milestone", lambda s, f, c, n: q.list_milestones(s, _result_query(f), c, n),
             filters=(PROJECT_FILTER, TABLE_FILTER), bulk="milestones"),
    Resource("indicators", _l("Each published project's indicators: baseline, target and the measured points."),
             "Indicator", lambda s, f, c, n: q.list_indicators(s, _result_query(f), c, n),
             filters=(PROJECT_FILTER, TABLE_FILTER), bulk="indicators"),
    Resource("proposals", _l("Citizens' proposals and the tables' answers; supporters as a count, never a name."),
             "Proposal", lambda s, f, c, n: q.list_proposals(s, q.ProposalQuery(
                 f.get("table"), f.get("district"), f.get("status"), f.get("kind")), c, n),
             filters=(TABLE_FILTER,
                      Filter("district", _l("Only proposals in this place or in any place inside it (its id)."),
                             parse_id, ID_SCHEMA),
                      Filter("status", _l("Only proposals in this state."), *_proposal_status),
                      Filter("kind", _l("Only problems or only untapped talents."), *_proposal_kind)),
             bulk="proposals"),
    Resource("referral-figures", _l("Each table's and organization's referrals: received, answered on time, "
                                    "median days to answer, adopted."),
             "ReferralFigures", lambda s, f, c, n: q.list_referral_figures(s, f.get("of"), c, n),
             filters=(Filter("of", _l("Only the tables' or only the organizations' figures."), *_addressee),),
             bulk="referral-figures"),
)

BULK_FORMATS = ("csv", "json")
BULK_DATASETS = tuple(q.BULK)
BULK_FILES = tuple(f"{d}.{fmt}" for d in BULK_DATASETS for fmt in BULK_FORMATS)
BULK_ITEMS = {"districts": "District", "tables": "Table", "projects": "ProjectRow", "needs": "Need",
              "pb-results": "PBResultRow", "matching-runs": "MatchingRun", "milestones": "Milestone",
              "indicators": "IndicatorRow", "indicator-points": "IndicatorPointRow", "proposals": "Proposal",
              "referral-figures": "ReferralFigures"}
PAGING = (
    Filter("limit", _l("How many items a page holds (1 to 200; 50 when not given)."), parse_limit,
           {"type": "integer", "minimum": 1, "maximum": q.MAX_LIMIT, "default": q.DEFAULT_LIMIT}),
    Filter("cursor", _l("Where the page starts: the next_cursor of the page before (none for the first page)."),
           parse_cursor, {"type": "integer", "minimum": 0, "maximum": MAX_ID}),
)


def by_name() -> dict[str, Resource]:
    return {r.name: r for r in RESOURCES}


__all__ = ["BULK_DATASETS", "BULK_FILES", "BULK_FORMATS", "BULK_ITEMS", "MAX_ID", "PAGING", "RESOURCES", "Filter",
           "Resource", "by_name", "parse_cursor", "parse_id", "parse_limit"]
