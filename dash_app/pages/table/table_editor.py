"""The projects and needs editor on /tables/<id>: members draft projects and needs, the chair publishes
and moves projects along their status machine (with a confirmation for each move).

Imports dash, dbc, models and dash_app; not a page itself.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dash_app.auth import CHAIR, MEMBER, admits, current_roles, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_money, format_number, parse_int
from dash_app.layout import icon
from dash_app.pages.table import ids
from dash_app.ui.alerts import alert as alert_box
from dash_app.ui.forms import button_error, field_error, field_error_id, show_at_field
from dash_app.ui.labels import horizon_label, kind_label, project_status_label, status_badge, transition_label
from dash_app.ui.names import name_in
from dash_app.ui.quantities import quantity_text, unit_label
from models.core import form_tokens
from models.core.enums import HelpKind
from models.core.errors import DomainError, PermissionDenied, ValidationError
from models.orm.projects import Need
from models.projects.editing import (
    NeedInput,
    ProjectInput,
    add_need,
    allowed_transitions,
    change_need_quantity,
    change_status,
    create_project,
    editor_choices,
    table_projects,
    update_project,
)

KINDS = ("financial", "logistics", "design", "execution")
# The field a rule names (models.projects.editing) -> the input to mark and focus, and its label in the sentence.
PROJECT_FIELD_OF = {
    "kind": (ids.PROJECT_KIND, _l("Kind")), "title": (ids.PROJECT_TITLE, _l("Title (Persian)")),
    "title_en": (ids.PROJECT_TITLE_EN, _l("Title (English, optional)")), "summary": (ids.PROJECT_SUMMARY, _l("Summary")),
    "problem": (ids.PROJECT_PROBLEM, _l("The problem")), "evidence": (ids.PROJECT_EVIDENCE, _l("Evidence")),
    "affected": (ids.PROJECT_AFFECTED, _l("Who is affected")),
    "capacity": (ids.PROJECT_CAPACITY, _l("The untapped capacity")), "horizon": (ids.PROJECT_HORIZON, _l("Horizon")),
    "district": (ids.PROJECT_DISTRICT, _l("District or city")), "priority": (ids.PROJECT_PRIORITY, _l("Priority (1–10)")),
    "estimated_cost_rials": (ids.PROJECT_COST, _l("Estimated cost (toman)")),
}
FORM_FIELDS = (ids.PROJECT_KIND, ids.PROJECT_TITLE, ids.PROJECT_TITLE_EN, ids.PROJECT_SUMMARY, ids.PROJECT_PROBLEM,
               ids.PROJECT_EVIDENCE, ids.PROJECT_AFFECTED, ids.PROJECT_CAPACITY, ids.PROJECT_HORIZON,
               ids.PROJECT_DISTRICT, ids.PROJECT_PRIORITY, ids.PROJECT_COST)


def _choices(lang: str):
    with get_db().reader() as s:
        districts, skills = editor_choices(s)
    pick = (lambda fa, en: fa) if lang == "fa" else (lambda fa, en: en or fa)
    return ([{"label": pick(fa, en), "value": i} for i, fa, en in districts],
            [{"label": pick(fa, en), "value": i} for i, fa, en in skills])


def _field(label: str, component, field_id: str):
    """A labelled field with its error region under it (filled by show_at_field)."""
    return html.Div([dbc.Label(label, html_for=field_id), component, field_error(field_error_id(field_id), field_id)],
                    className="mb-2")


def _form(lang: str):
    districts, _skills = _choices(lang)
    return html.Div([
        html.H3(_("Project form"), className="h6"),
        _field(_("Kind"), dbc.RadioItems(id=ids.PROJECT_KIND, value="problem", inline=True, options=[
            {"label": _("Problem-oriented"), "value": "problem"},
            {"label": _("Talent-oriented"), "value": "talent"}]), ids.PROJECT_KIND),
        _field(_("Title (Persian)"), dbc.Input(id=ids.PROJECT_TITLE, maxLength=200, value=""), ids.PROJECT_TITLE),
        _field(_("Title (English, optional)"), dbc.Input(id=ids.PROJECT_TITLE_EN, maxLength=200, value=""),
               ids.PROJECT_TITLE_EN),
        _field(_("Summary"), dbc.Textarea(id=ids.PROJECT_SUMMARY, rows=2, value=""), ids.PROJECT_SUMMARY),
        html.Div([
            _field(_("The problem"), dbc.Textarea(id=ids.PROJECT_PROBLEM, rows=2, value=""), ids.PROJECT_PROBLEM),
            _field(_("Evidence"), dbc.Textarea(id=ids.PROJECT_EVIDENCE, rows=2, value=""), ids.PROJECT_EVIDENCE),
            _field(_("Who is affected"), dbc.Textarea(id=ids.PROJECT_AFFECTED, rows=2, value=""), ids.PROJECT_AFFECTED),
        ], id=ids.PROBLEM_FIELDS),
        html.Div([
            _field(_("The untapped capacity"), dbc.Textarea(id=ids.PROJECT_CAPACITY, rows=2, value=""),
                   ids.PROJECT_CAPACITY),
            _field(_("Horizon"), dbc.RadioItems(id=ids.PROJECT_HORIZON, value="medium", inline=True, options=[
                {"label": horizon_label(h), "value": h} for h in ("short", "medium", "long")]), ids.PROJECT_HORIZON),
        ], id=ids.TALENT_FIELDS, hidden=True),
        _field(_("District or city"), dcc.Dropdown(id=ids.PROJECT_DISTRICT, options=districts, value=None,
                                                   placeholder=_("Whole county")), ids.PROJECT_DISTRICT),
        html.Div([
            html.Div(_field(_("Priority (1–10)"), dbc.Input(id=ids.PROJECT_PRIORITY, value=format_number(5, lang),
                                                                         inputMode="numeric"),
                            ids.PROJECT_PRIORITY), className="col-6"),
            html.Div(_field(_("Estimated cost (toman)"), dbc.Input(id=ids.PROJECT_COST, value=format_number(0, lang),
                                                                   inputMode="numeric"), ids.PROJECT_COST),
                     className="col-6"),
        ], className="row"),
        html.Div([
            html.Button([icon("save", "me-1"), _("Save project")], id=ids.PROJECT_SAVE, n_clicks=0,
                        className="btn btn-primary btn-sm me-2 ms-2"),
            html.Button(_("New project"), id=ids.PROJECT_NEW, n_clicks=0, className="btn btn-outline-secondary btn-sm"),
        ]),
        html.Div(id=ids.EDITOR_FORM_ERROR, **{"aria-live": "assertive"}),  # beside the button (issue 20 item 1)
        dcc.Store(id=ids.PROJECT_EDITING, data=None),
        dcc.Store(id=ids.EDITOR_TOKEN, data=form_tokens.new_token()),
    ], className="border rounded p-3 mb-3")


def _item_options(lang: str) -> list[dict]:
    """The logistics catalogue for the need form (models.projects.items), in the reader's language."""
    from models.projects.items import item_choices

    with get_db().reader() as s:
        return [{"label": i.name(lang), "value": i.id} for i in item_choices(s)]


