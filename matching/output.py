"""The output object of docs/matching.md (allocations, objective, stats) and its deterministic JSON.
Imports only the standard library and the matching package."""

from __future__ import annotations

import json
import os
import tempfile

from .compat import Tables, reasons
from .instance import Instance


def _num(x: float) -> float:
    """Round to 12 significant digits: stable text, far below the 1e-6 exactness tolerance."""
    return float(f"{x:.12g}")


def build_output(inst: Instance, flows: dict, worth: dict, stats: dict, tab: Tables | None = None) -> dict:
    tab = tab or Tables(inst)
    allocs = []
    # reasons depend on the pledge only through its skill set, table set, district, item and project: one
    # call per (those, need) (100k x 5k: ~50k allocations, a few thousand distinct reasons)
    psk, pts, pdi = inst.pledge_skillset.tolist(), inst.pledge_tableset.tolist(), inst.pledge_district.tolist()
    pit, ppr = inst.pledge_item.tolist(), inst.pledge_project.tolist()
    cache: dict[tuple[int, int, int, int, int, int], list[str]] = {}
    pids, nids = inst.pledge_ids, inst.need_ids
    for (i, j) in sorted(flows, key=lambda k: (pids[k[0]], nids[k[1]])):
        q = flows[(i, j)]
        if q <= 0:
            continue
        key = (psk[i], pts[i], pdi[i], pit[i], ppr[i], j)
        why = cache.get(key)
        if why is None:
            why = cache[key] = reasons(inst, tab, i, j)
        allocs.append({"pledge": pids[i], "need": nids[j], "quantity": int(q),
                       "worth": _num(worth[(i, j)]), "reasons": list(why)})
    objective = sum(worth[k] for k in flows if flows[k] > 0)
    out_stats = {}
    for k, v in stats.items():
        if k == "objective_exact":
            continue
        out_stats[k] = _num(v) if isinstance(v, float) else v
    return {"allocations": allocs, "objective": _num(objective), "stats": out_stats}


def dumps(output: dict) -> str:
    return json.dumps(output, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n"


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write to a temporary file in the target directory, then rename over the target."""
    path = os.fspath(path)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".match-", suffix=".json.tmp", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
