"""Token authentication and roles.

Every ``/api/*`` request except the public ones (the OpenAPI document) carries a token:
``Authorization: Bearer <token>`` (the WebSocket also accepts ``?token=<token>``, since browsers cannot
set headers on it). Tokens come from the configuration (``api.tokens``: ``token -> {user, role, agent}``)
and from the users stored in the database (an async lookup handed to :class:`Authenticator`).

Roles, from least to most powerful: ``agent`` (its own agent state and its own calls only),
``supervisor`` (everything live: all agents, queues, calls, force pause/logout, move/priority, spy,
reports), ``admin`` (everything). A missing or unknown token answers 401, a role too weak 403; in
both cases nothing happens.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

from aiohttp import web

from .errors import ApiError

log = logging.getLogger("callcenter.api.auth")

ROLES = ("agent", "supervisor", "admin")
_RANK = {r: i for i, r in enumerate(ROLES)}


@dataclass(frozen=True)
class Principal:
    user: str
    role: str
    agent_id: str | None = None     # for role agent: the agent this user is (defaults to the user name)

    def at_least(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def may_act_for_agent(self, agent_id: str) -> bool:
        return self.at_least("supervisor") or (self.agent_id is not None and self.agent_id == agent_id)

    def to_dict(self) -> dict[str, Any]:
        return {"user": self.user, "role": self.role, "agent_id": self.agent_id}


TokenLookup = Callable[[str], Awaitable["Principal | None"]]


def principal_from_entry(entry: Any, where: str) -> Principal:
    """Build a principal from one ``api.tokens`` value: ``{user, role, agent}`` or ``"role:user"``."""
    if isinstance(entry, str):
        role, _, user = entry.partition(":")
        entry = {"role": role, "user": user or role}
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: must be a mapping {{user, role, agent}} or 'role:user'")
    role = str(entry.get("role", "")).strip()
    if role not in ROLES:
        raise ValueError(f"{where}.role: must be one of {', '.join(ROLES)}, got {role!r}")
    user = str(entry.get("user") or role)
    unknown = set(entry) - {"user", "role", "agent"}
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: user, role, agent)")
    agent = entry.get("agent")
    if role == "agent" and not agent:
        agent = user
    return Principal(user=user, role=role, agent_id=str(agent) if agent else None)


def token_digest(token: str) -> str:
    """How tokens are kept in memory and compared (never logged in clear)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Authenticator:
    def __init__(self, tokens: Mapping[str, Any] | None = None, lookup: TokenLookup | None = None) -> None:
        self._static: dict[str, Principal] = {}
        for i, (token, entry) in enumerate((tokens or {}).items()):
            if not token:
                raise ValueError("api.tokens: an empty token is not allowed")
            self._static[token_digest(str(token))] = principal_from_entry(entry, f"api.tokens[{i}]")
        self._lookup = lookup

    def add_token(self, token: str, principal: Principal) -> None:
        self._static[token_digest(token)] = principal

    async def authenticate(self, token: str | None) -> Principal | None:
        if not token:
            return None
        p = self._static.get(token_digest(token))
        if p is not None:
            return p
        if self._lookup is not None:
            try:
                return await self._lookup(token)
            except Exception:  # noqa: BLE001 - a store failure is a refusal, logged
                log.exception("token lookup failed")
                return None
        return None


def token_from_request(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None
    if request.path.endswith("/ws"):
        return request.query.get("token") or None
    return None


PRINCIPAL_KEY = web.RequestKey("principal", Principal) if hasattr(web, "RequestKey") else "principal"

PUBLIC_PATHS = frozenset({"/api/openapi.json"})


def make_auth_middleware(auth: Authenticator):
    @web.middleware
    async def auth_middleware(request: web.Request, handler):
        if request.path.startswith("/api/") and request.path not in PUBLIC_PATHS:
            principal = await auth.authenticate(token_from_request(request))
            if principal is None:
                raise ApiError(401, "authentication required: send 'Authorization: Bearer <token>'",
                               "Authorization")
            request[PRINCIPAL_KEY] = principal
        return await handler(request)
    return auth_middleware


def principal(request: web.Request) -> Principal:
    p = request.get(PRINCIPAL_KEY)
    if p is None:
        raise ApiError(401, "authentication required", "Authorization")
    return p


def require(request: web.Request, role: str) -> Principal:
    p = principal(request)
    if not p.at_least(role):
        raise ApiError(403, f"role '{p.role}' may not do this (needs {role})")
    return p


def require_agent_access(request: web.Request, agent_id: str) -> Principal:
    p = principal(request)
    if not p.may_act_for_agent(agent_id):
        raise ApiError(403, f"an agent may only see and change its own state (you are {p.agent_id!r})",
                       "agent_id")
    return p
