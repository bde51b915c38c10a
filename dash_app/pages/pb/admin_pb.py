"""Participatory-budgeting cycles (/admin/pb), governorate only: create, move phases, count, compare, publish.

Imports dash, dbc, plotly, models (pb_cycles) and dash_app. Each callback reads inputs, calls one domain
operation of models.pb.cycles in one unit of work, and renders the result. Moving a phase and publishing
ask for confirmation first. A .pb file can be imported into a cycle of its own to try the rules on a
real election, and any counted cycle's ballots can be downloaded, anonymised, as a .pb file.
"""
from __future__ import annotations

import base64
import binascii
import io
import logging
import zipfile
from datetime import UTC, datetime, time, timedelta
from fractions import Fraction

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

import models.pb.counting_jobs as counting_jobs
import models.pb.cycles as pb_cycles
import models.pb.stations as stations
from dash_app.auth import GOVERNORATE, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import (
    TEHRAN,
    _,
    _l,
    current_language,
    format_date,
    format_money,
    format_number,
    format_percent,
    ngettext,
    parse_int,
    parse_number,
)
from dash_app.layout import icon, page
from dash_app.pages.pb import explain_view, ids
from dash_app.ui import charts
from dash_app.ui.alerts import error_alert, success
from dash_app.ui.dates import date_placeholder, parse_date_text
from dash_app.ui.names import name_in
from models.accounts.users import find_user_by_login
from models.core import form_tokens
from models.core.enums import PBBallotRule, PBCountingRule, PBPhase
from models.core.errors import Conflict, DomainError, NotFound, ValidationError

PHASE_LABEL = {PBPhase.PROPOSAL: _l("Proposal"), PBPhase.VOTING: _l("Voting"), PBPhase.TALLYING: _l("Counting"),
               PBPhase.RESULTS: _l("Results published")}
PHASE_BADGE = {PBPhase.PROPOSAL: "text-bg-secondary", PBPhase.VOTING: "text-bg-primary",
               PBPhase.TALLYING: "text-bg-warning", PBPhase.RESULTS: "text-bg-success"}
RULE_LABEL = {
    PBCountingRule.MES_ADD1_GREEDY: _l("Equal shares, completed by greedy (recommended)"),
    PBCountingRule.MES_ADD1: _l("Equal shares (with add-one completion)"),
    PBCountingRule.MES: _l("Equal shares (plain)"),
    PBCountingRule.GREEDY: _l("Greedy by votes"),
    PBCountingRule.GREEDY_CARDINALITY: _l("Greedy by votes per toman (one point per approved project)"),
    PBCountingRule.MES_CARDINALITY: _l("Equal shares, one point per approved project (plain)"),
    PBCountingRule.MES_CARDINALITY_ADD1: _l("Equal shares, one point per approved project (with add-one completion)"),
    PBCountingRule.MES_CARDINALITY_ADD1_GREEDY: _l("Equal shares, one point per approved project, completed by greedy"),
    PBCountingRule.PHRAGMEN: _l("Sequential Phragmén"),
    PBCountingRule.MAX_WELFARE: _l("Maximum total satisfaction (exact)"),
}
NEXT_ACTION = {PBPhase.PROPOSAL: (PBPhase.VOTING, _l("Open voting"),
                                  _l("Open voting? Citizens can then cast their ballots.")),
               PBPhase.VOTING: (PBPhase.TALLYING, _l("Close voting"),
                                _l("Close voting? No ballot can be cast or changed afterwards."))}
HIDDEN = {"display": "none"}
log = logging.getLogger(__name__)
COUNT_POLL_MS = 1000


def _money(value, lang: str) -> str:
    """Money in rials; a fractional cost (only in imported files) is rounded for display."""
    return format_money(int(round(value)) if isinstance(value, Fraction) else int(value), lang)


def _fail(exc: DomainError | str, **params) -> html.Div:
    if isinstance(exc, DomainError) and exc.code == "pb_file_invalid" and exc.params.get("line") is None:
        params.setdefault("line", "—")
    return error_alert(exc, **params)


def _field(id_: str, label: str, component, help_text: str | None = None, **kw) -> html.Div:
    children = [dbc.Label(label, html_for=id_, className="form-label small fw-semibold mb-1"), component]
    if help_text:
        children.append(html.Div(help_text, className="form-text"))
    return html.Div(children, className="mb-3", **kw)


def _rule_options() -> list[dict]:
    return [{"label": str(RULE_LABEL[r]), "value": r.value} for r in PBCountingRule]


def _bump(version) -> int:
    return (version or 0) + 1 if isinstance(version, int) else 1


# --- the page -------------------------------------------------------------------------------------

# The one-time tokens of the two creates (models.core.form_tokens): sending a form again with its token (a
# second press after a timeout, a retried request) answers with the cycle the first one made, and makes none.
PB_CREATE_TOKEN = "pb-create-token"
PB_IMPORT_TOKEN = "pb-import-token"


