"""The API's views: one list route (and one item route) per resource, the .pb files, the bulk downloads,
the index and the OpenAPI document.

Imports flask and models. Each view reads the database through dash_app.db's reader (no session, no
cookie, nothing written), builds its body, and answers through dash_app.api.http (ETag, 304, caching).
"""
from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from flask import Blueprint, request

import models.pb.cycles as pb_cycles
from dash_app.api import http
from dash_app.api.resources import (
    BULK_DATASETS,
    BULK_FILES,
    BULK_FORMATS,
    BULK_ITEMS,
    PAGING,
    RESOURCES,
    Resource,
    parse_id,
)
from dash_app.api.spec import PREFIX, SCHEMAS, build_spec
from dash_app.db import get_db
from models.core.errors import DomainError
from models.opendata import queries as q


class BadParameter(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _parse(filters, args) -> dict:
    """The request's known parameters, parsed; an invalid one raises BadParameter (unknown ones are ignored)."""
    out = {}
    for f in filters:
        raw = args.get(f.name)
        if raw is None:
            continue
        try:
            out[f.name] = f.parse(raw)
        except ValueError:
            raise BadParameter(f.name) from None
    return out


def _link(path: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{query}" if query else path


def pb_files(item: dict) -> list[str]:
    """The .pb addresses of a published cycle: one per heading when it has district budgets."""
    if item.get("results") is None:
        return []
    base = f"{PREFIX}/pb-cycles/{item['id']}/ballots.pb"
    headings = item["results"]["headings"]
    return [f"{base}?heading={h['id']}" for h in headings] if headings else [base]


def _decorate(resource: Resource, item: dict) -> dict:
    return {**item, "pb_files": pb_files(item)} if resource.name == "pb-cycles" else item


def list_view(resource: Resource):
    def view():
        given = _parse((*resource.filters, *PAGING), request.args)
        limit = given.pop("limit", q.DEFAULT_LIMIT)
        cursor = given.pop("cursor", None)
        with get_db().reader() as s:
            page = resource.fetch(s, given, cursor, limit)
        path = f"{PREFIX}/{resource.name}"
        raw = {f.name: request.args.get(f.name) for f in resource.filters if f.name in given}
        nxt = page["next_cursor"]
        return http.json_response({
            "items": [_decorate(resource, i) for i in page["items"]], "next_cursor": nxt,
            "links": {"self": _link(path, {**raw, "limit": limit, "cursor": cursor}),
                      "next": _link(path, {**raw, "limit": limit, "cursor": nxt}) if nxt is not None else None}})

    view.__name__ = f"list_{resource.name.replace('-', '_')}"
    return view


def one_view(resource: Resource):
    def view(**kw):
        try:
            key = parse_id(str(kw[resource.one_param]))
        except ValueError:
            return http.error(404, "not_found")
        with get_db().reader() as s:
            item = resource.one(s, key) if resource.one is not None else None
        if item is None:
            return http.error(404, "not_found")
        return http.json_response(_decorate(resource, item))

    view.__name__ = f"get_{resource.name.replace('-', '_')}"
    return view


def pb_file(cycle_id: str):
    try:
        cid = parse_id(cycle_id)
        heading = _parse_heading()
    except ValueError:
        return http.error(400, "bad_parameter", parameter="heading")
    try:
        with get_db().reader() as s:
            text = pb_cycles.published_pb(s, cid, heading)
    except DomainError as exc:
        if exc.code == "pb_heading_required":
            return http.error(400, "bad_parameter", parameter="heading")
        return http.error(404, "not_found")
    return http.cached(text.encode("utf-8"), "text/plain",
                       extra={"Content-Disposition": f'inline; filename="hamyar-pb-cycle-{cid}.pb"'})


def _parse_heading() -> int | None:
    raw = request.args.get("heading")
    return None if raw is None else parse_id(raw)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a milestone's need ids: one cell, space-separated
        return " ".join(_csv_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # A cell Excel would run as a formula (=, +, -, @ first) is quoted as text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def bulk_csv(dataset: str, rows: list[dict]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Persian text as Persian."""
    columns = list(SCHEMAS[BULK_ITEMS[dataset]]["properties"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([_csv_cell(r.get(c)) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def bulk(file: str):
    if file not in BULK_FILES:
        return http.error(404, "not_found")
    dataset, _, fmt = file.rpartition(".")
    with get_db().reader() as s:
        rows = q.bulk(s, dataset)
    attachment = {"Content-Disposition": f'attachment; filename="hamyar-{dataset}.{fmt}"'}
    if fmt == "csv":
        return http.cached(bulk_csv(dataset, rows), "text/csv", extra=attachment)
    body = http.dumps({"dataset": dataset, "count": len(rows), "items": rows})
    return http.cached(body, "application/json", extra=attachment)


def index():
    return http.json_response({
        "version": "1", "openapi": f"{PREFIX}/openapi.json", "documentation": "/api",
        "resources": {r.name: f"{PREFIX}/{r.name}" for r in RESOURCES},
        "bulk": {f"{d}.{fmt}": f"{PREFIX}/bulk/{d}.{fmt}" for d in BULK_DATASETS for fmt in BULK_FORMATS}})


def openapi():
    return http.json_response(build_spec())


def register(bp: Blueprint) -> None:
    for r in RESOURCES:
        bp.add_url_rule(f"{PREFIX}/{r.name}", view_func=list_view(r), methods=["GET"])
        if r.one is not None:
            bp.add_url_rule(f"{PREFIX}/{r.name}/<{r.one_param}>", view_func=one_view(r), methods=["GET"])
    bp.add_url_rule(f"{PREFIX}/pb-cycles/<cycle_id>/ballots.pb", view_func=pb_file, methods=["GET"])
    bp.add_url_rule(f"{PREFIX}/bulk/<file>", view_func=bulk, methods=["GET"])
    bp.add_url_rule(f"{PREFIX}/", view_func=index, methods=["GET"])
    bp.add_url_rule(f"{PREFIX}/openapi.json", view_func=openapi, methods=["GET"])


__all__ = ["BadParameter", "bulk_csv", "pb_files", "register"]
