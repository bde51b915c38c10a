"""Issue 16 item 6: before a run, what it would change. The field test: a re-run of the health table silently
withdrew 144 pending proposals. On the demo, the health table's re-run withdraws 140 and a county run lowers two
projects' coverage; the preview says so, and the run then does exactly what was previewed."""

from sqlalchemy import select

from models.core.enums import RunScope
from models.orm.tables import Table
from models.runs.lifecycle import run_matching
from models.runs.preview import preview_run


def _health(db):
    with db.reader() as s:
        return s.scalar(select(Table.id).where(Table.slug == "health"))


def test_preview_of_a_table_run_is_what_the_run_does(demo_db):
    tid = _health(demo_db)
    with demo_db.reader() as s:
        pv = preview_run(s, RunScope.TABLE, tid)
    assert pv.withdrawn > 100 and pv.warns  # the demo's greedy proposals are replaced by better ones
    assert 0 < len(pv.changes) <= pv.withdrawn  # withdrawn or shrunk (a grown pair is withdrawn, not listed)
    assert all(c.new_quantity < c.quantity for c in pv.changes)
    summary = run_matching(demo_db, None, RunScope.TABLE, tid)
    assert (summary.proposed, summary.kept, summary.withdrawn) == (pv.proposed, pv.kept, pv.withdrawn)
    assert summary.coverage_before["mean"] == pv.coverage_before
    assert summary.coverage_after["mean"] == pv.coverage_after
    with demo_db.reader() as s:  # nothing changed since: the next run changes nothing, so no warning
        again = preview_run(s, RunScope.TABLE, tid)
    assert (again.withdrawn, again.proposed, again.warns) == (0, 0, False)
    assert again.kept == summary.proposed + summary.kept


def test_preview_names_the_projects_whose_coverage_would_drop(demo_db):
    with demo_db.reader() as s:
        pv = preview_run(s, RunScope.COUNTY)
    lowered = pv.lowered_projects
    assert lowered and pv.warns
    summary = run_matching(demo_db, None, RunScope.COUNTY)
    after = summary.coverage_after["projects"]
    for pid, before, now in lowered:
        assert now < before and after[str(pid)] == now
    record = pv.as_record()
    assert record["withdrawn"] == summary.withdrawn and len(record["changes"]) == min(200, len(pv.changes))
