"""CPU used by Hamyar, PostgreSQL, Redis and the load generator over a window, from /proc.

    python bench/cpu_by_process.py 25     # while `python -m bench.loadtest ...` runs

Prints CPU seconds and cores per group, to tell a CPU-bound server from a busy database or client.
"""
from __future__ import annotations

import os
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")
GROUPS = (("gunicorn", "gunicorn (Hamyar)"), ("bench.loadtest", "load generator"),
          ("celery", "celery workers"), ("postgres", "postgresql"), ("redis", "redis"))


def cpu_by_pid() -> dict[str, tuple[str, float]]:
    """pid -> (command line, user + system CPU seconds so far)."""
    seen = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline") as f:
                cmd = f.read().replace("\0", " ")
        except OSError:  # the process ended meanwhile
            continue
        seen[pid] = (cmd, (int(fields[11]) + int(fields[12])) / TICKS)
    return seen


def group_of(cmd: str) -> str:
    return next((name for needle, name in GROUPS if needle in cmd), "other")


def main(seconds: float) -> None:
    before, started = cpu_by_pid(), time.monotonic()
    time.sleep(seconds)
    after, window = cpu_by_pid(), time.monotonic() - started
    totals: dict[str, float] = {}
    for pid, (cmd, cpu) in after.items():
        totals[group_of(cmd)] = totals.get(group_of(cmd), 0.0) + cpu - before.get(pid, (cmd, 0.0))[1]
    for name, cpu in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{name:20s} {cpu:7.1f} s CPU = {cpu / window:4.2f} cores")
    print(f"window {window:.1f} s")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 25.0)
