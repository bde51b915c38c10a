"""The Celery worker's entry point: `celery -A dash_app.worker worker` (with REDIS_URL set).

The worker builds the same app as the web workers so that every background callback is registered
as a Celery task under the same name; the tasks then run Hamyar's code against DATABASE_URL.
It needs the web's SECRET_KEY too: a job checks the user from the session cookie of the request
that started it (dash_app.background).
"""
from __future__ import annotations

from dash_app import create_app
from dash_app.background import CELERY_KEY

server = create_app()
if CELERY_KEY not in server.extensions:
    raise SystemExit("the Celery worker needs REDIS_URL (and HAMYAR_BACKGROUND unset or 'celery')")
celery_app = server.extensions[CELERY_KEY]
app = celery_app  # `celery -A dash_app.worker` looks for `app` or `celery`

__all__ = ["app", "celery_app", "server"]