@page(__name__, path="/admin/pb", title=_l("Participatory budgeting cycles"), roles={GOVERNORATE})
def layout(**_kw):
    lang = current_language()
    with get_db().reader() as s:
        eligible = pb_cycles.eligible_projects(s, current_user_id())
        districts = [(d.id, name_in(lang, d.name_fa, d.name_en)) for d in pb_cycles.heading_districts(s)]
    project_options = [{
        "label": html.Span([
            html.Span(name_in(lang, p.title_fa, p.title_en), className="flex-grow-1"),
            html.Small(name_in(lang, p.table_fa, p.table_en), className="text-body-secondary mx-2"),
            html.Span(_("uncovered %(amount)s", amount=format_money(p.cost, lang)), className="small text-nowrap"),
        ], className="d-flex flex-wrap w-100 border rounded p-2 mb-1"),
        "value": p.project_id} for p in eligible]
    create = html.Section([
        html.H2([icon("plus-circle", "me-1"), _("New cycle")], className="h5"),
        html.Div([
            html.Div(_field(ids.PB_NAME_FA, _("Name in Persian"), dbc.Input(id=ids.PB_NAME_FA, maxLength=200)),
                     className="col-12 col-md-6"),
            html.Div(_field(ids.PB_NAME_EN, _("Name in English"), dbc.Input(id=ids.PB_NAME_EN, maxLength=200)),
                     className="col-12 col-md-6"),
            html.Div(_field(ids.PB_BUDGET, _("Budget"), dbc.Input(id=ids.PB_BUDGET, inputMode="numeric", maxLength=30)),
                     className="col-8 col-md-4"),
            html.Div(_field(ids.PB_UNIT, _("Unit"), dbc.Select(id=ids.PB_UNIT, value="toman", options=[
                {"label": _("Toman"), "value": "toman"}, {"label": _("Rial"), "value": "rial"}])),
                className="col-4 col-md-2"),
            html.Div(_field(ids.PB_COUNTING_RULE, _("Counting rule"),
                            dbc.Select(id=ids.PB_COUNTING_RULE, options=_rule_options(),
                                       value=PBCountingRule.MES_ADD1_GREEDY.value)), className="col-12 col-md-6"),
            html.Div(_field(ids.PB_BALLOT_RULE, _("Ballot"), dbc.RadioItems(id=ids.PB_BALLOT_RULE, value="approval",
                     options=[{"label": _("Approve at most k projects"), "value": PBBallotRule.APPROVAL.value},
                              {"label": _("Any projects that fit in the budget"),
                               "value": PBBallotRule.KNAPSACK.value}])), className="col-12 col-md-6"),
            html.Div(_field(ids.PB_OPENS, _("Voting opens on (optional)"),
                            dbc.Input(id=ids.PB_OPENS, maxLength=20, placeholder=date_placeholder(lang)),
                            _("From the start of that day, Iran time.")), className="col-6 col-md-3"),
            html.Div(_field(ids.PB_CLOSES, _("Voting closes on (optional)"),
                            dbc.Input(id=ids.PB_CLOSES, maxLength=20, placeholder=date_placeholder(lang)),
                            _("At the end of that day, Iran time; citizens see a countdown.")),
                     className="col-6 col-md-3"),
            html.Div(_field(ids.PB_K, _("Most projects a citizen may approve (k)"),
                            dbc.Input(id=ids.PB_K, inputMode="numeric", value=format_number(3), maxLength=4)),
                     className="col-12 col-md-6", id=ids.PB_K_ROW),
        ], className="row g-2"),
        html.Details([
            html.Summary(_("District budgets (optional)"), className="small fw-semibold mb-2"),
            html.P(_("Give a district an amount to split the budget: its projects are then voted on and counted by "
                     "its own residents, and what is left of the budget is county-wide. A citizen votes county-wide "
                     "and in one district."), className="form-text"),
            html.Div([html.Div(_field(f"pb-heading-{did}", _("Budget of %(heading)s", heading=label),
                                      dbc.Input(id={"type": ids.PB_HEADING, "district": did}, inputMode="numeric",
                                                maxLength=30)), className="col-6 col-md-3")
                      for did, label in districts], className="row g-2"),
        ], className="mb-3", id=ids.PB_HEADINGS),
        _field(ids.PB_PROJECTS, _("Projects on the ballot (their cost is the financial need still uncovered)"),
               html.Div(dbc.Checklist(id=ids.PB_PROJECTS, options=project_options, value=[], labelClassName="w-100",
                                      inputClassName="mt-3"),
                        style={"maxHeight": "22rem", "overflowY": "auto"}) if eligible else
               html.P(_("No project has an uncovered financial need right now."), className="text-body-secondary")),
        html.Div(id=ids.PB_CREATE_MESSAGE),
        dcc.Store(id=PB_CREATE_TOKEN, data=form_tokens.new_token()),
        html.Button([icon("save", "me-1"), _("Create the cycle")], id=ids.PB_CREATE, n_clicks=0,
                    className="btn btn-primary"),
    ], className="border rounded p-3 mb-4")
    importer = html.Section([
        html.H2([icon("upload", "me-1"), _("Import a pabulib election")], className="h5"),
        html.P(_("A real election in pabulib's .pb format becomes a cycle of its own, to try the counting rules on. "
                 "It cannot be opened for voting nor published."), className="small"),
        _field(ids.PB_IMPORT_RULE, _("Counting rule"),
               dbc.Select(id=ids.PB_IMPORT_RULE, options=_rule_options(), value=PBCountingRule.MES_ADD1_GREEDY.value)),
        dcc.Upload(html.Div([icon("file-earmark-arrow-up", "me-1"), _("Drop a .pb file here or choose one")]),
                   id=ids.PB_UPLOAD, multiple=False, max_size=pb_cycles.MAX_IMPORT_BYTES, accept=".pb,text/plain",
                   className="border border-2 rounded p-4 text-center", style={"borderStyle": "dashed"}),
        dcc.Store(id=PB_IMPORT_TOKEN, data=form_tokens.new_token()),
        dcc.Loading(html.Div(id=ids.PB_IMPORT_MESSAGE, className="mt-2")),
    ], className="border rounded p-3 mb-4")
    detail = html.Section([
        html.H2([icon("list-check", "me-1"), _("Cycles")], className="h5"),
        html.Div(id=ids.PB_LIST, className="table-responsive"),
        _field(ids.PB_SELECT, _("Cycle"), dbc.Select(id=ids.PB_SELECT, options=[], value="")),
        html.Div(id=ids.PB_MESSAGE),
        dcc.Store(id=ids.PB_ADVANCE_TO),
        html.Div([
            dcc.ConfirmDialogProvider(html.Button(id=ids.PB_ADVANCE_BUTTON, className="btn btn-primary me-2 mb-2"),
                                      id=ids.PB_ADVANCE, message=""),
            dcc.ConfirmDialogProvider(html.Button([icon("megaphone", "me-1"), _("Publish the results")],
                                                  id=ids.PB_PUBLISH_BUTTON, className="btn btn-success me-2 mb-2"),
                                      id=ids.PB_PUBLISH,
                                      message=_("Publish the results? The winners are funded from the governorate "
                                                "budget and this cannot be undone.")),
            html.Button([icon("download", "me-1"), _("Download the anonymised ballots (.pb)")], id=ids.PB_EXPORT,
                        n_clicks=0, className="btn btn-outline-secondary mb-2"),
            dcc.Download(id=ids.PB_DOWNLOAD),
        ], id=ids.PB_ACTIONS),
        html.Div([
            html.Button([icon("calculator", "me-1"), _("Count the votes")], id=ids.PB_COUNT_START, n_clicks=0,
                        className="btn btn-outline-primary mb-2"),
            html.Div(id=ids.PB_COUNT_STATUS, role="status", **{"aria-live": "polite"}),
            dcc.Interval(id=ids.PB_COUNT_INTERVAL, interval=COUNT_POLL_MS, disabled=True),
            html.Span(id=ids.PB_COUNT_CLAIMED, hidden=True), html.Span(id=ids.PB_COUNT_EXECUTED, hidden=True),
            dcc.Store(id=ids.PB_COUNT_SEEN),
        ], className="mb-2"),
        dcc.Loading(html.Div(id=ids.PB_DETAIL)),
        html.Details([
            html.Summary(_("Polling officers (paper ballots and assisted voting)"), className="small fw-semibold"),
            html.P(_("An officer enters the paper ballots of a polling station, each with its number, and assisted "
                     "votes, on the page /pb/station."), className="form-text"),
            html.Div([
                html.Div(_field(ids.PB_OFFICER_LOGIN, _("Officer's phone or e-mail"),
                                dbc.Input(id=ids.PB_OFFICER_LOGIN, maxLength=254)), className="col-12 col-md-4"),
                html.Div(_field(ids.PB_OFFICER_STATION, _("Polling station"),
                                dbc.Input(id=ids.PB_OFFICER_STATION, maxLength=120)), className="col-12 col-md-4"),
                html.Div(_field(ids.PB_OFFICER_DISTRICT, _("Station's district"),
                                dbc.Select(id=ids.PB_OFFICER_DISTRICT, value="",
                                           options=[{"label": _("County-wide"), "value": ""}] +
                                           [{"label": label, "value": str(did)} for did, label in districts])),
                         className="col-12 col-md-4"),
            ], className="row g-2"),
            html.Div(id=ids.PB_OFFICER_MESSAGE),
            html.Button([icon("person-badge", "me-1"), _("Make them an officer of this cycle")],
                        id=ids.PB_OFFICER_ASSIGN, n_clicks=0, className="btn btn-outline-primary btn-sm"),
        ], className="border rounded p-2 my-3"),
        html.Div([
            html.H3(_("Compare two counting rules"), className="h6 mt-3"),
            html.Div([
                html.Div(_field(ids.PB_RULE_A, _("First rule"), dbc.Select(id=ids.PB_RULE_A, options=_rule_options(),
                                value=PBCountingRule.MES_ADD1_GREEDY.value)), className="col-12 col-md-6"),
                html.Div(_field(ids.PB_RULE_B, _("Second rule"), dbc.Select(id=ids.PB_RULE_B, options=_rule_options(),
                                value=PBCountingRule.GREEDY.value)), className="col-12 col-md-6"),
            ], className="row g-2"),
            dcc.Loading(html.Div(id=ids.PB_COMPARE)),
        ], id=ids.PB_CHART),
    ], className="mb-4")
    return html.Div([
        dcc.Store(id=ids.PB_REFRESH, data=0),
        html.H1([icon("cash-coin", "me-2"), _("Participatory budgeting cycles")], className="h3 mb-3"),
        dcc.Link([icon("arrow-right" if lang == "fa" else "arrow-left", "me-1"), _("Back to administration")],
                 href="/admin", className="small d-inline-block mb-3"),
        detail, create, importer,
    ], lang=lang)


