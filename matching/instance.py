"""Instance reading and validation: a docs/matching.md JSON object in, typed NumPy arrays out.
Imports only the standard library and numpy (no web, database or solver code)."""

from __future__ import annotations

import datetime as _dt
import functools
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TypeGuard

import numpy as np

KINDS = ("financial", "logistics", "design", "execution")
KIND_CODE = {k: c for c, k in enumerate(KINDS)}
#: kinds whose fit depends on the districts (help that does not travel)
LOCAL_KINDS = frozenset({KIND_CODE["logistics"], KIND_CODE["execution"]})

#: docs/matching.md parameters and their defaults, plus the solver's own knobs.
DEFAULT_PARAMS = {
    "far_factor": 0.7,
    "near_factor": 0.85,
    "preferred_bonus": 0.25,
    "skill_floor": 0.5,
    # a need's project chosen by the pledge ("prefer this project"): the preference factor is
    # multiplied by 1 + project_bonus (on top of the preferred table's 1 + preferred_bonus)
    "project_bonus": 0.5,
    # logistics: fit of an item the need accepts as a substitute (its own item: 1)
    "substitute_factor": 0.9,
    # extension (docs/matching.md#first-tranche-extension): the first `first_tranche` share of a
    # need is worth (1 + first_tranche_bonus) per unit; 0 keeps docs/matching.md's linear objective.
    "first_tranche_bonus": 0.0,
    "first_tranche": 0.5,
    # whole (indivisible) pledges: the largest kind (in arcs) the exact MILP is tried on, and
    # the branch-and-bound nodes it may use (a count, never seconds: the answer must not depend
    # on the machine's speed or load; past the limit the best answer found is kept, with its
    # gap to the proved bound in the stats).
    "max_exact_whole_arcs": 50_000,
    "whole_node_limit": 2_000,
    # accepted so that older instance files still validate; no effect (it was a wall-clock
    # limit, which made the answer depend on the machine's load)
    "time_limit": 60.0,
    # worker threads over the four independent kinds (1 = sequential; same answer either way)
    "threads": 2,
}
_PARAM_RANGES = {
    "far_factor": (0.0, 1.0, False),  # (lo, hi, lo_inclusive) ; hi inclusive
    "near_factor": (0.0, 1.0, False),
    "preferred_bonus": (0.0, 10.0, True),
    "skill_floor": (0.0, 1.0, True),
    "project_bonus": (0.0, 10.0, True),
    "substitute_factor": (0.0, 1.0, False),
    "first_tranche_bonus": (0.0, 10.0, True),
    "first_tranche": (0.0, 1.0, False),
    "time_limit": (0.0, 86400.0, False),
    "max_exact_whole_arcs": (0.0, 1e9, True),
    "whole_node_limit": (1.0, 1e9, True),
    "threads": (1.0, 64.0, True),
}

#: missing window ends, as day numbers
NO_START = np.iinfo(np.int32).min // 2
NO_END = np.iinfo(np.int32).max // 2


class InstanceError(ValueError):
    """A malformed instance; the message names the offending entry."""


