"""An independent reading of docs/matching.md for the tests: fit by plain Python, the full LP by
linprog (HiGHS), brute force on tiny instances. Shares no code with matching/."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

DEFAULTS = {"far_factor": 0.7, "near_factor": 0.85, "preferred_bonus": 0.25, "skill_floor": 0.5,
            "project_bonus": 0.5, "substitute_factor": 0.9}


def _dates(w):
    if not w:
        return None
    return dt.date.fromisoformat(w[0]), dt.date.fromisoformat(w[1])


def fit(inst, pledge, need):
    """0.0 when incompatible (kind, only_tables, window, skills; forbidden is checked apart)."""
    params = {**DEFAULTS, **(inst.get("params") or {})}
    if pledge["kind"] != need["kind"]:
        return 0.0
    tables = pledge.get("tables") or []
    if pledge.get("only_tables") and need.get("table") not in tables:
        return 0.0
    chose = pledge.get("project")
    same_project = bool(chose) and chose == need.get("project")
    if pledge.get("only_project") and not same_project:
        return 0.0
    item, offered = need.get("item"), pledge.get("item")
    if item is None and offered is not None or item is not None and offered != item and \
            offered not in (need.get("accepts") or []):
        return 0.0
    pw, nw = _dates(pledge.get("window")), _dates(need.get("window"))
    if pw and nw and (pw[0] > nw[1] or nw[0] > pw[1]):
        return 0.0
    need_sk = set(need.get("skills") or [])
    pl_sk = set(pledge.get("skills") or [])
    if need_sk and not (need_sk & pl_sk):
        return 0.0
    f = 1.0
    if need["kind"] in ("logistics", "execution"):
        districts = inst.get("districts") or {}
        a, b = pledge.get("district"), need.get("district")
        if a and b:
            if a not in districts or b not in districts:
                f *= params["far_factor"]
            elif a == b:
                pass
            else:
                pa, pb = districts[a].get("parent"), districts[b].get("parent")
                if pa == b or pb == a or (pa is not None and pa == pb):
                    f *= params["near_factor"]
                else:
                    f *= params["far_factor"]
    if item is not None and offered != item:
        f *= params["substitute_factor"]
    if same_project:
        f *= 1 + params["project_bonus"]
    if need.get("table") and need.get("table") in tables:
        f *= 1 + params["preferred_bonus"]
    if need_sk:
        f *= params["skill_floor"] + (1 - params["skill_floor"]) * len(need_sk & pl_sk) / len(need_sk)
    return f


def remaining(inst):
    pq = {p["id"]: p["quantity"] for p in inst["pledges"]}
    nq = {n["id"]: n["quantity"] for n in inst["needs"]}
    for f in inst.get("fixed") or []:
        pq[f["pledge"]] -= f["quantity"]
        nq[f["need"]] -= f["quantity"]
    return pq, nq


def pairs(inst):
    """[(pledge, need, worth per unit)] over compatible, non-forbidden pairs."""
    forb = {(f["pledge"], f["need"]) for f in inst.get("forbidden") or []}
    out = []
    for p in inst["pledges"]:
        for n in inst["needs"]:
            if (p["id"], n["id"]) in forb:
                continue
            f = fit(inst, p, n)
            if f > 0:
                out.append((p, n, n["priority"] * f / n["quantity"]))
    return out


def lp_optimum(inst):
    """Optimum of the LP relaxation (= the divisible optimum: the matrix is TU)."""
    pq, nq = remaining(inst)
    ps = pairs(inst)
    if not ps:
        return 0.0
    pid = {p["id"]: k for k, p in enumerate(inst["pledges"])}
    nid = {n["id"]: k for k, n in enumerate(inst["needs"])}
    P = len(pid)
    rows, cols = [], []
    for a, (p, n, _) in enumerate(ps):
        rows += [pid[p["id"]], P + nid[n["id"]]]
        cols += [a, a]
    A = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(P + len(nid), len(ps)))
    # units per kind scaled to the kind's median need (rials would defeat HiGHS's tolerances)
    scale = {}
    for kind in {n["kind"] for n in inst["needs"]}:
        scale[kind] = float(np.median([n["quantity"] for n in inst["needs"] if n["kind"] == kind]))
    b = [pq[p["id"]] / scale.get(p["kind"], 1.0) for p in inst["pledges"]] + [
        nq[n["id"]] / scale[n["kind"]] for n in inst["needs"]]
    c = -np.array([w * scale[n["kind"]] for _, n, w in ps])
    res = linprog(c, A_ub=A, b_ub=np.array(b, float), bounds=(0, None), method="highs",
                  options={"dual_feasibility_tolerance": 1e-10, "primal_feasibility_tolerance": 1e-10})
    assert res.status == 0
    return -res.fun


def brute_force(inst):
    """Best total worth by enumeration: divisible pledges over integer splits, whole pledges
    over 'one need or none'. Only for tiny quantities."""
    pq, nq = remaining(inst)
    ps = pairs(inst)
    by_pledge = {}
    for p, n, w in ps:
        by_pledge.setdefault(p["id"], []).append((n["id"], w))
    pledges = [p for p in inst["pledges"] if pq[p["id"]] > 0 and p["id"] in by_pledge]
    best = [0.0]

    def options(p):
        arcs = by_pledge[p["id"]]
        q = pq[p["id"]]
        if p.get("divisible", True) is False:
            yield ()
            for nid, w in arcs:
                yield ((nid, q, w),)
            return
        # every vector of non-negative integers over the arcs with sum <= q
        for xs in itertools.product(range(q + 1), repeat=len(arcs)):
            if sum(xs) <= q:
                yield tuple((nid, x, w) for (nid, w), x in zip(arcs, xs) if x)

    def rec(k, left, value):
        if k == len(pledges):
            best[0] = max(best[0], value)
            return
        for opt in options(pledges[k]):
            ok = True
            for nid, x, _ in opt:
                if left[nid] < x:
                    ok = False
            if not ok:
                continue
            for nid, x, _ in opt:
                left[nid] -= x
            rec(k + 1, left, value + sum(x * w for _, x, w in opt))
            for nid, x, _ in opt:
                left[nid] += x

    rec(0, dict(nq), 0.0)
    return best[0]


def check_feasible(inst, out):
    """Capacities (after fixed), compatibility, forbidden, whole pledges unsplit; returns the
    recomputed objective."""
    pq, nq = remaining(inst)
    pledges = {p["id"]: p for p in inst["pledges"]}
    needs = {n["id"]: n for n in inst["needs"]}
    forb = {(f["pledge"], f["need"]) for f in inst.get("forbidden") or []}
    used_p, used_n, total = {}, {}, 0.0
    seen = {}
    for a in out["allocations"]:
        p, n = pledges[a["pledge"]], needs[a["need"]]
        assert isinstance(a["quantity"], int) and a["quantity"] > 0
        assert (p["id"], n["id"]) not in forb, a
        f = fit(inst, p, n)
        assert f > 0, a
        used_p[p["id"]] = used_p.get(p["id"], 0) + a["quantity"]
        used_n[n["id"]] = used_n.get(n["id"], 0) + a["quantity"]
        seen.setdefault(p["id"], []).append(a)
        w = n["priority"] * f * a["quantity"] / n["quantity"]
        assert abs(w - a["worth"]) <= 1e-9 * max(1.0, abs(w)), (w, a)
        total += w
    for pid, q in used_p.items():
        assert q <= pq[pid], (pid, q, pq[pid])
    for nid, q in used_n.items():
        assert q <= nq[nid], (nid, q, nq[nid])
    for pid, allocs in seen.items():
        if pledges[pid].get("divisible", True) is False:
            assert len(allocs) == 1 and allocs[0]["quantity"] == pq[pid], allocs
    keys = [(a["pledge"], a["need"]) for a in out["allocations"]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert abs(total - out["objective"]) <= 1e-9 * max(1.0, total)
    return total
