"""The upload routes: POST /uploads takes one file, GET /uploads/<token> serves one.

Imports flask, flask-login and models. Files travel outside Dash's callbacks on purpose: a phone
photo is several megabytes, and every callback request stays under the app's 2 MB limit; only this
route accepts up to models.core.uploads.MAX_BYTES (plus the form's overhead). The page's file input
(dash_app.ui.uploads.upload_field) posts here from assets/hamyar-upload.js and puts the returned
token into a hidden input that the page's callback reads; the area's domain operation then attaches
the uploads it was given, checking they belong to the person (models.core.uploads.uploads_by_token).

Served files carry their checked type, `nosniff`, a sandboxing Content-Security-Policy and, for PDFs,
`attachment`, so nothing sent by a person ever runs in another person's browser.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Flask, Response, jsonify, request

from dash_app.auth import CSRF_HEADER, csrf_valid, current_user_id
from dash_app.db import get_db
from models.core import uploads
from models.core.errors import DomainError
from models.orm.people import User

UPLOAD_PATH = "/uploads"
FORM_OVERHEAD = 64 * 1024
UPLOADS_PER_PERSON = "60 per hour"
CACHE_SECONDS = 600


def _error(status: int, code: str, **params):
    from dash_app.i18n import error_message

    return jsonify({"error": code, "message": error_message(code, **params)}), status


def upload_post():
    user_id = current_user_id()
    if user_id is None:
        return _error(401, "upload_sign_in")
    if not csrf_valid(request.headers.get(CSRF_HEADER)):
        return _error(403, "csrf_failed")
    sent = request.files.get("file")
    if sent is None:
        return _error(400, "upload_empty")
    data = sent.stream.read(uploads.MAX_BYTES + 1)
    try:
        with get_db().unit_of_work() as s:
            upload = uploads.store_upload(s, user_id, request.form.get("purpose", ""), sent.filename, data)
            answer = {"token": upload.token, "name": upload.name, "kind": upload.kind, "size": upload.size,
                      "url": f"{UPLOAD_PATH}/{upload.token}"}
    except DomainError as exc:
        from dash_app.i18n import error_message

        return jsonify({"error": exc.code, "message": error_message(exc)}), exc.http_status
    return jsonify(answer), 201


def upload_get(token: str):
    user_id = current_user_id()
    try:
        with get_db().reader() as s:
            user = s.get(User, user_id) if user_id is not None else None
            upload, data = uploads.read_upload(s, user, token)
            content_type, name, kind = upload.content_type, upload.name, upload.kind
            public = uploads.visible_to_anyone(s, upload)
    except DomainError:
        return Response("Not found", 404, {"Content-Type": "text/plain; charset=utf-8",
                                           "X-Content-Type-Options": "nosniff"})
    disposition = "inline" if kind == "image" else "attachment"
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
        # a file's bytes never change under its token, but who may see it does (a moderator hides it, its project
        # goes back to draft): kept ten minutes at most, and a private one out of shared caches (an answer to a
        # signed-in person is then made no-store by dash_app's private headers)
        "Cache-Control": ("public" if public else "private") + f", max-age={CACHE_SECONDS}",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    return Response(data, 200, headers=headers, content_type=content_type)


def init_uploads(server: Flask) -> None:
    limiter = server.extensions.get("hamyar_limiter")
    post = upload_post
    if limiter is not None:  # per person: a signed-in account cannot fill the database with photos
        post = limiter.limit(UPLOADS_PER_PERSON, scope="uploads-person",
                             key_func=lambda: f"user:{current_user_id()}")(upload_post)
    server.add_url_rule(UPLOAD_PATH, "upload_post", post, methods=["POST"])
    server.add_url_rule(f"{UPLOAD_PATH}/<token>", "upload_get", upload_get, methods=["GET"])

    def _room_for_a_photo():
        if request.path == UPLOAD_PATH and request.method == "POST":
            request.max_content_length = uploads.MAX_BYTES + FORM_OVERHEAD

    # First of all the hooks: any earlier one that reads the form would hit the app-wide 2 MB limit.
    server.before_request_funcs.setdefault(None, []).insert(0, _room_for_a_photo)
