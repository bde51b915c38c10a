"""What pages show of a project's results (issue 22): the timeline of updates and milestones, the progress bar
by milestones, each indicator's curve against its target, what a citizen's help became, and the notices.

Imports dash, dbc, plotly, models.results and dash_app.ui/i18n; the project page, /my and the results pages
call these builders (a page never imports another page).
"""
from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
from dash import dcc, html

from dash_app.i18n import (
    _,
    format_date,
    format_money,
    format_number,
    format_percent,
    localise_digits,
    resolve_language,
)
from dash_app.ui.bidi import isolate, sentence
from dash_app.ui.charts import localise_figure
from dash_app.ui.names import name_in
from dash_app.ui.quantities import quantity_text
from dash_app.ui.uploads import thumbnails
from models.core.enums import HelpKind
from models.results.delivery_proof import HelpResult, HoursWaiting
from models.results.indicators import Curve
from models.results.milestones import MilestoneView, share_done
from models.results.progress import TimelineEntry

CHART_HEIGHT = 240
TIMELINE_ID = "project-results"


def value_text(value: float | None, unit: str, lang: str) -> str:
    if value is None:
        return _("not measured yet")
    shown = format_number(value, lang, decimals=0 if float(value).is_integer() else 1)
    return f"{shown} {unit}".strip()


