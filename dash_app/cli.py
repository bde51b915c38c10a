"""The `hamyar` command: set up the database, seed the demo, serve the app, solve a matching file.

Imports click, models and (lazily) dash_app and matching. Errors a user can cause end in one
line on stderr and a non-zero exit, with nothing changed.
"""
from __future__ import annotations

import sys

import click

from models.core.db import Database, DatabaseConfigError


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"hamyar: {message}", err=True)
    sys.exit(code)


def _settings():
    from dash_app.settings import Settings, SettingsError

    try:
        return Settings.load(default_environment="development")
    except SettingsError as exc:
        _fail(str(exc))


def _database(*, writes: bool = True) -> Database:
    """The configured database; for commands that write (`writes`), only with the log's audit key."""
    from dash_app.settings import SettingsError
    from models.audit.keys import configure

    settings = _settings()
    try:
        db = Database(settings.database_url)
        db.check_reachable()
        config = configure(db, settings.audit_config())  # the audit key and the anchor file (issue 18)
    except (DatabaseConfigError, SettingsError) as exc:
        _fail(str(exc))
    if writes:
        _same_audit_key(db, config)
    return db


def _same_audit_key(db: Database, config) -> None:
    """Refuse to work with another audit key than the log's newest events were chained with (a shell
    without HAMYAR_AUDIT_KEY would otherwise make a key of its own and chain the command's events with it)."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from models.orm.audit_event import AuditEvent

    try:
        with db.engine.connect() as conn:
            newest = conn.execute(select(AuditEvent.chain_key).where(AuditEvent.chain_key.is_not(None))
                                  .order_by(AuditEvent.id.desc()).limit(1)).scalar()
    except SQLAlchemyError:  # no schema yet (init-db), or an older one (migrate)
        return
    if newest is not None and newest not in config.keys_by_id():
        _fail(f"the audit log is chained with the audit key {newest}, and this command has "
              f"{config.key_id or 'none'}: set HAMYAR_AUDIT_KEY (or HAMYAR_AUDIT_KEY_FILE) as the server has it")


@click.group()
def main() -> None:
    """Hamyar (همیار): participatory county governance through specialized tables."""


@main.command("init-db")
def init_db_command() -> None:
    """Create the schema (migrate an empty database to the newest revision)."""
    from models.core.schema import AlreadyInitialised, init_db

    db = _database()
    try:
        revision = init_db(db)
    except AlreadyInitialised as exc:
        _fail(f"{exc}; nothing changed")
    click.echo(f"database ready at {db.safe_url} (revision {revision})")


@main.command("seed-demo")
@click.option("--seed", default=None, type=int, help="Random seed (default 1405).")
def seed_demo_command(seed: int | None) -> None:
    """Fill an empty, initialised database with the Amol demo."""
    _seed(_database(), seed)


def _seed(db: Database, seed: int | None) -> None:
    from models.core.schema import current_revision, head_revision
    from models.demo.seed import DEMO_PASSWORD, DEMO_SEED, AlreadySeeded, seed_demo

    if current_revision(db) != head_revision():
        _fail("the database has no schema yet; run `hamyar init-db` first")
    try:
        with db.unit_of_work() as session:
            summary = seed_demo(session, seed=DEMO_SEED if seed is None else seed)
    except AlreadySeeded as exc:
        _fail(f"{exc}; nothing changed")
    click.echo(f"seeded {summary.tables} tables, {summary.projects} projects, {summary.needs} needs, "
               f"{summary.citizens} citizens, {summary.pledges} pledges, {summary.allocations} allocations")
    register = _seed_register(db)
    click.echo(f"resident register: {register.residents} synthetic residents; a vote for residents is open "
               f"(/vote/resident); the demo citizen is national code {register.linked_code}, born "
               f"{register.linked_year}")
    click.echo(f"demo accounts (password {DEMO_PASSWORD}):")
    for role, login in summary.accounts.items():
        click.echo(f"  {role:12} {login}")


def _seed_register(db: Database):
    """The demo register and residents' vote (models.demo.register_demo), its national codes keyed from the
    SECRET_KEY the app will run with (the data folder's in development), so the app reads the same digests."""
    from dash_app import _secret_key
    from models.core.residency import configure_register_key, register_key_from_secret
    from models.demo.register_demo import seed_demo_register

    configure_register_key(db, register_key_from_secret(_secret_key(_settings())))
    with db.unit_of_work() as session:
        return seed_demo_register(session)


def _serve(host: str, port: int, debug: bool) -> None:
    from dash_app import create_app
    from dash_app.settings import SettingsError

    try:
        server = create_app(default_environment="development")
    except SettingsError as exc:
        _fail(str(exc))
    click.echo(f"Hamyar is running at http://{host}:{port}/  (Ctrl+C stops it)")
    server.run(host=host, port=port, debug=debug, use_reloader=False)


def is_loopback(host: str) -> bool:
    """Whether `host` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # another name (or 0.0.0.0-like text) may resolve anywhere


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Flask debug mode (never in production).")
def serve_command(host: str, port: int, debug: bool) -> None:
    """Serve the web app (for the demo; production runs dash_app.wsgi:server under gunicorn)."""
    if debug and not is_loopback(host):
        # Werkzeug's debugger runs any Python sent to it: only this machine may reach it.
        _fail(f"--debug only on a loopback host (127.0.0.1, ::1, localhost), not {host}: the debugger "
              "runs any code sent to it")
    _database()
    _serve(host, port, debug)


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
def demo_command(host: str, port: int) -> None:
    """Initialise and seed the database when it is empty, then serve."""
    from models.core.schema import has_data, migrate

    db = _database()
    if has_data(db):
        migrate(db)
        click.echo(f"using the existing data at {db.safe_url}")
    else:
        migrate(db)
        _seed(db, None)
    _serve(host, port, False)


@main.command("create-user")
@click.option("--name", required=True)
@click.option("--login", required=True, help="Phone number or e-mail address.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--governorate", is_flag=True, help="Give governorate staff rights.")
@click.option("--language", type=click.Choice(["fa", "en"]), default="fa", show_default=True)
def create_user_command(name: str, login: str, password: str, governorate: bool, language: str) -> None:
    """Create an account (citizen, or governorate staff with --governorate)."""
    from models.accounts.users import create_user
    from models.core.errors import ValidationError

    db = _database()
    try:
        with db.unit_of_work() as session:
            user = create_user(session, name=name, login=login, password=password, language=language,
                               is_governorate=governorate, actor_id=None)
    except ValidationError as exc:
        _fail(f"cannot create the user: {exc.code}" + (f" ({exc.field})" if exc.field else ""))
    click.echo(f"created user {user.id} ({login})")


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
def backup_command(target: str) -> None:
    """Write a consistent copy of the database to TARGET while the app runs."""
    from models.core.backup import BackupError, backup

    try:
        path = backup(_database(), target)
    except BackupError as exc:
        _fail(str(exc))
    click.echo(f"backup written to {path}")


@main.command("restore")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirm that the database's contents are to be replaced.")
@click.option("--app-role", default=None, help="PostgreSQL: the app's role, given its grants again afterwards.")
def restore_command(source: str, yes: bool, app_role: str | None) -> None:
    """Replace the database's contents with the backup SOURCE (asks for --yes); the restore itself is
    audited (the backup and the chain head it returns to) and anchored."""
    from models.core.backup import BackupError, restore
    from models.core.roles import RoleError

    if not yes:
        _fail("restore replaces everything in the database; run again with --yes to confirm")
    try:
        done = restore(_database(), source, app_role=app_role)
    except (BackupError, RoleError) as exc:
        _fail(f"{exc}; nothing changed")
    click.echo(f"database restored from {source}")
    if done:
        back = done["returns_to"]
        click.echo(f"audited as database.restored: the chain returns to event {back['event_id']} "
                   f"({back['hash'][:16]}…)" + (f", anchored at {done['anchor']['anchored_at']}" if done.get("anchor")
                                                else ", which no anchor names"))


@main.command("grant-app-role")
@click.argument("role")
def grant_app_role_command(role: str) -> None:
    """PostgreSQL, run as the tables' owner after init-db and every migration: give ROLE (the role the
    app connects as) only what the app needs (no TRUNCATE, ALTER, or UPDATE/DELETE of audit events)."""
    from models.core.roles import RoleError, grant_app_role

    try:
        grant_app_role(_database(), role)
    except RoleError as exc:
        _fail(str(exc))
    click.echo(f"granted the app's privileges to {role}")


@main.group("audit")
def audit_group() -> None:
    """The audit log: its hash chain and its anchors."""


_PROBLEMS = {
    "edited": "its content was edited after it was written",
    "gap": "the events just before it were deleted or altered",
    "unkeyed": "it carries no HMAC although events before it do (written or rewritten without the audit key)",
    "unknown_key": "it is chained with an audit key this check was not given",
}


@audit_group.command("verify")
@click.option("--anchors", "anchors_path", default=None, type=click.Path(dir_okay=False),
              help="An anchor file (default: none); every head it names must still be in the chain.")
def audit_verify_command(anchors_path: str | None) -> None:
    """Check the audit log's hash chain; name every edited event and every gap left by a deleted one;
    with --anchors, prove every anchored head is still in the chain (truncation, rewrite, forgery)."""
    from pathlib import Path

    from models.audit.anchors import verify_anchors
    from models.audit.chain import verify_database

    db = _database(writes=False)  # a forged event's key id must not keep the check from running
    if anchors_path is None:
        checked, problems = verify_database(db)
        for p in problems:
            click.echo(f"event {p.event_id}: {_PROBLEMS.get(p.problem, p.problem)}", err=True)
        if problems:
            _fail(f"{len(problems)} problem(s) in {checked} audit events; first bad event: "
                  f"{min(p.event_id for p in problems)}")
        click.echo(f"audit log intact: {checked} events, hash chain verified")
        return
    report = verify_anchors(db, Path(anchors_path))
    for p in report.chain_problems:
        click.echo(f"event {p.event_id}: {_PROBLEMS.get(p.problem, p.problem)}", err=True)
    for a in report.anchor_problems:
        click.echo(f"{a.problem}: {a.detail}" + (f" (first bad event {a.event_id})" if a.event_id else ""), err=True)
    for old, by in report.superseded:
        click.echo(f"anchor of line {old.line} (event {old.event_id}) is superseded by the restore anchored on line "
                   f"{by.line} (backup {(by.restore or {}).get('backup')}, back to event "
                   f"{((by.restore or {}).get('returns_to') or {}).get('event_id')})")
    if not report.ok:
        _fail(f"{len(report.chain_problems) + len(report.anchor_problems)} problem(s) in {report.events} audit events "
              f"and {report.anchors} anchors; first bad event: {report.first_bad_id}")
    click.echo(f"audit log intact: {report.events} events, hash chain verified, all {report.anchors - len(report.superseded)} "
               f"anchored heads still in the chain" + (f" ({len(report.superseded)} superseded by a restore)"
                                                       if report.superseded else ""))


@audit_group.command("anchor")
@click.option("--path", "path", default=None, type=click.Path(dir_okay=False),
              help="Anchor file (default: HAMYAR_AUDIT_ANCHORS, else audit-anchors.jsonl in the data folder).")
def audit_anchor_command(path: str | None) -> None:
    """Write the chain's head (event id, hash, time) to the anchor file now (cron it daily)."""
    from pathlib import Path

    from models.audit.anchors import write_anchor

    db = _database(writes=False)
    try:
        anchor = write_anchor(db, "manual", Path(path) if path else None)
    except (ValueError, OSError) as exc:
        _fail(f"cannot write the anchor: {exc}")
    click.echo(f"anchored event {anchor.event_id} ({anchor.hash}) at {anchor.anchored_at}")


