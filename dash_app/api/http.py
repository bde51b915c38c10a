"""The API's HTTP manners: JSON bodies, strong ETags from the content, conditional GETs, caching, CORS, and
errors as JSON with a sentence in both languages.

Imports flask and flask-babel only. Every answer is the same for everyone (no session, no cookie is read or
set: dash_app.auth leaves /api alone), so a shared cache may keep it; the ETag is a hash of the bytes.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, request
from flask_babel import force_locale

from dash_app.i18n import _l

CACHE_CONTROL = "public, max-age=60"
JSON_TYPE = "application/json; charset=utf-8"
# flask-compress turns a strong tag "abc" into "abc:br" (or :gzip) on the compressed body; a client sends
# that back, and it names the same content.
_CODINGS = (":br", ":gzip", ":deflate")

ERRORS = {
    "not_found": _l("There is nothing at this address in the API. The list of addresses is at /api."),
    "bad_parameter": _l("A parameter of the request is not valid: see the API's documentation at /api."),
    "method_not_allowed": _l("The API only answers GET (and HEAD): it is read-only."),
    "rate_limited": _l("Too many requests from this address. Wait a minute and try again."),
}


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def _tags(header: str) -> set[str]:
    out = set()
    for part in header.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        for coding in _CODINGS:
            tag = tag.removesuffix(coding)
        if tag:
            out.add(tag)
    return out


def not_modified(tag: str) -> bool:
    """If-None-Match names this content (weak comparison, as RFC 9110 asks of If-None-Match)."""
    header = request.headers.get("If-None-Match", "")
    return header.strip() == "*" or tag in _tags(header)


def cached(body: bytes, mimetype: str, *, extra: dict[str, str] | None = None) -> Response:
    """A 200 with its ETag, or a 304 without a body when the client has this content already."""
    tag = etag_of(body)
    headers = {"Cache-Control": CACHE_CONTROL, **(extra or {})}
    if not_modified(tag):
        response = Response(status=304, headers=headers)
    else:
        response = Response(body, status=200, mimetype=mimetype, headers=headers)
    response.set_etag(tag)
    return response


def json_response(data: Any) -> Response:
    return cached(dumps(data), "application/json")


def message(code: str) -> tuple[str, str]:
    """The error's sentence in English and in Persian."""
    texts = []
    for lang in ("en", "fa"):
        with force_locale(lang):
            texts.append(str(ERRORS[code]))  # a lazy string: worded in the locale forced here
    return texts[0], texts[1]


def error(status: int, code: str, **detail: Any) -> Response:
    en, fa = message(code)
    body = {"error": {"status": status, "code": code, "message": en, "message_fa": fa, **detail}}
    response = Response(dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def cors(response: Response) -> Response:
    """Anyone's page may read the API (it is public and read-only; no credentials are involved)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    return response


__all__ = ["CACHE_CONTROL", "ERRORS", "cached", "cors", "dumps", "error", "etag_of", "json_response",
           "message", "not_modified"]
