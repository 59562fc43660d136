"""Trying a flow from the web page: the console try-out of ``callcenter ivr try`` over HTTP.

``POST /api/flows/{name}/try`` starts a session: the flow (the serving version, or an unsaved draft
given as ``text``) runs with :func:`callcenter.ivr.runner.run_flow` on a :class:`WebTryChannel`, the
console channel of ``ivr try`` with its input and output turned into messages. The answer lists what
happened until the IVR waits for the caller (prompts, nodes entered, what was heard, schedule and HTTP
decisions), and what it waits for. ``POST /api/flow-tries/{id}`` sends one line as the caller: digits
for keys, any other text for what the caller says (matched like recognized speech), an empty line for
silence, ``hangup``. ``DELETE`` hangs up. A session belongs to the user who started it and ends after
``IDLE_TIMEOUT`` seconds without input.
"""
from __future__ import annotations

import asyncio
import io
import itertools
import logging
import secrets
import time
from datetime import datetime
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from aiohttp import web

from ..clock import Clock, FakeClock
from ..ivr.channel import CallerHungUp, CallInfo, Prompt, RecordResult
from ..ivr.console import ConsoleChannel, describe_prompt, describe_trace
from ..ivr.runner import run_flow
from .auth import require
from .common import engine_of, json_response
from .errors import ApiError
from .flows import registry_of, validate_text
from .spec import Field, Route, read_body

log = logging.getLogger("callcenter.api.try")

IDLE_TIMEOUT = 900.0        # seconds without input before a session is dropped
STEP_TIMEOUT = 15.0         # longest wait for the IVR to need the caller again (HTTP nodes)
MAX_SESSIONS = 50
MAX_PER_USER = 5


class WebTryChannel(ConsoleChannel):
    """The console channel with messages instead of a terminal."""

    def __init__(self, session: "TrySession", info: CallInfo, speech: bool) -> None:
        super().__init__(info, stdin=io.StringIO(), stdout=io.StringIO(), speech=speech, echo=False)
        self.session = session

    def say(self, line: str) -> None:
        self.session.emit("info", text=line.strip().strip("()"))

    async def _show(self, prompts: Sequence[Prompt]) -> None:
        for p in prompts:
            self.session.emit("prompt", text=describe_prompt(p), language=p.language, prompt_kind=p.kind)

    async def _read(self, hint: str) -> str:
        if self.hung_up:
            raise CallerHungUp()
        line = await self.session.next_input(hint)
        if line is None:
            self.hung_up = True
            raise CallerHungUp()
        line = line.strip()
        self.session.emit("input", text=line)
        if line.lower() in ("hangup", "/hangup", "/hup"):
            self.hung_up = True
            raise CallerHungUp()
        return line

    async def record(self, name: str, max_seconds: float, silence_seconds: float = 2.0,
                     escape_digits: str = "#", beep: bool = True) -> RecordResult:
        if beep:
            self.say("<beep>")
        line = await self._read(f"speak your message (type it; up to {max_seconds:g}s)")
        return RecordResult(f"try/{name}", float(len(line.split())) / 2.5, "silence")


