"""How bytes reach a phone: compressed, and cached for as long as they cannot change.

Imports flask and flask-compress only. A first visit on a slow mobile network (Lighthouse's profile:
1.6 Mbit/s, 150 ms round trips) spent 11.9 s and 2,170 KiB before this: nothing was compressed and
the vendor stylesheets were revalidated on every visit (issue 19, bench/first_visit.py measures it).

- Every text response (pages, Dash's JSON, CSS, JS, SVG) is compressed with brotli, or gzip for a
  client without it (flask-compress, the extension Dash's own `compress=True` uses; configured here
  because Dash would pick gzip only).
- The vendored front-end files are compressed once, at the strongest setting (brotli 11 makes
  Bootstrap's stylesheet ~15 % smaller than the per-request level), kept in memory, and served under
  a fingerprint of their contents,
  `assets/vendor/<fingerprint>/…`, with a one-year `immutable` lifetime: a new install changes the
  fingerprint, so a browser never keeps a stale file and never asks again for a current one. The
  fonts the stylesheets name by relative URL get the same lifetime.
- Hamyar's own files in assets/ carry Dash's `?m=<mtime>` and get the same lifetime; Dash already
  does it for its component suites.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path

import brotli
from flask import Flask, Response, abort, request
from flask_compress import Compress
from werkzeug.security import safe_join

from dash_app import assets as vendor

IMMUTABLE = "public, max-age=31536000, immutable"
# brotli at level 5 costs ~1 ms on a 60 KiB JSON answer here and saves ~8 % over gzip level 6.
COMPRESSION = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],
    "COMPRESS_BR_LEVEL": 5,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
}


def fingerprint(vendor_dir: Path = vendor.VENDOR_DIR) -> str:
    """12 hex digits that change whenever any vendored file the pages load changes."""
    digest = hashlib.sha256()
    for rel in vendor.REQUIRED:
        path = vendor_dir / rel
        digest.update(rel.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()[:12]


def init_delivery(server: Flask, assets_url: str) -> None:
    """Compression and caching on `server`; `assets_url` is Dash's assets prefix (e.g. "/assets/")."""
    for key, value in COMPRESSION.items():
        server.config.setdefault(key, value)
    Compress(server)
    fp = fingerprint()
    server.extensions[vendor.FINGERPRINT_KEY] = fp

    # More specific than Dash's own `assets/<path>` rule, so Flask routes fingerprinted URLs here.
    @server.route(f"{assets_url}vendor/<fp_in_url>/<path:filename>", endpoint="hamyar_vendor")
    def _vendor(fp_in_url: str, filename: str):
        path = safe_join(str(vendor.VENDOR_DIR), filename)
        if path is None or not Path(path).is_file():
            abort(404)
        encoding = _encoding_for(request.headers.get("Accept-Encoding", ""), path)
        response = Response(_file_bytes(path, encoding, fp), mimetype=_mimetype(path))
        if encoding:
            response.headers["Content-Encoding"] = encoding  # flask-compress leaves it alone then
        response.vary.add("Accept-Encoding")
        # An old fingerprint still gets today's file (a page cached before an upgrade), but only the
        # current one may be kept for a year.
        response.headers["Cache-Control"] = IMMUTABLE if fp_in_url == fp else "no-cache"
        return response

    @server.after_request
    def _cache_own_assets(response):
        if (request.path.startswith(assets_url) and "m" in request.args and response.status_code == 200
                and not request.path.startswith(f"{assets_url}vendor/")):
            response.headers["Cache-Control"] = IMMUTABLE
        return response



ALREADY_COMPRESSED = (".woff2", ".woff", ".png", ".jpg", ".webp")


def _mimetype(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def _encoding_for(accept: str, path: str) -> str | None:
    if path.endswith(ALREADY_COMPRESSED):
        return None
    offered = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return "br" if "br" in offered else "gzip" if "gzip" in offered else None


@lru_cache(maxsize=64)
def _file_bytes(path: str, encoding: str | None, fp: str) -> bytes:
    """A vendored file's bytes, compressed once per encoding (`fp` keys the cache to the install)."""
    data = Path(path).read_bytes()
    if encoding == "br":
        return brotli.compress(data, quality=11)
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    return data
