"""Compatibility, fit and reasons of docs/matching.md, vectorised over (pledge node, need) blocks.
Imports only numpy and the instance module (no web, database or solver code)."""

from __future__ import annotations

import numpy as np

from .instance import KIND_CODE, LOCAL_KINDS, Instance

#: Reason strings in the output (one clean, parseable scheme; see `parse_reason`):
#:   "item: <item>"        logistics: the pledge offers the item the need names
#:   "substitute: <item>"  logistics: the pledge offers an item the need accepts instead
#:   "same district" | "near district" | "far district"  (logistics and execution only)
#:   "skill: <skill>"      one per skill the need asks for and the pledge offers
#:   "preferred project"   the need's project is the one the pledge chose
#:   "preferred table"     the need's table is among the pledge's tables
#:   "priority <p>"        the project's priority (as in docs/matching.md's example, e.g. "priority 8")
REASON_CODES = ("item", "substitute", "same district", "near district", "far district", "skill",
                "preferred project", "preferred table", "priority")

LOC_SAME, LOC_NEAR, LOC_FAR, LOC_NONE = 0, 1, 2, 3


def parse_reason(reason: str) -> tuple[str, str | None]:
    """Split an output reason into (code, argument) for translation:
    "skill: nursing" -> ("skill", "nursing"); "priority 8" -> ("priority", "8");
    "same district" -> ("same district", None)."""
    if reason.startswith("skill: "):
        return "skill", reason[len("skill: "):]
    if reason.startswith("item: "):
        return "item", reason[len("item: "):]
    if reason.startswith("substitute: "):
        return "substitute", reason[len("substitute: "):]
    if reason.startswith("priority "):
        return "priority", reason[len("priority "):]
    return reason, None


class Tables:
    """Small lookup tables shared by all blocks: location class per district pair, table
    membership per (table set, table), skill compatibility and skill fit per skill-set pair."""

    def __init__(self, inst: Instance):
        p = inst.params
        nd = len(inst.district_names)
        parent = inst.district_parent
        # location class, indexed [pledge district + 1, need district + 1]; index 0 = absent
        # (does not restrict: factor 1), index nd + 1 = a name not in `districts` (far)
        loc = np.full((nd + 2, nd + 2), LOC_FAR, np.int8)
        loc[0, :] = LOC_NONE
        loc[:, 0] = LOC_NONE
        for a in range(nd):
            for b in range(nd):
                if a == b:
                    c = LOC_SAME
                elif parent[a] == b or parent[b] == a or (parent[a] >= 0 and parent[a] == parent[b]):
                    c = LOC_NEAR
                else:
                    c = LOC_FAR
                loc[a + 1, b + 1] = c
        self.loc_class = loc
        self.loc_factor_of_class = np.array([1.0, p["near_factor"], p["far_factor"], 1.0])

        nt = len(inst.table_names)
        member = np.zeros((len(inst.tablesets), nt + 1), bool)
        for s, ts in enumerate(inst.tablesets):
            for t in ts:
                member[s, t + 1] = True
        self.table_member = member  # column 0: need without a table
        self.pref_factor = np.where(member, 1.0 + p["preferred_bonus"], 1.0)
        self.project_factor = 1.0 + p["project_bonus"]

        # logistics items, indexed [pledge item + 1, need item set]: row 0 = the pledge names no
        # item, column 0 = the need names none; they match only each other. A need's item set is
        # (its item, substitutes...): its own item fits 1, a substitute `substitute_factor`.
        ni = len(inst.item_names)
        item_fit = np.zeros((ni + 1, len(inst.itemsets)), np.float64)
        item_fit[0, 0] = 1.0
        for s, its in enumerate(inst.itemsets):
            for pos, it in enumerate(its):
                item_fit[it + 1, s] = 1.0 if pos == 0 else p["substitute_factor"]
        self.item_fit = item_fit

        nsk = max(1, len(inst.skill_names))
        # skill sets used by pledges and by needs (share one interner)
        m = np.zeros((len(inst.skillsets), nsk), np.float32)
        for s, ss in enumerate(inst.skillsets):
            m[s, list(ss)] = 1.0
        size = m.sum(axis=1)
        self._skill_matrix = m
        used_p = np.unique(inst.pledge_skillset) if inst.n_pledges else np.zeros(0, np.int64)
        used_n = np.unique(inst.need_skillset) if inst.n_needs else np.zeros(0, np.int64)
        # dense [pledge skillset, need skillset] tables over the sets actually used
        self.skill_ok: np.ndarray | _Remap
        self.skill_fit: np.ndarray | _Remap
        inter = np.zeros((len(inst.skillsets), len(inst.skillsets)), np.float32) if len(inst.skillsets) <= 4096 else None
        if inter is not None:
            inter[np.ix_(used_p, used_n)] = m[used_p] @ m[used_n].T
            nsize = np.maximum(size, 1.0)[None, :]
            floor = p["skill_floor"]
            self.skill_ok = (inter > 0) | (size[None, :] == 0)
            self.skill_fit = np.where(size[None, :] == 0, 1.0, floor + (1.0 - floor) * inter / nsize)
        else:  # pragma: no cover - very many distinct skill sets: build over used pairs only
            pmap = np.full(len(inst.skillsets), -1, np.int64)
            pmap[used_p] = np.arange(len(used_p))
            nmap = np.full(len(inst.skillsets), -1, np.int64)
            nmap[used_n] = np.arange(len(used_n))
            inter_small = m[used_p] @ m[used_n].T
            nsize = np.maximum(size[used_n], 1.0)[None, :]
            floor = p["skill_floor"]
            self.skill_ok = _Remap((inter_small > 0) | (size[used_n][None, :] == 0), pmap, nmap)
            self.skill_fit = _Remap(np.where(size[used_n][None, :] == 0, 1.0, floor + (1.0 - floor) * inter_small / nsize), pmap, nmap)