class TrySession:
    def __init__(self, sid: str, user: str, flow_name: str, version: Any) -> None:
        self.id = sid
        self.user = user
        self.flow_name = flow_name
        self.version = version              # the serving version number, or "draft"
        self.events: list[dict[str, Any]] = []
        self.sent = 0
        self.waiting: str | None = None
        self.path: list[str] = []
        self.outcome: dict[str, Any] | None = None
        self.task: asyncio.Task | None = None
        self.last_active = time.monotonic()
        self._inputs: asyncio.Queue[str | None] = asyncio.Queue()
        self._settled = asyncio.Event()
        self._seq = itertools.count(1)

    def emit(self, kind: str, **data: Any) -> None:
        self.events.append({"seq": next(self._seq), "kind": kind, **data})

    async def next_input(self, hint: str) -> str | None:
        self.waiting = hint
        self.emit("wait", text=hint)
        self._settled.set()
        line = await self._inputs.get()
        self.waiting = None
        return line

    @property
    def done(self) -> bool:
        return self.task is not None and self.task.done()

    async def settle(self) -> None:
        """Wait until the IVR waits for the caller again or the call is over."""
        if self.task is None:
            return
        waiter = asyncio.ensure_future(self._settled.wait())
        try:
            await asyncio.wait({waiter, self.task}, timeout=STEP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()

    async def send(self, line: str | None) -> None:
        if self.done:
            raise ApiError(409, "this try-out has ended; start a new one", "session")
        self.last_active = time.monotonic()
        self._settled.clear()
        self._inputs.put_nowait(line)
        await self.settle()

    def view(self, everything: bool = False) -> dict[str, Any]:
        new = self.events if everything else self.events[self.sent:]
        self.sent = len(self.events)
        return {"session": self.id, "flow": self.flow_name, "version": self.version, "events": new,
                "waiting": None if self.done else self.waiting, "done": self.done, "path": list(self.path),
                "outcome": self.outcome}


class TrySessions:
    """The running try-outs (one per browser tab), dropped when idle."""

    def __init__(self) -> None:
        self.sessions: dict[str, TrySession] = {}

    def sweep(self) -> None:
        now = time.monotonic()
        for sid, s in list(self.sessions.items()):
            idle = now - s.last_active
            if idle > IDLE_TIMEOUT or (s.done and idle > 60):
                self.drop(sid)

    def add(self, session: TrySession) -> None:
        self.sweep()
        mine = [s for s in self.sessions.values() if s.user == session.user]
        if len(mine) >= MAX_PER_USER:
            oldest = min(mine, key=lambda s: s.last_active)
            self.drop(oldest.id)
        if len(self.sessions) >= MAX_SESSIONS:
            raise ApiError(429, f"{MAX_SESSIONS} try-outs are running; end some first")
        self.sessions[session.id] = session

    def get(self, sid: str, user: str) -> TrySession:
        s = self.sessions.get(sid)
        if s is None or s.user != user:
            raise ApiError(404, f"no try-out {sid!r} (ended or never started)", "session")
        return s

    def drop(self, sid: str) -> None:
        s = self.sessions.pop(sid, None)
        if s is not None and s.task is not None and not s.task.done():
            s.task.cancel()

    async def close(self) -> None:
        tasks = [s.task for s in self.sessions.values() if s.task is not None and not s.task.done()]
        for sid in list(self.sessions):
            self.drop(sid)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


TRY_KEY = web.AppKey("callcenter_flow_tries", TrySessions)


def _clock(at: str | None, tz_name: str) -> Clock:
    if not at:
        return Clock()
    try:
        dt = datetime.fromisoformat(at.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"'at' {at!r} is not a date and time like 2026-11-23T10:00", "at") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(tz_name))
    return FakeClock(dt.timestamp())


async def _run(session: TrySession, flow: Any, flows: Any, channel: WebTryChannel, clock: Clock,
               fallback_queue: str, variables: dict[str, Any]) -> None:
    def on_trace(entry) -> None:
        if entry.kind == "enter":
            label = entry.node if entry.flow == flow.name else f"{entry.flow}:{entry.node}"
            session.path.append(label)
            session.emit("node", node=entry.node, flow=entry.flow, type=entry.data.get("type"))
            return
        line = describe_trace(entry)
        if line is not None:
            session.emit("trace", trace_kind=entry.kind, node=entry.node, text=line)

    try:
        outcome = await run_flow(flow, channel, clock=clock, call_data=channel.info, flows=flows,
                                 on_trace=on_trace, fallback_queue=fallback_queue, variables=variables)
        session.outcome = {"summary": outcome.summary(), "kind": outcome.kind,
                           "variables": outcome.to_dict().get("variables", {})}
        session.emit("end", text=outcome.summary())
    except asyncio.CancelledError:
        session.emit("end", text="try-out stopped")
        raise
    except Exception as exc:  # noqa: BLE001 - shown on the page, logged here
        log.exception("flow try-out failed", extra={"flow": flow.name})
        session.outcome = {"summary": f"failed: {exc}", "kind": "error", "variables": {}}
        session.emit("end", text=f"the try-out failed: {exc}")


