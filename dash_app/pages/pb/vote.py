"""The citizen's ballot (/vote): the open participatory-budgeting cycle, its projects, and published results.

Imports dash, dbc, models (pb_cycles) and dash_app. Every rule (the limit of k projects, the budget of a
knapsack ballot, the voting window, one ballot per citizen) lives in models.pb.cycles.cast_ballot; the page
only counts what is ticked so the citizen sees the limit before sending. Ballots are secret: the page
shows the citizen's own ballot and, once results are published, aggregates only.
"""
from __future__ import annotations

import math
from datetime import datetime

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

import models.pb.cycles as pb_cycles
from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    _l,
    current_language,
    error_message,
    format_datetime,
    format_money,
    format_number,
    ngettext,
    parse_int,
)
from dash_app.layout import icon, page
from dash_app.pages.pb import explain_view, ids
from dash_app.pages.pb import ids_census as census_ids
from dash_app.render_cache import cached_render
from dash_app.ui.eligibility import cycle_sentence
from dash_app.ui.names import name_in
from models.core.enums import PBBallotRule
from models.core.errors import DomainError
from models.core.residency import resident_of
from models.orm.base import utcnow
from models.pb.census import census_offered


def _money(value) -> str:
    return format_money(int(value))


# --- pieces ---------------------------------------------------------------------------------------


def _option(item: pb_cycles.BallotItem, lang: str, budget: int | None = None) -> dict:
    title = name_in(lang, item.title_fa, item.title_en)
    too_big = budget is not None and item.cost > budget
    label = html.Span([
        html.Span([
            html.Span(title, className="fw-semibold d-block"),
            html.Small([icon("people", "me-1"), name_in(lang, item.table_fa, item.table_en)],
                       className="text-body-secondary d-block"),
            html.Small([icon("geo-alt", "me-1"), _heading_label(item, lang)],
                       className="d-block small pb-heading") if item.heading_id is not None else None,
            html.Small([icon("exclamation-triangle", "me-1"),
                        _("Costs more than the whole budget: it cannot be funded in this cycle.")],
                       className="text-danger d-block pb-too-big") if too_big else None,
        ], className="flex-grow-1"),
        html.Span([
            html.Span(format_money(item.cost, lang), className="badge text-bg-light border d-block mb-1"),
            dcc.Link([_("Details"), html.Span(f" — {title}", className="visually-hidden")],
                     href=f"/projects/{item.project_id}", className="small"),
        ], className="text-end ms-2"),
    ], className="d-flex align-items-start w-100 border rounded p-2 mb-2")
    return {"label": label, "value": item.project_id}


COUNTDOWN_EVERY_MS = 30_000


def _heading_label(item: pb_cycles.BallotItem, lang: str) -> str:
    if item.district_id is None:
        return _("County-wide")
    return name_in(lang, item.district_fa or "", item.district_en)


