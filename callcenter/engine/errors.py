"""Errors the engine raises for requests it refuses (the API maps them to JSON errors)."""
from __future__ import annotations


class EngineError(Exception):
    """A request the engine cannot carry out. ``status`` is the HTTP status the API answers with,
    ``field`` names the request field at fault (or None)."""

    status = 409

    def __init__(self, message: str, field: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class NotFound(EngineError):
    status = 404


class InvalidRequest(EngineError):
    status = 400
