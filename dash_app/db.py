"""The one accessor pages and callbacks use to reach the database of the running app.

Imports flask and models only.
"""
from __future__ import annotations

from flask import current_app

from models.core.db import Database

EXTENSION_KEY = "hamyar_db"


def get_db() -> Database:
    """The `models.Database` of the current Flask app (set by `create_app`)."""
    return current_app.extensions[EXTENSION_KEY]
