"""One referral (/referrals/<id>): the request, its deadline, the answers in the standard template; the answer
form for whoever may answer; rating and the one reopening for the citizen who sent it.

Imports dash, dbc, models (voice) and dash_app. Who sees the page and who may press each button is decided by
models.voice.referrals (get_referral, may_answer, answer, rate, reopen); a crafted request for another's
referral is refused (4xx) and changes nothing.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

from dash_app.auth import CITIZEN, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_date, format_number
from dash_app.layout import icon, page
from dash_app.pages.voice import ids_referrals as ids
from dash_app.ui.detail import detail_page, url_id
from dash_app.ui.forms import button_error, field_error, field_error_id, refuse_forged, show_at_field
from dash_app.ui.referrals import addressee_name, deadline_text, decision_label, state_badge
from models.core.clock import county_today
from models.core.errors import Conflict, DomainError, NotFound, ValidationError
from models.orm.people import User
from models.orm.referrals import DECISIONS, ReferralType
from models.voice.referrals import AnswerInput, answer, answers_of, get_referral, may_answer, rate, reopen

ANSWER_FIELDS = {"finding": ids.ANSWER_FINDING, "reasoning": ids.ANSWER_REASONING, "decision": ids.ANSWER_DECISION,
                 "next_step": ids.ANSWER_NEXT, "responsible": ids.ANSWER_RESPONSIBLE}
LABELS = {"finding": _l("Finding"), "reasoning": _l("Reasoning"), "decision": _l("Decision"),
          "next_step": _l("Next step"), "responsible": _l("Responsible person")}
HINTS = {"finding": _l("What you found when you looked into it."),
         "reasoning": _l("Why you decided as you did: the rules, the facts, the means."),
         "next_step": _l("What happens now, and when."),
         "responsible": _l("Name and post of the person who will carry out the next step.")}


def _answer_card(a, lang: str, mine: bool) -> html.Div:
    parts = [html.Div([html.Dt(str(LABELS[f])), html.Dd(decision_label(a.decision) if f == "decision" else
                                                       getattr(a, f), style={"whiteSpace": "pre-line"})])
             for f in ("finding", "reasoning", "decision", "next_step", "responsible")]
    when = _("Answered on %(date)s", date=format_date(a.answered_at, lang))
    timing = _("on time") if a.on_time else _("late")
    return html.Div([
        html.Div([html.Strong(_("Answer") if a.round == 1 else _("Answer after reopening")),
                  html.Span(f" · {when} · {timing}", className="text-body-secondary small")]),
        html.Dl(parts, className="mb-1"),
        html.Div(_("Your rating: %(n)s of 5", n=format_number(a.rating, lang)) if mine else
                 _("The citizen's rating: %(n)s of 5", n=format_number(a.rating, lang)),
                 className="small", **{"data-rating": str(a.rating)}) if a.rating else None,
    ], className="border rounded p-2 mb-2", **{"data-answer": str(a.round)})


def _textarea(field: str, rows: int = 3):
    fid = ANSWER_FIELDS[field]
    return html.Div([
        dbc.Label(str(LABELS[field]), html_for=fid),
        dbc.Textarea(id=fid, rows=rows, maxLength=2000) if field != "responsible" else
        dbc.Input(id=fid, maxLength=160, autoComplete="off"),
        html.Div(str(HINTS[field]), className="form-text"),
        field_error(field_error_id(fid), fid),
    ], className="mb-2")


def answer_form(version: int) -> html.Section:
    return html.Section([
        html.H2(_("Answer with the standard template"), className="h5 mt-3"),
        _textarea("finding"), _textarea("reasoning"),
        html.Div([
            dbc.Label(str(LABELS["decision"]), html_for=ids.ANSWER_DECISION),
            dbc.Select(id=ids.ANSWER_DECISION, placeholder=_("Choose…"),
                       options=[{"label": decision_label(d), "value": d} for d in DECISIONS]),
            field_error(field_error_id(ids.ANSWER_DECISION), ids.ANSWER_DECISION),
        ], className="mb-2"),
        _textarea("next_step", 2), _textarea("responsible"),
        dcc.Store(id=ids.ANSWER_VERSION, data=version),
        html.Button([icon("send", "me-1"), _("Send the answer")], id=ids.ANSWER_SEND, n_clicks=0, type="button",
                    className="btn btn-primary w-100"),
    ], id="referral-answer-form")


def citizen_actions(ref, last) -> html.Section | None:
    if ref.status != "answered" or last is None:
        return None
    rating = None if last.rating is not None else html.Div([
        html.H2(_("How good was this answer?"), className="h6 mt-3"),
        dbc.RadioItems(id=ids.RATE_STARS, options=[{"label": format_number(n, current_language()), "value": n}
                                                   for n in range(1, 6)], inline=True, value=None),
        html.Div(_("1 is very poor, 5 is very good."), className="form-text"),
        html.Button(_("Rate the answer"), id=ids.RATE_SEND, n_clicks=0, type="button",
                    className="btn btn-outline-primary btn-sm mt-1"),
    ])
    again = None if ref.reopen_count else html.Div([
        html.H2(_("Not settled?"), className="h6 mt-3"),
        dbc.Label(_("Why the answer does not settle your request"), html_for=ids.REOPEN_REASON),
        dbc.Textarea(id=ids.REOPEN_REASON, rows=2, maxLength=500),
        html.Div(_("You can reopen a request once; it then gets a new deadline."), className="form-text"),
        field_error(field_error_id(ids.REOPEN_REASON), ids.REOPEN_REASON),
        html.Button(_("Reopen the request"), id=ids.REOPEN_SEND, n_clicks=0, type="button",
                    className="btn btn-outline-danger btn-sm mt-1"),
    ])
    return html.Section([rating, again])


def referral_body(actor: int, referral_id: int, lang: str):
    with get_db().reader() as s:
        try:
            ref = get_referral(s, actor, referral_id)
        except NotFound:
            return html.Div(_("No such request."), className="alert alert-warning")
        answers = answers_of(s, ref.id)
        rtype = s.get(ReferralType, ref.type_id)
        to = addressee_name(s, ref, lang)
        mine = ref.citizen_id == actor
        citizen = s.get(User, ref.citizen_id)
        can_answer = may_answer(s, actor, ref)
        facts = [_("No. %(n)s", n=format_number(ref.id, lang)), to,
                 name_of_type(rtype, lang), _("Sent on %(date)s", date=format_date(ref.received_at, lang))]
        if not mine and citizen is not None:
            facts.append(_("From %(name)s", name=citizen.name))
        body = [
            html.Div([html.H1(ref.subject, className="h4 mb-0"), state_badge(ref, county_today())],
                     className="d-flex flex-wrap justify-content-between align-items-center gap-2"),
            html.P(" · ".join(facts), className="small text-body-secondary mb-1"),
            html.P([icon("calendar-check", "me-1"), deadline_text(ref, lang)], className="fw-semibold mb-2",
                   **{"data-deadline": ref.due_on.isoformat()}) if ref.status == "open" else None,
            html.P(ref.body, style={"whiteSpace": "pre-line"}, className="border-start ps-2"),
            html.P(_("Reopened on %(date)s: %(reason)s", date=format_date(ref.reopened_at, lang),
                     reason=ref.reopen_reason or ""), className="small") if ref.reopened_at else None,
            *[_answer_card(a, lang, mine) for a in answers],
            answer_form(ref.version) if can_answer else None,
            citizen_actions(ref, answers[-1] if answers else None) if mine else None,
        ]
    return html.Div(body)


def name_of_type(rtype, lang: str) -> str:
    if rtype is None:
        return ""
    days = _("%(n)s working days", n=format_number(rtype.deadline_days, lang))
    return f"{rtype.name_en or rtype.name_fa if lang == 'en' else rtype.name_fa} ({days})"


@page(__name__, path="/referrals/<referral_id>", path_template="/referrals/<referral_id>", title=_l("Request"),
      roles={CITIZEN})
def layout(referral_id=None, **_kw):
    lang = current_language()
    return detail_page(lang, back=(_("All requests"), "/referrals"), object_id=url_id(referral_id),
                       store_id=ids.REF_ID, flash_id=ids.REF_FLASH, body_id=ids.REF_BODY,
                       body=lambda rid: referral_body(current_user_id(), rid, lang), missing=_("No such request."))


# --- callbacks -------------------------------------------------------------------------------------------


def _done(message: str, rid: int):
    return (dbc.Alert([icon("check-circle", "me-2"), message], color="success", dismissable=True),
            referral_body(current_user_id(), rid, current_language()))


@secured_callback(
    Output(ids.REF_FLASH, "children"), Output(ids.REF_BODY, "children"),
    Input(ids.ANSWER_SEND, "n_clicks"),
    State(ids.REF_ID, "data"), State(ids.ANSWER_VERSION, "data"),
    *[State(fid, "value") for fid in ANSWER_FIELDS.values()],
    roles={CITIZEN}, prevent_initial_call=True, running=[(Output(ids.ANSWER_SEND, "disabled"), True, False)])
def send_answer(n, rid, version, finding, reasoning, decision, next_step, responsible):
    """The chair (or the organization's admin, or staff once escalated) answers with the five parts."""
    require({CITIZEN})
    if not n:
        return no_update, no_update
    data = AnswerInput(finding=finding, reasoning=reasoning, decision=decision or None, next_step=next_step,
                       responsible=responsible)
    actor = current_user_id()
    try:
        get_db().run(lambda s: answer(s, actor, rid, data,
                                      expected_version=version if isinstance(version, int) else None))
    except ValidationError as exc:
        fid = ANSWER_FIELDS.get(exc.field or "")
        show_at_field(list(ANSWER_FIELDS.values()), fid, error_message(exc))
        return button_error(error_message(exc), fid, str(LABELS.get(exc.field or "", ""))), no_update
    except Conflict as exc:
        return dbc.Alert(error_message(exc), color="warning"), referral_body(actor, rid, current_language())
    except DomainError as exc:
        refuse_forged(exc)
    show_at_field(list(ANSWER_FIELDS.values()), None, "")
    return _done(_("Answer sent. The citizen has been notified."), rid)


@secured_callback(
    Output(ids.REF_FLASH, "children", allow_duplicate=True), Output(ids.REF_BODY, "children", allow_duplicate=True),
    Input(ids.RATE_SEND, "n_clicks"), State(ids.REF_ID, "data"), State(ids.RATE_STARS, "value"),
    roles={CITIZEN}, prevent_initial_call=True)
def send_rating(n, rid, stars):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    try:
        get_db().run(lambda s: rate(s, current_user_id(), rid, stars))
    except (ValidationError, Conflict) as exc:
        return dbc.Alert(error_message(exc), color="warning"), no_update
    except DomainError as exc:
        refuse_forged(exc)
    return _done(_("Thank you for rating the answer."), rid)


@secured_callback(
    Output(ids.REF_FLASH, "children", allow_duplicate=True), Output(ids.REF_BODY, "children", allow_duplicate=True),
    Input(ids.REOPEN_SEND, "n_clicks"), State(ids.REF_ID, "data"), State(ids.REOPEN_REASON, "value"),
    roles={CITIZEN}, prevent_initial_call=True)
def send_reopen(n, rid, reason):
    require({CITIZEN})
    if not n:
        return no_update, no_update
    try:
        get_db().run(lambda s: reopen(s, current_user_id(), rid, reason))
    except ValidationError as exc:
        show_at_field([ids.REOPEN_REASON], ids.REOPEN_REASON, error_message(exc))
        return button_error(error_message(exc), ids.REOPEN_REASON), no_update
    except Conflict as exc:
        return dbc.Alert(error_message(exc), color="warning"), no_update
    except DomainError as exc:
        refuse_forged(exc)
    return _done(_("Reopened. The request has a new deadline; you will be notified of the answer."), rid)


