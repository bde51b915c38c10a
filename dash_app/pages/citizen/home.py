"""The home page: what Hamyar is, the citizens' help gathered so far (the PB budget apart), the projects most in need, a call to pledge.

Imports dash, models (browse) and dash_app. Every figure is read from the database,
through the render cache (at most ~1 s old).
"""
from __future__ import annotations

from dash import dcc, html
from flask_login import current_user

from dash_app.auth import ANYONE
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_money, format_number
from dash_app.layout import icon, page
from dash_app.render_cache import cached_render
from dash_app.ui import citizen_ids as ids
from dash_app.ui.labels import KIND_ICON, kind_label
from dash_app.ui.project_cards import project_list
from dash_app.ui.quantities import quantity_text
from models.core.enums import HelpKind
from models.projects.browse import most_in_need, table_choices, totals


def _total_card(kind: HelpKind, mobilised: int, delivered: int, lang: str) -> html.Li:
    return html.Li(html.Div([
        html.Div([icon(KIND_ICON[kind], "fs-4 me-2 text-primary"), html.Span(kind_label(kind), className="fw-semibold")],
                 className="d-flex align-items-center mb-1"),
        html.Div(quantity_text(kind, mobilised, lang), className="fs-5 fw-bold", **{"data-kind": kind.value}),
        html.Div(_("of which delivered: %(q)s", q=quantity_text(kind, delivered, lang)),
                 className="small text-body-secondary"),
    ], className="border rounded p-3 h-100 bg-body"), className="col-6 col-lg-3")


@page(__name__, path="/", title=_l("Home"), roles={ANYONE}, nav=False, order=0, icon="house")
def layout(**_kw):
    # The same for everyone of a language but for where "Offer help" leads (no one's name, roles or data):
    # cached per language and sign-in state (dash_app.render_cache), ~1 s stale at most on the totals.
    signed_in = bool(current_user.is_authenticated)
    return cached_render(__name__, signed_in, lambda: _home(signed_in))


def _home(signed_in: bool):
    lang = current_language()
    with get_db().reader() as s:
        figures = totals(s)
        needy = most_in_need(s, limit=6)
        tables = table_choices(s)
    pledge_href = "/pledge" if signed_in else "/login?next=/pledge"
    return html.Div([
        html.Section([
            html.H1(_("Hamyar: helping hands for Amol county"), className="h2"),
            html.P(_("Hamyar connects the people of Amol with the county's specialized tables, the committees that "
                     "run projects on health, the environment, tourism and more. You offer money, equipment, design "
                     "or your own work; Hamyar sends it where it does the most good and shows you what became of "
                     "it."), className="lead"),
            html.Div([
                dcc.Link([icon("heart-fill", "me-2"), _("Offer help")], href=pledge_href,
                         className="btn btn-primary btn-lg", id=ids.HOME_CTA),
                dcc.Link(_("See the projects"), href="/projects", className="btn btn-outline-primary btn-lg"),
            ], className="d-flex flex-wrap gap-2"),
        ], className="py-3"),
        html.Section([
            html.H2(_("Citizens' help gathered so far"), className="h4"),
            html.P(_("Citizens' help that the chairs of the tables have accepted or that has already been delivered."),
                   className="small text-body-secondary"),
            html.Ul([_total_card(k, figures.mobilised[k], figures.delivered[k], lang) for k in HelpKind],
                    className="row g-2 list-unstyled mb-2", id=ids.HOME_TOTALS),
            html.P([
                icon("people-fill", "me-2"),
                html.Span(_("%(n)s citizens are taking part", n=format_number(figures.participants, lang)),
                          id=ids.HOME_PARTICIPANTS),
                " · ",
                _("%(n)s open projects", n=format_number(figures.open_projects, lang)),
            ], className="mb-0"),
            # Public money is not citizens' help: the governorate's PB budget is shown apart, never added above.
            html.P([icon("bank", "me-2"),
                    _("Besides, the governorate's participatory budget has funded %(amount)s of projects.",
                      amount=format_money(figures.public_budget_rials, lang))],
                   className="small text-body-secondary mt-1 mb-0", id="home-public-budget")
            if figures.public_budget_rials else None,
        ], className="py-3"),
        html.Section([
            html.Div([
                html.H2(_("Projects most in need"), className="h4 mb-0"),
                dcc.Link(_("All projects"), href="/projects", className="btn btn-link"),
            ], className="d-flex flex-wrap justify-content-between align-items-center mb-2"),
            html.P(_("High-priority projects that are still far from fully covered."),
                   className="small text-body-secondary"),
            project_list(needy, lang, id=ids.HOME_NEEDY, heading="h3") if needy
            else html.P(_("No project is open for help right now."), id=ids.HOME_NEEDY),
        ], className="py-3"),
        html.Section([
            html.H2(_("Browse by table"), className="h4"),
            html.Ul([html.Li(dcc.Link(t.name(lang), href=f"/projects?table={t.id}",
                                      className="btn btn-sm btn-outline-secondary")) for t in tables],
                    className="list-unstyled d-flex flex-wrap gap-2", id=ids.HOME_TABLES)
            if tables else html.P(_("No tables yet."), id=ids.HOME_TABLES),
        ], className="py-3"),
        html.Section(html.Div([
            html.H2(_("Ready to help?"), className="h4"),
            html.P(_("It takes two minutes. Nothing is taken until a table's chair accepts it, and you can withdraw "
                     "whatever is not accepted.")),
            dcc.Link([icon("heart-fill", "me-2"), _("Offer help")], href=pledge_href, className="btn btn-light btn-lg"),
        ], className="p-4 rounded text-white", style={"backgroundColor": "#0b5a73"}), className="py-3"),
    ])