def countdown_text(closes_at: datetime, now: datetime, lang: str) -> str:
    """ "Voting closes in 2 days, 5 hours and 12 minutes." (minutes rounded up), or that it has closed."""
    seconds = (closes_at - now).total_seconds()
    if seconds <= 0:
        return _("Voting has closed.")
    minutes = math.ceil(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("Voting closes in %(days)s days, %(hours)s hours and %(minutes)s minutes.",
                 days=format_number(days, lang), hours=format_number(hours, lang),
                 minutes=format_number(minutes, lang))
    if hours:
        return _("Voting closes in %(hours)s hours and %(minutes)s minutes.", hours=format_number(hours, lang),
                 minutes=format_number(minutes, lang))
    return _("Voting closes in %(minutes)s minutes.", minutes=format_number(minutes, lang))


def _rule_sentence(cycle, lang: str) -> str:
    if cycle.ballot_rule is PBBallotRule.APPROVAL:
        return _("Tick the projects you support, at most %(k)s of them.", k=format_number(cycle.max_approvals, lang))
    return _("Tick the projects you support; together they must fit in the budget of %(budget)s.",
             budget=format_money(cycle.budget_rials, lang))


def _mine(items: list[pb_cycles.BallotItem], chosen: list[int], lang: str):
    if not chosen:
        return html.P(_("You have not voted in this cycle yet."), className="text-body-secondary small mb-0")
    by_id = {i.project_id: i for i in items}
    return html.Div([
        html.P(_("Your saved ballot (only you can see it):"), className="small fw-semibold mb-1"),
        html.Ul([html.Li(name_in(lang, by_id[p].title_fa, by_id[p].title_en)) for p in chosen if p in by_id],
                className="small mb-0"),
    ])


def _heading_sections(res: pb_cycles.PublicResult, rows: list, names: dict[str, str], lang: str) -> list:
    """A cycle with district budgets: each heading's summary and its projects, county-wide first."""
    out = []
    for h in res.headings:
        title = _("County-wide") if h.district is None else name_in(lang, h.district.name_fa, h.district.name_en)
        mine = [r for r in rows if int(r[0]) in set(h.project_ids)]
        out += [html.H4(title, className="h6 mt-3"),
                html.P(_("%(heading)s: budget %(budget)s, %(n)s ballots, %(spent)s funded.", heading=title,
                         budget=format_money(h.budget, lang), n=format_number(h.n_ballots, lang),
                         spent=format_money(h.spent, lang)), className="small"),
                explain_view.results_table(mine, names, h.n_ballots, lang, table_id=f"vote-results-h{h.heading_id}")]
    return out


def _results(cycle_ids: list[int], lang: str):
    """Published cycles: aggregates only (votes per project, funded or not, budget left); the same for
    everyone, so cached per language and cycles (dash_app.render_cache)."""
    return cached_render(__name__ + ".results", tuple(cycle_ids), lambda: _results_now(cycle_ids, lang))


def _results_now(cycle_ids: list[int], lang: str):
    if not cycle_ids:
        return html.Div(id=ids.VOTE_RESULTS)
    sections = []
    with get_db().reader() as s:
        for cid in cycle_ids:
            res = pb_cycles.public_results(s, cid)
            n_ballots = pb_cycles.ballot_count(s, cid)
            names = {str(p.id): name_in(lang, p.title_fa, p.title_en) for p, *_r in res.projects}
            rows = [(str(p.id), names[str(p.id)], cost, votes, funded, res.explanations.get(p.id))
                    for p, cost, votes, funded in res.projects]
            sections.append(html.Section([
                html.H3(name_in(lang, res.cycle.name_fa, res.cycle.name_en), className="h6"),
                html.P(ngettext("%(n)s ballot; budget %(budget)s; left unspent %(left)s.",
                                "%(n)s ballots; budget %(budget)s; left unspent %(left)s.", n_ballots,
                                n=format_number(n_ballots, lang), budget=format_money(res.cycle.budget_rials, lang),
                         left=format_money(res.budget_left, lang)), className="small"),
                *(_heading_sections(res, rows, names, lang) if res.headings else
                  [explain_view.results_table(rows, names, n_ballots, lang, table_id=f"vote-results-{cid}")]),
            ], className="border rounded p-3 mb-3"))
    return html.Section([html.H2([icon("trophy", "me-1"), _("Published results")], className="h5 mt-4")] + sections,
                        id=ids.VOTE_RESULTS)


# --- the page -------------------------------------------------------------------------------------


@page(__name__, path="/vote", title=_l("Vote"), roles={CITIZEN}, nav=True, menu="take_part", order=25, icon="check2-square")
def layout(cycle=None, **_kw):
    lang = current_language()
    uid = current_user_id()
    with get_db().reader() as s:
        open_now = pb_cycles.open_cycles(s)
        published = [c.id for c in pb_cycles.published_cycles(s, limit=3)]
        wanted = parse_int(cycle) if isinstance(cycle, str) and len(cycle) < 12 else None
        current = next((c for c in open_now if c.id == wanted), open_now[0] if open_now else None)
        if current is not None:
            items = pb_cycles.ballot_items(s, current.id)
            budgets = {h.id: h.budget_rials for h in pb_cycles.headings_of(s, current.id)}
            chosen = pb_cycles.my_ballot(s, uid, current.id)
            n_ballots = pb_cycles.ballot_count(s, current.id)
            who, residents_only = cycle_sentence(s, current.id, lang), census_offered(s, current.id)
            linked = resident_of(s, uid) is not None
    header = html.H1([icon("check2-square", "me-2"), _("Participatory budgeting")], className="h3 mb-3")
    if current is None:
        return html.Div([
            header,
            html.Div([
                html.P(_("No budgeting vote is open right now."), className="fw-semibold mb-1"),
                html.P(_("When the governorate opens a cycle you will be able to choose the projects its budget "
                         "should fund here."), className="mb-0"),
            ], id=ids.VOTE_EMPTY, className="alert alert-info"),
            _results(published, lang),
        ], lang=lang)
    others = [c for c in open_now if c.id != current.id]
    store = {"cycle_id": current.id, "rule": current.ballot_rule.value, "k": current.max_approvals,
             "budget": current.budget_rials, "costs": {str(i.project_id): i.cost for i in items}}
    facts = [_("Budget: %(budget)s", budget=format_money(current.budget_rials, lang)),
             ngettext("%(n)s ballot so far", "%(n)s ballots so far", n_ballots, n=format_number(n_ballots, lang))]
    if current.voting_opens_at:
        facts.append(_("Voting opened on %(date)s", date=format_datetime(current.voting_opens_at, lang)))
    if current.voting_closes_at:
        facts.append(_("Voting closes on %(date)s", date=format_datetime(current.voting_closes_at, lang)))
    return html.Div([
        header,
        dcc.Store(id=ids.VOTE_CYCLE, data=store),
        html.H2(name_in(lang, current.name_fa, current.name_en), className="h4"),
        html.P(" · ".join(facts), className="text-body-secondary small"),
        who_may_vote(who, residents_only, linked),
        html.Div(countdown_text(current.voting_closes_at, utcnow(), lang), id=ids.VOTE_COUNTDOWN, role="timer",
                 className="alert alert-warning py-2 small fw-semibold") if current.voting_closes_at else None,
        dcc.Interval(id=ids.VOTE_TICK, interval=COUNTDOWN_EVERY_MS) if current.voting_closes_at else None,
        html.Nav([html.Span(_("Other open cycles:"), className="me-2 small")] +
                 [dcc.Link(name_in(lang, c.name_fa, c.name_en), href=f"/vote?cycle={c.id}", className="me-2 small")
                  for c in others]) if others else None,
        html.P([_rule_sentence(current, lang), " ",
                _("You can change your ballot until voting closes. Nobody else sees what you chose.")]),
        html.Div(_mine(items, chosen, lang), id=ids.VOTE_MINE, className="border rounded p-2 mb-3 bg-body-tertiary"),
        html.Div([
            html.Div(id=ids.VOTE_COUNTER, role="status", **{"aria-live": "polite"}, className="fw-semibold mb-1"),
            html.Div(id=ids.VOTE_BUDGET_BAR),
        ], className="sticky-top bg-body py-2", style={"top": "0"}),
        html.Fieldset([
            html.Legend(_("Projects on the ballot"), className="fs-6 fw-semibold"),
            dbc.Checklist(id=ids.VOTE_CHOICES, options=[_option(i, lang, budgets.get(i.heading_id, current.budget_rials)) for i in items], value=chosen,
                          className="mb-3", labelClassName="w-100", inputClassName="mt-3"),
        ]),
        html.Div(id=ids.VOTE_MESSAGE),
        html.Button([icon("send", "me-1"), _("Save my ballot")], id=ids.VOTE_SUBMIT, n_clicks=0,
                    className="btn btn-primary btn-lg w-100 mb-4"),
        _results(published, lang),
    ], lang=lang)


def who_may_vote(who: str, residents_only: bool, linked: bool) -> html.Div:
    """Who may vote in this cycle (issue 23), with the way in for residents who are not linked yet."""
    links = []
    if residents_only and not linked:
        from dash_app.ui.eligibility import census_enabled

        links = [dcc.Link(_("Link your account to the resident register"), href="/resident", className="me-3")]
        if census_enabled():
            links.append(dcc.Link(_("or vote without an account"), href="/vote/resident"))
    return html.Div([html.Span(who, className="fw-semibold me-2"), *links], id=census_ids.VOTE_WHO,
                    className="small mb-2")


# --- callbacks ------------------------------------------------------------------------------------


def _whole_rials(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _chosen_ids(value) -> list | None:
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        return None
    return value


@secured_callback(Output(ids.VOTE_COUNTER, "children"), Output(ids.VOTE_COUNTER, "className"),
                  Output(ids.VOTE_BUDGET_BAR, "children"),
                  Input(ids.VOTE_CHOICES, "value"), State(ids.VOTE_CYCLE, "data"), roles={CITIZEN})
def count_choices(value, data):
    """The counter (approval) or the budget bar (knapsack) as projects are ticked; nothing is saved."""
    require({CITIZEN})
    chosen = _chosen_ids(value)
    if chosen is None or not isinstance(data, dict):
        return no_update, no_update, no_update
    lang = current_language()
    base = "fw-semibold mb-1"
    if data.get("rule") == PBBallotRule.APPROVAL.value:
        k = data.get("k") if isinstance(data.get("k"), int) else 0
        if len(chosen) > k:
            return (error_message("pb_too_many_projects", chosen=len(chosen), maximum=k), base + " text-danger",
                    None)
        return (_("%(n)s of at most %(k)s projects chosen.", n=format_number(len(chosen), lang),
                  k=format_number(k, lang)), base, None)
    costs = data.get("costs") if isinstance(data.get("costs"), dict) else {}
    budget = data.get("budget") if _whole_rials(data.get("budget")) and data.get("budget") > 0 else 1
    picked = [costs.get(str(p), 0) for p in chosen]
    if not all(_whole_rials(c) for c in picked):  # the page writes whole rials; "abc", Infinity: forged
        return no_update, no_update, no_update
    total = sum(picked)
    share = total / budget
    over = total > budget
    bar = html.Div(html.Div(className="progress-bar " + ("bg-danger" if over else "bg-success"),
                            style={"width": f"{min(share, 1) * 100:.1f}%"}),
                   className="progress", style={"height": "1.25rem"}, role="progressbar",
                   **{"aria-label": _("Share of the budget used"), "aria-valuenow": f"{min(share, 1) * 100:.0f}",
                      "aria-valuemin": "0", "aria-valuemax": "100"})
    text = _("%(total)s of the budget of %(budget)s chosen.", total=format_money(total, lang),
             budget=format_money(budget, lang))
    if over:
        text = [text, " ", error_message("pb_over_budget")]
    return text, base + (" text-danger" if over else ""), bar


@secured_callback(Output(ids.VOTE_MESSAGE, "children"), Output(ids.VOTE_MINE, "children"),
                  Input(ids.VOTE_SUBMIT, "n_clicks"), State(ids.VOTE_CHOICES, "value"), State(ids.VOTE_CYCLE, "data"),
                  roles={CITIZEN}, prevent_initial_call=True)
def cast(n, value, data):
    """Cast or replace the signed-in citizen's ballot; the domain checks the phase and the limits."""
    require({CITIZEN})
    if not n:
        return no_update, no_update
    lang = current_language()
    cycle_id = data.get("cycle_id") if isinstance(data, dict) else None
    try:
        with get_db().unit_of_work() as s:
            pb_cycles.cast_ballot(s, current_user_id(), cycle_id, value)
        with get_db().reader() as s:
            items = pb_cycles.ballot_items(s, cycle_id)
            chosen = pb_cycles.my_ballot(s, current_user_id(), cycle_id)
    except DomainError as exc:
        return html.Div(error_message(exc), className="alert alert-danger", role="alert"), no_update
    ok = html.Div([icon("check-circle", "me-1"),
                   _("Your ballot is saved. You can change it until voting closes.")],
                  className="alert alert-success", role="status")
    return ok, _mine(items, chosen, lang)


@secured_callback(Output(ids.VOTE_COUNTDOWN, "children"), Input(ids.VOTE_TICK, "n_intervals"),
                  State(ids.VOTE_CYCLE, "data"), roles={CITIZEN}, prevent_initial_call=True)
def tick(_n, data):
    """The countdown, from the cycle's closing time in the database (never from the page)."""
    require({CITIZEN})
    cycle_id = data.get("cycle_id") if isinstance(data, dict) else None
    try:
        with get_db().reader() as s:
            closes = pb_cycles.get_cycle(s, cycle_id).voting_closes_at
    except DomainError:
        return no_update
    return countdown_text(closes, utcnow(), current_language()) if closes else no_update
