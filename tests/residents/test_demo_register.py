"""The demo's register and residents-only vote (issue 23 item 6): the same on every run with the same key, its
digests keyed from the app's SECRET_KEY (so the app reads them), the demo citizen linked with a phone to vote."""
from __future__ import annotations

import shutil

from sqlalchemy import select

import models.pb.cycles as pbc
from models.core.db import Database
from models.core.residency import configure_register_key, register_key_from_secret, rule_for
from models.demo.register_demo import DEMO_CITIZEN_PHONE, seed_demo_register
from models.orm.pb import PBCycleProject
from models.orm.residents import Resident
from models.pb.census import census_voter


def _seeded(seeded_sqlite_file, folder, secret):
    path = folder / f"demo-{len(list(folder.glob('demo-*.sqlite3')))}.sqlite3"
    shutil.copyfile(seeded_sqlite_file, path)
    db = Database(f"sqlite:///{path}")
    configure_register_key(db, register_key_from_secret(secret))
    with db.unit_of_work() as s:
        made = seed_demo_register(s)
    with db.reader() as s:
        digests = sorted(s.scalars(select(Resident.national_digest)))
        projects = sorted(s.scalars(select(PBCycleProject.project_id).where(PBCycleProject.cycle_id == made.cycle_id)))
    return db, made, digests, projects


def test_the_demo_register_and_vote_are_the_same_with_the_same_key(seeded_sqlite_file, tmp_path):
    one, made, digests, projects = _seeded(seeded_sqlite_file, tmp_path, "key-a")
    try:
        assert made.residents == 60 and len(digests) == 60 and len(projects) >= 2
        with one.reader() as s:
            cycle = pbc.get_cycle(s, made.cycle_id)
            assert cycle.phase.value == "voting" and rule_for(s, cycle_id=cycle.id).needs_register
            voter = census_voter(s, cycle.id, made.linked_code, made.linked_year, [projects[0]])
            assert voter.phone == DEMO_CITIZEN_PHONE   # /vote/resident sends the demo citizen's code to the outbox
        two, made2, digests2, projects2 = _seeded(seeded_sqlite_file, tmp_path, "key-a")
        assert (made2, digests2, projects2) == (made, digests, projects)
        two.dispose()
        three, _made3, digests3, _ = _seeded(seeded_sqlite_file, tmp_path, "key-b")
        assert set(digests3).isdisjoint(digests)   # another SECRET_KEY: other digests, by design
        three.dispose()
    finally:
        one.dispose()
