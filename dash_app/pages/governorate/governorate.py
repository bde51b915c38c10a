"""The governorate's dashboard (/governorate): what was mobilised, pictured and filtered; exports; the audit log.

Imports dash, dbc, models and dash_app. Each callback reads its inputs, calls one domain operation
(models.reporting.dashboard.dashboard, models.reporting.exports.*_sheet, models.reporting.audit_views.audit_page) and renders it.
"""
from __future__ import annotations

import enum
from datetime import UTC as TEHRAN_UTC
from datetime import date, datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html, no_update
from sqlalchemy import func, select

from dash_app.auth import GOVERNORATE, require, secured_callback
from dash_app.cache import cached_dashboard
from dash_app.db import get_db
from dash_app.i18n import (
    _,
    _l,
    as_text,
    current_language,
    error_message,
    format_date,
    format_datetime,
    format_money,
    format_number,
    localise_digits,
    ngettext,
    parse_int,
)
from dash_app.layout import icon, page
from dash_app.ui import governorate_charts as charts_gov
from dash_app.ui import governorate_ids as gid
from dash_app.ui.alerts import alert
from dash_app.ui.anchors import anchor_card, current_status
from dash_app.ui.dates import date_placeholder, parse_date_text
from dash_app.ui.forms import button_error
from dash_app.ui.labels import kind_label
from dash_app.ui.names import name_in, person_name
from models.core.clock import COUNTY_TZ as TEHRAN_ZONE
from models.core.clock import county_today
from models.core.enums import HelpKind
from models.core.errors import DomainError, ValidationError
from models.core.system_accounts import system_user_ids
from models.orm.people import User
from models.orm.pledges import Pledge
from models.orm.projects import Project
from models.orm.tables import Table
from models.reporting import exports
from models.reporting.audit_views import AuditFilter, AuditLine, audit_actions, audit_page
from models.reporting.dashboard import Dashboard, DashboardFilter, KindTotal, RunRow, filter_choices

# --- words for values -------------------------------------------------------------------------

