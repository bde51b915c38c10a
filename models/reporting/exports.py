"""Exports of pledges, allocations, projects, matching runs and the audit log, as CSV or Excel (xlsx).

Imports sqlalchemy, openpyxl and models only. A sheet is column keys plus rows read in one query
that follows the dashboard's filters; the page gives the headers in the user's language and turns
enum values into words. Citizens' phone numbers and e-mail addresses appear only when the caller
asks for them explicitly (`include_contacts=True`). An empty result is a file with headers only.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from models.core.enums import FIXED_ALLOCATION
from models.orm.geo import District
from models.orm.people import User
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table
from models.reporting.audit_views import AuditFilter, describe_events, filtered_events
from models.reporting.dashboard import (
    DashboardFilter,
    day_start_utc,
    rate_joins,
    top_district_expr,
    value_expr,
)

SHEETS = ("pledges", "allocations", "projects", "runs", "audit")
FORMATS = ("csv", "xlsx")
MAX_ROWS = 200_000


@dataclass
class Sheet:
    name: str
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)


def _dates(stmt, col, f: DashboardFilter):
    if f.date_from:
        stmt = stmt.where(col >= day_start_utc(f.date_from))
    if f.date_to:
        stmt = stmt.where(col < day_start_utc(f.date_to + timedelta(days=1)))
    return stmt


def _district(stmt, district, f: DashboardFilter):
    if f.district_id is not None:
        stmt = stmt.where(or_(top_district_expr(district) == f.district_id, district.id == f.district_id))
    return stmt


def _named(lang: str, fa_col, en_col):
    """The English name where there is one (English exports), else the Persian."""
    if lang == "en":
        return func.coalesce(func.nullif(en_col, ""), fa_col)
    return fa_col


def pledges_sheet(session: Session, f: DashboardFilter, *, include_contacts: bool = False, lang: str = "fa") -> Sheet:
    """Pledges made in the date range, of the kind, from the district; for a table: those matched to it."""
    district = aliased(District, name="pledge_district")
    columns = ["pledge_id", "created_at", "citizen_id", "citizen_name"]
    if include_contacts:
        columns += ["phone", "email"]
    columns += ["kind", "quantity", "withdrawn_quantity", "description", "district", "status", "divisible"]
    contact_cols = [User.phone, User.email] if include_contacts else []
    stmt = (select(Pledge.id, Pledge.created_at, User.id, User.name, *contact_cols, Pledge.kind, Pledge.quantity,
                   Pledge.withdrawn_quantity, Pledge.description, _named(lang, district.name_fa, district.name_en),
                   Pledge.status, Pledge.divisible)
            .join(User, User.id == Pledge.citizen_id).outerjoin(district, district.id == Pledge.district_id)
            .order_by(Pledge.id).limit(MAX_ROWS))
    stmt = _dates(stmt, Pledge.created_at, f)
    if f.kind is not None:
        stmt = stmt.where(Pledge.kind == f.kind)
    stmt = _district(stmt, district, f)
    if f.table_id is not None:
        stmt = stmt.where(Pledge.id.in_(select(Allocation.pledge_id).join(Need, Need.id == Allocation.need_id)
                                        .join(Project, Project.id == Need.project_id)
                                        .where(Project.table_id == f.table_id)))
    return Sheet("pledges", columns, [tuple(r) for r in session.execute(stmt)])


def allocations_sheet(session: Session, f: DashboardFilter, *, include_contacts: bool = False,
                      lang: str = "fa") -> Sheet:
    """Every allocation (any status) on the filter's table, kind and project district, decided in the range."""
    district = aliased(District, name="project_district")
    decider = aliased(User, name="decider")
    columns = ["allocation_id", "status", "kind", "quantity", "value_rials", "pledge_id", "citizen_name"]
    if include_contacts:
        columns += ["phone", "email"]
    columns += ["project_id", "project", "table", "district", "decided_by", "decided_at", "delivered_at",
                "reject_reason", "matching_run_id"]
    contact_cols = [User.phone, User.email] if include_contacts else []
    stmt = (select(Allocation.id).select_from(Allocation).join(Pledge, Pledge.id == Allocation.pledge_id)
            .join(User, User.id == Pledge.citizen_id).join(Need, Need.id == Allocation.need_id)
            .join(Project, Project.id == Need.project_id).join(Table, Table.id == Project.table_id)
            .outerjoin(district, district.id == Project.district_id)
            .outerjoin(decider, decider.id == Allocation.decided_by_id))
    stmt, item_rate, default_rate = rate_joins(stmt, Pledge.kind, Pledge.description)
    stmt = stmt.with_only_columns(
        Allocation.id, Allocation.status, Pledge.kind, Allocation.quantity,
        value_expr(Pledge.kind, Allocation.quantity, item_rate, default_rate), Pledge.id, User.name, *contact_cols,
        Project.id, _named(lang, Project.title_fa, Project.title_en), _named(lang, Table.name_fa, Table.name_en),
        _named(lang, district.name_fa, district.name_en), decider.name, Allocation.decided_at,
        Allocation.delivered_at, Allocation.reject_reason, Allocation.matching_run_id,
    ).order_by(Allocation.id).limit(MAX_ROWS)
    stmt = _dates(stmt, func.coalesce(Allocation.decided_at, Allocation.created_at), f)
    if f.table_id is not None:
        stmt = stmt.where(Project.table_id == f.table_id)
    if f.kind is not None:
        stmt = stmt.where(Pledge.kind == f.kind)
    stmt = _district(stmt, district, f)
    return Sheet("allocations", columns, [tuple(r) for r in session.execute(stmt)])


