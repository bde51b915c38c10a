"""A small county for the register tests (tests.models.world), a governorate officer and six accounts, on
SQLite and PostgreSQL; synthetic national codes (models.demo.residents)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from models.audit.log import record
from models.demo.residents import register_csv, synthetic_code
from models.orm.base import utcnow
from models.orm.people import User
from models.residents.register import import_register
from tests.models.world import World, build_world


@dataclass
class County:
    db: object
    w: World
    gov: int
    users: list[int]
    codes: list[str]


def make_county(db) -> County:
    with db.unit_of_work() as s:
        w = build_world(s)
        gov = User(name="gov", email="gov@example.org", password_hash="!x", is_governorate=True)
        s.add(gov)
        record(s, None, "test.created", gov)
        users = []
        for i in range(6):
            u = User(name=f"person{i}", email=f"p{i}@example.org", phone=f"+98911000000{i}", password_hash="!x",
                     phone_verified_at=utcnow())  # a claim asks for a confirmed phone
            s.add(u)
            record(s, None, "test.created", u)
            users.append(u.id)
    return County(db, w, gov.id, users, [synthetic_code(i + 1) for i in range(8)])


# codes[0..3]: Amol city (in the Central District), born 1360; codes[4]: Larijan, 1370; codes[5]: born 1395
# (10 years old in 1405); codes[6..7] are not in the register.
def standard_rows(codes):
    return [(codes[0], "Maryam Tabari", "amol-city", 1360), (codes[1], "Ali Rezaei", "Amol", "۱۳۶۰"),
            (codes[2], "Zahra Karimi", "آمل", 1360), (codes[3], "Reza Ahmadi", "AMOL-CITY", 1360),
            (codes[4], "Sara Moradi", "Larijan District", 1370), (codes[5], "Nima Hosseini", "markazi", 1395)]


def load_register(county: County, rows=None) -> None:
    with county.db.unit_of_work() as s:
        import_register(s, county.gov, register_csv(rows or standard_rows(county.codes)), "register.csv")


@pytest.fixture
def county(any_db) -> County:
    return make_county(any_db)


@pytest.fixture
def sqlite_county(db) -> County:
    return make_county(db)
