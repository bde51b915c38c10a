"""Migrations build exactly the models' schema; the demo seed is complete and reproducible."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, inspect, select

from models.core.enums import AllocationStatus
from models.core.schema import current_revision, head_revision, schema_differences
from models.demo.seed import seed_demo
from models.orm.audit_event import AuditEvent
from models.orm.base import Base
from models.orm.geo import District
from models.orm.people import User
from models.orm.pledges import Allocation, Pledge
from models.orm.projects import Need, Project
from models.orm.tables import Table


def test_migrations_from_empty_match_the_models(any_db):
    assert current_revision(any_db) == head_revision()
    assert schema_differences(any_db) == []
    assert set(Base.metadata.tables) <= set(inspect(any_db.engine).get_table_names())


def _dump(db) -> dict[str, list[tuple]]:
    """Every row of every table, ordered, as plain tuples."""
    out = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*table.primary_key.columns))]
    return out


def test_seed_demo_is_complete(any_db):
    with any_db.unit_of_work() as s:
        summary = seed_demo(s)
    with any_db.reader() as s:
        count = lambda model: s.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Table) == 10
        assert 45 <= count(Project) <= 60
        assert count(Pledge) == 5000
        assert count(User) >= 3000
        kinds = set(s.scalars(select(Need.kind).distinct()))
        assert {k.value for k in kinds} == {"financial", "logistics", "design", "execution"}
        names = set(s.scalars(select(District.name_en)))
        assert {"Central District", "Larijan District", "Dabudasht District", "Dasht-e Sar District",
                "Emamzadeh Abdollah District", "Amol", "Rineh", "Gazanak"} <= names
        statuses = {a for a in s.scalars(select(Allocation.status).distinct())}
        assert {AllocationStatus.PROPOSED, AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED} <= statuses
        assert all(t.chair_id is not None for t in s.scalars(select(Table)))
        # Money in rials: many small pledges, a few large ones.
        money = sorted(s.scalars(select(Pledge.quantity).where(Pledge.kind == "financial")))
        assert money[len(money) // 2] < 20_000_000 < money[-1]
        # No pledge or need is over-allocated.
        for model, col in ((Pledge, Allocation.pledge_id), (Need, Allocation.need_id)):
            over = s.execute(select(col, func.sum(Allocation.quantity), model.quantity).join(model, model.id == col)
                             .group_by(col, model.quantity).having(func.sum(Allocation.quantity) > model.quantity)).all()
            assert over == []
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "allocation.accepted")) > 0
    assert set(summary.accounts) == {"governorate", "chair", "member", "citizen"}


def test_demo_accounts_log_in_with_the_printed_password(demo_db):
    from models.accounts.users import authenticate
    from models.core.permissions import roles_of
    from models.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD

    with demo_db.reader() as s:
        roles = {}
        for role, (login, _, _) in DEMO_ACCOUNTS.items():
            user = authenticate(s, login, DEMO_PASSWORD)
            assert user is not None, login
            roles[role] = roles_of(s, user.id)
            assert authenticate(s, login, DEMO_PASSWORD + "x") is None
    assert roles["governorate"].governorate and not roles["citizen"].governorate
    assert roles["chair"].chair_of and roles["member"].member_of and not roles["member"].chair_of


def test_seeding_twice_gives_identical_data(tmp_path, seeded_sqlite_file):
    """The session's seeded file is the first seeding of the demo in this process, this test's the second."""
    from models.core.db import Database
    from models.core.schema import migrate

    dumps = []
    for path in (seeded_sqlite_file, tmp_path / "two.sqlite3"):
        db = Database(f"sqlite:///{path}")
        if path != seeded_sqlite_file:
            migrate(db)
            with db.unit_of_work() as s:
                seed_demo(s)
        dumps.append(_dump(db))
        db.dispose()
    assert dumps[0] == dumps[1]


def _cli(tmp_path, *args, env_extra=None):
    import os

    env = dict(os.environ, HAMYAR_DATA=str(tmp_path / "data"))
    env.pop("DATABASE_URL", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "dash_app.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_cli_init_seed_and_refusals(tmp_path):
    first = _cli(tmp_path, "init-db")
    assert first.returncode == 0, first.stderr
    seeded = _cli(tmp_path, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "gov@hamyar.local" in seeded.stdout
    from models.core.db import Database

    db = Database(f"sqlite:///{tmp_path / 'data' / 'hamyar.sqlite3'}")
    before = _dump(db)
    again = _cli(tmp_path, "init-db")
    assert again.returncode != 0
    assert len(again.stderr.strip().splitlines()) == 1 and "already initialised" in again.stderr
    reseed = _cli(tmp_path, "seed-demo")
    assert reseed.returncode != 0 and "nothing changed" in reseed.stderr
    assert _dump(db) == before
    db.dispose()


def test_cli_refuses_unreachable_database_and_unwritable_folder(tmp_path):
    bad = _cli(tmp_path, "init-db", env_extra={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1
    assert "cannot reach the database" in bad.stderr
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    nowrite = _cli(tmp_path, "init-db", env_extra={"HAMYAR_DATA": str(blocked / "sub")})
    assert nowrite.returncode != 0 and len(nowrite.stderr.strip().splitlines()) == 1
    assert "data folder" in nowrite.stderr
    assert not (blocked.parent / "data").exists()
