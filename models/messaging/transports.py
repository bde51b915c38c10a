"""Transports: how a message leaves Hamyar. SMTP for e-mail, an HTTP SMS gateway, and a development transport.

Imports the standard library only. dash_app builds the transports from the settings (HAMYAR_SMS_TRANSPORT,
HAMYAR_EMAIL_TRANSPORT, …) and hands them to models.messaging.sender. A transport's `send` returns the
provider's id of the message or raises TransportError, saying whether another try could succeed.

The HTTP SMS gateway adapter speaks a small JSON protocol that most Iranian gateways' REST APIs can be put
behind: POST {to, text, sender, reference} with `Authorization: Bearer <key>`; a 2xx answer carries
{"id": "..."} (or "message_id"). `reference` is the outbox id, so a gateway that deduplicates on it never
sends a message twice. Receipts come back to POST /sms/receipt (dash_app.messaging_views).
"""
from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from models.messaging.outbox import Outgoing


class TransportError(Exception):
    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Transport(Protocol):
    name: str

    def send(self, message: Outgoing) -> str | None: ...


class DevTransport:
    """Sends nothing: the message stays in the outbox, where the governorate's /outbox page shows it (the demo)."""

    name = "dev"

    def send(self, message: Outgoing) -> str:
        return f"dev-{message.id}"


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int = 25
    sender: str = "hamyar@localhost"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0
    name: str = "smtp"

    def email(self, message: Outgoing) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(idstring=f"hamyar-{message.id}", domain=self.sender.rpartition("@")[2]
                                        or "hamyar.local")
        if message.unsubscribe_url:
            # RFC 8058: a mail client's "unsubscribe" POSTs to this address, one click, no page to fill in.
            mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail.set_content(message.text)
        return mail

    def send(self, message: Outgoing) -> str:
        mail = self.email(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"recipient refused: {exc.recipients}", retryable=False) from None
        except smtplib.SMTPResponseException as exc:
            # 5xx is permanent (RFC 5321), 4xx is "try again later"
            raise TransportError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=exc.smtp_code < 500) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP unreachable: {type(exc).__name__}: {exc}") from None
        return str(mail["Message-ID"])


@dataclass(frozen=True)
class HttpSmsTransport:
    url: str
    api_key: str
    sender: str = ""
    timeout: float = 10.0
    name: str = "http"

    def send(self, message: Outgoing) -> str:
        body = json.dumps({"to": message.recipient, "text": message.text, "sender": self.sender,
                           "reference": str(message.id)}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.api_key}",
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (URL from settings)
                answer = json.loads(response.read(64 * 1024) or b"{}")
        except urllib.error.HTTPError as exc:
            # 4xx: the gateway refuses this message (bad number, bad key) and will again; 429 and 5xx may pass later
            raise TransportError(f"SMS gateway HTTP {exc.code}",
                                 retryable=exc.code == 429 or exc.code >= 500) from None
        except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
            raise TransportError(f"SMS gateway unreachable: {type(exc).__name__}") from None
        provider_id = answer.get("id") or answer.get("message_id") if isinstance(answer, dict) else None
        if not provider_id:
            raise TransportError("SMS gateway answered without a message id", retryable=False)  # it may have gone
        return str(provider_id)


@dataclass(frozen=True)
class Transports:
    sms: Transport
    email: Transport

    def for_channel(self, channel: str) -> Transport:
        return self.sms if channel == "sms" else self.email


__all__ = ["DevTransport", "HttpSmsTransport", "SmtpTransport", "Transport", "TransportError", "Transports"]
