"""The chair's review queue on /tables/<id>: accept, reject with a reason, bulk accept, mark delivered; in the
accepted list, the citizen's contact when they chose to share it with this chair, and messages (issue 20 item 13).

Imports dash, dbc, models and dash_app; not a page itself. One callback serves the whole queue:
it reads which button was pressed, calls one domain operation (models.pledging.decisions), and renders the
queue again. A forged decision on another table's allocation raises PermissionDenied (HTTP 403).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dash_app.auth import CHAIR, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    as_text,
    current_language,
    error_message,
    format_date,
    format_datetime,
    format_number,
    localise_digits,
    ngettext,
)
from dash_app.layout import icon
from dash_app.pages.table import ids, review_safety
from dash_app.pages.table import why as why_section
from dash_app.ui.alerts import alert as alert_box
from dash_app.ui.bidi import isolate
from dash_app.ui.dates import parse_date_text, today_text
from dash_app.ui.forms import field_error
from dash_app.ui.labels import kind_label
from dash_app.ui.names import name_in, person_name
from dash_app.ui.quantities import quantity_text
from dash_app.ui.reasons import reason_text
from dash_app.ui.results import (
    DELIVER_HOURS,
    DELIVER_PROOF_TOKENS,
    DELIVER_QUANTITY,
    deliver_with_proof,
    delivery_proof_fields,
)
from models.core.enums import AllocationStatus
from models.core.errors import Conflict, DomainError, PermissionDenied, ValidationError
from models.pledging import chair_review
from models.pledging.chair_review import undoable_ids
from models.pledging.contact import MAX_MESSAGE, chair_threads, contacts_for_chair, post_message
from models.pledging.decisions import (
    MAX_REASON,
    accept,
    accept_many,
    as_page,
    awaiting_delivery,
    confirm_payment,
    mark_delivered_many,
    pending_count,
    reject,
    review_page,
)
from models.projects.browse import skill_choices

PER_PAGE = 20


def _pid(kind: str, item) -> dict:
    return {"type": kind, "alloc": item.allocation_id, "v": item.version}


def _coordinate(item, lang: str, extras: dict):
    """The accepted contribution's contact (only when the citizen shared it with this chair) and its messages."""
    shared = extras.get("contacts", {}).get(item.allocation_id)
    if shared is not None:
        value = localise_digits(shared.value, lang) if shared.channel == "phone" else shared.value
        how = _("Phone") if shared.channel == "phone" else _("E-mail")
        contact = html.P([icon("person-lines-fill", "me-1"), _("Contact: "), html.Strong(person_name(shared.name)),
                          f" · {how}: ", html.Span(value, dir="ltr")],
                         className="small mb-1", **{"data-contact": "shared"})
    else:
        contact = html.P([icon("person-lines-fill", "me-1"), _("Contact: not shared")],
                         className="small mb-1 text-body-secondary", **{"data-contact": "not-shared"})
    messages = extras.get("threads", {}).get(item.allocation_id, [])
    return html.Details([
        html.Summary(ngettext("%(n)s message", "%(n)s messages", len(messages), n=format_number(len(messages)))
                     if messages else _("Write to the citizen"), className="small"),
        html.Ul([html.Li([
            html.Span(_("The citizen") if m.side == "citizen" else _("You"), className="fw-semibold"),
            html.Span(f" · {format_datetime(m.created_at)}", className="text-body-secondary"),
            html.Div(m.body, style={"whiteSpace": "pre-line", "overflowWrap": "anywhere"}),
        ], className="mb-1") for m in messages], className="list-unstyled small mb-1") if messages else None,
        html.Label([html.Span(_("Message to the citizen"), className="d-block small"),
                    dbc.Textarea(id={"type": ids.CONTACT_MSG_TEXT_TYPE, "alloc": item.allocation_id},
                                 maxLength=MAX_MESSAGE, rows=2, value="")], className="w-100 mb-1"),
        html.Button([icon("send", "me-1"), _("Send")],
                    id={"type": ids.CONTACT_MSG_SEND_TYPE, "alloc": item.allocation_id}, n_clicks=0,
                    className="btn btn-sm btn-outline-primary"),
    ], open=bool(messages)), contact


