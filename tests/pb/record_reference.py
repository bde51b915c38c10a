"""Record pabutools' winners on the real elections: `python -m tests.pb.record_reference`.

The MES+add1 runs of pabutools take minutes on the larger files, so test_rules_reference.py runs
the cheap ones live and compares the others with this record (HAMYAR_PB_REFERENCE=full runs all live).
"""
from __future__ import annotations

import json
from pathlib import Path

from tests.pb.reference import RULES, reference_from_file

DATA = Path(__file__).resolve().parents[1] / "data" / "pabulib"
RECORD = DATA / "expected_pabutools.json"


def main() -> None:
    record = {}
    for path in sorted(DATA.glob("*.pb")):
        record[path.name] = {rule: reference_from_file(rule, path) for rule in RULES}
        print(path.name, flush=True)
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
