"""My contributions (/my): every pledge of the signed-in citizen, the story of each part, withdrawal, notifications.

Imports dash, dbc, flask, models (pledging, notify) and dash_app. Withdrawing calls
models.pledging.pledges.withdraw_remainder, which checks whose pledge it is; a crafted request for another
citizen's pledge gets a 403 and changes nothing.
"""
from __future__ import annotations

import math

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    _l,
    current_language,
    error_message,
    format_date,
    format_datetime,
    format_number,
    localise_digits,
    parse_int,
)
from dash_app.layout import icon, page
from dash_app.ui import citizen_ids as ids
from dash_app.ui import ids as shell_ids
from dash_app.ui.bidi import isolate
from dash_app.ui.forms import refuse_forged
from dash_app.ui.labels import KIND_ICON, kind_label
from dash_app.ui.names import name_in
from dash_app.ui.pager import pager
from dash_app.ui.proposals import my_proposals_section
from dash_app.ui.quantities import id_text, quantity_text
from dash_app.ui.reasons import reason_text
from dash_app.ui.referrals import NOTIFICATIONS as REFERRAL_NOTIFICATIONS
from dash_app.ui.referrals import my_referrals_section
from dash_app.ui.referrals import notification_text as referral_notification_text
from dash_app.ui.results import MY_HOURS, MY_HOURS_CONFIRM, MY_HOURS_INPUT
from models.core.enums import AllocationStatus, HelpKind, PledgeStatus
from models.core.errors import Conflict, DomainError, ValidationError
from models.core.notify import mark_read_up_to, recent_notifications, unread_count
from models.orm.people import User
from models.pledging.contact import (
    MAX_MESSAGE,
    citizen_threads,
    consents_for_citizen,
    post_message,
    revoke_contact,
    share_contact,
)
from models.pledging.decisions import payment_instructions, payments_of, report_payment
from models.pledging.pledge_edit import editable
from models.pledging.pledges import (
    PledgeStory,
    count_pledges_of,
    own_pledge,
    pledges_of,
    withdraw_remainder,
    withdrawable,
)
from models.projects.browse import skill_choices

PER_PAGE = 10
PLEDGE_STATUS = {
    PledgeStatus.OPEN: (_l("Waiting for a match"), "text-bg-light border"),
    PledgeStatus.PARTLY_ALLOCATED: (_l("Partly matched"), "text-bg-info"),
    PledgeStatus.ALLOCATED: (_l("Fully matched"), "text-bg-primary"),
    PledgeStatus.DELIVERED: (_l("Delivered"), "text-bg-success"),
    PledgeStatus.WITHDRAWN: (_l("Withdrawn"), "text-bg-secondary"),
}


# --- wording ----------------------------------------------------------------------------------------


def notification_text(kind: str, params: dict, lang: str):
    project = name_in(lang, params.get("project_fa"), params.get("project_en"))
    q = ""
    if params.get("help_kind") in set(HelpKind) and isinstance(params.get("quantity"), int):
        q = quantity_text(HelpKind(params["help_kind"]), params["quantity"], lang)
    if kind in REFERRAL_NOTIFICATIONS:  # issue 21: requests to tables and organizations
        return referral_notification_text(kind, params, lang)
    if kind == "allocation_proposed":
        return _("Matching proposed %(n)s part(s) of your pledges to projects. See why below.",
                 n=format_number(int(params.get("count") or 0), lang))
    if kind == "allocation_accepted":
        return _("The chair accepted %(q)s of your help for “%(project)s”.", q=q, project=project)
    if kind == "allocation_accept_undone":
        return _("The chair took back the acceptance of %(q)s of your help for “%(project)s”; it is a proposal "
                 "again, awaiting their decision.", q=q, project=project)
    if kind == "payment_reported":
        return _("A citizen reports paying %(q)s for “%(project)s” (bank reference %(reference)s).", q=q,
                 project=project, reference=params.get("reference") or "")
    if kind == "allocation_rejected":
        return _("The chair declined %(q)s of your help for “%(project)s”. Reason: %(reason)s", q=q,
                 project=project, reason=params.get("reason") or "")
    if kind == "allocation_delivered":
        return _("Your help for “%(project)s” (%(q)s) was delivered. Thank you!", q=q, project=project)
    if kind == "allocation_withdrawn" and params.get("why") == "need_removed":
        return _("A table removed a need your help had been proposed for; %(n)s proposal(s) were withdrawn and that "
                 "part of your help is free again.", n=format_number(int(params.get("count") or 0), lang))
    if kind == "pledge_lowered":  # to a chair (issue 20)
        return _("A citizen lowered a pledge below what was proposed; %(n)s proposal(s) on your table's needs were "
                 "withdrawn.", n=format_number(int(params.get("count") or 0), lang))
    if kind == "project_cancelled":
        return _("The project “%(project)s” was cancelled; the parts of your pledges it held are free again.",
                 project=project)
    if kind == "contribution_message":
        if params.get("sender") == "chair":
            return _("The table's chair wrote to you about your help for “%(project)s”.", project=project)
        return _("A citizen wrote to you about their accepted help for “%(project)s”.", project=project)
    if kind in ("citizen_proposal", "key_core"):
        return _voice_text(kind, params)
    if kind == "election_opened":
        return _("A chair election has opened on one of your tables.")
    if kind == "election_closed":
        return _("A chair election on one of your tables has closed.")
    if kind == "resident_removed":
        return _("The governorate's new resident register no longer lists you, so votes for residents are closed "
                 "to you. If this is wrong, contact the governorate.")
    from dash_app.ui.results import notification_text as results_text  # issue 22's notices

    return results_text(kind, params, lang) or _("Something changed in your contributions.")


