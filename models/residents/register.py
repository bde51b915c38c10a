"""Importing the resident register from a CSV or Excel file, all or nothing.

Imports openpyxl, sqlalchemy and models only. A file has a header row naming four columns (English or
Persian: national_code / کد ملی, name / نام, district / بخش, birth_year / سال تولد) and one resident per
row. Every row is checked before anything is written: a valid national code (models.core.national_code),
a name, a district known by its code (slug) or its Persian or English name, a Jalali birth year; a
national code on two rows is reported on the second with the first's line. Any problem: nothing is
imported and every problem is reported by line (ValidationError "register_rows_invalid" whose
`problems` are {"line", "code", ...params} dicts the page words one by one).

Re-import **replaces** the register: the file is the whole register. A person in the file and already
in the register keeps their row (and the account that claimed it), with the file's birth year and
district; a new person gets a row; a person no longer in the file is marked removed (`removed_at`: no
longer a resident, so no longer eligible where residence counts; their account is notified) and comes
back if a later file lists them. Rows are never deleted, so claims and "voted" markers stay meaningful.
One audit event per import (`register.imported`: the file's name and sha256 and the counts; never a
national code); rows are written by Core statements in the same transaction.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core import national_code
from models.core.errors import ValidationError
from models.core.notify import notify
from models.core.permissions import require_governorate
from models.core.residency import jalali_year, national_digest
from models.orm.base import utcnow
from models.orm.geo import District
from models.orm.residents import Resident, ResidentImport

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_PROBLEMS = 200        # reported one by one; beyond that the count says how many more
MIN_BIRTH_YEAR = 1280
COLUMNS = {
    "national_code": ("national_code", "national code", "nationalcode", "code", "کد ملی", "کدملی", "شماره ملی"),
    "name": ("name", "full name", "full_name", "نام", "نام و نام خانوادگی"),
    "district": ("district", "district_code", "بخش", "محل سکونت", "محل"),
    "birth_year": ("birth_year", "birth year", "year of birth", "سال تولد", "سال_تولد"),
}
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


@dataclass(frozen=True)
class Row:
    line: int
    code: str
    birth_year: int
    district_id: int


@dataclass
class Plan:
    """What importing a file would do: counts, and the Core writes behind them."""
    rows: list[Row]
    new: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    unchanged: int = 0
    removed: list[int] = field(default_factory=list)


def _fold(text: object) -> str:
    return " ".join(str(text).translate(_DIGITS).replace("\u200c", " ").split()).casefold() if text is not None else ""


def _table(data: bytes) -> list[tuple[int, list[object]]]:
    """(line number, cells) of every row of a CSV (UTF-8) or .xlsx file, header included."""
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer to the officer
            raise ValidationError("register_file_unreadable", field="file") from None
        return [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("register_file_not_utf8", field="file") from None
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")  # type: ignore[assignment]
    except csv.Error:
        pass
    return [(n, list(cells)) for n, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]


def _header(cells: list[object]) -> dict[str, int]:
    folded = [_fold(c) for c in cells]
    where = {}
    for column, names in COLUMNS.items():
        hits = [i for i, c in enumerate(folded) if c in {_fold(n) for n in names}]
        if not hits:
            raise ValidationError("register_column_missing", field="file", column=column)
        where[column] = hits[0]
    return where


class _Districts:
    """Districts by slug and by Persian or English name (a name two places share must be given as a code)."""

    def __init__(self, session: Session) -> None:
        self.by_key: dict[str, set[int]] = {}
        for d in session.scalars(select(District)):
            for key in {_fold(d.slug), _fold(d.name_fa), _fold(d.name_en)}:
                self.by_key.setdefault(key, set()).add(d.id)

    def find(self, value: object) -> tuple[int | None, str | None]:
        found = self.by_key.get(_fold(value), set())
        if len(found) == 1:
            return next(iter(found)), None
        return None, "register_district_ambiguous" if found else "register_district_unknown"


def _birth_year(value: object, this_year: int) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).translate(_DIGITS).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit():
        return None
    year = int(text)
    return year if MIN_BIRTH_YEAR <= year <= this_year else None


def _cell(cells: list[object], index: int) -> object:
    value = cells[index] if index < len(cells) else None
    return value.strip() if isinstance(value, str) else value


def _check_row(line: int, cells: list[object], where: dict[str, int], districts: _Districts, this_year: int,
               seen: dict[str, int], problems: list[dict]) -> Row | None:
    found = len(problems)
    raw_code = _cell(cells, where["national_code"])
    code = national_code.normalise(raw_code)
    if code is None:
        problems.append({"line": line, "code": "register_national_code_invalid", "value": str(raw_code or "")[:20]})
    elif code in seen:
        problems.append({"line": line, "code": "register_duplicate", "first_line": seen[code]})
    else:
        seen[code] = line
    if not str(_cell(cells, where["name"]) or "").strip():
        problems.append({"line": line, "code": "register_name_missing"})
    district_id, why = districts.find(_cell(cells, where["district"]))
    if why:
        problems.append({"line": line, "code": why, "value": str(_cell(cells, where["district"]) or "")[:60]})
    raw_year = _cell(cells, where["birth_year"])
    year = _birth_year(raw_year, this_year)
    if year is None:
        problems.append({"line": line, "code": "register_birth_year_invalid", "value": str(raw_year or "")[:10]})
    if len(problems) > found or code is None or year is None or district_id is None:
        return None
    return Row(line, code, year, district_id)


def read_register(session: Session, data: bytes, now: datetime | None = None) -> list[Row]:
    """Every row of the file, checked; ValidationError listing every problem by line when there is one."""
    if not isinstance(data, (bytes, bytearray)) or not data.strip():
        raise ValidationError("register_file_empty", field="file")
    if len(data) > MAX_BYTES:
        raise ValidationError("register_file_too_large", field="file", maximum_mb=MAX_BYTES // (1024 * 1024))
    table = [(n, cells) for n, cells in _table(bytes(data)) if any(_fold(c) for c in cells)]
    if not table:
        raise ValidationError("register_file_empty", field="file")
    where = _header(table[0][1])
    if len(table) - 1 > MAX_ROWS:
        raise ValidationError("register_too_many_rows", field="file", maximum=MAX_ROWS)
    districts, this_year = _Districts(session), jalali_year(now)
    rows: list[Row] = []
    problems: list[dict] = []
    seen: dict[str, int] = {}
    for line, cells in table[1:]:
        row = _check_row(line, cells, where, districts, this_year, seen, problems)
        if row is not None:
            rows.append(row)
    if problems:
        raise ValidationError("register_rows_invalid", field="file", count=len(problems),
                              problems=problems[:MAX_PROBLEMS], more=max(0, len(problems) - MAX_PROBLEMS))
    if not rows:
        raise ValidationError("register_file_empty", field="file")
    return rows


def plan_import(session: Session, rows: list[Row]) -> Plan:
    """Compare the file's rows with the register (the file replaces it; see the module's docstring)."""
    existing = {digest: (rid, year, district, removed) for rid, digest, year, district, removed in session.execute(
        select(Resident.id, Resident.national_digest, Resident.birth_year, Resident.district_id, Resident.removed_at))}
    plan = Plan(rows)
    listed = set()
    for row in rows:
        digest = national_digest(session, row.code)
        listed.add(digest)
        old = existing.get(digest)
        if old is None:
            plan.new.append({"national_digest": digest, "birth_year": row.birth_year, "district_id": row.district_id})
        elif (old[1], old[2], old[3]) != (row.birth_year, row.district_id, None):
            plan.changed.append({"rid": old[0], "birth_year": row.birth_year, "district_id": row.district_id})
        else:
            plan.unchanged += 1
    plan.removed = sorted(rid for digest, (rid, _y, _d, removed) in existing.items()
                          if digest not in listed and removed is None)
    return plan


def import_register(session: Session, actor_id: int, data: bytes, file_name: str,
                    now: datetime | None = None) -> ResidentImport:
    """The governorate imports a register file; all or nothing (the caller's one transaction)."""
    require_governorate(session, actor_id)
    plan = plan_import(session, read_register(session, data, now))
    now = now or utcnow()
    name = " ".join(str(file_name or "register").split())[:200] or "register"
    imp = ResidentImport(file_name=name, file_sha256=hashlib.sha256(bytes(data)).hexdigest(), rows=len(plan.rows),
                         added=len(plan.new), updated=len(plan.changed), unchanged=plan.unchanged,
                         removed=len(plan.removed), imported_by_id=actor_id, imported_at=now)
    session.add(imp)
    session.flush()
    _write(session, plan, imp.id, now)
    record(session, actor_id, "register.imported", imp)
    return imp


def _write(session: Session, plan: Plan, import_id: int, now: datetime) -> None:
    for start in range(0, len(plan.new), 5000):
        session.execute(insert(Resident), [dict(r, import_id=import_id) for r in plan.new[start:start + 5000]])
    if plan.changed:
        table = cast(Table, Resident.__table__)      # Core: an executemany by a bound id (the ORM would want the primary key)
        session.execute(update(table).where(table.c.id == bindparam("rid")).values(
            birth_year=bindparam("birth_year"), district_id=bindparam("district_id"), import_id=import_id,
            removed_at=None), plan.changed)
    claimed: list[int] = []
    for start in range(0, len(plan.removed), 900):
        chunk = plan.removed[start:start + 900]
        claimed += [u for u in session.scalars(select(Resident.user_id).where(Resident.id.in_(chunk)))
                    if u is not None]
        session.execute(update(Resident).where(Resident.id.in_(chunk)).values(removed_at=now)
                        .execution_options(synchronize_session=False))
    for user_id in claimed:
        notify(session, user_id, "resident_removed")


def register_summary(session: Session, actor_id: int, limit: int = 10) -> tuple[int, int, list[ResidentImport]]:
    """(residents in the register now, of them claimed by an account, the latest imports) for the page."""
    from sqlalchemy import func

    require_governorate(session, actor_id)
    current = session.scalar(select(func.count(Resident.id)).where(Resident.removed_at.is_(None))) or 0
    claimed = session.scalar(select(func.count(Resident.id)).where(Resident.removed_at.is_(None),
                                                                   Resident.user_id.is_not(None))) or 0
    imports = list(session.scalars(select(ResidentImport).order_by(ResidentImport.id.desc()).limit(limit)))
    return current, claimed, imports


__all__ = ["COLUMNS", "Row", "import_register", "plan_import", "read_register", "register_summary"]
