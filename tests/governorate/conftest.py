"""Fixtures for the governorate's tests: the web fixtures (an app on a fresh database, people of each role)."""
from tests.table.conftest import demo_app  # noqa: E402,F401  (the seeded demo behind a test client)
from tests.web.conftest import app, client, people, web_db  # noqa: F401  (pytest fixtures)