# --- list and detail ------------------------------------------------------------------------------


@secured_callback(Output(ids.PB_LIST, "children"), Output(ids.PB_SELECT, "options"),
                  Input(ids.PB_REFRESH, "data"), roles={GOVERNORATE})
def list_cycles(_version):
    require({GOVERNORATE})
    lang = current_language()
    with get_db().reader() as s:
        cycles = pb_cycles.cycles_overview(s, current_user_id())
    options = [{"label": name_in(lang, c.cycle.name_fa, c.cycle.name_en), "value": str(c.cycle.id)} for c in cycles]
    if not cycles:
        return html.P(_("No cycle yet. Create one below or import a pabulib election."),
                      className="text-body-secondary"), options
    rows = [html.Tr([
        html.Td(format_number(c.cycle.id, lang)),
        html.Td([name_in(lang, c.cycle.name_fa, c.cycle.name_en),
                 html.Span(_("imported"), className="badge text-bg-info ms-1") if c.imported else None]),
        html.Td(html.Span(str(PHASE_LABEL[c.cycle.phase]), className=f"badge {PHASE_BADGE[c.cycle.phase]}")),
        html.Td(format_money(c.cycle.budget_rials, lang), className="text-nowrap"),
        html.Td(format_number(c.n_projects, lang)),
        html.Td(format_number(c.n_ballots, lang)),
        html.Td(format_date(c.cycle.created_at, lang), className="text-nowrap"),
    ]) for c in cycles]
    table = html.Table([
        html.Thead(html.Tr([html.Th(h, scope="col") for h in
                            ("#", _("Name"), _("Phase"), _("Budget"), _("Projects"), _("Ballots"), _("Created"))])),
        html.Tbody(rows)], className="table table-sm align-middle")
    return table, options


