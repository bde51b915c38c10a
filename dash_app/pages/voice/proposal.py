"""One citizen proposal (/proposals/<id>): its text, place, evidence and supporters; the support button; the
table's diagnosis thread; the chair's decision.

Imports dash, dbc, models (voice) and dash_app. Public, like the list. Who may press each button is decided by
models.voice (support, comment, diagnose, adopt, answer, decline, merge) from the proposal's own table, never
from anything the browser sends: a crafted request is refused (4xx) and changes nothing.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from sqlalchemy import select

from dash_app.auth import ANYONE, CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_date, format_number, parse_int
from dash_app.layout import icon, page
from dash_app.pages.voice import ids
from dash_app.pages.voice import proposal_parts as parts_
from dash_app.ui.bidi import isolate, user_text
from dash_app.ui.detail import detail_page, url_id
from dash_app.ui.forms import button_error, field_error, field_error_id, refuse_forged, show_at_field
from dash_app.ui.names import name_in
from dash_app.ui.proposals import ANSWER_LABELS, KIND_LABELS, hidden_sentence, status_badge
from dash_app.ui.uploads import thumbnails, tokens_of, upload_field
from models.core.errors import Conflict, DomainError, NotFound, ValidationError
from models.core.permissions import is_chair_of
from models.orm.geo import District
from models.orm.people import User
from models.orm.proposals import ANSWER_TYPES, ProposalComment
from models.orm.tables import Table
from models.voice import diagnosis as dx
from models.voice import moderation
from models.voice.moderation import open_reports
from models.voice.proposals import (
    PURPOSE,
    add_evidence,
    attachments,
    get_proposal,
    is_table_member,
    may_moderate,
    support,
    support_count,
    supports,
)

FIELD_LABELS = {"problem": {"body": _l("What is wrong"), "affected": _l("Who is affected"),
                            "evidence": _l("Evidence"), "since": _l("How often, since when")},
                "talent": {"body": _l("The untapped capacity"), "serves": _l("What it could serve"),
                           "duration": _l("For how long")}}
DECISIONS = ("adopt", *ANSWER_TYPES, "decline", "merge")
DECISION_LABELS = {"adopt": _l("Adopt it as a project"), **{a: ANSWER_LABELS[a] for a in ANSWER_TYPES},
                   "decline": _l("Decline it"), "merge": _l("Merge it into another proposal")}
DECISION_FIELDS = {"answer_type": ids.DECISION, "answer": ids.DECISION_TEXT, "forward_to": ids.DECISION_FORWARD,
                   "merge_into": ids.DECISION_MERGE, "horizon": ids.DECISION_HORIZON, "title": ids.ADOPT_TITLE,
                   "estimated_cost_rials": ids.ADOPT_COST, "core_lead": ids.ADOPT_LEAD, "core": ids.ADOPT_CORE,
                   "person": ids.ADOPT_CORE}
DX_FIELDS = {"cause": ids.DX_CAUSE, "scale": ids.DX_SCALE, "options": ids.DX_OPTIONS}


def _labelled(label, control, fid: str) -> html.Div:
    return html.Div([dbc.Label(str(label), html_for=fid), control, field_error(field_error_id(fid), fid)],
                    className="mb-2")


def _thread(comments: list[ProposalComment], names: dict[int, str], lang: str, *, signed_in: bool = False,
            moderator: bool = False) -> html.Section | None:
    """The evidence, comments and diagnoses in order; a hidden one keeps its place with the sentence saying it
    was hidden and why."""
    if not comments:
        return None
    items = []
    for c in comments:
        head = {"evidence": _("Evidence"), "comment": _("Comment"), "diagnosis": _("Diagnosis")}.get(c.kind, "")
        meta = html.Div(f"{head} · {names.get(c.author_id, '')} · {format_date(c.created_at, lang)}",
                        className="small text-body-secondary")
        if c.hidden_at is not None:
            items.append(html.Li([meta, html.P([icon("eye-slash", "me-1"), hidden_sentence(c.hidden_reason, comment=True)],
                                               className="mb-0 fst-italic text-body-secondary")],
                                 className="list-group-item", **{"data-comment": c.kind, "data-hidden": "1"}))
            continue
        parts = [p for p in (c.cause, c.scale, c.options, c.body) if p]
        items.append(html.Li([meta, user_text("\n".join(parts), html.P, style={"whiteSpace": "pre-line"}, className="mb-0"),
                              parts_.controls(c.id, signed_in=signed_in, moderator=moderator)],
                             className="list-group-item", **{"data-comment": c.kind, "data-comment-id": str(c.id)}))
    return html.Section([html.H2(_("Evidence and diagnosis"), className="h5 mt-3"),
                         html.Ul(items, className="list-group")])


def evidence_form() -> html.Section:
    return html.Section([
        html.H2(_("Add what you know"), className="h6 mt-3"),
        _labelled(_("What you saw or know"), dbc.Textarea(id=ids.EVIDENCE_BODY, rows=2, maxLength=4000),
                  ids.EVIDENCE_BODY),
        upload_field(ids.EVIDENCE_FILES, ids.EVIDENCE_TOKENS, PURPOSE, _("Photos or documents")),
        field_error(field_error_id(ids.EVIDENCE_FILES), ids.EVIDENCE_FILES),
        html.Button(_("Add the evidence"), id=ids.EVIDENCE_SEND, n_clicks=0, type="button",
                    className="btn btn-outline-primary btn-sm"),
    ], id="proposal-evidence-form")


def member_forms() -> html.Section:
    return html.Section([
        html.H2(_("For the table's members"), className="h5 mt-3"),
        _labelled(_("Comment"), dbc.Textarea(id=ids.COMMENT_BODY, rows=2, maxLength=4000), ids.COMMENT_BODY),
        html.Button(_("Add the comment"), id=ids.COMMENT_SEND, n_clicks=0, type="button",
                    className="btn btn-outline-primary btn-sm mb-3"),
        _labelled(_("Cause"), dbc.Textarea(id=ids.DX_CAUSE, rows=2, maxLength=4000), ids.DX_CAUSE),
        _labelled(_("How big it is"), dbc.Textarea(id=ids.DX_SCALE, rows=2, maxLength=4000), ids.DX_SCALE),
        _labelled(_("Options"), dbc.Textarea(id=ids.DX_OPTIONS, rows=2, maxLength=4000), ids.DX_OPTIONS),
        html.Button(_("Record the diagnosis"), id=ids.DX_SEND, n_clicks=0, type="button",
                    className="btn btn-outline-primary btn-sm"),
    ], id="proposal-member-forms")


def chair_form(p, tables: list, candidates, actor: int, lang: str) -> html.Section:
    """The decision; the fields of the one chosen appear under it (adopt: the project and its key core; not this
    table's remit: the table to forward to; merge: the proposal to merge into)."""
    return html.Section([
        html.H2(_("The chair's decision"), className="h5 mt-3"),
        _labelled(_("Decision"), dbc.Select(id=ids.DECISION, value="", options=[{"label": _("Choose…"), "value": ""}] +
                                            [{"label": str(DECISION_LABELS[d]), "value": d} for d in DECISIONS]),
                  ids.DECISION),
        _labelled(_("Your reasons, for the citizen"), dbc.Textarea(id=ids.DECISION_TEXT, rows=3, maxLength=4000),
                  ids.DECISION_TEXT),
        parts_.adopt_fields(p, candidates, actor, lang),
        html.Div(_labelled(_("Forward to the table"), dbc.Select(id=ids.DECISION_FORWARD, value="", options=[
            {"label": _("Choose a table…"), "value": ""}] + [{"label": name_in(lang, t.name_fa, t.name_en),
                                                             "value": t.id} for t in tables]), ids.DECISION_FORWARD),
                 id=ids.DECISION_FORWARD_WRAP, hidden=True),
        html.Div(_labelled(_("Merge into proposal no."), dbc.Input(id=ids.DECISION_MERGE, inputMode="numeric",
                                                                   autoComplete="off"), ids.DECISION_MERGE),
                 id=ids.DECISION_MERGE_WRAP, hidden=True),
        html.Button([icon("check2-square", "me-1"), _("Record the decision")], id=ids.DECISION_SEND, n_clicks=0,
                    type="button", className="btn btn-primary w-100"),
    ], id="proposal-chair-form")


def _facts(s, p, lang: str) -> list[str]:
    district = s.get(District, p.district_id)
    table = s.get(Table, p.table_id) if p.table_id else None
    return [_("No. %(n)s", n=format_number(p.id, lang)), str(KIND_LABELS.get(p.kind, p.kind)),
            name_in(lang, district.name_fa, district.name_en) if district else "",
            name_in(lang, table.name_fa, table.name_en) if table else _("No table chosen yet"),
            format_date(p.created_at, lang)]


def _outcome(p, lang: str):
    if p.status == "adopted" and p.project_id:
        return dcc.Link(_("Adopted as project no. %(n)s", n=format_number(p.project_id, lang)),
                        href=f"/projects/{p.project_id}", className="d-block mb-2")
    if p.status == "merged" and p.merged_into_id:
        return dcc.Link(_("Merged into proposal no. %(n)s", n=format_number(p.merged_into_id, lang)),
                        href=f"/proposals/{p.merged_into_id}", className="d-block mb-2")
    if p.answer_text:
        kind = f"{ANSWER_LABELS[p.answer_type]}: " if p.answer_type in ANSWER_LABELS else ""
        return html.P(kind + p.answer_text, className="alert alert-secondary", style={"whiteSpace": "pre-line"})
    return None


def proposal_body(actor: int | None, proposal_id: int, lang: str):
    with get_db().reader() as s:
        try:
            p = get_proposal(s, proposal_id)
        except NotFound:
            return html.Div(_("No such citizen proposal."), className="alert alert-warning")
        moderator = actor is not None and may_moderate(s, actor, p)
        if p.hidden_at is not None and not (actor and (is_table_member(s, actor, p) or moderator)):
            return html.Div([icon("eye-slash", "me-2"), hidden_sentence(p.hidden_reason)],
                            className="alert alert-warning", **{"data-hidden": "1"})
        comments = list(s.scalars(select(ProposalComment).where(ProposalComment.proposal_id == p.id)
                                  .order_by(ProposalComment.id)))
        reports = open_reports(s, p.id) if moderator else []
        people = {c.author_id for c in comments}
        names = dict(s.execute(select(User.id, User.name).where(User.id.in_(people))).all()) if people else {}
        files = [(u.token, u.kind, u.name) for u, _c in attachments(s, p.id)]
        count = support_count(s, p.id)
        open_ = p.status not in ("merged", "declined") and p.hidden_at is None
        may_support = actor is not None and actor != p.author_id and open_ and not supports(s, actor, p.id)
        decidable = p.hidden_at is None and (p.status in ("new", "diagnosis") or p.answer_type == "needs_evidence")
        member = actor is not None and decidable and is_table_member(s, actor, p)
        chair = member and p.table_id is not None and is_chair_of(s, actor, p.table_id)
        tables = list(s.scalars(select(Table).where(Table.archived_at.is_(None), Table.id != p.table_id)
                                .order_by(Table.id))) if chair else []
        candidates = dx.core_candidates(s, p) if chair else []
        labels = FIELD_LABELS.get(p.kind, {})
        details = [html.Div([html.Dt(str(label)), user_text(getattr(p, f), html.Dd, style={"whiteSpace": "pre-line"})])
                   for f, label in labels.items() if getattr(p, f)]
        body = [
            html.Div([icon("eye-slash", "me-2"), hidden_sentence(p.hidden_reason), " ",
                      _("Only its table's people and the moderators still see it.")],
                     className="alert alert-warning", **{"data-hidden": "1"}) if p.hidden_at is not None else None,
            html.Div([user_text(p.title, html.H1, className="h4 mb-0"), status_badge(p.status)],
                     className="d-flex flex-wrap justify-content-between align-items-center gap-2"),
            html.P(" · ".join(_facts(s, p, lang)), className="small text-body-secondary mb-1"),
            html.P([icon("geo-alt", "me-1"), isolate(p.place)], className="mb-1") if p.place else None,
            _outcome(p, lang),
            html.Dl(details),
            thumbnails(files) if files else None,
            parts_.controls(0, signed_in=actor is not None, moderator=moderator) if p.hidden_at is None else None,
            html.Div([icon("hand-thumbs-up", "me-1"),
                      _("%(n)s supporters", n=format_number(count, lang))],
                     className="fw-semibold my-2", **{"data-supporters": str(count)}),
            html.Button([icon("hand-thumbs-up", "me-1"), _("I support this")], id=ids.SUPPORT, n_clicks=0,
                        type="button", className="btn btn-success w-100") if may_support else None,
            parts_.reports_section(reports, {c.id: " ".join(x for x in (c.cause, c.body) if x)
                                             for c in comments}, lang),
            _thread(comments, names, lang, signed_in=actor is not None, moderator=moderator),
            evidence_form() if actor is not None and open_ else None,
            member_forms() if member else None,
            chair_form(p, tables, candidates, actor, lang) if chair else None,
        ]
    return html.Div(body)


@page(__name__, path="/proposals/<proposal_id>", path_template="/proposals/<proposal_id>",
      title=_l("Citizen proposal"), roles={ANYONE})
def layout(proposal_id=None, **_kw):
    lang = current_language()
    return detail_page(lang, back=(_("All citizen proposals"), "/proposals"), object_id=url_id(proposal_id),
                       store_id=ids.P_ID, flash_id=ids.P_FLASH, body_id=ids.P_BODY,
                       body=lambda pid: proposal_body(current_user_id(), pid, lang),
                       missing=_("No such citizen proposal."))


# --- callbacks -------------------------------------------------------------------------------------------


def _done(message: str, pid: int):
    return (dbc.Alert([icon("check-circle", "me-2"), message], color="success", dismissable=True),
            proposal_body(current_user_id(), pid, current_language()))


def _act(pid, work, fields: dict[str, str], done: str):
    """Run one domain operation; its refusal goes under the field it names, a crafted request gets a 4xx."""
    try:
        get_db().run(work)
    except ValidationError as exc:
        fid = fields.get(exc.field or "")
        show_at_field(list(fields.values()), fid, error_message(exc))
        return button_error(error_message(exc), fid), no_update
    except Conflict as exc:
        return dbc.Alert(error_message(exc), color="warning"), proposal_body(current_user_id(), pid,
                                                                             current_language())
    except DomainError as exc:
        refuse_forged(exc)
    show_at_field(list(fields.values()), None, "")
    return _done(done, pid)


@secured_callback(
    Output(ids.P_FLASH, "children"), Output(ids.P_BODY, "children"),
    Input(ids.SUPPORT, "n_clicks"), State(ids.P_ID, "data"),
    roles={CITIZEN}, prevent_initial_call=True, running=[(Output(ids.SUPPORT, "disabled"), True, False)])
def send_support(n, pid):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    actor = current_user_id()
    return _act(pid, lambda s: support(s, actor, pid), {}, _("Thank you: your support is counted."))


@secured_callback(
    Output(ids.P_FLASH, "children", allow_duplicate=True), Output(ids.P_BODY, "children", allow_duplicate=True),
    Input(ids.EVIDENCE_SEND, "n_clicks"), State(ids.P_ID, "data"), State(ids.EVIDENCE_BODY, "value"),
    State(ids.EVIDENCE_TOKENS, "value"), roles={CITIZEN}, prevent_initial_call=True)
def send_evidence(n, pid, body, tokens):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    actor = current_user_id()
    return _act(pid, lambda s: add_evidence(s, actor, pid, body, tokens_of(tokens)),
                {"evidence": ids.EVIDENCE_BODY, "file": ids.EVIDENCE_FILES}, _("Evidence added. Thank you."))


@secured_callback(
    Output(ids.P_FLASH, "children", allow_duplicate=True), Output(ids.P_BODY, "children", allow_duplicate=True),
    Input(ids.COMMENT_SEND, "n_clicks"), State(ids.P_ID, "data"), State(ids.COMMENT_BODY, "value"),
    roles={CITIZEN}, prevent_initial_call=True)
def send_comment(n, pid, body):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    actor = current_user_id()
    return _act(pid, lambda s: dx.comment(s, actor, pid, body), {"comment": ids.COMMENT_BODY},
                _("Comment added."))


@secured_callback(
    Output(ids.P_FLASH, "children", allow_duplicate=True), Output(ids.P_BODY, "children", allow_duplicate=True),
    Input(ids.DX_SEND, "n_clicks"), State(ids.P_ID, "data"), *[State(f, "value") for f in DX_FIELDS.values()],
    roles={CITIZEN}, prevent_initial_call=True)
def send_diagnosis(n, pid, cause, scale, options):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    actor = current_user_id()
    data = dx.DiagnosisInput(cause=cause or "", scale=scale or "", options=options or "")
    return _act(pid, lambda s: dx.diagnose(s, actor, pid, data), DX_FIELDS,
                _("Diagnosis recorded. The author and the supporters have been told."))


def _person(value) -> int:
    uid = url_id(value) if isinstance(value, str) else None
    if uid is None:
        raise ValidationError("core_person_not_candidate", field="core")
    return uid


def _adopt_input(text, horizon, title, cost, lead, people) -> dx.AdoptInput:
    """The adopt fields as the domain reads them: the cost typed in toman (empty: not known yet), the lead and the
    others as account ids (the domain checks each is someone it may choose)."""
    toman = 0
    if isinstance(cost, str) and cost.strip():
        parsed = parse_int(cost) if len(cost) < 20 else None
        if parsed is None or parsed < 0:
            raise ValidationError("cost_invalid_toman", field="estimated_cost_rials")
        toman = parsed
    lead_id = _person(lead) if lead not in (None, "") else None
    others = tuple(_person(v) for v in (people if isinstance(people, list) else []))
    return dx.AdoptInput(title=title if isinstance(title, str) else "", horizon=horizon or None,
                         estimated_cost_rials=toman * 10, note=text or "", core_lead_id=lead_id, core_people=others)


def _decision_work(actor: int, pid, decision, text, forward, merge_into, horizon, adopt=()):
    if decision == "adopt":
        data = _adopt_input(text, horizon, *adopt) if adopt else dx.AdoptInput(horizon=horizon or None,
                                                                                note=text or "")
        return lambda s: dx.adopt(s, actor, pid, data)
    if decision == "decline":
        return lambda s: dx.decline(s, actor, pid, text)
    if decision == "merge":
        into = url_id(merge_into)
        if into is None:
            raise ValidationError("proposal_merge_same", field="merge_into")
        return lambda s: dx.merge(s, actor, pid, into)
    target = parse_int(forward) if isinstance(forward, str) and 0 < len(forward) < 12 else forward
    return lambda s: dx.answer(s, actor, pid, decision, text, target)


@secured_callback(
    Output(ids.DECISION_ADOPT, "hidden"), Output(ids.DECISION_FORWARD_WRAP, "hidden"),
    Output(ids.DECISION_MERGE_WRAP, "hidden"),
    Input(ids.DECISION, "value"), roles={CITIZEN}, prevent_initial_call=True)
def show_decision_fields(decision):
    """Only the fields of the decision chosen (nothing is decided here: the domain checks the chair on sending)."""
    require({CITIZEN})
    return decision != "adopt", decision != "not_remit", decision != "merge"


@secured_callback(
    Output(ids.P_FLASH, "children", allow_duplicate=True), Output(ids.P_BODY, "children", allow_duplicate=True),
    Input(ids.DECISION_SEND, "n_clicks"), State(ids.P_ID, "data"), State(ids.DECISION, "value"),
    State(ids.DECISION_TEXT, "value"), State(ids.DECISION_FORWARD, "value"), State(ids.DECISION_MERGE, "value"),
    State(ids.DECISION_HORIZON, "value"), State(ids.ADOPT_TITLE, "value"), State(ids.ADOPT_COST, "value"),
    State(ids.ADOPT_LEAD, "value"), State(ids.ADOPT_CORE, "value"),
    roles={CITIZEN}, prevent_initial_call=True, running=[(Output(ids.DECISION_SEND, "disabled"), True, False)])
def send_decision(n, pid, decision, text, forward, merge_into, horizon, title=None, cost=None, lead=None, people=None):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    actor = current_user_id()
    try:
        work = _decision_work(actor, pid, decision, text, forward, merge_into, horizon, (title, cost, lead, people))
    except ValidationError as exc:
        fid = DECISION_FIELDS.get(exc.field or "", DECISION_FIELDS["merge_into"])
        show_at_field(list(DECISION_FIELDS.values()), fid, error_message(exc))
        return button_error(error_message(exc), fid), no_update
    return _act(pid, work, DECISION_FIELDS, _("Decision recorded. The author and the supporters have been told."))


# --- moderation ---------------------------------------------------------------------------------------------


def _target_and_text(kind: str):
    """(target, the text typed beside the pressed button) of a pattern-matched report or hide control."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (ctx.triggered[0].get("value") if ctx.triggered else None):
        return None, None
    target = trigger.get("target")
    texts = [item.get("value") for item in (ctx.states_list[0] or [])
             if isinstance(item, dict) and item.get("id", {}).get("target") == target]
    return target, texts[0] if texts else None


def _moderate(pid, work, done: str):
    try:
        get_db().run(work)
    except (ValidationError, Conflict) as exc:
        return dbc.Alert(error_message(exc), color="warning"), no_update
    except DomainError as exc:
        refuse_forged(exc)
    return _done(done, pid)


@secured_callback(
    Output(ids.P_FLASH, "children", allow_duplicate=True), Output(ids.P_BODY, "children", allow_duplicate=True),
    Input({"type": ids.REPORT_SEND, "target": ALL}, "n_clicks"),
    State({"type": ids.REPORT_REASON, "target": ALL}, "value"), State(ids.P_ID, "data"),
    roles={CITIZEN}, prevent_initial_call=True)
def send_report(_clicks, _reasons, pid):
    """Anyone signed in reports the proposal (target 0) or one of its comments as abusive."""
    require({CITIZEN})
    target, reason = _target_and_text(ids.REPORT_SEND)
    if target is None:
        return no_update, no_update
    actor = current_user_id()
    comment = None if target == 0 else target
    return _moderate(pid, lambda s: moderation.report(s, actor, pid, reason, comment_id=comment),
                     _("Thank you. The table's chair will look at your report."))


@secured_callback(
    Output(ids.P_FLASH, "children", allow_duplicate=True), Output(ids.P_BODY, "children", allow_duplicate=True),
    Input({"type": ids.HIDE_SEND, "target": ALL}, "n_clicks"),
    State({"type": ids.HIDE_REASON, "target": ALL}, "value"), State(ids.P_ID, "data"),
    roles={CITIZEN}, prevent_initial_call=True)
def send_hide(_clicks, _reasons, pid):
    """A moderator (the chair of its table, the governorate) hides the proposal or a comment with a reason."""
    require({CITIZEN})
    target, reason = _target_and_text(ids.HIDE_SEND)
    if target is None:
        return no_update, no_update
    actor = current_user_id()
    comment = None if target == 0 else target
    return _moderate(pid, lambda s: moderation.hide(s, actor, pid, reason, comment_id=comment),
                     _("Hidden. The reason is shown in its place and its writer has been told."))
