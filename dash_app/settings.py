"""Hamyar's configuration: read once, in `create_app`, from its config mapping and the environment.

Imports the standard library and models.core.db only. This is the one place that reads Hamyar's
environment variables; everything else (background jobs, the dashboard cache, rate limits, wsgi,
the command line) receives a `Settings`. A config key wins over the environment variable of the
same name, so tests pass plain dicts. Outside development and tests a missing SECRET_KEY is
refused: a key made up per process would sign each worker's sessions differently.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.core.db import normalise_database_url, sqlite_url_in

ENVIRONMENTS = ("development", "test", "production")
# Every Redis client (cache, rate limits, Celery) gives up after this many seconds: Redis is a helper,
# and a stopped or paused Redis must cost a request a second, never hang it.
REDIS_TIMEOUT = 1.0
EXTENSION_KEY = "hamyar_settings"


class SettingsError(ValueError):
    """The configuration cannot run (said in one sentence that names the variable)."""


@dataclass(frozen=True)
class MessagingSettings:
    """How SMS and e-mail leave Hamyar (issue 23; dash_app.messaging builds the transports). "dev" keeps
    messages in the outbox only, for the demo's /outbox page; production sets real transports."""

    sms_transport: str = "dev"        # HAMYAR_SMS_TRANSPORT: dev | http
    sms_url: str = ""                 # HAMYAR_SMS_URL: the gateway's JSON endpoint (models.messaging.transports)
    sms_api_key: str = field(default="", repr=False)   # HAMYAR_SMS_API_KEY
    sms_sender: str = ""              # HAMYAR_SMS_SENDER: the line number or name messages come from
    # HAMYAR_SMS_RECEIPT_SECRET: the shared secret the gateway's delivery receipts carry ("" = receipts refused)
    sms_receipt_secret: str = field(default="", repr=False)
    email_transport: str = "dev"      # HAMYAR_EMAIL_TRANSPORT: dev | smtp
    smtp_host: str = ""               # HAMYAR_SMTP_HOST
    smtp_port: int = 25               # HAMYAR_SMTP_PORT
    smtp_user: str = ""               # HAMYAR_SMTP_USER
    smtp_password: str = field(default="", repr=False)  # HAMYAR_SMTP_PASSWORD
    smtp_starttls: bool = False       # HAMYAR_SMTP_STARTTLS=1
    mail_from: str = "hamyar@localhost"  # HAMYAR_MAIL_FROM
    every: float = 10.0               # HAMYAR_OUTBOX_EVERY: seconds between two sender ticks in the web process


def messaging_settings(get) -> MessagingSettings:
    sms, email = (get("HAMYAR_SMS_TRANSPORT") or "dev").lower(), (get("HAMYAR_EMAIL_TRANSPORT") or "dev").lower()
    if sms not in ("dev", "http"):
        raise SettingsError(f"HAMYAR_SMS_TRANSPORT must be 'dev' or 'http', not {sms!r}")
    if email not in ("dev", "smtp"):
        raise SettingsError(f"HAMYAR_EMAIL_TRANSPORT must be 'dev' or 'smtp', not {email!r}")
    if sms == "http" and not (get("HAMYAR_SMS_URL") and get("HAMYAR_SMS_API_KEY")):
        raise SettingsError("HAMYAR_SMS_TRANSPORT=http needs HAMYAR_SMS_URL and HAMYAR_SMS_API_KEY")
    if email == "smtp" and not get("HAMYAR_SMTP_HOST"):
        raise SettingsError("HAMYAR_EMAIL_TRANSPORT=smtp needs HAMYAR_SMTP_HOST")
    try:
        port, every = int(get("HAMYAR_SMTP_PORT") or 25), float(get("HAMYAR_OUTBOX_EVERY") or 10)
    except ValueError:
        raise SettingsError("HAMYAR_SMTP_PORT is a port number and HAMYAR_OUTBOX_EVERY a number of seconds") from None
    if every <= 0:
        raise SettingsError("HAMYAR_OUTBOX_EVERY must be a positive number of seconds")
    return MessagingSettings(
        sms_transport=sms, sms_url=get("HAMYAR_SMS_URL"), sms_api_key=get("HAMYAR_SMS_API_KEY"),
        sms_sender=get("HAMYAR_SMS_SENDER"), sms_receipt_secret=get("HAMYAR_SMS_RECEIPT_SECRET"),
        email_transport=email, smtp_host=get("HAMYAR_SMTP_HOST"), smtp_port=port, smtp_user=get("HAMYAR_SMTP_USER"),
        smtp_password=get("HAMYAR_SMTP_PASSWORD"), smtp_starttls=get("HAMYAR_SMTP_STARTTLS") == "1",
        mail_from=get("HAMYAR_MAIL_FROM") or "hamyar@localhost", every=every)


