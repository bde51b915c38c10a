"""Importing the resident register (models.residents.register): a good file, every bad row reported by line,
duplicates, all or nothing, re-import replacing the register, Excel, and nothing of a national code stored."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from models.audit.log import record
from models.core.errors import PermissionDenied, ValidationError
from models.core.residency import national_digest
from models.demo.residents import register_csv
from models.orm.audit_event import AuditEvent
from models.orm.notifications import Notification
from models.orm.residents import Resident, ResidentImport
from models.residents.claims import claim
from models.residents.register import import_register
from tests.residents.conftest import load_register, standard_rows


def _residents(db):
    with db.reader() as s:
        return {r.national_digest: (r.birth_year, r.district_id, r.removed_at is None)
                for r in s.scalars(select(Resident))}


def _import(county, data, name="register.csv"):
    with county.db.unit_of_work() as s:
        imp = import_register(s, county.gov, data, name)
        return imp.added, imp.updated, imp.unchanged, imp.removed


def _problems(county, data):
    with pytest.raises(ValidationError) as err:
        _import(county, data)
    assert err.value.code == "register_rows_invalid"
    return [(p["line"], p["code"]) for p in err.value.params["problems"]]


def test_a_good_file_is_imported_with_digests_only(county):
    assert _import(county, register_csv(standard_rows(county.codes))) == (6, 0, 0, 0)
    stored = _residents(county.db)
    with county.db.reader() as s:
        digests = {national_digest(s, c) for c in county.codes[:6]}
        assert set(stored) == digests
        assert stored[national_digest(s, county.codes[4])] == (1370, county.w.larijan, True)
        assert stored[national_digest(s, county.codes[1])] == (1360, county.w.amol, True)  # "Amol", ۱۳۶۰
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "register.imported"))
        assert event.actor_id == county.gov and event.after["added"] == 6
    # no national code anywhere: not in the register's rows, not in the audit log
    with county.db.engine.connect() as conn:
        dump = "\n".join(str(row) for table in ("residents", "resident_imports", "audit_events")
                         for row in conn.exec_driver_sql(f"SELECT * FROM {table}"))
    assert not any(code in dump for code in county.codes)


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(county):
    c = county.codes
    rows = [(c[0], "Maryam", "amol-city", 1360),          # line 2: good
            ("0012345678", "Bad check", "amol-city", 1360),  # 3: checksum
            (c[1], "", "amol-city", 1360),                # 4: no name
            (c[2], "Nowhere", "atlantis", 1360),          # 5: unknown district
            (c[3], "Gregorian", "amol-city", 1985),       # 6: a Gregorian year
            (c[0], "Twice", "amol-city", 1360),           # 7: the national code of line 2 again
            (c[4], "Future", "larijan", 1499)]            # 8: born after this year
    problems = _problems(county, register_csv(rows))
    assert problems == [(3, "register_national_code_invalid"), (4, "register_name_missing"),
                        (5, "register_district_unknown"), (6, "register_birth_year_invalid"),
                        (7, "register_duplicate"), (8, "register_birth_year_invalid")]
    with pytest.raises(ValidationError) as err:
        _import(county, register_csv(rows))
    dup = [p for p in err.value.params["problems"] if p["code"] == "register_duplicate"][0]
    assert dup["first_line"] == 2
    assert _residents(county.db) == {}
    with county.db.reader() as s:
        assert s.scalar(select(func.count(ResidentImport.id))) == 0


def test_one_bad_row_among_many_imports_nothing(county):
    rows = standard_rows(county.codes) + [(county.codes[6], "Ok", "larijan", 1350), ("12", "x", "larijan", 1350)]
    assert _problems(county, register_csv(rows)) == [(9, "register_national_code_invalid")]
    assert _residents(county.db) == {}


def test_the_header_is_required_and_persian_headers_work(county):
    with pytest.raises(ValidationError) as err:
        _import(county, register_csv(standard_rows(county.codes), header=("code", "name", "where", "year")))
    assert err.value.code == "register_column_missing"
    persian = register_csv(standard_rows(county.codes), header=("کد ملی", "نام", "بخش", "سال تولد"))
    assert _import(county, persian) == (6, 0, 0, 0)


def test_bad_files_are_refused_with_a_sentence(county):
    for data, code in ((b"", "register_file_empty"), (b"\xff\xfe\x00bad", "register_file_not_utf8"),
                       (b"PK\x03\x04not a workbook", "register_file_unreadable")):
        with pytest.raises(ValidationError) as err:
            _import(county, data)
        assert err.value.code == code


def test_only_the_governorate_imports(county):
    with county.db.unit_of_work() as s, pytest.raises(PermissionDenied):
        import_register(s, county.users[0], register_csv(standard_rows(county.codes)), "r.csv")


def test_an_excel_file_reports_its_row_numbers(county):
    book = Workbook()
    sheet = book.active
    sheet.append(["national_code", "name", "district", "birth_year"])
    sheet.append([int(county.codes[0]), "Maryam", "amol-city", 1360])   # a number: leading zeros lost
    sheet.append([])                                                     # an empty row (line 3) is skipped
    sheet.append([county.codes[1], "Ali", "Larijan District", 1370.0])
    sheet.append(["۰۰۰", "Short", "larijan", 1370])
    buffer = io.BytesIO()
    book.save(buffer)
    assert _problems(county, buffer.getvalue()) == [(5, "register_national_code_invalid")]
    sheet.delete_rows(5)
    buffer = io.BytesIO()
    book.save(buffer)
    assert _import(county, buffer.getvalue(), "register.xlsx") == (2, 0, 0, 0)


def test_a_new_file_replaces_the_register_and_keeps_claims(county):
    load_register(county)
    with county.db.unit_of_work() as s:
        claim(s, county.users[0], county.codes[0], 1360)
    c = county.codes
    second = [(c[1], "Ali", "amol-city", 1361),            # changed birth year
              (c[2], "Zahra", "amol-city", 1360),          # unchanged
              (c[6], "New person", "larijan", 1380)]       # new; c[0] (claimed), c[3], c[4], c[5] are gone
    assert _import(county, register_csv(second)) == (1, 1, 1, 4)
    stored = _residents(county.db)
    with county.db.reader() as s:
        assert stored[national_digest(s, c[0])][2] is False          # removed, row kept
        assert stored[national_digest(s, c[1])] == (1361, county.w.amol, True)
        gone = s.scalar(select(Resident).where(Resident.national_digest == national_digest(s, c[0])))
        assert gone.user_id == county.users[0]                        # the claim stays on the row
        kinds = list(s.scalars(select(Notification.kind).where(Notification.user_id == county.users[0])))
        assert kinds == ["resident_removed"]
    # listed again: back in the register, with the same row and claim
    assert _import(county, register_csv(second + [(c[0], "Maryam", "amol-city", 1360)])) == (0, 1, 3, 0)
    with county.db.reader() as s:
        back = s.scalar(select(Resident).where(Resident.national_digest == national_digest(s, c[0])))
        assert back.removed_at is None and back.user_id == county.users[0]


def test_a_national_code_stored_under_another_key_matches_nothing(sqlite_county):
    """The digest is keyed: the same code under another deployment's key is another digest."""
    from models.core.residency import configure_register_key, register_key_from_secret

    county = sqlite_county
    load_register(county)
    configure_register_key(county.db, register_key_from_secret("another deployment's secret"))
    try:
        with county.db.unit_of_work() as s:
            with pytest.raises(Exception) as err:
                claim(s, county.users[0], county.codes[0], 1360)
            assert getattr(err.value, "code", None) == "resident_not_matched"
            record(s, None, "test.noop", s.get(Resident, 1))
    finally:
        from models.core import residency

        residency._KEYS._keys.pop(county.db.engine, None)


def test_the_demo_register_imports_into_the_demo(demo_db):
    """The synthetic register (models.demo.residents.demo_register) fits the demo county's places."""
    from models.demo.residents import demo_register
    from models.orm.people import User

    with demo_db.reader() as s:
        gov = s.scalar(select(User.id).where(User.email == "gov@hamyar.local"))
    with demo_db.unit_of_work() as s:
        imp = import_register(s, gov, demo_register(), "demo-register.csv")
        assert (imp.rows, imp.added) == (60, 60)
