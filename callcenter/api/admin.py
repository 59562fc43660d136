"""Admin routes (role admin): skills, queues and their members, agents, users and their API tokens.

Every write goes through the provisioning import (:func:`callcenter.store.provision.import_data`), the
same code as ``callcenter provision import`` and the CLI verbs' repository calls: a form's body is one
entry of the provisioning YAML (``PUT /api/admin/agents/alice`` with ``{"extension": "2001", "skills":
{"billing": 4}}`` is the ``agents:`` entry ``{name: alice, extension: "2001", skills: {billing: 4}}``), so
what the CLI or a YAML file would refuse is refused here with the same message. A refusal answers 400
``{"error", "field", "index"}``: ``field`` is the entry's key at fault (``skills``, ``rules``...) and
``index`` a rule's position. A change is applied to the running engine at once (provisioning reload);
the answer says what the engine did (``applied``).
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable

from aiohttp import web

from ..store import provision, repo
from ..store.models import ROLES, STRATEGIES
from .auth import require
from .common import ENGINE_KEY, db_of, json_response
from .errors import ApiError
from .spec import Field, Route, read_body

log = logging.getLogger("callcenter.api.admin")


class _FieldPlaces:
    """Stands in for the parsed YAML's positions in :func:`provision.import_data`: a place is written as
    ``@section/index/field/rule`` so a refusal can name the field of the form."""

    def where(self, path: tuple) -> str:
        return "@" + "/".join(str(p) for p in path)


_PLACE = re.compile(r"^@([^:]*): (.*)$", re.S)


_KEYS = {"skills": provision.SKILL_KEYS, "queues": provision.QUEUE_KEYS, "agents": provision.AGENT_KEYS,
         "users": provision.USER_KEYS}


def _refusal(exc: Exception, entry: dict[str, Any], section: str, ident: str) -> web.Response:
    """400 ``{error, field, index}`` for a refused entry: the field from the place the import names,
    else the first key of the entry (then of the section) that the message names."""
    msg, field, index = str(exc), None, None
    m = _PLACE.match(msg)
    if m:
        parts = m.group(1).split("/")
        msg = m.group(2)
        field = parts[2] if len(parts) > 2 else None
        index = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else None
    if field in (None, ident):
        keys = [*entry, *(k for k in _KEYS[section] if k not in entry)]
        field = next((k for k in keys if k != ident and re.search(rf"\b{re.escape(k)}\b", msg)), field)
    return json_response({"error": msg, "field": field, "index": index}, 400)


async def _body(request: web.Request) -> dict[str, Any]:
    """The JSON object of the request (its keys are checked by the provisioning import)."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"malformed JSON in request body: {exc}", "body") from None
    if not isinstance(data, dict):
        raise ApiError(400, "request body must be a JSON object", "body")
    return data


async def _apply(request: web.Request) -> dict[str, Any] | None:
    """Reload the running engine's provisioning now (it would within acd.reload_interval anyway)."""
    engine = request.app[ENGINE_KEY]
    if engine is None or not getattr(engine, "ready", True) or not hasattr(engine, "reload_provisioning"):
        return None
    try:
        return await engine.reload_provisioning()
    except Exception as exc:  # noqa: BLE001 - stored anyway; the engine's watcher retries
        log.exception("provisioning reload after an admin change failed")
        return {"error": f"stored, but the live reload failed: {exc} (the engine retries by itself)"}


async def _import_entry(request: web.Request, section: str, ident: str, name: str,
                        entry: dict[str, Any], show: Callable[[Any], Awaitable[dict]]) -> web.Response:
    p = require(request, "admin")
    if ident in entry and str(entry[ident]) != name:
        raise ApiError(400, f"the body names {entry[ident]!r} but the path {name!r}", ident)
    entry = {ident: name, **{k: v for k, v in entry.items() if k != ident}}
    try:
        async with db_of(request).session() as s:
            res = await provision.import_data(s, {section: [entry]}, "api", positions=_FieldPlaces())
            row = await show(s)
    except (provision.ProvisionError, repo.RepoError) as exc:
        return _refusal(exc, entry, section, ident)
    created = bool(res.created[section])
    log.info("admin change", extra={"section": section, "name": name, "user": p.user,
                                    "created": created})
    return json_response({"created": created, "changed": bool(res.created[section] or res.updated[section]),
                          section[:-1]: row, "applied": await _apply(request)}, 201 if created else 200)


