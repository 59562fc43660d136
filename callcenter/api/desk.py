"""The routes the agent desk and the wallboard need beyond the engine's core API (``routes.py``).

* ``GET /api/desk/settings``: the pause reasons, wrap-up codes and wallboard alert thresholds
  (configuration section ``web``), so every page offers the same choices, and the queues a call can be
  transferred to (``queues``).
* ``GET /api/agents/{agent_id}/today``: the agent's own figures since midnight (the per-agent report
  line: answered, missed, talk, wrap-up, AHT, occupancy, pause by reason).
* ``POST /api/agents/{agent_id}/hangup``: the agent ends its current call from the desk (its own leg).
* ``POST /api/calls/{call_id}/wrapup``: a wrap-up code and notes stored with the call (event
  ``CallWrappedUp`` in the event log, ``data.wrapup`` in the call's CDR).
* ``GET /api/calls/{call_id}/history``: the caller's previous calls (stored CDRs of the same number).
* ``POST /api/calls/{call_id}/transfer``: blind transfer to a queue (the same call waits again), an
  agent, an extension or a number.
* ``POST /api/calls/{call_id}/hold`` / ``unhold``: put the call on hold (the caller hears music, the
  agent nothing) and resume it (:mod:`callcenter.engine.hold`); 409 when not in conversation, already
  on hold / not on hold.

An agent reaches these for itself only: its own agent id, a call it is on (or wrapping up), or a call it
answered in the last day; supervisors and admins reach every agent and call.
"""
from __future__ import annotations

from typing import Any, Mapping

from aiohttp import web

from ..engine import reports as rep
from ..events import DomainEvent, EventBus
from .auth import principal, require_agent_access
from .errors import ApiError
from .routes import ROUTES_KEY, _engine, _json
from .spec import Field, Route, add_routes, read_body, read_query

SETTINGS_KEY = web.AppKey("callcenter_desk_settings", dict)
BUS_KEY = web.AppKey("callcenter_desk_bus", EventBus)

DAY = 86400.0
NOTES_MAX = 4000


def desk_settings(request: web.Request) -> dict[str, Any]:
    """What ``GET /api/desk/settings`` answers (the wallboard's first view carries the same)."""
    return {**request.app[SETTINGS_KEY], "queues": sorted(_engine(request).queue_rows)}


async def settings(request: web.Request) -> web.Response:
    principal(request)
    return _json(desk_settings(request))