def _need_form(project_id: int, skills, items=()):
    pid = {"project": project_id}
    return html.Div([
        html.Label([html.Span(_("Kind of help"), className="visually-hidden"),
                    dbc.Select(id={"type": ids.NEED_KIND_TYPE, **pid}, value="financial", style={"maxWidth": "12rem"},
                               options=[{"label": f"{kind_label(k)} ({unit_label(k)})", "value": k} for k in KINDS])]),
        dbc.Input(id={"type": ids.NEED_QTY_TYPE, **pid}, placeholder=_("Quantity"), inputMode="numeric",
                  style={"maxWidth": "9rem"}, value=""),
        dbc.Input(id={"type": ids.NEED_DESC_TYPE, **pid}, placeholder=_("What exactly (e.g. pickup truck)"),
                  maxLength=200, style={"maxWidth": "16rem"}, value=""),
        dcc.Dropdown(id={"type": ids.NEED_SKILLS_TYPE, **pid}, options=skills, multi=True, value=[],
                     placeholder=_("Skills (design, execution)"), style={"minWidth": "12rem"}),
        dcc.Dropdown(id={"type": ids.NEED_ITEM_TYPE, **pid}, options=list(items), value=None,
                     placeholder=_("Item (logistics)"), style={"minWidth": "12rem"}),
        dcc.Dropdown(id={"type": ids.NEED_ACCEPTS_TYPE, **pid}, options=list(items), multi=True, value=[],
                     placeholder=_("Also accepts (logistics)"), style={"minWidth": "12rem"}),
        html.Button([icon("plus-lg", "me-1"), _("Add need")], id={"type": ids.NEED_ADD_TYPE, **pid}, n_clicks=0,
                    className="btn btn-outline-primary btn-sm"),
    ], className="d-flex flex-wrap gap-2 align-items-center mt-2")