UNIT_TEXT = {
    HelpKind.LOGISTICS: _l("%(n)s unit-days"),
    HelpKind.DESIGN: _l("%(n)s design hours"),
    HelpKind.EXECUTION: _l("%(n)s person-hours"),
}
VALUE_LABELS = {
    "open": _l("open"), "partly_allocated": _l("partly allocated"), "allocated": _l("allocated"),
    "delivered": _l("delivered"), "withdrawn": _l("withdrawn"), "proposed": _l("proposed"),
    "accepted": _l("accepted"), "rejected": _l("rejected"), "draft": _l("draft"), "in_progress": _l("in progress"),
    "completed": _l("completed"), "cancelled": _l("cancelled"), "problem": _l("problem-oriented"),
    "talent": _l("talent-oriented"), "county": _l("whole county"), "table": _l("one table"),
    "running": _l("running"), "done": _l("done"), "failed": _l("failed"),
}
SHEET_LABELS = {
    "pledges": _l("Pledges"), "allocations": _l("Allocations"), "projects": _l("Projects"),
    "runs": _l("Matching runs"), "audit": _l("Audit log"),
}
COLUMN_LABELS = {
    "pledge_id": _l("Pledge no."), "created_at": _l("Created"), "citizen_id": _l("Citizen no."),
    "citizen_name": _l("Citizen"), "phone": _l("Mobile"), "email": _l("E-mail"), "kind": _l("Kind of help"),
    "quantity": _l("Quantity"), "withdrawn_quantity": _l("Withdrawn quantity"), "description": _l("Description"),
    "district": _l("District"), "status": _l("Status"), "divisible": _l("Divisible"),
    "allocation_id": _l("Allocation no."), "value_rials": _l("Value (rials)"), "project_id": _l("Project no."),
    "project": _l("Project"), "table": _l("Table"), "decided_by": _l("Decided by"), "decided_at": _l("Decided"),
    "delivered_at": _l("Delivered"), "reject_reason": _l("Reason for rejection"),
    "matching_run_id": _l("Matching run no."), "title_fa": _l("Title (Persian)"), "title_en": _l("Title (English)"),
    "priority": _l("Priority"), "estimated_cost_rials": _l("Estimated cost (rials)"), "needs": _l("Needs"),
    "project_kind": _l("Kind of project"), "value_toman": _l("Value (toman)"),
    "estimated_cost_toman": _l("Estimated cost (toman)"), "needed_value_toman": _l("Needs valued (toman)"),
    "mobilised_value_toman": _l("Gathered (toman)"),
    "needed_value_rials": _l("Needs valued (rials)"), "mobilised_value_rials": _l("Gathered (rials)"),
    "run_id": _l("Run no."), "started_at": _l("Started"), "started_by": _l("Started by"), "scope": _l("Scope"),
    "pledges": _l("Pledges"), "pairs": _l("Pairs"), "proposed": _l("Proposed"), "withdrawn": _l("Withdrawn"),
    "objective": _l("Objective"), "gap": _l("Optimality gap"), "seconds": _l("Seconds"),
    "event_id": _l("Event no."), "at": _l("Time"), "actor_id": _l("Actor no."), "actor": _l("Actor"),
    "action": _l("Action"), "object_type": _l("Kind of record"), "object_id": _l("Record no."), "before": _l("Before"),
    "after": _l("After"),
}
OBJECT_LABELS = {
    "allocations": _l("allocation"), "pledges": _l("pledge"), "projects": _l("project"), "needs": _l("need"),
    "tables": _l("table"), "table_memberships": _l("membership"), "chair_elections": _l("election"),
    "users": _l("user"), "matching_runs": _l("matching run"), "valuation_rates": _l("valuation rate"),
    "password_resets": _l("password-reset link"), "chair_candidates": _l("candidacy"),
    "chair_ballots": _l("chair election ballot"), "pb_cycles": _l("participatory budgeting cycle"),
    "chair_participations": _l("participation in a chair election"),
    "pb_cycle_projects": _l("project in a budgeting cycle"), "pb_ballots": _l("budgeting ballot"),
    "pb_cycle_imports": _l("imported budgeting file"), "districts": _l("district"), "skills": _l("skill"),
    "logistics_items": _l("equipment item"), "table_payments": _l("payment instructions"),
    "allocation_payments": _l("payment report"), "audit_events": _l("audit event"),
    # issue 15-20 additions
    "contact_consents": _l("contact sharing"),
    "contribution_messages": _l("message about a contribution"),
    "pb_counts": _l("vote count"),
    "pb_cycle_headings": _l("budget heading"),
    "pb_participations": _l("participation in a budgeting vote"),
    "pb_polling_officers": _l("polling officer"),
    # issue 21 items 4-5
    "referrals": _l("request"), "referral_answers": _l("answer to a request"),
    "referral_types": _l("kind of request"), "referral_holidays": _l("holiday"),
    "organizations": _l("organization"), "organization_members": _l("organization membership"),
    "organization_remits": _l("table an organization serves"),
    # issue 23: the resident register
    "residents": _l("resident register entry"), "resident_imports": _l("resident register file"),
    "vote_eligibility": _l("who may vote"), "assisted_entries": _l("assisted entry"),
    "notification_preferences": _l("notification choice"),  # issue 23
    "citizen_proposals": _l("citizen proposal"),
    "proposal_supports": _l("support of a citizen proposal"),
    "proposal_comments": _l("comment on a citizen proposal"),
    "proposal_attachments": _l("file of a citizen proposal"),
    "proposal_reports": _l("report of abusive text"),
    "key_cores": _l("key core"),
    "key_core_members": _l("key core member"),
    "key_core_tasks": _l("key core task"),
    "key_core_meetings": _l("key core meeting"),
}
# The audit log's actions in words (the filter, every entry, the export's "Action" column); an action missing
# here is named by its record's kind ("Change to a pledge"), never by its code.
ACTION_LABELS = {
    "allocation.accepted": _l("Contribution accepted"), "allocation.rejected": _l("Contribution rejected"),
    "allocation.delivered": _l("Contribution delivered"), "allocation.proposed": _l("Proposed by matching"),
    "allocation.superseded": _l("Proposal replaced by a newer run"),
    "allocation.withdrawn_by_citizen": _l("Taken back by the citizen"),
    "allocation.released_by_cancel": _l("Released: project cancelled"),
    "allocation.released_by_archive": _l("Released: table archived"),
    "allocation.funded_by_pb_cycle": _l("Funded by participatory budgeting"),
    "allocation.withdrawn_by_pb_cycle": _l("Withdrawn: funded by participatory budgeting"),
    "allocation.payment_reported": _l("Payment reported by the citizen"),
    "allocation.payment_confirmed": _l("Payment receipt confirmed"),
    "allocation.accept_undone": _l("Acceptance undone by the chair"),
    "pledge.created": _l("Offer of help made"), "pledge.withdrawn": _l("Offer of help withdrawn"),
    "pledge.status_changed": _l("Offer of help: status changed"),
    "pledge.created_for_pb_cycle": _l("Budget set aside for a budgeting cycle"),
    "project.created": _l("Project created"), "project.updated": _l("Project edited"),
    "project.pb_support_set": _l("Project's budgeting support recorded"),
    "need.created": _l("Need added"), "need.quantity_changed": _l("Need changed"),
    "need.updated": _l("Need edited"), "need.removed": _l("Need removed"),
    "allocation.withdrawn_by_need_removal": _l("Withdrawn: the need was removed"),
    "allocation.withdrawn_by_pledge_edit": _l("Withdrawn: the citizen lowered the offer"),
    "pledge.edited": _l("Offer of help edited"), "election.quorum_changed": _l("Chair election quorum changed"),
    "matching.started": _l("Matching started"), "matching.run": _l("Matching started"),
    "matching.finished": _l("Matching finished"), "matching.failed": _l("Matching failed"),
    "matching.progress": _l("Matching progress"),
    "election.opened": _l("Chair election opened"), "election.nominated": _l("Candidacy in a chair election"),
    "election.ballot_cast": _l("Vote in a chair election"), "election.ballot_changed": _l("Chair election vote changed"),
    "election.closed": _l("Chair election closed"),
    "table.created": _l("Table created"), "table.updated": _l("Table edited"), "table.archived": _l("Table archived"),
    "table.unarchived": _l("Table restored"), "table.member_added": _l("Member added"),
    "table.member_removed": _l("Member removed"), "table.chair_changed": _l("Chair changed"),
    "table.payment_instructions_set": _l("Payment instructions set"),
    "user.register": _l("Account created"), "user.set_language": _l("Language changed"),
    "user.role_changed": _l("Governorate role changed"), "user.deactivated": _l("Account deactivated"),
    "user.activated": _l("Account reactivated"), "user.deleted": _l("Account deleted"),
    "user.password_reset": _l("New password set"), "user.password_changed": _l("Password changed"),
    "user.password_set": _l("First password set"), "account.deleted": _l("Account deleted by its owner"),
    "user.email_changed": _l("E-mail address changed"), "user.email_verified": _l("E-mail address confirmed"),
    "user.created_for_pb_budget": _l("Budget account created"),
    "password_reset.issued": _l("Password-reset link issued"), "password_reset.revoked": _l("Password-reset link replaced"),
    "password_reset.used": _l("Password-reset link used"),
    "valuation.set": _l("Valuation rate set"), "valuation.removed": _l("Valuation rate removed"),
    "pb_cycle.created": _l("Budgeting cycle created"), "pb_cycle.imported": _l("Budgeting file imported"),
    "pb_cycle.phase_changed": _l("Budgeting cycle moved to its next phase"),
    "pb_cycle.results_published": _l("Budgeting results published"),
    "pb_cycle_import.created": _l("Budgeting file imported"), "pb_cycle_project.added": _l("Project added to a cycle"),
    "pb_cycle_project.counted": _l("Project's votes counted"),
    "logistics_item.created": _l("Equipment item added"), "logistics_item.retired": _l("Equipment item retired"),
    "logistics_item.renamed": _l("Equipment item renamed"), "logistics_item.reactivated": _l("Equipment item offered again"),
    "demo.seeded": _l("Demo data loaded"),
    "database.restored": _l("Database restored from a backup"),
    "contact.shared": _l("Contact shared with the chair"),
    "contact.revoked": _l("Contact no longer shared"),
    "contact.message_sent": _l("Message about a contribution"),
    "election.extended": _l("Chair election extended"),
    "matching.auto": _l("Automatic matching started"),
    "matching.auto_held": _l("Automatic matching held for the chair"),
    "matching.confirmed": _l("Matching confirmed despite its warning"),
    "pb_ballot.paper_entered": _l("Paper ballot entered"),
    "pb_ballot.assisted_entered": _l("Assisted vote entered"),
    "pb_count.claimed": _l("Vote count started"),
    "pb_count.picked_up": _l("Vote count under way"),
    "pb_count.progress": _l("Vote count progress"),
    "pb_count.finished": _l("Vote count finished"),
    "pb_count.failed": _l("Vote count failed"),
    "pb_count.interrupted": _l("Vote count interrupted"),
    "pb_cycle_heading.added": _l("Budget heading added"),
    "pb_officer.assigned": _l("Polling officer assigned"),
    # issue 21 items 4-5
    "referral.sent": _l("Request sent"), "referral.answered": _l("Request answered"),
    "referral_answer.written": _l("Answer to a request written"), "referral.rated": _l("Answer rated"),
    "referral.reopened": _l("Request reopened"), "referral.escalated": _l("Late request escalated"),
    "referral_type.created": _l("Kind of request added"), "referral_type.updated": _l("Kind of request changed"),
    "referral_holiday.added": _l("Holiday added"), "referral_holiday.removed": _l("Holiday removed"),
    "organization.created": _l("Organization created"),
    "organization.remit_added": _l("Table added to an organization's remit"),
    "organization.remit_removed": _l("Table removed from an organization's remit"),
    "organization.member_added": _l("Person added to an organization"),
    "organization.member_removed": _l("Person removed from an organization"),
    "pledge.organization_set": _l("Offer of help made on behalf of an organization"),
    "pb_officer.moved": _l("Polling officer moved to another station"),
    "table.auto_matching": _l("Automatic matching set"),
    "user.show_name_set": _l("Public name choice changed"),
    "upload.add": _l("File attached"), "upload.publish": _l("Attached file made public"),
    "upload.unpublish": _l("Attached file made private"), "upload.hide": _l("Attached file hidden by a moderator"),
    "indicator.added": _l("Indicator set"), "milestone.added": _l("Milestone added"),
    "milestone.done": _l("Milestone reached"), "progress.posted": _l("Progress update posted"),
    "result_file.attached": _l("Photo or document added to an update"),
    "result_file.proof_attached": _l("Proof of delivery attached"),
    "allocation.split": _l("Contribution partly delivered"), "allocation.split_off": _l("Delivered part of a contribution"),
    "hours.confirmed": _l("Volunteer hours confirmed"), "pilot.marked": _l("Marked a model pilot"),
    "pilot.replicated": _l("Model pilot replicated"),
    # issue 23: the resident register, who may vote, assisted use
    "register.imported": _l("Resident register imported"),
    "resident.claimed": _l("Account linked to the resident register"),
    "eligibility.set": _l("Who may vote set"),
    "pb_ballot.census_cast": _l("Budgeting vote without an account"),
    "user.assisted_registered": _l("Account made for a resident (assisted)"),
    "assisted.registered": _l("Resident registered on a paper form"),
    "assisted.pledge_entered": _l("Offer of help entered for a resident (paper form)"),
    # issue 23
    "user.phone_verified": _l("Mobile number confirmed with a code"),
    "notification_pref.set": _l("Notification choice changed"),
    "notification_pref.unsubscribed": _l("Unsubscribed from a kind of message"),
    # issue 21: citizen proposals and key cores
    "citizen_proposal.created": _l("Citizen proposal made"),
    "citizen_proposal.file_attached": _l("File attached to a citizen proposal"),
    "citizen_proposal.supported": _l("Citizen proposal supported"),
    "citizen_proposal.evidence_added": _l("Evidence added to a citizen proposal"),
    "citizen_proposal.routed": _l("Citizen proposal sent to a table"),
    "citizen_proposal.commented": _l("Comment on a citizen proposal"),
    "citizen_proposal.diagnosed": _l("Diagnosis of a citizen proposal"),
    "citizen_proposal.under_diagnosis": _l("Citizen proposal under diagnosis"),
    "citizen_proposal.adopted": _l("Citizen proposal adopted as a project"),
    "citizen_proposal.answered": _l("Citizen proposal answered"),
    "citizen_proposal.forwarded": _l("Citizen proposal forwarded to another table"),
    "citizen_proposal.declined": _l("Citizen proposal declined"),
    "citizen_proposal.merged": _l("Citizen proposal merged into another"),
    "citizen_proposal.support_moved": _l("Support carried over by a merge"),
    "citizen_proposal.reported": _l("Text reported as abusive"),
    "citizen_proposal.report_resolved": _l("Report of abusive text dealt with"),
    "citizen_proposal.hidden": _l("Citizen proposal hidden by a moderator"),
    "citizen_proposal.comment_hidden": _l("Comment hidden by a moderator"),
    "key_core.formed": _l("Key core formed"),
    "key_core.member_added": _l("Person added to a key core"),
    "key_core.member_removed": _l("Person removed from a key core"),
    "key_core.task_added": _l("Key core task added"),
    "key_core.task_done": _l("Key core task done"),
    "key_core.task_reopened": _l("Key core task reopened"),
    "key_core.meeting_logged": _l("Key core meeting recorded"),
}