def _winners_table(result: pb_cycles.TallyResult, names: dict[str, str], lang: str, imported: bool):
    rows = []
    for key in result.winners:
        cost, votes = result.projects[key]
        label = names.get(key, key)
        cell = label if imported else dcc.Link(label, href=f"/projects/{key}")
        rows.append(html.Tr([html.Td(cell), html.Td(_money(cost, lang), className="text-nowrap"),
                             html.Td(format_number(votes, lang))]))
    if not rows:
        return html.P(_("No project is funded under this rule."), className="text-body-secondary")
    return html.Div(html.Table([
        html.Thead(html.Tr([html.Th(_("Winning project"), scope="col"), html.Th(_("Cost"), scope="col"),
                            html.Th(_("Votes"), scope="col")])),
        html.Tbody(rows)], className="table table-sm align-middle"), className="table-responsive")


def _explained_table(result: pb_cycles.TallyResult, names: dict[str, str], lang: str, imported: bool):
    """Every project of the count, winners first in the order chosen, each with the sentence of why."""
    order = {k: i for i, k in enumerate(result.winners)}
    keys = sorted(result.projects, key=lambda k: (k not in order, order.get(k, 0), -result.projects[k][1], k))
    rows = [(k, names.get(k, k), result.projects[k][0], result.projects[k][1], k in order, result.explanations.get(k))
            for k in keys]
    return explain_view.results_table(rows, names, result.n_ballots, lang, link=not imported, table_id=ids.PB_EXPLAINED)


def _summary(result: pb_cycles.TallyResult, lang: str) -> html.P:
    return html.P(ngettext("%(rule)s: %(n)s projects funded for %(spent)s of %(budget)s; %(left)s left; %(ballots)s ballot.",
                           "%(rule)s: %(n)s projects funded for %(spent)s of %(budget)s; %(left)s left; %(ballots)s ballots.",
                           result.n_ballots,
                    rule=str(RULE_LABEL[PBCountingRule(result.rule)]), n=format_number(len(result.winners), lang),
                    spent=_money(result.total_cost, lang), budget=format_money(result.budget, lang),
                    left=_money(result.budget_left, lang), ballots=format_number(result.n_ballots, lang)),
                  className="small")


@secured_callback(Output(ids.PB_DETAIL, "children"), Output(ids.PB_ADVANCE, "message"),
                  Output(ids.PB_ADVANCE_BUTTON, "children"), Output(ids.PB_ADVANCE_BUTTON, "style"),
                  Output(ids.PB_ADVANCE_TO, "data"), Output(ids.PB_PUBLISH_BUTTON, "style"),
                  Output(ids.PB_EXPORT, "style"), Output(ids.PB_CHART, "style"),
                  Input(ids.PB_SELECT, "value"), Input(ids.PB_REFRESH, "data"), roles={GOVERNORATE})
