"""The private HiGHS binding (matching.highs) and the public fallback give the same optimum."""

from dataclasses import replace

import pytest
import scipy

from matching import highs, solve_instance, transport
from matching.generate import generate_instance
from matching.instance import parse_instance
from matching.options import SolverOptions
from matching.output import build_output
from matching.solver import solve_arrays

from .reference import check_feasible, lp_optimum
from .tiny import tiny_instance


def _both(inst, monkeypatch):
    """Outputs with the default engine (the network simplex where built, else the binding) and
    on the fallback path (cold linprog rounds; counted through a pass-through wrapper, so the
    test knows the fallback really ran)."""
    fast = solve_instance(inst)
    parsed = parse_instance(inst)
    calls = []
    real = transport._cold_rounds
    monkeypatch.setattr(transport, "_cold_rounds", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(transport, "_colgen_highs", None)  # would raise if it were called
    res = solve_arrays(parsed, options=replace(SolverOptions.from_params(parsed.params), highs_binding=False,
                                                      network_simplex=False))
    slow = build_output(parsed, res.flows, res.worth, res.stats)
    assert calls or not fast["allocations"]
    return fast, slow


def test_installed_scipy_is_tested():
    assert highs.version_tested(scipy.__version__), scipy.__version__
    assert highs.available()


@pytest.mark.parametrize("version,ok", [("1.15.0", True), ("1.16.2", True), ("1.17.1", True),
                                        ("1.14.1", False), ("1.18.0", False), ("1.18.0rc1", False),
                                        ("2.0.0", False), ("dev", False)])
def test_version_range(version, ok):
    assert highs.version_tested(version) is ok


def test_untested_scipy_loads_no_binding(monkeypatch):
    monkeypatch.setattr(scipy, "__version__", "1.99.0")
    assert highs._load() is None
    monkeypatch.setattr(scipy, "__version__", "1.17.1")
    assert highs._load() is not None


@pytest.mark.parametrize("seed", range(4))
def test_fallback_same_objective_divisible(seed, monkeypatch):
    n_p, n_n = [(60, 15), (150, 30), (300, 60), (500, 80)][seed]
    inst = generate_instance(n_p, n_n, seed=seed, n_fixed=10, n_forbidden=30, n_proposed=20)
    fast, slow = _both(inst, monkeypatch)
    assert slow["stats"]["method"] == fast["stats"]["method"] == "lp-exact"
    assert slow["objective"] == pytest.approx(fast["objective"], rel=1e-9)
    assert check_feasible(inst, slow) == pytest.approx(lp_optimum(inst), rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_fallback_same_objective_whole(seed, monkeypatch):
    """Whole pledges on the exact path: the relaxation and every completion take the fallback."""
    inst = generate_instance(200, 30, seed=50 + seed, whole_fraction=0.3, n_proposed=10)
    fast, slow = _both(inst, monkeypatch)
    assert fast["stats"]["method"] == slow["stats"]["method"] == "milp"
    assert slow["objective"] == pytest.approx(fast["objective"], rel=1e-8)
    assert check_feasible(inst, slow) == pytest.approx(slow["objective"], rel=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_fallback_same_objective_tiny(seed, monkeypatch):
    inst = tiny_instance(seed, n_pledges=8, n_needs=4, max_q=10, whole=0.3,
                         kinds=("execution", "financial", "logistics", "design"))
    fast, slow = _both(inst, monkeypatch)
    assert slow["objective"] == pytest.approx(fast["objective"], rel=1e-9, abs=1e-12)
    assert check_feasible(inst, slow) == pytest.approx(slow["objective"], rel=1e-9, abs=1e-12)