async def _remove(request: web.Request, what: str, remove: Callable[[Any], Awaitable[bool]]) -> web.Response:
    p = require(request, "admin")
    try:
        async with db_of(request).session() as s:
            found = await remove(s)
    except repo.RepoError as exc:
        raise ApiError(409, str(exc), exc.field) from None
    if not found:
        raise ApiError(404, f"no {what}", "name")
    log.info("admin removal", extra={"what": what, "user": p.user})
    return json_response({"removed": True, "applied": await _apply(request)})


# -- reading --------------------------------------------------------------------------------------
async def provisioning(request: web.Request) -> web.Response:
    """Everything the admin pages show: skills (with how many agents have each), queues with members,
    agents, users (no password hashes), the strategies and roles to choose from."""
    require(request, "admin")
    async with db_of(request).session() as s:
        agents = await repo.list_agents(s)
        skills = [{"name": k.name, "description": k.description,
                   "agents": sum(1 for a in agents for link in a.skills if link.skill.name == k.name)}
                  for k in await repo.list_skills(s)]
        queues = [repo.queue_to_dict(q) for q in await repo.list_queues(s)]
        users = [repo.user_to_dict(u) for u in await repo.list_users(s)]
        revision = await repo.provisioning_revision(s)
    return json_response({"skills": skills, "queues": queues, "agents": [repo.agent_to_dict(a) for a in agents],
                          "users": users, "strategies": list(STRATEGIES), "roles": list(ROLES),
                          "revision": revision})


async def export_yaml(request: web.Request) -> web.Response:
    require(request, "admin")
    async with db_of(request).session() as s:
        text = provision.dump_yaml(await provision.export_data(s, include_users=False))
    return web.Response(text=text, content_type="application/yaml")


async def import_yaml(request: web.Request) -> web.Response:
    """A whole provisioning document (``callcenter provision import``): all or nothing, errors at a line."""
    p = require(request, "admin")
    body = await read_body(request, IMPORT_BODY)
    try:
        doc = provision.parse_document(body["yaml"], "provisioning")
    except provision.ProvisionError as exc:
        return _line_refusal(exc)
    try:
        async with db_of(request).session() as s:
            res = await provision.import_data(s, doc.data, doc.source, positions=doc)
            if body.get("dry_run"):
                raise _DryRun(res)
    except _DryRun as dry:
        return json_response({"dry_run": True, "summary": dry.result.summary()})
    except (provision.ProvisionError, repo.RepoError) as exc:
        return _line_refusal(exc)
    log.info("provisioning imported from the API", extra={"user": p.user, "summary": res.summary()})
    return json_response({"dry_run": False, "summary": res.summary(), "applied": await _apply(request)})


class _DryRun(Exception):
    """Rolls the session back after a dry run."""

    def __init__(self, result: Any) -> None:
        super().__init__("dry run")
        self.result = result


def _line_refusal(exc: Exception) -> web.Response:
    m = re.match(r"^[^:]*:(\d+): (.*)$", str(exc), re.S)
    return json_response({"error": str(exc), "field": "yaml", "line": int(m.group(1)) if m else None}, 400)


# -- skills, queues, agents, users ------------------------------------------------------------
def _entries(section: str, ident: str, show: Callable[[Any, Any], Awaitable[Any]],
             remove: Callable[[Any, str], Awaitable[bool]],
             guard: Callable[[web.Request, str, dict | None], None] | None = None):
    """The PUT (create or update through the provisioning import) and DELETE handlers of one section;
    ``guard(request, name, entry or None)`` may refuse first."""
    what = section[:-1]

    async def put(request: web.Request) -> web.Response:
        require(request, "admin")
        name = request.match_info[ident]
        entry = await _body(request)
        if guard is not None:
            guard(request, name, entry)
        return await _import_entry(request, section, ident, name, entry, lambda s: show(s, name))

    async def delete(request: web.Request) -> web.Response:
        require(request, "admin")
        name = request.match_info[ident]
        if guard is not None:
            guard(request, name, None)
        return await _remove(request, f"{what} named {name!r}", lambda s: remove(s, name))
    put.__name__, delete.__name__ = f"put_{what}", f"delete_{what}"
    return put, delete


