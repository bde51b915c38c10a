"""Issue 18 item 13: HSTS behind HTTPS, and nothing a signed-in person sees is kept by a browser or proxy."""
from __future__ import annotations

import pytest

from tests.web.conftest import log_in, make_people


@pytest.fixture
def make_client(web_db):
    from dash_app import create_app

    make_people(web_db)
    servers = []

    def make(**config):
        server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "headers", **config})
        servers.append(server)
        return server.test_client()

    yield make
    for server in servers:
        server.extensions["hamyar_db"].dispose()


def test_hsts_only_behind_https(make_client):
    plain = make_client().get("/")
    assert "Strict-Transport-Security" not in plain.headers
    secure = make_client(HAMYAR_HTTPS="1").get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_signed_in_answers_are_never_stored(make_client):
    client = make_client()
    anonymous = client.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    log_in(client, "governorate")
    for path in ("/", "/governorate", "/_dash-layout", "/_dash-dependencies", "/my"):
        answer = client.get(path)
        assert answer.headers.get("Cache-Control") == "no-store", (path, answer.headers)
    update = client.post("/_dash-update-component", json={})  # refused or not, never stored
    assert update.headers.get("Cache-Control") == "no-store"
    # Files that are the same for everyone may still be cached.
    asset = client.get("/assets/hamyar.css")
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("Cache-Control", "")


def test_remember_me_alone_counts_as_signed_in(make_client):
    client = make_client()
    log_in(client, "citizen", remember=True)
    client.delete_cookie("session")
    assert client.get_cookie("remember_token") is not None
    assert client.get("/my").headers.get("Cache-Control") == "no-store"
