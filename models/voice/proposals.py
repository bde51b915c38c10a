"""Citizen proposals: making one, supporting it, adding evidence, routing it, browsing them (issue 21 items 1, 6).

Imports sqlalchemy and models only. Any active account may propose a problem or an untapped talent, addressed
to a table or to "don't know" (the governorate then routes it). A proposal is public at once, and so are the
files its author attached (they become private again when a moderator hides the proposal). Others support it
once each (the database refuses a second support) and add evidence with files of their own. Every change is
audited; the author and supporters are told of what happens to it (kind "citizen_proposal").
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.capacity import lock_rows
from models.core.enums import DistrictLevel
from models.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from models.core.notify import notify
from models.core.permissions import (
    active_user,
    is_chair_of,
    is_governorate,
    is_member_of,
    require_governorate,
)
from models.core.uploads import register_viewer, set_public, uploads_by_token
from models.orm.geo import District
from models.orm.people import User
from models.orm.proposals import CitizenProposal, ProposalAttachment, ProposalComment, ProposalSupport
from models.orm.tables import Table
from models.orm.uploads import Upload

KINDS = ("problem", "talent")
PURPOSE = "proposal_evidence"
OPEN_STATUSES = ("new", "diagnosis")
CLOSED_STATUSES = ("merged", "declined")
SORTS = ("support", "newest", "oldest")
PER_PAGE = 10
TITLE_MAX = 200
TEXT_MAX = 4000
SHORT_MAX = 200
MAX_FILES = 8


def is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def clean_text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """Trimmed text with control characters removed (newlines kept); refused when missing or too long."""
    text = value if isinstance(value, str) else ""
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text).strip()
    if required and not text:
        raise ValidationError("field_required", field=field)
    if len(text) > limit:
        raise ValidationError("text_too_long", field=field, maximum=limit)
    return text


@dataclass(frozen=True)
class ProposalInput:
    """What the form sends. Problem: body = what is wrong; talent: body = the untapped capacity."""

    kind: str
    title: str
    body: str
    district_id: int | None
    table_id: int | None = None      # None: "don't know"
    place: str = ""
    lat: float | None = None
    lon: float | None = None
    affected: str = ""
    evidence: str = ""
    since: str = ""
    serves: str = ""
    duration: str = ""
    upload_tokens: tuple[str, ...] = ()


def _district(session: Session, district_id: object) -> int:
    if not is_id(district_id) or session.scalar(select(District.id).where(
            District.id == district_id, District.level != DistrictLevel.COUNTY)) is None:
        raise ValidationError("proposal_district_required", field="district")
    return int(district_id)  # type: ignore[call-overload]


def open_table(session: Session, table_id: object, field: str = "table") -> Table:
    table = session.get(Table, table_id) if is_id(table_id) else None
    if table is None or table.archived_at is not None:
        raise ValidationError("proposal_table_unknown", field=field)
    return table


def _point(lat: object, lon: object) -> tuple[float | None, float | None]:
    if lat is None and lon is None:
        return None, None
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lon))
    if not ok or not (-90 <= lat <= 90 and -180 <= lon <= 180):  # type: ignore[operator]
        raise ValidationError("proposal_point_invalid", field="point")
    return float(lat), float(lon)  # type: ignore[arg-type]


def _fields(session: Session, data: ProposalInput) -> dict:
    if data.kind not in KINDS:
        raise ValidationError("proposal_kind_unknown", field="kind")
    problem = data.kind == "problem"
    lat, lon = _point(data.lat, data.lon)
    values = dict(
        kind=data.kind, title=clean_text(data.title, "title", TITLE_MAX, required=True),
        body=clean_text(data.body, "body", TEXT_MAX, required=True), district_id=_district(session, data.district_id),
        table_id=open_table(session, data.table_id).id if data.table_id is not None else None,
        place=clean_text(data.place, "place", SHORT_MAX), lat=lat, lon=lon,
        affected=clean_text(data.affected, "affected", TEXT_MAX) if problem else "",
        evidence=clean_text(data.evidence, "evidence", TEXT_MAX) if problem else "",
        since=clean_text(data.since, "since", SHORT_MAX) if problem else "",
        serves=clean_text(data.serves, "serves", TEXT_MAX, required=True) if not problem else "",
        duration=clean_text(data.duration, "duration", SHORT_MAX) if not problem else "",
    )
    return values


def _attach(session: Session, actor_id: int, proposal: CitizenProposal, tokens: tuple[str, ...] | list[str],
            comment_id: int | None = None) -> list[Upload]:
    tokens = list(tokens or ())
    if len(tokens) > MAX_FILES:
        raise ValidationError("proposal_too_many_files", field="file", maximum=MAX_FILES)
    uploads = uploads_by_token(session, tokens, actor_id)
    for upload in uploads:
        if upload.purpose != PURPOSE:
            raise ValidationError("upload_not_yours", field="file")
        if session.scalar(select(ProposalAttachment.id).where(ProposalAttachment.upload_id == upload.id)):
            raise Conflict("proposal_file_already_attached")
        link = ProposalAttachment(proposal_id=proposal.id, comment_id=comment_id, upload_id=upload.id)
        session.add(link)
        record(session, actor_id, "citizen_proposal.file_attached", link, table_id=proposal.table_id)
    set_public(session, actor_id, uploads, True)
    return uploads


def create_proposal(session: Session, actor_id: int, data: ProposalInput) -> CitizenProposal:
    """A signed-in citizen brings a problem or a talent; it is public at once."""
    if active_user(session, actor_id) is None:
        raise PermissionDenied("not_signed_in")
    proposal = CitizenProposal(author_id=actor_id, status="new", **_fields(session, data))
    session.add(proposal)
    record(session, actor_id, "citizen_proposal.created", proposal, table_id=proposal.table_id)
    _attach(session, actor_id, proposal, data.upload_tokens)
    if proposal.table_id is not None:
        chair = session.scalar(select(Table.chair_id).where(Table.id == proposal.table_id))
        if chair is not None and chair != actor_id:
            notify(session, chair, "citizen_proposal", event="new_for_table", **summary(proposal))
    return proposal


# --- reading ------------------------------------------------------------------------------------------


def summary(proposal: CitizenProposal) -> dict:
    """The notification params naming a proposal."""
    return {"proposal_id": proposal.id, "title": proposal.title[:120]}


def get_proposal(session: Session, proposal_id: object, *, lock: bool = False) -> CitizenProposal:
    if not is_id(proposal_id):
        raise NotFound("proposal_not_found")
    if lock:
        lock_rows(session, CitizenProposal, [proposal_id])  # type: ignore[list-item]
    proposal = session.get(CitizenProposal, proposal_id)
    if proposal is None:
        raise NotFound("proposal_not_found")
    return proposal


def supporter_ids(session: Session, proposal_id: int) -> list[int]:
    return list(session.scalars(select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == proposal_id)
                                .order_by(ProposalSupport.id)))


def support_count(session: Session, proposal_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ProposalSupport)
                          .where(ProposalSupport.proposal_id == proposal_id)) or 0


def supports(session: Session, user_id: int | None, proposal_id: int) -> bool:
    return user_id is not None and session.scalar(select(ProposalSupport.id).where(
        ProposalSupport.proposal_id == proposal_id, ProposalSupport.user_id == user_id)) is not None


def tell_people(session: Session, proposal: CitizenProposal, actor_id: int | None, event: str, **extra) -> None:
    """Notify the author and the supporters (never the person who acted)."""
    for uid in dict.fromkeys([proposal.author_id, *supporter_ids(session, proposal.id)]):
        if uid != actor_id:
            notify(session, uid, "citizen_proposal", event=event, **summary(proposal), **extra)


def may_moderate(session: Session, actor_id: object, proposal: CitizenProposal) -> bool:
    user = active_user(session, actor_id)
    if user is None:
        return False
    return bool(user.is_governorate) or (proposal.table_id is not None
                                         and is_chair_of(session, user.id, proposal.table_id))


def is_table_member(session: Session, actor_id: object, proposal: CitizenProposal) -> bool:
    """A member or the chair of the table the proposal is addressed to."""
    return proposal.table_id is not None and (is_member_of(session, actor_id, proposal.table_id)
                                              or is_chair_of(session, actor_id, proposal.table_id))


def attachments(session: Session, proposal_id: int) -> list[tuple[Upload, int | None]]:
    """(upload, comment id or None) of a proposal's files, oldest first, leaving out hidden ones."""
    rows = session.execute(select(Upload, ProposalAttachment.comment_id)
                           .join(ProposalAttachment, ProposalAttachment.upload_id == Upload.id)
                           .where(ProposalAttachment.proposal_id == proposal_id, Upload.hidden_at.is_(None))
                           .order_by(ProposalAttachment.id)).all()
    return [(u, c) for u, c in rows]


