"""Organizations and referral settings (/admin/organizations), the governorate's: create an organization with its
remit, add and remove its admins and members; the kinds of request with their deadlines in working days; the
county's holidays that deadlines skip.

Imports dash, dbc, models (voice, accounts) and dash_app. Every operation checks the governorate role again in
models.voice (organizations, referrals).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, html, no_update
from sqlalchemy import select

from dash_app.auth import GOVERNORATE, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    _l,
    current_language,
    error_message,
    format_date,
    format_number,
    localise_digits,
    parse_int,
)
from dash_app.layout import icon, page
from dash_app.pages.voice import ids_referrals as ids
from dash_app.ui.dates import date_placeholder, parse_date_text
from dash_app.ui.forms import refuse_forged
from dash_app.ui.names import name_in
from dash_app.ui.referrals import KIND_LABELS, ROLE_LABELS
from models.accounts.users import find_user_by_login
from models.core.errors import Conflict, DomainError, NotFound, ValidationError
from models.orm.tables import Table
from models.voice import organizations as orgs
from models.voice import referrals as rf


def _tables(s) -> list[Table]:
    return list(s.scalars(select(Table).where(Table.archived_at.is_(None)).order_by(Table.id)))


def org_list(lang: str) -> html.Div:
    with get_db().reader() as s:
        rows = orgs.list_organizations(s)
        names = {t.id: name_in(lang, t.name_fa, t.name_en) for t in _tables(s)}
    if not rows:
        return html.P(_("No organization yet."), className="text-body-secondary")
    sep = "، " if lang == "fa" else ", "
    return html.Ul([html.Li([
        html.Div([html.Strong(name_in(lang, o.name_fa, o.name_en)),
                  html.Span(f" · {KIND_LABELS.get(o.kind, o.kind)}", className="text-body-secondary")]),
        html.Div(_("Serves: %(tables)s", tables=sep.join(names.get(t, "") for t in o.remit) or "—"),
                 className="small"),
        html.Ul([html.Li([
            html.Span(f"{name} · {ROLE_LABELS.get(role, role)}", className="me-2"),
            html.Button(_("Remove"), id={"type": ids.ORG_MEMBER_REMOVE, "org": o.id, "user": uid}, n_clicks=0,
                        type="button", className="btn btn-link btn-sm p-0"),
        ]) for uid, name, role in o.members], className="small mb-0") if o.members else
        html.Div(_("No members yet."), className="small text-body-secondary"),
    ], className="list-group-item", **{"data-organization": str(o.id)}) for o in rows], className="list-group")


def settings_list(lang: str) -> html.Div:
    with get_db().reader() as s:
        types = rf.active_types(s)
        days = rf.holiday_list(s)
    return html.Div([
        html.H3(_("Kinds of request"), className="h6"),
        html.Ul([html.Li([
            html.Div(_("%(name)s: answer within %(n)s working days; to the governorate %(m)s working days "
                       "after that", name=name_in(lang, t.name_fa, t.name_en),
                       n=format_number(t.deadline_days, lang), m=format_number(t.escalate_after_days, lang))),
            html.Div([
                html.Label([html.Span(_("Deadline in working days"), className="d-block"),
                            dbc.Input(id={"type": ids.TYPE_EDIT_DAYS, "kind": t.id}, size="sm", inputMode="numeric",
                                      value=localise_digits(str(t.deadline_days), lang))]),
                html.Label([html.Span(_("Working days late before it goes to the governorate"), className="d-block"),
                            dbc.Input(id={"type": ids.TYPE_EDIT_ESCALATE, "kind": t.id}, size="sm",
                                      inputMode="numeric", value=localise_digits(str(t.escalate_after_days), lang))]),
                html.Button(_("Save"), id={"type": ids.TYPE_EDIT_SAVE, "kind": t.id}, n_clicks=0, type="button",
                            className="btn btn-sm btn-outline-primary align-self-end"),
            ], className="d-flex flex-wrap gap-2 mb-2"),
        ]) for t in types], className="small") if types else
        html.P(_("No kind of request yet: citizens cannot send requests until there is one."), className="small"),
        html.H3(_("Holidays"), className="h6"),
        html.Ul([html.Li([f"{format_date(h.day, lang)} {h.name_fa}", " ",
                          html.Button(_("Remove"), id={"type": ids.HOLIDAY_REMOVE, "holiday": h.id}, n_clicks=0,
                                      type="button", className="btn btn-link btn-sm p-0")]) for h in days],
                className="small") if days else
        html.P(_("No holidays besides Thursdays and Fridays."), className="small text-body-secondary"),
    ])


def _input(label: str, fid: str, **kw) -> html.Div:
    return html.Div([dbc.Label(label, html_for=fid), dbc.Input(id=fid, **kw)], className="mb-2")


@page(__name__, path="/admin/organizations", title=_l("Organizations and requests"), roles={GOVERNORATE})
def layout(**_kw):
    lang = current_language()
    with get_db().reader() as s:
        tables = [{"label": name_in(lang, t.name_fa, t.name_en), "value": t.id} for t in _tables(s)]
        org_options = [{"label": name_in(lang, o.name_fa, o.name_en), "value": o.id} for o in orgs.list_organizations(s)]
    return html.Div([
        html.H1(_("Organizations and requests"), className="h3"),
        html.Div(id=ids.ORG_FLASH, **{"aria-live": "polite"}),
        dbc.Row([
            dbc.Col([
                html.H2(_("New organization"), className="h5"),
                _input(_("Name (Persian)"), ids.ORG_NAME_FA, maxLength=160),
                _input(_("Name (English)"), ids.ORG_NAME_EN, maxLength=160),
                dbc.Label(_("Kind"), html_for=ids.ORG_KIND),
                dbc.Select(id=ids.ORG_KIND, value="agency",
                           options=[{"label": str(v), "value": k} for k, v in KIND_LABELS.items()], className="mb-2"),
                dbc.Label(_("Tables it serves")),
                dbc.Checklist(id=ids.ORG_REMIT, options=tables, value=[], className="mb-2"),
                html.Button(_("Create the organization"), id=ids.ORG_CREATE, n_clicks=0, type="button",
                            className="btn btn-primary mb-3"),
                html.H2(_("Add a person"), className="h5"),
                dbc.Label(_("Organization"), html_for=ids.ORG_MEMBER_ORG),
                dbc.Select(id=ids.ORG_MEMBER_ORG, options=org_options, value=org_options[0]["value"] if org_options
                           else None, className="mb-2"),
                _input(_("Their mobile number or e-mail"), ids.ORG_MEMBER_LOGIN, maxLength=120, autoComplete="off"),
                dbc.Label(_("Role"), html_for=ids.ORG_MEMBER_ROLE),
                dbc.Select(id=ids.ORG_MEMBER_ROLE, value="member", className="mb-2",
                           options=[{"label": str(v), "value": k} for k, v in ROLE_LABELS.items()]),
                html.Button(_("Add"), id=ids.ORG_MEMBER_ADD, n_clicks=0, type="button",
                            className="btn btn-outline-primary mb-3"),
            ], md=5),
            dbc.Col([html.H2(_("Organizations"), className="h5"), html.Div(org_list(lang), id=ids.ORG_LIST)], md=7),
        ]),
        html.Hr(),
        dbc.Row([
            dbc.Col([
                html.H2(_("New kind of request"), className="h5"),
                _input(_("Name (Persian)"), ids.TYPE_NAME_FA, maxLength=120),
                _input(_("Name (English)"), ids.TYPE_NAME_EN, maxLength=120),
                _input(_("Deadline in working days"), ids.TYPE_DAYS, inputMode="numeric", value=localise_digits("10", lang)),
                _input(_("Working days late before it goes to the governorate"), ids.TYPE_ESCALATE,
                       inputMode="numeric", value=localise_digits("5", lang)),
                html.Button(_("Add the kind"), id=ids.TYPE_CREATE, n_clicks=0, type="button",
                            className="btn btn-primary mb-3"),
                html.H2(_("New holiday"), className="h5"),
                _input(_("Date"), ids.HOLIDAY_DAY, placeholder=date_placeholder(lang), inputMode="numeric"),
                _input(_("Occasion"), ids.HOLIDAY_NAME, maxLength=120),
                html.Button(_("Add the holiday"), id=ids.HOLIDAY_ADD, n_clicks=0, type="button",
                            className="btn btn-outline-primary mb-3"),
            ], md=5),
            dbc.Col([html.H2(_("Deadlines"), className="h5"), html.Div(settings_list(lang), id=ids.SETTINGS_LIST)],
                    md=7),
        ]),
    ])


def _typed(states: list, values: list | None, kind_id):
    for entry, value in zip(states or [], values or []):
        if isinstance(entry.get("id"), dict) and entry["id"].get("kind") == kind_id:
            return value
    return None


def _ok(text: str):
    return dbc.Alert([icon("check-circle", "me-2"), text], color="success", dismissable=True)


def _clicked() -> bool:
    return bool(ctx.triggered and ctx.triggered[0].get("value"))


@secured_callback(
    Output(ids.ORG_LIST, "children"), Output(ids.ORG_FLASH, "children"),
    Input(ids.ORG_CREATE, "n_clicks"), Input(ids.ORG_MEMBER_ADD, "n_clicks"),
    Input({"type": ids.ORG_MEMBER_REMOVE, "org": ALL, "user": ALL}, "n_clicks"),
    State(ids.ORG_NAME_FA, "value"), State(ids.ORG_NAME_EN, "value"), State(ids.ORG_KIND, "value"),
    State(ids.ORG_REMIT, "value"), State(ids.ORG_MEMBER_ORG, "value"), State(ids.ORG_MEMBER_LOGIN, "value"),
    State(ids.ORG_MEMBER_ROLE, "value"), roles={GOVERNORATE}, prevent_initial_call=True)
def organizations_changed(_create, _add, _remove, name_fa, name_en, kind, remit, org_id, login, role):
    require({GOVERNORATE})
    if not _clicked():
        return no_update, no_update
    actor, trigger = current_user_id(), ctx.triggered_id
    try:
        if trigger == ids.ORG_CREATE:
            get_db().run(lambda s: orgs.create_organization(s, actor, name_fa, name_en, kind, remit or []))
            done = _("Organization created.")
        elif trigger == ids.ORG_MEMBER_ADD:
            def add(s):
                user = find_user_by_login(s, login) if isinstance(login, str) and login.strip() else None
                if user is None:
                    raise NotFound("user_not_found")
                return orgs.add_member(s, actor, parse_int(org_id) if isinstance(org_id, str) else org_id,
                                       user.id, role)
            get_db().run(add)
            done = _("Added to the organization.")
        elif isinstance(trigger, dict) and trigger.get("type") == ids.ORG_MEMBER_REMOVE:
            get_db().run(lambda s: orgs.remove_member(s, actor, trigger.get("org"), trigger.get("user")))
            done = _("Removed from the organization.")
        else:
            return no_update, no_update
    except (ValidationError, Conflict, NotFound) as exc:
        return no_update, dbc.Alert(error_message(exc), color="warning")
    except DomainError as exc:
        refuse_forged(exc)
    return org_list(current_language()), _ok(done)


@secured_callback(
    Output(ids.SETTINGS_LIST, "children"), Output(ids.ORG_FLASH, "children", allow_duplicate=True),
    Input(ids.TYPE_CREATE, "n_clicks"), Input(ids.HOLIDAY_ADD, "n_clicks"),
    Input({"type": ids.HOLIDAY_REMOVE, "holiday": ALL}, "n_clicks"),
    Input({"type": ids.TYPE_EDIT_SAVE, "kind": ALL}, "n_clicks"),
    State({"type": ids.TYPE_EDIT_DAYS, "kind": ALL}, "value"),
    State({"type": ids.TYPE_EDIT_ESCALATE, "kind": ALL}, "value"),
    State(ids.TYPE_NAME_FA, "value"), State(ids.TYPE_NAME_EN, "value"), State(ids.TYPE_DAYS, "value"),
    State(ids.TYPE_ESCALATE, "value"), State(ids.HOLIDAY_DAY, "value"), State(ids.HOLIDAY_NAME, "value"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def settings_changed(_type, _holiday, _remove, _save, edit_days, edit_escalate, name_fa, name_en, days, escalate,
                     day, occasion):
    require({GOVERNORATE})
    if not _clicked():
        return no_update, no_update
    actor, trigger = current_user_id(), ctx.triggered_id
    number = lambda v: parse_int(v) if isinstance(v, str) and len(v) < 6 else v  # noqa: E731
    try:
        if trigger == ids.TYPE_CREATE:
            get_db().run(lambda s: rf.create_type(s, actor, name_fa, name_en, number(days), number(escalate)))
            done = _("Kind of request added.")
        elif trigger == ids.HOLIDAY_ADD:
            when = parse_date_text(day, field="day", code="holiday_date_invalid")
            get_db().run(lambda s: rf.add_holiday(s, actor, when, occasion))
            done = _("Holiday added. Deadlines set from now on skip it.")
        elif isinstance(trigger, dict) and trigger.get("type") == ids.TYPE_EDIT_SAVE:
            kind_id, states = trigger.get("kind"), ctx.states_list or [[], []]
            new_days = number(_typed(states[0], edit_days, kind_id))
            new_after = number(_typed(states[1], edit_escalate, kind_id))
            get_db().run(lambda s: rf.update_type(s, actor, kind_id, new_days, new_after))
            done = _("Saved. Requests sent from now on get the new deadline; those already sent keep theirs.")
        elif isinstance(trigger, dict) and trigger.get("type") == ids.HOLIDAY_REMOVE:
            get_db().run(lambda s: rf.remove_holiday(s, actor, trigger.get("holiday")))
            done = _("Holiday removed.")
        else:
            return no_update, no_update
    except (ValidationError, Conflict, NotFound) as exc:
        return no_update, dbc.Alert(error_message(exc), color="warning")
    except DomainError as exc:
        refuse_forged(exc)
    return settings_list(current_language()), _ok(done)
