"""The HiGHS interface of the column generation: SciPy's own HiGHS binding, where it is safe.

Why a private binding. Column generation (matching.transport) adds a few columns to a
restricted LP per round and solves it again. `scipy.optimize.linprog` rebuilds the model and
solves every round from scratch (~35 s against ~4 s at 20k x 2k); the HiGHS object that SciPy
ships in `scipy.optimize._highspy._core` keeps the model and its basis between rounds (warm
starts) and accepts a starting basis (the greedy's, see transport.greedy_basis).

Why guarded. That module is private: its name, its classes and their methods may change in any
SciPy release without notice. It is used only when SciPy's version is within TESTED_SCIPY (the
releases the matching tests passed with) and the module imports; otherwise `available()` is
False and the transport solver takes its fallback, cold-started `linprog` rounds (public API,
same optimum, slower). Everything here is a thin wrapper: the same calls in the same order as
a direct use, so the answer does not depend on the wrapper.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy

#: SciPy releases (major, minor), inclusive, with which tests/matching passed on the binding
TESTED_SCIPY = ((1, 15), (1, 17))


def version_tested(version: str) -> bool:
    """True when a SciPy version string is within TESTED_SCIPY (a pre-release counts as its
    release: 1.18.0rc1 is 1.18, outside)."""
    m = re.match(r"(\d+)\.(\d+)", version)
    if m is None:
        return False
    v = (int(m.group(1)), int(m.group(2)))
    return TESTED_SCIPY[0] <= v <= TESTED_SCIPY[1]


def _load() -> ModuleType | None:
    """The binding's module, or None outside TESTED_SCIPY or when it does not import."""
    if not version_tested(scipy.__version__):
        return None
    try:
        from scipy.optimize._highspy import _core
    except ImportError:
        return None
    return _core


_core: ModuleType | None = _load()


def available() -> bool:
    """The private binding can be used (tested SciPy release, module present)."""
    return _core is not None


class RestrictedLP:
    """max c.x over x >= 0, rows `lo <= A x <= ub` where every column has a 1 in two rows (a
    node row and a need row): the restricted master LP of the transportation problem, grown
    by rows and columns, solved again from its last basis after each growth."""

    def __init__(self) -> None:
        if _core is None:
            raise RuntimeError("scipy's HiGHS binding is not available")
        self._hc = _core
        self._h: Any = _core._Highs()
        self.set_option("output_flag", False)
        self.set_option("simplex_strategy", 1)  # dual simplex: warm starts after adding columns
        self.set_option("dual_feasibility_tolerance", 1e-10)
        self.set_option("primal_feasibility_tolerance", 1e-9)
        self.set_option("threads", 1)

    def set_option(self, name: str, value: bool | int | float) -> None:
        self._h.setOptionValue(name, value)

    def add_rows(self, ub: npt.NDArray[np.float64]) -> None:
        """Append len(ub) empty rows -inf <= . <= ub."""
        empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0)
        self._h.addRows(len(ub), np.full(len(ub), -np.inf), ub, 0, empty_i, empty_i, empty_f)

    def add_cols(self, cost: npt.NDArray[np.float64], row_a: npt.NDArray[np.int64],
                 row_b: npt.NDArray[np.int64], ub: npt.NDArray[np.float64] | None = None) -> None:
        """Append columns maximising `cost`, each with a 1 in rows row_a[k] and row_b[k], bounds
        0 <= x <= ub (default no upper bound)."""
        k = len(cost)
        index = np.empty(2 * k, np.int32)
        index[0::2] = row_a
        index[1::2] = row_b
        self._h.addCols(k, -cost, np.zeros(k), np.full(k, np.inf) if ub is None else ub, 2 * k,
                        np.arange(0, 2 * k, 2, dtype=np.int32), index, np.ones(2 * k))

    def change_costs(self, cols: npt.NDArray[np.int64], cost: npt.NDArray[np.float64]) -> None:
        """New costs (maximised) of existing columns; the basis is kept."""
        self._h.changeColsCost(len(cols), cols.astype(np.int32), -cost)

    def iterations(self) -> int:
        """Simplex iterations of all runs so far."""
        return int(self._h.getInfo().simplex_iteration_count)

    def set_basis(self, n_cols: int, n_rows: int, basic_cols: npt.NDArray[np.int64],
                  basic_rows: npt.NDArray[np.int64], upper_cols: npt.NDArray[np.int64] | None = None) -> None:
        """Start from a basis: the given columns and row slacks basic, `upper_cols` at their
        upper bound, every other column at its lower bound (0), every other row at its upper
        bound."""
        st = self._hc.HighsBasisStatus
        hb = self._hc.HighsBasis()
        cs = [st.kLower] * n_cols
        for k in basic_cols.tolist():
            cs[k] = st.kBasic
        if upper_cols is not None:
            for k in upper_cols.tolist():
                cs[k] = st.kUpper
        rs = [st.kUpper] * n_rows
        for r in basic_rows.tolist():
            rs[r] = st.kBasic
        hb.col_status = cs
        hb.row_status = rs
        hb.valid = True
        self._h.setBasis(hb)

    def solve(self) -> None:
        """Run HiGHS; raise unless it proves the LP optimal."""
        self._h.run()
        status = self._h.getModelStatus()
        if status != self._hc.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {self._h.modelStatusToString(status)}")

    def row_duals(self) -> npt.NDArray[np.float64]:
        """Duals of the rows for the maximisation (>= 0 on <= rows)."""
        return -np.asarray(self._h.getSolution().row_dual)

    def col_values(self) -> npt.NDArray[np.float64]:
        return np.asarray(self._h.getSolution().col_value)