def _need_line(n, editable: bool):
    """One need: what and how much; where the project is editable, its quantity can be corrected in place
    (money typed in toman, like the form that added it)."""
    lang = current_language()
    item = ""
    if getattr(n, "item", None):  # logistics: the catalogue item and what it accepts instead (issue 16)
        item = " · " + name_in(lang, *n.item)
        if n.accepts:
            item += " " + _("(or %(items)s)", items="، ".join(name_in(lang, *a) for a in n.accepts) if lang == "fa"
                           else ", ".join(name_in(lang, *a) for a in n.accepts))
    text = _("%(kind)s: %(quantity)s", kind=kind_label(n.kind), quantity=quantity_text(n.kind, n.quantity)) \
        + item + (f" · {n.description}" if n.description else "")
    if not editable:
        return html.Li(text, className="small")
    shown = n.quantity // 10 if n.kind == "financial" else n.quantity
    nid = {"need": n.need_id}
    return html.Li([
        html.Span(text, className="me-2"),
        html.Div([
            html.Label([  # the label wraps the box: its name for screen readers
                html.Span(_("New quantity (money in toman)") if n.kind == "financial" else _("New quantity"),
                          className="visually-hidden"),
                dbc.Input(id={"type": ids.NEED_EDIT_QTY_TYPE, **nid}, value=format_number(shown), inputMode="numeric",
                          size="sm", style={"maxWidth": "9rem"}),
            ], className="mb-0"),
            html.Button(_("Change quantity"), id={"type": ids.NEED_SAVE_QTY_TYPE, **nid}, n_clicks=0,
                        className="btn btn-outline-secondary btn-sm"),
        ], className="d-inline-flex gap-1 align-items-center"),
    ], className="small d-flex flex-wrap align-items-center gap-1", **{"data-need": str(n.need_id)})


