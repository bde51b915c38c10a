"""The matching-run panel shared by /tables (the county) and a table's own page: start, progress, summary.

A section of the table area (it registers no route). Imports dash, flask, models (runs) and dash_app.
Pressing Run claims the run and queues its job in the same request (`start_or_poll`); the panel then
polls the database. A run whose job fell silent is marked interrupted when the panel reads it.
"""
from __future__ import annotations

from dash import dcc, html, no_update
from flask import current_app

from dash_app.auth import current_user_id
from dash_app.background import enqueue_run
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    _l,
    current_language,
    error_message,
    format_datetime,
    format_number,
    format_percent,
)
from dash_app.layout import icon
from dash_app.ui.bidi import isolate, sentence
from dash_app.ui.labels import kind_label
from models.core.enums import RunScope
from models.core.errors import DomainError, PermissionDenied
from models.runs.jobs import start_matching
from models.runs.lifecycle import latest_run, project_changes, run_state

POLL_MS = 1000



def _stage_text(state) -> str:
    if state.stage == "solving" and state.kind:
        return _("Solving: %(kind)s", kind=kind_label(state.kind))
    return {"claimed": _("Waiting to start"), "building": _("Reading pledges and needs"),
            "solving": _("Solving"), "writing": _("Saving the proposals"), "done": _("Done"),
            "failed": _("Failed")}.get(state.stage, state.stage)


# Why a proposal of a run was left out or reduced when it was stored (models.runs.reconcile.REASONS).
RECONCILE_REASONS = {"accepted": _l("accepted meanwhile"), "rejected": _l("rejected meanwhile"),
                     "withdrawn": _l("pledge withdrawn"), "closed": _l("project closed"),
                     "taken": _l("room taken by other decisions")}


def reconciled_text(reconciled: dict | None) -> str | None:
    """The summary's line for what changed while the run solved; None when nothing had to give way."""
    rec = reconciled or {}
    dropped, shrunk = int(rec.get("dropped", 0)), int(rec.get("shrunk", 0))
    if not (dropped or shrunk):
        return None
    comma = "، " if current_language() == "fa" else ", "
    reasons = comma.join(_("%(reason)s: %(n)s", reason=str(RECONCILE_REASONS[r]), n=format_number(n))
                  for r, n in (rec.get("reasons") or {}).items() if r in RECONCILE_REASONS)
    return _("%(dropped)s left out, %(shrunk)s reduced (%(reasons)s)", dropped=format_number(dropped),
             shrunk=format_number(shrunk), reasons=reasons)