# issue 21: what happens to a citizen proposal (models.voice) and to a key core, for its people
_PROPOSAL_EVENTS = {
    "new_for_table": _l("A new citizen proposal was addressed to your table: “%(title)s”."),
    "supported": _l("Someone supports your citizen proposal “%(title)s”."),
    "evidence_added": _l("Someone added evidence to your citizen proposal “%(title)s”."),
    "routed": _l("The governorate sent the citizen proposal “%(title)s” to a table."),
    "under_diagnosis": _l("The table's experts are diagnosing the citizen proposal “%(title)s”."),
    "adopted": _l("The citizen proposal “%(title)s” was adopted: it is now a draft project with a key core."),
    "answered": _l("The table answered the citizen proposal “%(title)s”."),
    "forwarded": _l("The citizen proposal “%(title)s” was forwarded to another table."),
    "declined": _l("The citizen proposal “%(title)s” was declined, with reasons."),
    "merged": _l("The citizen proposal “%(title)s” was merged with a similar one; supports were carried over."),
    "reported": _l("Someone reported text in the citizen proposal “%(title)s” as abusive."),
    "hidden": _l("A moderator hid text of the citizen proposal “%(title)s”. Reason: %(reason)s"),
}
_CORE_EVENTS = {
    "added": _l("You were added to the key core “%(name)s”."),
    "task": _l("A task of the key core “%(name)s” is yours: %(task)s"),
}


def _voice_text(kind: str, params: dict):
    events = _PROPOSAL_EVENTS if kind == "citizen_proposal" else _CORE_EVENTS
    text = events.get(str(params.get("event")))
    if text is None:
        return _("Something changed in your contributions.")
    return str(text) % {"title": params.get("title") or "", "reason": params.get("reason") or "",
                        "name": params.get("name") or "", "task": params.get("task") or ""}


# --- the story of a pledge --------------------------------------------------------------------------


def _step(icon_name: str, colour: str, text, when=None, extra=None) -> html.Li:
    return html.Li([
        html.Span(icon(icon_name), className=f"me-2 {colour}"),
        html.Span([html.Span(text), html.Span(f" · {when}", className="text-body-secondary") if when else None]),
        extra,
    ], className="mb-1")


def payment_block(alloc, lang: str, payments: dict) -> html.Div | None:
    """An accepted money part: where to pay (the table's instructions), the bank reference, the chair's receipt."""
    paid = payments.get(("alloc", alloc.id))
    instructions = payments.get(("table", alloc.need.project.table_id))
    if paid is not None:
        return html.Div([
            icon("bank", "me-1"),
            _("You reported paying on %(date)s (bank reference %(ref)s); the table's chair will confirm receipt.",
              date=format_date(paid.reported_at, lang), ref=paid.reference),
        ], className="small ms-4 mt-1 text-success", **{"data-payment": "reported"})
    how = (name_in(lang, instructions[0], instructions[1]) if instructions else
           _("The governorate has not yet said where to pay for this table; you will find it here."))
    return html.Div([
        html.P([html.Strong(_("How to pay: ")), html.Span(how, style={"whiteSpace": "pre-line"})],
               className="mb-1"),
        html.Div([
            # the input inside its label: the label names it (a pattern id cannot be a label's "for")
            html.Div([
                html.Label([html.Span(_("Bank reference of your transfer"), className="d-block small"),
                            dbc.Input(id={"type": ids.MY_PAY_REFERENCE, "alloc": alloc.id}, maxLength=40, size="sm",
                                      inputMode="text", autoComplete="off")], className="mb-0"),
                html.Button([icon("check2", "me-1"), _("Record my payment")],
                            id={"type": ids.MY_PAY_SAVE, "alloc": alloc.id}, n_clicks=0, type="button",
                            className="btn btn-sm btn-primary align-self-end"),
            ], className="d-flex flex-wrap gap-2"),
            html.Div(_("The number on your bank's receipt (4 to 40 letters or digits)."), className="form-text"),
        ]) if instructions else None,
    ], className="small ms-4 mt-1 border rounded p-2", **{"data-payment": "due"})


