"""Fixtures for the security tests, and Hypothesis profiles.

Profiles: `ci` (the default: a few hundred fuzz cases over the whole suite) and `nightly`
(`HYPOTHESIS_PROFILE=nightly`: 10,000+ cases). Both without deadlines (2 shared cores)."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.web.conftest import web_db  # noqa: F401 - the web tests' fresh SQLite file

_COMMON = dict(deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                      HealthCheck.data_too_large, HealthCheck.filter_too_much])
# Per-test example counts are scaled from these: FUZZ_SCALE["ci"] == 1, nightly multiplies.
# CI is the gate, so its cases are the same on every run (derandomize): a red CI means the change broke
# something, never that exploration happened upon an old bug. Exploring is the nightly run's job: random
# cases, 40x as many; what it finds gets fixed and, where useful, pinned with @example.
settings.register_profile("ci", max_examples=40, derandomize=True, **_COMMON)
settings.register_profile("nightly", max_examples=1600, derandomize=False, **_COMMON)
settings.register_profile("dev", max_examples=10, derandomize=False, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
