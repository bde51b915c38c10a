"""What a matching instance says about logistics items and chosen projects (issue 16 items 1-2).

Imports sqlalchemy and models only. `build_instance` (models.runs.lifecycle) calls `add_items_and_projects`
on the instance it built: each logistics need gets its catalogue `item` and the substitutes it `accepts`,
each logistics pledge its `item`, each pledge that chose a project its `project` ("pr<id>") and
`only_project`; skills are sent only for design and execution (the kinds they are for). A table run leaves
out "only this project" pledges whose project is not the table's (they could serve nothing in it).
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.enums import RunScope
from models.orm.items import LogisticsItem, need_accepted_items
from models.orm.pledges import Pledge
from models.orm.projects import Need, Project

SKILLED = ("design", "execution")


def add_items_and_projects(session: Session, instance: dict, scope: RunScope, table_id: int | None) -> dict:
    """The instance with items, substitutes and chosen projects (changed in place and returned)."""
    slug_of = dict(session.execute(select(LogisticsItem.id, LogisticsItem.slug)).all())
    need_ids = [int(n["id"][1:]) for n in instance["needs"]]
    pledge_ids = [int(p["id"][1:]) for p in instance["pledges"]]
    need_item: dict[int, int | None] = {}
    for k in range(0, len(need_ids), 900):
        need_item.update(session.execute(select(Need.id, Need.item_id).where(Need.id.in_(need_ids[k:k + 900]))).all())
    accepts: defaultdict[int, list[str]] = defaultdict(list)
    for nid, iid in session.execute(select(need_accepted_items.c.need_id, need_accepted_items.c.item_id)
                                    .order_by(need_accepted_items.c.need_id, need_accepted_items.c.item_id)):
        accepts[nid].append(slug_of[iid])
    pledge_rows: dict[int, tuple] = {}
    for k in range(0, len(pledge_ids), 900):
        for pid, iid, prj, only in session.execute(select(Pledge.id, Pledge.item_id, Pledge.project_id,
                                                          Pledge.only_project)
                                                   .where(Pledge.id.in_(pledge_ids[k:k + 900]))):
            pledge_rows[pid] = (iid, prj, bool(only))
    table_projects: set[int] = set()
    if scope is RunScope.TABLE:
        table_projects = set(session.scalars(select(Project.id).where(Project.table_id == table_id)))

    for need in instance["needs"]:
        nid = int(need["id"][1:])
        if need["kind"] not in SKILLED:
            need["skills"] = []
        iid = need_item.get(nid)
        if need["kind"] == "logistics" and iid is not None:
            need["item"] = slug_of[iid]
            if accepts.get(nid):
                need["accepts"] = accepts[nid]
    kept = []
    for pledge in instance["pledges"]:
        pid = int(pledge["id"][1:])
        iid, prj, only = pledge_rows.get(pid, (None, None, False))
        if pledge["kind"] not in SKILLED:
            pledge["skills"] = []
        if pledge["kind"] == "logistics" and iid is not None:
            pledge["item"] = slug_of[iid]
        if prj is not None:
            if scope is RunScope.TABLE and only and prj not in table_projects:
                continue
            pledge["project"] = f"pr{prj}"
            pledge["only_project"] = only
        kept.append(pledge)
    if len(kept) != len(instance["pledges"]):
        present = {p["id"] for p in kept}
        instance["pledges"] = kept
        # decided help from a pledge left out is no longer listed in `fixed`: take it off the need's
        # quantity as build_instance does for pledges not in the instance
        gone: defaultdict[str, int] = defaultdict(int)
        for e in instance.get("fixed", []):
            if e["pledge"] not in present:
                gone[e["need"]] += int(e["quantity"])
        for need in instance["needs"]:
            need["quantity"] -= gone.get(need["id"], 0)  # stays > 0: the need's open part remains
        for key in ("fixed", "forbidden", "proposed"):
            instance[key] = [e for e in instance.get(key, []) if e["pledge"] in present]
    return instance
