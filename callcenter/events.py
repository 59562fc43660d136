"""The in-process domain event bus.

Domain events are named in the past tense (``CallQueued``, ``AgentOffered``, ``CallAnswered``,
``CallAbandoned`` ...). Producers publish; the store, the API websocket and metrics subscribe.
Handlers may be plain functions or coroutine functions; coroutines run as tasks that
:meth:`EventBus.drain` awaits (graceful shutdown flushes pending writes through it).
A failing handler is logged and never breaks the publisher or the other handlers.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

log = logging.getLogger("callcenter.events")


@dataclass(frozen=True)
class DomainEvent:
    kind: str                      # past tense: CallQueued, AgentStateChanged ...
    ts: float                      # seconds since the epoch (from the injected clock)
    call_id: str | None = None
    agent_id: str | None = None
    queue: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ts": self.ts, "call_id": self.call_id, "agent_id": self.agent_id,
                "queue": self.queue, "data": self.data}


Handler = Callable[[DomainEvent], Any]


class EventBus:
    def __init__(self) -> None:
        self._subs: list[tuple[frozenset[str] | None, Handler]] = []
        self._tasks: set[asyncio.Task] = set()

    def subscribe(self, handler: Handler, kinds: Iterable[str] | None = None) -> Callable[[], None]:
        entry = (frozenset(kinds) if kinds is not None else None, handler)
        self._subs.append(entry)

        def unsubscribe() -> None:
            if entry in self._subs:
                self._subs.remove(entry)
        return unsubscribe

    def publish(self, event: DomainEvent) -> None:
        for kinds, handler in list(self._subs):
            if kinds is not None and event.kind not in kinds:
                continue
            try:
                result = handler(event)
            except Exception:  # noqa: BLE001 - one bad subscriber must not break the others
                log.exception("event handler failed kind=%s call_id=%s", event.kind, event.call_id)
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("async event handler failed: %r", task.exception())

    async def drain(self) -> None:
        """Wait until every async handler started so far has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
