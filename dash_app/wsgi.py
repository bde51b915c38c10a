"""The production entry point: `gunicorn dash_app.wsgi:server`.

Imports dash_app and werkzeug only. Behind a reverse proxy (nginx), set HAMYAR_PROXIES to the
number of proxies in front, so that rate limits see each citizen's own address and redirects
keep https (werkzeug's ProxyFix trusts only that many X-Forwarded-* hops).
"""
from werkzeug.middleware.proxy_fix import ProxyFix

from dash_app import create_app
from dash_app.settings import settings_of

server = create_app()
_proxies = settings_of(server).proxies
if _proxies > 0:
    server.wsgi_app = ProxyFix(server.wsgi_app, x_for=_proxies, x_proto=_proxies, x_host=_proxies)
