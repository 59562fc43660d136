"""WebRTC signalling and the phone pages (mounted when ``webrtc.enabled``).

Pages (no token, no CDN, plain JS from ``callcenter/web/phone/``):

* ``GET /call``: the web caller (call, keypad, hang up, what the IVR said and heard);
* ``GET /phone``: the agents' browser phone (log in, ring, answer, hang up); ``GET /phone/<file>``
  serves its modules (``phone.js`` is the module the agent desktop embeds).

Signalling (one offer, one answer with every candidate: aiortc does not trickle):

* ``POST /webrtc/call`` ``{"type": "offer", "sdp"}`` -> ``{"type": "answer", "sdp", "session",
  "call_id"}``: a web caller. ``webrtc.callers: open`` (default) lets anyone who reaches the HTTP
  server call; ``token`` needs ``Authorization: Bearer <token>`` (any role).
* ``POST /webrtc/sessions/{session}/dtmf`` ``{"digits": "12#"}``, ``POST /webrtc/sessions/{session}/hangup``:
  keys and hang-up without the data channel (the session id, 128 random bits, is the capability).
* ``POST /api/webrtc/phone`` ``{"type": "offer", "sdp", "agent"?}`` (token: the agent itself or a
  supervisor) -> the answer: registers the agent's browser phone ``Browser/<agent>``.
* ``GET /api/webrtc/sessions`` (supervisor): the live browser sessions.

Refusals: 400 malformed offer, 404 unknown session, 409 a replayed offer, 503 too many sessions or no
gateway; 503 ``{"busy": true, "retry_after"}`` with ``Retry-After`` when the server is overloaded (a new web
caller only: ``webrtc.max_calls_per_core``, ``webrtc.overload_*``, :mod:`callcenter.media.webrtc_overload`);
nothing is created for a refused offer.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from ..media.webrtc import Busy, SignallingError
from ..web.serve import SECURITY_HEADERS
from .auth import Authenticator, principal, require, token_from_request
from .routes import ROUTES_KEY
from .spec import Field, Route, add_routes

log = logging.getLogger("callcenter.api.webrtc")

PAGES_DIR = Path(__file__).resolve().parent.parent / "web" / "phone"
PAGE_FILES = {"call": "call.html", "phone": "phone.html"}
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}


@dataclass
class WebRTCDeps:
    """What the signalling routes need (built by ``callcenter.app``)."""
    gateway: Any                    # callcenter.media.webrtc.WebRTCGateway
    calls: Any                      # callcenter.media.webrtc_call.WebCalls
    phones: Any                     # callcenter.media.webrtc_phones.BrowserPhones
    callers: str = "open"           # webrtc.callers
    admit: Any = None               # () -> None or raises Busy: a new web caller while overloaded (webrtc_overload)


WEBRTC_KEY = web.AppKey("callcenter_webrtc", WebRTCDeps)
CALLER_AUTH_KEY = web.AppKey("callcenter_webrtc_auth", Authenticator)


def _error(exc: SignallingError) -> web.Response:
    if isinstance(exc, Busy):
        return web.json_response({"error": str(exc), "field": exc.field, "busy": True,
                                  "retry_after": round(exc.retry_after)}, status=exc.status,
                                 headers={"Retry-After": str(round(exc.retry_after))})
    return web.json_response({"error": str(exc), "field": exc.field}, status=exc.status)


async def _json_body(request: web.Request) -> dict:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise SignallingError(400, "body must be JSON", "body") from None
    if not isinstance(body, dict):
        raise SignallingError(400, "body must be a JSON object", "body")
    return body


def _page(name: str):
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(PAGES_DIR / PAGE_FILES[name], headers={**SECURITY_HEADERS,
                                                                      "Content-Type": "text/html; charset=utf-8"})
    return handler


async def static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = (PAGES_DIR / name).resolve()
    if path.parent != PAGES_DIR or path.suffix not in STATIC_TYPES or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Content-Type": STATIC_TYPES[path.suffix] + "; charset=utf-8",
                                           "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


async def web_call(request: web.Request) -> web.Response:
    deps = request.app[WEBRTC_KEY]
    caller = "web"
    try:
        if deps.callers == "token":
            who = await request.app[CALLER_AUTH_KEY].authenticate(token_from_request(request))
            if who is None:
                return web.json_response({"error": "web callers need a token here (webrtc.callers: token): send "
                                                   "'Authorization: Bearer <token>'", "field": "Authorization"},
                                         status=401)
            caller = f"web:{who.user}"
        if deps.admit is not None:
            deps.admit()                # Busy (503) when the server cannot keep up: nothing is created
        body = await _json_body(request)
        leg, answer = await deps.gateway.answer(body, kind="caller", owner=caller)
    except SignallingError as exc:
        return _error(exc)
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    answer["call_id"] = deps.calls.start(leg, caller=caller, caller_name=name[:64])
    return web.json_response(answer)


async def session_dtmf(request: web.Request) -> web.Response:
    deps = request.app[WEBRTC_KEY]
    try:
        leg = deps.gateway.get(request.match_info["session"])
        body = await _json_body(request)
        digits = body.get("digits")
        if not isinstance(digits, str) or not digits:
            raise SignallingError(400, "'digits' is required (0-9 * # A-D)", "digits")
        return web.json_response({"pressed": leg.press(digits)})
    except SignallingError as exc:
        return _error(exc)


async def session_hangup(request: web.Request) -> web.Response:
    deps = request.app[WEBRTC_KEY]
    try:
        leg = deps.gateway.get(request.match_info["session"])
    except SignallingError as exc:
        return _error(exc)
    await leg.close("hang-up (HTTP)")
    return web.json_response({"ended": True})


async def phone_register(request: web.Request) -> web.Response:
    deps = request.app[WEBRTC_KEY]
    p = principal(request)
    try:
        body = await _json_body(request)
        agent = body.get("agent") or p.agent_id
        if not isinstance(agent, str) or not agent:
            raise SignallingError(400, "'agent' is required for a user who is not an agent", "agent")
        if not p.may_act_for_agent(agent):
            return web.json_response({"error": f"you may register only your own phone (you are {p.agent_id!r})",
                                      "field": "agent"}, status=403)
        leg, answer = await deps.gateway.answer(body, kind="agent", owner=agent)
    except SignallingError as exc:
        return _error(exc)
    line = deps.phones.register(agent, leg)
    answer["interface"] = line.interface
    return web.json_response(answer)


async def sessions(request: web.Request) -> web.Response:
    require(request, "supervisor")
    deps = request.app[WEBRTC_KEY]
    rows = [{"session": leg.leg_id, "kind": leg.kind, "owner": leg.owner,
             "connected": leg.connected_at is not None, "frames_in": leg.frames_in, "frames_out": leg.frames_out}
            for leg in deps.gateway.sessions.values()]
    # the gateway's status counts its sessions under "sessions": the list of them goes last and wins
    return web.json_response({**deps.gateway.status(), "sessions": rows, "phones": sorted(deps.phones.lines)})


OFFER = (Field("type", required=True, enum=("offer",), description="always 'offer'"),
         Field("sdp", required=True, description="the browser's SDP offer with every ICE candidate in it "
                                                 "(no trickle): one audio m-line (Opus or G.711) and the "
                                                 "'control' data channel"))
ANSWER = (Field("type", required=True, enum=("answer",)), Field("sdp", required=True, description="the answer, "
                                                                "with every candidate (host only unless "
                                                                "webrtc.ice_servers is set)"),
          Field("session", required=True, description="the session id (128 random bits: the capability of "
                                                       "the /webrtc/sessions/{session}/* routes)"))
REFUSALS = {"400": "malformed offer ('field' says which part)", "409": "replayed offer (the same ICE credentials "
            "within 10 minutes)", "503": "too many browser sessions (webrtc.max_sessions)"}

WEBRTC_ROUTES: list[Route] = [
    Route("POST", "/webrtc/call", web_call, "a web caller's call: answer its WebRTC offer and start the call "
          "(embedded: the engine's IVR; with Asterisk: an AudioSocket channel into the inbound dialplan). "
          "No token with webrtc.callers: open; 'Authorization: Bearer' with webrtc.callers: token",
          role=None, tag="webrtc", body=OFFER + (Field("name", description="the caller's name (shown to agents, "
                                                                          "64 characters kept)"),),
          returns=ANSWER + (Field("call_id", required=True, description="the web call's id (the page's "
                                                                         "messages then give the record's id)"),),
          responses={**REFUSALS, "401": "a token is needed (webrtc.callers: token)",
                     "503": "too many browser sessions (webrtc.max_sessions), or busy: the server is overloaded "
                            "({'busy': true, 'retry_after'} and a Retry-After header; webrtc.max_calls_per_core, "
                            "webrtc.overload_lag_ms, webrtc.overload_seconds)"}),
    Route("POST", "/webrtc/sessions/{session}/dtmf", session_dtmf, "keys pressed by the page without the data "
          "channel (0-9 * # A-D; others are ignored); the session id is the capability", role=None, tag="webrtc",
          body=(Field("digits", required=True, description="keys, e.g. '12#'"),),
          returns=(Field("pressed", "integer", required=True, description="how many valid keys were taken"),),
          responses={"404": "unknown or ended session"}),
    Route("POST", "/webrtc/sessions/{session}/hangup", session_hangup, "hang the session up without the data "
          "channel (the call ends as when the page hangs up)", role=None, tag="webrtc",
          returns=(Field("ended", "boolean", required=True),), responses={"404": "unknown or ended session"}),
    Route("POST", "/api/webrtc/phone", phone_register, "register an agent's browser phone Browser/<agent> (the "
          "/phone page): the session stays up like a registered SIP phone; ring, answer and hang-up travel on "
          "its data channel (docs/media.md)", role="agent", tag="webrtc",
          body=OFFER + (Field("agent", description="whose phone (default: the token's agent; a supervisor may "
                                                   "register any agent's)"),),
          returns=ANSWER + (Field("interface", required=True, description="the phone's interface, "
                                                                          "Browser/<agent>: log in with it"),),
          responses={**REFUSALS, "400": "malformed offer, or 'agent' missing for a user who is not an agent",
                     "403": "another agent's phone"}),
    Route("GET", "/api/webrtc/sessions", sessions, "the live browser sessions (callers and agents' phones), "
          "the registered browser phones and the gateway's counters", role="supervisor", tag="webrtc",
          returns=(Field("sessions", "array", required=True, items="object",
                         description="session, kind (caller | agent), owner, connected, frames_in, frames_out"),
                   Field("phones", "array", required=True, items="string", description="registered interfaces"),
                   Field("state", required=True), Field("ice_servers", "integer", required=True),
                   Field("offers", "integer", required=True), Field("refused", "integer", required=True),
                   Field("replays", "integer", required=True), Field("ended", "integer", required=True))),
]
#: HTML pages (not API routes, so not in the OpenAPI document)
PAGE_PATHS = ("/call", "/phone", "/phone/{name}")


def setup_webrtc(app: web.Application, deps: WebRTCDeps, auth: Authenticator) -> None:
    app[WEBRTC_KEY] = deps
    app[CALLER_AUTH_KEY] = auth
    app.router.add_get("/call", _page("call"))
    app.router.add_get("/phone", _page("phone"))
    app.router.add_get("/phone/{name}", static_file)
    app[ROUTES_KEY].extend(WEBRTC_ROUTES)
    add_routes(app, WEBRTC_ROUTES)