def render_run(state, project_titles: dict[int, str] | None = None):
    """A run's progress bar while it runs; its summary (what changed) once it is done."""
    if state is None:
        return html.P(_("No matching run yet."), className="text-body-secondary mb-0")
    when = format_datetime(state.started_at)
    if state.status == "running":
        pct = max(0.02, min(1.0, state.fraction))
        return html.Div([
            html.P([icon("hourglass-split", "me-1"), _("A matching run started at %(when)s is in progress.",
                                                        when=when)], className="mb-2"),
            html.Div(html.Div(format_percent(pct), className="progress-bar progress-bar-striped progress-bar-animated",
                              style={"width": f"{pct * 100:.0f}%"}),
                     className="progress mb-1", role="progressbar", id=f"run-progress-{state.run_id}",
                     **{"aria-valuenow": f"{pct * 100:.0f}", "aria-valuemin": "0", "aria-valuemax": "100",
                        "aria-label": _("Progress of the matching run")}),
            html.P(_stage_text(state), className="small text-body-secondary mb-0", **{"data-stage": state.stage}),
            html.P(_("You may close this page; the run goes on and this page shows it when you come back."),
                   className="small text-body-secondary mb-0"),
        ], **{"data-run-status": "running"})
    if state.status == "failed":
        reason = _("The server stopped during the run.") if state.error == "interrupted" else (
            _("its job could not be queued, so nothing was changed.") if state.error == "matching_queue_unavailable"
            else error_message(state.error) if state.error and not state.error.startswith("error") else
            _("The run could not finish; nothing was changed."))
        return html.Div([icon("exclamation-triangle", "me-1"),
                         _("The matching run started at %(when)s failed: %(reason)s", when=when, reason=reason)],
                        className="alert alert-warning mb-0", role="alert", **{"data-run-status": "failed"})
    s = state.summary or {}
    before, after = s.get("coverage_before") or {}, s.get("coverage_after") or {}
    rows = [
        (_("New proposals"), format_number(s.get("proposed", 0))),
        (_("Proposals kept"), format_number(s.get("kept", 0))),
        (_("Proposals withdrawn"), format_number(s.get("withdrawn", 0))),
        (_("Coverage of needs"), _("%(before)s before, %(after)s after",
                                   before=format_percent(before.get("mean", 0.0)),
                                   after=format_percent(after.get("mean", 0.0)))),
        (_("Needs fully covered"), _("%(before)s before, %(after)s after",
                                     before=format_number(before.get("full", 0)),
                                     after=format_number(after.get("full", 0)))),
        (_("Time taken"), _("%(n)s seconds", n=format_number(s.get("seconds", 0.0), decimals=1))),
    ]
    if (reconciled := reconciled_text(s.get("reconciled"))) is not None:
        rows.append((_("Changed while the run was solving"), reconciled))
    changes = project_changes(s)[:10]
    titles = project_titles or {}
    return html.Div([
        html.P([icon("check-circle", "me-1"), _("The matching run of %(when)s is done.", when=when)],
               className="mb-2 fw-semibold"),
        html.Dl([item for label, value in rows for item in (html.Dt(label, className="col-7 col-md-4"),
                                                               html.Dd(value, className="col-5 col-md-8"))],
                className="row mb-2", id=f"run-summary-{state.run_id}"),
        html.Div([
            html.H4(_("Projects whose coverage changed"), className="h6"),
            html.Ul([html.Li(sentence(_("%(project)s: %(before)s → %(after)s"),  # the name isolated: issue 20
                                      project=isolate(titles.get(pid, format_number(pid))),
                                      before=format_percent(b), after=format_percent(a))) for pid, b, a in changes],
                    className="small mb-0"),
        ]) if changes else None,
    ], **{"data-run-status": "done"})


def run_panel(title: str, ids_: tuple[str, str, str, str, str], state, titles: dict[int, str],
              extra=None) -> html.Section:
    """The run panel; ids_ = (start button, status, poll interval, claimed-run store, job-ended store)."""
    start_id, status_id, interval_id, claimed_id, executed_id = ids_
    running = state is not None and state.status == "running"
    return html.Section([
        html.H2([icon("diagram-3", "me-2"), title], className="h5"),
        html.P(_("The engine proposes where each pledge does the most good. Decided contributions stay as "
                 "they are; rejected pairs are never proposed again."), className="small text-body-secondary"),
        html.Button([icon("play-fill", "me-1"), _("Run matching")], id=start_id, n_clicks=0,
                    className="btn btn-primary mb-3", disabled=running),
        html.Div(render_run(state, titles), id=status_id, **{"aria-live": "polite"}),
        dcc.Interval(id=interval_id, interval=POLL_MS, disabled=not running),
        # Hidden spans, not dcc.Store: a Store reports its data when it mounts, which would start an
        # empty background job on every page load and hold the panel's callbacks while it runs.
        html.Span(id=claimed_id, hidden=True),
        html.Span(id=executed_id, hidden=True),
        extra,
    ], className="border rounded p-3 mb-4")