def curve_figure(curve: Curve, lang: str | None = None) -> go.Figure:
    """The indicator's measured values against its target: small enough for a 360 px phone."""
    lang = resolve_language(lang)
    days = [d for d, _v in curve.points]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=days, y=[v for _d, v in curve.points], mode="lines+markers", name=_("Measured"),
                             line={"color": "#0d6efd"},
                             customdata=[[format_date(d, lang), value_text(v, curve.unit, lang)] for d, v in curve.points],
                             hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>"))
    span = days or [curve.baseline_on or date.today()]
    # The target line spans the measured days only (its date is written above the chart): reaching out to a
    # target months away squeezed the measured points and their date labels into a corner of a phone's width.
    ends = [min(span), max(span)] if len(set(span)) > 1 or not curve.target_on else [min(span), curve.target_on]
    fig.add_trace(go.Scatter(x=ends, y=[curve.target, curve.target], mode="lines", name=_("Target"),
                             line={"color": "#198754", "dash": "dash"}, hoverinfo="skip"))
    localise_figure(fig, lang)
    values = [v for _d, v in curve.points] + [curve.target]
    fig.update_layout(height=CHART_HEIGHT, autosize=True, margin={"l": 8, "r": 8, "t": 8, "b": 8},
                      legend={"orientation": "h", "y": 1.12, "yanchor": "bottom"}, showlegend=True)
    distinct = sorted(set(days))
    # first, middle, last: three dates fit a 360 px phone without overlapping
    ticks = sorted({distinct[0], distinct[len(distinct) // 2], distinct[-1]}) if distinct else ends[:1]
    fig.update_xaxes(tickmode="array", tickvals=ticks, ticktext=[format_date(d, lang) for d in ticks],
                     automargin=True, tickangle=0)
    if ends[0] != ends[1]:
        # room beyond the first and last day, so that their centred date labels are not cut off at the edges
        pad = (ends[1] - ends[0]) * 0.12
        lo, hi = ends[0] - pad, ends[1] + pad
        fig.update_xaxes(range=[hi, lo] if fig.layout.xaxis.autorange == "reversed" else [lo, hi], autorange=False)
    top = max(values) if values else 1
    yticks = [0, top / 2, top] if top > 0 else [top, 0]
    fig.update_yaxes(tickmode="array", tickvals=yticks,
                     ticktext=[format_number(v, lang, decimals=0) for v in yticks], automargin=True,
                     rangemode="tozero")
    return fig


def _indicator_card(curve: Curve, lang: str) -> html.Div:
    meta = [curve.source and _("Source: %(source)s", source=curve.source),
            curve.baseline_on and _("baseline measured on %(date)s", date=format_date(curve.baseline_on, lang)),
            curve.target_on and _("target by %(date)s", date=format_date(curve.target_on, lang))]
    return html.Div([
        html.H3(curve.name, className="h6 mb-1"),
        html.P(_("%(baseline)s → %(target)s; now %(latest)s", baseline=value_text(curve.baseline, curve.unit, lang),
                 target=value_text(curve.target, curve.unit, lang), latest=value_text(curve.latest, curve.unit, lang)),
               className="small mb-1", **{"data-latest": str(curve.latest)}),
        html.P(" · ".join(m for m in meta if m), className="small text-body-secondary mb-1") if any(meta) else None,
        dcc.Graph(figure=curve_figure(curve, lang), config={"displayModeBar": False, "responsive": True},
                  style={"height": f"{CHART_HEIGHT}px", "maxWidth": "100%"},
                  id={"type": "indicator-curve", "indicator": curve.indicator_id}),
    ], className="border rounded p-2 mb-2", **{"data-indicator": str(curve.indicator_id),
                                              "data-points": str(len(curve.points))})


def _milestone_item(m: MilestoneView, lang: str) -> html.Div:
    if m.done_on is not None:
        state = _("done on %(date)s", date=format_date(m.done_on, lang, long=True))
        badge = ("text-bg-warning" if m.late else "text-bg-success", _("done late") if m.late else _("done"))
    else:
        state = _("due %(date)s", date=format_date(m.due_on, lang, long=True))
        badge = ("text-bg-danger", _("behind schedule")) if m.late else ("text-bg-light border", _("planned"))
    return html.Div([
        html.Span(badge[1], className=f"badge {badge[0]} fw-normal me-1 ms-1"),
        html.Strong(m.title), html.Span(f" · {state}", className="small"),
        html.Span(" · " + _("responsible: %(who)s", who=m.responsible), className="small text-body-secondary")
        if m.responsible else None,
    ], **{"data-milestone": str(m.milestone_id), "data-late": "1" if m.late else "0"})


def _update_item(entry: TimelineEntry, lang: str) -> html.Div:
    u = entry.update
    assert u is not None
    value = (html.P(_("%(indicator)s: %(value)s on %(date)s", indicator=u.indicator_name,
                      value=value_text(u.value, u.unit, lang), date=format_date(u.measured_on, lang, long=True)),
                    className="small mb-1 fw-semibold") if u.indicator_name and u.measured_on else None)
    return html.Div([
        html.P(u.body, className="mb-1", style={"whiteSpace": "pre-line"}) if u.body else None,
        value,
        thumbnails(u.files) if u.files else None,
    ], **{"data-update": str(u.update_id)})


def timeline_list(entries: list[TimelineEntry], lang: str) -> html.Ol:
    items = []
    for e in entries:
        body = _milestone_item(e.milestone, lang) if e.milestone else _update_item(e, lang)
        items.append(html.Li([
            html.Div(format_date(e.day, lang, long=True), className="small text-body-secondary"),
            html.Div([html.I(className="bi bi-flag me-1 ms-1" if e.milestone else "bi bi-chat-square-text me-1 ms-1",
                             **{"aria-hidden": "true"}), body], className="d-flex align-items-start gap-1"),
        ], className="list-group-item"))
    return html.Ol(items, className="list-group list-group-flush timeline", id=f"{TIMELINE_ID}-timeline")


def results_section(path: list[MilestoneView], curves: list[Curve], entries: list[TimelineEntry],
                    lang: str | None = None, editor_href: str | None = None,
                    pilot_href: str | None = None) -> html.Section | None:
    """The project page's "Target and path" section; None when the project states neither yet."""
    lang = resolve_language(lang)
    if not (path or curves or entries or editor_href or pilot_href):
        return None
    share = share_done(path)
    late = sum(1 for m in path if m.late and m.done_on is None)
    done = sum(1 for m in path if m.done_on is not None)
    bar = html.Div([
        html.Div(_("%(done)s of %(n)s milestones reached (%(p)s)", done=format_number(done, lang),
                   n=format_number(len(path), lang), p=format_percent(share, lang)), className="small mb-1"),
        html.Div(html.Div(className="progress-bar bg-success", style={"width": f"{share * 100:.0f}%"}),
                 className="progress", role="progressbar", style={"height": "0.75rem"},
                 **{"aria-valuenow": str(round(share * 100)), "aria-valuemin": "0", "aria-valuemax": "100",
                    "aria-label": _("Milestones reached")}),
        html.P(_("%(n)s milestone(s) late.", n=format_number(late, lang)), className="small text-danger mt-1 mb-0",
               **{"data-late-count": str(late)}) if late else None,
    ], className="mb-3") if path else None
    return html.Section([
        html.H2(_("Target and path"), className="h5 mt-4 mb-2"),
        dcc.Link(_("Edit targets, milestones and progress"), href=editor_href,
                 className="btn btn-sm btn-outline-primary mb-2 me-1 ms-1") if editor_href else None,
        dcc.Link(_("Model pilot"), href=pilot_href, className="btn btn-sm btn-outline-success mb-2")
        if pilot_href else None,
        bar,
        html.Div([_indicator_card(c, lang) for c in curves], className="mb-2") if curves else None,
        html.H3(_("Timeline"), className="h6 mt-3") if entries else None,
        timeline_list(entries, lang) if entries else None,
    ], id=TIMELINE_ID)


def help_results(results: list[HelpResult], lang: str | None = None) -> html.Section | None:
    """/my: what each delivered part of the citizen's help became, with its proof and hours confirmed."""
    lang = resolve_language(lang)
    if not results:
        return None
    items = []
    for r in results:
        what = quantity_text(HelpKind(r.kind), r.quantity, lang)
        line = _("Your %(what)s: “%(project)s”, %(date)s", what=what,
                 project=name_in(lang, r.project_fa, r.project_en),
                 date=format_date(r.delivered_at, lang, long=True) if r.delivered_at else "")
        items.append(html.Li([
            dcc.Link(line, href=f"/projects/{r.project_id}"),
            html.Div(_("%(n)s hours confirmed", n=format_number(r.hours_confirmed, lang)),
                     className="small text-success") if r.hours_confirmed else None,
            thumbnails(r.files) if r.files else None,
        ], className="list-group-item", **{"data-help-result": str(r.allocation_id)}))
    return html.Section([html.H2(_("What your help became"), className="h5 mt-4"),
                         html.Ul(items, className="list-group")], id="my-help-results")


MY_HOURS, MY_HOURS_INPUT, MY_HOURS_CONFIRM = "my-hours", "my-hours-input", "my-hours-confirm"


def hours_waiting_section(rows: list[HoursWaiting], lang: str | None = None) -> html.Section | None:
    """/my, for the lead of a project's key core: volunteers' delivered hours waiting for confirmation, each with
    the hours prefilled (the delivered quantity, the most that can be confirmed); None when nothing waits."""
    lang = resolve_language(lang)
    if not rows:
        return None
    items = []
    for r in rows:
        who = isolate(r.volunteer) if r.volunteer else \
            _("A volunteer (pledge no. %(n)s)", n=localise_digits(r.pledge_id, lang))  # read out: no separator
        items.append(html.Li([
            html.Div([dcc.Link(name_in(lang, r.project_fa, r.project_en), href=f"/projects/{r.project_id}",
                               className="fw-semibold"),
                      html.Span(f" · {r.need}", className="small") if r.need else None]),
            html.Div(sentence(_("%(who)s: %(hours)s delivered on %(date)s"), who=who,
                              hours=quantity_text(HelpKind.EXECUTION, r.hours, lang),
                              date=format_date(r.delivered_at, lang, long=True) if r.delivered_at else "—"),
                     className="small"),
            html.Div([
                html.Label([html.Span(_("Hours worked"), className="small me-1 ms-1"),
                            dcc.Input(id={"type": MY_HOURS_INPUT, "alloc": r.allocation_id}, type="text",
                                      inputMode="numeric", value=localise_digits(r.hours, lang),
                                      className="form-control form-control-sm d-inline-block",
                                      style={"width": "5rem"})], className="mb-0 text-nowrap"),
                html.Button(_("Confirm the hours"), id={"type": MY_HOURS_CONFIRM, "alloc": r.allocation_id},
                            n_clicks=0, type="button", className="btn btn-sm btn-success"),
            ], className="d-flex flex-wrap align-items-center gap-2 mt-1"),
        ], className="list-group-item", **{"data-hours-waiting": str(r.allocation_id)}))
    return html.Section([
        html.H2(_("Volunteers' hours to confirm"), className="h5 mt-4"),
        html.P(_("You lead the key core of these projects: confirm the hours each volunteer really worked (at most "
                 "what was delivered). The volunteer is told."), className="small text-body-secondary"),
        html.Ul(items, className="list-group"),
    ])


def notification_text(kind: str, params: dict, lang: str | None = None) -> str | None:
    """The notices of models.results, or None for another kind."""
    lang = resolve_language(lang)
    project = name_in(lang, params.get("project_fa"), params.get("project_en"))
    texts = {
        "progress_posted": lambda: _("“%(project)s”, which your help serves, has a new progress update.",
                                     project=project),
        "milestone_done": lambda: _("“%(project)s” reached a milestone: %(milestone)s.", project=project,
                                    milestone=params.get("milestone") or ""),
        "delivery_proof_added": lambda: _("The chair added proof of what your help for “%(project)s” became.",
                                          project=project),
        "hours_confirmed": lambda: _("%(n)s hours of your volunteer work for “%(project)s” were confirmed.",
                                     n=format_number(int(params.get("hours") or 0), lang), project=project),
        "pilot_marked": lambda: _("The governorate made “%(project)s” a model pilot.", project=project),
        "pilot_replicated": lambda: _("A model pilot was copied as a draft on your table: “%(project)s”.",
                                      project=project),
    }
    maker = texts.get(kind)
    return maker() if maker else None


def cost_text(rials: int | None, lang: str) -> str:
    return format_money(rials, lang) if rials is not None else _("not stated")


# --- the chair's delivery dialog (dash_app/pages/table/table_review.py) -----------------------------

DELIVER_QUANTITY, DELIVER_PROOF, DELIVER_PROOF_TOKENS = "deliver-quantity", "deliver-proof", "deliver-proof-tokens"
DELIVER_HOURS = "deliver-hours"


def delivery_proof_fields() -> html.Div:
    """What the delivery dialog adds for issue 22: a part of the quantity, proof, volunteers' hours confirmed."""
    from dash_app.ui.uploads import upload_field
    from models.results.delivery_proof import PROOF_PURPOSE

    return html.Div([
        html.Label([html.Span(_("Quantity delivered (empty: all of it; a part leaves the rest accepted)"),
                              className="d-block small"),
                    dcc.Input(id=DELIVER_QUANTITY, type="text", inputMode="numeric", value="",
                              className="form-control")], className="w-100 mt-2"),
        html.Label([html.Span(_("Volunteer hours to confirm (volunteer work only, optional)"), className="d-block small"),
                    dcc.Input(id=DELIVER_HOURS, type="text", inputMode="numeric", value="",
                              className="form-control")], className="w-100 mt-2 mb-2"),
        upload_field(DELIVER_PROOF, DELIVER_PROOF_TOKENS, PROOF_PURPOSE,
                     _("Proof (photo, receipt, signed sheet of hours; optional)")),
    ])


def _whole(text: object, field: str) -> int | None:
    from dash_app.i18n import parse_int
    from models.core.errors import ValidationError

    if not (isinstance(text, str) and text.strip()):
        return None
    value = parse_int(text)
    if value is None:
        raise ValidationError("delivered_quantity_invalid" if field == "quantity" else "hours_invalid", field=field,
                              maximum=0)
    return value


def deliver_with_proof(session, actor_id: int, allocation_id: int, version: int | None, day: date, note: str,
                       quantity_text: object = "", tokens_text: object = "", hours_text: object = "") -> int:
    """Mark (part of) an accepted contribution delivered, attach its proof and confirm its hours, all in one
    transaction; the id of the delivered allocation."""
    from dash_app.ui.uploads import tokens_of
    from models.pledging.decisions import mark_delivered
    from models.results.delivery_proof import attach_proof, confirm_hours, split_for_delivery

    quantity, hours = _whole(quantity_text, "quantity"), _whole(hours_text, "hours")
    target = allocation_id
    if quantity is not None:
        target = split_for_delivery(session, actor_id, allocation_id, quantity, version).id
        version = None  # the part was just made; the split checked the version seen
    mark_delivered(session, actor_id, target, day, note, version)
    tokens = tokens_of(tokens_text)
    if tokens:
        attach_proof(session, actor_id, target, tokens)
    if hours is not None:
        confirm_hours(session, actor_id, target, hours)
    return target