@dataclass
class Instance:
    """Validated instance as arrays. Strings are interned into small integer codes:
    districts (-1 = none/unknown), tables (-1 = none), skill sets and table sets (index into
    `skillsets` / `tablesets`, tuples of skill / table codes; code 0 is the empty set).
    Logistics items: a pledge's item code (-1 = none); a need's item set (index into `itemsets`:
    (its item, then the substitutes it accepts, sorted); code 0 = () = the need names no item).
    Projects: codes into `project_names` (-1 = none)."""

    need_ids: list
    need_kind: np.ndarray
    need_qty: np.ndarray  # int64, remaining after fixed
    need_qty_total: np.ndarray
    need_priority: np.ndarray
    need_district: np.ndarray
    need_table: np.ndarray
    need_start: np.ndarray
    need_end: np.ndarray
    need_skillset: np.ndarray
    need_itemset: np.ndarray
    need_project: np.ndarray

    pledge_ids: list
    pledge_kind: np.ndarray
    pledge_qty: np.ndarray  # remaining after fixed
    pledge_qty_total: np.ndarray
    pledge_district: np.ndarray
    pledge_tableset: np.ndarray
    pledge_only: np.ndarray
    pledge_start: np.ndarray
    pledge_end: np.ndarray
    pledge_skillset: np.ndarray
    pledge_divisible: np.ndarray
    pledge_item: np.ndarray
    pledge_project: np.ndarray
    pledge_only_project: np.ndarray

    district_names: list
    district_parent: np.ndarray  # -1 = root / none
    table_names: list
    skill_names: list
    skillsets: list
    tablesets: list
    item_names: list
    itemsets: list
    project_names: list

    forbidden: set  # {(pledge index, need index)}
    proposed: dict  # {(pledge index, need index): quantity}
    fixed: dict  # {(pledge index, need index): quantity}
    params: dict = field(default_factory=dict)

    @property
    def n_needs(self) -> int:
        return len(self.need_ids)

    @property
    def n_pledges(self) -> int:
        return len(self.pledge_ids)


def _entry(section: str, k: int, obj: object) -> str:
    if isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"]:
        return f"{section}[{k}] (id {obj['id']!r})"
    return f"{section}[{k}]"


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: object) -> TypeGuard[int | float]:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _positive_int(where: str, name: str, v: object) -> int:
    if not _is_int(v):
        raise InstanceError(f"{where}: {name} must be a positive integer, got {v!r}")
    if v <= 0:
        raise InstanceError(f"{where}: {name} must be a positive integer, got {v!r}")
    return v


@functools.lru_cache(maxsize=8192)
def _ordinal(s: str) -> int | None:
    """Day number of an ISO date, None when it is not one (cached: instances repeat dates)."""
    try:
        return _dt.date.fromisoformat(s).toordinal()
    except ValueError:
        return None


def _day(where: str, s: object) -> int:
    d = _ordinal(s) if isinstance(s, str) and len(s) == 10 else None
    if d is None:
        raise InstanceError(f"{where}: window dates must be ISO dates YYYY-MM-DD, got {s!r}")
    return d


def _window(where: str, w: object) -> tuple[int, int]:
    if w is None or (isinstance(w, list) and len(w) == 0):
        return NO_START, NO_END
    if not isinstance(w, list) or len(w) != 2:
        raise InstanceError(f"{where}: window must be [start, end] (ISO dates) or empty, got {w!r}")
    a = NO_START if w[0] is None else _day(where, w[0])
    b = NO_END if w[1] is None else _day(where, w[1])
    if a > b:
        raise InstanceError(f"{where}: window is inverted ({w[0]} after {w[1]})")
    return a, b


def _str_list(where: str, name: str, v: object) -> list[str]:
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(s, str) and s for s in v):
        raise InstanceError(f"{where}: {name} must be a list of non-empty strings, got {v!r}")
    return v


def _opt_str(where: str, name: str, v: object) -> str | None:
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise InstanceError(f"{where}: {name} must be a string, got {v!r}")
    return v


def _bool(where: str, name: str, v: object, default: bool) -> bool:
    if v is None:
        return default
    if not isinstance(v, bool):
        raise InstanceError(f"{where}: {name} must be true or false, got {v!r}")
    return v


def parse_params(raw: object) -> dict[str, float]:
    params = dict(DEFAULT_PARAMS)
    if raw is None:
        return params
    if not isinstance(raw, dict):
        raise InstanceError(f"params: must be an object, got {type(raw).__name__}")
    for key, v in raw.items():
        if key not in DEFAULT_PARAMS:
            raise InstanceError(f"params.{key}: unknown parameter (known: {', '.join(DEFAULT_PARAMS)})")
        if not _is_num(v):
            raise InstanceError(f"params.{key}: must be a number, got {v!r}")
        lo, hi, lo_incl = _PARAM_RANGES[key]
        if not ((v >= lo if lo_incl else v > lo) and v <= hi):
            bracket = "[" if lo_incl else "("
            raise InstanceError(f"params.{key}: must be in {bracket}{lo}, {hi}], got {v!r}")
        params[key] = float(v)
    return params


