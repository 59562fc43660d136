"""The store's bus subscriber: every domain event becomes an event-log row; CDRs and agent state are
persisted. Writes are buffered and flushed in batches by one task (so a burst of hundreds of calls is a
few bulk INSERTs, and SQLite never sees two writers); a failing database is retried with back-off and
nothing is dropped; on stop everything pending is flushed, and what still cannot be written is saved to
``<data_dir>/unsaved-events.jsonl`` and re-imported on the next start.

What it listens to (contract for the producers, see ``callcenter/events.py``):

* every :class:`DomainEvent` -> one ``call_events`` row (event = ``kind``, agent = ``agent_id``);
* an event whose ``data["cdr"]`` is a mapping -> merged into the call's CDR (fields as in
  :data:`callcenter.store.repo.CDR_FIELDS`; ``call_id`` from the event);
* ``AgentStateChanged`` with ``data["state"]`` (one of :data:`~callcenter.store.models.AGENT_STATES`),
  optional ``data["reason"]`` / ``data["interface"]`` -> the agent's persisted live state.

Direct use (without the bus): :meth:`StoreWriter.log_event`, :meth:`write_cdr`, :meth:`flush`.
"""
from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, Mapping

from ..events import DomainEvent, EventBus
from . import repo
from .db import Database

log = logging.getLogger("callcenter.store.writer")