class _Remap:  # pragma: no cover - only for > 4096 distinct skill sets
    def __init__(self, arr: np.ndarray, pmap: np.ndarray, nmap: np.ndarray) -> None:
        self.arr, self.pmap, self.nmap = arr, pmap, nmap

    def __getitem__(self, key: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        a, b = key
        return self.arr[self.pmap[a], self.nmap[b]]


def block_fit(tab: Tables, kind: int, pd: np.ndarray, pts: np.ndarray, ponly: np.ndarray, pstart: np.ndarray,
              pend: np.ndarray, psk: np.ndarray, nd: np.ndarray, nt: np.ndarray, nstart: np.ndarray,
              nend: np.ndarray, nsk: np.ndarray, *, pitem: np.ndarray | None = None,
              pproj: np.ndarray | None = None, ponlyp: np.ndarray | None = None,
              nis: np.ndarray | None = None, nproj: np.ndarray | None = None) -> np.ndarray:
    """Fit of every (pledge node, need) pair of one kind, as a dense float64 matrix with 0 where
    the pair is incompatible. Pledge arrays have shape (g,), need arrays shape (n,). Items
    (`pitem`, `nis`) and projects (`pproj`, `ponlyp`, `nproj`) may be left out: none named."""
    pts_c = pts[:, None]
    nt_c = nt[None, :] + 1
    ok = (pstart[:, None] <= nend[None, :]) & (nstart[None, :] <= pend[:, None])
    ok &= tab.skill_ok[psk[:, None], nsk[None, :]]
    if ponly.any():
        ok &= ~ponly[:, None] | tab.table_member[pts_c, nt_c]
    pref = tab.pref_factor[pts_c, nt_c]
    if pproj is not None and nproj is not None and (pproj >= 0).any():
        same = (pproj[:, None] >= 0) & (pproj[:, None] == nproj[None, :])
        if ponlyp is not None and ponlyp.any():
            ok &= ~ponlyp[:, None] | same
        pref = np.where(same, pref * tab.project_factor, pref)
    fit = pref * tab.skill_fit[psk[:, None], nsk[None, :]]
    if pitem is not None and nis is not None:
        fit = fit * tab.item_fit[pitem[:, None] + 1, nis[None, :]]
    if kind in LOCAL_KINDS:
        fit = fit * tab.loc_factor_of_class[tab.loc_class[pd[:, None] + 1, nd[None, :] + 1]]
    return np.where(ok, fit, 0.0)


def pair_fit(inst: Instance, tab: Tables, i: int, j: int) -> float:
    """Fit of one (pledge, need) pair, 0 when incompatible (forbidden pairs not checked)."""
    if inst.pledge_kind[i] != inst.need_kind[j]:
        return 0.0
    a = np.array([i])
    b = np.array([j])
    return float(block_fit(tab, int(inst.need_kind[j]), inst.pledge_district[a], inst.pledge_tableset[a],
                           inst.pledge_only[a], inst.pledge_start[a], inst.pledge_end[a], inst.pledge_skillset[a],
                           inst.need_district[b], inst.need_table[b], inst.need_start[b], inst.need_end[b],
                           inst.need_skillset[b], pitem=inst.pledge_item[a], pproj=inst.pledge_project[a],
                           ponlyp=inst.pledge_only_project[a], nis=inst.need_itemset[b],
                           nproj=inst.need_project[b])[0, 0])


def _fmt_priority(p: float) -> str:
    return f"{p:g}"


def reasons(inst: Instance, tab: Tables, i: int, j: int) -> list[str]:
    """Reasons of one allocation (pledge index i, need index j), in the scheme of REASON_CODES."""
    out: list[str] = []
    its = inst.itemsets[inst.need_itemset[j]]
    pit = int(inst.pledge_item[i])
    if its and pit >= 0:
        out.append(("item: " if pit == its[0] else "substitute: ") + inst.item_names[pit])
    sk_need = inst.skillsets[inst.need_skillset[j]]
    sk_pl = set(inst.skillsets[inst.pledge_skillset[i]])
    shared = sorted(inst.skill_names[s] for s in sk_need if s in sk_pl)
    out.extend(f"skill: {s}" for s in shared)
    t = inst.need_table[j]
    pr = int(inst.pledge_project[i])
    if pr >= 0 and pr == int(inst.need_project[j]):
        out.append("preferred project")
    if t >= 0 and t in inst.tablesets[inst.pledge_tableset[i]]:
        out.append("preferred table")
    if int(inst.need_kind[j]) in LOCAL_KINDS:
        c = tab.loc_class[inst.pledge_district[i] + 1, inst.need_district[j] + 1]
        if c == LOC_SAME:
            out.append("same district")
        elif c == LOC_NEAR:
            out.append("near district")
        elif c == LOC_FAR:
            out.append("far district")
    out.append(f"priority {_fmt_priority(float(inst.need_priority[j]))}")
    return out


__all__ = ["Tables", "block_fit", "pair_fit", "reasons", "parse_reason", "REASON_CODES", "KIND_CODE"]
