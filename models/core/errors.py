"""Errors a user can cause, as values with a catalogue code; the page words them in the user's language.

Imports nothing but the standard library.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused an operation; nothing was changed.

    `code` is a catalogue key (e.g. "quantity_not_positive"), `field` the input it is about,
    `params` the values the message is worded with. `http_status` is what a forged request gets.
    """

    http_status = 400

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, field={self.field!r}, {self.params!r})"


class ValidationError(DomainError):
    http_status = 400


class PermissionDenied(DomainError):
    http_status = 403


class NotFound(DomainError):
    http_status = 404


class Conflict(DomainError):
    """The object changed under the request (decided by someone else, stale version)."""

    http_status = 409