async def agent_today(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    require_agent_access(request, agent_id)
    e = _engine(request)
    e.agent_status(agent_id)                    # 404 for an unknown agent
    now = e.now()
    start = rep.parse_time("today", now)
    rows = await e.event_rows(start, now)
    lines = rep.build_report(rows, start, max(now, start + 1), by="agent", bucket="day",
                             sl_targets=e.sl_targets(), only=agent_id)
    return _json({"agent_id": agent_id, "from": start, "to": now, "figures": lines[0] if lines else None})


async def agent_hangup(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    p = require_agent_access(request, agent_id)
    await read_body(request, ())
    e = _engine(request)
    call_id = e.agent_status(agent_id).get("call_id")
    if not call_id:
        raise ApiError(409, f"agent {agent_id} is not on a call", "agent_id")
    return _json(await e.hangup_call(call_id, by=p.user, leg="agent"))


async def _own_call(request: web.Request, call_id: str) -> tuple[Any, str | None]:
    """The principal, and the agent the call belongs to; 403 when an agent asks about another's call."""
    p = principal(request)
    e = _engine(request)
    if p.at_least("supervisor"):
        return p, None
    if not p.agent_id:
        raise ApiError(403, "only an agent (or a supervisor) may do this", "call_id")
    try:
        if e.agent_status(p.agent_id).get("call_id") == call_id:
            return p, p.agent_id
    except Exception:  # noqa: BLE001 - an agent unknown to the engine owns no live call
        pass
    now = e.now()
    mine = await e.cdrs(now - DAY, now + 1, 500, agent=p.agent_id)
    if any(r.get("call_id") == call_id for r in mine):
        return p, p.agent_id
    raise ApiError(403, "an agent may only see and wrap up its own calls", "call_id")


WRAPUP_BODY = (Field("code", "string", description="wrap-up code (one of web.wrapup_codes)"),
               Field("notes", "string", description=f"free text (at most {NOTES_MAX} characters)"))


async def call_wrapup(request: web.Request) -> web.Response:
    call_id = request.match_info["call_id"]
    p, agent_id = await _own_call(request, call_id)
    body = await read_body(request, WRAPUP_BODY)
    codes = request.app[SETTINGS_KEY]["wrapup_codes"]
    code = (body.get("code") or "").strip() or None
    notes = (body.get("notes") or "").strip()
    if code is None and not notes:
        raise ApiError(400, "give a wrap-up 'code' or 'notes'", "code")
    if code is not None and codes and code not in codes:
        raise ApiError(400, f"'code' must be one of {', '.join(codes)}, got {code!r}", "code")
    if len(notes) > NOTES_MAX:
        raise ApiError(400, f"'notes' is longer than {NOTES_MAX} characters", "notes")
    now = _engine(request).now()
    wrapup = {"code": code, "notes": notes, "by": p.user, "at": now}
    request.app[BUS_KEY].publish(DomainEvent("CallWrappedUp", now, call_id=call_id, agent_id=agent_id or p.agent_id,
                                             data={**wrapup, "cdr": {"data": {"wrapup": wrapup}}}))
    return _json({"call_id": call_id, "wrapup": wrapup})


TRANSFER_BODY = (Field("to", "string", required=True,
                       description="a queue (queue:<name>, or a queue's name: the same call waits there again), "
                                   "an agent's name, an extension, a number as the dialplan's cc-transfer takes it "
                                   "(0 + number for the trunk), or context,exten[,priority]"),)


def _acting_agent(request: web.Request) -> tuple[Any, str | None]:
    """The principal and the agent it acts as: None for a supervisor (any call), else its own agent id
    (a user with no agent owns no call)."""
    p = principal(request)
    return p, None if p.at_least("supervisor") else (p.agent_id or "\x00")


async def call_transfer(request: web.Request) -> web.Response:
    p, agent = _acting_agent(request)
    body = await read_body(request, TRANSFER_BODY)
    return _json(await _engine(request).transfer_call(request.match_info["call_id"], body["to"], by=p.user,
                                                      agent_id=agent))


async def call_hold(request: web.Request) -> web.Response:
    p, agent = _acting_agent(request)
    await read_body(request, ())
    return _json(await _engine(request).hold_call(request.match_info["call_id"], by=p.user, agent_id=agent))


async def call_unhold(request: web.Request) -> web.Response:
    p, agent = _acting_agent(request)
    await read_body(request, ())
    return _json(await _engine(request).unhold_call(request.match_info["call_id"], by=p.user, agent_id=agent))


HISTORY_QUERY = (Field("days", "integer", minimum=1, maximum=3650, description="how far back (default 90)"),
                 Field("limit", "integer", minimum=1, maximum=200, description="at most (default 10)"))


async def call_history(request: web.Request) -> web.Response:
    call_id = request.match_info["call_id"]
    await _own_call(request, call_id)
    q = read_query(request, HISTORY_QUERY)
    e = _engine(request)
    try:
        caller = e.call_status(call_id).get("caller")
    except Exception:  # noqa: BLE001 - the call ended: its stored record names the caller
        now = e.now()
        rec = [r for r in await e.cdrs(now - DAY, now + 1, 2000) if r.get("call_id") == call_id]
        caller = rec[0].get("caller") if rec else None
    if not caller:
        return _json({"call_id": call_id, "caller": caller, "calls": []})
    now = e.now()
    limit = q.get("limit", 10)
    rows = await e.cdrs(now - q.get("days", 90) * DAY, now + 1, limit + 1, caller=caller)
    keep = ("call_id", "arrived_at", "answered_at", "ended_at", "queue", "agent", "disposition", "talk_s",
            "hold_s", "intent")
    calls = []
    for r in rows:
        if r.get("call_id") == call_id:
            continue
        item = {k: r.get(k) for k in keep}
        data = r.get("data") or {}
        item["wrapup"] = data.get("wrapup")
        calls.append(item)
    return _json({"call_id": call_id, "caller": caller, "calls": calls[:limit]})


DESK_ROUTES: list[Route] = [
    Route("GET", "/api/desk/settings", settings, "pause reasons, wrap-up codes and wallboard alert thresholds "
          "(configuration section web), and the queues a call can be transferred to", role="agent", tag="desk"),
    Route("GET", "/api/agents/{agent_id}/today", agent_today, "the agent's own figures since midnight "
          "(answered, missed, talk, wrap-up, AHT, occupancy, pauses)", role="agent", tag="desk",
          responses={"404": "unknown agent"}),
    Route("POST", "/api/agents/{agent_id}/hangup", agent_hangup, "the agent hangs up its current call (its own leg)",
          role="agent", tag="desk", responses={"404": "unknown agent", "409": "not on a call"}),
    Route("POST", "/api/calls/{call_id}/wrapup", call_wrapup, "store a wrap-up code and notes with the call "
          "(an agent: its own call, during or after it)", role="agent", body=WRAPUP_BODY, tag="desk",
          responses={"403": "not the agent's call"}),
    Route("POST", "/api/calls/{call_id}/transfer", call_transfer, "blind transfer of a call in conversation (or "
          "on hold) to a queue (the same call waits there again), an agent, an extension or a number (an agent: "
          "its own call)", role="agent", body=TRANSFER_BODY, tag="desk",
          responses={"404": "no such call (of this agent), or no such queue", "409": "not in conversation",
                     "400": "no destination"}),
    Route("POST", "/api/calls/{call_id}/hold", call_hold, "put a call in conversation on hold: the caller hears "
          "music, the agent nothing; counted in the call's holds / held_s (an agent: its own call)", role="agent",
          tag="desk", responses={"404": "no such call (of this agent)",
                                 "409": "not in conversation, or already on hold"}),
    Route("POST", "/api/calls/{call_id}/unhold", call_unhold, "resume a call on hold (an agent: its own call)",
          role="agent", tag="desk", responses={"404": "no such call (of this agent)", "409": "not on hold"}),
    Route("GET", "/api/calls/{call_id}/history", call_history, "the caller's previous calls (stored records of "
          "the same number, newest first)", role="agent", query=HISTORY_QUERY, tag="desk",
          responses={"403": "not the agent's call"}),
]


def setup_desk(app: web.Application, bus: EventBus, web_settings: Mapping[str, Any] | None = None) -> None:
    """Mount the desk routes on an app that :func:`callcenter.api.routes.setup_api` prepared."""
    s = dict(web_settings or {})
    app[SETTINGS_KEY] = {
        "pause_reasons": list(s.get("pause_reasons", ())), "wrapup_codes": list(s.get("wrapup_codes", ())),
        "alerts": {"waiting": s.get("alert_waiting"), "longest_wait": s.get("alert_longest_wait"),
                   "abandon_rate": s.get("alert_abandon_rate")},
    }
    app[BUS_KEY] = bus
    app[ROUTES_KEY].extend(DESK_ROUTES)
    add_routes(app, DESK_ROUTES)
