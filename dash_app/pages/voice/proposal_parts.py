"""Sections of the citizen proposal page that are not the proposal itself: the chair's adopt fields (the project's
title, its derived kind, an optional cost, the key core's lead and people), and moderation — reporting abusive
text, the reports a moderator reads, hiding text with a reason.

Imports dash, dbc and dash_app; not a page (dash_app/pages/voice/proposal.py draws these and owns their
callbacks). Each report or hide control is a native <details> (no script to open it, works on a phone); its id
carries the target: 0 for the proposal itself, else the comment's id.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app.i18n import _, format_date
from dash_app.layout import icon
from dash_app.pages.voice import ids
from dash_app.ui.forms import field_error, field_error_id
from dash_app.ui.labels import horizon_label
from models.voice.moderation import REASON_MAX


def labelled(label, control, fid: str, hint: str | None = None) -> html.Div:
    return html.Div([dbc.Label(str(label), html_for=fid), control,
                     html.Div(hint, className="form-text") if hint else None,
                     field_error(field_error_id(fid), fid)], className="mb-2")


def adopt_fields(p, candidates, actor: int, lang: str) -> html.Fieldset:
    """What adopting makes: a draft project titled as the chair says (the proposal's title to start with), of the
    proposal's kind, with an optional estimated cost, and its key core chosen among the table's people, the author
    and the supporters (models.voice.diagnosis.core_candidates)."""
    kind = (_("It becomes a problem-oriented draft project of the table.") if p.kind == "problem" else
            _("It becomes a talent-oriented draft project of the table."))
    lead = next((c.user_id for c in candidates if c.user_id == actor), candidates[0].user_id if candidates else None)

    def who(c) -> str:
        where = _("member of the table") if c.origin == "member" else (
            _("author") if c.user_id == p.author_id else _("supporter"))
        return f"{c.name} ({where})"

    return html.Fieldset([
        html.Legend(_("The project and its key core"), className="fs-6 fw-semibold mb-1"),
        html.P([icon("diagram-3", "me-1"), kind], className="small mb-2", **{"data-project-kind": p.kind}),
        labelled(_("Title of the project"), dbc.Input(id=ids.ADOPT_TITLE, value=p.title, maxLength=200,
                                                      autoComplete="off"), ids.ADOPT_TITLE),
        labelled(_("Horizon"), dbc.Select(id=ids.DECISION_HORIZON, value="", options=[
            {"label": _("Choose…"), "value": ""}] + [{"label": horizon_label(h), "value": h}
                                                    for h in ("short", "medium", "long")]), ids.DECISION_HORIZON)
        if p.kind == "talent" else dcc.Store(id=ids.DECISION_HORIZON, data=None),
        labelled(_("Estimated cost (toman, optional)"), dbc.Input(id=ids.ADOPT_COST, value="", inputMode="numeric",
                                                                  autoComplete="off"), ids.ADOPT_COST,
                 _("Leave it empty if nobody knows yet; the table can set it later.")),
        labelled(_("Lead of the key core"), dbc.Select(id=ids.ADOPT_LEAD, value=str(lead) if lead else "", options=[
            {"label": who(c), "value": str(c.user_id)} for c in candidates]), ids.ADOPT_LEAD),
        labelled(_("Others in the key core"), dbc.Checklist(id=ids.ADOPT_CORE, value=[], options=[
            {"label": who(c), "value": str(c.user_id)} for c in candidates]), ids.ADOPT_CORE,
            _("The table's members join as experts, the author and the supporters as field members.")),
    ], id=ids.DECISION_ADOPT, hidden=True, className="border rounded p-2 mb-2")


# --- moderation ------------------------------------------------------------------------------------------------


def report_control(target: int) -> html.Details:
    """«Report abusive text»: a reason and a button, folded away until opened."""
    tid = {"target": target}
    return html.Details([
        html.Summary([icon("flag", "me-1"), _("Report abusive text")], className="small text-body-secondary"),
        html.Div([
            html.Label([html.Span(_("What is abusive in it?"), className="d-block small"),
                        dbc.Textarea(id={"type": ids.REPORT_REASON, **tid}, rows=2, maxLength=REASON_MAX)],
                       className="w-100 mb-1"),
            html.Button(_("Send the report"), id={"type": ids.REPORT_SEND, **tid}, n_clicks=0, type="button",
                        className="btn btn-outline-danger btn-sm"),
        ], className="mt-1"),
    ], className="mt-1", **{"data-report-for": str(target)})


def hide_control(target: int) -> html.Details:
    """For a moderator: hide the text with the reason shown in its place."""
    tid = {"target": target}
    return html.Details([
        html.Summary([icon("eye-slash", "me-1"), _("Hide it with a reason")], className="small text-danger"),
        html.Div([
            html.Label([html.Span(_("The reason, shown in its place"), className="d-block small"),
                        dbc.Textarea(id={"type": ids.HIDE_REASON, **tid}, rows=2, maxLength=REASON_MAX)],
                       className="w-100 mb-1"),
            html.Button(_("Hide it"), id={"type": ids.HIDE_SEND, **tid}, n_clicks=0, type="button",
                        className="btn btn-danger btn-sm"),
        ], className="mt-1"),
    ], className="mt-1", **{"data-hide-for": str(target)})


def controls(target: int, *, signed_in: bool, moderator: bool):
    shown = [report_control(target) if signed_in else None, hide_control(target) if moderator else None]
    return html.Div(shown, className="d-flex flex-column") if any(shown) else None


def reports_section(reports, texts: dict[int, str], lang: str) -> html.Section | None:
    """The open reports, for the moderators: what each is about (the proposal, or the start of the comment), when
    and why (not who: a report is not a quarrel between two people)."""
    if not reports:
        return None

    def about(r) -> str:
        if r.comment_id is None:
            return _("The proposal itself")
        text = texts.get(r.comment_id, "")
        return _("The comment “%(start)s”", start=text[:60] + ("…" if len(text) > 60 else ""))

    items = [html.Li([
        html.Div(" · ".join([about(r), format_date(r.created_at, lang)]),
                 className="small text-body-secondary"),
        html.P(r.reason, className="mb-0"),
    ], className="list-group-item", **{"data-open-report": str(r.id)}) for r in reports]
    return html.Section([
        html.H2([icon("flag", "me-2"), _("Reports of abusive text")], className="h6 mt-3"),
        html.P(_("Hide the text with a reason (below it) or leave it; hiding closes its reports."),
               className="small text-body-secondary mb-1"),
        html.Ul(items, className="list-group"),
    ], id="proposal-reports", className="border border-warning rounded p-2 mt-3")


__all__ = ["adopt_fields", "controls", "hide_control", "report_control", "reports_section"]