def render_list(table_id: int, lang: str):
    roles = current_roles()
    is_chair = admits({CHAIR}, roles, table_id)
    with get_db().reader() as s:
        projects = table_projects(s, table_id, include_drafts=True)
    _districts, skills = _choices(lang)
    items = _item_options(lang)  # the logistics catalogue each need form offers
    rows = []
    for p in projects:
        closed = p.status in ("completed", "cancelled")
        editable = not closed and (is_chair or p.status == "draft")
        title = p.title_fa if lang == "fa" else p.title_en
        diagnosis = (_("Problem: %(text)s", text=p.problem) if p.kind == "problem"
                     else _("Capacity: %(text)s (%(horizon)s)", text=p.capacity, horizon=horizon_label(p.horizon)))
        moves = []
        if is_chair and not closed:
            for target in allowed_transitions(p.status):
                colour = "danger" if target == "cancelled" else "primary"
                moves.append(dcc.ConfirmDialogProvider(
                    html.Button(transition_label(target), className=f"btn btn-outline-{colour} btn-sm me-1 ms-1",
                                id={"type": ids.STATUS_TYPE + "-button", "project": p.project_id, "to": target}),
                    id={"type": ids.STATUS_TYPE, "project": p.project_id, "to": target},
                    message=_("Move “%(project)s” from %(current)s to %(target)s?", project=title,
                              current=project_status_label(p.status), target=project_status_label(target))
                    + ("\n" + _("Its proposed and accepted contributions will be released and the citizens told.")
                       if target == "cancelled" else "")))
        rows.append(html.Li([
            html.Div([html.Span(title, className="fw-semibold"), status_badge(p.status),
                      html.Span(_("Priority %(p)s of 10", p=format_number(p.priority)), className="small"),
                      html.Span(" · " + format_money(p.estimated_cost_rials), className="small")
                      if p.estimated_cost_rials else None]),
            html.P(diagnosis, className="small text-body-secondary mb-1"),
            html.Ul([_need_line(n, editable) for n in p.needs]
                    or [html.Li(_("No needs yet."), className="small text-body-secondary")], className="mb-1"),
            html.Div([
                html.Button([icon("pencil", "me-1"), _("Edit")], n_clicks=0, className="btn btn-link btn-sm",
                            id={"type": ids.EDIT_TYPE, "project": p.project_id}) if editable else None,
                *moves,
            ], className="d-flex flex-wrap gap-1"),
            _need_form(p.project_id, skills, items) if editable else None,
        ], className="list-group-item", **{"data-project": str(p.project_id), "data-status": p.status}))
    if not rows:
        return html.P(_("No projects yet. Draft the first one with the form."), className="text-body-secondary")
    return html.Ul(rows, className="list-group")


def section(table_id: int, projects, is_chair: bool, lang: str):
    hint = (_("You chair this table: publish drafts, and move projects along as work goes.") if is_chair else
            _("As a member you may draft projects and their needs; the chair publishes them."))
    return html.Section([
        html.H2([icon("pencil-square", "me-2"), _("Projects and needs editor")], className="h5"),
        html.P(hint, className="small text-body-secondary"),
        html.Div(id=ids.EDITOR_ALERT, **{"aria-live": "polite"}),
        _form(lang),
        html.Div(render_list(table_id, lang), id=ids.EDITOR_LIST),
    ], className="border rounded p-3 mb-4", id=ids.EDITOR_PANEL)


EDITOR_ROLES = {MEMBER, CHAIR}


@secured_callback(Output(ids.PROBLEM_FIELDS, "hidden"), Output(ids.TALENT_FIELDS, "hidden"),
                  Input(ids.PROJECT_KIND, "value"), State(ids.TABLE_ID, "data"),
                  roles=EDITOR_ROLES, table_from=State(ids.TABLE_ID, "data"))
def toggle_kind(kind, table_id):
    require(EDITOR_ROLES, table_id)
    return kind != "problem", kind != "talent"


