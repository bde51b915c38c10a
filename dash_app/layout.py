"""The shell every page stands in (navbar, footer) and the `page` decorator that registers a page with its roles.

Imports dash, dbc, flask-login and dash_app; no page logic lives here.

A page module is `dash_app/pages/<name>.py`:

    @page(__name__, path="/pledge", title=_l("Offer help"), roles={CITIZEN}, nav=True, menu="take_part",
          icon="heart")
    def layout(**query):
        return ...

`nav=True` puts the page in the navbar: at the top when `menu` is None, else in one of the navbar's menus
(MENUS: "take_part", "results"; "workspace" is the signed-in person's own menu, see `_workspace`).
`roles` are dash_app.auth roles; the layout only runs for users holding one of them. Anonymous
users are sent to the login page, others get the 403 content. Table-specific checks (MEMBER, CHAIR)
happen inside the layout with `auth.admits(...)` / `auth.require(...)`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dash_app.auth import ANYONE, CSRF_FORM_FIELD, ROLES, admits, csrf_token, current_roles
from dash_app.i18n import LANGUAGE_NAMES, _, _l, current_language
from dash_app.ui import ids
from dash_app.ui.alerts import failure_region

# The navbar's menus, in the order shown (issue 20: at 1280 px the Persian navbar wrapped every label and the
# governorate's overflowed). Each: (name, label, icon, id of its button). "workspace" is built per person.
MENUS = (("take_part", _l("Take part"), "hand-index-thumb", "nav-menu-take-part"),
         ("results", _l("Results"), "bar-chart-line", "nav-menu-results"))
MENU_NAMES = frozenset({name for name, *_rest in MENUS} | {"workspace"})


def page(
    module: str,
    *,
    path: str,
    title: Any,
    roles: Iterable[str],
    nav: bool = False,
    order: int | None = None,
    icon: str | None = None,
    path_template: str | None = None,
    menu: str | None = None,
    nav_label: Any = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated `layout(**kwargs)` as a Dash page that only `roles` may see."""
    allowed = frozenset(roles)
    if not allowed or allowed - ROLES:
        raise ValueError(f"page {path} needs roles from {sorted(ROLES)}")
    if menu is not None and menu not in MENU_NAMES:
        raise ValueError(f"page {path}: menu must be one of {sorted(MENU_NAMES)}")

    def title_of(**_kw: Any) -> str:
        return f"{_(str(title))} · {_('Hamyar')}" if str(title) != "Hamyar" else _("Hamyar")

    def decorate(layout: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(**kwargs: Any) -> Any:
            roles_now = current_roles()
            if admits(allowed, roles_now):
                return layout(**kwargs)
            if roles_now.is_anonymous:
                return login_redirect(_here(path))
            return forbidden_content()

        dash.register_page(
            module,
            path=path,
            path_template=path_template,
            name=str(title),
            title=title_of,
            order=order,
            layout=guarded,
            roles=allowed,
            nav=nav,
            menu=menu,
            nav_label=nav_label or title,
            icon=icon,
            description="",
        )
        return layout

    return decorate


# --- small building blocks -------------------------------------------------------------------


def icon(name: str, extra_class: str = "") -> html.I:
    """A decorative Bootstrap icon (hidden from screen readers)."""
    return html.I(className=f"bi bi-{name} {extra_class}".strip(), **{"aria-hidden": "true"})


def csrf_field() -> dbc.Input:
    """The hidden CSRF field every POSTed form carries."""
    return dbc.Input(type="hidden", name=CSRF_FORM_FIELD, value=csrf_token())


def _here(default: str) -> str:
    """The address being shown, query included (/pledge?project=12), read from the Pages router's inputs:
    logging in must come back to it (issue 20 item 7); `default` outside a router callback."""
    try:
        items = list(dash.callback_context.inputs_list or []) + list(dash.callback_context.states_list or [])
    except Exception:  # noqa: BLE001 - not inside a callback
        return default
    parts = {i.get("property"): i.get("value") for i in items
             if isinstance(i, dict) and i.get("id") == ids.PAGES_LOCATION and isinstance(i.get("value"), str)}
    path, search = parts.get("pathname"), parts.get("search") or ""
    if not path or not path.startswith("/") or path.startswith("//"):
        return default
    return path + (search if search.startswith("?") else "")


def login_redirect(path: str) -> Any:
    target = f"/login?next={quote(path, safe='/')}"
    return html.Div([
        dcc.Location(id=ids.REDIRECT, href=target, refresh=True),
        html.P(_("Please log in first.")),
        html.A(_("Log in"), href=target),
    ])


def forbidden_content() -> Any:
    return html.Section([
        html.H1([icon("shield-lock", "me-2"), _("Access denied")],
                className="h3"),
        html.P(_("You do not have the role needed to see this page.")),
        html.A(_("Back to the home page"), href="/", className="btn btn-primary"),
    ], className="py-5 text-center")


def alert_for(message: str | None, *, id: str) -> Any:
    if not message:
        return html.Div(id=id)
    return html.Div(message, id=id, className="alert alert-danger mb-3", role="alert")


# --- navbar and footer -------------------------------------------------------------------------


def _nav_pages(menu: str | None) -> list[dict]:
    """The registered pages the current person may see in one menu (None: the navbar's top level), in order."""
    roles = current_roles()
    return [pg for pg in dash.page_registry.values()
            if pg.get("nav") and pg.get("menu") == menu and admits(pg.get("roles") or (), roles)]


def _nav_link(href: str, label: Any, icon_name: str | None, class_name: str, **kw: Any) -> Any:
    children = [icon(icon_name, "me-1 ms-1")] if icon_name else []
    return dcc.Link(children + [label], href=href, className=class_name, **kw)


def _page_link(pg: dict, class_name: str) -> Any:
    return _nav_link(pg["relative_path"], _(str(pg.get("nav_label") or pg["name"])), pg.get("icon"), class_name)


def _dropdown(label: Any, icon_name: str, button_id: str, entries: list[Any]) -> Any:
    """A Bootstrap dropdown in the navbar (bootstrap.bundle from assets/vendor opens it; Tab, Enter, the
    arrow keys and Escape work as Bootstrap gives them)."""
    return html.Li([
        html.Button([icon(icon_name, "me-1 ms-1"), label], type="button", id=button_id,
                    className="nav-link dropdown-toggle",
                    **{"data-bs-toggle": "dropdown", "aria-expanded": "false"}),
        html.Ul(entries, className="dropdown-menu", **{"aria-labelledby": button_id}),
    ], className="nav-item dropdown")


def _workspace() -> Any:
    """The signed-in person's own menu: a citizen's contributions; a chair's or member's tables; the staff's
    dashboard and administration (the pages registered with menu="workspace"), with their contributions."""
    roles = current_roles()
    if roles.is_anonymous:
        return None
    pages = _nav_pages("workspace")
    mine = [pg for pg in pages if pg.get("relative_path") == "/my"]
    entries = [html.Li(_page_link(pg, "dropdown-item")) for pg in pages if pg not in mine]
    tables = sorted(roles.chair_of | roles.member_of)
    if tables:
        from sqlalchemy import select

        from dash_app.db import get_db
        from dash_app.ui.names import name_in
        from models.orm.tables import Table

        lang = current_language()
        with get_db().reader() as s:
            rows = s.execute(select(Table.id, Table.name_fa, Table.name_en).where(Table.id.in_(tables))
                             .order_by(Table.id)).all()
        if entries:
            entries.append(html.Li(html.Hr(className="dropdown-divider")))
        for tid, fa, en in rows:
            name = name_in(lang, fa, en)
            label = _("%(table)s (chair)", table=name) if tid in roles.chair_of else name
            entries.append(html.Li(_nav_link(f"/tables/{tid}", label, "people", "dropdown-item")))
    if not entries:  # a citizen: one link, no menu
        return html.Li(_page_link(mine[0], "nav-link"), className="nav-item") if mine else None
    if mine:
        entries = [html.Li(_page_link(mine[0], "dropdown-item")), html.Li(html.Hr(className="dropdown-divider")),
                   *entries]
    if roles.governorate:
        return _dropdown(_("Governorate"), "bank", "nav-menu-workspace", entries)
    return _dropdown(_("My workspace"), "briefcase", "nav-menu-workspace", entries)


def _nav_items() -> list[Any]:
    """Top-level links, then the menus ("Take part", "Results"), then the person's own workspace."""
    items = [html.Li(_page_link(pg, "nav-link"), className="nav-item") for pg in _nav_pages(None)]
    for name, label, icon_name, button_id in MENUS:
        pages = _nav_pages(name)
        if pages:
            items.append(_dropdown(_(str(label)), icon_name, button_id,
                                   [html.Li(_page_link(pg, "dropdown-item")) for pg in pages]))
    workspace = _workspace()
    if workspace is not None:
        items.append(workspace)
    return items


def _language_switch() -> Any:
    other = "en" if current_language() == "fa" else "fa"
    return html.Form([
        csrf_field(),
        html.Button([icon("translate", "me-1"), LANGUAGE_NAMES[other]],
                    type="submit", name="lang", value=other, lang=other,
                    className="btn btn-outline-light btn-sm", title=_("Change language")),
    ], action="/language", method="POST", id=ids.LANGUAGE_FORM, className="d-inline-block m-0")


def _notifications_link() -> Any:
    """The bell with the count of unread notifications (dash_app.pages.citizen.my keeps it current)."""
    from dash_app.db import get_db
    from dash_app.i18n import format_number
    from models.core.notify import unread_count

    with get_db().reader() as s:
        unread = unread_count(s, int(current_user.id))
    return dcc.Link([icon("bell"), html.Span(_("Notifications"), className="visually-hidden"),
                     html.Span(format_number(unread) if unread else "", id=ids.NAV_UNREAD,
                               className="badge rounded-pill text-bg-danger ms-1")],
                    href="/my#notifications", id=ids.NAV_NOTIFICATIONS,
                    className="btn btn-outline-light btn-sm", title=_("Notifications"))


def _account_items() -> list[Any]:
    if current_user.is_authenticated:
        return [
            _notifications_link(),
            dcc.Link([icon("person-circle", "me-1"), html.Span(current_user.name, className="nav-account-name")],
                     href="/account", id=ids.NAV_ACCOUNT, className="navbar-text text-light me-2 ms-2",
                     title=_("Your account")),
            html.Form([
                csrf_field(),
                html.Button(_("Log out"), type="submit", className="btn btn-light btn-sm"),
            ], action="/logout", method="POST", id=ids.LOGOUT_FORM, className="d-inline-block m-0"),
        ]
    return [
        html.A(_("Log in"), href="/login", className="btn btn-light btn-sm"),
        html.A(_("Register"), href="/register", className="btn btn-outline-light btn-sm"),
    ]


def navbar() -> Any:
    toggler = html.Button(
        html.Span(className="navbar-toggler-icon"),
        className="navbar-toggler", type="button",
        **{"data-bs-toggle": "collapse", "data-bs-target": f"#{ids.NAVBAR_COLLAPSE}",
           "aria-controls": ids.NAVBAR_COLLAPSE, "aria-expanded": "false", "aria-label": _("Menu")},
    )
    return html.Header(html.Nav(html.Div([
        dcc.Link([icon("people-fill", "me-2"), _("Hamyar")],
                 href="/", className="navbar-brand fw-bold"),
        toggler,
        html.Div([
            html.Ul(_nav_items(), className="navbar-nav me-auto mb-2 mb-xl-0"),
            html.Div([_language_switch(), *_account_items()],
                     className="d-flex flex-wrap flex-xl-nowrap align-items-center gap-2 nav-account-items"),
        ], className="collapse navbar-collapse", id=ids.NAVBAR_COLLAPSE),
    ], className="container"), className="navbar navbar-expand-xl navbar-dark bg-primary",
        id=ids.NAVBAR, **{"aria-label": _("Main menu")}))


def footer() -> Any:
    return html.Footer(html.Div([
        html.P(_("Hamyar: the people of Amol county and its specialized tables, working together."),
               className="mb-1"),
        html.P([
            dcc.Link(_("How matching works"), href="/how-matching-works", className="link-dark me-3"),
            html.Span(_("Free software under the AGPL."), className="text-body-secondary"),
        ], className="mb-0 small"),
    ], className="container"), className="border-top bg-light py-3 mt-auto", id=ids.FOOTER)


def shell() -> Any:
    """app.layout: runs per request, so the navbar follows the user's roles and language."""
    return html.Div([
        html.A(_("Skip to content"), href=f"#{ids.MAIN}", className="visually-hidden-focusable"),
        navbar(),
        html.Main(dash.page_container, id=ids.MAIN, className="container py-4 flex-grow-1"),
        footer(),
        failure_region(),
    ], className="d-flex flex-column min-vh-100")


__all__ = ["ANYONE", "alert_for", "csrf_field", "footer", "forbidden_content", "icon", "login_redirect",
           "navbar", "page", "shell"]