def show_cycle(value, _version):
    """The chosen cycle: its phase, the next step, and once voting is over the winners under its rule."""
    require({GOVERNORATE})
    lang = current_language()
    nothing = (html.P(_("Choose a cycle to manage it."), className="text-body-secondary small"), "", None, HIDDEN,
               None, HIDDEN, HIDDEN, HIDDEN)
    cid = parse_int(value) if isinstance(value, str) and value and len(value) < 12 else None
    if cid is None:
        return nothing
    try:
        with get_db().reader() as s:
            cycle = pb_cycles.get_cycle(s, cid)
            imported = pb_cycles.imported_of(s, cid) is not None
            counted = cycle.phase in (PBPhase.TALLYING, PBPhase.RESULTS)
            result = counting_jobs.cached_tally(s, current_user_id(), cid) if counted else None
            names = pb_cycles.project_names(s, cid, list(result.projects)) if result else {}
            heading_names = {h.id: (name_in(lang, h.name_fa, h.name_en) if h.district_id else _("County-wide"))
                             for h in pb_cycles.heading_rows(s, cid)}
            n_ballots = pb_cycles.ballot_count(s, cid)
            phase, rule, ballot_rule, k = cycle.phase, cycle.counting_rule, cycle.ballot_rule, cycle.max_approvals
            title = name_in(lang, cycle.name_fa, cycle.name_en)
            budget = cycle.budget_rials
    except DomainError as exc:
        return (_fail(exc),) + nothing[1:]
    ballot = (_("approval of at most %(k)s projects", k=format_number(k, lang)) if ballot_rule is PBBallotRule.APPROVAL
              else _("any projects within the budget"))
    body = [html.H3([title, " ", html.Span(str(PHASE_LABEL[phase]), className=f"badge {PHASE_BADGE[phase]}")],
                    className="h5 mt-2"),
            html.P(_("Budget %(budget)s; ballot: %(ballot)s; counting: %(rule)s.", budget=format_money(budget, lang),
                     ballot=ballot, rule=str(RULE_LABEL[rule])), className="small")]
    if not counted:
        body.append(html.P(ngettext("%(n)s ballot cast so far. Results can be counted once voting is closed.",
                                    "%(n)s ballots cast so far. Results can be counted once voting is closed.",
                                    n_ballots, n=format_number(n_ballots, lang)), className="small"))
    elif result is None:
        body.append(html.P(_("%(n)s ballots. Not counted yet (or ballots were entered since the last count): "
                             "press “Count the votes”.", n=format_number(n_ballots, lang)),
                           className="small", id="pb-not-counted"))
    else:
        body += [_summary(result, lang)]
        body += [html.P(_("%(heading)s: budget %(budget)s, %(n)s ballots, %(spent)s funded.",
                          heading=heading_names.get(h.heading_id, "—"), budget=format_money(h.budget, lang),
                          n=format_number(h.n_ballots, lang), spent=_money(h.total_cost, lang)),
                        className="small mb-1 pb-heading-summary") for h in result.headings]
        body += [_winners_table(result, names, lang, imported),
                 html.H4(_("Why each project is funded or not"), className="h6 mt-3"),
                 _explained_table(result, names, lang, imported)]
    nxt = NEXT_ACTION.get(phase) if not imported else None
    advance = (str(nxt[2]), [icon("skip-forward", "me-1"), str(nxt[1])], {}, nxt[0].value) if nxt else \
        ("", None, HIDDEN, None)
    publish_style = {} if phase is PBPhase.TALLYING and not imported and result is not None else HIDDEN
    return (body, *advance, publish_style, {} if counted else HIDDEN, {} if counted else HIDDEN)


@secured_callback(Output(ids.PB_COMPARE, "children"),
                  Input(ids.PB_RULE_A, "value"), Input(ids.PB_RULE_B, "value"), Input(ids.PB_SELECT, "value"),
                  Input(ids.PB_REFRESH, "data"), roles={GOVERNORATE})
