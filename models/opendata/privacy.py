"""The small-group rule of the open data (models.opendata): an aggregate of fewer than three people is
withheld, because a figure about one or two people tells what each of them gave.

Imports nothing. Three is the usual minimum cell of statistical disclosure control for counts of
people (a cell of two still lets either person subtract their own share and read the other's).
"""
from __future__ import annotations

MIN_CONTRIBUTORS = 3


def publishable(people: int) -> bool:
    """Whether an aggregate over `people` distinct persons may be published (none at all: nothing to hide)."""
    return people == 0 or people >= MIN_CONTRIBUTORS


__all__ = ["MIN_CONTRIBUTORS", "publishable"]
