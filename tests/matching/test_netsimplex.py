"""The network simplex (matching/_netsimplex.c through matching.netsimplex) against HiGHS on small
random transportation LPs: the same optimum, a feasible integral flow, duals that certify it."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from matching import netsimplex, transport


def test_the_library_is_built():
    """Without it matching falls back to HiGHS: exact, but the speed targets of issue 16 are not met."""
    assert netsimplex.available(), "matching/_netsimplex.c is not built: pip install -e . with gcc installed"


def _random(rng, t):
    G, N = int(rng.integers(1, 30)), int(rng.integers(1, 20))
    m = int(rng.integers(1, G * N + 1))
    pairs = np.sort(rng.choice(G * N, m, replace=False))
    nj, gi = pairs // G, pairs % G  # need-major, as transport._arc_subset gives them
    c = rng.integers(1, 6, m) / 5.0 if t % 2 else rng.random(m)  # many ties, or none
    return G, N, gi, nj, c, rng.integers(0, 10, G), rng.integers(0, 10, N)


@pytest.mark.parametrize("per_need", [0, 1, 3, 16])
def test_same_optimum_as_highs(per_need):
    rng = np.random.default_rng(per_need)
    for t in range(150):
        G, N, gi, nj, c, ncap, dcap = _random(rng, t)
        m = len(c)
        prop = np.zeros(m, np.int64)
        P = int(rng.integers(0, min(m, 5) + 1))
        prop[rng.choice(m, P, replace=False)] = rng.integers(1, 5, P)
        x, u, v, _, _, _, _ = transport._netsimplex(G, N, gi, nj, c, ncap, dcap, prop if P else None, per_need=per_need)
        A = sp.csr_matrix((np.ones(2 * m), (np.r_[gi, G + nj], np.tile(np.arange(m), 2))), shape=(G + N, m))
        res = linprog(-c, A_ub=A, b_ub=np.r_[ncap, dcap], method="highs")
        assert c @ x == pytest.approx(-res.fun, abs=1e-7)
        assert x.dtype == np.int64 and (x >= 0).all() and (A @ x <= np.r_[ncap, dcap]).all()
        assert (c - u[gi] - v[nj] <= transport.PRICE_TOL).all()  # the certificate
        assert (u >= -1e-9).all() and (v >= -1e-9).all()


def test_proposals_win_ties():
    # two nodes, one need, equal worth: the proposed arc keeps the need's flow
    for first in (0, 1):
        prop = np.zeros(2, np.int64)
        prop[first] = 3
        x, _, _, _, certified, _, _ = transport._netsimplex(2, 1, np.array([0, 1]), np.array([0, 0]), np.array([1.0, 1.0]),
                                                         np.array([5, 5]), np.array([3]), prop)
        assert x[first] == 3 and x.sum() == 3 and certified


def test_deterministic():
    rng = np.random.default_rng(7)
    G, N, gi, nj, c, ncap, dcap = _random(rng, 0)
    a = transport._netsimplex(G, N, gi, nj, c, ncap, dcap, None)
    b = transport._netsimplex(G, N, gi, nj, c, ncap, dcap, None)
    assert (a[0] == b[0]).all() and (a[1] == b[1]).all() and (a[2] == b[2]).all()
