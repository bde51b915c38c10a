"""Project cards: one project in a list, and a list of them (the home page and /projects). A section of the
citizen area and of dash_app.ui (it registers no route; pages import it, never each other).

Imports dash, models (browse) and dash_app.
"""
from __future__ import annotations

from dash import dcc, html

from dash_app.i18n import _, format_number, format_percent
from dash_app.layout import icon
from dash_app.ui.coverage import coverage_bar
from dash_app.ui.labels import KIND_ICON, PROJECT_KIND_LABEL, kind_label
from dash_app.ui.names import name_in
from models.projects.browse import ProjectCard


def project_card(card: ProjectCard, lang: str, *, heading: str = "h3") -> html.Article:
    """One project in a list: title, table, place, priority and a coverage bar per kind of help."""
    title = card.title(lang)
    place = name_in(lang, card.district_fa, card.district_en)
    rows = []
    for kind, cov in card.by_kind.items():
        rows.append(html.Div([
            html.Div([html.Span([icon(KIND_ICON[kind], "me-1"), kind_label(kind)], className="small"),
                      # what is covered, said positively (issue 20 wording: «۱۰۰٪ تأمین‌نشده» beside an empty bar)
                      html.Span(_("%(p)s covered", p=format_percent(cov.share(cov.accepted), lang))
                                if cov.accepted > 0 else _("Not covered yet"), className="small text-body-secondary")],
                     className="d-flex justify-content-between"),
            coverage_bar(cov, height=".5rem", label=f"{title} · {kind_label(kind)}"),
        ], className="mb-2"))
    summary = card.summary(lang)
    if len(summary) > 180:
        summary = summary[:177].rsplit(" ", 1)[0] + "…"
    Heading = getattr(html, heading.upper())
    return html.Article(html.Div([
        html.Div([
            html.Span(str(PROJECT_KIND_LABEL[card.kind]), className="badge text-bg-secondary fw-normal"),
            html.Span(_("Priority %(p)s of 10", p=format_number(card.priority, lang)),
                      className="badge text-bg-light border fw-normal"),
        ], className="d-flex flex-wrap gap-1 mb-2"),
        Heading(dcc.Link(title, href=f"/projects/{card.id}", className="stretched-link text-decoration-none"),
                className="h6 mb-1"),
        html.P([icon("people", "me-1"), name_in(lang, card.table_fa, card.table_en)]
               + ([" · ", icon("geo-alt", "me-1"), place] if place else []),
               className="small text-body-secondary mb-2"),
        html.P(summary, className="small mb-2") if summary else None,
        html.Div(rows),
    ], className="card-body position-relative"), className="card h-100 shadow-sm",
        **{"data-project": str(card.id)})


def project_list(items: list[ProjectCard], lang: str, *, id: str, heading: str = "h2") -> html.Ul:
    return html.Ul([html.Li(project_card(c, lang, heading=heading), className="col") for c in items],
                   className="list-unstyled row row-cols-1 row-cols-md-2 row-cols-xl-3 g-3", id=id)


__all__ = ["project_card", "project_list"]
