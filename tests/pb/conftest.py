"""Fixtures shared by the PB tests: `setup` (a county with a governorate officer and six voters, on
SQLite and PostgreSQL) and `site` (the web app over a copy of a county with a cycle in voting)."""
from tests.pb.test_pb_cycles import setup  # noqa: F401
from tests.pb.test_pb_web import site, template  # noqa: F401
