"""The network simplex of the transportation LP (matching/_netsimplex.c, loaded with ctypes).

The transportation problem of one kind -- max sum c_a x_a over arcs (node g, need j), x >= 0,
sum_{a at g} x_a <= node_cap_g, sum_{a at j} x_a <= need_cap_j, some arcs bounded -- is a
min-cost flow: supply node_cap_g at g, demand need_cap_j at j, arc costs -c_a, plus a root with
a slack arc g -> root per node (its unused supply) and root -> j per need (its unmet demand),
cost 0. The C code runs a primal network simplex on it (LEMON's method: strongly feasible
spanning trees, block search pivots) with integer flows and double costs, from the all-slack
tree. Its pivot walks a tree path instead of updating an LU factorisation.

Duals: with potentials pi (reduced cost cost_a + pi_tail - pi_head, root 0), u_g = pi_g and
v_j = -pi_j; at the optimum c_a - u_g - v_j <= tol on every arc, u, v >= -tol (the slacks'
reduced costs): the LP certificate.

Why ctypes. A plain shared library needs neither the Python nor the NumPy C API at build
time; ctypes releases the GIL during the call, so the kinds' solves run on both threads.
When the library is missing (not built), `available()` is False and matching.transport keeps
its HiGHS column generation (with a warning when this module is imported). Imports only numpy and the
standard library.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import logging
import os

import numpy as np
import numpy.typing as npt

_HERE = os.path.dirname(os.path.abspath(__file__))


def _load() -> ctypes.CDLL | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(_HERE, "_netsimplex" + suffix)
        if os.path.exists(path):
            lib = ctypes.CDLL(path)
            break
    else:
        return None
    p = ctypes.c_void_p
    i64 = ctypes.c_int64
    lib.ns_new.restype = p
    lib.ns_new.argtypes = [ctypes.c_int32, i64, i64, p, p, p, p, i64, p, p]
    lib.ns_solve.restype = i64
    lib.ns_solve.argtypes = [p, ctypes.c_double]
    lib.ns_potentials.restype = None
    lib.ns_potentials.argtypes = [p, p]
    lib.ns_set_block.restype = None
    lib.ns_set_block.argtypes = [p, i64]
    lib.ns_set_runs.restype = ctypes.c_int
    lib.ns_set_runs.argtypes = [p, p, i64, p, i64]
    lib.ns_active.restype = i64
    lib.ns_active.argtypes = [p]
    lib.ns_rounds.restype = i64
    lib.ns_rounds.argtypes = [p]
    lib.ns_need_order.restype = i64
    lib.ns_need_order.argtypes = [i64, p, p, p, p, p, p, i64, p]
    lib.ns_fill.restype = None
    lib.ns_fill.argtypes = [i64, i64, p, p, p, p, p, ctypes.c_double, ctypes.c_double, ctypes.c_int32,
                            ctypes.c_int32, p, p, p]
    lib.ns_free.restype = None
    lib.ns_free.argtypes = [p]
    return lib


_lib = _load()
if _lib is None:  # said once, where the operator looks: the answers stay exact, large counties get slow
    logging.getLogger(__name__).warning(
        "matching/_netsimplex.c is not built (pip install -e . needs a C compiler): divisible kinds use HiGHS")


def available() -> bool:
    """The compiled library is there."""
    return _lib is not None


def _ptr(a: np.ndarray) -> int:
    return int(a.ctypes.data)


def need_order(gi: npt.NDArray[np.int64], nj: npt.NDArray[np.int64], fit: npt.NDArray[np.float64],
               node_cap: npt.NDArray[np.int64], need_cap: npt.NDArray[np.int64],
               mask: npt.NDArray[np.bool_] | None) -> npt.NDArray[np.int64]:
    """The arcs with room at both ends (and in mask), need-major, by fit band within a need, by a
    counting sort in C: the order of matching.transport._arc_subset when N * 16 < 32767 (beyond,
    that one takes a lexsort on (need, -fit); this one keeps its bands)."""
    assert _lib is not None
    gi, nj = np.ascontiguousarray(gi, np.int64), np.ascontiguousarray(nj, np.int64)
    fit = np.ascontiguousarray(fit, np.float64)
    nc, dc = np.ascontiguousarray(node_cap, np.int64), np.ascontiguousarray(need_cap, np.int64)
    mk = None if mask is None else np.ascontiguousarray(mask, np.uint8)
    out = np.empty(len(gi), np.int64)
    k = _lib.ns_need_order(len(gi), _ptr(gi), _ptr(nj), _ptr(fit), _ptr(nc), _ptr(dc),
                           None if mk is None else _ptr(mk), len(need_cap), _ptr(out))
    if k < 0:
        raise MemoryError("network simplex: need order")
    return out[:k]


class Transport:
    """One transportation problem on G nodes and N needs. Its arcs: order[k] -> arc P + k, an
    arc gi[a] -> nj[a] of worth w[a] / wscale (maximised); with `par` (positions in order) and
    `ub`, arc k < P is a parallel copy of order[par[k]] bounded by ub[k], worth + eps. Integer
    capacities. `solve` may be called again after `set_costs` (the tree is kept: a warm
    start)."""

    def __init__(self, gi: npt.NDArray[np.int64], nj: npt.NDArray[np.int64], w: npt.NDArray[np.float64],
                 node_cap: npt.NDArray[np.int64], need_cap: npt.NDArray[np.int64],
                 order: npt.NDArray[np.int64] | None = None, wscale: float = 1.0,
                 par: npt.NDArray[np.int64] | None = None, ub: npt.NDArray[np.int64] | None = None,
                 eps: float = 0.0) -> None:
        if _lib is None:
            raise RuntimeError("matching._netsimplex is not built")
        gi, nj = np.ascontiguousarray(gi, np.int64), np.ascontiguousarray(nj, np.int64)
        w = np.ascontiguousarray(w, np.float64)
        order = np.arange(len(w), dtype=np.int64) if order is None else np.ascontiguousarray(order, np.int64)
        par = np.zeros(0, np.int64) if par is None else np.ascontiguousarray(par, np.int64)
        G, N, P = len(node_cap), len(need_cap), len(par)
        n, m = G + N, P + len(order)
        if m + n >= 2**31 - 1:
            raise ValueError("too many arcs for the network simplex (int32 indices)")
        self.G, self.N, self.m, self.P = G, N, m, P
        self.src = np.empty(m + n, np.int32)
        self.tgt = np.empty(m + n, np.int32)
        self.cost = np.empty(m + n)
        _lib.ns_fill(len(order), P, _ptr(par), _ptr(order), _ptr(gi), _ptr(nj), _ptr(w), wscale, eps, G, N,
                     _ptr(self.src), _ptr(self.tgt), _ptr(self.cost))
        self.cap = np.zeros(0, np.int64) if ub is None else np.ascontiguousarray(ub, np.int64)
        assert len(self.cap) == P
        self.flow_all = np.empty(m + n, np.int64)
        self.supply = np.concatenate([node_cap, -np.asarray(need_cap)]).astype(np.int64)
        h = _lib.ns_new(n, m + n, m, _ptr(self.src), _ptr(self.tgt), _ptr(self.cost), _ptr(self.cap),
                        P, _ptr(self.flow_all), _ptr(self.supply))
        if not h:
            raise RuntimeError("network simplex: bad problem or out of memory")
        self._h: int | None = h
        self.pivots = 0

    def runs_by_need(self) -> npt.NDArray[np.int64]:
        """Starts of each need's run of arcs after the parallel ones (arcs need-major), and the end."""
        P, m = self.P, self.m
        t = self.tgt[P:m]
        return P + np.r_[0, np.flatnonzero(t[1:] != t[:-1]) + 1, m - P]

    def set_runs(self, run_start: npt.NDArray[np.int64], active: npt.NDArray[np.bool_], k: int) -> None:
        """Pricing rounds (see ns_set_runs in the C file): arcs run_start[r]..run_start[r+1]-1
        form run r; `active` (per arc) the arcs of the runs that start active."""
        assert self._h is not None
        self.run_start = np.ascontiguousarray(run_start, np.int64)
        act = np.ascontiguousarray(active, np.uint8)
        if len(act) != self.m or _lib.ns_set_runs(self._h, _ptr(self.run_start), len(self.run_start) - 1,  # type: ignore[union-attr]
                                                  _ptr(act), k) != 0:
            raise RuntimeError("network simplex: bad runs or out of memory")

    def active(self) -> int:
        """Arcs that took part (the pricing rounds' active arcs, or all), slacks and parallel arcs
        excluded."""
        assert self._h is not None
        return int(_lib.ns_active(self._h)) - self.G - self.N - self.P  # type: ignore[union-attr]

    def rounds(self) -> int:
        assert self._h is not None
        return int(_lib.ns_rounds(self._h))  # type: ignore[union-attr]

    def set_costs(self, idx: npt.NDArray[np.int64], c: npt.NDArray[np.float64]) -> None:
        """New (maximised) costs of arcs idx; the next `solve` starts from the current tree."""
        self.cost[idx] = -c

    def solve(self, tol: float) -> None:
        assert self._h is not None
        k = _lib.ns_solve(self._h, tol)  # type: ignore[union-attr]
        if k < 0:
            raise RuntimeError("network simplex: unbounded")
        self.pivots += int(k)

    @property
    def flow(self) -> npt.NDArray[np.int64]:
        """Flow per arc (a view, slacks excluded)."""
        return self.flow_all[:self.m]

    def duals(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(u per node, v per need) of the current tree."""
        assert self._h is not None
        pi = np.empty(self.G + self.N)
        _lib.ns_potentials(self._h, _ptr(pi))  # type: ignore[union-attr]
        return pi[:self.G].copy(), -pi[self.G:]

    def close(self) -> None:
        """Free the tree and the arrays."""
        if self._h is not None:
            _lib.ns_free(self._h)  # type: ignore[union-attr]
            self._h = None
        self.src, self.tgt = np.zeros(0, np.int32), np.zeros(0, np.int32)  # views (flow) keep their buffers
        self.cost, self.flow_all = np.zeros(0), np.zeros(0, np.int64)

    def __del__(self) -> None:
        self.close()
