"""/projects/<id>/results: the chair states the project's indicators and milestones and records progress
updates (a text, photos, an indicator's new value). Chair of the project's table only; the domain
(models.results) checks again and words every refusal.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dash_app.auth import CHAIR, CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_date, parse_int, parse_number
from dash_app.layout import forbidden_content, page
from dash_app.pages.results import ids
from dash_app.ui.alerts import alert
from dash_app.ui.dates import date_placeholder, parse_date_text, today_text
from dash_app.ui.labels import kind_label
from dash_app.ui.names import name_in
from dash_app.ui.results import results_section
from dash_app.ui.uploads import tokens_of, upload_field
from models.core.clock import county_today
from models.core.errors import DomainError, NotFound, PermissionDenied, ValidationError
from models.results.common import project_or_404
from models.results.indicators import IndicatorInput, add_indicator, curves
from models.results.milestones import add_milestone, mark_milestone_done, path_of
from models.results.progress import PHOTO_PURPOSE, post_update, timeline


def _field(label: str, component, hint: str | None = None) -> html.Div:
    return html.Div([dbc.Label(label, html_for=component.id, className="small mb-0"), component,
                     html.Div(hint, className="form-text") if hint else None], className="mb-2")


def _body(project_id: int, lang: str):
    with get_db().reader() as s:
        project = project_or_404(s, project_id)
        path, lines = path_of(s, project_id), curves(s, project_id)
        entries = timeline(s, project_id, path=path)
        needs = [(n.id, f"{kind_label(n.kind)}{' · ' + n.description if n.description else ''}") for n in project.needs
                 if n.removed_at is None]
    done_buttons = [html.Button(_("Mark “%(title)s” done today", title=m.title),
                                id={"type": ids.MS_DONE_TYPE, "milestone": m.milestone_id}, n_clicks=0,
                                className="btn btn-sm btn-outline-success me-1 ms-1 mb-1")
                    for m in path if m.done_on is None]
    return html.Div([
        results_section(path, lines, entries, lang),
        html.Div(done_buttons, className="mt-2") if done_buttons else None,
    ]), needs, [(c.indicator_id, c.name) for c in lines]


@page(__name__, path="/progress/<project_id>", path_template="/progress/<project_id>",
      title=_l("Targets and progress"), roles={CITIZEN})  # signed in; the chair of its table is checked below
def layout(project_id=None, **_kw):
    lang = current_language()
    pid = parse_int(project_id) if isinstance(project_id, str) and len(project_id) < 12 else None
    try:
        with get_db().reader() as s:
            project = project_or_404(s, pid)
            table_id, title = project.table_id, name_in(lang, project.title_fa, project.title_en)
        require({CHAIR}, table_id)
    except (NotFound, PermissionDenied):
        return forbidden_content()
    body, needs, inds = _body(project.id, lang)
    hint = date_placeholder(lang)
    return html.Article([
        dcc.Link(_("Back to the project"), href=f"/projects/{project.id}", className="small"),
        html.H1(_("Targets and progress: %(title)s", title=title), className="h4 mt-1"),
        html.Div(id=ids.ALERT, **{"aria-live": "polite"}),
        html.Section([
            html.H2(_("Record progress"), className="h5"),
            _field(_("What happened"), dbc.Textarea(id=ids.UP_BODY, rows=3, maxLength=2000, value="")),
            upload_field(ids.UP_FILES, ids.UP_TOKENS, PHOTO_PURPOSE, _("Photos or documents")),
            html.Div([
                _field(_("Indicator (optional)"), dbc.Select(id=ids.UP_INDICATOR, value="",
                                                             options=_indicator_options(inds))),
                _field(_("Its new value"), dbc.Input(id=ids.UP_VALUE, inputMode="decimal", value="")),
                _field(_("Measured on"), dbc.Input(id=ids.UP_DATE, value=today_text(lang)), hint),
            ], className="d-flex flex-wrap gap-2"),
            html.Button(_("Post the update"), id=ids.UP_SAVE, n_clicks=0, className="btn btn-primary btn-sm"),
        ], className="border rounded p-3 mb-3"),
        html.Section([
            html.H2(_("Add a milestone"), className="h5"),
            _field(_("Title"), dbc.Input(id=ids.MS_TITLE, maxLength=200, value="")),
            html.Div([_field(_("Due date"), dbc.Input(id=ids.MS_DUE, value=""), hint),
                      _field(_("Responsible"), dbc.Input(id=ids.MS_WHO, maxLength=200, value=""))],
                     className="d-flex flex-wrap gap-2"),
            html.Fieldset([html.Legend(_("The needs it uses"), className="small mb-0"),
                           dbc.Checklist(id=ids.MS_NEEDS, value=[],
                                         options=[{"label": t, "value": i} for i, t in needs])], className="mb-2"),
            html.Button(_("Add the milestone"), id=ids.MS_SAVE, n_clicks=0, className="btn btn-primary btn-sm"),
        ], className="border rounded p-3 mb-3"),
        html.Section([
            html.H2(_("Add an indicator"), className="h5"),
            html.Div([_field(_("Indicator"), dbc.Input(id=ids.IND_NAME, maxLength=200, value="")),
                      _field(_("Unit"), dbc.Input(id=ids.IND_UNIT, maxLength=60, value=""))],
                     className="d-flex flex-wrap gap-2"),
            html.Div([_field(_("Baseline value"), dbc.Input(id=ids.IND_BASELINE, inputMode="decimal", value="")),
                      _field(_("Target value"), dbc.Input(id=ids.IND_TARGET, inputMode="decimal", value="")),
                      _field(_("Baseline measured on"), dbc.Input(id=ids.IND_DATE, value=""), hint)],
                     className="d-flex flex-wrap gap-2"),
            _field(_("Source"), dbc.Input(id=ids.IND_SOURCE, maxLength=200, value="")),
            html.Button(_("Add the indicator"), id=ids.IND_SAVE, n_clicks=0, className="btn btn-primary btn-sm"),
        ], className="border rounded p-3 mb-3"),
        html.Div(body, id=ids.BODY),
        dcc.Store(id=ids.TABLE_ID, data=table_id), dcc.Store(id=ids.PROJECT_ID, data=project.id),
    ])


def _indicator_options(inds: list[tuple[int, str]]) -> list[dict]:
    return [{"label": _("None"), "value": ""}] + [{"label": n, "value": str(i)} for i, n in inds]


def _number(text: object, field: str, required: bool = True) -> float | None:
    if not (isinstance(text, str) and text.strip()) and not required:
        return None
    value = parse_number(text if isinstance(text, str) else None)
    if value is None:
        raise ValidationError("indicator_value_invalid", field=field)
    return float(value)


def _day(text: object, required: bool = True):
    if not required and not (isinstance(text, str) and text.strip()):
        return None
    day = parse_date_text(text, field="date", code="date_invalid")
    if day is None:
        raise ValidationError("date_invalid", field="date")
    return day


def _act(trigger, actor: int, project_id: int, v: dict) -> str:
    """Run the pressed form's operation in one transaction; the success sentence."""
    db = get_db()
    if trigger == ids.UP_SAVE:
        indicator = parse_int(v["indicator"]) if v["indicator"] else None
        value = _number(v["value"], "value") if indicator else None
        day = _day(v["date"]) if indicator else None
        db.run(lambda s: post_update(s, actor, project_id, v["body"], tokens_of(v["tokens"]), indicator, value, day))
        return _("Update posted. The project's contributors have been told.")
    if trigger == ids.MS_SAVE:
        db.run(lambda s: add_milestone(s, actor, project_id, v["title"], _day(v["due"]), v["who"],
                                       [n for n in (v["needs"] or []) if isinstance(n, int)]))
        return _("Milestone added.")
    if trigger == ids.IND_SAVE:
        data = IndicatorInput(v["name"], _number(v["target"], "target"), v["unit"],
                              _number(v["baseline"], "baseline", required=False), v["source"],
                              _day(v["ind_date"], required=False))
        db.run(lambda s: add_indicator(s, actor, project_id, data))
        return _("Indicator added.")
    milestone = trigger.get("milestone") if isinstance(trigger, dict) else None
    db.run(lambda s: mark_milestone_done(s, actor, milestone, county_today()))
    return _("Milestone marked done on %(date)s.", date=format_date(county_today()))


