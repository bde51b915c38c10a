"""The pledge form (/pledge): one form for the four kinds of help, a review step, and a confirmation.

Imports dash, dbc, flask, jdatetime, models (pledging, browse) and dash_app. The page parses what was
typed (any digits, toman or rial, Jalali or Gregorian dates) and calls models.pledging.pledges, where every
rule lives. A value only a crafted request can send (an id not on the lists) gets a 4xx, not a form.
"""
from __future__ import annotations

from decimal import Decimal

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html, no_update

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    _l,
    current_language,
    error_message,
    format_date,
    format_money,
    format_number,
    parse_int,
)
from dash_app.layout import icon, page
from dash_app.ui import citizen_ids as ids
from dash_app.ui.dates import date_placeholder, parse_date_text
from dash_app.ui.forms import button_error, field_error, refuse_forged
from dash_app.ui.labels import KIND_ICON, kind_label
from dash_app.ui.names import name_in
from dash_app.ui.pledge_fields import district_options
from dash_app.ui.quantities import id_text, parse_amount, quantity_text
from models.core import form_tokens
from models.core.enums import HelpKind
from models.core.errors import DomainError, NotFound, ValidationError
from models.core.validation import (
    CONFIRM_MONEY_ABOVE,
    MAX_QUANTITY,
    SKILLED_KINDS,
    help_kind,
    quantity_from_input,
)
from models.pledging.pledges import MAX_DESCRIPTION, PledgeInput, create_pledge, validate_pledge
from models.projects.browse import district_choices, project_view, skill_choices, table_choices
from models.projects.items import ITEM_CATEGORIES, item_choices

KIND_HELP = {
    HelpKind.FINANCIAL: _l("A gift of money, typed in toman or rial. Matching sends it to the needs that matter "
                           "most; until a table's chair accepts it you can take it back."),
    HelpKind.LOGISTICS: _l("Equipment, a vehicle or a space you can lend, counted in unit-days: one pickup truck "
                           "for three days is 3 unit-days."),
    HelpKind.DESIGN: _l("Expert hours of design or planning (architecture, engineering, graphics, software and "
                        "so on), with the skills you bring."),
    HelpKind.EXECUTION: _l("Hands-on volunteer work, counted in person-hours: you alone for two days of five hours "
                           "is 10 person-hours."),
}
QUANTITY_LABEL = {
    HelpKind.FINANCIAL: _l("Amount"),
    HelpKind.LOGISTICS: _l("How many unit-days?"),
    HelpKind.DESIGN: _l("How many hours?"),
    HelpKind.EXECUTION: _l("How many person-hours?"),
}
DESCRIPTION_LABEL = {
    HelpKind.LOGISTICS: _l("Anything the table should know? (optional: seats, size, condition)"),
    HelpKind.FINANCIAL: _l("A note for the table (optional)"),
    HelpKind.DESIGN: _l("What can you design or plan? (optional)"),
    HelpKind.EXECUTION: _l("What work can you do? (optional)"),
}
MONEY_UNIT_LABEL = {"toman": _l("Toman"), "rial": _l("Rial")}
# Codes that only a crafted request can cause: the form offers these values from lists.
FORGED_CODES = frozenset({"kind_unknown", "money_unit_unknown", "district_unknown", "skill_unknown", "table_unknown",
                          "item_unknown", "project_unknown",
                          "form_token_invalid"})
HIDDEN = {"display": "none"}
SHOWN: dict = {}
# --- reading what was typed ------------------------------------------------------------------------


def _id_list(value: object, code: str, field: str) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > 100:
        refuse_forged(ValidationError(code, field=field))
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        refuse_forged(ValidationError(code, field=field))
    return tuple(value)