def _item(item, lang: str, deciding: bool, skill_names: dict[str, str], extras: dict | None = None):
    district = name_in(lang, item.district_fa, item.district_en)
    who = person_name(item.citizen_name)
    prefs = []
    if item.prefers_table:
        prefs.append(_("Only this table's projects") if item.only_tables else _("Prefers this table"))
    if not item.divisible:
        prefs.append(_("Whole pledge only"))
    skills = [name_in(lang, fa, en) for fa, en in item.skills]
    controls = []
    if deciding:
        controls = [
            html.Button([icon("check-lg", "me-1"), _("Accept")], id=_pid(ids.ACCEPT_TYPE, item), n_clicks=0,
                        className="btn btn-success btn-sm me-1 ms-1"),
            html.Button([icon("x-lg", "me-1"), _("Reject")], id=_pid(ids.REJECT_TYPE, item), n_clicks=0,
                        className="btn btn-outline-danger btn-sm"),
        ]
    else:
        controls = [html.Button([icon("box-seam", "me-1"), _("Mark delivered")], id=_pid(ids.DELIVER_TYPE, item),
                                n_clicks=0, className="btn btn-outline-success btn-sm")]
        if extras is not None and item.allocation_id in extras.get("undoable", ()):
            controls.insert(0, review_safety.undo_button(item.allocation_id, item.version, "list"))
        if getattr(item, "payment_reference", None):
            controls.insert(0, html.Button([icon("bank", "me-1"), _("Confirm money received")],
                                           id=_pid(ids.PAYMENT_CONFIRM_TYPE, item), n_clicks=0,
                                           className="btn btn-success btn-sm me-1 ms-1"))
    quantity = quantity_text(item.kind, item.quantity)
    label = (_("%(quantity)s from %(who)s", quantity=quantity, who=who) if who
             else _("%(quantity)s from a citizen", quantity=quantity))
    select_type = ids.SELECT_TYPE if deciding else ids.DELIVERY_SELECT_TYPE
    head = [dbc.Checkbox(id=_pid(select_type, item), value=False, label=label, label_class_name="fw-semibold")]
    return html.Li([
        html.Div([html.Div(head, className="me-auto"), html.Div(controls, className="text-nowrap")],
                 className="d-flex flex-wrap gap-2 align-items-start"),
        html.P([
            kind_label(item.kind), " · ",
            _("need: %(need)s", need=quantity_text(item.kind, item.need_quantity)),
            *([" · ", isolate(item.need_description)] if item.need_description else []),
            f" · {district}" if district else "",
            *([" · ", isolate(item.pledge_description)] if item.pledge_description else []),
        ], className="small mb-1 text-body-secondary"),
        html.P([_("Skills: %(skills)s", skills="، ".join(skills) if lang == "fa" else ", ".join(skills))],
               className="small mb-1") if skills else None,
        html.Div([html.Span(reason_text(r, skill_names), className="badge text-bg-light border me-1 ms-1") for r in item.reasons
                  if reason_text(r, skill_names)]
                 + [html.Span(p, className="badge text-bg-info me-1 ms-1") for p in prefs], className="small"),
        why_section.block(item, lang, skill_names) if deciding else None,
        html.P(_("Accepted on %(date)s", date=format_date(item.decided_at)), className="small mb-0")
        if not deciding and item.decided_at else None,
        html.P([icon("bank", "me-1"), _("The citizen reports paying on %(date)s; bank reference: %(ref)s",
                                         date=format_date(item.payment_reported_at), ref=item.payment_reference)],
               className="small mb-0 text-success", **{"data-payment-reference": item.payment_reference})
        if not deciding and getattr(item, "payment_reference", None) and item.payment_reported_at else None,
        *(reversed(_coordinate(item, lang, extras)) if extras is not None else ()),
    ], className="list-group-item", **{"data-allocation": str(item.allocation_id)},
        **({"id": {"type": ids.REVIEW_ITEM_TYPE, "alloc": item.allocation_id}} if deciding else {}))


def _groups(page, lang: str, deciding: bool, skill_names: dict[str, str], extras: dict | None = None):
    out = []
    for group in page.groups:
        title = name_in(lang, group.title_fa, group.title_en)
        out.append(html.Div([
            html.H3([title, html.Span(_("Priority %(p)s of 10", p=format_number(group.priority)),
                                      className="small text-body-secondary ms-2 me-2")], className="h6 mt-3"),
            html.Ul([_item(i, lang, deciding, skill_names, extras) for i in group.items], className="list-group"),
        ], **{"data-project": str(group.project_id)}))
    return out


