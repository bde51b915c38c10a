"""The resident register (/governorate/register): import the register file, see what it holds, set who may vote.

Imports dash, dbc, models (residents, residency) and dash_app. Governorate only, on the page and in every
callback; models.residents.register checks it again. An import is all or nothing: every bad row is shown
by line and nothing changes. National codes are never shown (the database has only their keyed digests).
"""
from __future__ import annotations

import base64
import binascii

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from sqlalchemy import select
from sqlalchemy.orm import Session

from dash_app.auth import GOVERNORATE, current_user_id, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, _l, current_language, error_message, format_datetime, format_number, parse_int
from dash_app.layout import icon, page
from dash_app.ui import register_ids as ids
from dash_app.ui.alerts import alert, error_alert, success
from dash_app.ui.eligibility import rule_sentence
from dash_app.ui.names import name_in
from models.core.enums import ElectionStatus, PBPhase
from models.core.errors import DomainError, ValidationError
from models.core.residency import rule_for
from models.orm.geo import District
from models.orm.pb import PBCycle, PBCycleImport
from models.orm.tables import ChairElection, Table
from models.residents import register as reg
from models.residents.rules import RuleInput, set_cycle_rule, set_election_rule


def _summary(s: Session, uid: int, lang: str) -> html.Div:
    current, claimed, imports = reg.register_summary(s, uid)
    rows = [html.Tr([html.Td(format_datetime(i.imported_at, lang)), html.Td(i.file_name, dir="auto"),
                     html.Td(format_number(i.rows, lang)), html.Td(format_number(i.added, lang)),
                     html.Td(format_number(i.updated, lang)), html.Td(format_number(i.removed, lang))])
            for i in imports]
    return html.Div([
        html.P(_("%(n)s residents in the register; %(c)s of them have linked an account.",
                 n=format_number(current, lang), c=format_number(claimed, lang)), className="fw-semibold"),
        html.Table([html.Thead(html.Tr([html.Th(_("Imported")), html.Th(_("File")), html.Th(_("Rows")),
                                        html.Th(_("Added")), html.Th(_("Changed")), html.Th(_("Removed"))])),
                    html.Tbody(rows)], className="table table-sm small") if rows else
        html.P(_("No register has been imported yet."), className="text-body-secondary"),
    ], id=ids.REG_IMPORTS)


def _scopes(s: Session, lang: str) -> list[dict]:
    """The cycles and elections whose rule may still be set (before their first ballot: the domain checks)."""
    imported = set(s.scalars(select(PBCycleImport.cycle_id)))
    cycles = [c for c in s.scalars(select(PBCycle).where(PBCycle.phase.in_((PBPhase.PROPOSAL, PBPhase.VOTING)))
                                   .order_by(PBCycle.id)) if c.id not in imported]
    options = [{"label": _("Budgeting cycle: %(name)s", name=name_in(lang, c.name_fa, c.name_en)),
                "value": f"cycle:{c.id}"} for c in cycles]
    for e, t in s.execute(select(ChairElection, Table).join(Table, Table.id == ChairElection.table_id)
                          .where(ChairElection.status == ElectionStatus.OPEN).order_by(ChairElection.id)):
        options.append({"label": _("Chair election: %(table)s", table=name_in(lang, t.name_fa, t.name_en)),
                        "value": f"election:{e.id}"})
    return options


def _rules(s: Session, lang: str, options: list[dict]) -> html.Ul:
    items = []
    for o in options:
        kind, _sep, raw = o["value"].partition(":")
        scope = {"cycle_id": int(raw)} if kind == "cycle" else {"election_id": int(raw)}
        items.append(html.Li([html.Span(o["label"], className="fw-semibold"), " — ",
                              rule_sentence(s, rule_for(s, **scope), lang, election=kind == "election")]))
    return html.Ul(items, id=ids.RULE_LIST, className="small")


def _district_options(s: Session, lang: str) -> list[dict]:
    return [{"label": name_in(lang, d.name_fa, d.name_en), "value": str(d.id)}
            for d in s.scalars(select(District).order_by(District.id))]


