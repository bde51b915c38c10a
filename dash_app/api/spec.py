"""The API's OpenAPI 3.1 document, generated from the resource table (dash_app.api.resources) and the item
schemas below, which are written by hand to say exactly what models.opendata returns (no extra keys:
tests/api fuzz the app against them).

Imports flask-babel and dash_app.api only. The document is in English; /api shows it in either language.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from flask_babel import force_locale

from dash_app.api.resources import BULK_FILES, BULK_ITEMS, ID_SCHEMA, PAGING, RESOURCES, Resource
from dash_app.i18n import _l
from models.core.enums import (
    UNIT_OF_KIND,
    DistrictLevel,
    HelpKind,
    Horizon,
    PBBallotRule,
    PBCountingRule,
    PBPhase,
    ProjectKind,
    RunScope,
    RunStatus,
)
from models.opendata.privacy import MIN_CONTRIBUTORS
from models.opendata.queries import PUBLIC_PROJECT_STATUSES
from models.orm.proposals import ANSWER_TYPES, PROPOSAL_STATUSES

API_VERSION = "1.0.0"
PREFIX = "/api/v1"


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": props, "required": required or list(props),
            "additionalProperties": False}


def _null(schema: dict) -> dict:
    """The schema or null (OpenAPI 3.1 is JSON Schema 2020-12: a list of types, no `nullable`)."""
    if "type" in schema and "enum" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _enum(values) -> dict:
    return {"type": "string", "enum": [getattr(v, "value", v) for v in values]}


STR = {"type": "string"}
INT = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
NUM = {"type": "number"}
WHEN = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "format": "date"}
REF = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": REF + name}


_NEED_FIGURE = {"type": ["integer", "null"], "minimum": 0}
_RUN = {"id": INT, "scope": _enum(RunScope), "table_id": _null(INT), "status": _enum(RunStatus),
        "started_at": WHEN, "finished_at": _null(WHEN), "n_pledges": COUNT, "n_needs": COUNT, "n_pairs": COUNT,
        "n_proposed": COUNT, "n_withdrawn": COUNT, "objective": _null(NUM), "gap": _null(NUM),
        "seconds": _null(NUM)}
_PROJECT = {
    "id": INT, "table_id": INT, "kind": _enum(ProjectKind), "status": _enum(PUBLIC_PROJECT_STATUSES),
    "title_fa": STR, "title_en": STR, "summary_fa": STR, "summary_en": STR, "horizon": _null(_enum(Horizon)),
    "district_id": _null(INT), "priority": {"type": "integer", "minimum": 1, "maximum": 10},
    "pb_support": {"type": "number", "minimum": 0}, "estimated_cost_rials": COUNT,
    "created_at": _null(WHEN), "updated_at": _null(WHEN),
    "contributors": {**_NEED_FIGURE, "description": f"People whose help was accepted; null below {MIN_CONTRIBUTORS}."},
}

_INDICATOR = {
    "id": INT, "project_id": INT, "name": STR, "unit": STR,
    "baseline": {**_null(NUM), "description": "Empty on a replicated project until its own table measures it."},
    "target": NUM, "source": STR, "baseline_on": _null(DAY), "target_on": _null(DAY),
    "latest": {**_null(NUM), "description": "The newest point's value, else the baseline."},
}

SCHEMAS: dict[str, dict] = {
    "District": _obj({"id": INT, "slug": STR, "name_fa": STR, "name_en": STR, "level": _enum(DistrictLevel),
                      "parent_id": _null(INT), "population_2016": _null(COUNT), "lat": _null(NUM), "lon": _null(NUM)}),
    "Table": _obj({"id": INT, "slug": STR, "name_fa": STR, "name_en": STR, "domain": STR, "description_fa": STR,
                   "description_en": STR, "archived": {"type": "boolean"},
                   "chair_name": {**_null(STR), "description": "Only when the chair chose to be named publicly."},
                   "members": COUNT, "projects": COUNT}),
    "Need": _obj({"id": INT, "project_id": INT, "kind": _enum(HelpKind), "unit": _enum(UNIT_OF_KIND.values()),
                  "quantity": {"type": "integer", "minimum": 1}, "description": STR,
                  "window_start": _null(DAY), "window_end": _null(DAY),
                  "accepted": _NEED_FIGURE, "delivered": _NEED_FIGURE, "proposed": _NEED_FIGURE,
                  "contributors": _NEED_FIGURE,
                  "suppressed": {"type": "boolean", "description": (
                      f"True when one to {MIN_CONTRIBUTORS - 1} people gave to the need: its figures are then "
                      "null, so that nobody can read off what one person gave.")}}),
    "Project": _obj({**_PROJECT, "needs": {"type": "array", "items": _ref("Need")}}),
    "ProjectRow": _obj({**_PROJECT, "needs": COUNT}),
    "PBCycleProject": _obj({"project_id": INT, "cost_rials": COUNT, "heading_id": _null(INT)}),
    "PBResultProject": _obj({"project_id": INT, "cost_rials": COUNT, "votes": COUNT, "funded": {"type": "boolean"}}),
    "PBResultRow": _obj({"cycle_id": INT, "project_id": INT, "cost_rials": COUNT, "votes": COUNT,
                         "funded": {"type": "boolean"}}),
    "PBHeading": _obj({"id": INT, "district_id": _null(INT), "budget_rials": COUNT, "spent_rials": COUNT,
                       "ballots": COUNT}),
    "PBResults": _obj({"ballots": COUNT, "spent_rials": COUNT, "budget_left_rials": INT,
                       "projects": {"type": "array", "items": _ref("PBResultProject")},
                       "headings": {"type": "array", "items": _ref("PBHeading")}}),
    "PBCycle": _obj({"id": INT, "name_fa": STR, "name_en": STR, "phase": _enum(PBPhase), "budget_rials": COUNT,
                     "ballot_rule": _enum(PBBallotRule), "max_approvals": _null(COUNT),
                     "counting_rule": _enum(PBCountingRule),
                     "voting_opens_at": _null(WHEN), "voting_closes_at": _null(WHEN),
                     "projects": {"type": "array", "items": _ref("PBCycleProject")},
                     "results": _null(_ref("PBResults")),
                     "pb_files": {"type": "array", "items": STR,
                                  "description": "The anonymised ballots in pabulib's .pb format, once published."}}),
    "MatchingRun": _obj(_RUN),
    "Milestone": _obj({"id": INT, "project_id": INT, "title": STR, "due_on": DAY, "done_on": _null(DAY),
                       "late": {"type": "boolean", "description": "Not done by its due date, or done after it."},
                       "responsible": {**STR, "description": "Who answers for it, as the chair wrote it."},
                       "need_ids": {"type": "array", "items": INT, "description": "The project's needs it uses."}}),
    "IndicatorPoint": _obj({"on": DAY, "value": NUM}),
    "Indicator": _obj({**_INDICATOR, "points": {
        "type": "array", "items": _ref("IndicatorPoint"),
        "description": "The curve: the dated baseline, then each value the chair measured, in date order."}}),
    "IndicatorRow": _obj({**_INDICATOR, "points": COUNT}),
    "IndicatorPointRow": _obj({"indicator_id": INT, "project_id": INT, "on": DAY, "value": NUM}),
    "Proposal": _obj({
        "id": INT, "kind": _enum(("problem", "talent")), "status": _enum(PROPOSAL_STATUSES),
        "table_id": {**_null(INT), "description": "None: the citizen did not know which table."},
        "district_id": INT, "title": STR, "body": STR, "affected": STR, "evidence": STR, "since": STR,
        "serves": STR, "duration": STR, "place": STR,
        "supporters": {**COUNT, "description": "How many people support it; never who."},
        "created_at": WHEN, "answer_type": _null(_enum(ANSWER_TYPES)),
        "answer_text": {**STR, "description": "The table's answer: its reasons, for the citizen and everyone."},
        "decided_at": _null(WHEN), "forwarded_from_table_id": _null(INT), "merged_into_id": _null(INT),
        "project_id": {**_null(INT), "description": "The project it was adopted as."}}),
    "ReferralFigures": _obj({
        "of": _enum(("table", "organization")), "id": INT, "name_fa": STR, "name_en": STR,
        "received": COUNT, "due": {**COUNT, "description": "Answered, or past their first deadline."},
        "on_time": {**COUNT, "description": "First answer by the end of the first deadline (out of due)."},
        "answered": COUNT,
        "adopted": {**COUNT, "description": "Answered, and the latest answer accepted it or promised to act."},
        "median_days": {**_null({"type": "number", "minimum": 0}),
                        "description": "Median calendar days from sending to the first answer."}}),
    "Links": _obj({"self": STR, "next": _null(STR)}),
    "Error": {"type": "object", "required": ["error"], "additionalProperties": False, "properties": {
        "error": {"type": "object", "required": ["status", "code", "message", "message_fa"],
                  "properties": {"status": INT, "code": STR, "message": STR, "message_fa": STR,
                                 "parameter": STR}}}},
    "Index": _obj({"version": STR, "openapi": STR, "documentation": STR,
                   "resources": {"type": "object", "additionalProperties": STR},
                   "bulk": {"type": "object", "additionalProperties": STR}}),
    "Bulk": _obj({"dataset": STR, "count": COUNT, "items": {"type": "array", "items": {"type": "object"}}}),
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


ETAG_HEADER = {"ETag": {"description": "A strong tag of the body; send it back in If-None-Match.",
                        "schema": STR}}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": STR,
                 "description": "An ETag from an earlier answer: 304 without a body when nothing changed."}
IF_NONE_MATCH_TEXT = _l("An ETag from an earlier answer: 304 without a body when nothing changed.")
COMMON_ERRORS = {"304": {"description": "Not modified: the ETag sent in If-None-Match is still current.",
                         "headers": ETAG_HEADER},
                 "429": _error("Too many requests from this address.")}


def _ok(schema: dict, description: str = "OK", mimetype: str = "application/json") -> dict:
    return {"description": description, "headers": ETAG_HEADER, "content": {mimetype: {"schema": schema}}}


def _param(f, where: str = "query", required: bool = False) -> dict:
    return {"name": f.name, "in": where, "required": required, "description": str(f.description),
            "schema": f.schema}


def _list_operation(r: Resource) -> dict:
    page = _obj({"items": {"type": "array", "items": _ref(r.item)}, "next_cursor": _null(INT),
                 "links": _ref("Links")})
    return {"get": {"operationId": f"list_{r.name.replace('-', '_')}", "tags": [r.name], "summary": str(r.summary),
                    "parameters": [_param(f) for f in (*r.filters, *PAGING)] + [IF_NONE_MATCH],
                    "responses": {"200": _ok(page), "400": _error("A parameter is not valid."), **COMMON_ERRORS}}}


def _one_operation(r: Resource) -> dict:
    param = {"name": r.one_param, "in": "path", "required": True, "schema": ID_SCHEMA}
    return {"get": {"operationId": f"get_{r.name.replace('-', '_')}", "tags": [r.name],
                    "summary": str(_l("One item, by its id.")), "parameters": [param, IF_NONE_MATCH],
                    "responses": {"200": _ok(_ref(r.item)), "404": _error("No such public item."), **COMMON_ERRORS}}}


def _other_paths() -> dict:
    cycle = {"name": "cycle_id", "in": "path", "required": True, "schema": ID_SCHEMA}
    heading = {"name": "heading", "in": "query", "required": False, "schema": ID_SCHEMA,
               "description": str(_l("A cycle with district budgets has one file per heading: which one."))}
    bulk_file = {"name": "file", "in": "path", "required": True, "schema": {"type": "string", "enum": list(BULK_FILES)},
                 "description": str(_l("A dataset and a format: {names}; .csv or .json.")).format(
                     names=", ".join(BULK_ITEMS))}
    return {
        f"{PREFIX}/": {"get": {"operationId": "index", "summary": str(_l("What the API holds and where.")),
                               "parameters": [IF_NONE_MATCH],
                               "responses": {"200": _ok(_ref("Index")), **COMMON_ERRORS}}},
        f"{PREFIX}/openapi.json": {"get": {"operationId": "openapi", "summary": str(_l("This document: the API described in OpenAPI 3.1.")),
                                           "parameters": [IF_NONE_MATCH],
                                           "responses": {"200": _ok({"type": "object"}), **COMMON_ERRORS}}},
        f"{PREFIX}/pb-cycles/{{cycle_id}}/ballots.pb": {"get": {
            "operationId": "pb_file", "tags": ["pb-cycles"],
            "summary": str(_l("A published cycle's anonymised ballots in pabulib's .pb format.")),
            "parameters": [cycle, heading, IF_NONE_MATCH],
            "responses": {"200": _ok(STR, mimetype="text/plain"),
                          "400": _error("The cycle has district budgets and no valid heading was named."),
                          "404": _error("No published cycle with this id."), **COMMON_ERRORS}}},
        f"{PREFIX}/bulk/{{file}}": {"get": {
            "operationId": "bulk", "tags": ["bulk"],
            "summary": str(_l("A whole dataset in one file: CSV (UTF-8 with a byte-order mark, for Excel) or JSON.")),
            "parameters": [bulk_file, IF_NONE_MATCH],
            "responses": {"200": {"description": "The file.", "headers": ETAG_HEADER,
                                  "content": {"application/json": {"schema": _ref("Bulk")},
                                              "text/csv": {"schema": STR}}},
                          "404": _error("No such dataset or format."), **COMMON_ERRORS}}},
    }


DESCRIPTION = _l(
    "Hamyar's open data: the county's specialized tables, their projects and needs, targets and milestones, "
    "participatory budgeting and matching, citizens' proposals with the tables' answers and the referral "
    "figures, read-only and public. No personal data: no phone numbers, e-mails or account ids; a name only "
    "where a chair chose to be named (a proposal's author and supporters never: supporters as a count); what "
    "people gave only as totals over at least three people. Lists are paged with `limit` and `cursor`; every answer has a strong ETag (send it back in "
    "If-None-Match for a 304) and may be cached for a minute.")


@cache
def build_spec(lang: str = "en") -> dict:
    """The document, built once per process and language: English is the published one (openapi.json),
    the Persian one is what /api shows in Persian."""
    with force_locale(lang):
        paths = _other_paths()
        for r in RESOURCES:
            paths[f"{PREFIX}/{r.name}"] = _list_operation(r)
            if r.one is not None:
                paths[f"{PREFIX}/{r.name}/{{{r.one_param}}}"] = _one_operation(r)
        return {
            "openapi": "3.1.0",
            "info": {"title": "Hamyar open data", "version": API_VERSION, "description": str(DESCRIPTION),
                     "license": {"name": "Open data", "identifier": "CC-BY-4.0"}},
            "paths": dict(sorted(paths.items())),
            "components": {"schemas": SCHEMAS},
        }


__all__ = ["API_VERSION", "PREFIX", "SCHEMAS", "build_spec"]
