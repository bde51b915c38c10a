"""Download my data (issue 23 item 3): everything Hamyar holds about the signed-in person, as JSON and CSV.

Imports the standard library, sqlalchemy and models (core, orm) only. `my_data` reads only rows that belong to
the person (their account, pledges and the allocations of those pledges, notifications, participations,
proposals and what they wrote on them, referrals and their answers, messages about their contributions,
sessions, preferences, the register entry they claimed, the SMS and e-mail sent to them). Votes are
participation records only ("voted in cycle 3, online"): ballots hold no voter and no link to one
(docs/security.md T12, G7), so what the person chose is not in Hamyar to give back. One-time codes and the
texts of messages that carried one are left out (a code is only a hash at rest; a message's text would
repeat it), and so are password and session token hashes.
"""
from __future__ import annotations

import csv
import enum
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.errors import NotFound
from models.orm.contact import ContributionMessage
from models.orm.notifications import Notification
from models.orm.outbox import NotificationPreference, OutboxMessage
from models.orm.pb import PBCycle, PBParticipation
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.proposals import CitizenProposal, ProposalComment, ProposalSupport
from models.orm.referrals import Referral, ReferralAnswer
from models.orm.residents import Resident
from models.orm.sessions import UserSession
from models.orm.tables import ChairElection, ChairParticipation, Table, TableMembership

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _row(obj: Any, names: list[str]) -> dict[str, Any]:
    return {n: _plain(getattr(obj, n)) for n in names}