def projects_sheet(session: Session, f: DashboardFilter, *, lang: str = "fa") -> Sheet:
    """Projects of the table and district (created in the range), with needed and mobilised quantities."""
    district = aliased(District, name="project_district")
    needed = select(Need.project_id).select_from(Need).where(Need.removed_at.is_(None))
    needed, n_rate, n_default = rate_joins(needed, Need.kind, Need.description)
    needed = needed.with_only_columns(
        Need.project_id, func.sum(value_expr(Need.kind, Need.quantity, n_rate, n_default)).label("q"),
        func.count().label("n")).group_by(Need.project_id)
    fixed = select(Need.project_id).select_from(Need).join(Allocation, Allocation.need_id == Need.id)
    fixed, f_rate, f_default = rate_joins(fixed, Need.kind, Need.description)
    fixed = fixed.with_only_columns(
        Need.project_id, func.sum(value_expr(Need.kind, Allocation.quantity, f_rate, f_default)).label("q"),
    ).where(Allocation.status.in_(FIXED_ALLOCATION)).group_by(Need.project_id)
    if f.kind is not None:
        needed = needed.where(Need.kind == f.kind)
        fixed = fixed.where(Need.kind == f.kind)
    needed, fixed = needed.subquery("needed"), fixed.subquery("fixed")
    columns = ["project_id", "title_fa", "title_en", "table", "project_kind", "status", "priority", "district",
               "estimated_cost_rials", "needs", "needed_value_rials", "mobilised_value_rials", "created_at"]
    stmt = (select(Project.id, Project.title_fa, Project.title_en, _named(lang, Table.name_fa, Table.name_en),
                   Project.kind, Project.status, Project.priority, _named(lang, district.name_fa, district.name_en),
                   Project.estimated_cost_rials, func.coalesce(needed.c.n, 0),
                   func.coalesce(needed.c.q, 0), func.coalesce(fixed.c.q, 0), Project.created_at)
            .join(Table, Table.id == Project.table_id).outerjoin(district, district.id == Project.district_id)
            .outerjoin(needed, needed.c.project_id == Project.id).outerjoin(fixed, fixed.c.project_id == Project.id)
            .order_by(Project.id).limit(MAX_ROWS))
    stmt = _dates(stmt, Project.created_at, f)
    if f.table_id is not None:
        stmt = stmt.where(Project.table_id == f.table_id)
    if f.kind is not None:
        stmt = stmt.where(needed.c.n > 0)
    stmt = _district(stmt, district, f)
    return Sheet("projects", columns, [tuple(r) for r in session.execute(stmt)])