@secured_callback(*[Output(f, "value") for f in FORM_FIELDS], Output(ids.PROJECT_EDITING, "data"),
                  Input({"type": ids.EDIT_TYPE, "project": ALL}, "n_clicks"), Input(ids.PROJECT_NEW, "n_clicks"),
                  State(ids.TABLE_ID, "data"),
                  roles=EDITOR_ROLES, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def fill_form(_edits, _new, table_id):
    require(EDITOR_ROLES, table_id)
    value = ctx.triggered[0].get("value") if ctx.triggered else None
    if not value:
        return (no_update,) * (len(FORM_FIELDS) + 1)
    if ctx.triggered_id == ids.PROJECT_NEW:
        lang = current_language()  # the defaults in the reader's digits (the parsers read any)
        return ("problem", "", "", "", "", "", "", "", "medium", None, format_number(5, lang), format_number(0, lang),
                None)
    pid = ctx.triggered_id.get("project")
    with get_db().reader() as s:
        found = [p for p in table_projects(s, table_id, include_drafts=True) if p.project_id == pid]
    if not found:
        return (no_update,) * (len(FORM_FIELDS) + 1)
    p = found[0]
    return (p.kind, p.title_fa, p.title_en if p.title_en != p.title_fa else "", p.summary_fa, p.problem, p.evidence,
            p.affected, p.capacity, p.horizon or "medium", p.district_id, format_number(p.priority),
            format_number(p.estimated_cost_rials // 10), p.project_id)


@secured_callback(Output(ids.EDITOR_LIST, "children"), Output(ids.EDITOR_ALERT, "children"),
                  Output(ids.PROJECT_EDITING, "data", allow_duplicate=True),
                  Output(ids.EDITOR_TOKEN, "data"), Output(ids.EDITOR_FORM_ERROR, "children"),
                  Input(ids.PROJECT_SAVE, "n_clicks"),
                  Input({"type": ids.STATUS_TYPE, "project": ALL, "to": ALL}, "submit_n_clicks"),
                  Input({"type": ids.NEED_ADD_TYPE, "project": ALL}, "n_clicks"),
                  *[State(f, "value") for f in FORM_FIELDS], State(ids.PROJECT_EDITING, "data"),
                  State({"type": ids.NEED_KIND_TYPE, "project": ALL}, "value"),
                  State({"type": ids.NEED_QTY_TYPE, "project": ALL}, "value"),
                  State({"type": ids.NEED_DESC_TYPE, "project": ALL}, "value"),
                  State({"type": ids.NEED_SKILLS_TYPE, "project": ALL}, "value"),
                  State({"type": ids.NEED_ITEM_TYPE, "project": ALL}, "value"),
                  State({"type": ids.NEED_ACCEPTS_TYPE, "project": ALL}, "value"),
                  State(ids.TABLE_ID, "data"), State(ids.EDITOR_TOKEN, "data"),
                  roles=EDITOR_ROLES, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def editor_action(_save, _moves, _adds, kind, title, title_en, summary, problem, evidence, affected, capacity,
                  horizon, district, priority, cost, editing, need_kinds, need_qtys, need_descs, need_skills,
                  need_items, need_accepts, table_id, token=None):
    """Save a project, move its status or add a need. Creates carry the editor's one-time token (a second press
    after a timeout makes nothing twice); after each create the editor gets a fresh one."""
    require(EDITOR_ROLES, table_id)
    value = ctx.triggered[0].get("value") if ctx.triggered else None
    trigger = ctx.triggered_id
    if trigger is None or not value:
        return no_update, no_update, no_update, no_update, no_update
    token_out = no_update
    beside = ""
    actor = current_user_id()
    lang = current_language()
    editing_out = no_update
    try:
        if trigger == ids.PROJECT_SAVE:
            prio = parse_int(priority)
            toman = parse_int(cost)
            if prio is None:
                raise ValidationError("priority_out_of_range", field="priority")
            if toman is None or toman < 0:
                raise ValidationError("cost_invalid_toman", field="estimated_cost_rials")  # the field is in toman
            data = ProjectInput(kind=kind or "", title_fa=title or "", title_en=title_en or "", summary_fa=summary or "",
                                problem=problem or "", evidence=evidence or "", affected=affected or "",
                                capacity=capacity or "", horizon=horizon, district_id=district, priority=prio,
                                estimated_cost_rials=toman * 10)
            with get_db().unit_of_work() as s:
                if isinstance(editing, int) and not isinstance(editing, bool):
                    update_project(s, actor, editing, data)
                    message = _("Project saved.")
                else:
                    once = form_tokens.derived(token, "p")
                    editing_out, _created = form_tokens.once(s, actor, once, "project",
                                                             lambda: create_project(s, actor, table_id, data))
                    token_out = form_tokens.new_token()
                    message = _("Draft saved. Add its needs below.")
        elif trigger.get("type") == ids.STATUS_TYPE:
            with get_db().unit_of_work() as s:
                change_status(s, actor, trigger.get("project"), trigger.get("to"))
            message = _("Status changed to %(status)s.", status=project_status_label(str(trigger.get("to"))))
        else:
            pid = trigger.get("project")
            position = [i for i, item in enumerate(ctx.states_list[-5]) if item["id"].get("project") == pid]
            if not position:
                raise ValidationError("need_not_found")
            k = position[0]
            need_kind = need_kinds[k]
            qty = parse_int(need_qtys[k])
            if qty is None:
                raise ValidationError("quantity_not_integer", field="quantity")
            if need_kind == "financial":
                qty *= 10  # typed in toman, stored in rials
            logistics = need_kind == "logistics"
            need_items, need_accepts = list(need_items or []), list(need_accepts or [])
            item = need_items[k] if logistics and k < len(need_items) and isinstance(need_items[k], int) else None
            accepts = need_accepts[k] if logistics and k < len(need_accepts) else None
            need = NeedInput(kind=need_kind or "", quantity=qty, description=need_descs[k] or "",
                             skill_ids=tuple(x for x in (need_skills[k] or []) if isinstance(x, int))
                             if need_kind in ("design", "execution") else (), item_id=item,
                             accept_ids=tuple(x for x in (accepts or []) if isinstance(x, int)))
            once = form_tokens.derived(token, f"n{pid}" if isinstance(pid, int) else "n")
            form_tokens.create_once(get_db(), lambda s: form_tokens.once(s, actor, once, "need",
                                                                          lambda: add_need(s, actor, pid, need)))
            token_out = form_tokens.new_token()
            message = _("Need added.")
        alert = alert_box(message, "success")
    except PermissionDenied:
        raise
    except DomainError as exc:
        alert = alert_box(error_message(exc))
        if trigger == ids.PROJECT_SAVE:  # the project form: at the field it names and beside its button
            field_id, label = PROJECT_FIELD_OF.get(exc.field or "", (None, None))
            beside, alert = button_error(error_message(exc), field_id, str(label) if label else None), ""
            show_at_field([f for f, _label in PROJECT_FIELD_OF.values()], field_id, error_message(exc))
    if trigger == ids.PROJECT_SAVE and not beside:  # saved: the marks of an earlier try go
        show_at_field([f for f, _label in PROJECT_FIELD_OF.values()], None, "")
    return render_list(table_id, lang), alert, editing_out, token_out, beside


@secured_callback(Output(ids.EDITOR_LIST, "children", allow_duplicate=True),
                  Output(ids.EDITOR_ALERT, "children", allow_duplicate=True),
                  Input({"type": ids.NEED_SAVE_QTY_TYPE, "need": ALL}, "n_clicks"),
                  State({"type": ids.NEED_EDIT_QTY_TYPE, "need": ALL}, "value"),
                  State(ids.TABLE_ID, "data"),
                  roles=EDITOR_ROLES, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def change_quantity(_saves, quantities, table_id):
    """Correct a need's quantity (never below what is already proposed or decided for it)."""
    require(EDITOR_ROLES, table_id)
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (ctx.triggered[0].get("value") if ctx.triggered else None):
        return no_update, no_update
    need_id = trigger.get("need")
    position = [i for i, item in enumerate(ctx.states_list[0]) if item["id"].get("need") == need_id]
    try:
        if not position:
            raise ValidationError("need_not_found")
        qty = parse_int(quantities[position[0]])
        if qty is None:
            raise ValidationError("quantity_not_integer", field="quantity")
        with get_db().unit_of_work() as s:
            need = s.get(Need, need_id) if isinstance(need_id, int) and not isinstance(need_id, bool) else None
            if need is not None and need.kind is HelpKind.FINANCIAL:
                qty *= 10  # typed in toman, stored in rials
            change_need_quantity(s, current_user_id(), need_id, qty)
        alert = alert_box(_("Quantity changed."), "success")
    except PermissionDenied:
        raise
    except DomainError as exc:
        alert = alert_box(error_message(exc))
    return render_list(table_id, current_language()), alert
