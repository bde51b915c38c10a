"""Record pabutools' winners on the real elections: `python -m tests.pb.record_reference [--all]`.

The MES+add1 runs of pabutools take minutes on the larger files, so test_rules_reference.py runs
the cheap ones live and compares the others with this record (HAMYAR_PB_REFERENCE=full runs all live).
Without --all only the missing (file, rule) entries are computed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.pb.reference import RULES, reference_from_file

DATA = Path(__file__).resolve().parents[1] / "data" / "pabulib"
RECORD = DATA / "expected_pabutools.json"
SKIP = ("phragmen", "max-welfare")   # approval-only / solver-dependent: always compared live


def main() -> None:
    record = {} if "--all" in sys.argv else json.loads(RECORD.read_text())
    for path in sorted(DATA.glob("*.pb")):
        entry = record.setdefault(path.name, {})
        for rule in RULES:
            if rule not in SKIP and rule not in entry:
                entry[rule] = reference_from_file(rule, path)
                print(path.name, rule, flush=True)
                RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
