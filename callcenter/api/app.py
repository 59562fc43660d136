"""The aiohttp application factory: ``/health``, ``/version``, ``/auth/login``, then the API routes.

:func:`create_web_app` builds the application for an :class:`callcenter.app.App`. ``/health`` and
``/version`` need no token. The REST/WebSocket API (``callcenter/api/routes.py``: ``setup_api``) is
mounted when that module is present, with the App's call engine (component ``engine``), the event bus,
the static ``api.tokens`` from the configuration and a token lookup against the users stored in the
database (:func:`db_token_lookup`). Handlers reach the App through ``request.app[APP_KEY]``.
"""
from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:  # pragma: no cover
    from ..app import App
    from ..store.db import Database

log = logging.getLogger("callcenter.api")

APP_KEY = web.AppKey("callcenter_app", object)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, default=str))


async def health(request: web.Request) -> web.Response:
    """200 while the process serves; ``status`` is ok | degraded | down, with per-component detail."""
    return _json(await request.app[APP_KEY].health())


async def version(request: web.Request) -> web.Response:
    return _json(request.app[APP_KEY].version_info())


async def login(request: web.Request) -> web.Response:
    """``POST /auth/login`` ``{"username", "password"}`` -> ``{"token", "user", "role", "agent", "expires_at"}``.

    The token (valid ``api.token_ttl`` seconds) goes in ``Authorization: Bearer <token>`` on ``/api/*``.
    """
    from ..store import repo
    app = request.app[APP_KEY]
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return _json({"error": "body must be JSON: {\"username\": ..., \"password\": ...}", "field": "body"}, 400)
    if not isinstance(body, dict):
        return _json({"error": "body must be a JSON object", "field": "body"}, 400)
    for field in ("username", "password"):
        if not isinstance(body.get(field), str) or not body[field]:
            return _json({"error": f"'{field}' is required (a string)", "field": field}, 400)
    if app.db is None:
        return _json({"error": "the database is not open"}, 503)
    ttl = float(app.config.get("api.token_ttl") or 0) or None
    now = app.clock.now()
    async with app.db.session() as s:
        user = await repo.authenticate(s, body["username"], body["password"])
        if user is None:
            log.warning("login refused", extra={"username": body["username"][:64]})
            return _json({"error": "unknown user or wrong password"}, 401)
        token = await repo.create_api_token(s, user.username, label="login", ttl=ttl, now=now)
        agent = user.agent.name if user.agent else None
    log.info("login", extra={"username": user.username, "role": user.role})
    return _json({"token": token, "user": user.username, "role": user.role, "agent": agent,
                  "expires_at": now + ttl if ttl else None})


async def logout(request: web.Request) -> web.Response:
    """``POST /auth/logout`` with ``Authorization: Bearer <token>``: the token stops working."""
    from ..store import repo
    app = request.app[APP_KEY]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or app.db is None:
        return _json({"error": "send 'Authorization: Bearer <token>'", "field": "Authorization"}, 400)
    async with app.db.session() as s:
        revoked = await repo.revoke_api_token(s, token.strip())
    return _json({"revoked": revoked})


def db_token_lookup(db: "Database"):
    """An async ``token -> Principal | None`` backed by the ``api_tokens`` / ``users`` tables."""
    from ..store import repo

    async def lookup(token: str):
        from .auth import Principal
        async with db.session() as s:
            user = await repo.user_for_token(s, token)
            if user is None:
                return None
            agent = user.agent.name if user.agent else None
            return Principal(user=user.username, role=user.role,
                             agent_id=agent or (user.username if user.role == "agent" else None))
    return lookup


def create_web_app(app: "App") -> web.Application:
    web_app = web.Application(client_max_size=4 * 1024 * 1024)
    web_app[APP_KEY] = app
    web_app.router.add_get("/health", health)
    web_app.router.add_get("/version", version)
    web_app.router.add_post("/auth/login", login)
    web_app.router.add_post("/auth/logout", logout)
    try:
        from .routes import setup_api
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("callcenter.api"):
            log.info("REST API routes not available in this build (%s)", exc.name)
            return web_app
        return _api_failed(app, web_app, exc)
    except Exception as exc:  # noqa: BLE001 - /health must keep working; the failure shows there
        return _api_failed(app, web_app, exc)
    try:
        setup_api(web_app, engine=app.engine, bus=app.bus, tokens=app.config.get("api.tokens") or {},
                  token_lookup=db_token_lookup(app.db) if app.db is not None else None)
    except Exception as exc:  # noqa: BLE001
        return _api_failed(app, web_app, exc)
    return web_app


def _api_failed(app: "App", web_app: web.Application, exc: BaseException) -> web.Application:
    why = f"{type(exc).__name__}: {exc}"
    log.error("REST API not mounted: %s", why, exc_info=log.isEnabledFor(logging.DEBUG))
    app.failed["api"] = why
    return web_app