def action_label(action: str | None) -> str:
    """An audit action in words: its own label, else "Change to a <kind of record>"; never the raw code."""
    if not action:
        return ""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    if action.startswith("project.") and action.split(".", 1)[1] in VALUE_LABELS:
        return _("Project moved to “%(status)s”", status=str(VALUE_LABELS[action.split(".", 1)[1]]))
    prefix = action.split(".", 1)[0]
    kinds = {"allocation": "allocations", "pledge": "pledges", "project": "projects", "need": "needs",
             "table": "tables", "election": "chair_elections", "user": "users", "matching": "matching_runs",
             "valuation": "valuation_rates", "password_reset": "password_resets", "pb_cycle": "pb_cycles"}
    label = OBJECT_LABELS.get(kinds.get(prefix, prefix + "s")) or OBJECT_LABELS.get(prefix)
    return _("Change to a %(object)s", object=str(label)) if label else _("Other change")


def object_label(object_type: str | None) -> str:
    """A kind of record in words (an unknown one: "record")."""
    return str(OBJECT_LABELS.get(object_type or "", _("record")))


def amount_text(kind: HelpKind | str, quantity: int, item: str = "", lang: str | None = None) -> str:
    """'2,000,000 toman', '40 person-hours', '3 unit-days (pickup truck)' in the user's language."""
    kind = HelpKind(kind)
    if kind is HelpKind.FINANCIAL:
        return format_money(int(quantity), lang)
    text = str(UNIT_TEXT[kind]) % {"n": format_number(quantity, lang)}
    return f"{text} ({item})" if item else text


def day_text(day: date | None, lang: str | None = None) -> str:
    return format_date(day, lang) if day else ""


def build_filter(date_from: str | None, date_to: str | None, table: Any, kind: Any, district: Any) -> DashboardFilter:
    return DashboardFilter(date_from=parse_date_text(date_from, field="date_from", code="date_invalid"), date_to=parse_date_text(date_to, field="date_to", code="date_invalid"),
                           table_id=parse_int(table) if table else None, kind=kind or None,
                           district_id=parse_int(district) if district else None)


