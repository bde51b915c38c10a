"""`hamyar outbox`: send what the outbox holds, once (a cron or systemd timer where no web process runs the
sender), and queue a day's digests.

Imports click, dash_app and models.
"""
from __future__ import annotations

from datetime import date

import click


@click.group("outbox")
def outbox_group() -> None:
    """SMS and e-mail (issue 23): the outbox and its sender."""


@outbox_group.command("send")
def outbox_send_command() -> None:
    """Dispatch new notifications and send every due message once (retries wait their backoff)."""
    from dash_app.cli import _database, _settings
    from dash_app.messaging import transports_of
    from models.messaging.dispatch import dispatch_pending
    from models.messaging.sender import send_due

    settings, db = _settings(), _database()
    queued = db.run(lambda s: dispatch_pending(s, public_url=settings.public_url))
    report = send_due(db, transports_of(settings))
    click.echo(f"queued {queued} notification message(s); sent {report.sent}, failed {report.failed} "
               f"(will retry), given up {report.dead}, interrupted {report.reaped}")
    for line in report.errors:
        click.echo(f"  {line}", err=True)


@outbox_group.command("digest")
@click.option("--day", "day_text", default=None, help="The county day (YYYY-MM-DD); default today.")
def outbox_digest_command(day_text: str | None) -> None:
    """Queue each person's daily digest of that day (at most one per person, channel and day)."""
    from dash_app.cli import _database, _fail, _settings
    from models.core.clock import county_today
    from models.messaging.dispatch import send_digests

    try:
        day = date.fromisoformat(day_text) if day_text else county_today()
    except ValueError:
        _fail(f"--day must look like 2026-12-02, not {day_text!r}")
        return
    settings, db = _settings(), _database()
    queued = db.run(lambda s: send_digests(s, day, public_url=settings.public_url))
    click.echo(f"queued {queued} digest message(s) for {day.isoformat()}")
