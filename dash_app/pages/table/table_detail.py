"""/tables/<id>: a table's members, chair and projects for everyone; the chair's matching, review queue,
deliveries and project editor; the members' chair election.

Imports dash, dbc, models and dash_app. Each section's callbacks live beside it: table_review.py,
table_editor.py, table_election.py; this module builds the page and runs the table's matching.
"""
from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dash_app.auth import ANYONE, CHAIR, admits, current_roles, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_date, format_number, parse_int
from dash_app.layout import icon, page
from dash_app.pages.table import auto_section, ids, table_editor, table_election, table_review
from dash_app.pages.table.header import table_header
from dash_app.pages.table.runs import execute_claimed, run_panel, start_or_poll
from dash_app.ui.coverage import coverage_bar
from dash_app.ui.labels import background_label, kind_label, status_badge
from dash_app.ui.names import name_in
from dash_app.ui.quantities import quantity_text
from models.core.enums import RunScope
from models.core.errors import NotFound
from models.pledging.decisions import recent_decisions
from models.projects.editing import table_projects
from models.runs.lifecycle import latest_run
from models.tables.elections import close_due_elections, has_due_elections, table_people
from models.voice.proposals import open_count


def _members(people):
    if not people.members:
        return html.P(_("No members yet."), id=ids.TABLE_MEMBERS)
    return html.Ul([html.Li([
        html.Span(m.name, className="fw-semibold"),
        html.Span(_("chair"), className="badge text-bg-primary ms-1 me-1") if m.is_chair else None,
        html.Br(),
        html.Span(background_label(m.background) + (f" · {m.affiliation}" if m.affiliation else ""),
                  className="small text-body-secondary"),
    ], className="list-group-item") for m in people.members], className="list-group mb-4", id=ids.TABLE_MEMBERS)


def _projects(projects, lang: str):
    if not projects:
        return html.P(_("This table has no published projects yet."), id=ids.TABLE_PROJECTS)
    items = []
    for p in projects:
        items.append(html.Li([
            html.Div([dcc.Link(name_in(lang, p.title_fa, p.title_en), href=f"/projects/{p.project_id}",
                               className="fw-semibold"), status_badge(p.status),
                      html.Span(_("Priority %(p)s of 10", p=format_number(p.priority)), className="small ms-1")]),
            coverage_bar(p.coverage, label=_("Coverage of %(project)s", project=name_in(lang, p.title_fa, p.title_en)),
                         percent=True),
            html.Ul([html.Li(_("%(kind)s: %(taken)s of %(needed)s", kind=kind_label(n.kind),
                               taken=quantity_text(n.kind, min(n.taken, n.quantity)),
                               needed=quantity_text(n.kind, n.quantity)), className="small")
                     for n in p.needs], className="mb-0 mt-1"),
        ], className="list-group-item"))
    return html.Ul(items, className="list-group mb-4", id=ids.TABLE_PROJECTS)


def _decisions(rows, lang: str, show_reasons: bool = False):
    """The table's recent decisions. A rejection's reason is written for its citizen (the chair's dialog
    says so): it is shown here only to the chair who wrote it and the governorate, never to anyone else."""
    if not rows:
        return html.P(_("No decisions yet."), id=ids.TABLE_DECISIONS)
    out = []
    for item, title_fa, title_en in rows:
        when = format_date(item.decided_at) if item.decided_at else ""
        line = [status_badge(item.status), " ", _("%(quantity)s for %(project)s", project=name_in(lang, title_fa, title_en),
                                                  quantity=quantity_text(item.kind, item.quantity)),
                html.Span(f" · {when}", className="text-body-secondary")]
        if show_reasons and item.status == "rejected" and item.reject_reason:
            line += [html.Br(), html.Span(_("Reason: %(reason)s", reason=item.reject_reason), className="small")]
        out.append(html.Li(line, className="list-group-item small"))
    return html.Ul(out, className="list-group mb-4", id=ids.TABLE_DECISIONS)


def _proposals_link(table_id: int, waiting: int | None, lang: str) -> html.P:
    """Citizens' proposals to the table: its queue for its people and the governorate, else the public list."""
    if waiting is None:
        return html.P(dcc.Link([icon("lightbulb", "me-1"), _("Citizen proposals to this table")],
                               href=f"/proposals?table={table_id}"), className="small", id=ids.TABLE_PROPOSALS)
    return html.P(dcc.Link([icon("lightbulb", "me-1"), _("Citizen proposals to this table"),
                            html.Span(_("%(n)s waiting", n=format_number(waiting, lang)),
                                      className="badge text-bg-primary ms-1 me-1")],
                           href=f"/triage/{table_id}"), className="small", id=ids.TABLE_PROPOSALS,
                  **{"data-waiting": str(waiting)})


def table_titles(projects, lang: str) -> dict[int, str]:
    return {p.project_id: name_in(lang, p.title_fa, p.title_en) for p in projects}


