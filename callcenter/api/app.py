"""The aiohttp application factory: ``/health``, ``/version``, ``/auth/login``, the web pages (``/``,
``/static/``, from ``callcenter/web``), then the API routes.

:func:`create_web_app` builds the application from a :class:`WebDeps`: what the HTTP layer needs from
the server, handed in by ``callcenter.app`` (the health and version callables, the database, the
clock, the token settings, the call engine and the event bus). ``/health`` and ``/version`` need no
token. The REST/WebSocket API (``callcenter/api/routes.py``: ``setup_api``) is mounted with the call
engine, the event bus, the static ``api.tokens`` from the configuration and a token lookup against the
users stored in the database (:func:`db_token_lookup`). Handlers reach the deps through
``request.app[DEPS_KEY]``.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping

from aiohttp import web

from ..store import repo
from ..web import setup_pages
from .auth import Principal
from .desk import setup_desk
from .routes import ROUTES_KEY, setup_api
from .spec import Field, Route, add_routes
from .wallboard import setup_wallboard

if TYPE_CHECKING:  # pragma: no cover
    from ..events import EventBus
    from ..store.db import Database

log = logging.getLogger("callcenter.api")


@dataclass
class WebDeps:
    """What the HTTP layer needs from the server (built by ``callcenter.app``)."""

    health: Callable[[], Awaitable[dict[str, Any]]]     # GET /health
    version_info: Callable[[], dict[str, Any]]          # GET /version
    now: Callable[[], float]                            # the clock (token expiry)
    db: "Database | None" = None                        # users and tokens
    bus: "EventBus | None" = None                       # WebSocket pushes, metrics
    engine: Any = None                                  # the call engine (routes answer 503 without it)
    tokens: Mapping[str, Any] = field(default_factory=dict)    # static api.tokens
    token_ttl: float | None = None                      # lifetime of a login token (None: no expiry)
    api_failed: Callable[[str], None] = lambda why: None    # told when the API routes cannot be mounted
    web_settings: Mapping[str, Any] = field(default_factory=dict)   # configuration section web (desk, wallboard)
    webrtc: Any = None                                  # api.webrtc.WebRTCDeps: /call, /phone, signalling
    static_dir: Any = None                              # the built pages served at / (None: the package's)


DEPS_KEY = web.AppKey("callcenter_web_deps", WebDeps)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, default=str))


async def health(request: web.Request) -> web.Response:
    """200 while the process serves; ``status`` is ok | degraded | down, with per-component detail."""
    return _json(await request.app[DEPS_KEY].health())


async def version(request: web.Request) -> web.Response:
    return _json(request.app[DEPS_KEY].version_info())


async def login(request: web.Request) -> web.Response:
    """``POST /auth/login`` ``{"username", "password"}`` -> ``{"token", "user", "role", "agent", "expires_at"}``.

    The token (valid ``api.token_ttl`` seconds) goes in ``Authorization: Bearer <token>`` on ``/api/*``.
    """
    deps = request.app[DEPS_KEY]
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return _json({"error": "body must be JSON: {\"username\": ..., \"password\": ...}", "field": "body"}, 400)
    if not isinstance(body, dict):
        return _json({"error": "body must be a JSON object", "field": "body"}, 400)
    for field_name in ("username", "password"):
        if not isinstance(body.get(field_name), str) or not body[field_name]:
            return _json({"error": f"'{field_name}' is required (a string)", "field": field_name}, 400)
    if deps.db is None:
        return _json({"error": "the database is not open"}, 503)
    ttl = deps.token_ttl
    now = deps.now()
    async with deps.db.session() as s:
        user = await repo.authenticate(s, body["username"], body["password"])
        if user is None:
            log.warning("login refused", extra={"username": body["username"][:64]})
            return _json({"error": "unknown user or wrong password", "field": "password"}, 401)
        token = await repo.create_api_token(s, user.username, label="login", ttl=ttl, now=now)
        agent = user.agent.name if user.agent else None
    log.info("login", extra={"username": user.username, "role": user.role})
    return _json({"token": token, "user": user.username, "role": user.role, "agent": agent,
                  "expires_at": now + ttl if ttl else None})


async def logout(request: web.Request) -> web.Response:
    """``POST /auth/logout`` with ``Authorization: Bearer <token>``: the token stops working."""
    deps = request.app[DEPS_KEY]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or deps.db is None:
        return _json({"error": "send 'Authorization: Bearer <token>'", "field": "Authorization"}, 400)
    async with deps.db.session() as s:
        revoked = await repo.revoke_api_token(s, token.strip())
    return _json({"revoked": revoked})


def db_token_lookup(db: "Database"):
    """An async ``token -> Principal | None`` backed by the ``api_tokens`` / ``users`` tables."""

    async def lookup(token: str):
        async with db.session() as s:
            user = await repo.user_for_token(s, token)
            if user is None:
                return None
            agent = user.agent.name if user.agent else None
            return Principal(user=user.username, role=user.role,
                             agent_id=agent or (user.username if user.role == "agent" else None))
    return lookup


APP_ROUTES: list[Route] = [
    Route("GET", "/health", health, "200 while the process serves; status ok | degraded | down with each "
          "component's detail (no token)", role=None, tag="meta",
          returns=(Field("status", required=True, enum=("ok", "degraded", "down")),
                   Field("components", "object", description="per component: state and figures"))),
    Route("GET", "/version", version, "the server's version (no token)", role=None, tag="meta",
          returns=(Field("version", required=True),)),
    Route("POST", "/auth/login", login, "log in with a stored user's password: a token for "
          "'Authorization: Bearer' (valid api.token_ttl seconds)", role=None, tag="auth",
          body=(Field("username", required=True), Field("password", required=True)),
          returns=(Field("token", required=True), Field("user", required=True), Field("role", required=True),
                   Field("agent", nullable=True), Field("expires_at", "number", nullable=True)),
          responses={"401": "unknown user or wrong password", "503": "the database is not open"}),
    Route("POST", "/auth/logout", logout, "revoke the token sent in 'Authorization: Bearer'", role=None,
          tag="auth", returns=(Field("revoked", "boolean", required=True),),
          responses={"400": "no bearer token"}),
]


def create_web_app(deps: WebDeps) -> web.Application:
    web_app = web.Application(client_max_size=4 * 1024 * 1024)
    web_app[DEPS_KEY] = deps
    add_routes(web_app, APP_ROUTES)             # mounted first: /health works even without the API
    setup_pages(web_app, deps.static_dir)
    try:
        setup_api(web_app, engine=deps.engine, bus=deps.bus, tokens=dict(deps.tokens or {}),
                  token_lookup=db_token_lookup(deps.db) if deps.db is not None else None, db=deps.db)
        web_app[ROUTES_KEY].extend(APP_ROUTES)
        setup_desk(web_app, deps.bus, deps.web_settings)
        setup_wallboard(web_app)
        if deps.webrtc is not None:
            from .auth import Authenticator
            from .webrtc import setup_webrtc
            setup_webrtc(web_app, deps.webrtc, Authenticator(dict(deps.tokens or {}), db_token_lookup(deps.db)
                                                             if deps.db is not None else None))
    except Exception as exc:  # noqa: BLE001 - /health must keep working; the failure shows there
        why = f"{type(exc).__name__}: {exc}"
        log.error("REST API not mounted: %s", why, exc_info=log.isEnabledFor(logging.DEBUG))
        deps.api_failed(why)
    return web_app