def filter_to_store(f: DashboardFilter) -> dict:
    return {"date_from": f.date_from.isoformat() if f.date_from else None,
            "date_to": f.date_to.isoformat() if f.date_to else None,
            "table_id": f.table_id, "kind": f.kind.value if f.kind else None, "district_id": f.district_id}


def filter_from_store(data: dict | None) -> DashboardFilter:
    data = data or {}
    return DashboardFilter(
        date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
        date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
        table_id=data.get("table_id") if isinstance(data.get("table_id"), int) else None,
        kind=data.get("kind") or None,
        district_id=data.get("district_id") if isinstance(data.get("district_id"), int) else None)


# --- audit sentences --------------------------------------------------------------------------

def describe(line: AuditLine, lang: str | None = None) -> str:
    """One readable sentence for an audit event, e.g. 'Chair X accepted 40 person-hours from citizen Y for …'."""
    lang = lang or current_language()
    d = line.details
    actor = person_name(line.actor_name) or _("The system")
    project = name_in(lang, d.get("project_fa"), d.get("project_en"))
    table = name_in(lang, line.table_fa, line.table_en)
    amount = amount_text(d["kind"], d["quantity"], d.get("item", ""), lang) if "kind" in d and "quantity" in d else ""
    citizen = person_name(d.get("citizen_name")) or _("(not named)")
    after = line.after or {}
    before = line.before or {}
    p = {"actor": actor, "amount": amount, "citizen": citizen, "project": project, "table": table,
         "id": localise_digits(line.object_id or "", lang)}
    a = line.action
    templates = {
        "allocation.accepted": _l("Chair %(actor)s accepted %(amount)s from citizen %(citizen)s for the project "
                                  "“%(project)s”."),
        "allocation.rejected": _l("Chair %(actor)s rejected %(amount)s from citizen %(citizen)s for the project "
                                  "“%(project)s”. Reason: %(reason)s"),
        "allocation.delivered": _l("Chair %(actor)s recorded that %(amount)s from citizen %(citizen)s was delivered "
                                   "to the project “%(project)s”."),
        "allocation.proposed": _l("Matching (started by %(actor)s) proposed %(amount)s from citizen %(citizen)s for "
                                  "the project “%(project)s”."),
        "allocation.superseded": _l("A newer matching run (started by %(actor)s) replaced the proposal of %(amount)s "
                                    "from citizen %(citizen)s for the project “%(project)s”."),
        "allocation.withdrawn_by_citizen": _l("Citizen %(citizen)s took back %(amount)s proposed for the project "
                                              "“%(project)s”."),
        "allocation.released_by_cancel": _l("%(actor)s cancelled the project “%(project)s”, releasing %(amount)s "
                                            "from citizen %(citizen)s."),
        "allocation.released_by_archive": _l("%(actor)s archived the %(table)s, withdrawing the proposal of "
                                             "%(amount)s from citizen %(citizen)s for the project “%(project)s”."),
        "pledge.created": _l("Citizen %(citizen)s pledged %(amount)s."),
        "pledge.withdrawn": _l("Citizen %(citizen)s withdrew the open part of a pledge of %(amount)s."),
        "pledge.status_changed": _l("The pledge of %(amount)s by citizen %(citizen)s is now %(status)s."),
        "project.created": _l("%(actor)s created the project “%(project)s”."),
        "project.updated": _l("%(actor)s edited the project “%(project)s”."),
        "need.created": _l("%(actor)s added a need of %(amount)s to the project “%(project)s”."),
        "need.quantity_changed": _l("%(actor)s changed a need of the project “%(project)s” to %(amount)s."),
        "matching.run": _l("%(actor)s started matching run no. %(id)s."),
        "matching.finished": _l("Matching run no. %(id)s, started by %(actor)s, finished with %(n)s proposals."),
        "election.opened": _l("%(actor)s opened a chair election for the %(table)s."),
        "election.nominated": _l("%(actor)s stood as a candidate in the chair election of the %(table)s."),
        "election.ballot_cast": _l("%(actor)s voted in the chair election of the %(table)s."),
        "election.ballot_changed": _l("%(actor)s changed their ballot in the chair election of the %(table)s."),
        "election.closed": _l("The chair election of the %(table)s closed; %(winner)s won."),
        "table.created": _l("%(actor)s created the %(table)s."),
        "table.updated": _l("%(actor)s edited the %(table)s."),
        "table.archived": _l("%(actor)s archived the %(table)s."),
        "table.unarchived": _l("%(actor)s restored the %(table)s from the archive."),
        "table.member_added": _l("%(actor)s added %(user)s to the %(table)s."),
        "table.member_removed": _l("%(actor)s removed %(user)s from the %(table)s."),
        "table.chair_changed": _l("The chair of the %(table)s changed."),
        "user.register": _l("%(user)s created an account."),
        "user.set_language": _l("%(user)s changed their language."),
        "user.role_changed": _l("%(actor)s changed the governorate role of %(user)s."),
        "user.deactivated": _l("%(actor)s deactivated the account of %(user)s."),
        "user.activated": _l("%(actor)s reactivated the account of %(user)s."),
        "user.deleted": _l("%(actor)s deleted an account that had no history."),
        "user.password_reset": _l("%(user)s set a new password with a one-time link."),
        "user.password_changed": _l("%(user)s changed their password."),
        "user.password_set": _l("%(user)s set a first password for their account."),
        "account.deleted": _l("The owner of an account deleted it: name, phone, e-mail and password erased."),
        "password_reset.issued": _l("%(actor)s issued a one-time password-reset link for %(user)s, valid until "
                                    "%(until)s."),
        "password_reset.revoked": _l("A newer password-reset link for %(user)s replaced an unused one."),
        "password_reset.used": _l("%(user)s used a one-time password-reset link."),
        "valuation.set": _l("%(actor)s set the rate of %(kind)s%(item)s to %(rate)s per unit."),
        "valuation.removed": _l("%(actor)s removed the rate of %(kind)s%(item)s."),
        "demo.seeded": _l("The demo data was loaded."),
        "database.restored": _l("The database was restored from a backup; the audit log goes on from the "
                                "event it returned to."),
    }
    status = after.get("status") or d.get("status")
    winner = d.get("winner_name") or ""
    kind = d.get("kind") or after.get("kind") or before.get("kind")
    item = d.get("item") if "rate" in d else (after.get("item") or before.get("item") or "")
    rate = d.get("rate") or after.get("rials_per_unit") or before.get("rials_per_unit")
    p.update({
        "reason": d.get("reason") or after.get("reject_reason") or "",
        "status": str(VALUE_LABELS.get(str(status), status or "")),
        "n": format_number(d.get("proposed") or after.get("n_proposed") or 0, lang),
        "winner": winner or "—",
        "user": d.get("user_name") or actor,
        "kind": kind_label(kind) if kind in HelpKind._value2member_map_ else "",
        "item": f" ({item})" if item else "",
        "rate": format_money(int(rate), lang) if isinstance(rate, int) else "",
        "until": format_datetime(d["expires_at"], lang) if d.get("expires_at") else "—",
    })
    if a.startswith("project.") and a not in templates:
        target = a.split(".", 1)[1]
        return _("%(actor)s moved the project “%(project)s” to %(status)s.", actor=actor, project=project,
                 status=str(VALUE_LABELS.get(target, target)))
    template = templates.get(a)
    if template is None or ("%(amount)s" in str(template) and not amount):
        return _("%(actor)s: %(action)s (%(object)s no. %(id)s).", actor=actor, action=action_label(a),
                 object=object_label(line.object_type), id=p["id"])
    return str(template) % p