def render_lists(table_id: int, page_no: int = 0):
    lang = current_language()
    with get_db().reader() as s:
        pending = review_page(s, table_id, offset=page_no * PER_PAGE, limit=PER_PAGE)
        if pending.total and page_no * PER_PAGE >= pending.total:
            page_no = max(0, (pending.total - 1) // PER_PAGE)
            pending = review_page(s, table_id, offset=page_no * PER_PAGE, limit=PER_PAGE)
        skill_names = {c.slug: c.name(lang) for c in skill_choices(s)}
        why_section.use(why_section.prepare(s, table_id, pending))  # why each proposal (issue 16 item 7)
    pages = max(1, -(-pending.total // PER_PAGE))
    pager = None
    if pages > 1:
        pager = html.Nav(html.Ul([
            html.Li(html.Button(format_number(n + 1), id={"type": ids.GOTO_TYPE, "page": n}, n_clicks=0,
                                className="page-link", **({"aria-current": "page"} if n == page_no else {})),
                    className="page-item" + (" active" if n == page_no else ""))
            for n in range(pages)], className="pagination pagination-sm flex-wrap mt-2"),
            **{"aria-label": _("Pages of proposals")})
    return html.Div([
        html.Div(_pending_text(pending.total), id=ids.REVIEW_COUNT),
        html.Div(_groups(pending, lang, True, skill_names)) if pending.total else
        html.P(_("Nothing to decide. Run matching to get new proposals."), className="text-body-secondary"),
        pager,
    ]), page_no


def _pending_text(total: int) -> html.P:
    return html.P(_("%(n)s proposals await your decision.", n=format_number(total)), className="mb-1",
                  **{"data-pending": str(total)})


def _awaiting_text(total: int, searched: bool = False) -> html.P:
    if total:
        count = ngettext("%(n)s accepted contribution awaits delivery.", "%(n)s accepted contributions await delivery.",
                         total, n=format_number(total))
    elif searched:
        count = _("No accepted contribution matches this search.")
    else:
        count = _("No accepted contribution awaits delivery.")
    return html.P(count, className="mb-1" if total else "text-body-secondary", id=ids.DELIVERY_LIST,
                  **{"data-awaiting": str(total)})


def render_delivery(table_id: int, page_no: int = 0, query: object = ""):
    """The accepted contributions awaiting delivery, a page at a time: count, search, pager, checkboxes."""
    lang = current_language()
    text = as_text(query).strip()
    with get_db().reader() as s:
        accepted = awaiting_delivery(s, table_id, offset=page_no * PER_PAGE, limit=PER_PAGE, query=text)
        if accepted.total and page_no * PER_PAGE >= accepted.total:
            page_no = max(0, (accepted.total - 1) // PER_PAGE)
            accepted = awaiting_delivery(s, table_id, offset=page_no * PER_PAGE, limit=PER_PAGE, query=text)
        skill_names = {c.slug: c.name(lang) for c in skill_choices(s)}
        shown = [i.allocation_id for g in accepted.groups for i in g.items]
        extras = {"contacts": contacts_for_chair(s, current_user_id(), table_id, shown),
                  "threads": chair_threads(s, current_user_id(), table_id, shown),
                  "undoable": undoable_ids(s, shown)}
    pages = max(1, -(-accepted.total // PER_PAGE))
    return html.Div([
        html.Div(_awaiting_text(accepted.total, bool(text)), id=ids.DELIVERY_COUNT),
        html.Div([], id=ids.DELIVERY_RECENT),  # accepts made since this list was drawn, newest first
        html.Div(_groups(accepted, lang, False, skill_names, extras)) if accepted.total else None,
        _page_links(ids.DELIVERY_GOTO_TYPE, page_no, pages, _("Pages of accepted contributions")),
    ]), page_no


def _page_links(kind: str, page_no: int, pages: int, label: str):
    """Numbered page buttons (every page: a chair's list is at most a few dozen pages)."""
    if pages <= 1:
        return None
    return html.Nav(html.Ul([
        html.Li(html.Button(format_number(n + 1), id={"type": kind, "page": n}, n_clicks=0, className="page-link",
                            **({"aria-current": "page"} if n == page_no else {})),
                className="page-item" + (" active" if n == page_no else ""))
        for n in range(pages)], className="pagination pagination-sm flex-wrap mt-2"), **{"aria-label": label})


def section(table_id: int):
    body, page_no = render_lists(table_id, 0)
    delivery, _dpage = render_delivery(table_id, 0)
    return html.Section([
        html.H2([icon("inbox", "me-2"), _("Review queue")], className="h5"),
        html.P(_("Accept or reject each proposed contribution; the citizen is told either way. Select several "
                 "to accept them together."), className="small text-body-secondary"),
        html.P(_("“Weighted priority” is what matching uses: the project's priority (1 to 10) times one plus its "
                 "share of votes in participatory budgeting, so at most 20."), className="small text-body-secondary"),
        html.Div(id=ids.REVIEW_ALERT, **{"aria-live": "polite"}),
        review_safety.bulk_controls(),  # "select all" and "accept selected…", which asks first
        html.Div(body, id=ids.REVIEW_LIST),
        html.Div([
            html.H3([icon("box-seam", "me-2"), _("Accepted, awaiting delivery")], className="h6 mt-4"),
            html.Div([
                html.Div([dbc.Label(_("Search by citizen, project or description"), html_for=ids.DELIVERY_SEARCH,
                                    className="small mb-1"),
                          dbc.Input(id=ids.DELIVERY_SEARCH, type="search", value="", debounce=400, maxLength=100)],
                         className="flex-grow-1"),
                dbc.Checkbox(id=ids.DELIVERY_ALL, value=False, label=_("Select all on this page"),
                             className="mb-1"),
                html.Button([icon("box-seam", "me-1"), _("Mark selected delivered")], id=ids.DELIVERY_BULK,
                            n_clicks=0, className="btn btn-outline-success btn-sm mb-1"),
            ], className="d-flex flex-wrap gap-2 align-items-end mb-2"),
            html.Div(delivery, id=ids.DELIVERY_BODY, **{"aria-live": "polite"}),
        ]),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle(_("Reject this contribution"))),
            dbc.ModalBody([
                html.P(id=ids.REJECT_TARGET, className="small fw-semibold"),  # which contribution (issue 20)
                dbc.Label(_("Reason (the citizen will read it)"), html_for=ids.REJECT_REASON),
                dbc.Textarea(id=ids.REJECT_REASON, maxLength=MAX_REASON, rows=3, value=""),
                field_error(ids.REJECT_ERROR, ids.REJECT_REASON),  # in the dialog, not behind it
            ]),
            dbc.ModalFooter([
                html.Button(_("Cancel"), id=ids.REJECT_CANCEL, n_clicks=0, className="btn btn-secondary"),
                html.Button(_("Reject"), id=ids.REJECT_CONFIRM, n_clicks=0, className="btn btn-danger"),
            ]),
        ], id=ids.REJECT_MODAL, is_open=False),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle(_("Mark as delivered"))),
            dbc.ModalBody([
                html.P(id=ids.DELIVER_TARGET, className="small"),
                dbc.Label(_("Delivery date (year/month/day)"), html_for=ids.DELIVER_DATE),
                dbc.Input(id=ids.DELIVER_DATE, value="", inputMode="numeric"),
                dbc.Label(_("Note (optional)"), html_for=ids.DELIVER_NOTE, className="mt-2"),
                dbc.Textarea(id=ids.DELIVER_NOTE, maxLength=MAX_REASON, rows=2, value=""),
                delivery_proof_fields(),  # issue 22: part of it, proof, hours
                field_error(ids.DELIVER_ERROR, ids.DELIVER_DATE),  # in the dialog, which stays open
            ]),
            dbc.ModalFooter([
                html.Button(_("Cancel"), id=ids.DELIVER_CANCEL, n_clicks=0, className="btn btn-secondary"),
                html.Button(_("Save"), id=ids.DELIVER_CONFIRM, n_clicks=0, className="btn btn-success"),
            ]),
        ], id=ids.DELIVER_MODAL, is_open=False),
        review_safety.bulk_modal(),
        dcc.Store(id=ids.REVIEW_REFRESH, data={"page": page_no, "dpage": 0, "reject": None, "deliver": None}),
    ], className="border rounded p-3 mb-4", id=ids.REVIEW_PANEL)