def _who_wrote(side: str) -> str:
    return _("You") if side == "citizen" else _("The table's chair")


def contact_block(alloc, lang: str, contact: dict) -> html.Div:
    """An accepted contribution: share a phone or e-mail with the table's chair (or stop), and the messages."""
    consent = contact.get("consents", {}).get(alloc.id)
    phone, email = contact.get("phone"), contact.get("email")
    # left-to-right isolates: a «+98…» number or an address keeps its order inside a Persian sentence
    shown = {"phone": f"\u2066{localise_digits(phone or '', lang)}\u2069", "email": f"\u2066{email or ''}\u2069"}
    if consent is not None and consent.channel:
        what = (_("Your phone number (%(value)s) is shared with the table's chair.", value=shown["phone"])
                if consent.channel == "phone" else
                _("Your e-mail (%(value)s) is shared with the table's chair.", value=shown["email"]))
        share = html.Div([
            html.Span([icon("person-lines-fill", "me-1"), what], className="me-2"),
            html.Button(_("Stop sharing"), id={"type": ids.MY_CONTACT_REVOKE, "alloc": alloc.id}, n_clicks=0,
                        type="button", className="btn btn-sm btn-outline-secondary"),
        ], className="d-flex flex-wrap align-items-center gap-1 mb-2", **{"data-contact": "shared"})
    else:
        options = [{"label": _("my phone (%(value)s)", value=shown["phone"]), "value": "phone"}] if phone else []
        if email:
            options.append({"label": _("my e-mail (%(value)s)", value=shown["email"]), "value": "email"})
        share = html.Div([
            html.P(_("The table has a new chair; your contact is no longer shared.") if consent is not None and
                   consent.lapsed else
                   _("Your contact is not shared. Share it so the chair can arrange the delivery with you; "
                     "only the chair of this table will see it, and you can stop at any time."), className="mb-1"),
            html.Div([
                dbc.RadioItems(id={"type": ids.MY_CONTACT_CHANNEL, "alloc": alloc.id}, options=options,
                               value=options[0]["value"] if options else None, inline=True,
                               className="me-2"),
                html.Button([icon("share", "me-1"), _("Share with the chair")],
                            id={"type": ids.MY_CONTACT_SHARE, "alloc": alloc.id}, n_clicks=0, type="button",
                            className="btn btn-sm btn-outline-primary"),
            ], className="d-flex flex-wrap align-items-center gap-1"),
        ], className="mb-2", **{"data-contact": "not-shared"})
    messages = contact.get("threads", {}).get(alloc.id, [])
    thread = html.Ul([html.Li([
        html.Span(_who_wrote(m.side), className="fw-semibold"),
        html.Span(f" · {format_datetime(m.created_at, lang)}", className="text-body-secondary"),
        html.Div(m.body, style={"whiteSpace": "pre-line", "overflowWrap": "anywhere"}),
    ], className="mb-1") for m in messages], className="list-unstyled mb-1") if messages else None
    return html.Div([
        html.Div(html.Strong(_("Coordinate with the table's chair")), className="mb-1"),
        share,
        html.Div(_("Messages about contribution no. %(id)s", id=id_text(alloc.id, lang)), className="fw-semibold"),
        thread or html.P(_("No messages yet."), className="text-body-secondary mb-1"),
        html.Label([html.Span(_("Write to the chair"), className="d-block"),
                    dbc.Textarea(id={"type": ids.MY_MSG_TEXT, "alloc": alloc.id}, maxLength=MAX_MESSAGE, rows=2,
                                 value="")], className="w-100 mb-1"),
        html.Button([icon("send", "me-1"), _("Send")], id={"type": ids.MY_MSG_SEND, "alloc": alloc.id}, n_clicks=0,
                    type="button", className="btn btn-sm btn-primary"),
    ], className="small ms-4 mt-2 border rounded p-2", **{"data-coordinate": str(alloc.id)})