@audit_group.command("init-key")
def audit_init_key_command() -> None:
    """Create the audit key file (owner-only, 0600) in the data folder; refuses to replace one."""
    from models.audit.keys import AuditKeyError, load_or_create_key_file

    settings = _settings()
    path = settings.audit_key_file or settings.data_folder / "audit_key"
    if path.exists():
        _fail(f"{path} exists already; an audit key is never replaced (events chained with it would not verify)")
    try:
        load_or_create_key_file(path)
    except AuditKeyError as exc:
        _fail(str(exc))
    click.echo(f"audit key written to {path} (0600); keep a copy outside the database's backups")


@main.group("runs")
def runs_group() -> None:
    """Matching runs (issue 15: runs never stay stuck)."""


@runs_group.command("reap")
def runs_reap_command() -> None:
    """Mark interrupted every matching run whose job has been silent too long (a timer runs it every 30 s)."""
    from models.runs import liveness
    from models.runs.lifecycle import reap_stale_runs

    settings = _settings()
    liveness.configure(settings.run_stale_after, settings.run_heartbeat)
    reaped = reap_stale_runs(_database())
    click.echo(f"marked {len(reaped)} silent matching run(s) interrupted" + (f": {reaped}" if reaped else ""))


@main.group("referrals")
def referrals_group() -> None:
    """Citizens' requests to tables and organizations (issue 21)."""


