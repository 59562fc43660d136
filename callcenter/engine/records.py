"""The database as the engine needs it (:class:`callcenter.engine.ports.EngineRecords`), through the
named queries of :mod:`callcenter.store.repo`. Reads that must see the latest events flush the store
writer's pending rows first."""
from __future__ import annotations

import logging
from typing import Any

from ..store import repo
from .reports import LogEvent

log = logging.getLogger("callcenter.engine")

#: event kinds the reports read from the event log
REPORT_KINDS = ("CallQueued", "CallAnswered", "CallAbandoned", "CallCompleted", "WrapupEnded", "OfferMissed",
                "CallOverflowed", "CallMoved", "CallbackRequested", "AgentStateChanged")


async def load_event_rows(db: Any, start: float, end: float) -> list[LogEvent]:
    """Event-log rows a report over [start, end) needs (agent state rows from before the interval too:
    they say what state each agent was in when it began)."""
    async with db.session() as s:
        rows = await repo.list_report_events(s, REPORT_KINDS, start, end)
        return [LogEvent(r.ts, r.event, r.call_id, r.queue, r.agent, r.data or {}) for r in rows]


class DbRecords:
    """``db``: the :class:`callcenter.store.db.Database`; ``writer``: the StoreWriter (or None)."""

    def __init__(self, db: Any, writer: Any = None) -> None:
        self.db = db
        self.writer = writer

    async def _flush(self, what: str) -> None:
        if self.writer is not None:
            try:
                await self.writer.flush()
            except Exception as exc:  # noqa: BLE001
                log.warning("store flush before %s failed: %s", what, exc)

    async def provisioning(self) -> tuple[list[dict], list[dict]]:
        async with self.db.session() as s:
            queues = [repo.queue_to_dict(q) for q in await repo.list_queues(s)]
            agents = [repo.agent_to_dict(a) for a in await repo.list_agents(s)]
        return queues, [a for a in agents if a.get("enabled", True)]

    async def provisioning_revision(self) -> int:
        async with self.db.session() as s:
            return await repo.provisioning_revision(s)

    async def agent_states(self) -> list[Any]:
        async with self.db.session() as s:
            return await repo.list_agents(s)

    async def call_closed(self, call_id: str) -> bool:
        if self.writer is not None:
            await self.writer.flush()
        async with self.db.session() as s:
            rec = await repo.get_call(s, call_id)
            return rec is not None and rec.ended_at is not None

    async def answered_since(self, since: float) -> dict[str, tuple[int, float]]:
        await self._flush("agent counters")
        async with self.db.session() as s:
            return await repo.agent_answered_since(s, since)

    async def open_calls(self, arrived_before: float) -> dict[str, tuple]:
        async with self.db.session() as s:
            rows = await repo.list_open_calls(s, arrived_before)
            return {r.call_id: (r.queue, r.queued_at, r.answered_at, r.agent, dict(r.data or {})) for r in rows}

    async def report_events(self, start: float, end: float) -> list[LogEvent]:
        await self._flush("report")
        return await load_event_rows(self.db, start, end)

    async def cdrs(self, start: float, end: float, limit: int = 1000, *, caller: str | None = None,
                   agent: str | None = None) -> list[dict]:
        await self._flush("CDR query")
        async with self.db.session() as s:
            rows = await repo.list_calls(s, since=start, until=end, limit=limit, caller=caller, agent=agent)
            return [repo.call_to_dict(r) for r in rows]