# --- layout -----------------------------------------------------------------------------------

def _select(id_: str, label: str, options: list[dict], value: Any = "") -> html.Div:
    return html.Div([
        dbc.Label(label, html_for=id_, className="form-label small mb-1"),
        # dbc.Select draws a hidden empty option from its placeholder: with value "" the browser shows that one,
        # so it carries the «All» label (issue 20 item 8: the filters looked empty on load)
        dbc.Select(id=id_, options=options, value=value,
                   placeholder=options[0]["label"] if options and options[0].get("value") == "" else None),
    ], className="col-12 col-sm-6 col-lg")


def _text_input(id_: str, label: str, placeholder: str = "", **kw) -> html.Div:
    return html.Div([
        dbc.Label(label, html_for=id_, className="form-label small mb-1"),
        dbc.Input(id=id_, placeholder=placeholder, debounce=True, **kw),
    ], className="col-12 col-sm-6 col-lg")


def _filters(choices, lang: str) -> html.Form:
    all_ = {"label": _("All"), "value": ""}
    return html.Div([
        _text_input(gid.F_DATE_FROM, _("From date"), date_placeholder(lang)),
        _text_input(gid.F_DATE_TO, _("To date"), date_placeholder(lang)),
        _select(gid.F_TABLE, _("Table"), [all_] + [{"label": name_in(lang, fa, en), "value": str(i)}
                                                  for i, fa, en in choices.tables]),
        _select(gid.F_KIND, _("Kind of help"), [all_] + [{"label": kind_label(k), "value": k.value}
                                                        for k in HelpKind]),
        _select(gid.F_DISTRICT, _("District (of the project)"),
                [all_] + [{"label": name_in(lang, fa, en), "value": str(i)} for i, fa, en in choices.districts]),
    ], className="row g-2 align-items-end mb-2", role="search", **{"aria-label": _("Dashboard filters")})


def _graph(id_: str, label: str, legend: html.Ul) -> html.Figure:
    """A chart with its legend under it (the page's, charts_gov.chart_legend: it wraps as text on a phone)."""
    return html.Figure([dcc.Loading(dcc.Graph(id=id_, config={"displaylogo": False, "responsive": True},
                                              style={"minHeight": "260px"})), legend],
                       className="col-12 col-xl-6 mb-3", **{"aria-label": label})


@page(__name__, path="/governorate", title=_l("Governorate"), roles={GOVERNORATE}, nav=True, menu="workspace", order=50,
      nav_label=_l("Dashboard"),
      icon="bank")
