"""The home page: what Hamyar is, and the specialized tables with their members and projects.

Imports dash, sqlalchemy, models and dash_app.
"""
from __future__ import annotations

from dash import dcc, html
from sqlalchemy import func, select

from dash_app import ids
from dash_app.auth import ANYONE
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, format_number
from dash_app.layout import icon, page
from models import Pledge, Project, ProjectStatus, Table, TableMembership


def tables_with_counts(session) -> list[tuple[Table, int, int]]:
    """Every open table with its current member count and its open or running project count."""
    members = (select(TableMembership.table_id, func.count().label("n"))
               .where(TableMembership.left_at.is_(None)).group_by(TableMembership.table_id).subquery())
    projects = (select(Project.table_id, func.count().label("n"))
                .where(Project.status.in_([ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS]))
                .group_by(Project.table_id).subquery())
    rows = session.execute(
        select(Table, func.coalesce(members.c.n, 0), func.coalesce(projects.c.n, 0))
        .outerjoin(members, members.c.table_id == Table.id)
        .outerjoin(projects, projects.c.table_id == Table.id)
        .where(Table.archived_at.is_(None)).order_by(Table.id)
    ).all()
    return [(t, int(m), int(p)) for t, m, p in rows]


def _table_card(table: Table, members: int, projects: int, lang: str):
    name = table.name_fa if lang == "fa" else table.name_en
    return html.Li(html.Div([
        html.H3(name, className="h6 mb-1"),
        html.P([
            icon("people", "me-1"), _("%(n)s members", n=format_number(members)), " · ",
            icon("kanban", "me-1"), _("%(n)s open projects", n=format_number(projects)),
        ], className="mb-0 small text-body-secondary"),
    ], className="p-3 border rounded h-100"), className="col-12 col-md-6 col-lg-4")


@page(__name__, path="/", title=_l("Home"), roles={ANYONE}, nav=True, order=0, icon="house")
def layout(**_kw):
    lang = current_language()
    with get_db().reader() as s:
        tables = tables_with_counts(s)
        pledges = s.scalar(select(func.count()).select_from(Pledge)) or 0
    return html.Div([
        html.Section([
            html.H1(_("Hamyar: helping hands for Amol county"), className="h2"),
            html.P(_("Hamyar connects the people of the county with its specialized tables. Each table is a "
                     "standing committee for one domain, such as health or tourism, that runs projects. "
                     "Citizens offer help (money, logistics, design or work) and Hamyar matches each offer "
                     "to the projects that need it most."), className="lead"),
            html.Div([
                dcc.Link(_("Offer help"), href="/register", className="btn btn-primary me-2 mb-2"),
                dcc.Link(_("How matching works"), href="/how-matching-works",
                         className="btn btn-outline-primary mb-2"),
            ]),
        ], className="py-3"),
        html.Section([
            html.H2(_("In numbers"), className="h4"),
            html.Ul([
                html.Li(_("%(n)s specialized tables", n=format_number(len(tables)))),
                html.Li(_("%(n)s pledges of help", n=format_number(pledges))),
            ], id=ids.HOME_TOTALS),
        ], className="py-2"),
        html.Section([
            html.H2(_("Specialized tables"), className="h4"),
            html.Ul([_table_card(t, m, p, lang) for t, m, p in tables], className="row g-3 list-unstyled",
                    id=ids.HOME_TABLES)
            if tables else html.P(_("No tables yet."), id=ids.HOME_TABLES),
        ], className="py-2"),
    ])