def my_data(session: Session, user_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """Every section of the person's data, as JSON-ready values (lists of flat-ish dicts)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    data: dict[str, Any] = {"format": FORMAT_VERSION, "exported_at": _plain(now) if now else None}
    data["profile"] = _row(user, ["id", "name", "phone", "email", "language", "is_governorate", "is_active",
                                  "show_name_publicly", "created_at", "phone_verified_at"])
    data["profile"]["has_password"] = (user.password_hash or "").startswith("scrypt$")
    data["preferences"] = [_row(p, ["group", "channel", "frequency", "updated_at"]) for p in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        .order_by(NotificationPreference.group))]

    pledges = []
    for p in session.scalars(select(Pledge).where(Pledge.citizen_id == user_id).order_by(Pledge.id)):
        row = _row(p, ["id", "kind", "quantity", "withdrawn_quantity", "description", "status", "district_id",
                       "window_start", "window_end", "project_id", "only_project", "organization_id", "created_at"])
        row["allocations"] = [
            {**_row(a, ["id", "need_id", "quantity", "status", "reject_reason", "decided_at", "delivered_at",
                        "delivery_note", "created_at"]),
             "project_id": project.id, "project_title_fa": project.title_fa, "project_title_en": project.title_en}
            for a, project in session.execute(
                select(Allocation, Project).join(Need, Need.id == Allocation.need_id)
                .join(Project, Project.id == Need.project_id)
                .where(Allocation.pledge_id == p.id).order_by(Allocation.id))]
        pledges.append(row)
    data["pledges"] = pledges
    data["contribution_messages"] = [_row(m, ["id", "allocation_id", "side", "body", "created_at"])
                                     for m in session.scalars(select(ContributionMessage).where(
                                         ContributionMessage.author_id == user_id).order_by(ContributionMessage.id))]

    data["notifications"] = [_row(n, ["id", "kind", "params", "created_at", "read_at"]) for n in session.scalars(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))]
    # What was sent where; the text only of messages that carry no one-time code.
    data["messages_sent"] = [
        {**_row(m, ["id", "channel", "recipient", "kind", "subject", "status", "created_at", "sent_at",
                    "delivered_at"]), "text": None if m.secret else m.text}
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user_id)
                                 .order_by(OutboxMessage.id))]

    # Votes: that the person took part, never what they chose (ballots carry no voter).
    data["pb_votes"] = [
        {"cycle_id": c.id, "cycle_name_fa": c.name_fa, "cycle_name_en": c.name_en, "channel": part.channel,
         "station": part.station, "ballot_number": part.ballot_number}
        for part, c in session.execute(select(PBParticipation, PBCycle).join(PBCycle, PBCycle.id == PBParticipation.cycle_id)
                                       .where(PBParticipation.user_id == user_id).order_by(PBParticipation.id))]
    data["chair_votes"] = [
        {"election_id": e.id, "table_id": t.id, "table_name_fa": t.name_fa, "table_name_en": t.name_en}
        for _part, e, t in session.execute(
            select(ChairParticipation, ChairElection, Table)
            .join(ChairElection, ChairElection.id == ChairParticipation.election_id)
            .join(Table, Table.id == ChairElection.table_id)
            .where(ChairParticipation.user_id == user_id).order_by(ChairParticipation.id))]
    data["memberships"] = [
        {**_row(m, ["table_id", "background", "affiliation", "joined_at", "left_at"]), "table_name_fa": t.name_fa,
         "table_name_en": t.name_en}
        for m, t in session.execute(select(TableMembership, Table).join(Table, Table.id == TableMembership.table_id)
                                    .where(TableMembership.user_id == user_id).order_by(TableMembership.id))]
    resident = session.scalars(select(Resident).where(Resident.user_id == user_id)).one_or_none()
    data["resident_register"] = [_row(resident, ["id", "birth_year", "district_id", "claimed_at", "removed_at"])] \
        if resident is not None else []

    data["proposals"] = [_row(p, ["id", "kind", "table_id", "district_id", "place", "title", "body", "affected",
                                  "evidence", "since", "serves", "duration", "status", "answer_type", "answer_text",
                                  "decided_at", "project_id", "created_at"])
                         for p in session.scalars(select(CitizenProposal).where(CitizenProposal.author_id == user_id)
                                                  .order_by(CitizenProposal.id))]
    data["proposal_supports"] = [_row(s, ["proposal_id", "created_at"]) for s in session.scalars(
        select(ProposalSupport).where(ProposalSupport.user_id == user_id).order_by(ProposalSupport.id))]
    data["proposal_comments"] = [_row(c, ["id", "proposal_id", "kind", "body", "cause", "scale", "options",
                                          "cost_min_toman", "cost_max_toman", "created_at"])
                                 for c in session.scalars(select(ProposalComment).where(
                                     ProposalComment.author_id == user_id).order_by(ProposalComment.id))]

    referrals = []
    for r in session.scalars(select(Referral).where(Referral.citizen_id == user_id).order_by(Referral.id)):
        row = _row(r, ["id", "type_id", "table_id", "organization_id", "subject", "body", "status", "received_at",
                       "due_on", "escalation_level", "reopen_count", "reopen_reason"])
        row["answers"] = [_row(a, ["round", "answered_at", "on_time", "finding", "reasoning", "decision",
                                   "next_step", "responsible", "rating"])
                          for a in session.scalars(select(ReferralAnswer).where(ReferralAnswer.referral_id == r.id)
                                                   .order_by(ReferralAnswer.round))]
        referrals.append(row)
    data["referrals"] = referrals

    data["sessions"] = [_row(s, ["id", "created_at", "last_seen_at", "expires_at", "ended_at", "ended_reason",
                                 "remember", "address", "user_agent"])
                        for s in session.scalars(select(UserSession).where(UserSession.user_id == user_id)
                                                 .order_by(UserSession.id))]
    return data


def my_data_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    writer = csv.DictWriter(out, fieldnames=columns or ["empty"], extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                         for k, v in r.items()})
    return "\ufeff" + out.getvalue()  # a BOM: spreadsheet programs then read the Persian as UTF-8


def my_data_zip(data: dict[str, Any]) -> bytes:
    """One CSV per section (a pledge's allocations in allocations.csv with their pledge id), and the JSON."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", my_data_json(data))
        for name, value in data.items():
            if name == "pledges":
                archive.writestr("pledges.csv", _csv([{k: v for k, v in p.items() if k != "allocations"}
                                                      for p in value]))
                archive.writestr("allocations.csv", _csv([{"pledge_id": p["id"], **a} for p in value
                                                          for a in p["allocations"]]))
            elif name == "referrals":
                archive.writestr("referrals.csv", _csv([{k: v for k, v in r.items() if k != "answers"}
                                                        for r in value]))
                archive.writestr("referral_answers.csv", _csv([{"referral_id": r["id"], **a} for r in value
                                                               for a in r["answers"]]))
            elif name == "profile":
                archive.writestr("profile.csv", _csv([value]))
            elif isinstance(value, list):
                archive.writestr(f"{name}.csv", _csv(value))
    return buffer.getvalue()


__all__ = ["my_data", "my_data_json", "my_data_zip"]