async def start_try(request: web.Request) -> web.Response:
    p = require(request, "supervisor")
    reg = registry_of(request)
    name = request.match_info["name"]
    body = await read_body(request, TRY_BODY)
    flows = dict(reg.flows)
    if "text" in body:
        flow, problems = await validate_text(request, name, body["text"])
        if flow is None:
            first = next(e for e in problems if e.severity == "error")
            raise ApiError(422, f"the draft has errors: line {first.line} column {first.column}: {first.message}",
                           "text")
        version: Any = "draft"
        flows[flow.name] = flow
    else:
        cur = reg.current(name)
        if cur is None:
            raise ApiError(404, f"no flow named {name!r} is loaded", "name")
        flow, version = cur.flow, cur.version
        flows = dict(cur.flows or flows)
    variables = body.get("vars") or {}
    if not isinstance(variables, dict) or not all(isinstance(k, str) and k.isidentifier() for k in variables):
        raise ApiError(400, "'vars' must be an object NAME -> value", "vars")
    clock = _clock(body.get("at"), flow.timezone)
    sessions = request.app[TRY_KEY]
    session = TrySession(secrets.token_urlsafe(12), p.user, flow.name, version)
    sessions.add(session)
    info = CallInfo(call_id=f"try-{session.id[:8]}", caller=body.get("caller", "+15550001234"),
                    caller_name=body.get("caller_name", ""), did=body.get("did", ""),
                    language=body.get("lang") or flow.language)
    channel = WebTryChannel(session, info, speech=body.get("speech", True))
    settings = getattr(engine_of(request), "settings", None)
    fallback = getattr(settings, "fallback_queue", None) or "support"
    session.task = asyncio.ensure_future(_run(session, flow, flows, channel, clock, fallback, dict(variables)))
    await session.settle()
    return json_response(session.view(), 201)


async def try_input(request: web.Request) -> web.Response:
    p = require(request, "supervisor")
    session = request.app[TRY_KEY].get(request.match_info["session"], p.user)
    body = await read_body(request, INPUT_BODY)
    await session.send(body.get("text", ""))
    return json_response(session.view())


async def try_view(request: web.Request) -> web.Response:
    p = require(request, "supervisor")
    return json_response(request.app[TRY_KEY].get(request.match_info["session"], p.user).view(everything=True))


async def try_hangup(request: web.Request) -> web.Response:
    p = require(request, "supervisor")
    sessions = request.app[TRY_KEY]
    session = sessions.get(request.match_info["session"], p.user)
    if not session.done:
        await session.send(None)
    view = session.view()
    sessions.drop(session.id)
    return json_response(view)


TRY_BODY = (
    Field("text", "string", description="try this unsaved YAML instead of the serving version"),
    Field("did", "string", description="dialled number"),
    Field("caller", "string", description="caller number (default +15550001234)"),
    Field("caller_name", "string"),
    Field("at", "string", description="the call's clock, e.g. 2026-11-23T10:00 (flow's time zone unless an offset is given)"),
    Field("lang", "string", description="caller language at the start (default: the flow's)"),
    Field("speech", "boolean", description="false: as if recognition were unavailable (keys only)"),
    Field("vars", "object", description="flow variables to set before the call starts"),
)
INPUT_BODY = (Field("text", "string", description="digits = keys; other text = what the caller says; "
                                                  "empty = silence; hangup"),)

TRY_ROUTES: list[Route] = [
    Route("POST", "/api/flows/{name}/try", start_try, "try a flow as the caller (the console try-out of "
          "`ivr try`): runs until the IVR waits for you", body=TRY_BODY, tag="ivr",
          responses={"201": "started", "404": "no such flow", "422": "the draft has errors"}),
    Route("GET", "/api/flow-tries/{session}", try_view, "everything a try-out showed so far", tag="ivr",
          responses={"404": "no such try-out"}),
    Route("POST", "/api/flow-tries/{session}", try_input, "answer as the caller (keys, words, silence)",
          body=INPUT_BODY, tag="ivr", responses={"404": "no such try-out", "409": "the try-out has ended"}),
    Route("DELETE", "/api/flow-tries/{session}", try_hangup, "hang up and end the try-out", tag="ivr",
          responses={"404": "no such try-out"}),
]