@page(__name__, path="/tables/<table_id>", path_template="/tables/<table_id>", title=_l("Table"),
      roles={ANYONE})
def layout(table_id=None, **_kw):
    lang = current_language()
    tid = parse_int(table_id) if isinstance(table_id, str) else None
    roles = current_roles()
    db = get_db()
    try:
        if tid is None:
            raise NotFound("table_not_found")
        with db.reader() as s:
            due = has_due_elections(s, tid)
        if due:
            with db.unit_of_work() as s:
                close_due_elections(s)
        with db.reader() as s:
            people = table_people(s, tid)
            is_chair = admits({CHAIR}, roles, tid)
            is_member = admits({"member", CHAIR}, roles, tid)
            projects = table_projects(s, tid, include_drafts=is_member)
            decisions = recent_decisions(s, tid, limit=10)
            run = latest_run(s, RunScope.TABLE, tid) if is_chair else None
            auto = auto_section.settings(s, tid) if is_chair else (False, 30)
            waiting = open_count(s, tid) if is_member or roles.governorate else None  # issue 21: the triage queue
    except NotFound:
        return html.Section([html.H1(_("No such table."), className="h3"),
                             dcc.Link(_("All tables"), href="/tables")], className="py-4")
    public_projects = [p for p in projects if p.status != "draft"]
    titles = table_titles(projects, lang)
    chair_sections = []
    if is_chair:
        chair_sections = [
            run_panel(_("Run matching for this table"), MATCH_PANEL_IDS, run, titles,
                      extra=html.Div([html.Span(id=ids.MATCH_DONE, hidden=True),  # not a Store: see run_panel
                                      auto_section.section(tid, auto)])),  # automatic matching (issue 16 item 6)
            table_review.section(tid),
        ]
    editor = table_editor.section(tid, projects, is_chair, lang) if is_member else None
    election = table_election.section(tid, current_user_id(), is_member, bool(roles.governorate))
    return html.Div([
        dcc.Store(id=ids.TABLE_ID, data=tid),
        table_header(people, lang),
        _proposals_link(tid, waiting, lang),
        *chair_sections,
        election,
        html.Section([html.H2([icon("kanban", "me-2"), _("Projects")], className="h5"),
                      _projects(public_projects, lang)]),
        editor,
        html.Div([
            html.Section([html.H2([icon("people", "me-2"), _("Members")], className="h5"), _members(people)],
                         className="col-12 col-lg-6"),
            html.Section([html.H2([icon("journal-check", "me-2"), _("Recent decisions")], className="h5"),
                          _decisions(decisions, lang, is_chair or bool(roles.governorate))],
                         className="col-12 col-lg-6"),
        ], className="row"),
    ])


MATCH_PANEL_IDS = (ids.MATCH_START, ids.MATCH_STATUS, ids.MATCH_INTERVAL, ids.MATCH_CLAIMED, ids.MATCH_EXECUTED)


@secured_callback(Output(ids.MATCH_STATUS, "children"), Output(ids.MATCH_INTERVAL, "disabled"),
                  Output(ids.MATCH_START, "disabled"), Output(ids.MATCH_DONE, "children"),
                  Output(ids.MATCH_CLAIMED, "children"),
                  Input(ids.MATCH_START, "n_clicks"), Input(ids.MATCH_INTERVAL, "n_intervals"),
                  Input({"type": ids.MATCH_CONFIRM, "scope": ALL}, "n_clicks"),  # under a run's warning, when shown
                  State(ids.TABLE_ID, "data"), State(ids.MATCH_DONE, "children"),
                  roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def table_run(_n_clicks, _n_intervals, _n_confirm, table_id, done_seen):
    require({CHAIR}, table_id)
    # a press previews the run first; one that would withdraw proposals or lower coverage waits for "run anyway"
    confirmed = isinstance(ctx.triggered_id, dict) and ctx.triggered_id.get("type") == ids.MATCH_CONFIRM \
        and any(_n_confirm or [])
    started = ctx.triggered_id == ids.MATCH_START or confirmed
    if not started and not _n_intervals:
        return no_update, no_update, no_update, no_update, no_update
    with get_db().reader() as s:
        titles = table_titles(table_projects(s, table_id, include_drafts=True), current_language())
    body, interval_off, button_off, state, claimed = start_or_poll(RunScope.TABLE, table_id, started, titles,
                                                                   confirmed, {"type": ids.MATCH_CONFIRM, "scope": "table"})
    finished = state.run_id if state is not None and state.status == "done" else None
    return body, interval_off, button_off, finished if finished != done_seen else no_update, claimed


@secured_callback(Output(ids.MATCH_EXECUTED, "children"), Input(ids.MATCH_CLAIMED, "children"), State(ids.TABLE_ID, "data"),
                  roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), background=True, prevent_initial_call=True)
def table_execute(run_id, table_id):
    require({CHAIR}, table_id)
    return execute_claimed(run_id)


__all__ = ["layout"]