class _Interner:
    def __init__(self, first: Iterable[Hashable] = ()) -> None:
        self.codes: dict = {}
        self.items: list = []
        for x in first:
            self.code(x)

    def code(self, x: Hashable) -> int:
        c = self.codes.get(x)
        if c is None:
            c = self.codes[x] = len(self.items)
            self.items.append(x)
        return c


def validate_instance(instance: object) -> None:
    """Raise InstanceError naming the first offending entry; return None when valid."""
    parse_instance(instance)


def parse_instance(instance: object) -> Instance:  # noqa: C901 - one check per field; to be split
    """Validate a docs/matching.md instance and turn it into arrays (see Instance)."""
    if not isinstance(instance, dict):
        raise InstanceError(f"instance: must be a JSON object, got {type(instance).__name__}")
    version = instance.get("version", 1)
    if version != 1 or isinstance(version, bool):
        raise InstanceError(f"version: unsupported version {version!r} (expected 1)")
    for key in ("needs", "pledges", "fixed", "forbidden", "proposed"):
        v = instance.get(key)
        if v is not None and not isinstance(v, list):
            raise InstanceError(f"{key}: must be a list, got {type(v).__name__}")

    # districts
    raw_d = instance.get("districts") or {}
    if not isinstance(raw_d, dict):
        raise InstanceError("districts: must be an object mapping a name to {\"parent\": name or null}")
    dnames = sorted(raw_d)
    dcode = {n: k for k, n in enumerate(dnames)}
    dparent = np.full(len(dnames), -1, dtype=np.int32)
    for n in dnames:
        entry = raw_d[n]
        if entry is None:
            entry = {}
        if not isinstance(entry, dict):
            raise InstanceError(f"districts[{n!r}]: must be an object like {{\"parent\": null}}")
        p = entry.get("parent")
        if p is not None:
            if not isinstance(p, str) or p not in dcode:
                raise InstanceError(f"districts[{n!r}]: unknown parent {p!r}")
            if p == n:
                raise InstanceError(f"districts[{n!r}]: a district cannot be its own parent")
            dparent[dcode[n]] = dcode[p]

    tables = _Interner()
    skills = _Interner()
    items = _Interner()
    itemsets = _Interner([()])
    projects = _Interner()
    skillsets = _Interner([()])
    tablesets = _Interner([()])

    def district_code(where: str, v: object) -> int:
        v = _opt_str(where, "district", v)
        # -1: absent (does not restrict, location factor 1); len(dnames): a name not in districts
        return -1 if v is None else dcode.get(v, len(dnames))

    # needs
    raw_needs = instance.get("needs") or []
    nn = len(raw_needs)
    need_ids = []
    need_index: dict[str, int] = {}
    n_kind = np.empty(nn, np.int8)
    n_qty = np.empty(nn, np.int64)
    n_pri = np.empty(nn, np.float64)
    n_dist = np.empty(nn, np.int32)
    n_tab = np.empty(nn, np.int32)
    n_start = np.empty(nn, np.int64)
    n_end = np.empty(nn, np.int64)
    n_sk = np.empty(nn, np.int32)
    n_is = np.zeros(nn, np.int32)
    n_pr = np.full(nn, -1, np.int32)
    for k, e in enumerate(raw_needs):
        where = _entry("needs", k, e)
        if not isinstance(e, dict):
            raise InstanceError(f"{where}: must be an object")
        nid = e.get("id")
        if not isinstance(nid, str) or not nid:
            raise InstanceError(f"{where}: id must be a non-empty string, got {nid!r}")
        if nid in need_index:
            raise InstanceError(f"{where}: duplicate need id (first at needs[{need_index[nid]}])")
        need_index[nid] = k
        need_ids.append(nid)
        kind = e.get("kind")
        if kind not in KIND_CODE:
            raise InstanceError(f"{where}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        n_kind[k] = KIND_CODE[kind]
        n_qty[k] = _positive_int(where, "quantity", e.get("quantity"))
        pri = e.get("priority")
        if not _is_num(pri) or pri <= 0:
            raise InstanceError(f"{where}: priority must be a positive number, got {pri!r}")
        n_pri[k] = float(pri)
        n_dist[k] = district_code(where, e.get("district"))
        t = _opt_str(where, "table", e.get("table"))
        n_tab[k] = -1 if t is None else tables.code(t)
        n_start[k], n_end[k] = _window(where, e.get("window"))
        sk = _str_list(where, "skills", e.get("skills"))
        n_sk[k] = skillsets.code(tuple(sorted({skills.code(s) for s in sk})))
        pr = _opt_str(where, "project", e.get("project"))
        n_pr[k] = -1 if pr is None else projects.code(pr)
        item = _opt_str(where, "item", e.get("item"))
        accepts = _str_list(where, "accepts", e.get("accepts"))
        if (item is not None or accepts) and kind != "logistics":
            raise InstanceError(f"{where}: item and accepts are for logistics only, not {kind}")
        if accepts and item is None:
            raise InstanceError(f"{where}: accepts (substitutes) needs an item")
        if item is not None:
            subs = sorted({items.code(a) for a in accepts} - {items.code(item)})
            n_is[k] = itemsets.code((items.code(item), *subs))

    # pledges
    raw_pl = instance.get("pledges") or []
    npl = len(raw_pl)
    pledge_ids = []
    pledge_index: dict[str, int] = {}
    p_kind = np.empty(npl, np.int8)
    p_qty = np.empty(npl, np.int64)
    p_dist = np.empty(npl, np.int32)
    p_ts = np.empty(npl, np.int32)
    p_only = np.empty(npl, bool)
    p_start = np.empty(npl, np.int64)
    p_end = np.empty(npl, np.int64)
    p_sk = np.empty(npl, np.int32)
    p_div = np.empty(npl, bool)
    p_item = np.full(npl, -1, np.int32)
    p_pr = np.full(npl, -1, np.int32)
    p_onlypr = np.zeros(npl, bool)
    ts_seen: dict[tuple[str, ...], int] = {}
    sk_seen: dict[tuple[str, ...], int] = {}
    for k, e in enumerate(raw_pl):
        where = _entry("pledges", k, e)
        if not isinstance(e, dict):
            raise InstanceError(f"{where}: must be an object")
        pid = e.get("id")
        if not isinstance(pid, str) or not pid:
            raise InstanceError(f"{where}: id must be a non-empty string, got {pid!r}")
        if pid in pledge_index:
            raise InstanceError(f"{where}: duplicate pledge id (first at pledges[{pledge_index[pid]}])")
        pledge_index[pid] = k
        pledge_ids.append(pid)
        kind = e.get("kind")
        if kind not in KIND_CODE:
            raise InstanceError(f"{where}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        p_kind[k] = KIND_CODE[kind]
        p_qty[k] = _positive_int(where, "quantity", e.get("quantity"))
        p_dist[k] = district_code(where, e.get("district"))
        tl = _str_list(where, "tables", e.get("tables"))
        tkey = tuple(tl)
        code = ts_seen.get(tkey)
        if code is None:  # first time this list: intern it (codes as without the cache)
            code = ts_seen[tkey] = tablesets.code(tuple(sorted({tables.code(t) for t in tl})))
        p_ts[k] = code
        p_only[k] = _bool(where, "only_tables", e.get("only_tables"), False)
        p_start[k], p_end[k] = _window(where, e.get("window"))
        sk = _str_list(where, "skills", e.get("skills"))
        skey = tuple(sk)
        code = sk_seen.get(skey)
        if code is None:
            code = sk_seen[skey] = skillsets.code(tuple(sorted({skills.code(s) for s in sk})))
        p_sk[k] = code
        p_div[k] = _bool(where, "divisible", e.get("divisible"), True)
        item = _opt_str(where, "item", e.get("item"))
        if item is not None:
            if kind != "logistics":
                raise InstanceError(f"{where}: item is for logistics only, not {kind}")
            p_item[k] = items.code(item)
        pr = _opt_str(where, "project", e.get("project"))
        p_pr[k] = -1 if pr is None else projects.code(pr)
        p_onlypr[k] = _bool(where, "only_project", e.get("only_project"), False)
        if p_onlypr[k] and pr is None:
            raise InstanceError(f"{where}: only_project needs a project")

    def pair(section: str, k: int, e: object, with_qty: bool) -> tuple[str, int, int, int]:
        where = f"{section}[{k}]"
        if not isinstance(e, dict):
            raise InstanceError(f"{where}: must be an object with pledge and need ids")
        pid, nid = e.get("pledge"), e.get("need")
        where = f"{section}[{k}] (pledge {pid!r}, need {nid!r})"
        if not isinstance(pid, str) or pid not in pledge_index:
            raise InstanceError(f"{where}: unknown pledge id {pid!r}")
        if not isinstance(nid, str) or nid not in need_index:
            raise InstanceError(f"{where}: unknown need id {nid!r}")
        i, j = pledge_index[pid], need_index[nid]
        q = _positive_int(where, "quantity", e.get("quantity")) if with_qty else 0
        return where, i, j, q

    fixed: dict = {}
    used_p = np.zeros(npl, np.int64)
    used_n = np.zeros(nn, np.int64)
    for k, e in enumerate(instance.get("fixed") or []):
        where, i, j, q = pair("fixed", k, e, True)
        if p_kind[i] != n_kind[j]:
            raise InstanceError(f"{where}: pledge kind {KINDS[p_kind[i]]} differs from need kind {KINDS[n_kind[j]]}")
        used_p[i] += q
        used_n[j] += q
        if used_p[i] > p_qty[i]:
            raise InstanceError(f"{where}: fixed quantities of pledge {pledge_ids[i]!r} total {used_p[i]}, over its quantity {p_qty[i]}")
        if used_n[j] > n_qty[j]:
            raise InstanceError(f"{where}: fixed quantities of need {need_ids[j]!r} total {used_n[j]}, over its quantity {n_qty[j]}")
        fixed[(i, j)] = fixed.get((i, j), 0) + q
    forbidden = set()
    for k, e in enumerate(instance.get("forbidden") or []):
        _, i, j, _ = pair("forbidden", k, e, False)
        forbidden.add((i, j))
    proposed: dict = {}
    for k, e in enumerate(instance.get("proposed") or []):
        _, i, j, q = pair("proposed", k, e, True)
        proposed[(i, j)] = proposed.get((i, j), 0) + q

    params = parse_params(instance.get("params"))
    return Instance(
        need_ids=need_ids, need_kind=n_kind, need_qty=n_qty - used_n, need_qty_total=n_qty,
        need_priority=n_pri, need_district=n_dist, need_table=n_tab, need_start=n_start,
        need_end=n_end, need_skillset=n_sk, need_itemset=n_is, need_project=n_pr,
        pledge_ids=pledge_ids, pledge_kind=p_kind, pledge_qty=p_qty - used_p, pledge_qty_total=p_qty,
        pledge_district=p_dist, pledge_tableset=p_ts, pledge_only=p_only, pledge_start=p_start,
        pledge_end=p_end, pledge_skillset=p_sk, pledge_divisible=p_div,
        pledge_item=p_item, pledge_project=p_pr, pledge_only_project=p_onlypr,
        district_names=dnames, district_parent=dparent, table_names=tables.items,
        skill_names=skills.items, skillsets=skillsets.items, tablesets=tablesets.items,
        item_names=items.items, itemsets=itemsets.items, project_names=projects.items,
        forbidden=forbidden, proposed=proposed, fixed=fixed, params=params,
    )