def _may_see_private_evidence(session: Session, user: User | None, upload: Upload) -> bool:
    """A private proposal file (its proposal hidden by a moderator) stays visible to that table's chair."""
    if user is None:
        return False
    proposal_id = session.scalar(select(ProposalAttachment.proposal_id).where(ProposalAttachment.upload_id == upload.id))
    proposal = session.get(CitizenProposal, proposal_id) if proposal_id else None
    return proposal is not None and may_moderate(session, user.id, proposal)


register_viewer(PURPOSE, _may_see_private_evidence)


# --- support and evidence -----------------------------------------------------------------------------


def _participable(session: Session, actor_id: int, proposal_id: object) -> CitizenProposal:
    if active_user(session, actor_id) is None:
        raise PermissionDenied("not_signed_in")
    proposal = get_proposal(session, proposal_id, lock=True)
    if proposal.hidden_at is not None:
        raise Conflict("proposal_hidden")
    if proposal.status in CLOSED_STATUSES:
        raise Conflict("proposal_closed", status=proposal.status)
    return proposal


def support(session: Session, actor_id: int, proposal_id: object) -> ProposalSupport:
    """One support per person; the author's own proposal needs none."""
    proposal = _participable(session, actor_id, proposal_id)
    if proposal.author_id == actor_id:
        raise Conflict("proposal_own_support")
    if supports(session, actor_id, proposal.id):
        raise Conflict("proposal_already_supported")
    # two tabs at once can pass the check above together: the unique constraint is then the last word, and the
    # second hears the same sentence (inside a savepoint, so the unit of work itself is not broken)
    row = ProposalSupport(proposal_id=proposal.id, user_id=actor_id)
    try:
        with session.begin_nested():
            session.add(row)
            record(session, actor_id, "citizen_proposal.supported", row, table_id=proposal.table_id)
            session.flush()
    except IntegrityError:
        raise Conflict("proposal_already_supported") from None
    if proposal.author_id != actor_id:
        notify(session, proposal.author_id, "citizen_proposal", event="supported", **summary(proposal))
    return row


