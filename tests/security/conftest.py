"""Fixtures for the security tests (the Hypothesis profiles are the root tests/conftest.py's)."""
from __future__ import annotations

from tests.web.conftest import web_db  # noqa: F401 - the web tests' fresh SQLite file