def runs_sheet(session: Session, f: DashboardFilter, *, lang: str = "fa") -> Sheet:
    starter = aliased(User, name="starter")
    columns = ["run_id", "started_at", "started_by", "scope", "table", "status", "pledges", "needs", "pairs",
               "proposed", "withdrawn", "objective", "gap", "seconds"]
    stmt = (select(MatchingRun.id, MatchingRun.started_at, starter.name, MatchingRun.scope,
                   _named(lang, Table.name_fa, Table.name_en),
                   MatchingRun.status, MatchingRun.n_pledges, MatchingRun.n_needs, MatchingRun.n_pairs,
                   MatchingRun.n_proposed, MatchingRun.n_withdrawn, MatchingRun.objective, MatchingRun.gap,
                   MatchingRun.seconds)
            .outerjoin(starter, starter.id == MatchingRun.started_by_id)
            .outerjoin(Table, Table.id == MatchingRun.table_id).order_by(MatchingRun.id).limit(MAX_ROWS))
    stmt = _dates(stmt, MatchingRun.started_at, f)
    if f.table_id is not None:
        stmt = stmt.where(MatchingRun.table_id == f.table_id)
    return Sheet("runs", columns, [tuple(r) for r in session.execute(stmt)])


def audit_sheet(session: Session, f: AuditFilter, describe: Callable[[Any], str] | None = None,
                lang: str = "fa") -> Sheet:
    """The filtered audit log, oldest first; `describe(line)` adds the readable sentence."""
    columns = ["event_id", "at", "actor_id", "actor", "action", "object_type", "object_id", "table", "before",
               "after"] + (["description"] if describe else [])
    events = list(session.scalars(filtered_events(f).limit(MAX_ROWS)))
    lines = describe_events(session, events)
    rows = []
    for line in reversed(lines):
        row = (line.id, line.at, line.actor_id, line.actor_name, line.action, line.object_type, line.object_id,
               (line.table_en or line.table_fa) if lang == "en" else line.table_fa, _json(line.before),
               _json(line.after))
        rows.append(row + ((describe(line),) if describe else ()))
    return Sheet("audit", columns, rows)


def _json(value: Any) -> str:
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- the audit anchor every export carries (issue 18 item 1) ---------------------------------------


def anchor_rows(session: Session) -> list[tuple[str, Any]]:
    """Where the audit log ended when the file was made, and its newest anchor: whoever holds the file
    can later check that log against it (`hamyar audit verify --anchors`)."""
    from models.audit.anchors import chain_head_of, latest_anchor
    from models.audit.keys import config_of

    head = chain_head_of(session.get_bind())
    rows: list[tuple[str, Any]] = [("chain_head_event_id", head.event_id), ("chain_head_hash", head.hash)]
    anchor = latest_anchor(config_of(session).anchor_file)
    if anchor is not None:
        rows += [("anchor_event_id", anchor.event_id), ("anchor_hash", anchor.hash),
                 ("anchored_at", anchor.anchored_at)]
    return rows


# --- writing files --------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):  # enums
        return value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        from models.reporting.dashboard import TEHRAN

        return value.astimezone(TEHRAN).replace(tzinfo=None)
    return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
           anchor: Sequence[tuple[str, Any]] | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Persian text correctly; `anchor`
    (anchor_rows) follows the data after an empty line and a `#hamyar-audit-anchor` line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _text_cell(_cell(v)) for v in row])
    if anchor:
        writer.writerow([])
        writer.writerow(["#hamyar-audit-anchor"])
        writer.writerows([key, value] for key, value in anchor)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _looks_numeric(value):
        return "'" + value  # no formulas smuggled into a spreadsheet
    return value


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Hamyar",
            right_to_left: bool = False, anchor: Sequence[tuple[str, Any]] | None = None) -> bytes:
    """One worksheet: bold frozen headers, real numbers and dates, right-to-left for Persian; `anchor`
    (anchor_rows) on a second worksheet, "audit-anchor"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31] or "Hamyar"
    ws.sheet_view.rightToLeft = right_to_left
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        values = []
        for v in row:
            v = _cell(v)
            if isinstance(v, str) and v[:1] == "=":
                v = "'" + v
            values.append(v)
        ws.append(values)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(str(header)) + 4))
    if anchor:
        sheet = wb.create_sheet("audit-anchor")
        for key, value in anchor:
            sheet.append([key, value])
        sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 22, 70
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["FORMATS", "SHEETS", "Sheet", "allocations_sheet", "anchor_rows", "audit_sheet", "pledges_sheet", "projects_sheet",
           "runs_sheet", "to_csv", "to_xlsx"]
