"""The WebSocket hub (``GET /api/ws``): domain events pushed live to agent desktops and wallboards.

* An **agent** receives the events about itself: ``AgentOffered`` is the screen pop (caller number and
  name, dialled number, queue, and what the IVR learned: variables, language, intent), then
  ``CallAnswered``, ``CallEnded``, ``AgentStateChanged`` ...
* A **supervisor** or **admin** receives every call, queue and agent event.

Messages are JSON: ``{"type": "hello", "principal": {...}}`` first, then
``{"type": "event", "event": {"kind", "ts", "call_id", "agent_id", "queue", "data"}}``. Supervisors and
admins also get ``{"type": "queues", "now": ..., "queues": [...]}`` (the ``GET /api/queues`` view) every
``queues_interval`` seconds (2 by default; ``?every=S`` asks for another period, 0.5 to 60 s; ``?members=0``
leaves each queue's ``members`` out, for a wallboard that follows agents by their events; ``?queues=0`` turns
the view off), ready for a wallboard. A client that
reads too slowly loses the oldest events (it is told with ``{"type": "dropped", "count": N}``);
it never slows the engine down. A client may send ``{"type": "ping"}`` and gets ``{"type": "pong"}``.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web

from ..events import DomainEvent, EventBus
from .auth import Principal

log = logging.getLogger("callcenter.api.ws")

QUEUE_LIMIT = 2000


@dataclass(eq=False)
class _Client:
    principal: Principal
    ws: web.WebSocketResponse
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    dropped: int = 0

    def wants(self, event: DomainEvent) -> bool:
        if self.principal.at_least("supervisor"):
            return True
        return event.agent_id is not None and event.agent_id == self.principal.agent_id

    def push(self, message: dict) -> None:
        if self.queue.full():
            try:
                self.queue.get_nowait()
                self.dropped += 1
            except asyncio.QueueEmpty:
                pass
        self.queue.put_nowait(message)


def _period(text: str | None, default: float) -> float:
    """``?every=`` seconds between queue views, kept within 0.5..60 (a bad value means the default)."""
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return min(60.0, max(0.5, value)) if value == value else default


def without_members(queues) -> list[dict]:
    """Queue views without their ``members`` (``?members=0``; ``GET /api/wallboard``)."""
    return [{k: v for k, v in q.items() if k != "members"} for q in queues]


class WebSocketHub:
    def __init__(self, bus: EventBus, queues_snapshot: Callable[[], Any] | None = None,
                 queues_interval: float = 2.0) -> None:
        self._clients: set[_Client] = set()
        self._unsubscribe = bus.subscribe(self._on_event)
        self.queues_snapshot = queues_snapshot
        self.queues_interval = queues_interval

    @property
    def client_count(self) -> int:
        return len(self._clients)

    def close(self) -> None:
        self._unsubscribe()

    def _on_event(self, event: DomainEvent) -> None:
        if not self._clients:
            return
        message = {"type": "event", "event": event.to_dict()}
        for client in list(self._clients):
            if client.wants(event):
                client.push(message)

    async def handle(self, request: web.Request, principal: Principal) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=30.0)
        await ws.prepare(request)
        client = _Client(principal, ws)
        self._clients.add(client)
        log.info("websocket client connected", extra={"user": principal.user, "role": principal.role})
        sender = asyncio.ensure_future(self._send_loop(client))
        ticker = None
        if (principal.at_least("supervisor") and self.queues_snapshot is not None
                and request.query.get("queues", "1") not in ("0", "false", "no")):
            ticker = asyncio.ensure_future(self._queues_loop(
                client, _period(request.query.get("every"), self.queues_interval),
                members=request.query.get("members", "1") not in ("0", "false", "no")))
        try:
            await ws.send_json({"type": "hello", "principal": principal.to_dict()})
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        data = json.loads(msg.data)
                    except json.JSONDecodeError as exc:
                        client.push({"type": "error", "error": f"malformed JSON: {exc.msg}", "field": "message"})
                        continue
                    if isinstance(data, dict) and data.get("type") == "ping":
                        client.push({"type": "pong"})
                    else:
                        client.push({"type": "error", "error": "unknown message (send {\"type\": \"ping\"})",
                                     "field": "type"})
                elif msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        finally:
            self._clients.discard(client)
            sender.cancel()
            if ticker is not None:
                ticker.cancel()
            await asyncio.gather(sender, *([ticker] if ticker else []), return_exceptions=True)
            log.info("websocket client gone", extra={"user": principal.user})
        return ws

    async def _queues_loop(self, client: _Client, every: float, members: bool = True) -> None:
        while True:
            try:
                snap = self.queues_snapshot()
                if snap is not None:
                    if not members:
                        snap = {**snap, "queues": without_members(snap.get("queues", ()))}
                    client.push({"type": "queues", **snap})
            except Exception:  # noqa: BLE001 - the engine may be starting; try again next time
                log.debug("queue snapshot for the websocket failed", exc_info=True)
            await asyncio.sleep(every)

    async def _send_loop(self, client: _Client) -> None:
        try:
            while True:
                message = await client.queue.get()
                if client.dropped:
                    n, client.dropped = client.dropped, 0
                    await client.ws.send_json({"type": "dropped", "count": n})
                await client.ws.send_json(message)
        except (ConnectionResetError, RuntimeError):
            return

    async def close_all(self) -> None:
        for client in list(self._clients):
            await client.ws.close(code=1001, message=b"server shutting down")