@referrals_group.command("escalate")
def referrals_escalate_command() -> None:
    """Raise every late referral to its level now: the chair or the organization's admins, then the governorate
    (the web processes do it once a minute; a timer runs this where none does)."""
    from models.orm.base import utcnow
    from models.voice.referrals import escalate_due

    changed = _database().run(lambda s: escalate_due(s, utcnow()))
    click.echo(f"escalated {len(changed)} late referral(s)" +
               (": " + ", ".join(f"{rid} to level {level}" for rid, level in changed) if changed else ""))


@main.command("match")
@click.option("--instance", "instance_path", required=True, type=click.Path(dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.option("--progress", is_flag=True, help="Print progress to stderr.")
def match_command(instance_path: str, out_path: str, progress: bool) -> None:
    """Solve a matching instance file (docs/matching.md) and write the allocations."""
    from matching import run_files

    sys.exit(run_files(instance_path, out_path, progress=progress))


from dash_app.cli_pb import pb_group  # noqa: E402  (participatory budgeting, issue 8)

main.add_command(pb_group)


# --- SMS and e-mail (issue 23): send what the outbox holds once (a cron or systemd timer where no web process
# runs the sender), and queue a day's digests.


@main.group("outbox")
def outbox_group() -> None:
    """SMS and e-mail (issue 23): the outbox and its sender."""


@outbox_group.command("send")
def outbox_send_command() -> None:
    """Dispatch new notifications and send every due message once (retries wait their backoff)."""
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
    from datetime import date

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


if __name__ == "__main__":
    main()
