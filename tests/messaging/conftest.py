"""Fixtures: a real SMTP server and a real HTTP SMS gateway on loopback, and transports pointing at them."""
from __future__ import annotations

import pytest

from models.messaging.transports import HttpSmsTransport, SmtpTransport, Transports
from tests.messaging.servers import Gateway, Mailbox, free_port, start_gateway


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


@pytest.fixture
def gateway():
    gw = Gateway()
    server = start_gateway(gw)
    yield gw
    server.shutdown()
    server.server_close()


@pytest.fixture
def transports(smtp_server, gateway):
    return Transports(sms=HttpSmsTransport(gateway.url, gateway.api_key, "Hamyar", timeout=5),
                      email=SmtpTransport("127.0.0.1", smtp_server.port, "hamyar@amol.example", timeout=5))


@pytest.fixture
def db(tmp_path):
    """A fresh SQLite database made from the models (fast; the migration is checked by tests/models and by the
    PostgreSQL test here, which migrates)."""
    from models import orm
    from models.core.db import Database

    database = Database(f"sqlite:///{tmp_path / 'messaging.sqlite3'}")
    orm.Base.metadata.create_all(database.engine)
    yield database
    database.dispose()
