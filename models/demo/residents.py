"""Synthetic residents for the demo and the tests: valid national codes that belong to nobody.

Imports models.core only. Every code starts with 000, a city prefix no registry office issues, and its
tenth digit is the real check digit, so the codes pass the checksum and can never be a real person's.
"""
from __future__ import annotations

from collections.abc import Sequence

from models.core.national_code import check_digit


def synthetic_code(n: int) -> str:
    """The n-th synthetic national code (0 <= n < 10**6): '000' + six digits + the check digit."""
    if not 0 <= n < 10**6:
        raise ValueError("n out of range")
    nine = f"000{n:06d}"
    if len(set(nine)) == 1:          # 000000000x is ten equal digits for n = 0; skip it
        nine = "000999999"
    return nine + str(check_digit(nine))


def register_csv(rows: Sequence[tuple[str, str, str, int | str]], header: tuple[str, ...] = (
        "national_code", "name", "district", "birth_year")) -> bytes:
    """A register file (UTF-8 CSV) of (national code, name, district slug or name, Jalali birth year) rows."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


__all__ = ["register_csv", "synthetic_code"]


def demo_register(count: int = 60, seed: int = 1405) -> bytes:
    """A small synthetic register of the demo county (CSV): synthetic codes, the demo's names, its real places
    (cities and rural districts by slug, districts by Persian name), birth years 1320-1390."""
    import json
    import random
    from pathlib import Path

    from models.demo import content

    facts = json.loads((Path(__file__).with_name("data") / "amol.json").read_text(encoding="utf-8"))
    places = [d["name_fa"] for d in facts["districts"]] + [
        p["slug"] for d in facts["districts"] for p in d.get("cities", []) + d.get("rural_districts", [])]
    rng = random.Random(seed)
    rows = [(synthetic_code(i + 1), f"{rng.choice(content.FIRST_NAMES)} {rng.choice(content.LAST_NAMES)}",
             rng.choice(places), rng.randint(1320, 1390)) for i in range(count)]
    return register_csv(rows, header=("کد ملی", "نام", "بخش", "سال تولد"))


__all__ += ["demo_register"]