def part_story(alloc, lang: str, skills: dict[str, str], payments: dict | None = None,
               contact: dict | None = None) -> html.Li:
    need = alloc.need
    project = need.project
    title = name_in(lang, project.title_fa, project.title_en)
    table = name_in(lang, project.table.name_fa, project.table.name_en)
    q = quantity_text(need.kind, alloc.quantity, lang)
    reasons = [r for r in (reason_text(r, skills, for_citizen=True) for r in (alloc.reasons or [])) if r]
    steps = [_step("lightbulb", "text-warning",
                   [_("Proposed by matching: %(q)s for ", q=q),
                    dcc.Link(title, href=f"/projects/{project.id}"), f" ({table})"],
                   format_date(alloc.created_at, lang),
                   html.Div(_("Why: %(reasons)s", reasons=("، " if lang == "fa" else ", ").join(reasons)),
                            className="small text-body-secondary ms-4") if reasons else None)]
    status = alloc.status
    if status is AllocationStatus.PROPOSED:
        steps.append(_step("hourglass-split", "text-body-secondary", _("Waiting for the table's chair to decide")))
    elif status is AllocationStatus.REJECTED:
        steps.append(_step("x-circle-fill", "text-danger", _("Declined by the chair"),
                           format_date(alloc.decided_at, lang) if alloc.decided_at else None,
                           html.Div(_("Reason: %(reason)s", reason=alloc.reject_reason or ""),
                                    className="small ms-4")))
    elif status in (AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED):
        steps.append(_step("check-circle-fill", "text-success", _("Accepted by the chair"),
                           format_date(alloc.decided_at, lang) if alloc.decided_at else None))
        if status is AllocationStatus.DELIVERED:
            steps.append(_step("box-seam", "text-success", _("Delivered"),
                               format_date(alloc.delivered_at, lang) if alloc.delivered_at else None,
                               html.Div(alloc.delivery_note, className="small ms-4") if alloc.delivery_note
                               else None))
        else:
            money = alloc.need.kind is HelpKind.FINANCIAL
            steps.append(_step("hourglass-split", "text-body-secondary",
                               _("To be paid") if money else _("To be delivered"), None,
                               payment_block(alloc, lang, payments or {}) if money else None))
        if contact is not None:
            steps.append(html.Li(contact_block(alloc, lang, contact)))
    return html.Li(html.Ul(steps, className="list-unstyled mb-0"),
                   className="list-group-item", **{"data-allocation": str(alloc.id), "data-status": status.value})


def choice_facts(pledge, lang: str) -> list[str]:
    """The item offered and the project chosen, as the pledge review said them: a pledge given only for
    one project waits for it, so the citizen must see that it is not "help anywhere"."""
    facts = []
    if pledge.item is not None:
        facts.append(name_in(lang, pledge.item.name_fa, pledge.item.name_en))
    if pledge.project is not None:
        title = name_in(lang, pledge.project.title_fa, pledge.project.title_en)
        facts.append(_("only for project “%(project)s”", project=title) if pledge.only_project
                     else _("project “%(project)s” first", project=title))
    return facts


def pledge_card(story: PledgeStory, lang: str, skills: dict[str, str], payments: dict | None = None,
                contact: dict | None = None) -> html.Li:
    p = story.pledge
    label, badge = PLEDGE_STATUS[p.status]
    parts = [a for a in story.allocations if a.status is not AllocationStatus.WITHDRAWN]
    replaced = len(story.allocations) - len(parts)
    facts = [_("Offered on %(date)s", date=format_date(p.created_at, lang))]
    if p.district is not None:
        facts.append(name_in(lang, p.district.name_fa, p.district.name_en))
    if p.window_start and p.window_end:
        facts.append(_("%(start)s to %(end)s", start=format_date(p.window_start, lang),
                       end=format_date(p.window_end, lang)))
    if p.skills:
        facts.append(("، " if lang == "fa" else ", ").join(name_in(lang, s.name_fa, s.name_en) for s in p.skills))
    if p.tables:
        names = ("، " if lang == "fa" else ", ").join(name_in(lang, t.name_fa, t.name_en) for t in p.tables)
        facts.append(_("only: %(tables)s", tables=names) if p.only_tables else _("prefers: %(tables)s", tables=names))
    facts.extend(choice_facts(p, lang))
    # Only what is really still open: a fully matched pledge has nothing waiting (not "waiting: 0 hours").
    figures = [html.Span(_("Still waiting for a match: %(q)s", q=quantity_text(p.kind, story.remaining, lang)),
                         className="me-3")] if story.remaining > 0 else []
    if p.withdrawn_quantity:
        figures.append(html.Span(_("Withdrawn: %(q)s", q=quantity_text(p.kind, p.withdrawn_quantity, lang)),
                                 className="me-3"))
    body = [
        html.Div([
            html.H2([icon(KIND_ICON[p.kind], "me-2"), kind_label(p.kind), ": ", quantity_text(p.kind, p.quantity, lang),
                     html.Span([" · ", isolate(p.description)], className="fw-normal") if p.description else None],
                    className="h6 mb-0"),
            html.Span(str(label), className=f"badge {badge} fw-normal"),
        ], className="d-flex flex-wrap justify-content-between gap-2 mb-1"),
        html.P(" · ".join(facts), className="small text-body-secondary mb-1"),
        html.P(figures, className="small mb-2") if figures else None,
    ]
    if parts:
        body.append(html.Ul([part_story(a, lang, skills, payments, contact) for a in parts],
                            className="list-group mb-2"))
    elif p.status is not PledgeStatus.WITHDRAWN:
        body.append(html.P(_("No project has been proposed yet. Each time a table's chair runs matching, your offer "
                             "is considered; you will be notified."),
                           className="small text-body-secondary mb-2"))
    if replaced:
        body.append(html.P(_("%(n)s earlier proposal(s) were replaced by a later matching run or withdrawn.",
                             n=format_number(replaced, lang)), className="small text-body-secondary mb-2"))
    if editable(p):  # issue 20: a pledge nothing of which is accepted yet can be changed
        body.append(dcc.Link([icon("pencil", "me-1"), _("Edit")], href=f"/my/pledges/{p.id}/edit",
                             id={"type": ids.MY_EDIT, "pledge": p.id}, className="btn btn-outline-primary btn-sm me-2"))
    if story.withdrawable > 0:
        body.append(html.Button(
            [icon("box-arrow-left", "me-1"),
             _("Withdraw what is not accepted (%(q)s)", q=quantity_text(p.kind, story.withdrawable, lang))],
            id={"type": ids.MY_WITHDRAW, "pledge": p.id}, n_clicks=0, type="button",
            className="btn btn-outline-danger btn-sm"))
    return html.Li(html.Div(body, className="card-body"), className="card mb-3",
                   **{"data-pledge": str(p.id), "data-status": p.status.value})


