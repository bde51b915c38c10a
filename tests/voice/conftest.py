"""The web fixtures (an app on a fresh SQLite file, people of each role) for the referral pages' tests."""
from tests.web.conftest import app, client, people, web_db  # noqa: F401 (fixtures)