def _in_dialog(cid: str, message: str) -> None:
    """A sentence inside an open dialog (its error or what it is about), set beside the callback's outputs."""
    from dash import set_props

    set_props(cid, {"children": message})


def _contribution_text(alloc_id: object) -> str:
    """Which contribution a dialog is about: «۵۰۰٬۰۰۰ تومان برای «پایگاه سلامت» (مشارکت شمارهٔ ۱۲)»."""
    from dash_app.ui.quantities import id_text
    from models.orm.pledges import Allocation

    if isinstance(alloc_id, bool) or not isinstance(alloc_id, int):
        return ""
    lang = current_language()
    with get_db().reader() as s:
        alloc = s.get(Allocation, alloc_id)
        if alloc is None:
            return ""
        project = alloc.need.project
        return _("%(quantity)s for “%(project)s” (contribution no. %(id)s)",
                 quantity=quantity_text(alloc.need.kind, alloc.quantity, lang),
                 project=name_in(lang, project.title_fa, project.title_en), id=id_text(alloc.id, lang))


def _target(value) -> tuple[int, int | None] | None:
    if not isinstance(value, dict):
        return None
    alloc, version = value.get("alloc"), value.get("v")
    if isinstance(alloc, bool) or not isinstance(alloc, int):
        return None
    return alloc, version if isinstance(version, int) and not isinstance(version, bool) else None