def layout(**_kw):
    lang = current_language()
    with get_db().reader() as s:
        choices = filter_choices(s)
        actions = audit_actions(s)
    hint = ""
    if choices.first_day and choices.last_day:
        hint = _("Decisions so far run from %(first)s to %(last)s.", first=format_date(choices.first_day, lang),
                 last=format_date(choices.last_day, lang))
    all_ = {"label": _("All"), "value": ""}
    return html.Div([
        html.H1(_("Governorate dashboard"), className="h3 mb-2"),
        html.Nav(html.Ul([
            html.Li(html.A([icon("bar-chart", "me-1"), _("Dashboard")], href="#gov-dashboard"),
                    className="list-inline-item"),
            html.Li(html.A([icon("download", "me-1"), _("Exports")], href="#gov-exports"), className="list-inline-item"),
            html.Li(html.A([icon("journal-text", "me-1"), _("Audit log")], href="#gov-audit"),
                    className="list-inline-item"),
            html.Li(dcc.Link([icon("gear", "me-1"), _("Administration")], href="/admin"), className="list-inline-item"),
        ], className="list-inline mb-3"), **{"aria-label": _("Sections")}),
        dcc.Store(id=gid.F_STORE),
        html.Section([
            html.H2(_("Resources mobilised"), className="h4", id="gov-dashboard"),
            html.P([_("Accepted and delivered help, with in-kind help valued at the governorate's rates."), " ", hint],
                   className="text-body-secondary small"),
            _filters(choices, lang),
            html.Div(id=gid.F_ERROR),
            dcc.Loading(html.Div(id=gid.HEADLINE, className="mb-3", **{"aria-live": "polite"})),
            # kept when a filter changes (issue 20) and, for this browser tab, across visits (persistence)
            dbc.Switch(id=gid.F_SHOW_ALL, value=False, className="mb-2", persistence=True, persistence_type="session",
                       label=_("Show every table, district and project in the charts (otherwise the largest %(n)s)",
                               n=format_number(charts_gov.TOP_N, lang))),
            html.Div([
                _graph(gid.FIG_TABLES, _("By table"), charts_gov.kinds_legend()),
                _graph(gid.FIG_DISTRICTS, _("By district"), charts_gov.kinds_legend()),
                _graph(gid.FIG_MONTHS, _("Over time"), charts_gov.kinds_legend()),
                _graph(gid.FIG_COVERAGE, _("Coverage of open projects"), charts_gov.coverage_legend()),
            ], className="row"),
            # A Sankey needs width: on a phone it scrolls sideways instead of overprinting its labels.
            html.Figure(dcc.Loading(dcc.Graph(id=gid.FIG_SANKEY, config={"displaylogo": False, "responsive": True},
                                              style={"minWidth": "720px"})),
                        className="mb-3", style={"overflowX": "auto"}, tabIndex="0",
                        **{"aria-label": _("Flow of help")}),
            html.H3(_("Matching runs"), className="h5"),
            html.Div(id=gid.RUNS, className="table-responsive mb-4"),
        ]),
        html.Section([
            html.H2(_("Exports"), className="h4", id="gov-exports"),
            html.P(_("Exports follow the dashboard's filters (the audit log follows its own filters below)."),
                   className="text-body-secondary small"),
            html.Div([
                _select(gid.EX_SHEET, _("What"), [{"label": str(v), "value": k} for k, v in SHEET_LABELS.items()],
                        "pledges"),
                _select(gid.EX_FORMAT, _("File format"), [{"label": _("Excel (xlsx)"), "value": "xlsx"},
                                                          {"label": "CSV", "value": "csv"}], "xlsx"),
                html.Div(dbc.Checkbox(id=gid.EX_CONTACTS, value=False,
                                      label=_("Include citizens' mobile numbers and e-mail addresses")),
                         className="col-12 col-lg-4"),
                html.Div(html.Button([icon("download", "me-1"), _("Download")], id=gid.EX_BUTTON, n_clicks=0,
                                     className="btn btn-primary"), className="col-12 col-sm-auto"),
            ], className="row g-2 align-items-end mb-2"),
            html.Div(id=gid.EX_MESSAGE, **{"aria-live": "polite"}),
            dcc.Download(id=gid.EX_DOWNLOAD),
        ], className="mb-4"),
        html.Section([
            html.H2(_("Audit log"), className="h4", id="gov-audit"),
            anchor_card(current_status(), lang, card_id=gid.GOV_ANCHOR),  # the chain's head, anchored (issue 18)
            html.Div([
                _text_input(gid.AU_ACTOR, _("Who (name, mobile or e-mail)")),
                _select(gid.AU_ACTION, _("Action"), [all_] + sorted(
                    ({"label": action_label(a), "value": a} for a in actions), key=lambda o: o["label"])),
                _select(gid.AU_TABLE, _("Table"), [all_] + [{"label": name_in(lang, fa, en), "value": str(i)}
                                                          for i, fa, en in choices.tables]),
                _select(gid.AU_OBJECT, _("Kind of record"), [all_] + [{"label": str(v), "value": k}
                                                                    for k, v in OBJECT_LABELS.items()]),
                _text_input(gid.AU_OBJECT_ID, _("Object no."), inputMode="numeric"),
                _text_input(gid.AU_DATE_FROM, _("From date"), date_placeholder(lang)),
                _text_input(gid.AU_DATE_TO, _("To date"), date_placeholder(lang)),
            ], className="row g-2 align-items-end mb-2", role="search", **{"aria-label": _("Audit log filters")}),
            html.Div(id=gid.AU_ERROR),
            dcc.Store(id=gid.AU_PAGE, data=1),
            html.Div(id=gid.AU_LIST, **{"aria-live": "polite"}),
            html.Nav(html.Div([
                html.Button(_("Previous"), id=gid.AU_PREV, n_clicks=0, className="btn btn-outline-secondary btn-sm"),
                html.Span(id=gid.AU_PAGER, className="mx-2 small"),
                html.Button(_("Next"), id=gid.AU_NEXT, n_clicks=0, className="btn btn-outline-secondary btn-sm"),
            ], className="d-flex align-items-center justify-content-center my-2"),
                **{"aria-label": _("Audit log pages")}),
        ], className="mb-4"),
        html.Section([
            html.H2(_("Hamyar in figures"), className="h5"),
            html.Button([icon("arrow-clockwise", "me-1"), _("Refresh counts")], id=gid.GOV_REFRESH,
                        className="btn btn-outline-primary btn-sm mb-2", n_clicks=0),
            html.Div(id=gid.GOV_COUNTS, **{"aria-live": "polite"}),
        ]),
    ])


# --- rendering --------------------------------------------------------------------------------

def headline_cards(board: Dashboard, lang: str) -> Any:
    h = board.headline

    def card(title, big, small, extra_class=""):
        return html.Div(html.Div([
            html.H3(title, className="h6 text-body-secondary mb-1"),
            html.P(big, className="fs-5 fw-bold mb-0"),
            html.P(small, className="small text-body-secondary mb-0") if small else None,
        ], className=f"p-3 border rounded h-100 {extra_class}"), className="col-12 col-sm-6 col-lg")

    def kind_card(k: KindTotal):
        small = _("worth %(value)s", value=format_money(k.value, lang)) if k.kind is not HelpKind.FINANCIAL else ""
        return card(kind_label(k.kind), amount_text(k.kind, k.quantity, "", lang), small)

    decisions = ngettext("%(n)s decision", "%(n)s decisions", h.allocations, n=format_number(h.allocations, lang))
    citizens = ngettext("%(c)s citizen", "%(c)s citizens", h.citizens, c=format_number(h.citizens, lang))
    total = card(_("Citizens' help, total value"), format_money(h.total_value, lang),
                 _("%(decisions)s, %(citizens)s", decisions=decisions, citizens=citizens), "border-primary")
    cards = [total] + [kind_card(k) for k in h.by_kind]
    # The governorate's own PB budget is public money: shown apart, never added to the citizens' help.
    cards.append(html.Div(html.Div([
        html.H3(_("Public budget (participatory budgeting)"), className="h6 text-body-secondary mb-1"),
        html.P(format_money(h.public_budget, lang), className="fs-5 fw-bold mb-0"),
        html.P(_("funded by the governorate, not counted in the citizens' help"),
               className="small text-body-secondary mb-0"),
    ], className="p-3 border border-secondary-subtle rounded h-100 bg-body-tertiary"),
        className="col-12 col-sm-6 col-lg", id="gov-public-budget"))
    return html.Div(cards, className="row g-2")


def runs_table(runs: list[RunRow], lang: str) -> Any:
    if not runs:
        return html.P(_("No matching runs in this period."), className="text-body-secondary")
    head = html.Thead(html.Tr([html.Th(t, scope="col") for t in (
        _("Run no."), _("Started"), _("Scope"), _("Pledges"), _("Needs"), _("Pairs"), _("Proposed"),
        _("Objective"), _("Seconds"))]))
    body = html.Tbody([html.Tr([
        html.Td(format_number(r.id, lang)), html.Td(format_datetime(r.started_at, lang)),
        html.Td(name_in(lang, r.table_fa, r.table_en) if r.table_id else str(VALUE_LABELS["county"])),
        html.Td(format_number(r.n_pledges, lang)), html.Td(format_number(r.n_needs, lang)),
        html.Td(format_number(r.n_pairs, lang)), html.Td(format_number(r.n_proposed, lang)),
        html.Td(format_number(r.objective, lang, decimals=1) if r.objective is not None else "—"),
        html.Td(format_number(r.seconds, lang, decimals=2) if r.seconds is not None else "—"),
    ]) for r in runs])
    return html.Table([html.Caption(_("Size, time and objective of each run"), className="caption-top"), head, body],
                      className="table table-sm table-striped align-middle")