async def _show_skill(s, name):
    k = await repo.get_skill(s, name)
    return {"name": k.name, "description": k.description}


async def _show_queue(s, name):
    return repo.queue_to_dict(await repo.get_queue(s, name))


async def _show_agent(s, name):
    return repo.agent_to_dict(await repo.get_agent(s, name))


async def _show_user(s, name):
    return repo.user_to_dict(await repo.get_user(s, name))


def _user_guard(request: web.Request, name: str, entry: dict | None) -> None:
    """No password hashes from a form; an admin does not lock themselves out."""
    me = require(request, "admin")
    if entry is None:
        if name == me.user:
            raise ApiError(409, "you cannot remove the user you are logged in as", "username")
        return
    if "password_hash" in entry:
        raise ApiError(400, "set 'password'; password hashes come only from provisioning files", "password_hash")
    if name == me.user and entry.get("role") not in (None, "admin"):
        raise ApiError(409, "you cannot take the admin role from the user you are logged in as", "role")


put_skill, delete_skill = _entries("skills", "name", _show_skill, repo.remove_skill)
put_queue, delete_queue = _entries("queues", "name", _show_queue, repo.remove_queue)
put_agent, delete_agent = _entries("agents", "name", _show_agent, repo.remove_agent)
put_user, delete_user = _entries("users", "username", _show_user, repo.remove_user, _user_guard)


async def put_member(request: web.Request) -> web.Response:
    """Make an agent a member of a queue with a penalty (``callcenter queue member add``)."""
    p = require(request, "admin")
    queue, agent = request.match_info["name"], request.match_info["agent"]
    body = await read_body(request, MEMBER_BODY)
    try:
        async with db_of(request).session() as s:
            await repo.set_queue_member(s, queue, agent, body.get("penalty", 0))
            row = repo.queue_to_dict(await repo.get_queue(s, queue))
    except repo.RepoError as exc:
        raise ApiError(404 if "no " in str(exc) else 400, str(exc), exc.field or "penalty") from None
    log.info("queue member set", extra={"queue": queue, "agent": agent, "user": p.user})
    return json_response({"queue": row, "applied": await _apply(request)})


async def delete_member(request: web.Request) -> web.Response:
    require(request, "admin")
    queue, agent = request.match_info["name"], request.match_info["agent"]
    return await _remove(request, f"member {agent!r} in queue {queue!r}",
                         lambda s: repo.remove_queue_member(s, queue, agent))


# -- tokens ---------------------------------------------------------------------------------------
async def list_tokens(request: web.Request) -> web.Response:
    require(request, "admin")
    name = request.match_info["username"]
    try:
        async with db_of(request).session() as s:
            tokens = [repo.token_to_dict(t) for t in await repo.list_api_tokens(s, name)]
    except repo.RepoError as exc:
        raise ApiError(404, str(exc), "username") from None
    return json_response({"user": name, "tokens": tokens})


async def create_token(request: web.Request) -> web.Response:
    """A new API token for the user (``callcenter provision token``): shown once, only its hash is kept."""
    p = require(request, "admin")
    name = request.match_info["username"]
    body = await read_body(request, TOKEN_BODY)
    ttl = body.get("ttl") or None
    try:
        async with db_of(request).session() as s:
            token = await repo.create_api_token(s, name, label=body.get("label", "web"), ttl=ttl)
    except repo.RepoError as exc:
        raise ApiError(404, str(exc), "username") from None
    log.info("API token issued", extra={"for_user": name, "user": p.user})
    return json_response({"user": name, "token": token, "ttl": ttl}, 201)


async def delete_token(request: web.Request) -> web.Response:
    require(request, "admin")
    try:
        token_id = int(request.match_info["id"])
    except ValueError:
        raise ApiError(400, "token id must be a number", "id") from None
    async with db_of(request).session() as s:
        if not await repo.revoke_api_token_id(s, token_id):
            raise ApiError(404, f"no token {token_id}", "id")
    return json_response({"revoked": True})


def _fields(keys: tuple[str, ...], types: dict[str, str]) -> tuple[Field, ...]:
    return tuple(Field(k, types.get(k, "string")) for k in keys)


MEMBER_BODY = (Field("penalty", "integer", minimum=0, description="lower rings first (default 0)"),)
TOKEN_BODY = (Field("label", "string", description="note kept with the token"),
              Field("ttl", "number", minimum=0, description="lifetime in seconds (0 or absent: no expiry)"))
