"""Helpers the table pages share: words for kinds, statuses and the solver's reasons; quantities; dates.

Imports dash, dbc, jdatetime and dash_app; not a page itself (it registers nothing).
"""
from __future__ import annotations

from datetime import date

import jdatetime
from dash import html

from dash_app.i18n import _, current_language, format_money, format_number, format_percent, parse_digits


def kind_name(kind: str) -> str:
    return {"financial": _("Money"), "logistics": _("Logistics"), "design": _("Design"),
            "execution": _("Execution")}.get(kind, kind)


def quantity_text(kind: str, quantity: int) -> str:
    if kind == "financial":
        return format_money(int(quantity))
    n = format_number(quantity)
    return {"logistics": _("%(n)s unit-days", n=n), "design": _("%(n)s expert hours", n=n),
            "execution": _("%(n)s person-hours", n=n)}.get(kind, n)


def unit_label(kind: str) -> str:
    return {"financial": _("toman"), "logistics": _("unit-days"), "design": _("expert hours"),
            "execution": _("person-hours")}.get(kind, "")


def project_status_name(status: str) -> str:
    return {"draft": _("Draft"), "open": _("Open"), "in_progress": _("In progress"), "completed": _("Completed"),
            "cancelled": _("Cancelled")}.get(status, status)


def transition_label(target: str) -> str:
    return {"open": _("Publish"), "in_progress": _("Start work"), "completed": _("Mark completed"),
            "cancelled": _("Cancel project")}.get(target, target)


def allocation_status_name(status: str) -> str:
    return {"proposed": _("Proposed"), "accepted": _("Accepted"), "delivered": _("Delivered"),
            "rejected": _("Rejected"), "withdrawn": _("Withdrawn")}.get(status, status)


def background_name(background: str) -> str:
    return {"agency": _("Agency manager or expert"), "academic": _("Academic"), "field": _("Field actor"),
            "activist": _("Social activist"), "governor": _("Governor or agency head")}.get(background, background)


def horizon_name(horizon: str | None) -> str:
    return {"short": _("Short term"), "medium": _("Medium term"), "long": _("Long term")}.get(horizon or "", "")


def reason_text(reason: str) -> str:
    """One of the solver's reasons ("skill: nursing", "priority 8", "same district") in the user's words."""
    if reason.startswith("skill: "):
        return _("skill: %(skill)s", skill=reason[len("skill: "):])
    if reason.startswith("priority "):
        raw = reason[len("priority "):]
        try:
            value = format_number(float(raw), decimals=1 if float(raw) != int(float(raw)) else None)
        except ValueError:
            value = raw
        return _("weight %(n)s", n=value)
    return {"same district": _("same district"), "near district": _("nearby district"),
            "far district": _("far district"), "preferred table": _("the citizen's preferred table")}.get(reason, reason)


def coverage_bar(fraction: float, label: str | None = None) -> html.Div:
    pct = max(0.0, min(1.0, fraction))
    text = format_percent(pct)
    return html.Div([
        html.Div(html.Div(className="progress-bar bg-success", style={"width": f"{pct * 100:.1f}%"}),
                 className="progress flex-grow-1", role="progressbar", **{
                     "aria-valuenow": f"{pct * 100:.0f}", "aria-valuemin": "0", "aria-valuemax": "100",
                     "aria-label": label or _("Coverage")}),
        html.Span(text, className="small ms-2 me-2 text-nowrap"),
    ], className="d-flex align-items-center")


def today_text(lang: str | None = None) -> str:
    lang = lang or current_language()
    today = date.today()
    if lang == "fa":
        from dash_app.i18n import to_persian_digits

        j = jdatetime.date.fromgregorian(date=today)
        return to_persian_digits(f"{j.year:04d}/{j.month:02d}/{j.day:02d}")
    return today.isoformat()


def parse_date_text(text: str | None) -> date | None:
    """A date typed as year/month/day in any digits: Jalali when the year is below 1700, else Gregorian."""
    from dash_app.i18n import as_text, to_latin_digits

    raw = to_latin_digits(as_text(text)).strip().replace("-", "/").replace(".", "/")
    parts = [p for p in raw.split("/") if p]
    if len(parts) != 3 or not all(parse_digits(p) == p for p in parts):
        return None
    y, m, d = (int(p) for p in parts)
    try:
        if y < 1700:
            return jdatetime.date(y, m, d).togregorian()
        return date(y, m, d)
    except ValueError:
        return None


def status_badge(status: str) -> html.Span:
    colour = {"proposed": "info", "accepted": "primary", "delivered": "success", "rejected": "danger",
              "withdrawn": "secondary", "draft": "secondary", "open": "success", "in_progress": "primary",
              "completed": "dark", "cancelled": "danger"}.get(status, "secondary")
    name = allocation_status_name(status) if status in ("proposed", "accepted", "delivered", "rejected", "withdrawn") \
        else project_status_name(status)
    return html.Span(name, className=f"badge text-bg-{colour} ms-1 me-1")