def _payments(session, stories) -> dict:
    """For the accepted money parts shown: {("alloc", id): their payment report, ("table", id): instructions}."""
    due = [a for st in stories for a in st.allocations
           if a.status is AllocationStatus.ACCEPTED and a.need.kind is HelpKind.FINANCIAL]
    out: dict = {}
    if not due:
        return out
    for table_id in {a.need.project.table_id for a in due}:
        out[("table", table_id)] = payment_instructions(session, table_id)
    for paid in payments_of(session, [a.id for a in due]):
        out[("alloc", paid.allocation_id)] = paid
    return out


def _contact(session, citizen_id: int, stories) -> dict:
    """For the accepted and delivered parts shown: the citizen's consents, their threads, their own contacts."""
    shown = [a.id for st in stories for a in st.allocations
             if a.status in (AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED)]
    user = session.get(User, citizen_id)
    return {"consents": consents_for_citizen(session, citizen_id, shown),
            "threads": citizen_threads(session, citizen_id, shown),
            "phone": user.phone if user is not None else None, "email": user.email if user is not None else None}


def pledge_list(citizen_id: int, page_no: int, lang: str):
    with get_db().reader() as s:
        total = count_pledges_of(s, citizen_id)
        pages = max(1, math.ceil(total / PER_PAGE))
        page_no = min(max(1, page_no), pages)
        stories = pledges_of(s, citizen_id, offset=(page_no - 1) * PER_PAGE, limit=PER_PAGE)
        skills = {c.slug: c.name(lang) for c in skill_choices(s)}
        payments = _payments(s, stories)
        contact = _contact(s, citizen_id, stories)
        cards = [pledge_card(st, lang, skills, payments, contact) for st in stories]
    if not cards:
        return html.Div([
            html.P(_("You have not offered any help yet.")),
            dcc.Link([icon("heart", "me-1"), _("Offer help")], href="/pledge", className="btn btn-primary"),
            dcc.Link(_("Browse projects"), href="/projects", className="btn btn-link"),
        ], className="text-center border rounded p-4")
    return html.Div([
        html.Ul(cards, className="list-unstyled mb-0"),
        pager(page_no, pages, lambda n: f"/my?page={n}", id=ids.MY_PAGER, label=_("Pages of pledges")),
    ])


def help_results_block(session, citizen_id: int, lang: str):
    """What the citizen's delivered help became, with its proof (issue 22, dash_app.ui.results)."""
    from dash_app.ui.results import help_results
    from models.results.delivery_proof import results_of_citizen

    return help_results(results_of_citizen(session, citizen_id), lang)


def hours_block(session, user_id: int, lang: str):
    """For the lead of a key core: volunteers' delivered hours to confirm (issue 22, dash_app.ui.results)."""
    from dash_app.ui.results import hours_waiting_section
    from models.results.delivery_proof import hours_waiting

    return hours_waiting_section(hours_waiting(session, user_id), lang)


def _fresh_hours_block(user_id: int, lang: str):
    with get_db().reader() as s:
        return hours_block(s, user_id, lang)