class StoreWriter:
    """A :class:`callcenter.app.Component` persisting the event log, CDRs and agent live state."""

    name = "store"

    def __init__(self, db: Database, bus: EventBus | None = None, spill_dir: str | Path | None = None,
                 batch_size: int = 500, interval: float = 0.2, max_pending: int = 100_000) -> None:
        self.db = db
        self.bus = bus
        self.spill_file = Path(spill_dir) / "unsaved-events.jsonl" if spill_dir else None
        self.batch_size = batch_size
        self.interval = interval
        self.max_pending = max_pending        # during an outage, beyond this rows go to the spill file
        self._events: list[dict[str, Any]] = []
        self._cdrs: list[dict[str, Any]] = []
        self._states: list[dict[str, Any]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._unsub = None
        self._lock = asyncio.Lock()
        self.written_events = 0
        self.written_cdrs = 0
        self.failures = 0
        self.last_error: str | None = None
        self._stopping = False

    # -- Component protocol ----------------------------------------------------------------------
    async def start(self) -> None:
        if self.bus is not None:
            self._unsub = self.bus.subscribe(self.on_event)
        await self._reload_spill()
        self._task = asyncio.create_task(self._run(), name="store-writer")

    async def stop(self) -> None:
        self._stopping = True
        if self._unsub:
            self._unsub()
            self._unsub = None
        if self._task:
            self._wake.set()                  # the loop sees _stopping and ends after its current flush
            done, _ = await asyncio.wait({self._task}, timeout=5)
            if not done:
                self._task.cancel()
            self._task = None
        try:
            await asyncio.wait_for(self.flush(), timeout=5)
        except Exception as exc:  # noqa: BLE001 - never lose rows: spill them to a file
            log.error("could not flush pending writes on stop: %s", exc)
        if self.pending:
            self._spill()

    def status(self) -> dict[str, Any]:
        return {"state": "ok" if self.last_error is None else "degraded", "pending": self.pending,
                "written_events": self.written_events, "written_cdrs": self.written_cdrs,
                **({"last_error": self.last_error} if self.last_error else {})}

    # -- input -------------------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        return len(self._events) + len(self._cdrs) + len(self._states)

    def on_event(self, ev: DomainEvent) -> None:
        """Bus handler (synchronous: only buffers)."""
        data = dict(ev.data or {})
        cdr = data.pop("cdr", None)
        self._events.append(repo.event_row(ev.ts, ev.kind, ev.call_id, ev.queue, ev.agent_id, _jsonable(data)))
        if isinstance(cdr, Mapping) and ev.call_id:
            self.write_cdr(ev.call_id, **cdr)
        if ev.kind == "AgentStateChanged" and ev.agent_id and data.get("state"):
            self._states.append({"name": ev.agent_id, "state": data["state"], "reason": data.get("reason"),
                                 "interface": data.get("interface", repo.UNSET), "ts": ev.ts})
        self._kick()

    def log_event(self, ts: float, event: str, call_id: str | None = None, queue: str | None = None,
                  agent: str | None = None, data: Mapping[str, Any] | None = None) -> None:
        self._events.append(repo.event_row(ts, event, call_id, queue, agent, _jsonable(data)))
        self._kick()

    def write_cdr(self, call_id: str, **fields: Any) -> None:
        """Queue a CDR create/merge (validated now, so a bad field fails at the caller)."""
        repo._check_cdr(call_id, fields)
        self._cdrs.append({"call_id": call_id, **{k: _jsonable(v) if k in ("data", "ivr_trace") else v
                                                  for k, v in fields.items()}})
        self._kick()

    def _kick(self) -> None:
        if self.pending >= self.batch_size:
            self._wake.set()

    # -- output ------------------------------------------------------------------------------------
    async def _run(self) -> None:
        delay = self.interval
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            if self._stopping:
                break
            try:
                await self.flush()
                delay = self.interval
                if self.failures and self.spill_file is not None and self.spill_file.exists():
                    await self._reload_spill()      # the outage is over: bring the spilled rows in
                if self.failures:
                    log.info("database writes recovered after %d failed attempts", self.failures)
                    self.failures = 0
            except Exception as exc:  # noqa: BLE001 - keep rows, retry with back-off
                delay = min(max(delay * 2, 0.5), 30.0)
                self.failures += 1
                if self.failures == 1 or self.failures % 10 == 0:
                    log.error("database write failed, %d rows kept, retrying in %.1fs: %s",
                              self.pending, delay, exc)
                if self.pending > self.max_pending:
                    self._spill()

    async def flush(self) -> None:
        """Write everything buffered so far (raises on a database error; the rows stay buffered)."""
        async with self._lock:
            while self.pending:
                events, cdrs, states = self._events[:2000], self._cdrs[:2000], self._states[:2000]
                try:
                    async with self.db.session() as s:
                        if events:
                            await repo.add_events(s, events)
                        if cdrs:
                            await repo.save_calls(s, cdrs)
                        for st in states:
                            await self._apply_state(s, st)
                except Exception as exc:
                    self.last_error = str(exc).splitlines()[0][:200]
                    raise
                del self._events[:len(events)], self._cdrs[:len(cdrs)], self._states[:len(states)]
                self.written_events += len(events)
                self.written_cdrs += len(cdrs)
                self.last_error = None

    @staticmethod
    async def _apply_state(s, st: dict[str, Any]) -> None:
        try:
            async with s.begin_nested():
                await repo.set_agent_state(s, st["name"], st["state"], reason=st.get("reason"),
                                           login_interface=st.get("interface", repo.UNSET), now=st["ts"])
        except repo.RepoError as exc:   # unknown agent / state: log it, it is in the event log anyway
            log.warning("agent state not persisted: %s", exc)

    # -- spill file (database unreachable at shutdown) ----------------------------------------------
    def _spill(self) -> None:
        if self.spill_file is None:
            log.error("%d event/CDR rows could not be written and are lost (no data_dir)", self.pending)
            return
        self.spill_file.parent.mkdir(parents=True, exist_ok=True)
        with self.spill_file.open("a", encoding="utf-8") as f:
            for kind, rows in (("event", self._events), ("cdr", self._cdrs), ("state", self._states)):
                for r in rows:
                    f.write(json.dumps({"kind": kind, "row": {k: v for k, v in r.items()
                                                              if v is not repo.UNSET}}) + "\n")
        log.error("%d event/CDR rows could not be written; saved to %s (re-imported on next start)",
                  self.pending, self.spill_file)
        self._events.clear(), self._cdrs.clear(), self._states.clear()

    async def _reload_spill(self) -> None:
        if self.spill_file is None or not self.spill_file.exists():
            return
        n = 0
        for line in self.spill_file.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            target = {"event": self._events, "cdr": self._cdrs, "state": self._states}.get(item.get("kind"))
            if target is not None:
                target.append(item["row"])
                n += 1
        self.spill_file.unlink()             # the rows are in memory now (spilled again if still unwritable)
        try:
            await self.flush()
        except Exception as exc:  # noqa: BLE001
            log.error("%d saved event/CDR rows from %s not written yet (%s); retrying", n, self.spill_file, exc)
            return
        log.info("re-imported %d saved event/CDR rows from %s", n, self.spill_file)


def _jsonable(value: Any) -> Any:
    """Make event data JSON-safe (sets, tuples, objects -> lists / strings)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return str(value)