# --- callbacks --------------------------------------------------------------------------------

@secured_callback(
    Output(gid.F_ERROR, "children"), Output(gid.HEADLINE, "children"), Output(gid.FIG_TABLES, "figure"),
    Output(gid.FIG_DISTRICTS, "figure"), Output(gid.FIG_MONTHS, "figure"), Output(gid.FIG_COVERAGE, "figure"),
    Output(gid.FIG_SANKEY, "figure"), Output(gid.RUNS, "children"), Output(gid.F_STORE, "data"),
    Input(gid.F_DATE_FROM, "value"), Input(gid.F_DATE_TO, "value"), Input(gid.F_TABLE, "value"),
    Input(gid.F_KIND, "value"), Input(gid.F_DISTRICT, "value"), State(gid.F_SHOW_ALL, "value"),
    roles={GOVERNORATE})
def update_dashboard(date_from, date_to, table, kind, district, show_all=False):
    require({GOVERNORATE})
    lang = current_language()
    try:
        f = build_filter(date_from, date_to, table, kind, district)
        board = cached_dashboard(get_db(), f)
    except DomainError as exc:
        return (alert(error_message(exc)),) + (no_update,) * 8
    # the phone layout draws the largest TOP_N; "show all", once switched on, stays on when a filter changes
    limit = None if show_all is True else charts_gov.TOP_N
    return ("", headline_cards(board, lang),
            charts_gov.groups_figure(board.by_table, _("By table"), lang, limit=limit),
            charts_gov.groups_figure(board.by_district, _("By district (of the project)"), lang,
                                     unknown_label=_("No district"), limit=limit),
            charts_gov.months_figure(board.by_month, lang),
            charts_gov.coverage_figure(board.coverage, lang, limit=limit or 100),
            charts_gov.sankey_figure(board.flows, lang, limit=limit),
            runs_table(board.runs, lang),
            filter_to_store(f))


@secured_callback(
    Output(gid.FIG_TABLES, "figure", allow_duplicate=True), Output(gid.FIG_DISTRICTS, "figure", allow_duplicate=True),
    Output(gid.FIG_COVERAGE, "figure", allow_duplicate=True), Output(gid.FIG_SANKEY, "figure", allow_duplicate=True),
    Input(gid.F_SHOW_ALL, "value"), State(gid.F_STORE, "data"), roles={GOVERNORATE}, prevent_initial_call=True)
def show_all_bars(show_all, filter_data):
    """"Show every table, district and project": the charts again without the top-N limit (or with it again)."""
    require({GOVERNORATE})
    lang = current_language()
    try:
        board = cached_dashboard(get_db(), filter_from_store(filter_data))
    except DomainError:
        return (no_update,) * 4
    limit = None if show_all is True else charts_gov.TOP_N
    return (charts_gov.groups_figure(board.by_table, _("By table"), lang, limit=limit),
            charts_gov.groups_figure(board.by_district, _("By district (of the project)"), lang,
                                     unknown_label=_("No district"), limit=limit),
            charts_gov.coverage_figure(board.coverage, lang, limit=limit or 100),
            charts_gov.sankey_figure(board.flows, lang, limit=limit))


def export_file(sheet: str, fmt: str, f: DashboardFilter, audit_f: AuditFilter, contacts: bool,
                lang: str) -> tuple[bytes, str]:
    """The file's bytes and name, with headers and values in the user's language."""
    if sheet not in exports.SHEETS or fmt not in exports.FORMATS:
        raise ValidationError("export_unknown", field="sheet")
    with get_db().reader() as s:
        if sheet == "pledges":
            data = exports.pledges_sheet(s, f, include_contacts=contacts, lang=lang)
        elif sheet == "allocations":
            data = exports.allocations_sheet(s, f, include_contacts=contacts, lang=lang)
        elif sheet == "projects":
            data = exports.projects_sheet(s, f, lang=lang)
        elif sheet == "runs":
            data = exports.runs_sheet(s, f, lang=lang)
        else:
            data = exports.audit_sheet(s, audit_f, describe=lambda line: describe(line, lang), lang=lang)
        anchor = exports.anchor_rows(s)  # where the audit log ended, and its newest anchor (issue 18)
    headers, rows = export_table(data.columns, data.rows, lang)
    stamp = county_today().isoformat()
    name = f"hamyar-{sheet}-{stamp}.{fmt}"
    if fmt == "csv":
        return exports.to_csv(headers, rows, anchor=anchor), name
    return exports.to_xlsx(headers, rows, title=str(SHEET_LABELS[sheet]), right_to_left=lang == "fa",
                           anchor=anchor), name


DATE_COLUMNS = frozenset({"created_at", "decided_at", "delivered_at", "started_at", "at"})
MONEY_COLUMNS = {"value_rials": "value_toman", "estimated_cost_rials": "estimated_cost_toman",
                 "needed_value_rials": "needed_value_toman", "mobilised_value_rials": "mobilised_value_toman"}