def add_evidence(session: Session, actor_id: int, proposal_id: object, body: object,
                 upload_tokens: tuple[str, ...] | list[str] = ()) -> ProposalComment:
    """Anyone signed in adds what they know or saw, with photos or documents."""
    proposal = _participable(session, actor_id, proposal_id)
    text = clean_text(body, "evidence", TEXT_MAX)
    if not text and not upload_tokens:
        raise ValidationError("proposal_evidence_empty", field="evidence")
    comment = ProposalComment(proposal_id=proposal.id, author_id=actor_id, kind="evidence", body=text)
    session.add(comment)
    record(session, actor_id, "citizen_proposal.evidence_added", comment, table_id=proposal.table_id)
    _attach(session, actor_id, proposal, upload_tokens, comment.id)
    if proposal.author_id != actor_id:
        notify(session, proposal.author_id, "citizen_proposal", event="evidence_added", **summary(proposal))
    return comment


def route(session: Session, actor_id: int, proposal_id: object, table_id: object) -> CitizenProposal:
    """The governorate sends a "don't know" proposal (or one still undecided) to a table."""
    require_governorate(session, actor_id)
    proposal = get_proposal(session, proposal_id, lock=True)
    if proposal.status not in OPEN_STATUSES:
        raise Conflict("proposal_already_decided", status=proposal.status)
    table = open_table(session, table_id)
    if proposal.table_id == table.id:
        return proposal
    before = snapshot(proposal, ["table_id"])
    proposal.table_id = table.id
    record(session, actor_id, "citizen_proposal.routed", proposal, before=before, after={"table_id": table.id},
           table_id=table.id)
    tell_people(session, proposal, actor_id, "routed", table_fa=table.name_fa, table_en=table.name_en)
    if table.chair_id is not None and table.chair_id != actor_id:
        notify(session, table.chair_id, "citizen_proposal", event="new_for_table", **summary(proposal))
    return proposal


