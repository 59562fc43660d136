"""The REST routes of the engine: agents, queues, calls, supervisor actions, reports, WebSocket, metrics.

:func:`setup_api` mounts everything on an aiohttp application (called by ``callcenter/api/app.py``):
the error and auth middlewares, the route table (:data:`Route` list, which also drives the OpenAPI
document at ``GET /api/openapi.json``), the WebSocket hub at ``GET /api/ws`` and ``GET /metrics``.

The ``engine`` handed in is the :class:`callcenter.engine.manager.CallManager` (or anything with its
public methods: ``snapshot``, ``queues_status``, ``agents_status``, ``calls_status``, ``agent_login`` ...).
"""
from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from ..engine import reports as rep
from ..events import EventBus
from .admin import ADMIN_ROUTES
from .analytics import ANALYTICS_ROUTES
from .auth import Authenticator, TokenLookup, make_auth_middleware, principal, require, require_agent_access
from .common import DB_KEY, ENGINE_KEY, engine_of, json_response
from .errors import ApiError, error_middleware
from .flow_try import TRY_KEY, TRY_ROUTES, TrySessions
from .flows import FLOW_ROUTES
from .metrics import Metrics
from .recordings import RECORDING_ROUTES
from .spec import Field, Route, add_routes, openapi_document, read_body, read_query
from .ws import WebSocketHub

log = logging.getLogger("callcenter.api")

HUB_KEY = web.AppKey("callcenter_ws_hub", WebSocketHub)
METRICS_KEY = web.AppKey("callcenter_metrics", Metrics)
ROUTES_KEY = web.AppKey("callcenter_routes", list)

PAUSE_REASON = Field("reason", "string", required=False, description="pause reason code (e.g. lunch, break, training)")


_engine = engine_of
_json = json_response


# -- identity -------------------------------------------------------------------------------------
async def me(request: web.Request) -> web.Response:
    return _json(principal(request).to_dict())


# -- IVR flows -----------------------------------------------------------------------------------
async def list_flows(request: web.Request) -> web.Response:
    """Loaded flows, every version that was loaded (and which served calls), the DID map, and the
    current validation problems, including edits that were rejected (the previous version keeps serving)."""
    require(request, "supervisor")
    reg = getattr(_engine(request), "flows", None)
    if reg is None or not hasattr(reg, "versions"):
        raise ApiError(503, "no IVR flow registry is running")
    current = {n: reg.current(n).to_dict() for n in sorted(reg.flows)}
    return _json({
        "flows_dir": str(reg.flows_dir),
        "default_flow": reg.default_flow,
        "dids": dict(reg.dids),
        "current": current,
        "versions": [v.to_dict() for v in reg.versions()],
        "errors": [e.to_dict() for e in reg.errors],
    })


# -- provisioning -------------------------------------------------------------------------------
async def reload_provisioning(request: web.Request) -> web.Response:
    """Apply the stored agents, queues and skills to the running engine now (it also does so by itself
    within ``acd.reload_interval`` seconds of a change): what changed, and the rows the ACD refuses."""
    require(request, "admin")
    return _json(await _engine(request).reload_provisioning())


# -- agents ---------------------------------------------------------------------------------------
async def list_agents(request: web.Request) -> web.Response:
    p = principal(request)
    agents = _engine(request).agents_status()
    if not p.at_least("supervisor"):
        agents = [a for a in agents if a["agent_id"] == p.agent_id]
    return _json({"now": _engine(request).now(), "agents": agents})


