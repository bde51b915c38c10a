"""The answer never depends on the machine's speed or load: every limit that can change it is a
count (arcs, branch-and-bound nodes), never seconds."""

import json
import os
import subprocess
import sys
import time

from matching import run_files, solve_instance
from matching.generate import generate_instance

from .tiny import tiny_instance


def _cpu_hogs(n):
    """n real child processes busy-looping (killed by the caller)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def test_same_bytes_under_cpu_load(tmp_path):
    """A mid-size whole-pledge instance whose exact MILP is stopped by its node limit (so the
    limit really decides the answer): the output file is byte-identical on a quiet machine and
    with busy-looping processes on every core."""
    inst = generate_instance(600, 50, seed=2, whole_fraction=1.0, n_proposed=20)
    inst["params"] = {"whole_node_limit": 2}
    src = tmp_path / "in.json"
    src.write_text(json.dumps(inst))
    quiet, loaded = tmp_path / "quiet.json", tmp_path / "loaded.json"
    assert run_files(src, quiet) == 0
    stats = json.loads(quiet.read_text())["stats"]
    assert "milp-node-limit" in stats["method"], stats
    assert 0 < stats["gap"] < 0.01
    hogs = _cpu_hogs(max(2, os.cpu_count() or 2))
    try:
        time.sleep(0.2)
        assert all(h.poll() is None for h in hogs)
        assert run_files(src, loaded) == 0
        assert all(h.poll() is None for h in hogs)  # the load lasted the whole solve
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    assert loaded.read_bytes() == quiet.read_bytes()


def test_time_limit_has_no_effect():
    """`time_limit` is still accepted (older instance files) but no longer limits anything."""
    for seed in range(5):
        inst = tiny_instance(seed, n_pledges=10, n_needs=4, max_q=10, whole=0.5,
                             kinds=("execution", "financial", "logistics", "design"))
        base = solve_instance(inst)
        inst["params"] = {"time_limit": 1e-6}
        fast = solve_instance(inst)
        base["stats"].pop("seconds")
        fast["stats"].pop("seconds")
        assert fast == base
    inst = generate_instance(300, 50, seed=1, whole_fraction=0.3)
    base = solve_instance(inst)
    inst["params"] = {"time_limit": 1e-6}
    fast = solve_instance(inst)
    assert fast["allocations"] == base["allocations"]
    assert fast["stats"]["method"] == base["stats"]["method"] == "milp"