@secured_callback(
    Output(ids.REVIEW_LIST, "children"), Output(ids.REVIEW_ALERT, "children"),
    Output(ids.REJECT_MODAL, "is_open"), Output(ids.REJECT_REASON, "value"),
    Output(ids.DELIVER_MODAL, "is_open"), Output(ids.DELIVER_DATE, "value"), Output(ids.REVIEW_REFRESH, "data"),
    Output(ids.DELIVERY_BODY, "children"), Output(ids.DELIVER_TARGET, "children"),
    Input({"type": ids.ACCEPT_TYPE, "alloc": ALL, "v": ALL}, "n_clicks"),
    Input({"type": ids.REJECT_TYPE, "alloc": ALL, "v": ALL}, "n_clicks"),
    Input({"type": ids.DELIVER_TYPE, "alloc": ALL, "v": ALL}, "n_clicks"),
    Input({"type": ids.GOTO_TYPE, "page": ALL}, "n_clicks"),
    Input(ids.REVIEW_BULK, "n_clicks"), Input(ids.REJECT_CONFIRM, "n_clicks"), Input(ids.REJECT_CANCEL, "n_clicks"),
    Input(ids.DELIVER_CONFIRM, "n_clicks"), Input(ids.DELIVER_CANCEL, "n_clicks"), Input(ids.MATCH_DONE, "children"),
    Input({"type": ids.DELIVERY_GOTO_TYPE, "page": ALL}, "n_clicks"), Input(ids.DELIVERY_SEARCH, "value"),
    Input(ids.DELIVERY_BULK, "n_clicks"), Input({"type": ids.PAYMENT_CONFIRM_TYPE, "alloc": ALL, "v": ALL}, "n_clicks"),
    State({"type": ids.SELECT_TYPE, "alloc": ALL, "v": ALL}, "value"),
    State(ids.REJECT_REASON, "value"), State(ids.DELIVER_DATE, "value"), State(ids.DELIVER_NOTE, "value"),
    State(ids.REVIEW_REFRESH, "data"), State(ids.TABLE_ID, "data"),
    State({"type": ids.DELIVERY_SELECT_TYPE, "alloc": ALL, "v": ALL}, "value"),
    State(DELIVER_QUANTITY, "value"), State(DELIVER_PROOF_TOKENS, "value"), State(DELIVER_HOURS, "value"),
    roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def review_action(_acc, _rej, _del, _goto, _bulk, _rej_ok, _rej_cancel, _del_ok, _del_cancel, _done,
                  _dgoto, search, _dbulk, _paid,
                  selected, reason, delivered_text, note, memo, table_id, delivery_selected,
                  part=None, proof=None, hours=None):
    require({CHAIR}, table_id)
    trigger = ctx.triggered_id
    value = ctx.triggered[0].get("value") if ctx.triggered else None
    if trigger is None or (isinstance(trigger, dict) and not value):
        return (no_update,) * 9  # a list was re-rendered, nothing was pressed
    memo = dict(memo) if isinstance(memo, dict) else {}
    page_no = memo.get("page") if isinstance(memo.get("page"), int) else 0
    dpage = memo.get("dpage") if isinstance(memo.get("dpage"), int) else 0
    kind = trigger.get("type") if isinstance(trigger, dict) else trigger
    target_text = no_update
    db = get_db()
    actor = current_user_id()
    alert = None
    reject_open = deliver_open = False
    reason_out = date_out = no_update
    try:
        if kind in (ids.GOTO_TYPE, ids.DELIVERY_GOTO_TYPE, ids.DELIVERY_SEARCH):
            page_no, dpage = _pages_after(kind, trigger, page_no, dpage)
        elif kind == ids.DELIVERY_BULK:
            chosen = _ticked(_pattern_states(ids.DELIVERY_SELECT_TYPE), delivery_selected)
            if not chosen:
                raise ValidationError("selection_empty")
            memo["deliver"] = {"bulk": [[a, v] for a, v in chosen.items()]}
            deliver_open, date_out = True, today_text()
            target_text = ngettext("%(n)s contribution selected.", "%(n)s contributions selected.", len(chosen),
                                   n=format_number(len(chosen)))
        elif kind == ids.PAYMENT_CONFIRM_TYPE:
            db.run(lambda s: confirm_payment(s, actor, trigger.get("alloc"), trigger.get("v")))
            alert = alert_box(_("Receipt of the money confirmed; it counts as delivered. The citizen has been told."),
                              "success")
        elif kind == ids.ACCEPT_TYPE:
            in_place = _others_on_page(trigger.get("alloc"))
            version, decided = db.run(lambda s: _accepted(accept(s, actor, trigger.get("alloc"), trigger.get("v")),
                                                          table_id if in_place else None))
            alert = review_safety.accepted_alert(trigger.get("alloc"), version)
            if decided is not None:
                _accepted_in_place(table_id, decided)
                return no_update, alert, False, no_update, False, no_update, memo, no_update, no_update
        elif kind == ids.REJECT_TYPE:
            memo["reject"] = {"alloc": trigger.get("alloc"), "v": trigger.get("v")}
            reject_open, reason_out = True, ""
            _in_dialog(ids.REJECT_TARGET, _contribution_text(trigger.get("alloc")))
            _in_dialog(ids.REJECT_ERROR, "")
        elif kind == ids.DELIVER_TYPE:
            memo["deliver"] = {"alloc": trigger.get("alloc"), "v": trigger.get("v")}
            _in_dialog(ids.DELIVER_ERROR, "")
            deliver_open, date_out = True, today_text()
            target_text = ""
        elif kind == ids.REJECT_CONFIRM:
            target = _target(memo.get("reject"))
            if target is None:
                raise ValidationError("selection_empty")
            reason = as_text(reason)
            if not reason.strip():
                _in_dialog(ids.REJECT_ERROR, error_message(ValidationError("reason_required")))
                return (no_update, no_update, True, no_update,
                        False, no_update, no_update, no_update, no_update)
            db.run(lambda s: reject(s, actor, target[0], reason, target[1]))
            memo["reject"] = None
            alert = alert_box(_("Rejected. The citizen has been told the reason."), "success")
        elif kind == ids.DELIVER_CONFIRM:
            alert = _confirm_delivery(db, actor, memo, delivered_text, note, (part, proof, hours))
            if alert is None:  # the date is not one: the dialog stays open with the date as typed
                _in_dialog(ids.DELIVER_ERROR, error_message(ValidationError("date_invalid")))
                return (no_update, no_update, False, no_update, True,
                        no_update, no_update, no_update, no_update)
            memo["deliver"] = None
        elif kind == ids.REVIEW_BULK:
            chosen = _ticked(_pattern_states(ids.SELECT_TYPE), selected)
            done = db.run(lambda s: accept_many(s, actor, chosen))
            alert = alert_box(ngettext("%(n)s contribution accepted. The citizen has been told.",
                                       "%(n)s contributions accepted. The citizens have been told.", len(done),
                                       n=format_number(len(done))), "success")
        elif kind in (ids.REJECT_CANCEL, ids.DELIVER_CANCEL):
            memo["reject"] = memo["deliver"] = None
    except PermissionDenied:
        raise  # a forged request: the guard's error handler answers 403
    except DomainError as exc:
        alert = alert_box(error_message(exc))
    body, page_no = render_lists(table_id, page_no)
    delivery, dpage = render_delivery(table_id, dpage, search)
    memo["page"], memo["dpage"] = page_no, dpage
    if kind == ids.MATCH_DONE:  # say which run's proposals the queue now shows (pages and tests wait on it)
        body = html.Div(body, **{"data-after-run": str(value)})
    return body, alert, reject_open, reason_out, deliver_open, date_out, memo, delivery, target_text


def _pages_after(kind: str, trigger, page_no: int, dpage: int) -> tuple[int, int]:
    """The queue's and the accepted list's pages after a page button or a search (which starts at the first)."""
    asked = trigger.get("page") if isinstance(trigger, dict) and isinstance(trigger.get("page"), int) else 0
    return (asked, dpage) if kind == ids.GOTO_TYPE else (page_no, asked)


def _others_on_page(alloc_id: object) -> bool:
    """Whether the queue on the chair's screen still shows proposals besides this one (its accept buttons)."""
    entries = ctx.inputs_list[0] if ctx.inputs_list and isinstance(ctx.inputs_list[0], list) else []
    return any(isinstance(e.get("id"), dict) and e["id"].get("alloc") != alloc_id for e in entries)


def _accepted_in_place(table_id: int, decided) -> None:
    """Answer one accept without drawing both lists again (issue 19: ~40 of its ~50 ms were those two renders).

    The proposal's row says "accepted" where the chair pressed (so nothing moves under a thumb on a phone),
    the two counts are redrawn, and the accepted contribution is added at the top of the accepted list. The
    next page, search, run or any other decision draws the lists afresh, as does accepting the last proposal
    on the chair's page (which brings the next page's in).
    """
    from dash import Patch, set_props

    lang = current_language()
    item = decided.groups[0].items[0]
    with get_db().reader() as s:
        pending, awaiting = pending_count(s, table_id), pending_count(s, table_id, AllocationStatus.ACCEPTED)
        shown = [item.allocation_id]
        extras = {"contacts": contacts_for_chair(s, current_user_id(), table_id, shown),
                  "threads": chair_threads(s, current_user_id(), table_id, shown),
                  "undoable": undoable_ids(s, shown)}
        skill_names = {c.slug: c.name(lang) for c in skill_choices(s)}
    who = person_name(item.citizen_name)
    quantity = quantity_text(item.kind, item.quantity)
    set_props({"type": ids.REVIEW_ITEM_TYPE, "alloc": item.allocation_id}, {
        "className": "list-group-item list-group-item-success small",
        "children": [icon("check-circle-fill", "me-1 ms-1"),
                     _("Accepted: %(quantity)s from %(who)s. It is now in the accepted list below.",
                       quantity=quantity, who=who) if who else
                     _("Accepted: %(quantity)s from a citizen. It is now in the accepted list below.",
                       quantity=quantity)]})
    set_props(ids.REVIEW_COUNT, {"children": _pending_text(pending)})
    set_props(ids.DELIVERY_COUNT, {"children": _awaiting_text(awaiting)})
    recent = Patch()
    recent.prepend(html.Div(_groups(decided, lang, False, skill_names, extras), **{"data-recent": "accepted"}))
    set_props(ids.DELIVERY_RECENT, {"children": recent})


def _accepted(alloc, table_id: int | None):
    """(the version an accept left, for its undo button; with `table_id`, the accepted row as the lists show it)."""
    return _accepted_version(alloc), as_page(alloc, table_id) if table_id is not None else None


def _accepted_version(alloc) -> int:
    """The version an accept left (what its undo button must present), read before the unit of work ends."""
    from sqlalchemy.orm import object_session

    object_session(alloc).flush()
    return alloc.version


def _confirm_delivery(db, actor: int, memo: dict, delivered_text, note, extra=("", "", "")):
    """Mark delivered what the dialog was opened for (one contribution, or a selection); None if the date is bad."""
    try:
        day = parse_date_text(delivered_text, field="date", code="date_invalid")
    except ValidationError:
        day = None
    if day is None:
        return None
    chosen = memo.get("deliver")
    if isinstance(chosen, dict) and isinstance(chosen.get("bulk"), list):
        bulk = {a: v for a, v in (pair for pair in chosen["bulk"] if isinstance(pair, list) and len(pair) == 2)
                if isinstance(a, int) and not isinstance(a, bool)}
        done = db.run(lambda s: mark_delivered_many(s, actor, bulk, day, as_text(note)))
        return alert_box(ngettext("%(n)s contribution marked delivered.", "%(n)s contributions marked delivered.",
                                  len(done), n=format_number(len(done))), "success")
    target = _target(chosen)
    if target is None:
        raise ValidationError("selection_empty")
    db.run(lambda s: deliver_with_proof(s, actor, target[0], target[1], day, as_text(note), *extra))
    return alert_box(_("Marked delivered."), "success")


def _pattern_states(kind: str) -> list:
    """The State entries of one pattern-matching id type (each with its "id"), in the order of their values."""
    for entry in ctx.states_list:
        if isinstance(entry, list) and entry and isinstance(entry[0].get("id"), dict) \
                and entry[0]["id"].get("type") == kind:
            return entry
    return []


def _ticked(states: list, values: list | None) -> dict:
    """{allocation id: version} of the ticked checkboxes of one pattern-matching State."""
    chosen = {}
    for item, ticked in zip(states or [], values or []):
        if ticked and isinstance(item.get("id"), dict):
            chosen[item["id"].get("alloc")] = item["id"].get("v")
    return chosen


@secured_callback(
    Output({"type": ids.DELIVERY_SELECT_TYPE, "alloc": ALL, "v": ALL}, "value"),
    Input(ids.DELIVERY_ALL, "value"), State({"type": ids.DELIVERY_SELECT_TYPE, "alloc": ALL, "v": ALL}, "value"),
    State(ids.TABLE_ID, "data"), roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def select_all_delivered(all_ticked, current, table_id):
    """"Select all on this page" ticks (or clears) every accepted contribution shown."""
    require({CHAIR}, table_id)
    return [bool(all_ticked)] * len(current or [])


@secured_callback(
    Output(ids.DELIVERY_BODY, "children", allow_duplicate=True),
    Output(ids.REVIEW_ALERT, "children", allow_duplicate=True),
    Input({"type": ids.CONTACT_MSG_SEND_TYPE, "alloc": ALL}, "n_clicks"),
    State({"type": ids.CONTACT_MSG_TEXT_TYPE, "alloc": ALL}, "value"),
    State(ids.REVIEW_REFRESH, "data"), State(ids.DELIVERY_SEARCH, "value"), State(ids.TABLE_ID, "data"),
    roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def send_message(_clicks, texts, memo, search, table_id):
    """The chair writes to the citizen of one accepted contribution of this table (the domain checks both)."""
    require({CHAIR}, table_id)
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update
    alloc_id = trigger.get("alloc")
    from models.pledging.decisions import table_of_allocation

    with get_db().reader() as s:
        if isinstance(alloc_id, bool) or not isinstance(alloc_id, int) or \
                table_of_allocation(s, alloc_id) != table_id:  # a forged id, or another table's contribution
            raise PermissionDenied("not_chair_of_table")
    typed = ""
    for entry, value in zip(ctx.states_list[0] if ctx.states_list else [], texts or []):
        if isinstance(entry.get("id"), dict) and entry["id"].get("alloc") == alloc_id:
            typed = value if isinstance(value, str) else ""
    try:
        get_db().run(lambda s: post_message(s, current_user_id(), alloc_id, typed))
    except (ValidationError, Conflict) as exc:
        return no_update, alert_box(error_message(exc))
    dpage = memo.get("dpage") if isinstance(memo, dict) and isinstance(memo.get("dpage"), int) else 0
    delivery, _dpage = render_delivery(table_id, dpage, search)
    return delivery, alert_box(_("Message sent. The citizen has been notified."), "success")


# Issue 20: an accept can be undone (the button: review_safety.undo_button).
@secured_callback(
    Output(ids.REVIEW_LIST, "children", allow_duplicate=True),
    Output(ids.REVIEW_ALERT, "children", allow_duplicate=True),
    Output(ids.DELIVERY_BODY, "children", allow_duplicate=True),
    Input({"type": ids.UNDO_TYPE, "alloc": ALL, "v": ALL, "at": ALL}, "n_clicks"),
    State(ids.REVIEW_REFRESH, "data"), State(ids.DELIVERY_SEARCH, "value"), State(ids.TABLE_ID, "data"),
    roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def undo_action(_clicks, memo, search, table_id):
    """Put one accepted contribution back among the proposals (the domain checks the chair, the time, the rest)."""
    require({CHAIR}, table_id)
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update, no_update
    try:
        get_db().run(lambda s: chair_review.undo_accept(s, current_user_id(), trigger.get("alloc"), trigger.get("v")))
        alert = alert_box(_("Acceptance undone: it is a proposal again. The citizen has been told."), "success")
    except PermissionDenied:
        raise
    except DomainError as exc:
        alert = alert_box(error_message(exc))
    memo = memo if isinstance(memo, dict) else {}
    page_no = memo.get("page") if isinstance(memo.get("page"), int) else 0
    dpage = memo.get("dpage") if isinstance(memo.get("dpage"), int) else 0
    body, _page = render_lists(table_id, page_no)
    delivery, _dpage = render_delivery(table_id, dpage, as_text(search))
    return body, alert, delivery
