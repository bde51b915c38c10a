"""Why a proposal and not another: the next-best pledges for one need (docs/matching.md#alternatives).
Imports only numpy and the matching package (no web, database or solver code).

`alternatives(instance, need_id, limit)` ranks every pledge that could serve the need by the
worth of one unit on that need (priority x fit / quantity: the same number the solver
maximises), best first, then by what the pledge still has free, then by id. It does not solve
anything: it reads the rules (compatibility, fit, reasons) the solver uses, so a chair sees which
other pledges were in the running, how good each would have been, and how much of each is
already proposed elsewhere in the instance.
"""

from __future__ import annotations

import numpy as np

from .compat import Tables, block_fit, reasons
from .instance import InstanceError, parse_instance


def alternatives(instance: dict, need_id: str, limit: int = 5, *, exclude: tuple[str, ...] = ()) -> list[dict]:
    """The `limit` best pledges for need `need_id` (excluding the ids in `exclude`), each
    {"pledge", "fit", "worth_per_unit", "free", "proposed_here", "proposed_elsewhere", "reasons"}:
    `free` = the pledge's quantity after `fixed` and after its proposals on other needs;
    `proposed_here` = what `proposed` gives this need from it. Forbidden pairs, incompatible
    pledges and whole pledges larger than the need's room are left out."""
    inst = parse_instance(instance)
    try:
        j = inst.need_ids.index(need_id)
    except ValueError:
        raise InstanceError(f"alternatives: unknown need id {need_id!r}") from None
    kind = int(inst.need_kind[j])
    skip = set(exclude)
    cand = np.array([i for i in np.flatnonzero((inst.pledge_kind == kind) & (inst.pledge_qty > 0)).tolist()
                     if (i, j) not in inst.forbidden and inst.pledge_ids[i] not in skip], np.int64)
    if not len(cand) or limit <= 0:
        return []
    tab = Tables(inst)
    b = np.array([j])
    fit = block_fit(tab, kind, inst.pledge_district[cand], inst.pledge_tableset[cand], inst.pledge_only[cand],
                    inst.pledge_start[cand], inst.pledge_end[cand], inst.pledge_skillset[cand],
                    inst.need_district[b], inst.need_table[b], inst.need_start[b], inst.need_end[b],
                    inst.need_skillset[b], pitem=inst.pledge_item[cand], pproj=inst.pledge_project[cand],
                    ponlyp=inst.pledge_only_project[cand], nis=inst.need_itemset[b],
                    nproj=inst.need_project[b])[:, 0]
    elsewhere: dict[int, int] = {}
    here: dict[int, int] = {}
    for (i, jj), q in inst.proposed.items():
        if jj == j:
            here[i] = here.get(i, 0) + q
        else:
            elsewhere[i] = elsewhere.get(i, 0) + q
    room = int(inst.need_qty[j])
    per_unit = float(inst.need_priority[j]) / float(inst.need_qty_total[j])
    rows = []
    for i, f in zip(cand.tolist(), fit.tolist()):
        if f <= 0 or (not inst.pledge_divisible[i] and int(inst.pledge_qty[i]) > room):
            continue
        free = max(0, int(inst.pledge_qty[i]) - elsewhere.get(i, 0))
        rows.append((-f, -free, inst.pledge_ids[i], i, f, free))
    rows.sort()
    out = []
    for _, _, pid, i, f, free in rows[:limit]:
        out.append({"pledge": pid, "fit": round(f, 12), "worth_per_unit": float(f"{f * per_unit:.12g}"),
                    "free": free, "proposed_here": here.get(i, 0), "proposed_elsewhere": elsewhere.get(i, 0),
                    "reasons": reasons(inst, tab, i, j)})
    return out


__all__ = ["alternatives"]
