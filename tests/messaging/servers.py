"""Real servers on loopback for the messaging tests: an SMTP server (aiosmtpd) and a small HTTP SMS gateway.

Both run in threads of the test process and record what they received; nothing is mocked.
"""
from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server accepted; `refuse` holds recipients it answers 550 for."""

    messages: list = field(default_factory=list)
    refuse: set = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)))
        return "250 OK"


@dataclass
class Gateway:
    """What the SMS gateway received, the key it wants, and the status it answers with (200 gives an id)."""

    api_key: str = "gw-key"
    received: list = field(default_factory=list)
    status: int = 200
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"


def start_gateway(gateway: Gateway) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Authorization") != f"Bearer {gateway.api_key}":
                self._answer(401, {"error": "bad key"})
                return
            if gateway.status != 200:
                self._answer(gateway.status, {"error": "refused"})
                return
            gateway.received.append(json.loads(body))
            self._answer(200, {"id": f"gw-{len(gateway.received)}"})

        def _answer(self, status: int, data: dict) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
