"""Fixtures for the governorate's tests: the web fixtures (an app on a fresh database, people of each role)."""
from tests.web.conftest import app, client, people, web_db  # noqa: F401  (pytest fixtures)