# --- browsing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalFilter:
    kind: str | None = None
    table_id: int | None = None
    unrouted: bool = False          # only the "don't know" ones (the governorate's queue)
    district_id: int | None = None
    status: str | None = None
    author_id: int | None = None
    sort: str = "support"
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class ProposalRow:
    id: int
    kind: str
    title: str
    status: str
    table_id: int | None
    table_fa: str | None
    table_en: str | None
    district_fa: str
    district_en: str
    supporters: int
    created_at: object
    hidden: bool


@dataclass(frozen=True)
class ProposalPage:
    items: list[ProposalRow]
    total: int
    page: int
    pages: int
    per_page: int


def _filtered(flt: ProposalFilter, *, public: bool):
    q = select(CitizenProposal)
    if public:
        q = q.where(CitizenProposal.hidden_at.is_(None))
    if flt.kind in KINDS:
        q = q.where(CitizenProposal.kind == flt.kind)
    if flt.unrouted:
        q = q.where(CitizenProposal.table_id.is_(None))
    elif flt.table_id is not None:
        q = q.where(CitizenProposal.table_id == flt.table_id)
    if flt.district_id is not None:
        inside = select(District.id).where((District.id == flt.district_id) | (District.parent_id == flt.district_id))
        q = q.where(CitizenProposal.district_id.in_(inside))
    if flt.status is not None:
        q = q.where(CitizenProposal.status == flt.status)
    if flt.author_id is not None:
        q = q.where(CitizenProposal.author_id == flt.author_id)
    return q


def browse(session: Session, flt: ProposalFilter, *, public: bool = True) -> ProposalPage:
    """One page of proposals (one count and one listing query); a page past the end shows the last."""
    base = _filtered(flt, public=public).subquery()
    total = session.scalar(select(func.count()).select_from(base)) or 0
    pages = max(1, math.ceil(total / flt.per_page))
    page = min(max(1, flt.page), pages)
    counts = (select(ProposalSupport.proposal_id, func.count().label("n"))
              .group_by(ProposalSupport.proposal_id).subquery())
    n = func.coalesce(counts.c.n, 0)
    order = {"support": (n.desc(), base.c.id.desc()), "newest": (base.c.id.desc(),),
             "oldest": (base.c.id.asc(),)}[flt.sort if flt.sort in SORTS else "support"]
    rows = session.execute(
        select(base.c.id, base.c.kind, base.c.title, base.c.status, base.c.table_id, Table.name_fa, Table.name_en,
               District.name_fa, District.name_en, n, base.c.created_at, base.c.hidden_at)
        .outerjoin(counts, counts.c.proposal_id == base.c.id).outerjoin(Table, Table.id == base.c.table_id)
        .join(District, District.id == base.c.district_id)
        .order_by(*order).limit(flt.per_page).offset((page - 1) * flt.per_page)).all()
    items = [ProposalRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], int(r[9]), r[10], r[11] is not None)
             for r in rows]
    return ProposalPage(items, total, page, pages, flt.per_page)


