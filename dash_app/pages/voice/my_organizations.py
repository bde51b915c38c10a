"""My organizations (/organizations): the organizations the signed-in person belongs to; an admin adds and removes
its members; a member makes their own pledges on behalf of one (then shown under its name on project pages;
matching treats them like anyone's).

Imports dash, dbc, models (voice, accounts) and dash_app. models.voice.organizations checks every step again
(admin of that organization, one's own pledge, member of the organization named).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_number, parse_int
from dash_app.layout import icon, page
from dash_app.ui.forms import refuse_forged
from dash_app.ui.labels import kind_label
from dash_app.ui.names import name_in
from dash_app.ui.quantities import quantity_text
from dash_app.ui.referrals import KIND_LABELS, ROLE_LABELS
from models.accounts.users import find_user_by_login
from models.core.errors import Conflict, DomainError, NotFound, ValidationError
from models.voice import organizations as orgs

LIST, FLASH = "my-organizations", "my-organizations-flash"
ADD_LOGIN, ADD_ROLE, ADD = "myorg-add-login", "myorg-add-role", "myorg-add"   # pattern: {"type", "org"}
REMOVE, BEHALF, BEHALF_SAVE = "myorg-remove", "myorg-behalf", "myorg-behalf-save"


def _admin_tools(o, lang: str) -> html.Div:
    return html.Div([
        html.Ul([html.Li([html.Span(f"{name} · {ROLE_LABELS.get(role, role)}", className="me-2"),
                          html.Button(_("Remove"), id={"type": REMOVE, "org": o.id, "user": uid}, n_clicks=0,
                                      type="button", className="btn btn-link btn-sm p-0")])
                 for uid, name, role in o.members], className="small mb-1"),
        html.Div([
            html.Label([html.Span(_("Their mobile number or e-mail"), className="d-block small"),
                        dbc.Input(id={"type": ADD_LOGIN, "org": o.id}, size="sm", maxLength=120,
                                  autoComplete="off")]),
            html.Label([html.Span(_("Role"), className="d-block small"),
                        dbc.Select(id={"type": ADD_ROLE, "org": o.id}, value="member", size="sm",
                                   options=[{"label": str(v), "value": k} for k, v in ROLE_LABELS.items()])]),
            html.Button(_("Add"), id={"type": ADD, "org": o.id}, n_clicks=0, type="button",
                        className="btn btn-sm btn-outline-primary align-self-end"),
        ], className="d-flex flex-wrap gap-2"),
    ])


def body(user_id: int, lang: str):
    with get_db().reader() as s:
        mine = orgs.organizations_of(s, user_id)
        rows = {r.id: r for r in orgs.list_organizations(s)}
        pledges = orgs.own_pledges(s, user_id)
    if not mine:
        return html.P(_("You do not belong to any organization. The governorate adds organizations and their "
                        "first admins."), className="text-body-secondary border rounded p-3")
    options = [{"label": _("Myself"), "value": ""}] + [{"label": name_in(lang, m.name_fa, m.name_en),
                                                        "value": str(m.organization_id)} for m in mine]
    cards = [html.Li([
        html.Div([html.Strong(name_in(lang, m.name_fa, m.name_en)),
                  html.Span(f" · {KIND_LABELS.get(m.kind, m.kind)} · {ROLE_LABELS.get(m.role, m.role)}",
                            className="text-body-secondary")]),
        _admin_tools(rows[m.organization_id], lang) if m.role == "admin" and m.organization_id in rows else None,
    ], className="list-group-item", **{"data-organization": str(m.organization_id)}) for m in mine]
    behalf = [html.Li([
        html.Span([kind_label(p.kind), ": ", quantity_text(p.kind, p.quantity, lang),
                   f" ({_('No. %(n)s', n=format_number(p.id, lang))})"], className="me-2"),
        html.Label([html.Span(_("On behalf of"), className="visually-hidden"),
                    dbc.Select(id={"type": BEHALF, "pledge": p.id}, options=options, size="sm",
                               style={"maxWidth": "14rem"}, value=str(p.organization_id) if p.organization_id else "")]),
        html.Button(_("Save"), id={"type": BEHALF_SAVE, "pledge": p.id}, n_clicks=0, type="button",
                    className="btn btn-sm btn-outline-primary"),
    ], className="list-group-item d-flex flex-wrap align-items-center gap-2") for p in pledges]
    return html.Div([
        html.Ul(cards, className="list-group mb-3"),
        html.H2(_("On whose behalf are your offers of help?"), className="h5"),
        html.P(_("An offer made on behalf of an organization is shown under its name on the project pages; it is "
                 "matched like anyone's."), className="small text-body-secondary"),
        html.Ul(behalf, className="list-group") if behalf else
        dcc.Link(_("Offer help"), href="/pledge", className="btn btn-primary btn-sm"),
    ])


@page(__name__, path="/organizations", title=_l("My organizations"), roles={CITIZEN})
def layout(**_kw):
    return html.Div([
        html.H1(_("My organizations"), className="h3"),
        html.Div(id=FLASH, **{"aria-live": "polite"}),
        html.Div(body(current_user_id(), current_language()), id=LIST),
    ])


def _value(states, values, key: str, wanted):
    for entry, value in zip(states or [], values or []):
        if isinstance(entry.get("id"), dict) and entry["id"].get(key) == wanted:
            return value
    return None


@secured_callback(
    Output(LIST, "children"), Output(FLASH, "children"),
    Input({"type": ADD, "org": ALL}, "n_clicks"), Input({"type": REMOVE, "org": ALL, "user": ALL}, "n_clicks"),
    Input({"type": BEHALF_SAVE, "pledge": ALL}, "n_clicks"),
    State({"type": ADD_LOGIN, "org": ALL}, "value"), State({"type": ADD_ROLE, "org": ALL}, "value"),
    State({"type": BEHALF, "pledge": ALL}, "value"), roles={CITIZEN}, prevent_initial_call=True)
def changed(_add, _remove, _save, logins, roles, behalf):
    require({CITIZEN})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update
    actor, kind, states = current_user_id(), trigger.get("type"), ctx.states_list or [[], [], []]
    try:
        if kind == ADD:
            login = _value(states[0], logins, "org", trigger.get("org"))
            role = _value(states[1], roles, "org", trigger.get("org"))

            def add(s):
                user = find_user_by_login(s, login) if isinstance(login, str) and login.strip() else None
                if user is None:
                    raise NotFound("user_not_found")
                return orgs.add_member(s, actor, trigger.get("org"), user.id, role)
            get_db().run(add)
            done = _("Added to the organization.")
        elif kind == REMOVE:
            get_db().run(lambda s: orgs.remove_member(s, actor, trigger.get("org"), trigger.get("user")))
            done = _("Removed from the organization.")
        elif kind == BEHALF_SAVE:
            chosen = _value(states[2], behalf, "pledge", trigger.get("pledge"))
            org_id = parse_int(chosen) if isinstance(chosen, str) and chosen and len(chosen) < 12 else None
            get_db().run(lambda s: orgs.attribute_pledge(s, actor, trigger.get("pledge"), org_id))
            done = _("Saved.")
        else:
            return no_update, no_update
    except (ValidationError, Conflict, NotFound) as exc:
        if kind == BEHALF_SAVE and isinstance(exc, NotFound):
            refuse_forged(exc)
        return no_update, dbc.Alert(error_message(exc), color="warning")
    except DomainError as exc:
        refuse_forged(exc)
    return body(actor, current_language()), dbc.Alert([icon("check-circle", "me-2"), done], color="success",
                                                       dismissable=True)