@dataclass(frozen=True)
class Settings:
    environment: str                 # development | test | production (HAMYAR_ENV; TESTING means test)
    data_folder: Path                # HAMYAR_DATA: SQLite file, development key, background jobs
    database_url: str                # DATABASE_URL, else a SQLite file in the data folder
    secret_key: str | None           # SECRET_KEY; None lets development keep one in the data folder
    redis_url: str                   # REDIS_URL: shared rate limits, cache and Celery ("" = none)
    background: str                  # HAMYAR_BACKGROUND: "celery" or "diskcache"
    celery_queue: str                # HAMYAR_CELERY_QUEUE
    cache_prefix: str                # HAMYAR_CACHE_PREFIX
    jobs_folder: Path                # HAMYAR_JOBS_FOLDER
    ratelimit_storage: str           # RATELIMIT_STORAGE_URI, else REDIS_URL, else per-process memory
    https: bool                      # HAMYAR_HTTPS=1: cookies marked Secure
    proxies: int                     # HAMYAR_PROXIES: reverse proxies trusted for X-Forwarded-*
    # HAMYAR_PUBLIC_URL: where people reach Hamyar (https://host[/prefix]); links handed out (password
    # resets) are built from it only, never from the request's Host or X-Forwarded-Host. "" = paths only.
    public_url: str = ""
    # The audit chain's HMAC key (issue 18): HAMYAR_AUDIT_KEY, else the file HAMYAR_AUDIT_KEY_FILE
    # (default <data>/audit_key, made 0600 on first run in development); anchors go to HAMYAR_AUDIT_ANCHORS
    # (default <data>/audit-anchors.jsonl). Tests get neither unless they name them (plain chain, no anchors).
    audit_key: str | None = field(default=None, repr=False)
    audit_key_file: Path | None = None
    anchor_file: Path | None = None
    run_stale_after: float = 60.0    # HAMYAR_RUN_STALE_AFTER: seconds a matching run may be silent
    run_heartbeat: float = 15.0      # HAMYAR_RUN_HEARTBEAT: seconds between a running job's heartbeats
    messaging: MessagingSettings = field(default_factory=MessagingSettings)  # SMS and e-mail (issue 23)
    # PB voting without an account (/vote/resident) in cycles for residents: on unless HAMYAR_CENSUS_VOTING=0.
    # The ballot is cast only with a one-time code sent to the confirmed phone of the register entry's account.
    census_voting: bool = True
    # Tables' automatic matching and late referrals' escalation, once a minute (dash_app.auto_match): in a
    # thread of every web process ("web", the default), or only under `celery beat` ("worker", HAMYAR_AUTO_MATCH),
    # which spares the web processes' CPU at a campaign's peak. HAMYAR_AUTO_MATCH_EVERY: seconds between looks.
    auto_match: str = "web"
    auto_match_every: float = 60.0

    def audit_config(self):
        """The models.audit.keys.AuditConfig of this deployment (development and tests: the key file
        is created when missing; production refused to load without a key)."""
        from models.audit.keys import (
            AuditConfig,
            AuditKeyError,
            load_or_create_key_file,
            parse_key,
            read_key_file,
        )

        try:
            if self.audit_key:
                key: bytes | None = parse_key(self.audit_key)
            elif self.audit_key_file is None:
                key = None
            elif self.environment == "production":
                key = read_key_file(self.audit_key_file)
            else:
                key = load_or_create_key_file(self.audit_key_file)
        except AuditKeyError as exc:
            raise SettingsError(str(exc)) from None
        return AuditConfig(key=key, anchor_file=self.anchor_file)

    @property
    def testing(self) -> bool:
        return self.environment == "test"

    @classmethod
    def load(cls, config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None,
             *, default_environment: str = "production") -> Settings:
        config = config or {}
        environ = os.environ if environ is None else environ

        def get(key: str, default: str = "") -> str:
            value = config[key] if key in config else environ.get(key, default)
            return str(value).strip() if value is not None else default

        environment = "test" if config.get("TESTING") else (get("HAMYAR_ENV") or default_environment).lower()
        if environment not in ENVIRONMENTS:
            raise SettingsError(f"HAMYAR_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
        data = Path(get("HAMYAR_DATA") or "instance").resolve()
        redis_url = get("REDIS_URL")
        background = get("HAMYAR_BACKGROUND").lower() or ("celery" if redis_url else "diskcache")
        if background not in ("celery", "diskcache"):
            raise SettingsError(f"HAMYAR_BACKGROUND must be 'diskcache' or 'celery', not {background!r}")
        if background == "celery" and not redis_url:
            raise SettingsError("HAMYAR_BACKGROUND=celery needs REDIS_URL")
        try:
            proxies = int(get("HAMYAR_PROXIES") or 0)
        except ValueError:
            raise SettingsError("HAMYAR_PROXIES must be a whole number of reverse proxies") from None
        if proxies < 0:
            raise SettingsError("HAMYAR_PROXIES must be a whole number of reverse proxies")
        try:
            stale_after = float(get("HAMYAR_RUN_STALE_AFTER") or 60)
            heartbeat = float(get("HAMYAR_RUN_HEARTBEAT") or 15)
        except ValueError:
            raise SettingsError("HAMYAR_RUN_STALE_AFTER and HAMYAR_RUN_HEARTBEAT are numbers of seconds") from None
        if not 0 < heartbeat <= stale_after / 2:
            raise SettingsError("HAMYAR_RUN_HEARTBEAT must be positive and at most half of HAMYAR_RUN_STALE_AFTER")
        auto_match = get("HAMYAR_AUTO_MATCH").lower() or "web"
        if auto_match not in ("web", "worker"):
            raise SettingsError(f"HAMYAR_AUTO_MATCH must be 'web' or 'worker', not {auto_match!r}")
        if auto_match == "worker" and background != "celery":
            raise SettingsError("HAMYAR_AUTO_MATCH=worker needs the Celery workers (REDIS_URL) and `celery beat`")
        try:
            auto_every = float(get("HAMYAR_AUTO_MATCH_EVERY") or 60)
        except ValueError:
            raise SettingsError("HAMYAR_AUTO_MATCH_EVERY is a number of seconds") from None
        if not auto_every > 0:
            raise SettingsError("HAMYAR_AUTO_MATCH_EVERY must be positive")
        secret = get("SECRET_KEY") or None
        if secret is None and environment == "production":
            raise SettingsError("SECRET_KEY must be set in production (the same value for every web and Celery "
                                "worker); for a local try-out set HAMYAR_ENV=development")
        audit_key = get("HAMYAR_AUDIT_KEY") or None
        explicit_file = get("HAMYAR_AUDIT_KEY_FILE")
        audit_key_file = Path(explicit_file) if explicit_file else None if environment == "test" else data / "audit_key"
        anchors = get("HAMYAR_AUDIT_ANCHORS")
        anchor_file = Path(anchors) if anchors else None if environment == "test" else data / "audit-anchors.jsonl"
        if audit_key is None and environment == "production" and not (audit_key_file and audit_key_file.is_file()):
            raise SettingsError("HAMYAR_AUDIT_KEY (or a key file: HAMYAR_AUDIT_KEY_FILE) must be set in production, "
                                "the same for every web and Celery worker and kept outside the database; "
                                "`hamyar audit init-key` writes one to the data folder")
        public_url = public_url_of(get("HAMYAR_PUBLIC_URL"))
        url = get("DATABASE_URL")
        return cls(
            environment=environment,
            data_folder=data,
            database_url=normalise_database_url(url) if url else sqlite_url_in(data),
            secret_key=secret,
            redis_url=redis_url,
            background=background,
            celery_queue=get("HAMYAR_CELERY_QUEUE") or "hamyar",
            cache_prefix=get("HAMYAR_CACHE_PREFIX") or "hamyar:dashboard:",
            jobs_folder=Path(get("HAMYAR_JOBS_FOLDER") or data / "jobs"),
            ratelimit_storage=get("RATELIMIT_STORAGE_URI") or redis_url or "memory://",
            https=get("HAMYAR_HTTPS") == "1",
            proxies=proxies,
            public_url=public_url,
            audit_key=audit_key,
            audit_key_file=audit_key_file,
            anchor_file=anchor_file,
            run_stale_after=stale_after,
            run_heartbeat=heartbeat,
            auto_match=auto_match,
            auto_match_every=auto_every,
            messaging=messaging_settings(get),
            census_voting=get("HAMYAR_CENSUS_VOTING") != "0",
        )


def public_url_of(value: str) -> str:
    """HAMYAR_PUBLIC_URL checked: http(s), a host, an optional path prefix, nothing else; no trailing slash."""
    from urllib.parse import urlsplit

    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password or "@" in parts.netloc:
        raise SettingsError(f"HAMYAR_PUBLIC_URL must look like https://hamyar.example.org (optionally with a path), "
                            f"not {value!r}")
    return value.rstrip("/")


def settings_of(server: Any) -> Settings:
    """The settings `create_app` read for this Flask server."""
    return server.extensions[EXTENSION_KEY]


__all__ = ["Settings", "SettingsError", "settings_of"]