def warning(preview, titles: dict[int, str], confirm_id):
    """What a run would withdraw or lower, and the button that runs it anyway (issue 16 item 6)."""
    lowered = preview.lowered_projects[:8]
    lines = [_("This run would withdraw %(n)s pending proposals (%(shrunk)s of them kept smaller) and make "
               "%(new)s new ones.", n=format_number(preview.withdrawn), shrunk=format_number(preview.shrunk),
               new=format_number(preview.proposed))]
    lines.append(_("Coverage of the table's needs: %(before)s now, %(after)s after the run.",
                   before=format_percent(preview.coverage_before, decimals=1),
                   after=format_percent(preview.coverage_after, decimals=1)))
    return html.Div([
        html.P([icon("exclamation-triangle", "me-1"), html.Strong(_("Check before running"))], className="mb-1"),
        *[html.P(line, className="mb-1") for line in lines],
        html.Div([
            html.P(_("Projects whose coverage would drop:"), className="mb-1 small"),
            html.Ul([html.Li(sentence(_("%(project)s: %(before)s → %(after)s"),
                                      project=isolate(titles.get(pid, format_number(pid))),
                                      before=format_percent(b, decimals=1), after=format_percent(a, decimals=1)))
                     for pid, b, a in lowered], className="small mb-1"),
        ]) if lowered else None,
        html.P(_("The citizens of withdrawn proposals are told. Accepted and delivered help is never touched."),
               className="small text-body-secondary mb-2"),
        html.Button([icon("play-fill", "me-1"), _("Run anyway")], id=confirm_id, n_clicks=0,
                    className="btn btn-warning btn-sm"),
    ], className="alert alert-warning", role="alert", **{"data-run-warning": str(preview.withdrawn)})


def start_or_poll(scope: RunScope, table_id: int | None, started: bool, titles: dict[int, str],
                  confirmed: bool = False, confirm_id: dict | None = None):
    """The run panel's callback body: claim a run when the button was pressed, then show the latest.

    Returns (status, interval disabled, button disabled, latest state, no_update): the run's job is
    queued here, with the claim (models.runs.jobs.start_matching); the last value, once the claimed
    id for a second request to start the job, is kept for the pages' wiring and never set.
    With `confirm_id` (a pattern id: the button exists only under a warning), a press first previews the run (models.runs.preview): a run that would withdraw or
    shrink proposals or lower coverage is not started but shown, with a "run anyway" button (`confirm_id`);
    pressing it (`confirmed`) starts the run and records what the chair confirmed on it.
    """
    db = get_db()
    alert, claimed = None, no_update
    if started and confirm_id is not None:
        from models.runs.jobs import authorise_run
        from models.runs.preview import preview_run

        authorise_run(db, current_user_id(), scope, table_id)  # a preview is the chair's too
        with db.reader() as s:
            preview = preview_run(s, scope, table_id)
        if preview.warns and not confirmed:
            with db.reader() as s:
                state = latest_run(s, scope, table_id)
            return html.Div([warning(preview, titles, confirm_id), render_run(state, titles)]), True, False, state, \
                no_update
    if started:
        server = current_app._get_current_object()  # type: ignore[attr-defined]
        try:
            run_id = start_matching(db, current_user_id(), scope, table_id,
                                    lambda rid, aid: enqueue_run(server, rid, aid))
            if confirm_id is not None and confirmed:
                _record_confirmation(db, run_id, preview)
        except PermissionDenied:
            raise
        except DomainError as exc:
            alert = html.Div(error_message(exc), className="alert alert-warning", role="alert")
    with db.reader() as s:
        state = latest_run(s, scope, table_id)
        if state is not None and state.status == "running":
            state = run_state(s, state.run_id)
    running = state is not None and state.status == "running"
    return html.Div([alert, render_run(state, titles)]), not running, running, state, claimed


def _record_confirmation(db, run_id: int, preview) -> None:
    """The run's record says what the chair confirmed: the withdrawals and coverage the preview showed."""
    from models.runs.preview import record_confirmation

    with db.unit_of_work() as s:
        record_confirmation(s, current_user_id(), run_id, preview)


def execute_claimed(run_id):
    """The pages' old second step (a background callback fed by the claimed id): nothing to do now.

    The job is queued by the request that claims the run (`start_or_poll`), so a closed tab or a
    web worker killed between the two requests can no longer leave a run claimed with no job.
    Kept so that the pages' wiring stays valid; the claimed span it listens to is never set.
    """
    return no_update


__all__ = ["POLL_MS", "execute_claimed", "render_run", "run_panel", "start_or_poll"]