def notifications_block(citizen_id: int, lang: str):
    with get_db().reader() as s:
        items = recent_notifications(s, citizen_id, limit=20)
        unread = unread_count(s, citizen_id)
    newest = items[0].id if items else 0
    if not items:
        listing = html.P(_("No notifications yet."), className="text-body-secondary small")
    else:
        listing = html.Ul([html.Li([
            html.Div([
                html.Span(_("new"), className="badge text-bg-danger me-2") if n.read_at is None else None,
                notification_text(n.kind, n.params or {}, lang),
                html.Span([" ", dcc.Link(_("Open the table's review queue"),
                                         href=f"/tables/{n.params['table_id']}")])
                if n.kind == "contribution_message" and (n.params or {}).get("sender") == "citizen"
                and isinstance((n.params or {}).get("table_id"), int) else
                html.Span([" ", dcc.Link(_("See the project"), href=f"/projects/{n.params['project_id']}")])
                if isinstance((n.params or {}).get("project_id"), int) else None,
            ], className="fw-semibold" if n.read_at is None else ""),
            html.Div(format_datetime(n.created_at, lang), className="small text-body-secondary"),
        ], className="list-group-item") for n in items], className="list-group")
    return html.Div([
        html.Div([
            html.H2([icon("bell", "me-2"), _("Notifications"),
                     html.Span(format_number(unread, lang), className="badge text-bg-danger ms-2") if unread
                     else None], className="h5 mb-0"),
            # Nothing to mark with no notifications: the button is hidden (it stays in the page for its callback).
            html.Button(_("Mark all as read"), id=ids.MY_MARK_READ, n_clicks=0, type="button",
                        className="btn btn-sm btn-outline-secondary", disabled=not unread, hidden=not items),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2"),
        listing,
        dcc.Store(id=ids.MY_LAST_SEEN, data=newest),
    ], id=ids.MY_NOTIFICATIONS_LIST)


@page(__name__, path="/my", title=_l("My contributions"), roles={CITIZEN}, nav=True, menu="workspace", order=30,
      icon="person-check")
def layout(page=None, **_kw):
    lang = current_language()
    citizen = current_user_id()
    page_no = parse_int(page) if isinstance(page, str) and len(page) < 8 else None
    with get_db().reader() as s:   # one transaction for both results sections
        hours, results = hours_block(s, citizen, lang), help_results_block(s, citizen, lang)
    return html.Div([
        html.Div([
            html.H1(_("My contributions"), className="h3 mb-0"),
            dcc.Link([icon("plus-lg", "me-1"), _("Offer help")], href="/pledge", className="btn btn-primary btn-sm"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2"),
        html.P(_("Every pledge you made, and what became of each part: proposed by matching, accepted or declined "
                 "by a table's chair, delivered."), className="text-body-secondary"),
        html.Div(id=ids.MY_FLASH, **{"aria-live": "polite"}),
        html.Div(hours, id=MY_HOURS),
        html.Div(pledge_list(citizen, page_no or 1, lang), id=ids.MY_LIST),
        results,
        dcc.Store(id="my-page", data=page_no or 1),
        my_referrals_section(citizen, lang),
        my_proposals_section(citizen, lang),
        html.Section(notifications_block(citizen, lang), id=ids.MY_NOTIFICATIONS, className="mt-4"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle(_("Withdraw?"))),
            dbc.ModalBody(id=ids.MY_MODAL_BODY),
            dbc.ModalFooter([
                html.Button(_("Keep my pledge"), id=ids.MY_MODAL_CANCEL, n_clicks=0, type="button",
                            className="btn btn-outline-secondary"),
                html.Button(_("Yes, withdraw"), id=ids.MY_MODAL_CONFIRM, n_clicks=0, type="button",
                            className="btn btn-danger"),
            ]),
        ], id=ids.MY_MODAL, is_open=False, centered=True),
        dcc.Store(id=ids.MY_TARGET),
    ])


# --- callbacks --------------------------------------------------------------------------------------


@secured_callback(
    Output(ids.MY_MODAL, "is_open"), Output(ids.MY_MODAL_BODY, "children"), Output(ids.MY_TARGET, "data"),
    Output(ids.MY_LIST, "children"), Output(ids.MY_FLASH, "children"),
    Input({"type": ids.MY_WITHDRAW, "pledge": ALL}, "n_clicks"), Input(ids.MY_MODAL_CONFIRM, "n_clicks"),
    Input(ids.MY_MODAL_CANCEL, "n_clicks"), State(ids.MY_TARGET, "data"), State("my-page", "data"),
    roles={CITIZEN}, prevent_initial_call=True,
    running=[(Output(ids.MY_MODAL_CONFIRM, "disabled"), True, False)])
def withdraw(_clicks, _confirm, _cancel, target, page_no):
    """Ask, then withdraw the part of a pledge that is not accepted; accepted parts stay."""
    require({CITIZEN})
    trigger = ctx.triggered_id
    lang = current_language()
    citizen = current_user_id()
    if trigger == ids.MY_MODAL_CANCEL:
        return False, no_update, None, no_update, no_update
    if isinstance(trigger, dict) and trigger.get("type") == ids.MY_WITHDRAW:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update, no_update, no_update, no_update, no_update
        try:
            with get_db().reader() as s:
                pledge = own_pledge(s, citizen, trigger.get("pledge"))
                amount = withdrawable(s, pledge)
                kind = pledge.kind
        except DomainError as exc:
            refuse_forged(exc)
        if amount <= 0:
            return False, no_update, None, no_update, dbc.Alert(error_message("nothing_to_withdraw"), color="warning")
        body = html.Div([
            html.P(_("Withdraw %(q)s from your pledge number %(n)s?", q=quantity_text(kind, amount, lang),
                     n=format_number(pledge.id, lang))),
            html.P(_("Parts that a chair has already accepted stay with their projects. Proposals waiting for a "
                     "decision are cancelled. This cannot be undone."), className="small text-body-secondary mb-0"),
        ])
        return True, body, {"pledge": pledge.id, "amount": amount}, no_update, ""
    if trigger == ids.MY_MODAL_CONFIRM:
        if not isinstance(target, dict):
            return False, no_update, None, no_update, no_update
        pledge_id, amount = target.get("pledge"), target.get("amount")
        page_now = page_no if isinstance(page_no, int) else 1
        try:
            kind, taken = get_db().run(lambda s: (own_pledge(s, citizen, pledge_id).kind,
                                                  withdraw_remainder(s, citizen, pledge_id, expected=amount)))
        except (Conflict, ValidationError) as exc:
            if exc.code not in ("withdrawable_changed", "nothing_to_withdraw"):
                refuse_forged(exc)
            return (False, no_update, None, pledge_list(citizen, page_now, lang),
                    dbc.Alert(error_message(exc), color="warning"))
        except DomainError as exc:
            refuse_forged(exc)
        flash = dbc.Alert([icon("check-circle", "me-2"),
                           _("Withdrawn: %(q)s. Thank you for letting the tables know.",
                             q=quantity_text(kind, taken, lang))], color="success", dismissable=True)
        return False, no_update, None, pledge_list(citizen, page_now, lang), flash
    return no_update, no_update, no_update, no_update, no_update


@secured_callback(
    Output(ids.MY_LIST, "children", allow_duplicate=True), Output(ids.MY_FLASH, "children", allow_duplicate=True),
    Input({"type": ids.MY_PAY_SAVE, "alloc": ALL}, "n_clicks"),
    State({"type": ids.MY_PAY_REFERENCE, "alloc": ALL}, "value"), State("my-page", "data"),
    roles={CITIZEN}, prevent_initial_call=True)
def record_payment(_clicks, references, page_no):
    """The citizen records the bank reference of paying an accepted money part (their own only: else 403)."""
    require({CITIZEN})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update
    alloc_id = trigger.get("alloc")
    typed = ""
    for entry, value in zip(ctx.states_list[0] if ctx.states_list else [], references or []):
        if isinstance(entry.get("id"), dict) and entry["id"].get("alloc") == alloc_id:
            typed = value if isinstance(value, str) else ""
    lang = current_language()
    try:
        get_db().run(lambda s: report_payment(s, current_user_id(), alloc_id, typed))
    except (ValidationError, Conflict) as exc:
        return no_update, dbc.Alert(error_message(exc), color="warning")
    except DomainError as exc:
        refuse_forged(exc)
    page_now = page_no if isinstance(page_no, int) else 1
    return (pledge_list(current_user_id(), page_now, lang),
            dbc.Alert([icon("check-circle", "me-2"), _("Thank you. The table's chair will confirm that the money "
                                                       "arrived.")], color="success", dismissable=True))


def _typed(states: list, values: list | None, alloc_id) -> object:
    """The value of the pattern component of one allocation among a State's list."""
    for entry, value in zip(states or [], values or []):
        if isinstance(entry.get("id"), dict) and entry["id"].get("alloc") == alloc_id:
            return value
    return None


@secured_callback(
    Output(MY_HOURS, "children"), Output(ids.MY_FLASH, "children", allow_duplicate=True),
    Input({"type": MY_HOURS_CONFIRM, "alloc": ALL}, "n_clicks"),
    State({"type": MY_HOURS_INPUT, "alloc": ALL}, "value"),
    roles={CITIZEN}, prevent_initial_call=True)
def confirm_volunteer_hours(_clicks, values):
    """The core's lead (or the chair) confirms a volunteer's hours; models.results.delivery_proof.confirm_hours
    checks who may, so a crafted request for another project's contribution gets a 403 and changes nothing."""
    require({CITIZEN})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update
    from models.results.delivery_proof import confirm_hours

    alloc_id = trigger.get("alloc")
    typed = _typed(ctx.states_list[0] if ctx.states_list else [], values, alloc_id)
    hours = parse_int(typed) if isinstance(typed, str) and len(typed) < 12 else None
    lang, uid = current_language(), current_user_id()
    try:
        get_db().run(lambda s: confirm_hours(s, uid, alloc_id, typed if hours is None else hours))
    except (ValidationError, Conflict) as exc:
        return _fresh_hours_block(uid, lang), dbc.Alert(error_message(exc), color="warning")
    except DomainError as exc:
        refuse_forged(exc)
    return (_fresh_hours_block(uid, lang),
            dbc.Alert([icon("check-circle", "me-2"), _("Confirmed: %(n)s hours. The volunteer is told.",
                                                       n=format_number(hours, lang))],
                      color="success", dismissable=True))


@secured_callback(
    Output(ids.MY_LIST, "children", allow_duplicate=True), Output(ids.MY_FLASH, "children", allow_duplicate=True),
    Input({"type": ids.MY_CONTACT_SHARE, "alloc": ALL}, "n_clicks"),
    Input({"type": ids.MY_CONTACT_REVOKE, "alloc": ALL}, "n_clicks"),
    Input({"type": ids.MY_MSG_SEND, "alloc": ALL}, "n_clicks"),
    State({"type": ids.MY_CONTACT_CHANNEL, "alloc": ALL}, "value"),
    State({"type": ids.MY_MSG_TEXT, "alloc": ALL}, "value"), State("my-page", "data"),
    roles={CITIZEN}, prevent_initial_call=True)
def coordinate(_share, _revoke, _send, channels, texts, page_no):
    """Share or stop sharing a contact with the table's chair, or write to them (own contributions only: else 403)."""
    require({CITIZEN})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update
    alloc_id, kind = trigger.get("alloc"), trigger.get("type")
    citizen = current_user_id()
    states = ctx.states_list or [[], []]
    try:
        if kind == ids.MY_CONTACT_SHARE:
            channel = _typed(states[0], channels, alloc_id)
            get_db().run(lambda s: share_contact(s, citizen, alloc_id, channel))
            done = _("Shared. Only the chair of this table sees it, and you can stop at any time.")
        elif kind == ids.MY_CONTACT_REVOKE:
            get_db().run(lambda s: revoke_contact(s, citizen, alloc_id))
            done = _("Your contact is no longer shared with the chair.")
        elif kind == ids.MY_MSG_SEND:
            text = _typed(states[1], texts, alloc_id)
            get_db().run(lambda s: post_message(s, citizen, alloc_id, text))
            done = _("Message sent. The chair has been notified.")
        else:
            return no_update, no_update
    except (ValidationError, Conflict) as exc:
        return no_update, dbc.Alert(error_message(exc), color="warning")
    except DomainError as exc:
        refuse_forged(exc)
    page_now = page_no if isinstance(page_no, int) else 1
    return (pledge_list(citizen, page_now, current_language()),
            dbc.Alert([icon("check-circle", "me-2"), done], color="success", dismissable=True))


@secured_callback(
    Output(ids.MY_NOTIFICATIONS_LIST, "children"), Output(shell_ids.NAV_UNREAD, "children", allow_duplicate=True),
    Input(ids.MY_MARK_READ, "n_clicks"), State(ids.MY_LAST_SEEN, "data"),
    roles={CITIZEN}, prevent_initial_call=True)
def mark_read(n_clicks, last_seen):
    """Mark read the notifications the citizen has seen (not ones that arrived since)."""
    require({CITIZEN})
    if not n_clicks:
        return no_update, no_update
    citizen = current_user_id()
    if isinstance(last_seen, int) and not isinstance(last_seen, bool):
        with get_db().unit_of_work() as s:
            mark_read_up_to(s, citizen, last_seen)
    with get_db().reader() as s:
        unread = unread_count(s, citizen)
    return notifications_block(citizen, current_language()).children, unread_badge_text(unread)


def unread_badge_text(unread: int) -> str:
    return format_number(unread, current_language()) if unread else ""


@secured_callback(
    Output(shell_ids.NAV_UNREAD, "children"), Input(shell_ids.PAGES_LOCATION, "pathname"),
    roles={CITIZEN}, prevent_initial_call=True)
def refresh_unread(_path):
    """The navbar's unread count, brought up to date on every page change."""
    require({CITIZEN})
    with get_db().reader() as s:
        return unread_badge_text(unread_count(s, current_user_id()))