def read_form(kind, amount, unit, description, skills, district, start, end, tables, only_tables,
              divisible, item=None, project=None, project_mode=None) -> PledgeInput:
    """The form's values as a PledgeInput; ValidationError for what a person typed wrong, 4xx for forgeries."""
    try:
        kind = help_kind(kind)
    except ValidationError as exc:
        refuse_forged(exc)
    if kind is HelpKind.FINANCIAL and unit not in ("toman", "rial"):
        refuse_forged(ValidationError("money_unit_unknown", field="unit"))
    if district is not None and (isinstance(district, bool) or not isinstance(district, int)):
        refuse_forged(ValidationError("district_unknown", field="district"))
    skill_ids = _id_list(skills, "skill_unknown", "skills") if kind in SKILLED_KINDS else ()
    table_ids = _id_list(tables, "table_unknown", "tables")
    if not isinstance(only_tables, (bool, type(None))) or not isinstance(divisible, (bool, type(None))):
        refuse_forged(ValidationError("field_required"))
    if description is not None and not isinstance(description, str):
        refuse_forged(ValidationError("description_too_long", field="description", maximum=MAX_DESCRIPTION))
    for value, code in ((item, "item_unknown"), (project, "project_unknown")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            refuse_forged(ValidationError(code, field=code.split("_")[0]))
    if project_mode not in (None, "only", "prefer"):
        refuse_forged(ValidationError("project_unknown", field="project"))
    text = amount if isinstance(amount, str) else ("" if amount is None else str(amount))
    quantity = quantity_from_input(kind, parse_amount(text[:64]), unit)
    return PledgeInput(kind=kind.value, quantity=quantity, district_id=district,
                       window_start=parse_date_text(start), window_end=parse_date_text(end),
                       skill_ids=skill_ids, table_ids=table_ids, only_tables=bool(only_tables),
                       divisible=True if divisible is None else bool(divisible),
                       description=(description or "")[:1000],
                       item_id=item if kind is HelpKind.LOGISTICS else None, project_id=project,
                       only_project=project is not None and project_mode == "only")


def worded(exc: DomainError, kind: object = None) -> str:
    """The sentence for an error, with money limits shown as money."""
    if exc.code == "quantity_too_large" and kind == HelpKind.FINANCIAL.value:
        return error_message(exc, maximum=format_money(MAX_QUANTITY[HelpKind.FINANCIAL]))
    return error_message(exc)


# --- the form ---------------------------------------------------------------------------------------


def _kind_option(kind: HelpKind) -> dict:
    return {"label": html.Span([icon(KIND_ICON[kind], "d-block fs-4 mb-1"), kind_label(kind)]),
            "value": kind.value}


_district_options = district_options  # shared with the pledge editor (dash_app.ui.pledge_fields)


def _error_div(cid: str, field_id: str | None = None) -> html.Div:
    return field_error(cid, field_id)


def _field(label, control, *, cid: str, help_text=None, error_id: str | None = None, row_id: str | None = None,
           style=None, label_id: str | None = None):
    children = [dbc.Label(label, html_for=cid, className="fw-semibold mb-1", id=label_id or f"{cid}-label"), control]
    if help_text:
        children.append(html.Div(help_text, className="form-text"))
    if error_id:
        children.append(_error_div(error_id, cid))
    return html.Div(children, className="mb-3", id=row_id or f"{cid}-row", style=style or SHOWN)


def _item_options(items, lang: str) -> list[dict]:
    """The catalogue grouped as the forms show it: vehicles, spaces, equipment, other."""
    group = {"vehicle": _("Vehicle"), "space": _("Space"), "equipment": _("Equipment"), "other": _("Other")}
    return [{"label": f"{group[i.category]}: {i.name(lang)}", "value": i.id}
            for c in ITEM_CATEGORIES for i in items if i.category == c]


def project_choice(target, lang: str, mode: str) -> html.Fieldset:
    """From a project's page: only this project, or this project first (issue 16 item 2)."""
    title = name_in(lang, target.project.title_fa, target.project.title_en) if target else ""
    return html.Fieldset([
        html.Legend(_("For “%(project)s”", project=title), className="fs-6 fw-semibold mb-1"),
        dbc.RadioItems(id=ids.PLEDGE_PROJECT_MODE, value=mode, options=[
            {"label": _("Only this project: my help waits for it and never goes to another project"), "value": "only"},
            {"label": _("This project first: when it needs nothing more, my help may go to other projects"),
             "value": "prefer"}]),
        _error_div(ids.PLEDGE_PROJECT_ERROR, ids.PLEDGE_PROJECT_MODE),
    ], className="mb-3 border rounded p-2", id=ids.PLEDGE_PROJECT_ROW, style=SHOWN if target else HIDDEN)


def form(lang: str, districts, skills, tables, *, kind: HelpKind, table_ids: list[int], items=(),
         target=None, mode: str = "only") -> html.Div:
    return html.Div([
        html.Fieldset([
            html.Legend(_("What kind of help?"), className="fs-6 fw-semibold mb-2"),
            dbc.RadioItems(id=ids.PLEDGE_KIND, options=[_kind_option(k) for k in HelpKind], value=kind.value,
                           className="d-grid gap-2", style={"gridTemplateColumns": "repeat(2, minmax(0, 1fr))"},
                           inputClassName="btn-check", labelClassName="btn btn-outline-primary w-100 py-2",
                           labelCheckedClassName="active"),
            html.P(str(KIND_HELP[kind]), id=ids.PLEDGE_KIND_HELP, className="form-text mt-2", **{"aria-live": "polite"}),
        ], className="mb-3"),
        html.Div([
            dbc.Label(str(QUANTITY_LABEL[kind]), html_for=ids.PLEDGE_QUANTITY, className="fw-semibold mb-1",
                      id=ids.PLEDGE_QUANTITY_LABEL),
            dbc.InputGroup([
                dbc.Input(id=ids.PLEDGE_QUANTITY, type="text", inputmode="decimal", autocomplete="off",
                          maxlength=40, value="", placeholder=format_number(1_000_000, lang)
                          if kind is HelpKind.FINANCIAL else format_number(10, lang)),
            ]),
            html.Div(dbc.RadioItems(id=ids.PLEDGE_UNIT, value="toman", inline=True, className="mt-2",
                                    options=[{"label": str(MONEY_UNIT_LABEL[u]), "value": u}
                                             for u in ("toman", "rial")]),
                     id=ids.PLEDGE_UNIT_ROW, style=SHOWN if kind is HelpKind.FINANCIAL else HIDDEN),
            html.Div(id=ids.PLEDGE_PREVIEW, className="form-text fw-semibold", **{"aria-live": "polite"}),
            _error_div(ids.PLEDGE_QUANTITY_ERROR, ids.PLEDGE_QUANTITY),
        ], className="mb-3"),
        project_choice(target, lang, mode),
        _field(_("What do you offer?"),
               dcc.Dropdown(id=ids.PLEDGE_ITEM, options=_item_options(items, lang),
                            placeholder=_("A vehicle, a space or equipment from the list")),
               cid=ids.PLEDGE_ITEM, help_text=_("Matching pairs your offer only with needs asking for this item or "
                                                "accepting it instead."),
               error_id=ids.PLEDGE_ITEM_ERROR, row_id=ids.PLEDGE_ITEM_ROW,
               style=SHOWN if kind is HelpKind.LOGISTICS else HIDDEN),
        _field(str(DESCRIPTION_LABEL[kind]),
               dbc.Input(id=ids.PLEDGE_DESCRIPTION, type="text", maxlength=MAX_DESCRIPTION, value="",
                         autocomplete="off"),
               cid=ids.PLEDGE_DESCRIPTION, error_id=ids.PLEDGE_DESCRIPTION_ERROR, row_id=ids.PLEDGE_DESCRIPTION_ROW),
        _field(_("Your skills"),
               dcc.Dropdown(id=ids.PLEDGE_SKILLS, multi=True, options=[{"label": s.name(lang), "value": s.id}
                                                                        for s in skills],
                            placeholder=_("Choose one or more skills")),
               cid=ids.PLEDGE_SKILLS, help_text=_("Needs that ask for these skills will find you first."),
               error_id=ids.PLEDGE_SKILLS_ERROR, row_id=ids.PLEDGE_SKILLS_ROW,
               style=SHOWN if kind in SKILLED_KINDS else HIDDEN),
        _field(_("Where are you? (district or city)"),
               dcc.Dropdown(id=ids.PLEDGE_DISTRICT, options=_district_options(districts, lang),
                            placeholder=_("Choose from Amol's districts and cities")),
               cid=ids.PLEDGE_DISTRICT, help_text=_("Logistics and work are matched to nearby projects first."),
               error_id=ids.PLEDGE_DISTRICT_ERROR, style=HIDDEN if kind is HelpKind.FINANCIAL else SHOWN),
        html.Fieldset([
            html.Legend(_("When are you available? (optional)"), className="fs-6 fw-semibold mb-1"),
            html.P(_("Year/month/day, in the Persian calendar (or the Gregorian one). Leave both empty if any "
                     "time suits you."), className="form-text mt-0"),
            dbc.Row([
                dbc.Col([dbc.Label(_("From"), html_for=ids.PLEDGE_START, className="small mb-1"),
                         dbc.Input(id=ids.PLEDGE_START, type="text", inputmode="numeric", maxlength=20,
                                   placeholder=date_placeholder(lang), autocomplete="off", value=""),
                         html.Div(id=ids.PLEDGE_START_PREVIEW, className="form-text", **{"aria-live": "polite"})],
                        xs=6),
                dbc.Col([dbc.Label(_("To"), html_for=ids.PLEDGE_END, className="small mb-1"),
                         dbc.Input(id=ids.PLEDGE_END, type="text", inputmode="numeric", maxlength=20,
                                   placeholder=date_placeholder(lang), autocomplete="off", value=""),
                         html.Div(id=ids.PLEDGE_END_PREVIEW, className="form-text", **{"aria-live": "polite"})],
                        xs=6),
            ], className="g-2"),
            _error_div(ids.PLEDGE_WINDOW_ERROR, ids.PLEDGE_START),
        ], className="mb-3", id=ids.PLEDGE_WINDOW_ROW, style=HIDDEN if kind is HelpKind.FINANCIAL else SHOWN),
        html.Fieldset([
            html.Legend(_("Tables you would like to help (optional)"), className="fs-6 fw-semibold mb-1"),
            dbc.Checklist(id=ids.PLEDGE_TABLES, options=[{"label": t.name(lang), "value": t.id} for t in tables],
                          value=table_ids, className="mb-2"),
            dbc.Switch(id=ids.PLEDGE_ONLY_TABLES, value=False,
                       label=_("Only these tables: do not offer my help to other tables")),
            _error_div(ids.PLEDGE_TABLES_ERROR, ids.PLEDGE_TABLES),
        ], className="mb-3"),
        html.Div(dbc.Switch(id=ids.PLEDGE_DIVISIBLE, value=True,
                            label=_("My help may be split between several projects")),
                 id=ids.PLEDGE_DIVISIBLE_ROW, className="mb-3",
                 style=HIDDEN if kind is HelpKind.FINANCIAL else SHOWN),
        html.Div(id=ids.PLEDGE_ERROR, **{"aria-live": "assertive"}),
        html.Button([_("Review my pledge"), icon("arrow-left" if lang == "fa" else "arrow-right", "ms-2")],
                    id=ids.PLEDGE_REVIEW, n_clicks=0, type="button", className="btn btn-primary btn-lg w-100"),
    ], id=ids.PLEDGE_FORM)


@page(__name__, path="/pledge", title=_l("Offer help"), roles={CITIZEN}, nav=True, menu="take_part", order=20, icon="heart")
def layout(table=None, project=None, kind=None, **_kw):
    lang = current_language()
    with get_db().reader() as s:
        districts = district_choices(s)
        skills = skill_choices(s)
        tables = table_choices(s)
        items = item_choices(s)
        target = None
        pid = parse_int(project) if isinstance(project, str) and len(project) < 12 else None
        if pid is not None:
            try:
                target = project_view(s, pid)
            except NotFound:
                target = None
    table_id = parse_int(table) if isinstance(table, str) and len(table) < 12 else None
    if target is not None:
        table_id = target.table.id
    table_ids = [t.id for t in tables if t.id == table_id]
    chosen = HelpKind(kind) if kind in set(HelpKind) else HelpKind.FINANCIAL
    if target is not None and kind not in set(HelpKind):  # the kind of help the project still lacks most
        open_needs = sorted((n for n in target.needs if n.coverage.missing > 0),
                            key=lambda n: -n.coverage.missing / max(1, n.coverage.quantity))
        chosen = open_needs[0].kind if open_needs else chosen
    banner = None
    if target is not None:
        banner = dbc.Alert([
            icon("info-circle", "me-2"),
            _("You are offering help to “%(project)s” of the %(table)s. Choose below whether it is only for this "
              "project or whether it may go to other projects once this one needs nothing more.",
              project=name_in(lang, target.project.title_fa, target.project.title_en),
              table=name_in(lang, target.table.name_fa, target.table.name_en)),
        ], color="info", className="small")
    elif table_ids:
        banner = dbc.Alert([icon("info-circle", "me-2"),
                            _("The table you came from is ticked as your preferred table.")],
                           color="info", className="small")
    return html.Div([
        html.H1(_("Offer help"), className="h3 mb-1"),
        html.P(_("Tell Hamyar what you can give. Nothing is saved until you confirm on the next step."),
               className="text-body-secondary"),
        banner,
        form(lang, districts, skills, tables, kind=chosen, table_ids=table_ids, items=items, target=target),
        dcc.Store(id=ids.PLEDGE_PROJECT, data=target.project.id if target is not None else None),
        html.Div(id=ids.PLEDGE_REVIEW_PANEL, style=HIDDEN, children=[
            html.H2(_("Check your pledge"), className="h4"),
            html.Div(id=ids.PLEDGE_SUMMARY),
            html.Div(dbc.Checkbox(id=ids.PLEDGE_BIG_OK, value=False, label="", className="fw-semibold"),
                     id=ids.PLEDGE_BIG_ROW, style=HIDDEN, className="alert alert-warning mt-3 mb-0"),
            html.Div(id=ids.PLEDGE_SUMMARY_ERROR, **{"aria-live": "assertive"}),
            html.Div([
                html.Button([icon("pencil", "me-1"), _("Change something")], id=ids.PLEDGE_EDIT, n_clicks=0,
                            type="button", className="btn btn-outline-secondary"),
                html.Button([icon("check2-circle", "me-1"), _("Confirm and save")], id=ids.PLEDGE_CONFIRM,
                            n_clicks=0, type="button", className="btn btn-primary"),
            ], className="d-flex flex-wrap gap-2 justify-content-between mt-3"),
        ]),
        html.Div(id=ids.PLEDGE_DONE),
        dcc.Store(id=ids.PLEDGE_TOKEN, data=form_tokens.new_token()),
    ], className="mx-auto", style={"maxWidth": "40rem"})


# --- callbacks --------------------------------------------------------------------------------------


@secured_callback(
    Output(ids.PLEDGE_KIND_HELP, "children"), Output(ids.PLEDGE_QUANTITY_LABEL, "children"),
    Output(ids.PLEDGE_UNIT_ROW, "style"), Output(ids.PLEDGE_SKILLS_ROW, "style"),
    Output(ids.PLEDGE_DIVISIBLE_ROW, "style"), Output(f"{ids.PLEDGE_DESCRIPTION}-label", "children"),
    Output(ids.PLEDGE_QUANTITY, "placeholder"),
    Output(f"{ids.PLEDGE_DISTRICT}-row", "style"), Output(ids.PLEDGE_WINDOW_ROW, "style"),
    Output(ids.PLEDGE_DISTRICT, "value"), Output(ids.PLEDGE_START, "value"), Output(ids.PLEDGE_END, "value"),
    Output(ids.PLEDGE_ITEM_ROW, "style"),
    Input(ids.PLEDGE_KIND, "value"), roles={CITIZEN}, prevent_initial_call=True)
def switch_kind(kind):
    """Each kind shows its own unit, help text and fields (money: no place, no availability window)."""
    require({CITIZEN})
    try:
        kind = help_kind(kind)
    except ValidationError as exc:
        refuse_forged(exc)
    lang = current_language()
    return (str(KIND_HELP[kind]), str(QUANTITY_LABEL[kind]), SHOWN if kind is HelpKind.FINANCIAL else HIDDEN,
            SHOWN if kind in SKILLED_KINDS else HIDDEN, HIDDEN if kind is HelpKind.FINANCIAL else SHOWN,
            str(DESCRIPTION_LABEL[kind]),
            format_number(1_000_000, lang) if kind is HelpKind.FINANCIAL else format_number(10, lang),
            HIDDEN if kind is HelpKind.FINANCIAL else SHOWN, HIDDEN if kind is HelpKind.FINANCIAL else SHOWN,
            # money is given neither somewhere nor at some time: what was chosen for another kind is cleared
            *((None, "", "") if kind is HelpKind.FINANCIAL else (no_update, no_update, no_update)),
            SHOWN if kind is HelpKind.LOGISTICS else HIDDEN)


@secured_callback(
    Output(ids.PLEDGE_PREVIEW, "children"),
    Input(ids.PLEDGE_QUANTITY, "value"), Input(ids.PLEDGE_UNIT, "value"), Input(ids.PLEDGE_KIND, "value"),
    roles={CITIZEN}, prevent_initial_call=True)
def preview_quantity(amount, unit, kind):
    """While typing: the amount with separators, in the reader's digits (money in both units)."""
    require({CITIZEN})
    if not isinstance(amount, str) or not amount.strip():
        return ""
    try:
        quantity = quantity_from_input(kind, parse_amount(amount[:64]), unit)
    except DomainError as exc:
        return html.Span(worded(exc, kind), className="text-danger fw-normal")
    lang = current_language()
    if kind == HelpKind.FINANCIAL.value:
        return [icon("check2", "me-1"), _("= %(toman)s (%(rial)s)", toman=format_money(quantity, lang),
                                          rial=format_money(quantity, lang, unit="rial"))]
    return [icon("check2", "me-1"), "= ", quantity_text(HelpKind(kind), quantity, lang)]


@secured_callback(
    Output(ids.PLEDGE_QUANTITY, "value"),
    Input(ids.PLEDGE_QUANTITY, "n_blur"), State(ids.PLEDGE_QUANTITY, "value"),
    roles={CITIZEN}, prevent_initial_call=True)
def separate_thousands(_blur, amount):
    """Leaving the field writes the number back with thousands separators, in the reader's digits."""
    require({CITIZEN})
    try:
        number = parse_amount(amount[:64]) if isinstance(amount, str) and amount.strip() else None
    except ValidationError:
        number = None  # left as typed: the preview says what is wrong
    if number is None or abs(number) >= Decimal(10) ** 18:
        return no_update
    text = format_number(number, current_language())
    return no_update if text == amount else text


@secured_callback(
    Output(ids.PLEDGE_START_PREVIEW, "children"), Output(ids.PLEDGE_END_PREVIEW, "children"),
    Input(ids.PLEDGE_START, "value"), Input(ids.PLEDGE_END, "value"),
    roles={CITIZEN}, prevent_initial_call=True)
def preview_dates(start, end):
    """Each typed date read back in words, so a mistyped month is seen at once."""
    require({CITIZEN})
    lang = current_language()

    def read(text):
        try:
            day = parse_date_text(text)
        except ValidationError as exc:
            return html.Span(error_message(exc), className="text-danger")
        return format_date(day, lang, long=True) if day else ""

    return read(start), read(end)


FORM_STATES = (State(ids.PLEDGE_KIND, "value"), State(ids.PLEDGE_QUANTITY, "value"), State(ids.PLEDGE_UNIT, "value"),
               State(ids.PLEDGE_DESCRIPTION, "value"), State(ids.PLEDGE_SKILLS, "value"),
               State(ids.PLEDGE_DISTRICT, "value"), State(ids.PLEDGE_START, "value"), State(ids.PLEDGE_END, "value"),
               State(ids.PLEDGE_TABLES, "value"), State(ids.PLEDGE_ONLY_TABLES, "value"),
               State(ids.PLEDGE_DIVISIBLE, "value"), State(ids.PLEDGE_ITEM, "value"), State(ids.PLEDGE_PROJECT, "data"),
               State(ids.PLEDGE_PROJECT_MODE, "value"))
# Each field a rule may name: the input to mark and focus, and its name in the sentence beside the button.
FIELD_OF = {"quantity": (ids.PLEDGE_QUANTITY, _l("Amount")), "description": (ids.PLEDGE_DESCRIPTION, _l("Description")),
            "skills": (ids.PLEDGE_SKILLS, _l("Your skills")), "district": (ids.PLEDGE_DISTRICT, _l("Where")),
            "window": (ids.PLEDGE_START, _l("When are you available? (optional)")),
            "tables": (ids.PLEDGE_TABLES, _l("Tables you would like to help (optional)")),
            "item": (ids.PLEDGE_ITEM, _l("What do you offer?")), "project": (ids.PLEDGE_PROJECT_MODE, _l("Project"))}
ERROR_OUTPUTS = {"quantity": ids.PLEDGE_QUANTITY_ERROR, "description": ids.PLEDGE_DESCRIPTION_ERROR,
                 "skills": ids.PLEDGE_SKILLS_ERROR, "district": ids.PLEDGE_DISTRICT_ERROR,
                 "window": ids.PLEDGE_WINDOW_ERROR, "tables": ids.PLEDGE_TABLES_ERROR, "item": ids.PLEDGE_ITEM_ERROR,
                 "project": ids.PLEDGE_PROJECT_ERROR}


def summary(checked, lang: str, unit: str) -> html.Dl:
    data = checked.data
    kind = checked.kind
    rows = [(_("Kind of help"), [icon(KIND_ICON[kind], "me-1"), kind_label(kind)])]
    if kind is HelpKind.FINANCIAL:
        shown = format_money(data.quantity, lang, unit=unit)
        other = format_money(data.quantity, lang, unit="rial" if unit == "toman" else "toman")
        rows.append((_("Amount"), f"{shown} ({other})"))
    else:
        rows.append((_("Quantity"), quantity_text(kind, data.quantity, lang)))
    if checked.item is not None:
        rows.append((_("What"), name_in(lang, checked.item.name_fa, checked.item.name_en)))
    if data.description:
        # money's description is a note («چه چیزی: برای خرید تجهیزات…» fitted only what is given in kind)
        rows.append((_("Note") if checked.item is not None or kind is HelpKind.FINANCIAL else _("What"),
                     data.description))
    if checked.project is not None:
        title = name_in(lang, checked.project.title_fa, checked.project.title_en)
        rows.append((_("Project"), _("Only “%(project)s”; it waits for this project", project=title)
                     if data.only_project else _("“%(project)s” first, then other projects", project=title)))
    if checked.skills:
        rows.append((_("Skills"), "، ".join(s.name_fa for s in checked.skills) if lang == "fa"
                     else ", ".join(s.name_en for s in checked.skills)))
    rows.append((_("Where"), name_in(lang, checked.district.name_fa, checked.district.name_en)
                 if checked.district else _("Anywhere in Amol county")))
    rows.append((_("When"), _("%(start)s to %(end)s", start=format_date(data.window_start, lang, long=True),
                              end=format_date(data.window_end, lang, long=True))
                 if data.window_start else _("Any time")))
    if checked.tables:
        names = [name_in(lang, t.name_fa, t.name_en) for t in checked.tables]
        rows.append((_("Only these tables") if data.only_tables else _("Preferred tables"),
                     html.Ul([html.Li(n) for n in names], className="mb-0 ps-3")))
    else:
        rows.append((_("Tables"), _("Any table")))
    if kind is not HelpKind.FINANCIAL:
        rows.append((_("Split"), _("May be split between projects") if data.divisible
                     else _("Goes whole to one project")))
    return html.Dl([part for label, value in rows for part in (
        html.Dt(label, className="col-sm-4 fw-normal text-body-secondary"), html.Dd(value, className="col-sm-8"))],
        className="row border rounded p-3 mb-0 bg-body-tertiary")


def done_panel(pledge_id: int, lang: str) -> html.Div:
    return html.Div([
        html.Div([icon("check-circle-fill", "me-2 text-success"),
                  html.Strong(_("Thank you! Your pledge is saved (number %(n)s).", n=id_text(pledge_id, lang)))],
                 className="alert alert-success", role="status"),
        html.H2(_("What happens next"), className="h5"),
        html.Ol(style={"listStyleType": "persian"} if lang == "fa" else {}, children=[
            html.Li(_("Hamyar's matching proposes your help to the projects that need it most; you will see each "
                      "proposal and why it was made.")),
            html.Li(_("The chair of the project's table accepts the proposal or, with a reason, declines it.")),
            html.Li(_("When the help is delivered, the table records it. You get a notification at every step.")),
            html.Li(_("Until a part is accepted you can withdraw it on “My contributions”.")),
        ], className="mb-3"),
        html.Div([
            dcc.Link([icon("list-check", "me-1"), _("See my contributions")], href="/my", className="btn btn-primary"),
            html.A(_("Offer more help"), href="/pledge", className="btn btn-outline-primary"),
            dcc.Link(_("Browse projects"), href="/projects", className="btn btn-link"),
        ], className="d-flex flex-wrap gap-2"),
    ], **{"data-pledge": str(pledge_id)})


@secured_callback(
    Output(ids.PLEDGE_FORM, "style"), Output(ids.PLEDGE_REVIEW_PANEL, "style"), Output(ids.PLEDGE_SUMMARY, "children"),
    Output(ids.PLEDGE_DONE, "children"), Output(ids.PLEDGE_ERROR, "children"),
    *[Output(cid, "children") for cid in ERROR_OUTPUTS.values()],
    Output(ids.PLEDGE_BIG_ROW, "style"), Output(ids.PLEDGE_BIG_OK, "label"), Output(ids.PLEDGE_BIG_OK, "value"),
    Output(ids.PLEDGE_SUMMARY_ERROR, "children"),
    Input(ids.PLEDGE_REVIEW, "n_clicks"), Input(ids.PLEDGE_EDIT, "n_clicks"), Input(ids.PLEDGE_CONFIRM, "n_clicks"),
    *FORM_STATES, State(ids.PLEDGE_TOKEN, "data"), State(ids.PLEDGE_BIG_OK, "value"), roles={CITIZEN},
    prevent_initial_call=True,
    running=[(Output(ids.PLEDGE_CONFIRM, "disabled"), True, False),
             (Output(ids.PLEDGE_REVIEW, "disabled"), True, False)])
def step(_review, _edit, _confirm, kind, amount, unit, description, skills, district, start, end, tables,
         only_tables, divisible, item=None, project=None, project_mode=None, token=None, big_ok=None):
    """Review (validate, show the summary), back to editing, or confirm (store the pledge).

    An error is shown at its field and again beside the button that was pressed, naming the field; above
    CONFIRM_MONEY_ABOVE the review asks "do you really mean …?" and confirming needs that box ticked."""
    require({CITIZEN})
    no_errors = [""] * len(ERROR_OUTPUTS)
    keep = (no_update, no_update, no_update)
    if ctx.triggered_id == ids.PLEDGE_EDIT:
        return SHOWN, HIDDEN, no_update, no_update, "", *no_errors, *keep, ""
    lang = current_language()
    citizen = current_user_id()
    try:
        data = read_form(kind, amount, unit, description, skills, district, start, end, tables, only_tables,
                         divisible, item, project, project_mode)
        big = data.kind == HelpKind.FINANCIAL.value and data.quantity > CONFIRM_MONEY_ABOVE
        if ctx.triggered_id == ids.PLEDGE_CONFIRM:
            if big and big_ok is not True:
                return (HIDDEN, SHOWN, no_update, "", "", *no_errors, *keep,
                        button_error(_("Please tick the box to confirm the amount, or change it."), ids.PLEDGE_BIG_OK))
            once = form_tokens.checked_token(token)  # pressing again after a timeout: the same pledge
            pledge_id = form_tokens.create_once(get_db(), lambda s: create_pledge(s, citizen, data, token=once).id)
            return HIDDEN, HIDDEN, "", done_panel(pledge_id, lang), "", *no_errors, HIDDEN, "", False, ""
        with get_db().reader() as s:
            checked = validate_pledge(s, citizen, data)
            shown = summary(checked, lang, unit if unit in ("toman", "rial") else "toman")
        question = _("Yes, I really mean %(amount)s.", amount=format_money(data.quantity, lang)) if big else ""
        return HIDDEN, SHOWN, shown, "", "", *no_errors, SHOWN if big else HIDDEN, question, False, ""
    except DomainError as exc:
        if exc.code in FORGED_CODES or not isinstance(exc, ValidationError):
            refuse_forged(exc)
        errors = dict.fromkeys(ERROR_OUTPUTS, "")
        message = worded(exc, kind)
        if exc.field in errors:
            errors[exc.field] = message
        field_id, label = FIELD_OF.get(exc.field or "", (None, None))
        if exc.field == "quantity":
            label = QUANTITY_LABEL.get(kind, label) if kind in set(HelpKind) else label
        general = button_error(message, field_id, str(label) if label else None)
        return SHOWN, HIDDEN, no_update, "", general, *errors.values(), HIDDEN, "", False, ""
