"""Seeded synthetic instances in the docs/matching.md format, for the benchmark and the tests.
Imports only numpy and the standard library."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

# Amol County: five districts (bakhsh) and cities / rural districts under them
DISTRICTS = {
    "central": None, "dabudasht": None, "dasht-e-sar": None, "emamzadeh-abdollah": None, "larijan": None,
    "amol": "central", "harazpey-jonubi": "central", "dasht-e-sar-sofla": "central",
    "dabudasht-city": "dabudasht", "dabuy-jonubi": "dabudasht",
    "babakan": "dasht-e-sar", "dasht-e-sar-city": "dasht-e-sar",
    "emamzadeh-abdollah-city": "emamzadeh-abdollah",
    "gazanak": "larijan", "rineh": "larijan",
}
TABLES = ["t-health", "t-education", "t-water", "t-roads", "t-housing", "t-agriculture",
          "t-environment", "t-culture", "t-sport", "t-social"]
SKILLS = {
    "execution": ["nursing", "first-aid", "masonry", "carpentry", "electrical", "plumbing",
                  "teaching", "cooking", "farming", "painting"],
    "design": ["architecture", "civil-engineering", "graphic-design", "web", "planning"],
    "logistics": ["truck", "van", "storage", "refrigeration", "driving"],
    "financial": [],
}
KIND_NEED_SHARE = {"financial": 0.30, "logistics": 0.20, "design": 0.15, "execution": 0.35}
KIND_PLEDGE_SHARE = {"financial": 0.60, "logistics": 0.10, "design": 0.08, "execution": 0.22}
DAY0 = _dt.date(2027, 1, 1).toordinal()
HORIZON = 720  # days


def _iso(day: int) -> str:
    return _dt.date.fromordinal(DAY0 + int(day)).isoformat()


def _month_start(m: int) -> int:
    y, mm = divmod(m, 12)
    return _dt.date(2027 + y, mm + 1, 1).toordinal() - DAY0


def _diversify(pl: dict[str, Any], rng: np.random.Generator, dnames: list[str]) -> None:
    """Make one pledge less like the others (the benchmark's --diversity): a window to the day
    of any length from 2 weeks to 9 months (money: whole months, 1 to 6), any district, up to 3 tables (only-tables half as
    often), up to 5 skills, a quantity off the round amounts."""
    kind = pl["kind"]
    if kind == "financial":
        if "window" in pl:  # money: still month-aligned, 1 to 6 months
            m = int(rng.integers(0, 22))
            pl["window"] = [_iso(_month_start(m)), _iso(_month_start(m + int(rng.integers(1, 7))) - 1)]
    else:
        a = int(rng.integers(0, HORIZON - 14))
        pl["window"] = [_iso(a), _iso(min(HORIZON, a + int(rng.integers(14, 270))))]
    pl["district"] = dnames[int(rng.integers(len(dnames)))]
    ntab = int(rng.integers(0, 4))
    if ntab:
        pl["tables"] = sorted(set(rng.choice(TABLES, size=ntab).tolist()))
        pl["only_tables"] = bool(rng.random() < 0.35)
    else:
        pl.pop("tables", None)
        pl["only_tables"] = False
    pool = SKILLS[kind]
    if pool:
        pl["skills"] = sorted(rng.choice(pool, size=int(rng.integers(1, min(5, len(pool)) + 1)), replace=False).tolist())
    pl["quantity"] = max(1, int(pl["quantity"] * float(rng.uniform(0.5, 1.5))))


def generate_instance(  # noqa: C901 - one branch per knob of the generator; to be split
        n_pledges: int, n_needs: int, seed: int = 0, whole_fraction: float = 0.0,
        n_fixed: int = 0, n_forbidden: int = 0, n_proposed: int = 0, diversity: float = 0.0) -> dict:
    """A realistic random instance: four kinds (money dominates the pledges, many small and a
    few large amounts), 5 districts with 10 cities, 20 skills, 10 tables, windows (money often
    without; month-aligned for money, week-aligned for time), preferred and "only" tables.
    `diversity` in [0, 1]: that share of the pledges is redrawn by _diversify from a second
    stream (0: the same instance as before the knob existed)."""
    rng = np.random.default_rng(seed)
    rng_div = np.random.default_rng([seed, 16])
    dnames = list(DISTRICTS)
    dweights = np.array([0.5 if DISTRICTS[d] is None else 1.0 for d in dnames])
    dweights[dnames.index("amol")] = 6.0
    dweights /= dweights.sum()
    tweights = np.array([0.2, 0.18, 0.12, 0.1, 0.1, 0.08, 0.07, 0.06, 0.05, 0.04])
    kinds = list(KIND_NEED_SHARE)

    needs = []
    nkinds = rng.choice(kinds, size=n_needs, p=list(KIND_NEED_SHARE.values()))
    for k in range(n_needs):
        kind = str(nkinds[k])
        if kind == "financial":
            qty = int(round(float(np.exp(rng.normal(np.log(300e6), 1.2))), -5)) or 100_000
        elif kind == "logistics":
            qty = int(rng.integers(5, 200))
        elif kind == "design":
            qty = int(rng.integers(10, 400))
        else:
            qty = int(np.exp(rng.normal(np.log(200), 0.9))) + 10
        need: dict[str, Any] = {"id": f"n{k:06d}", "project": f"pr{k // 3:05d}",
                "table": TABLES[rng.choice(len(TABLES), p=tweights)], "kind": kind,
                "quantity": qty, "priority": round(float(rng.integers(1, 11)) * float(rng.uniform(0.6, 1.4)), 2),
                "district": dnames[rng.choice(len(dnames), p=dweights)]}
        if rng.random() < 0.85:
            a = int(rng.integers(0, HORIZON - 200))
            need["window"] = [_iso(a), _iso(a + int(rng.integers(30, 200)))]
        pool = SKILLS[kind]
        if pool and rng.random() < {"execution": 0.8, "design": 0.7, "logistics": 0.4}[kind]:
            need["skills"] = sorted(rng.choice(pool, size=int(rng.integers(1, 3)), replace=False).tolist())
        needs.append(need)

    pledges = []
    pkinds = rng.choice(kinds, size=n_pledges, p=list(KIND_PLEDGE_SHARE.values()))
    for k in range(n_pledges):
        kind = str(pkinds[k])
        pl: dict[str, Any] = {"id": f"p{k:07d}", "kind": kind}
        if kind == "financial":
            # many small gifts (round amounts), a few large ones
            if rng.random() < 0.97:
                qty = int(rng.choice([1, 2, 3, 5, 10, 20, 30, 50])) * 1_000_000
            else:
                qty = int(rng.choice([100, 200, 500, 1000, 5000])) * 1_000_000
        elif kind == "logistics":
            qty = int(rng.integers(1, 30))
        elif kind == "design":
            qty = int(rng.integers(5, 100))
        else:
            qty = int(rng.choice([4, 8, 16, 24, 40, 80, 160]))
        pl["quantity"] = qty
        pl["district"] = dnames[rng.choice(len(dnames), p=dweights)]
        r = rng.random()
        ntab = 0 if r < 0.4 else (1 if r < 0.8 else 2)
        if ntab:
            pl["tables"] = sorted(set(rng.choice(TABLES, size=ntab, p=tweights).tolist()))
            pl["only_tables"] = bool(rng.random() < 0.7)
        else:
            pl["only_tables"] = False
        if kind == "financial":
            if rng.random() < 0.5:
                m = int(rng.integers(0, 22))
                pl["window"] = [_iso(_month_start(m)), _iso(_month_start(m + int(rng.integers(1, 4))) - 1)]
        elif rng.random() < 0.8:
            w = int(rng.integers(0, HORIZON // 7 - 10))
            pl["window"] = [_iso(7 * w), _iso(7 * (w + int(rng.integers(2, 10))) - 1)]
        pool = SKILLS[kind]
        if pool:
            pl["skills"] = sorted(rng.choice(pool, size=int(rng.integers(1, 4)), replace=False).tolist())
        pl["divisible"] = not (rng.random() < whole_fraction)
        if diversity > 0 and rng_div.random() < diversity:
            _diversify(pl, rng_div, dnames)
        pledges.append(pl)

    inst: dict[str, Any] = {"version": 1, "districts": {d: {"parent": p} for d, p in DISTRICTS.items()},
            "needs": needs, "pledges": pledges, "fixed": [], "forbidden": [], "proposed": []}
    by_kind: dict = {}
    for n in needs:
        by_kind.setdefault(n["kind"], []).append(n)
    left = {n["id"]: n["quantity"] for n in needs}
    for extra, count in (("fixed", n_fixed), ("forbidden", n_forbidden), ("proposed", n_proposed)):
        for _ in range(count):
            if not pledges:
                break
            pl = pledges[int(rng.integers(len(pledges)))]
            cand = by_kind.get(pl["kind"])
            if not cand:
                continue
            n = cand[int(rng.integers(len(cand)))]
            e: dict[str, Any] = {"pledge": pl["id"], "need": n["id"]}
            if extra == "fixed":
                q = min(left[n["id"]], max(1, pl["quantity"] // 4))
                if q <= 0 or any(f["pledge"] == pl["id"] for f in inst["fixed"]):
                    continue
                left[n["id"]] -= q
                e["quantity"] = q
            elif extra == "proposed":
                e["quantity"] = max(1, pl["quantity"] // 2)
            inst[extra].append(e)
    return inst
