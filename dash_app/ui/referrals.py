"""What the referral pages and /my share (issue 21 item 4): the words for decisions and states, the deadline
as the citizen sees it (Jalali, Persian digits), and the citizen's own list.

Imports dash, dash_app.i18n and models.voice.referrals.
"""
from __future__ import annotations

from dash import dcc, html

from dash_app.i18n import _, _l, format_date, format_number
from dash_app.ui.names import name_in
from models.core.clock import county_today

DECISION_LABELS = {
    "accepted": _l("Accepted"), "will_act": _l("Will act on it"), "partly": _l("Partly accepted"),
    "forwarded": _l("Forwarded to the body responsible"), "needs_info": _l("More information needed"),
    "declined": _l("Not accepted"),
}
KIND_LABELS = {"agency": _l("Government agency"), "ngo": _l("NGO"), "company": _l("Company"), "school": _l("School")}
ROLE_LABELS = {"admin": _l("Admin"), "member": _l("Member")}


def decision_label(decision: str | None) -> str:
    return str(DECISION_LABELS.get(decision or "", decision or ""))


def state_badge(ref, today=None) -> html.Span:
    """Waiting (on time or late, with its escalation) or answered."""
    today = today or county_today()
    if ref.status == "answered":
        return html.Span(_("Answered"), className="badge text-bg-success fw-normal", **{"data-state": "answered"})
    if ref.due_on < today:
        text = _("Late: sent up to the governorate") if ref.escalation_level >= 2 else _("Late")
        return html.Span(text, className="badge text-bg-danger fw-normal", **{"data-state": "late"})
    return html.Span(_("Waiting for an answer"), className="badge text-bg-warning fw-normal",
                     **{"data-state": "open"})


def deadline_text(ref, lang: str) -> str:
    return _("Answer due by %(date)s", date=format_date(ref.due_on, lang))


def addressee_name(session, ref, lang: str) -> str:
    from models.orm.organizations import Organization
    from models.orm.tables import Table

    if ref.organization_id is not None:
        org = session.get(Organization, ref.organization_id)
        return name_in(lang, org.name_fa, org.name_en) if org else ""
    table = session.get(Table, ref.table_id)
    return name_in(lang, table.name_fa, table.name_en) if table else ""


def referral_item(session, ref, lang: str, today=None) -> html.Li:
    return html.Li([
        html.Div([
            dcc.Link(ref.subject, href=f"/referrals/{ref.id}", className="fw-semibold me-2"),
            state_badge(ref, today),
        ], className="d-flex flex-wrap justify-content-between gap-1"),
        html.Div([
            html.Span(_("No. %(n)s", n=format_number(ref.id, lang)), className="me-2"),
            html.Span(addressee_name(session, ref, lang), className="me-2"),
            html.Span(deadline_text(ref, lang)) if ref.status == "open" else None,
        ], className="small text-body-secondary"),
    ], className="list-group-item", **{"data-referral": str(ref.id)})


def my_referrals_section(citizen_id: int, lang: str) -> html.Section:
    """The citizen's requests on /my (the newest ten) with a link to send another."""
    from dash_app.db import get_db
    from models.voice.referrals import referrals_of

    with get_db().reader() as s:
        rows, total = referrals_of(s, citizen_id, limit=10)
        today = county_today()
        items = [referral_item(s, r, lang, today) for r in rows]
    return html.Section([
        html.Div([
            html.H2(_("My requests to tables and organizations"), className="h5 mb-0"),
            dcc.Link(_("Send a request"), href="/referrals/new", className="btn btn-sm btn-outline-primary"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2"),
        html.Ul(items, className="list-group") if items else
        html.P(_("You have not sent any request yet. Ask a table or an organization a question, and it must "
                 "answer with its reasons by a deadline."), className="text-body-secondary small"),
        html.P(_("%(n)s requests in all.", n=format_number(total, lang)), className="small mt-1") if total > 10
        else None,
    ], id="my-referrals", className="mt-4")


NOTIFICATIONS = {
    "referral_received": _l("A new request for you to answer: “%(subject)s”."),
    "referral_answered": _l("Your request “%(subject)s” has been answered."),
    "referral_rated": _l("The citizen rated your answer to “%(subject)s”: %(rating)s of 5."),
    "referral_reopened": _l("The citizen reopened the request “%(subject)s”; it has a new deadline."),
    "referral_late": _l("The request “%(subject)s” is past its deadline and still waits for your answer."),
    "referral_escalated": _l("The request “%(subject)s” is well past its deadline and has been sent up to the "
                             "governorate."),
    "referral_escalated_citizen": _l("Your request “%(subject)s” was not answered in time and has been sent up to "
                                     "the governorate."),
    "organization_member_added": _l("You were added to the organization “%(organization)s” (%(role)s)."),
}


def notification_text(kind: str, params: dict, lang: str):
    """The words of the referral and organization notices, with a link to the request (for /my)."""
    text = _(str(NOTIFICATIONS[kind]), subject=str(params.get("subject") or ""),
             rating=format_number(params["rating"], lang) if isinstance(params.get("rating"), int) else "",
             organization=name_in(lang, params.get("organization_fa"), params.get("organization_en")),
             role=str(ROLE_LABELS.get(params.get("role") or "", "")))
    rid = params.get("referral_id")
    if isinstance(rid, int) and not isinstance(rid, bool):
        return html.Span([text, " ", dcc.Link(_("Open the request"), href=f"/referrals/{rid}")])
    return text