IMPORT_BODY = (Field("yaml", "string", required=True, description="a provisioning document"),
               Field("dry_run", "boolean", description="validate and report, change nothing"))
_TYPES = {"skills": "object", "queues": "object", "languages": "array", "rules": "array", "max_concurrent": "integer",
          "wrapup": "number", "enabled": "boolean", "sl_target": "integer", "sl_percent": "number",
          "max_wait": "integer", "max_length": "integer", "priority": "integer", "join_empty": "boolean",
          "leave_empty": "boolean", "announce_position": "boolean", "announce_hold_time": "boolean",
          "announce_interval": "integer", "callback_after": "integer"}
AGENT_BODY = _fields(provision.AGENT_KEYS[1:], _TYPES)
QUEUE_BODY = _fields(provision.QUEUE_KEYS[1:], _TYPES)
USER_BODY = _fields(("password", "role", "agent", "enabled"), _TYPES)
SKILL_BODY = (Field("description", "string"),)
_REFUSED = {"400": "refused by the provisioning checks: {error, field, index}"}

ADMIN_ROUTES: list[Route] = [
    Route("GET", "/api/admin/provisioning", provisioning, "skills, queues with members, agents, users, strategies, roles",
          role="admin", tag="admin"),
    Route("GET", "/api/admin/provisioning.yaml", export_yaml, "the provisioning as YAML (without users)",
          role="admin", tag="admin", produces="application/yaml"),
    Route("POST", "/api/admin/provisioning", import_yaml, "import a provisioning YAML document (all or nothing)",
          role="admin", body=IMPORT_BODY, tag="admin", responses={"400": "refused: error names the line"}),
    Route("PUT", "/api/admin/skills/{name}", put_skill, "create or update a skill", role="admin", body=SKILL_BODY,
          tag="admin", responses=_REFUSED),
    Route("DELETE", "/api/admin/skills/{name}", delete_skill, "remove a skill (and every agent's level in it)",
          role="admin", tag="admin", responses={"404": "no such skill"}),
    Route("PUT", "/api/admin/queues/{name}", put_queue, "create or update a queue (strategy, SL, rules, overflow...)",
          role="admin", body=QUEUE_BODY, tag="admin", responses=_REFUSED),
    Route("DELETE", "/api/admin/queues/{name}", delete_queue, "remove a queue (refused while it is an overflow target)",
          role="admin", tag="admin", responses={"404": "no such queue", "409": "still an overflow target"}),
    Route("PUT", "/api/admin/queues/{name}/members/{agent}", put_member, "make an agent a member (penalty)",
          role="admin", body=MEMBER_BODY, tag="admin", responses={"404": "no such queue or agent"}),
    Route("DELETE", "/api/admin/queues/{name}/members/{agent}", delete_member, "remove a member", role="admin",
          tag="admin", responses={"404": "not a member"}),
    Route("PUT", "/api/admin/agents/{name}", put_agent, "create or update an agent (given skills/queues become its set)",
          role="admin", body=AGENT_BODY, tag="admin", responses=_REFUSED),
    Route("DELETE", "/api/admin/agents/{name}", delete_agent, "remove an agent", role="admin", tag="admin",
          responses={"404": "no such agent"}),
    Route("PUT", "/api/admin/users/{username}", put_user, "create or update a login user (a new one needs a password)",
          role="admin", body=USER_BODY, tag="admin", responses={**_REFUSED, "409": "would lock yourself out"}),
    Route("DELETE", "/api/admin/users/{username}", delete_user, "remove a user and its tokens", role="admin",
          tag="admin", responses={"404": "no such user", "409": "that is you"}),
    Route("GET", "/api/admin/users/{username}/tokens", list_tokens, "a user's API tokens (no secrets)",
          role="admin", tag="admin", responses={"404": "no such user"}),
    Route("POST", "/api/admin/users/{username}/tokens", create_token, "issue an API token (shown once)",
          role="admin", body=TOKEN_BODY, tag="admin", responses={"201": "issued", "404": "no such user"}),
    Route("DELETE", "/api/admin/tokens/{id}", delete_token, "revoke a token", role="admin", tag="admin",
          responses={"404": "no such token"}),
]
