"""The production entry point: `gunicorn dash_app.wsgi:server`.

Imports dash_app only.
"""
from dash_app import create_app

server = create_app()
