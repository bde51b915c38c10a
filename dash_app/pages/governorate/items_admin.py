"""The logistics catalogue (/admin/items), governorate only: add an item, rename or translate it, retire it
from the forms or offer it again (issue 16's loose end). Imports dash, dbc, models and dash_app. One callback
handles the three actions (they share the message and the list), each one domain operation of
models.projects.items in one unit of work, audited there.
"""
from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from sqlalchemy import select

from dash_app.auth import GOVERNORATE, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, as_text, current_language
from dash_app.layout import icon, page
from dash_app.ui.alerts import error_alert, success
from dash_app.ui.names import name_in
from models.core.errors import DomainError
from models.orm.items import ITEM_CATEGORIES, LogisticsItem
from models.projects.items import add_item, reactivate_item, rename_item, retire_item

IT_LIST, IT_MESSAGE, IT_VERSION = "it-list", "it-message", "it-version"
IT_SLUG, IT_FA, IT_EN, IT_CATEGORY, IT_ADD = "it-slug", "it-fa", "it-en", "it-category", "it-add"
IT_R_ITEM, IT_R_FA, IT_R_EN, IT_RENAME = "it-r-item", "it-r-fa", "it-r-en", "it-rename"
IT_TOGGLE = "it-toggle"


def _groups() -> dict[str, str]:
    return {"vehicle": _("Vehicle"), "space": _("Space"), "equipment": _("Equipment"), "other": _("Other")}


def _label(text: str, component: Any) -> html.Label:
    return html.Label([html.Span(text, className="d-block small"), component], className="w-100")


@page(__name__, path="/admin/items", title=_l("Equipment and spaces catalogue"), roles={GOVERNORATE}, nav=False,
      order=56, icon="truck")
def layout(**_kw):
    groups = _groups()
    return html.Article([
        html.H1(_("Equipment and spaces catalogue"), className="h2"),
        html.P(_("The vehicles, spaces and equipment that logistics needs and pledges choose from. Matching pairs "
                 "them only on the same item or one the need accepts instead. A retired item is no longer offered "
                 "on the forms; needs and pledges that name it keep it."), className="text-body-secondary"),
        dcc.Store(id=IT_VERSION, data=0),
        html.Div(id=IT_MESSAGE, **{"aria-live": "polite"}),
        html.Div(id=IT_LIST, className="mb-4"),
        html.H2(_("Add an item"), className="h5"),
        html.Div([
            html.Div(_label(_("Code (lower-case Latin letters, digits and dashes)"),
                            dbc.Input(id=IT_SLUG, maxLength=64)), className="col-12 col-md-3"),
            html.Div(_label(_("Name in Persian"), dbc.Input(id=IT_FA, maxLength=120)), className="col-12 col-md-3"),
            html.Div(_label(_("Name in English"), dbc.Input(id=IT_EN, maxLength=120)), className="col-12 col-md-3"),
            html.Div(_label(_("Group"), dbc.Select(id=IT_CATEGORY, value="equipment", options=[
                {"label": groups[c], "value": c} for c in ITEM_CATEGORIES])), className="col-12 col-md-3"),
        ], className="row g-2 mb-2"),
        html.Button([icon("plus-lg", "me-1"), _("Add the item")], id=IT_ADD, n_clicks=0, type="button",
                    className="btn btn-primary btn-sm mb-4"),
        html.H2(_("Rename or translate an item"), className="h5"),
        html.Div([
            html.Div(_label(_("Item"), dbc.Select(id=IT_R_ITEM)), className="col-12 col-md-4"),
            html.Div(_label(_("New name in Persian"), dbc.Input(id=IT_R_FA, maxLength=120)),
                     className="col-12 col-md-4"),
            html.Div(_label(_("New name in English"), dbc.Input(id=IT_R_EN, maxLength=120)),
                     className="col-12 col-md-4"),
        ], className="row g-2 mb-2"),
        html.Button([icon("save", "me-1"), _("Save the names")], id=IT_RENAME, n_clicks=0, type="button",
                    className="btn btn-outline-primary btn-sm"),
    ])


def items_view(items, lang: str) -> Any:
    groups = _groups()
    head = html.Thead(html.Tr([html.Th(t) for t in (_("Code"), _("Name"), _("Group"), _("Status"), "")]))
    rows = [html.Tr([
        html.Td(html.Code(i.slug)),
        html.Td([html.Div(i.name_fa, lang="fa", dir="rtl"), html.Div(i.name_en, lang="en", dir="ltr")]),
        html.Td(groups.get(i.category, i.category)),
        html.Td(_("Offered") if i.active else _("Retired")),
        html.Td(html.Button(_("Retire") if i.active else _("Offer again"), n_clicks=0, type="button",
                            id={"type": IT_TOGGLE, "item": i.id},
                            className="btn btn-sm " + ("btn-outline-danger" if i.active else "btn-outline-success"))),
    ], **{"data-item": i.slug}) for i in items]
    return dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True, className="align-middle")


@secured_callback(Output(IT_LIST, "children"), Output(IT_R_ITEM, "options"), Input(IT_VERSION, "data"),
                  roles={GOVERNORATE})
def show_items(_version):
    require({GOVERNORATE})
    lang = current_language()
    with get_db().reader() as s:
        items = _catalogue(s)
    options = [{"label": f"{name_in(lang, i.name_fa, i.name_en)} ({i.slug})", "value": str(i.id)} for i in items]
    return items_view(items, lang), options


def _catalogue(session) -> list[LogisticsItem]:
    """Every item, retired ones too, in the forms' order (group, then id)."""
    return sorted(session.scalars(select(LogisticsItem)), key=lambda i: (ITEM_CATEGORIES.index(i.category), i.id))


def _item_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@secured_callback(
    Output(IT_MESSAGE, "children"), Output(IT_VERSION, "data"),
    Input(IT_ADD, "n_clicks"), Input(IT_RENAME, "n_clicks"), Input({"type": IT_TOGGLE, "item": ALL}, "n_clicks"),
    State(IT_SLUG, "value"), State(IT_FA, "value"), State(IT_EN, "value"), State(IT_CATEGORY, "value"),
    State(IT_R_ITEM, "value"), State(IT_R_FA, "value"), State(IT_R_EN, "value"), State(IT_VERSION, "data"),
    roles={GOVERNORATE}, prevent_initial_call=True)
def change_catalogue(_add, _rename, toggles, slug, name_fa, name_en, category, r_item, r_fa, r_en, version):
    require({GOVERNORATE})
    trigger = ctx.triggered_id
    if trigger is None or (isinstance(trigger, dict) and not any(toggles or [])):
        return no_update, no_update
    actor = current_user_id()
    try:
        if trigger == IT_ADD:
            get_db().run(lambda s: add_item(s, actor, as_text(slug), as_text(name_fa), as_text(name_en),
                                            as_text(category)))
            done = _("The item is in the catalogue.")
        elif trigger == IT_RENAME:
            get_db().run(lambda s: rename_item(s, actor, _item_id(r_item), as_text(r_fa), as_text(r_en)))
            done = _("The item's names are saved.")
        else:
            done = get_db().run(lambda s: _toggle(s, actor, trigger.get("item")))
    except DomainError as exc:
        return error_alert(exc), no_update
    return success(done), (version or 0) + 1


def _toggle(session, actor: int, item_id: Any) -> str:
    item = session.get(LogisticsItem, item_id) if isinstance(item_id, int) else None
    if item is not None and not item.active:
        reactivate_item(session, actor, item_id)
        return _("The item is offered on the forms again.")
    retire_item(session, actor, item_id)
    return _("The item is no longer offered on the forms.")
