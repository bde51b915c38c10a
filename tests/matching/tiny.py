"""Tiny random instances for brute force and property tests (independent of matching.generate)."""

from __future__ import annotations

import random

DISTRICTS = {"a": {"parent": None}, "a1": {"parent": "a"}, "a2": {"parent": "a"}, "b": {"parent": None}}
SKILLS = ["s1", "s2", "s3"]
TABLES = ["t1", "t2", "t3"]
DATES = ["2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01", "2027-05-01"]


def _window(r):
    if r.random() < 0.4:
        return None
    a, b = sorted(r.sample(range(len(DATES)), 2))
    return [DATES[a], DATES[b]]


ITEMS = ["pickup", "minibus", "hall"]
PROJECTS = ["pr1", "pr2"]


def tiny_instance(seed, n_pledges=3, n_needs=2, max_q=3, kinds=("execution", "financial"),
                  whole=0.0, extras=True, params=None, items_projects=False):
    """`items_projects`: logistics items with substitutes, and pledges that choose a project
    (only or preferred), drawn from a second generator (the other draws stay as without)."""
    r = random.Random(seed)
    r2 = random.Random(seed + 7919)
    needs = []
    for k in range(n_needs):
        n = {"id": f"n{k}", "kind": r.choice(kinds), "quantity": r.randint(1, max_q),
             "priority": r.choice([1.0, 2.0, 3.5, 8.0, 10.0]), "table": r.choice(TABLES + [None]),
             "district": r.choice(list(DISTRICTS) + [None, "elsewhere"])}
        w = _window(r)
        if w:
            n["window"] = w
        if r.random() < 0.5:
            n["skills"] = r.sample(SKILLS, r.randint(1, 2))
        if items_projects:
            n["project"] = r2.choice(PROJECTS)
            if n["kind"] == "logistics" and r2.random() < 0.8:
                n["item"] = r2.choice(ITEMS)
                n["accepts"] = r2.sample([i for i in ITEMS if i != n["item"]], r2.randint(0, 1))
        needs.append(n)
    pledges = []
    for k in range(n_pledges):
        p = {"id": f"p{k}", "kind": r.choice(kinds), "quantity": r.randint(1, max_q),
             "district": r.choice(list(DISTRICTS) + [None]), "tables": r.sample(TABLES, r.randint(0, 2)),
             "only_tables": r.random() < 0.3, "skills": r.sample(SKILLS, r.randint(0, 2)),
             "divisible": not (r.random() < whole)}
        w = _window(r)
        if w:
            p["window"] = w
        if items_projects:
            if p["kind"] == "logistics" and r2.random() < 0.8:
                p["item"] = r2.choice(ITEMS)
            if r2.random() < 0.5:
                p["project"] = r2.choice(PROJECTS)
                p["only_project"] = r2.random() < 0.5
        pledges.append(p)
    inst = {"version": 1, "districts": DISTRICTS, "needs": needs, "pledges": pledges,
            "fixed": [], "forbidden": [], "proposed": []}
    if extras:
        pl = {p["id"]: p["quantity"] for p in pledges}
        nl = {n["id"]: n["quantity"] for n in needs}
        for p in pledges:
            for n in needs:
                x = r.random()
                if x < 0.1 and p["kind"] == n["kind"]:
                    q = min(pl[p["id"]], nl[n["id"]], 1)
                    if q > 0:
                        pl[p["id"]] -= q
                        nl[n["id"]] -= q
                        inst["fixed"].append({"pledge": p["id"], "need": n["id"], "quantity": q})
                elif x < 0.2:
                    inst["forbidden"].append({"pledge": p["id"], "need": n["id"]})
                elif x < 0.35:
                    inst["proposed"].append({"pledge": p["id"], "need": n["id"], "quantity": r.randint(1, max_q)})
    if params:
        inst["params"] = params
    return inst
