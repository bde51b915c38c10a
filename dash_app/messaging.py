"""SMS and e-mail in the web process (issue 23): the transports the settings choose, the sender's periodic tick,
the SMS gateway's delivery-receipt webhook and the one-click unsubscribe routes.

Imports flask, the standard library and models. The tick (every HAMYAR_OUTBOX_EVERY seconds, one daemon thread
per web process, not under tests, like dash_app.auto_match) dispatches new notifications, sends what is due
and, from DIGEST_HOUR county time, queues the day's digests. Several processes are safe: the outbox claims
rows (models.messaging.outbox) and a digest has a unique key. `hamyar outbox send` runs the same tick once.
"""
from __future__ import annotations

import hmac
import logging
import threading
from datetime import datetime

from flask import Flask, abort, jsonify, redirect, request

from dash_app.settings import Settings, settings_of
from models.core.clock import COUNTY_TZ
from models.messaging.transports import DevTransport, HttpSmsTransport, SmtpTransport, Transports
from models.orm.base import utcnow

log = logging.getLogger(__name__)

DIGEST_HOUR = 20          # county time: the day's digest goes out in the evening
RECEIPT_PATH = "/sms/receipt"
RECEIPT_HEADER = "X-Hamyar-Receipt-Secret"
UNSUBSCRIBE_PATH = "/unsubscribe"
EXTENSION_KEY = "hamyar_transports"


def transports_of(settings: Settings) -> Transports:
    m = settings.messaging
    sms = HttpSmsTransport(m.sms_url, m.sms_api_key, m.sms_sender) if m.sms_transport == "http" else DevTransport()
    email = (SmtpTransport(m.smtp_host, m.smtp_port, m.mail_from, m.smtp_user, m.smtp_password, m.smtp_starttls)
             if m.email_transport == "smtp" else DevTransport())
    return Transports(sms=sms, email=email)


def shows_codes(settings: Settings) -> bool:
    """Whether /outbox may show one-time codes: only when no message really leaves (the demo), else staff could
    read anybody's sign-in code."""
    return settings.messaging.sms_transport == "dev" and settings.messaging.email_transport == "dev"


def tick(db, settings: Settings, transports: Transports, *, now: datetime | None = None,
         digest_done: set | None = None):
    """Dispatch, send, and (after DIGEST_HOUR) the day's digests; errors are logged, never raised."""
    from models.messaging.dispatch import dispatch_pending, send_digests
    from models.messaging.sender import send_due

    now = now or utcnow()
    try:
        db.run(lambda s: dispatch_pending(s, public_url=settings.public_url, now=now))
        local = now.astimezone(COUNTY_TZ)
        if local.hour >= DIGEST_HOUR and (digest_done is None or local.date() not in digest_done):
            db.run(lambda s: send_digests(s, local.date(), public_url=settings.public_url, now=now))
            if digest_done is not None:
                digest_done.add(local.date())
        return send_due(db, transports, now=now)
    except Exception:  # noqa: BLE001 - the thread must go on; the rows keep their state for the next tick
        log.exception("the outbox tick failed")
        return None


def start(server: Flask) -> threading.Thread | None:
    from dash_app.db import EXTENSION_KEY as DB_KEY

    settings = settings_of(server)
    if settings.testing:
        return None
    db, transports, done = server.extensions[DB_KEY], server.extensions[EXTENSION_KEY], set()
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(settings.messaging.every):
            tick(db, settings, transports, digest_done=done)

    thread = threading.Thread(target=loop, name="hamyar-outbox", daemon=True)
    thread.start()
    server.extensions["hamyar_outbox_stop"] = stop
    return thread


def receipt_post():
    """The SMS gateway's delivery receipt: JSON {"id": provider id, "status": "delivered" | "failed", "error"}.
    Only with the shared secret (HAMYAR_SMS_RECEIPT_SECRET) in RECEIPT_HEADER; 404 for an unknown id."""
    from flask import current_app

    from dash_app.db import get_db
    from models.messaging.outbox import record_receipt

    secret = settings_of(current_app).messaging.sms_receipt_secret
    given = request.headers.get(RECEIPT_HEADER, "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        abort(403)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("status") not in ("delivered", "failed"):
        abort(400)
    with get_db().unit_of_work() as s:
        found = record_receipt(s, body.get("id"), body["status"] == "delivered", error=str(body.get("error") or ""))
    if not found:
        return jsonify({"status": "unknown id"}), 404
    return jsonify({"status": "ok"})


def unsubscribe_post(token: str | None = None):
    """Follow an unsubscribe link. From the page: its form with the CSRF token; from a mail client (RFC 8058):
    POST to the link itself with List-Unsubscribe=One-Click, the link's MAC being the proof."""
    from dash_app.auth import check_form_csrf
    from dash_app.db import get_db
    from models.core.errors import NotFound
    from models.messaging.preferences import unsubscribe

    one_click = token is not None and request.form.get("List-Unsubscribe") == "One-Click"
    if not one_click:
        check_form_csrf()
        token = request.form.get("token", "")
    try:
        with get_db().unit_of_work() as s:
            _uid, group = unsubscribe(s, token)
    except NotFound:
        if one_click:
            abort(404)
        return redirect(f"{UNSUBSCRIBE_PATH}/{token[:80]}?error=unsubscribe_link_invalid", code=303)
    if one_click:
        return jsonify({"status": "unsubscribed"})
    return redirect(f"{UNSUBSCRIBE_PATH}/{token}?done={group}", code=303)


def init_messaging(server: Flask) -> None:
    """Keys, transports and routes; call after the database and SECRET_KEY are set."""
    from dash_app.db import EXTENSION_KEY as DB_KEY
    from models.accounts.codes import code_key_from_secret, configure_code_key
    from models.messaging.preferences import configure_unsubscribe_key, unsubscribe_key_from_secret

    db, secret = server.extensions[DB_KEY], server.config["SECRET_KEY"]
    configure_code_key(db, code_key_from_secret(secret))
    configure_unsubscribe_key(db, unsubscribe_key_from_secret(secret))
    server.extensions[EXTENSION_KEY] = transports_of(settings_of(server))
    server.add_url_rule(RECEIPT_PATH, "sms_receipt_post", receipt_post, methods=["POST"])
    server.add_url_rule(UNSUBSCRIBE_PATH, "unsubscribe_post", unsubscribe_post, methods=["POST"])
    server.add_url_rule(f"{UNSUBSCRIBE_PATH}/<token>", "unsubscribe_one_click", unsubscribe_post, methods=["POST"])