@secured_callback(
    Output(ids.BODY, "children"), Output(ids.ALERT, "children"), Output(ids.UP_TOKENS, "value"),
    Output(ids.UP_INDICATOR, "options"),
    Input(ids.UP_SAVE, "n_clicks"), Input(ids.MS_SAVE, "n_clicks"), Input(ids.IND_SAVE, "n_clicks"),
    Input({"type": ids.MS_DONE_TYPE, "milestone": ALL}, "n_clicks"),
    State(ids.UP_BODY, "value"), State(ids.UP_TOKENS, "value"), State(ids.UP_INDICATOR, "value"),
    State(ids.UP_VALUE, "value"), State(ids.UP_DATE, "value"), State(ids.MS_TITLE, "value"),
    State(ids.MS_DUE, "value"), State(ids.MS_WHO, "value"), State(ids.MS_NEEDS, "value"),
    State(ids.IND_NAME, "value"), State(ids.IND_UNIT, "value"), State(ids.IND_BASELINE, "value"),
    State(ids.IND_TARGET, "value"), State(ids.IND_SOURCE, "value"), State(ids.IND_DATE, "value"),
    State(ids.PROJECT_ID, "data"), State(ids.TABLE_ID, "data"),
    roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def save(_up, _ms, _ind, _done, body, tokens, indicator, value, measured, title, due, who, needs, name, unit,
         baseline, target, source, ind_date, project_id, table_id):
    require({CHAIR}, table_id)
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update, no_update, no_update
    with get_db().reader() as s:
        if project_or_404(s, project_id).table_id != table_id:  # a forged pair of ids
            raise PermissionDenied("not_chair_of_table")
    values = {"body": body, "tokens": tokens, "indicator": indicator, "value": value, "date": measured,
              "title": title, "due": due, "who": who, "needs": needs, "name": name, "unit": unit,
              "baseline": baseline, "target": target, "source": source, "ind_date": ind_date}
    try:
        message = _act(ctx.triggered_id, current_user_id(), project_id, values)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return no_update, alert(error_message(exc)), no_update, no_update
    page_body, _needs, inds = _body(project_id, current_language())
    return page_body, alert(message, "success"), "", _indicator_options(inds)