def export_table(columns: list[str], data_rows: list[tuple], lang: str) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of an export in the user's language.

    Times are Tehran time and their header says so; each date is a real date cell (the Gregorian value a
    spreadsheet can sort and compute with) followed by a column with the Jalali date as text; each amount of
    rials is followed by the same amount in toman; audit actions and kinds of record are words.
    """
    headers: list[str] = []
    for c in columns:
        label = str(COLUMN_LABELS.get(c, c))
        if c in DATE_COLUMNS:
            headers += [_("%(column)s (Tehran time)", column=label) if c != "delivered_at" else label,
                        _("%(column)s (Jalali)", column=label)]
        elif c in MONEY_COLUMNS:
            headers += [label, str(COLUMN_LABELS[MONEY_COLUMNS[c]])]
        else:
            headers.append(label)
    rows = []
    for row in data_rows:
        out: list[Any] = []
        for c, v in zip(columns, row):
            if c in DATE_COLUMNS:
                out += [_local_cell(v), format_datetime(v, "fa") if isinstance(v, datetime)
                        else format_date(v, "fa") if isinstance(v, date) else None]
            elif c in MONEY_COLUMNS:
                out += [v, float(v) / 10 if isinstance(v, int) and v % 10 else (v // 10 if isinstance(v, int) else v)]
            elif c == "action":
                out.append(action_label(v))
            elif c == "object_type":
                out.append(object_label(v))
            elif c in ("citizen_name", "actor", "decided_by", "started_by"):
                out.append(person_name(v) if v else v)
            else:
                out.append(_export_value(v, lang))
        rows.append(out)
    return headers, rows


def _local_cell(v: Any) -> Any:
    """A datetime as Tehran wall time (naive: spreadsheets have no zones); a date as it is."""
    if isinstance(v, datetime):
        return (v if v.tzinfo else v.replace(tzinfo=TEHRAN_UTC)).astimezone(TEHRAN_ZONE).replace(tzinfo=None)
    return v


def _export_value(v: Any, lang: str) -> Any:
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, enum.Enum):
        if isinstance(v, HelpKind):
            return kind_label(v)
        return str(VALUE_LABELS.get(v.value, v.value))
    if isinstance(v, (datetime, date)):
        return _local_cell(v)
    return v


def audit_filter(actor, action, table, obj, obj_id, date_from, date_to) -> AuditFilter:
    object_id = parse_int(obj_id) if obj_id not in (None, "") else None
    if obj_id not in (None, "") and object_id is None:
        raise ValidationError("record_number_invalid", field="object_id")  # a number error, not "fill in"
    return AuditFilter(actor_query=as_text(actor), action=as_text(action), table_id=parse_int(table) if table else None,
                       object_type=as_text(obj), object_id=object_id,
                       date_from=parse_date_text(date_from, field="date_from", code="date_invalid"), date_to=parse_date_text(date_to, field="date_to", code="date_invalid"))


AUDIT_STATES = [State(gid.AU_ACTOR, "value"), State(gid.AU_ACTION, "value"), State(gid.AU_TABLE, "value"),
                State(gid.AU_OBJECT, "value"), State(gid.AU_OBJECT_ID, "value"), State(gid.AU_DATE_FROM, "value"),
                State(gid.AU_DATE_TO, "value")]


@secured_callback(
    Output(gid.EX_DOWNLOAD, "data"), Output(gid.EX_MESSAGE, "children"),
    Input(gid.EX_BUTTON, "n_clicks"), State(gid.EX_SHEET, "value"), State(gid.EX_FORMAT, "value"),
    State(gid.EX_CONTACTS, "value"), State(gid.F_STORE, "data"), *AUDIT_STATES,
    roles={GOVERNORATE}, prevent_initial_call=True,
    # A county's whole audit log can take a while: built in a background job (dash_app.background),
    # the button disabled meanwhile, so the web worker is free for others.
    background=True, running=[(Output(gid.EX_BUTTON, "disabled"), True, False)])
def download_export(n_clicks, sheet, fmt, contacts, filter_data, *audit_values):
    require({GOVERNORATE})
    if not n_clicks:
        return no_update, no_update
    lang = current_language()
    try:
        content, name = export_file(sheet, fmt, filter_from_store(filter_data), audit_filter(*audit_values),
                                    bool(contacts), lang)
    except DomainError as exc:
        return no_update, alert(error_message(exc))
    return dcc.send_bytes(content, name), html.P(_("Your file %(name)s is ready.", name=name),
                                                 className="small text-success")


def audit_list(page_data, lang: str) -> Any:
    if not page_data.lines:
        return html.P(_("No audit events match these filters."), className="text-body-secondary")
    return html.Ol([html.Li([
        html.Div(describe(line, lang)),
        html.Div([
            html.Time(format_datetime(line.at, lang), dateTime=line.at.isoformat()), " · ",
            html.Span(action_label(line.action), **{"data-action": line.action}), " · ",
            object_label(line.object_type), " ",
            localise_digits(line.object_id if line.object_id is not None else "", lang),
        ], className="small text-body-secondary"),
    ], className="list-group-item") for line in page_data.lines], className="list-group mb-2",
        **{"aria-label": _("Audit events")})


@secured_callback(
    Output(gid.AU_LIST, "children"), Output(gid.AU_PAGER, "children"), Output(gid.AU_PAGE, "data"),
    Output(gid.AU_PREV, "disabled"), Output(gid.AU_NEXT, "disabled"), Output(gid.AU_ERROR, "children"),
    Input(gid.AU_ACTOR, "value"), Input(gid.AU_ACTION, "value"), Input(gid.AU_TABLE, "value"),
    Input(gid.AU_OBJECT, "value"), Input(gid.AU_OBJECT_ID, "value"), Input(gid.AU_DATE_FROM, "value"),
    Input(gid.AU_DATE_TO, "value"), Input(gid.AU_PREV, "n_clicks"), Input(gid.AU_NEXT, "n_clicks"),
    State(gid.AU_PAGE, "data"),
    roles={GOVERNORATE})
def update_audit(actor, action, table, obj, obj_id, date_from, date_to, _prev, _next, current):
    require({GOVERNORATE})
    lang = current_language()
    page_no = current if isinstance(current, int) else 1
    trigger = ctx.triggered_id
    page_no = page_no - 1 if trigger == gid.AU_PREV else page_no + 1 if trigger == gid.AU_NEXT else 1
    try:
        f = audit_filter(actor, action, table, obj, obj_id, date_from, date_to)
        with get_db().reader() as s:
            result = audit_page(s, f, page=max(1, page_no))
    except DomainError as exc:
        # beside the button, naming and marking the field (dash_app.ui.forms; issue 20 item 2)
        field_id = {"object_id": gid.AU_OBJECT_ID, "date_from": gid.AU_DATE_FROM, "date_to": gid.AU_DATE_TO}.get(exc.field)
        return no_update, no_update, no_update, no_update, no_update, button_error(error_message(exc), field_id)
    pager = _("Page %(page)s of %(pages)s (%(total)s events)", page=format_number(result.page, lang),
              pages=format_number(result.pages, lang), total=format_number(result.total, lang))
    return (audit_list(result, lang), pager, result.page, result.page <= 1, result.page >= result.pages, "")


@secured_callback(Output(gid.GOV_COUNTS, "children"), Input(gid.GOV_REFRESH, "n_clicks"), roles={GOVERNORATE})
def refresh_counts(_n_clicks):
    require({GOVERNORATE})
    with get_db().reader() as s:
        counts = [
            (_("People"), s.scalar(select(func.count()).select_from(User)
                                   .where(User.id.not_in(system_user_ids())))),
            (_("Tables"), s.scalar(select(func.count()).select_from(Table))),
            (_("Projects"), s.scalar(select(func.count()).select_from(Project))),
            (_("Pledges"), s.scalar(select(func.count()).select_from(Pledge))),
        ]
    return html.Dl([item for label, n in counts for item in (html.Dt(label, className="col-6 col-sm-3"),
                                                             html.Dd(format_number(n or 0), className="col-6 col-sm-3"))],
                   className="row")


__all__ = ["amount_text", "build_filter", "describe", "export_file", "layout"]