def _rule_form(options: list[dict], districts: list[dict]) -> html.Div:
    return html.Div([
        html.Div([dbc.Label(_("Vote"), html_for=ids.RULE_SCOPE, className="small fw-semibold mb-1"),
                  dbc.Select(id=ids.RULE_SCOPE, options=options, value=options[0]["value"] if options else None)],
                 className="col-12 col-md-6"),
        html.Div([dbc.Label(_("Who may vote"), html_for=ids.RULE_RESIDENCY, className="small fw-semibold mb-1"),
                  dbc.Select(id=ids.RULE_RESIDENCY, value="any", options=[
                      {"label": _("Anyone signed in (a chair election: the table's members)"), "value": "any"},
                      {"label": _("Residents in the county's register"), "value": "county"},
                      {"label": _("Residents of one district"), "value": "district"}])],
                 className="col-12 col-md-6"),
        html.Div([dbc.Label(_("District (for residents of one district)"), html_for=ids.RULE_DISTRICT,
                            className="small fw-semibold mb-1"),
                  dbc.Select(id=ids.RULE_DISTRICT, options=districts, value=None)], className="col-12 col-md-6"),
        html.Div([dbc.Label(_("Minimum age this year (optional)"), html_for=ids.RULE_MIN_AGE,
                            className="small fw-semibold mb-1"),
                  dbc.Input(id=ids.RULE_MIN_AGE, inputMode="numeric", maxLength=3, autoComplete="off")],
                 className="col-12 col-md-6"),
        html.Div(html.Button([icon("check2", "me-1"), _("Save who may vote")], id=ids.RULE_SAVE, n_clicks=0,
                             className="btn btn-primary"), className="col-12"),
        html.Div(id=ids.RULE_MESSAGE, className="col-12"),
    ], className="row g-2 mb-3")


@page(__name__, path="/governorate/register", title=_l("Resident register"), roles={GOVERNORATE}, nav=False,
      order=57, icon="person-vcard")
def layout(**_kw):
    lang = current_language()
    uid = current_user_id()
    with get_db().reader() as s:
        summary = _summary(s, uid, lang)
        options = _scopes(s, lang)
        rules = _rules(s, lang, options)
        districts = _district_options(s, lang)
    return html.Div([
        html.H1([icon("person-vcard", "me-2"), _("Resident register")], className="h3 mb-3"),
        html.P(_("The register lists the county's residents: national code, name, district and Jalali year of "
                 "birth. It decides who may vote where a vote is for residents, and lets each person link one "
                 "account. National codes are stored only in a coded form that cannot be read back; names are "
                 "checked and not kept.")),
        html.H2(_("Import the register"), className="h5 mt-3"),
        html.P(_("A CSV (UTF-8) or Excel file whose first row names the columns national_code, name, district "
                 "and birth_year (or کد ملی، نام، بخش، سال تولد). A district is its code or its name. The file "
                 "replaces the register: people not in it are no longer residents (their rows and links are "
                 "kept, and come back if a later file lists them). If any row is wrong, nothing is imported."),
               className="small"),
        dcc.Upload(html.Div([icon("file-earmark-arrow-up", "me-1"), _("Drop the register file here or choose one")]),
                   id=ids.REG_UPLOAD, multiple=False, max_size=reg.MAX_BYTES,
                   accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   className="border border-2 border-dashed rounded p-4 text-center mb-2", style={"cursor": "pointer"}),
        dcc.Loading(html.Div(id=ids.REG_RESULT, role="status", **{"aria-live": "polite"})),
        html.Div(summary, id=ids.REG_SUMMARY),
        html.H2(_("Who may vote"), className="h5 mt-4"),
        html.P(_("Set it before the first ballot of a cycle or an election. Without a rule, anyone signed in "
                 "votes in a budgeting cycle, and a table's current members in its chair election. A national "
                 "code votes once per cycle or election, whichever account it uses."), className="small"),
        _rule_form(options, districts) if options else
        html.P(_("No budgeting cycle or chair election is open for a rule right now."), className="text-body-secondary"),
        rules,
    ], lang=current_language())


