"""One kind's transportation problem: supply nodes (classes of pledges), need nodes, and arcs.

Why aggregate. Divisible pledges that are interchangeable -- same district where it matters,
same table set and only-tables flag, same skill set, same logistics item, same chosen project
and only-project flag, and windows in the same *window class*
(two windows that overlap exactly the same needs' windows) -- have identical arcs and worths,
so the LP cannot tell them apart: they collapse into one supply node whose capacity is their
sum. The optimum over the nodes is the optimum over the pledges, and `split_flows` hands each
node's flow back to its members in id order (north-west corner), which is deterministic.
Whole pledges and pledges named in `forbidden` or `proposed` stay single nodes: their arcs or
their tie-break weights differ from their class's (the exact whole-pledge MILP merges
interchangeable whole pledges itself, one integer column per arc: matching.whole.whole_classes).

Why classes for the fit. The fit of a (node, need) pair without the window test depends only
on a few attributes on each side: pledge (district where it matters, table set, only-tables,
skill set) and need (district, table, skill set). One `block_fit` over the class pairs, then a
row gather (and a column take) per block of nodes and the window test, builds every arc; the
dense block never exceeds _CHUNK_CELLS cells.

Need nodes. With a first-tranche bonus a need is two nodes: its first `first_tranche` share,
worth (1 + bonus) per unit, and the rest; both point back to the need (`need_idx`).

Worth per unit of an arc: priority_j * fit_ij / quantity_j (times the tranche multiplier).
Imports only numpy and the matching package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .compat import Tables, block_fit
from .instance import LOCAL_KINDS, NO_END, NO_START, Instance

_CHUNK_CELLS = 4_000_000  # cells of one dense (nodes x needs) fit block

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class KindProblem:
    """The transportation problem of one kind. Nodes are sorted by their first member's id,
    arcs come node-major (node, then need node), so everything downstream is deterministic."""

    kind: int
    members: list[IntArray]  # per node: pledge indices sorted by id
    node_rep: IntArray  # representative pledge per node
    node_cap: IntArray  # supply per node
    node_whole: BoolArray  # node is a whole (indivisible) pledge
    need_idx: IntArray  # need index per need node (tranches repeat a need)
    need_cap: IntArray  # capacity per need node
    need_mult: FloatArray  # tranche multiplier per need node
    gi: IntArray  # arcs: node
    nj: IntArray  # arcs: need node
    w: FloatArray  # arcs: worth per unit (unscaled)
    fit: FloatArray  # arcs: fit
    pairs: int = 0  # compatible (pledge, need) pairs behind the arcs


def _order_by_id(ids: list[str], idx: IntArray) -> IntArray:
    return np.array(sorted(idx.tolist(), key=lambda k: ids[k]), dtype=np.int64)


def _row_classes(key: IntArray) -> tuple[IntArray, IntArray]:
    """Classes of equal rows of an int64 matrix: (first row of each class, class per row). One
    mixed-radix code per row and a 1-D unique (np.unique(axis=0) is several times slower)."""
    n = len(key)
    code = np.zeros(n, np.int64)
    room = 1
    for col in key.T:
        lo = int(col.min()) if n else 0
        span = (int(col.max()) - lo + 1) if n else 1
        room *= span
        if room >= 2**62:
            _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
            return first, inv.ravel()
        code = code * span + (col - lo)
    _, first, inv = np.unique(code, return_index=True, return_inverse=True)
    return first, inv.ravel()


def _need_nodes(inst: Instance, needs: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    """(need index, capacity, worth multiplier) per need node: one node per need, or two
    tranches per need when a first-tranche bonus is asked for."""
    p = inst.params
    bonus = p["first_tranche_bonus"]
    if bonus > 0 and len(needs):
        first = np.ceil(p["first_tranche"] * inst.need_qty_total[needs]).astype(np.int64)
        fixed_n = inst.need_qty_total[needs] - inst.need_qty[needs]
        cap1 = np.clip(first - fixed_n, 0, inst.need_qty[needs])
        cap2 = inst.need_qty[needs] - cap1
        need_idx = np.concatenate([needs, needs])
        need_cap = np.concatenate([cap1, cap2])
        need_mult = np.concatenate([np.full(len(needs), 1.0 + bonus), np.ones(len(needs))])
        keep = need_cap > 0
        return need_idx[keep], need_cap[keep], need_mult[keep]
    return needs, inst.need_qty[needs].copy(), np.ones(len(needs))


def _supply_nodes(inst: Instance, kind: int, pl: IntArray, needs: IntArray) -> list[IntArray]:
    """Members of each supply node, nodes ordered by their first member's id: divisible pledges
    grouped by signature (see the module docstring), every other pledge alone."""
    special = {i for i, _ in inst.forbidden} | {i for i, _ in inst.proposed}
    single = inst.pledge_divisible[pl] == False  # noqa: E712
    if special:
        single |= np.isin(pl, np.fromiter(special, np.int64))
    members: list[IntArray] = []
    grp = pl[~single]
    if len(grp):
        ends = np.sort(inst.need_end[needs]) if len(needs) else np.zeros(0, np.int64)
        starts = np.sort(inst.need_start[needs]) if len(needs) else np.zeros(0, np.int64)
        cls_start = np.searchsorted(ends, inst.pledge_start[grp], "left")
        cls_end = np.searchsorted(starts, inst.pledge_end[grp], "right")
        dist = inst.pledge_district[grp] if kind in LOCAL_KINDS else np.zeros(len(grp), np.int32)
        key = np.stack([dist, inst.pledge_tableset[grp], inst.pledge_only[grp], cls_start, cls_end,
                        inst.pledge_skillset[grp], inst.pledge_item[grp], inst.pledge_project[grp],
                        inst.pledge_only_project[grp]], axis=1).astype(np.int64)
        _, inv = _row_classes(key)
        order = np.argsort(inv, kind="stable")  # members keep id order within a node
        bounds = np.flatnonzero(np.diff(inv[order])) + 1
        for chunk in np.split(order, bounds):
            members.append(grp[chunk])
    for i in pl[single]:
        members.append(np.array([i], np.int64))
    # node order: by first member id (deterministic, independent of grouping internals)
    members.sort(key=lambda m: inst.pledge_ids[m[0]])
    return members


def _class_fit(inst: Instance, tab: Tables, kind: int, node_rep: IntArray,
               need_idx: IntArray) -> tuple[FloatArray, IntArray, IntArray]:
    """Fit without windows per (pledge class, need class): (table, pledge class per node,
    need class per need node)."""
    G, N = len(node_rep), len(need_idx)
    local = kind in LOCAL_KINDS
    pd_all = inst.pledge_district[node_rep] if local else np.zeros(G, np.int32)
    pproj = inst.pledge_project[node_rep]
    pkey = np.stack([pd_all, inst.pledge_tableset[node_rep], inst.pledge_only[node_rep],
                     inst.pledge_skillset[node_rep], inst.pledge_item[node_rep], pproj,
                     inst.pledge_only_project[node_rep]], axis=1).astype(np.int64)
    pfirst, pinv = _row_classes(pkey)
    pcls = pkey[pfirst]
    nd, nt, nsk = inst.need_district[need_idx], inst.need_table[need_idx], inst.need_skillset[need_idx]
    # a need's project matters only when some pledge of the kind chose it (else: -1, few classes)
    nproj = inst.need_project[need_idx]
    chosen = np.unique(pproj[pproj >= 0])
    nproj = np.where(np.isin(nproj, chosen), nproj, -1) if len(chosen) else np.full(N, -1, np.int32)
    nkey = np.stack([nd if local else np.zeros(N, np.int32), nt, nsk, inst.need_itemset[need_idx], nproj],
                    axis=1).astype(np.int64)
    nfirst, ninv = _row_classes(nkey)
    ncls = nkey[nfirst]
    wide_p = np.full(len(pcls), NO_START, np.int64), np.full(len(pcls), NO_END, np.int64)
    wide_n = np.full(len(ncls), NO_START, np.int64), np.full(len(ncls), NO_END, np.int64)
    T = block_fit(tab, kind, pcls[:, 0].astype(np.int32), pcls[:, 1], pcls[:, 2].astype(bool), *wide_p,
                  pcls[:, 3], ncls[:, 0].astype(np.int32), ncls[:, 1], *wide_n, ncls[:, 2],
                  pitem=pcls[:, 4], pproj=pcls[:, 5], ponlyp=pcls[:, 6].astype(bool), nis=ncls[:, 3],
                  nproj=ncls[:, 4])
    return T, pinv, ninv


def _arcs(inst: Instance, tab: Tables, kind: int, node_rep: IntArray, node_cap: IntArray,
          node_whole: BoolArray, need_idx: IntArray, need_cap: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Compatible arcs (node, need node, fit), node-major, block by block of nodes."""
    G, N = len(node_rep), len(need_idx)
    gis: list[IntArray] = []
    njs: list[IntArray] = []
    fits: list[FloatArray] = []
    if G and N:
        rows = max(1, _CHUNK_CELLS // N)
        ns, ne = inst.need_start[need_idx], inst.need_end[need_idx]
        T, pinv, ninv = _class_fit(inst, tab, kind, node_rep, need_idx)
        expand = T.shape[0] * 4 < G  # few classes: expand to class x need once, else per block
        if expand:
            T = np.ascontiguousarray(T[:, ninv])
        timed = bool((inst.pledge_start[node_rep] > NO_START).any() or (inst.pledge_end[node_rep] < NO_END).any())
        for r0 in range(0, G, rows):
            g = node_rep[r0:r0 + rows]
            F = T[pinv[r0:r0 + rows]] if expand else np.take(T[pinv[r0:r0 + rows]], ninv, axis=1)
            if timed:
                F *= (inst.pledge_start[g][:, None] <= ne[None, :]) & (ns[None, :] <= inst.pledge_end[g][:, None])
            wh = node_whole[r0:r0 + rows]
            if wh.any():  # a whole pledge cannot go to a need with less room than itself
                F[wh] = np.where(node_cap[r0:r0 + rows][wh][:, None] <= need_cap[None, :], F[wh], 0.0)
            flat = np.flatnonzero(F)
            r, c = np.divmod(flat, N)
            gis.append(r + r0)
            njs.append(c)
            fits.append(F.ravel()[flat])
    gi = np.concatenate(gis) if gis else np.zeros(0, np.int64)
    nj = np.concatenate(njs) if njs else np.zeros(0, np.int64)
    fit = np.concatenate(fits) if fits else np.zeros(0)
    return gi, nj, fit


def _drop_forbidden(inst: Instance, members: list[IntArray], need_idx: IntArray, gi: IntArray, nj: IntArray,
                    fit: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Remove the arcs of `forbidden` pairs (their pledges are single nodes)."""
    if not inst.forbidden or not len(gi):
        return gi, nj, fit
    node_of = {int(m[0]): g for g, m in enumerate(members) if len(m) == 1}
    need_nodes: dict[int, list[int]] = {}
    for k, j in enumerate(need_idx.tolist()):
        need_nodes.setdefault(j, []).append(k)
    bad = set()
    for i, j in inst.forbidden:
        g = node_of.get(i)
        if g is not None:
            for k in need_nodes.get(j, ()):
                bad.add((g, k))
    if not bad:
        return gi, nj, fit
    drop = np.array([(int(x), int(y)) in bad for x, y in zip(gi, nj)], bool)
    return gi[~drop], nj[~drop], fit[~drop]


def build_kind(inst: Instance, tab: Tables, kind: int) -> KindProblem:
    """Nodes and compatible arcs of one kind."""
    needs = np.flatnonzero((inst.need_kind == kind) & (inst.need_qty > 0))
    needs = _order_by_id(inst.need_ids, needs)
    pl = np.flatnonzero((inst.pledge_kind == kind) & (inst.pledge_qty > 0))
    pl = _order_by_id(inst.pledge_ids, pl)
    need_idx, need_cap, need_mult = _need_nodes(inst, needs)
    members = _supply_nodes(inst, kind, pl, needs)
    node_rep = np.array([m[0] for m in members], np.int64)
    node_cap = np.array([int(inst.pledge_qty[m].sum()) for m in members], np.int64)
    node_whole = ~inst.pledge_divisible[node_rep] if len(members) else np.zeros(0, bool)

    gi, nj, fit = _arcs(inst, tab, kind, node_rep, node_cap, node_whole, need_idx, need_cap)
    gi, nj, fit = _drop_forbidden(inst, members, need_idx, gi, nj, fit)
    gi, nj = gi.astype(np.int64), nj.astype(np.int64)
    a = inst.need_priority[need_idx] / inst.need_qty_total[need_idx] * need_mult
    w = fit * a[nj] if len(gi) else np.zeros(0)
    sizes = np.array([len(m) for m in members], np.int64)
    # compatible (pledge, need) pairs; tranches of one need count once
    bonus = inst.params["first_tranche_bonus"]
    pairs = int(sizes[gi[need_mult[nj] == need_mult.min()]].sum()) if len(gi) and bonus > 0 else (
        int(sizes[gi].sum()) if len(gi) else 0)
    return KindProblem(kind, members, node_rep, node_cap, node_whole, need_idx, need_cap, need_mult,
                       gi=gi, nj=nj, w=w, fit=fit, pairs=pairs)


def proposed_per_arc(inst: Instance, kp: KindProblem) -> IntArray:
    """Proposed quantity per arc (pledges with proposals are single nodes)."""
    proposed = np.zeros(len(kp.w), np.int64)
    node_of = {int(m[0]): g for g, m in enumerate(kp.members) if len(m) == 1}
    N = max(1, len(kp.need_idx))
    arc_key = kp.gi * N + kp.nj  # arcs are sorted by node, then need node
    order = np.argsort(arc_key, kind="stable")
    sorted_keys = arc_key[order]
    first_node: dict[int, int] = {}
    for k, j in enumerate(kp.need_idx.tolist()):
        first_node.setdefault(j, k)  # tranches: credit the proposal to the first tranche
    for (i, j), q in sorted(inst.proposed.items()):
        g, kn = node_of.get(i), first_node.get(j)
        if g is None or kn is None:
            continue
        pos = np.searchsorted(sorted_keys, g * N + kn)
        if pos < len(sorted_keys) and sorted_keys[pos] == g * N + kn:
            proposed[order[pos]] += q
    return proposed


def split_flows(inst: Instance, kp: KindProblem, flow: IntArray, flows: dict[tuple[int, int], int],
                worth: dict[tuple[int, int], float]) -> float:
    """Split each node's arc flows over its member pledges, in id order (north-west corner),
    needs in id order; accumulate quantities and worths per (pledge, need) into `flows` and
    `worth`. Returns the worth added."""
    used = np.flatnonzero(flow > 0)
    if len(used) == 0:
        return 0.0
    total = 0.0
    order = used[np.lexsort((kp.nj[used], kp.gi[used]))]
    g_prev, pos, left = -1, 0, 0
    for a in order:
        g = int(kp.gi[a])
        mem = kp.members[g]
        if g != g_prev:
            g_prev, pos = g, 0
            left = int(inst.pledge_qty[mem[0]])
        j = int(kp.need_idx[kp.nj[a]])
        q = int(flow[a])
        wu = float(kp.w[a])
        while q > 0:
            i = int(mem[pos])
            take = min(q, left)
            key = (i, j)
            flows[key] = flows.get(key, 0) + take
            worth[key] = worth.get(key, 0.0) + wu * take
            total += wu * take
            q -= take
            left -= take
            if left == 0 and pos + 1 < len(mem):
                pos += 1
                left = int(inst.pledge_qty[mem[pos]])
    return total