TRIAGE_STATES = ("new", "diagnosis", "answered", "adopted", "declined", "merged")


@dataclass(frozen=True)
class TriageQueue:
    """One state's page of a table's queue (oldest first, so nothing waits forgotten) and every state's count."""

    status: str
    counts: dict[str, int]
    page: ProposalPage


def may_triage(session: Session, actor_id: object, table_id: int | None) -> bool:
    """A table's queue: its members, its chair and the governorate; the "don't know" queue: the governorate."""
    if active_user(session, actor_id) is None:
        return False
    if is_governorate(session, actor_id):
        return True
    return table_id is not None and (is_member_of(session, actor_id, table_id)
                                     or is_chair_of(session, actor_id, table_id))


def triage(session: Session, actor_id: int, table_id: int | None, status: str = "new", page: int = 1,
           per_page: int = PER_PAGE) -> TriageQueue:
    """The table's proposals in one state, the longest waiting first, with their support counts and the count of
    each state (two statements and the page's); with table_id None, the proposals nobody has routed yet. Hidden
    ones are included (their moderators see them, marked)."""
    if not may_triage(session, actor_id, table_id):
        raise PermissionDenied("governorate_only" if table_id is None else "members_only")
    status = status if status in TRIAGE_STATES else "new"
    where = CitizenProposal.table_id.is_(None) if table_id is None else CitizenProposal.table_id == table_id
    counts = {st: 0 for st in TRIAGE_STATES}
    counts.update({st: int(n) for st, n in session.execute(
        select(CitizenProposal.status, func.count()).where(where).group_by(CitizenProposal.status)).all()})
    flt = ProposalFilter(table_id=table_id, unrouted=table_id is None, status=status, sort="oldest", page=page,
                         per_page=per_page)
    return TriageQueue(status, counts, browse(session, flt, public=False))


def open_count(session: Session, table_id: int) -> int:
    """How many of the table's proposals wait for it (new or under diagnosis): the table page's link says so."""
    return session.scalar(select(func.count()).select_from(CitizenProposal).where(
        CitizenProposal.table_id == table_id, CitizenProposal.status.in_(OPEN_STATUSES))) or 0


def unrouted_count(session: Session) -> int:
    """Open proposals addressed to "don't know", for the governorate's link to its routing queue."""
    return session.scalar(select(func.count()).select_from(CitizenProposal).where(
        CitizenProposal.table_id.is_(None), CitizenProposal.status.in_(OPEN_STATUSES))) or 0


@dataclass(frozen=True)
class ProposalOrigin:
    """The citizen proposal a project was adopted from (its page links back to it)."""

    id: int
    kind: str
    title: str
    supporters: int
    author_id: int


def origin_of_project(session: Session, project_id: int) -> ProposalOrigin | None:
    """One statement: the proposal adopted into the project and its number of supporters, or None."""
    counted = (select(func.count()).select_from(ProposalSupport)
               .where(ProposalSupport.proposal_id == CitizenProposal.id).scalar_subquery())
    row = session.execute(select(CitizenProposal.id, CitizenProposal.kind, CitizenProposal.title, counted,
                                 CitizenProposal.author_id, CitizenProposal.hidden_at)
                          .where(CitizenProposal.project_id == project_id)).first()
    if row is None or row[5] is not None:  # a hidden proposal is not linked from a public page
        return None
    return ProposalOrigin(row[0], row[1], row[2], int(row[3] or 0), row[4])


__all__ = ["KINDS", "PURPOSE", "SORTS", "ProposalFilter", "ProposalInput", "ProposalPage", "ProposalRow",
           "ProposalOrigin", "TRIAGE_STATES", "TriageQueue", "add_evidence", "attachments", "browse",
           "create_proposal", "get_proposal", "is_table_member", "may_moderate", "may_triage", "open_count",
           "origin_of_project", "route", "support", "support_count", "supporter_ids", "supports", "tell_people",
           "triage", "unrouted_count"]