def problem_list(exc: DomainError) -> html.Div:
    """The refusal of a file: the count, then every problem by line (the first 200)."""
    problems = exc.params.get("problems") or []
    more = exc.params.get("more") or 0
    items = [html.Li(error_message(p["code"], **{k: v for k, v in p.items() if k != "code"})) for p in problems]
    if more:
        items.append(html.Li(_("… and %(n)s more.", n=format_number(more, current_language()))))
    return alert([html.P(error_message(exc), className="fw-semibold mb-1"), html.Ul(items, className="mb-0")])


@secured_callback(Output(ids.REG_RESULT, "children"), Output(ids.REG_SUMMARY, "children"),
                  Input(ids.REG_UPLOAD, "contents"), State(ids.REG_UPLOAD, "filename"),
                  roles={GOVERNORATE}, prevent_initial_call=True)
def import_file(contents, filename):
    """Import the dropped file; the whole answer is either what changed or every problem by line."""
    require({GOVERNORATE})
    if not contents:
        return no_update, no_update
    lang = current_language()
    try:
        if not isinstance(contents, str) or "," not in contents:
            raise ValidationError("register_file_empty", field="file")
        try:
            data = base64.b64decode(contents.split(",", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("register_file_unreadable", field="file") from None
        name = filename[:200] if isinstance(filename, str) else "register"
        with get_db().unit_of_work() as s:
            imp = reg.import_register(s, current_user_id(), data, name)
            done = (imp.rows, imp.added, imp.updated, imp.unchanged, imp.removed)
    except DomainError as exc:
        if exc.code == "register_rows_invalid":
            return problem_list(exc), no_update
        return error_alert(exc), no_update
    rows, added, updated, unchanged, removed = (format_number(v, lang) for v in done)
    with get_db().reader() as s:
        summary = _summary(s, current_user_id(), lang)
    return success(_("Imported %(rows)s residents: %(added)s new, %(updated)s changed, %(unchanged)s unchanged; "
                     "%(removed)s no longer in the register.", rows=rows, added=added, updated=updated,
                     unchanged=unchanged, removed=removed)), summary


def _rule_input(residency, district, min_age) -> RuleInput:
    age_text = str(min_age).strip() if isinstance(min_age, (str, int)) and not isinstance(min_age, bool) else ""
    age = parse_int(age_text) if age_text else None
    if age_text and age is None:
        raise ValidationError("eligibility_age_invalid", field="min_age", maximum=120)
    did = parse_int(district) if isinstance(district, str) and district and len(district) < 12 else None
    return RuleInput(residency if isinstance(residency, str) else "", did, age)


@secured_callback(Output(ids.RULE_MESSAGE, "children"), Output(ids.RULE_LIST, "children"),
                  Input(ids.RULE_SAVE, "n_clicks"), State(ids.RULE_SCOPE, "value"), State(ids.RULE_RESIDENCY, "value"),
                  State(ids.RULE_DISTRICT, "value"), State(ids.RULE_MIN_AGE, "value"),
                  roles={GOVERNORATE}, prevent_initial_call=True)
def save_rule(n, scope, residency, district, min_age):
    """Set who may vote in the chosen cycle or election; the domain refuses it after the first ballot."""
    require({GOVERNORATE})
    if not n:
        return no_update, no_update
    lang = current_language()
    kind, _sep, raw = scope.partition(":") if isinstance(scope, str) else ("", "", "")
    target = parse_int(raw) if raw and len(raw) < 12 else None
    try:
        data = _rule_input(residency, district, min_age)
        with get_db().unit_of_work() as s:
            if kind == "cycle":
                set_cycle_rule(s, current_user_id(), target, data)
            elif kind == "election":
                set_election_rule(s, current_user_id(), target, data)
            else:
                raise ValidationError("eligibility_residency_unknown", field="scope")
    except DomainError as exc:
        return error_alert(exc), no_update
    with get_db().reader() as s:
        rules = _rules(s, lang, _scopes(s, lang))
    return success(_("Saved.")), rules.children