def compare(rule_a, rule_b, value, _version):
    """Winners under two rules side by side: a bar per project, its cost under each rule that funds it."""
    require({GOVERNORATE})
    lang = current_language()
    cid = parse_int(value) if isinstance(value, str) and value and len(value) < 12 else None
    if cid is None:
        return None
    try:
        with get_db().reader() as s:
            cycle = pb_cycles.get_cycle(s, cid)
            if cycle.phase not in (PBPhase.TALLYING, PBPhase.RESULTS):
                return None
            results = [counting_jobs.cached_tally(s, current_user_id(), cid, r) for r in (rule_a, rule_b)]
            if any(r is None for r in results):
                return html.P(_("Press “Count the votes” to count with these two rules too."),
                              className="small text-body-secondary")
            keys = sorted(set(results[0].winners) | set(results[1].winners),
                          key=lambda k: (-results[0].projects[k][1], k))
            names = pb_cycles.project_names(s, cid, keys)
    except DomainError as exc:
        return _fail(exc)
    labels = [names.get(k, k) for k in keys]
    labels = [label if len(label) <= 28 else label[:27] + "…" for label in labels]
    fig = go.Figure()
    top = 0
    for res, colour in zip(results, ("#0d6efd", "#fd7e14")):
        won = set(res.winners)
        ys = [float(res.projects[k][0]) / 10 if k in won else 0 for k in keys]   # toman
        top = max([top, *ys])
        # The hover in the reader's digits and toman (issue 20 minor): the name, the cost, the votes.
        fig.add_trace(go.Bar(x=labels, y=ys, name=str(RULE_LABEL[PBCountingRule(res.rule)]), marker_color=colour,
                             customdata=[[names.get(k, k), format_money(int(res.projects[k][0]), lang) if k in won
                                          else "—", _("%(votes)s votes", votes=format_number(res.projects[k][1], lang))]
                                         for k in keys],
                             hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>"))
    fig.update_layout(barmode="group", height=440, yaxis_title=_("Funded cost (toman)"),
                      title=_("Funded projects under each rule"))
    # Round ticks (1, 2 or 5 x a power of ten toman), written in the reader's digits.
    charts.localise_figure(fig, lang, numeric_axis="y", ticks=charts.nice_ticks(top) if top else [0])
    rtl = lang == "fa"
    fig.update_layout(margin={"l": 8, "r": 8, "t": 84, "b": 40},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 1 if rtl else 0,
                              "xanchor": "right" if rtl else "left"})
    fig.update_xaxes(automargin=True, tickangle=-30)
    fig.update_yaxes(automargin=True, title_standoff=10)
    return html.Div([_summary(results[0], lang), _summary(results[1], lang),
                     dcc.Graph(figure=fig, config={"displaylogo": False, "responsive": True},
                               id="pb-compare-graph")])


# --- actions --------------------------------------------------------------------------------------


def _read_budget(text, unit) -> int:
    if unit not in ("toman", "rial"):
        raise ValidationError("budget_not_integer", field="budget")
    number = parse_number(text[:40]) if isinstance(text, str) and text.strip() else None
    if number is None:
        raise ValidationError("budget_not_integer", field="budget")
    rials = number * 10 if unit == "toman" else number
    if rials != rials.to_integral_value():
        raise ValidationError("budget_not_integer", field="budget")
    return int(rials)


def _headings(total: int, unit, values, id_list) -> tuple[tuple[int | None, int], ...]:
    """District budgets typed on the form, and the county-wide rest; () when none is given."""
    if not isinstance(values, list) or not isinstance(id_list, list) or len(values) != len(id_list):
        return ()
    given = []
    for value, id_ in zip(values, id_list):
        district = id_.get("district") if isinstance(id_, dict) else None
        if isinstance(value, str) and value.strip():
            if isinstance(district, bool) or not isinstance(district, int):
                raise ValidationError("pb_heading_invalid", field="headings")
            try:
                given.append((district, _read_budget(value, unit)))
            except ValidationError:
                raise ValidationError("pb_heading_budget_invalid", field="headings") from None
    if not given:
        return ()
    rest = total - sum(a for _, a in given)
    return ((None, rest),) + tuple(given) if rest > 0 else tuple(given)


def _day_start(text, field: str) -> datetime | None:
    """A typed day (Jalali or Gregorian) -> its first moment in Iran time, as UTC."""
    day = parse_date_text(text, field=field, code="date_invalid")
    return None if day is None else datetime.combine(day, time(0), tzinfo=TEHRAN).astimezone(UTC)


def _day_end(text) -> datetime | None:
    """Voting closes at the end of the typed day: the next day's first moment in Iran time."""
    day = parse_date_text(text, field="voting_closes_at", code="date_invalid")
    return None if day is None else datetime.combine(day + timedelta(days=1), time(0), tzinfo=TEHRAN).astimezone(UTC)


@secured_callback(Output(ids.PB_K_ROW, "style"), Input(ids.PB_BALLOT_RULE, "value"), roles={GOVERNORATE})
def toggle_k(ballot_rule):
    require({GOVERNORATE})
    return {} if ballot_rule == PBBallotRule.APPROVAL.value else HIDDEN


@secured_callback(Output(ids.PB_CREATE_MESSAGE, "children"), Output(ids.PB_REFRESH, "data"),
                  Output(ids.PB_SELECT, "value"), Output(PB_CREATE_TOKEN, "data"),
                  Input(ids.PB_CREATE, "n_clicks"),
                  State(ids.PB_NAME_FA, "value"), State(ids.PB_NAME_EN, "value"), State(ids.PB_BUDGET, "value"),
                  State(ids.PB_UNIT, "value"), State(ids.PB_PROJECTS, "value"), State(ids.PB_BALLOT_RULE, "value"),
                  State(ids.PB_K, "value"), State(ids.PB_COUNTING_RULE, "value"), State(ids.PB_REFRESH, "data"),
                  State(ids.PB_OPENS, "value"), State(ids.PB_CLOSES, "value"),
                  State({"type": ids.PB_HEADING, "district": ALL}, "value"),
                  State({"type": ids.PB_HEADING, "district": ALL}, "id"), State(PB_CREATE_TOKEN, "data"),
                  roles={GOVERNORATE}, prevent_initial_call=True)
def create(n, name_fa, name_en, budget, unit, projects, ballot_rule, k, counting_rule, version, opens=None,
           closes=None, heading_values=None, heading_ids=None, token=None):
    require({GOVERNORATE})
    if not n:
        return no_update, no_update, no_update, no_update
    try:
        budget_rials = _read_budget(budget, unit)
        if ballot_rule == PBBallotRule.APPROVAL.value:
            max_k = parse_int(k[:8]) if isinstance(k, str) else (k if isinstance(k, int) else None)
            if max_k is None:
                raise ValidationError("pb_max_approvals_invalid", field="max_approvals",
                                      maximum=len(projects) if isinstance(projects, list) else 1)
        else:
            max_k = None
        data = pb_cycles.CycleInput(
            name_fa=name_fa or "", name_en=name_en or name_fa or "", budget_rials=budget_rials,
            project_ids=tuple(projects) if isinstance(projects, list) else (),
            ballot_rule=ballot_rule, max_approvals=max_k, counting_rule=counting_rule,
            voting_opens_at=_day_start(opens, "voting_opens_at"), voting_closes_at=_day_end(closes),
            headings=_headings(budget_rials, unit, heading_values, heading_ids))
        actor, once = current_user_id(), form_tokens.checked_token(token)
        new_id, _created = form_tokens.create_once(get_db(), lambda s: form_tokens.once(
            s, actor, once, "pb_cycle", lambda: pb_cycles.create_cycle(s, actor, data)))
    except DomainError as exc:
        return _fail(exc), no_update, no_update, no_update
    return (success(_("The cycle is created in the proposal phase. Open voting when it is ready.")), _bump(version),
            str(new_id), form_tokens.new_token())


@secured_callback(Output(ids.PB_MESSAGE, "children"), Output(ids.PB_REFRESH, "data", allow_duplicate=True),
                  Input(ids.PB_ADVANCE, "submit_n_clicks"), Input(ids.PB_PUBLISH, "submit_n_clicks"),
                  State(ids.PB_SELECT, "value"), State(ids.PB_ADVANCE_TO, "data"), State(ids.PB_REFRESH, "data"),
                  roles={GOVERNORATE}, prevent_initial_call=True)
def change_phase(n_advance, n_publish, value, to_phase, version):
    """Confirmed: move to the next phase, or publish the results (which funds the winners)."""
    require({GOVERNORATE})
    if not (n_advance or n_publish):
        return no_update, no_update
    cid = parse_int(value) if isinstance(value, str) and value and len(value) < 12 else None
    lang = current_language()
    try:
        with get_db().unit_of_work() as s:
            if ctx.triggered_id == ids.PB_PUBLISH:
                counted = counting_jobs.cached_tally(s, current_user_id(), cid) if cid is not None else None
                if counted is None:
                    raise Conflict("pb_count_first")
                result = pb_cycles.publish_results(s, current_user_id(), cid, counted)
                message = _("The results are published: %(n)s projects funded for %(spent)s.",
                            n=format_number(len(result.winners), lang), spent=_money(result.total_cost, lang))
            else:
                cycle = pb_cycles.advance_phase(s, current_user_id(), cid, to_phase if isinstance(to_phase, str) else "")
                message = _("The cycle is now in the phase: %(phase)s.", phase=str(PHASE_LABEL[cycle.phase]))
    except DomainError as exc:
        return _fail(exc), _bump(version)
    return success(message), _bump(version)


@secured_callback(Output(ids.PB_DOWNLOAD, "data"), Output(ids.PB_MESSAGE, "children", allow_duplicate=True),
                  Input(ids.PB_EXPORT, "n_clicks"), State(ids.PB_SELECT, "value"),
                  roles={GOVERNORATE}, prevent_initial_call=True)
def export(n, value):
    require({GOVERNORATE})
    if not n:
        return no_update, no_update
    cid = parse_int(value) if isinstance(value, str) and value and len(value) < 12 else None
    try:
        with get_db().reader() as s:
            files = pb_cycles.export_files(s, current_user_id(), cid)
    except DomainError as exc:
        return no_update, _fail(exc)
    if len(files) == 1:
        (name, text), = files.items()
        return {"content": text, "filename": name, "type": "text/plain"}, no_update
    buffer = io.BytesIO()   # one .pb per heading (pabulib's district files), in one zip
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return {"content": base64.b64encode(buffer.getvalue()).decode(), "base64": True,
            "filename": f"hamyar-pb-cycle-{cid}.zip", "type": "application/zip"}, no_update


@secured_callback(Output(ids.PB_IMPORT_MESSAGE, "children"), Output(ids.PB_REFRESH, "data", allow_duplicate=True),
                  Output(ids.PB_SELECT, "value", allow_duplicate=True), Output(PB_IMPORT_TOKEN, "data"),
                  Input(ids.PB_UPLOAD, "contents"), State(ids.PB_UPLOAD, "filename"), State(ids.PB_IMPORT_RULE, "value"),
                  State(ids.PB_REFRESH, "data"), State(PB_IMPORT_TOKEN, "data"), roles={GOVERNORATE},
                  prevent_initial_call=True)
def import_file(contents, filename, rule, version, token=None):
    """An uploaded .pb file becomes an imported cycle; show its count under the chosen rule. The upload carries
    the importer's one-time token: the same request again makes no second cycle."""
    require({GOVERNORATE})
    if not contents:
        return no_update, no_update, no_update, no_update
    lang = current_language()
    try:
        if not isinstance(contents, str) or "," not in contents:
            raise ValidationError("pb_file_empty", field="file")
        try:
            data = base64.b64decode(contents.split(",", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("pb_file_invalid", field="file", line=None, message="base64") from None
        name = filename if isinstance(filename, str) else ""
        actor, once, chosen = current_user_id(), form_tokens.checked_token(token), rule if isinstance(rule, str) else ""
        new_id, _created = form_tokens.create_once(get_db(), lambda s: form_tokens.once(
            s, actor, once, "pb_import", lambda: pb_cycles.import_pb(s, actor, data, name[:200], chosen)))
    except DomainError as exc:
        return _fail(exc), no_update, no_update, no_update
    return (success(_("Imported as cycle %(id)s. Press “Count the votes” to count it.",
                      id=format_number(new_id, lang))), _bump(version), str(new_id), form_tokens.new_token())


@secured_callback(Output(ids.PB_OFFICER_MESSAGE, "children"), Input(ids.PB_OFFICER_ASSIGN, "n_clicks"),
                  State(ids.PB_SELECT, "value"), State(ids.PB_OFFICER_LOGIN, "value"),
                  State(ids.PB_OFFICER_STATION, "value"), State(ids.PB_OFFICER_DISTRICT, "value"),
                  roles={GOVERNORATE}, prevent_initial_call=True)
def assign_officer(n, value, login, station, district):
    """The governorate makes someone a polling officer of the chosen cycle at a station."""
    require({GOVERNORATE})
    if not n:
        return no_update
    cid = parse_int(value) if isinstance(value, str) and value and len(value) < 12 else None
    did = parse_int(district) if isinstance(district, str) and district and len(district) < 12 else None
    try:
        with get_db().unit_of_work() as s:
            user = find_user_by_login(s, login[:254]) if isinstance(login, str) and login.strip() else None
            if user is None:
                raise NotFound("user_not_found")
            officer = stations.assign_officer(s, current_user_id(), cid, user.id, station, did)
            text = _("%(name)s is an officer of this cycle at %(station)s.", name=user.name, station=officer.station)
    except DomainError as exc:
        return _fail(exc)
    return success(text)


# --- counting in the background ---------------------------------------------------------------------


def _count_status(state: counting_jobs.CountState | None, lang: str):
    if state is None:
        return None
    if state.status == "running":
        pct = f"{state.progress * 100:.0f}"
        return html.Div([
            html.Div(_("Counting… %(done)s", done=format_percent(state.progress, lang)), className="small mb-1"),
            html.Div(html.Div(className="progress-bar progress-bar-striped progress-bar-animated",
                              style={"width": f"{pct}%"}), className="progress", role="progressbar",
                     **{"aria-valuenow": pct, "aria-valuemin": "0", "aria-valuemax": "100"}),
        ], id="pb-count-running")
    if state.status == "failed":
        return html.Div(_("The count did not finish (%(error)s). Start it again.", error=state.error or "—"),
                        className="alert alert-warning small", role="alert")
    return html.Div(_("Counted with: %(rules)s.", rules=", ".join(str(RULE_LABEL[PBCountingRule(r)])
                                                                   for r in state.rules)),
                    className="small text-body-secondary", id="pb-count-done")


@secured_callback(Output(ids.PB_COUNT_STATUS, "children"), Output(ids.PB_COUNT_INTERVAL, "disabled"),
                  Output(ids.PB_COUNT_START, "disabled"), Output(ids.PB_COUNT_CLAIMED, "children"),
                  Output(ids.PB_COUNT_SEEN, "data"), Output(ids.PB_REFRESH, "data", allow_duplicate=True),
                  Input(ids.PB_COUNT_START, "n_clicks"), Input(ids.PB_COUNT_INTERVAL, "n_intervals"),
                  Input(ids.PB_SELECT, "value"),
                  State(ids.PB_RULE_A, "value"), State(ids.PB_RULE_B, "value"), State(ids.PB_COUNT_SEEN, "data"),
                  State(ids.PB_REFRESH, "data"), roles={GOVERNORATE}, prevent_initial_call=True)
def count_panel(n_start, _n_poll, value, rule_a, rule_b, seen, version):
    """Start a count (claimed here, run by the background job) or show the running one's progress.

    When a count the page has not shown yet is done, the cycle's detail is refreshed."""
    require({GOVERNORATE})
    lang = current_language()
    cid = parse_int(value) if isinstance(value, str) and value and len(value) < 12 else None
    if cid is None:
        return None, True, True, no_update, no_update, no_update
    claimed, alert = no_update, None
    db = get_db()
    if ctx.triggered_id == ids.PB_COUNT_START and n_start:
        try:
            with db.reader() as s:
                own = pb_cycles.get_cycle(s, cid).counting_rule.value
            rules = tuple(r for r in (own, rule_a, rule_b) if isinstance(r, str))
            claimed = counting_jobs.claim_count(db, current_user_id(), cid, rules)
        except DomainError as exc:
            alert = _fail(exc)
    try:
        with db.reader() as s:
            pb_cycles.get_cycle(s, cid)
            state = counting_jobs.count_state(s, cid)
    except DomainError as exc:
        return _fail(exc), True, True, no_update, no_update, no_update
    running = state is not None and state.status == "running"
    refresh = no_update
    if state is not None and state.status == "done" and seen != state.count_id and ctx.triggered_id != ids.PB_SELECT:
        refresh = _bump(version)
    # (the button stays enabled in voting: pressing it then says the count waits for voting to close)
    return (html.Div([alert, _count_status(state, lang)]), not running, running, claimed,
            state.count_id if state is not None and state.status == "done" else no_update, refresh)


@secured_callback(Output(ids.PB_COUNT_EXECUTED, "children"), Input(ids.PB_COUNT_CLAIMED, "children"),
                  roles={GOVERNORATE}, background=True, prevent_initial_call=True)
def count_execute(count_id):
    """The background job: run the count this page claimed (the panel's poll shows how it goes)."""
    require({GOVERNORATE})
    if not isinstance(count_id, int) or isinstance(count_id, bool):
        return no_update
    try:
        counting_jobs.run_claimed_count(get_db(), count_id, current_user_id())
    except Exception:  # noqa: BLE001 - the count is marked failed; the panel reads that
        log.exception("PB count %s failed", count_id)
    return count_id
