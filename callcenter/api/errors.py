"""Consistent JSON errors: every failed request answers ``{"error": "<message>", "field": <name|null>}``.

:func:`error_middleware` turns :class:`ApiError`, engine errors, aiohttp's own HTTP errors (unknown
route, wrong method) and unexpected exceptions into that shape; an unexpected exception is logged
with its traceback and answered with a 500 that does not leak internals.
"""
from __future__ import annotations

import logging

from aiohttp import web

from ..engine.errors import EngineError

log = logging.getLogger("callcenter.api")


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def error_response(status: int, message: str, field: str | None = None,
                   headers: dict | None = None) -> web.Response:
    return web.json_response({"error": message, "field": field}, status=status, headers=headers)


def bad_request(message: str, field: str | None = None) -> ApiError:
    return ApiError(400, message, field)


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except ApiError as exc:
        headers = {"WWW-Authenticate": 'Bearer realm="callcenter"'} if exc.status == 401 else None
        return error_response(exc.status, exc.message, exc.field, headers)
    except EngineError as exc:
        return error_response(exc.status, exc.message, exc.field)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.content_type == "application/json":
            raise
        reason = {404: "not found", 405: f"method {request.method} not allowed on {request.path}"}
        return error_response(exc.status, reason.get(exc.status, exc.reason or "error"),
                              headers={k: v for k, v in exc.headers.items() if k == "Allow"})
    except Exception:  # noqa: BLE001
        log.exception("request failed", extra={"method": request.method, "path": request.path})
        return error_response(500, "internal error (see the server log)")
