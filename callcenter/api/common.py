"""What the route modules share (``routes``, ``flows``, ``flow_try``, ``admin``): the application keys of
the engine and the database, and the small helpers that reach them or answer JSON."""
from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import ApiError

ENGINE_KEY = web.AppKey("callcenter_engine", object)
DB_KEY = web.AppKey("callcenter_db", object)


def engine_of(request: web.Request):
    """The running call engine, or a 503 saying why there is none yet."""
    engine = request.app[ENGINE_KEY]
    if engine is None:
        raise ApiError(503, "the call engine is not running")
    if not getattr(engine, "ready", True):
        raise ApiError(503, "the call engine is starting; try again in a moment")
    return engine


def db_of(request: web.Request):
    """The database (provisioning, users), or a 503 when the server runs without one."""
    db = request.app.get(DB_KEY)
    if db is None:
        raise ApiError(503, "the database is not open (provisioning needs it)")
    return db


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, default=str))