async def get_agent(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    require_agent_access(request, agent_id)
    return _json(_engine(request).agent_status(agent_id))


async def agent_login(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    p = require_agent_access(request, agent_id)
    body = await read_body(request, ROUTE_BODIES["login"])
    state = await _engine(request).agent_login(agent_id, body.get("phone"), by=p.user)
    return _json(state)


async def agent_logout(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    p = require_agent_access(request, agent_id)
    body = await read_body(request, ROUTE_BODIES["logout"])
    return _json(await _engine(request).agent_logout(agent_id, body.get("reason"), by=p.user))


async def agent_ready(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    p = require_agent_access(request, agent_id)
    await read_body(request, ())
    return _json(await _engine(request).agent_ready(agent_id, by=p.user))


async def agent_pause(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    p = require_agent_access(request, agent_id)
    body = await read_body(request, ROUTE_BODIES["pause"])
    return _json(await _engine(request).agent_pause(agent_id, body.get("reason") or "", by=p.user))


async def agent_end_wrapup(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    p = require_agent_access(request, agent_id)
    await read_body(request, ())
    return _json(await _engine(request).agent_end_wrapup(agent_id, by=p.user))


async def agent_spy(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    p = require(request, "supervisor")
    body = await read_body(request, ROUTE_BODIES["spy"])
    return _json(await _engine(request).spy(agent_id, body["mode"], body["phone"], by=p.user))


# -- queues ---------------------------------------------------------------------------------------
async def list_queues(request: web.Request) -> web.Response:
    require(request, "supervisor")
    e = _engine(request)
    return _json({"now": e.now(), "queues": e.queues_status()})


async def get_queue(request: web.Request) -> web.Response:
    require(request, "supervisor")
    e = _engine(request)
    return _json({"now": e.now(), **e.queue_status(request.match_info["queue"])})


# -- calls ----------------------------------------------------------------------------------------
async def list_calls(request: web.Request) -> web.Response:
    p = principal(request)
    calls = _engine(request).calls_status()
    if not p.at_least("supervisor"):
        calls = [c for c in calls if c.get("agent_id") == p.agent_id]
    return _json({"now": _engine(request).now(), "calls": calls})


async def get_call(request: web.Request) -> web.Response:
    p = principal(request)
    call = _engine(request).call_status(request.match_info["call_id"])
    if not p.at_least("supervisor") and call.get("agent_id") != p.agent_id:
        raise ApiError(403, "an agent may only see its own calls", "call_id")
    return _json(call)


async def move_call(request: web.Request) -> web.Response:
    p = require(request, "supervisor")
    body = await read_body(request, ROUTE_BODIES["move"])
    return _json(await _engine(request).move_call(request.match_info["call_id"], body["queue"], by=p.user))


async def call_priority(request: web.Request) -> web.Response:
    p = require(request, "supervisor")
    body = await read_body(request, ROUTE_BODIES["priority"])
    return _json(await _engine(request).set_priority(request.match_info["call_id"], body["priority"], by=p.user))


async def hangup_call(request: web.Request) -> web.Response:
    p = require(request, "supervisor")
    await read_body(request, ())
    return _json(await _engine(request).hangup_call(request.match_info["call_id"], by=p.user))


async def list_cdrs(request: web.Request) -> web.Response:
    require(request, "supervisor")
    q = read_query(request, REPORT_QUERY[:2] + (Field("limit", "integer", minimum=1, maximum=100000),))
    e = _engine(request)
    now = e.now()
    start, end = _interval(q, now)
    return _json({"cdrs": await e.cdrs(start, end, q.get("limit", 1000))})


# -- reports --------------------------------------------------------------------------------------
REPORT_QUERY = (
    Field("from", "string", description="start: ISO 8601, epoch seconds, today, yesterday or -2h (default today)"),
    Field("to", "string", description="end (default now)"),
    Field("bucket", "string", enum=tuple(rep.BUCKETS), description="bucket size (default hour)"),
    Field("by", "string", enum=("queue", "agent"), description="one line per queue or per agent (default queue)"),
    Field("format", "string", enum=("json", "csv"), description="json (default) or csv"),
    Field("only", "string", description="keep one queue (by=queue) or agent (by=agent)"),
)


def _interval(q: dict, now: float) -> tuple[float, float]:
    try:
        start = rep.parse_time(q.get("from", "today"), now)
    except ValueError as exc:
        raise ApiError(400, f"query parameter 'from': {exc}", "from") from None
    try:
        end = rep.parse_time(q.get("to", "now"), now)
    except ValueError as exc:
        raise ApiError(400, f"query parameter 'to': {exc}", "to") from None
    if end <= start:
        raise ApiError(400, "query parameter 'to' must be after 'from'", "to")
    return start, end


async def report(request: web.Request) -> web.Response:
    require(request, "supervisor")
    q = read_query(request, REPORT_QUERY)
    e = _engine(request)
    now = e.now()
    start, end = _interval(q, now)
    rows = await e.event_rows(start, end)
    lines = rep.build_report(rows, start, end, by=q.get("by", "queue"), bucket=q.get("bucket", "hour"),
                             sl_targets=e.sl_targets(), only=q.get("only"))
    if q.get("format") == "csv":
        return web.Response(text=rep.to_csv(lines), content_type="text/csv")
    return _json({"from": start, "to": end, "bucket": q.get("bucket", "hour"), "by": q.get("by", "queue"),
                  "lines": lines})


# -- openapi, websocket, metrics ------------------------------------------------------------------
async def openapi(request: web.Request) -> web.Response:
    from .. import __version__
    return _json(openapi_document(request.app[ROUTES_KEY], __version__))


async def websocket(request: web.Request) -> web.StreamResponse:
    return await request.app[HUB_KEY].handle(request, principal(request))


async def metrics(request: web.Request) -> web.Response:
    body, ctype = request.app[METRICS_KEY].exposition()
    resp = web.Response(body=body)
    resp.headers["Content-Type"] = ctype
    return resp


ROUTE_BODIES: dict[str, tuple[Field, ...]] = {
    "login": (Field("phone", "string", description="the phone (Asterisk interface, e.g. PJSIP/2001) the agent sits at; default: the agent's provisioned phone"),),
    "logout": (Field("reason", "string", description="why (kept in the event log)"),),
    "pause": (PAUSE_REASON,),
    "spy": (Field("mode", "string", required=True, enum=("listen", "whisper", "barge")),
            Field("phone", "string", required=True, description="the supervisor's phone to ring (e.g. PJSIP/3001)")),
    "move": (Field("queue", "string", required=True, description="target queue"),),
    "priority": (Field("priority", "integer", required=True, minimum=0, maximum=100,
                       description="higher is answered first"),),
}

ROUTES: list[Route] = [
    Route("GET", "/api/openapi.json", openapi, "this OpenAPI document", role=None, tag="meta"),
    Route("GET", "/api/me", me, "who the token belongs to", role="agent", tag="meta"),
    Route("GET", "/api/agents", list_agents, "agents with state and time in state (an agent sees only itself)",
          role="agent", tag="agents"),
    Route("GET", "/api/agents/{agent_id}", get_agent, "one agent's live state", role="agent", tag="agents",
          responses={"404": "unknown agent"}),
    Route("POST", "/api/agents/{agent_id}/login", agent_login, "log in at a phone (then paused until ready)",
          role="agent", body=ROUTE_BODIES["login"], tag="agents", responses={"404": "unknown agent", "409": "not possible in this state"}),
    Route("POST", "/api/agents/{agent_id}/logout", agent_logout, "log out (a supervisor may force it)",
          role="agent", body=ROUTE_BODIES["logout"], tag="agents", responses={"404": "unknown agent", "409": "not possible in this state"}),
    Route("POST", "/api/agents/{agent_id}/ready", agent_ready, "become ready for calls (also ends wrap-up or a pause)",
          role="agent", tag="agents", responses={"404": "unknown agent", "409": "not possible in this state"}),
    Route("POST", "/api/agents/{agent_id}/pause", agent_pause, "pause with a reason code (a supervisor may force it)",
          role="agent", body=ROUTE_BODIES["pause"], tag="agents", responses={"404": "unknown agent", "409": "not possible in this state"}),
    Route("POST", "/api/agents/{agent_id}/end-wrapup", agent_end_wrapup, "end wrap-up early (become ready)",
          role="agent", tag="agents", responses={"404": "unknown agent", "409": "not in wrap-up"}),
    Route("POST", "/api/agents/{agent_id}/spy", agent_spy, "listen / whisper / barge on the agent's call (rings the supervisor's phone)",
          role="supervisor", body=ROUTE_BODIES["spy"], tag="supervisor", responses={"404": "unknown agent", "409": "agent not on a call"}),
    Route("POST", "/api/provisioning/reload", reload_provisioning, "apply stored agents/queues/skills now "
          "(added, changed, removed; rows the ACD refuses are listed in errors)", role="admin", tag="admin"),
    Route("GET", "/api/flows", list_flows, "IVR flows: current and past versions, DID map, validation errors "
          "(rejected edits included)", role="supervisor", tag="ivr"),
    Route("GET", "/api/queues", list_queues, "live queues: waiting calls, members, SL, ASA, AHT, abandon rate, longest wait",
          role="supervisor", tag="queues"),
    Route("GET", "/api/queues/{queue}", get_queue, "one live queue", role="supervisor", tag="queues",
          responses={"404": "unknown queue"}),
    Route("GET", "/api/calls", list_calls, "calls in progress (an agent sees only its own)", role="agent", tag="calls"),
    Route("GET", "/api/calls/{call_id}", get_call, "one call in progress", role="agent", tag="calls",
          responses={"404": "no such call in progress"}),
    Route("POST", "/api/calls/{call_id}/move", move_call, "move a waiting call to another queue (keeps its wait time)",
          role="supervisor", body=ROUTE_BODIES["move"], tag="supervisor", responses={"404": "no such call or queue", "409": "call not waiting"}),
    Route("POST", "/api/calls/{call_id}/priority", call_priority, "change a waiting call's priority",
          role="supervisor", body=ROUTE_BODIES["priority"], tag="supervisor", responses={"404": "no such call", "409": "call not waiting"}),
    Route("POST", "/api/calls/{call_id}/hangup", hangup_call, "hang a call up", role="supervisor", tag="supervisor",
          responses={"404": "no such call"}),
    Route("GET", "/api/cdrs", list_cdrs, "stored call detail records in an interval", role="supervisor",
          query=REPORT_QUERY[:2] + (Field("limit", "integer", minimum=1, maximum=100000),), tag="reports"),
    Route("GET", "/api/reports", report, "per queue / per agent report in 15m, hour or day buckets (JSON or CSV)",
          role="supervisor", query=REPORT_QUERY, tag="reports", produces="application/json, text/csv"),
    Route("GET", "/api/ws", websocket, "WebSocket: screen pops for agents, live queue/agent events for supervisors "
          "(token in Authorization or ?token=)", role="agent", tag="live"),
    Route("GET", "/metrics", metrics, "Prometheus metrics (no token)", role=None, tag="meta",
          produces="text/plain; version=0.0.4"),
]


ROUTES += FLOW_ROUTES + TRY_ROUTES + ADMIN_ROUTES + RECORDING_ROUTES + ANALYTICS_ROUTES


def setup_api(app: web.Application, *, engine: Any, bus: EventBus, tokens: dict | None = None,
              token_lookup: TokenLookup | None = None, db: Any = None) -> None:
    """Mount the engine's API on ``app``. Call before the app starts; safe with ``engine=None``
    (routes then answer 503 until :func:`set_engine` is called). ``db``: the database of the admin
    routes (provisioning, users, tokens) and of flow validation (queue and skill names)."""
    auth = Authenticator(tokens or {}, token_lookup)
    app.middlewares.append(error_middleware)
    app.middlewares.append(make_auth_middleware(auth))
    app[ENGINE_KEY] = engine
    app[DB_KEY] = db
    app[TRY_KEY] = TrySessions()

    def queues_view() -> dict[str, Any] | None:
        e = app[ENGINE_KEY]
        if e is None or not getattr(e, "ready", True):
            return None
        return {"now": e.now(), "queues": e.queues_status()}

    hub = WebSocketHub(bus, queues_view)
    app[HUB_KEY] = hub

    def snapshot() -> dict[str, Any]:
        e = app[ENGINE_KEY]
        snap = e.snapshot() if e is not None and getattr(e, "ready", True) else {}
        snap["websocket_clients"] = hub.client_count
        return snap

    app[METRICS_KEY] = Metrics(bus, snapshot)
    app[ROUTES_KEY] = list(ROUTES)
    add_routes(app, ROUTES)

    async def _close(app: web.Application) -> None:
        await hub.close_all()
        await app[TRY_KEY].close()
        hub.close()
        app[METRICS_KEY].close()
    app.on_shutdown.append(_close)
