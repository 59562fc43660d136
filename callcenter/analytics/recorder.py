"""The live side of call recording: MixMonitor from the agent's answer, pause / resume, the end.

The engine calls :meth:`Recorder.call_answered` when an agent answers (the call's queue, the flow
node's ``record`` key and the policy decide, :mod:`.policy`), :meth:`Recorder.call_ended` when the
conversation is over, and the pause / resume / start-on-request operations for the agent's and the
supervisor's controls (API, CLI, the engine's call controls).

MixMonitor runs on the **caller's** channel (a callback's: the customer leg) with ``Options: D`` into
``<asterisk_calls_dir>/<YYYY>/<MM>/<DD>/<call>-<time>.raw`` (as Asterisk sees it; the engine reads the
same file under ``calls_dir``): left = the caller, right = the agent (captured:
``asterisk-wire/bridge-mixmonitor-D-stop.txt``). A pause is ``MixMonitorMute`` (both directions): the
file goes on with silence, so it keeps the call's timing, and the gap is recorded on the recording
(``pauses``: when, how long, by whom). At the end the engine sends ``StopMixMonitor`` (a call that ends
does not stop MixMonitor by itself when the caller's leg lives on) and queues the ``recording.finalize``
job (:mod:`.finalize`).

It is also the ``recorder`` component: at start, recordings left in ``recording`` by a previous run are
closed and finalized when their call is over; a call that goes on across the restart (its record still
open: e.g. on hold, recovered by the engine) keeps its MixMonitor running in Asterisk, and the recording is
either taken over by the engine (:meth:`Recorder.adopt`: stopped and finalized when the call ends) or
finalized when the call's record is closed (``CallEnded``: the call ended while the engine was away). Every
``retention_interval`` seconds the retention sweep runs (:mod:`.retention`).
"""
from __future__ import annotations

import asyncio
import logging
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..clock import Clock
from ..events import DomainEvent, EventBus
from ..store.history import get_call
from ..store.recordings import (add_pause, end_pause, find_recordings, get_call_recording, log_recording,
                                recording_to_dict, require_recording, start_call_recording, update_recording)
from .finalize import KIND as FINALIZE
from .jobs import JobQueue
from .policy import RecordingPolicies
from .retention import Retention

log = logging.getLogger("callcenter.analytics.recorder")

#: seconds between the end of a call and its finalize job (MixMonitor closes the file); also for a recording
#: left open by a previous run, once its call is over
FINALIZE_DELAY = 1.0


class RecordingRefused(Exception):
    """A recording operation cannot be done (not recording, already paused, no call control ...);
    ``status`` is the HTTP status the API answers with."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Active:
    recording_id: int
    call_id: str
    channel: str
    path: str
    paused: bool = False


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)[:80] or "call"


class Recorder:
    name = "recorder"

    def __init__(self, config: Any, db: Any, bus: EventBus, *, control: Any = None, jobs: JobQueue | None = None,
                 clock: Clock | None = None, free_bytes: Callable[[Path], int] | None = None) -> None:
        sect = config.recordings
        self.calls_dir = Path(config.call_recordings_dir)
        self.asterisk_dir = sect.asterisk_calls_dir or str(self.calls_dir.resolve())
        self.policies = RecordingPolicies.from_config(sect)
        self.min_free = int(sect.min_free_mb) * 1024 * 1024
        self.retention_interval = float(sect.retention_interval)
        self.db = db
        self.bus = bus
        self.control = control
        self.jobs = jobs
        self.clock = clock or Clock()
        self.free_bytes = free_bytes or (lambda p: shutil.disk_usage(p).free)
        self.retention = Retention(db)
        self.active: dict[str, Active] = {}
        # recordings a previous run left running whose call is not over (call id -> recording id)
        self.left_open: dict[str, int] = {}
        self._closing: set[asyncio.Task] = set()
        self._unsub: Callable[[], None] | None = None
        self._sweeper: asyncio.Task | None = None
        self.counters = {"started": 0, "not_recorded": 0, "failed": 0, "paused": 0, "finalize_queued": 0}

    # ------------------------------------------------------------------------------ component
    async def start(self) -> None:
        """Recovery and the retention sweep run in the background: the server's start does not wait."""
        self._unsub = self.bus.subscribe(self._on_call_ended, kinds=("CallEnded",))
        self._sweeper = asyncio.create_task(self._background(), name="recordings-background")

    async def stop(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        for t in [self._sweeper, *self._closing]:
            if t is not None:
                t.cancel()
        await asyncio.gather(*(t for t in [self._sweeper, *self._closing] if t is not None), return_exceptions=True)
        self._sweeper = None
        self._closing.clear()

    def status(self) -> dict[str, Any]:
        return {"state": "ok", "recording": len(self.active), "calls_dir": str(self.calls_dir), **self.counters}

    async def _background(self) -> None:
        try:
            n = await self.recover()
            if n:
                log.warning("%d recording(s) left open by the previous run closed and queued for finalizing", n)
        except Exception as exc:  # noqa: BLE001 - the database may be away for a moment
            log.warning("could not recover recordings left open: %s", exc)
        while self.retention_interval > 0:
            try:
                out = await self.retention.sweep(self.clock.now())
                if out["deleted"] or out["failed"]:
                    log.info("retention sweep: %d deleted, %d failed", len(out["deleted"]), len(out["failed"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - try again next time
                log.warning("retention sweep failed: %s", exc)
            await asyncio.sleep(self.retention_interval)

    async def recover(self) -> int:
        """Recordings a previous run left in ``recording``: those whose call is over (its record closed, or
        none) are closed and finalized now; those whose call's record is still open wait for the call
        (:meth:`adopt`, or its ``CallEnded``): MixMonitor is still writing. Returns how many were closed."""
        closed = 0
        async with self.db.session() as s:
            rows = await find_recordings(s, status="recording", limit=None)
            now = self.clock.now()
            for rec in rows:
                if rec.call_id in self.active:
                    continue
                call = await get_call(s, rec.call_id) if rec.call_id else None
                if call is not None and call.ended_at is None:
                    self.left_open.setdefault(rec.call_id, rec.id)
                    continue
                await self._close(s, rec, (call.ended_at if call is not None else None) or now)
                closed += 1
        if closed and self.jobs is not None:
            self.jobs.wake()
        if self.left_open:
            log.info("%d recording(s) of calls still going on after the restart: finalized when they end",
                     len(self.left_open))
        return closed

    async def _close(self, s: Any, rec: Any, ended_at: float) -> None:
        """Close a recording a previous run left running (its call is over) and queue its finalize job."""
        pauses = [dict(p) for p in rec.pauses or []]
        if pauses and pauses[-1].get("resumed_at") is None:
            pauses[-1].update(resumed_at=ended_at, duration=round(max(0.0, ended_at - pauses[-1]["at"]), 3))
        await update_recording(s, rec.id, status="pending", ended_at=rec.ended_at or ended_at, pauses=pauses)
        if self.jobs is not None:
            await self.jobs.enqueue(FINALIZE, call_id=rec.call_id, recording_id=rec.id,
                                    key=f"{FINALIZE}:{rec.id}", delay=FINALIZE_DELAY, session=s)
            self.counters["finalize_queued"] += 1

    async def adopt(self, call: Any) -> dict | None:
        """A call that went on across an engine restart (recovered on hold): its MixMonitor, started by the
        previous run, is this run's to stop and finalize when the call ends (:meth:`call_ended`)."""
        if call.call_id in self.active:
            return None
        async with self.db.session() as s:
            rec = await get_call_recording(s, call.call_id)
            if rec is None or rec.status != "recording":
                return None
            channel = getattr(call, "customer_channel", None) or call.channel
            self.active[call.call_id] = Active(rec.id, call.call_id, channel, rec.path,
                                               paused=bool(rec.pauses and rec.pauses[-1].get("resumed_at") is None))
            self.left_open.pop(call.call_id, None)
            await log_recording(s, "adopt", recording_id=rec.id, call_id=call.call_id, actor="engine",
                                detail={"channel": channel}, now=self.clock.now())
            return recording_to_dict(rec)

    def _on_call_ended(self, ev: DomainEvent) -> None:
        """A call whose recording a previous run left running ended without this run's engine taking it
        over (closed by the engine's sweep of records left open): MixMonitor has closed the file."""
        rec_id = self.left_open.pop(ev.call_id or "", None)
        if rec_id is None or ev.call_id in self.active:
            return
        task = asyncio.ensure_future(self._close_left_open(rec_id, ev.ts))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _close_left_open(self, rec_id: int, ended_at: float) -> None:
        try:
            async with self.db.session() as s:
                rec = await require_recording(s, rec_id)
                if rec.status == "recording":
                    await self._close(s, rec, ended_at)
            if self.jobs is not None:
                self.jobs.wake()
        except Exception as exc:  # noqa: BLE001 - the next start closes it
            log.warning("could not close recording %s left open by the previous run: %s", rec_id, exc)

    # ------------------------------------------------------------------------------ the call
    async def call_answered(self, call: Any) -> dict | None:
        """The agent answered ``call`` (a LiveCall): start MixMonitor when the policy says so."""
        now = self.clock.now()
        decision = self.policies.decide(call.call_id, call.queue, now, node_policy=getattr(call, "record", None))
        if not decision.record:
            self.counters["not_recorded"] += 1
            log.debug("call not recorded: %s", decision.reason, extra={"call_id": call.call_id})
            return None
        return await self._start(call, decision.policy, decision.retain_until, by=None, reason=decision.reason)

    async def start_on_request(self, call: Any, by: str | None) -> dict:
        """The agent or a supervisor asks to record a call in conversation."""
        if call.call_id in self.active:
            raise RecordingRefused(f"call {call.call_id} is already being recorded")
        now = self.clock.now()
        out = await self._start(call, "request", self.policies.retain_until(call.queue, now), by=by,
                                reason=f"asked for by {by or 'agent'}")
        if out is None:
            raise RecordingRefused(f"call {call.call_id}: recording could not start (see the call's errors)", 503)
        return out

    async def _start(self, call: Any, policy: str, retain_until: float | None, *, by: str | None,
                     reason: str) -> dict | None:
        now = self.clock.now()
        # a callback's conversation is on the customer's leg (``Local/<number>@cc-outbound-…;1`` in
        # cc-callback-connect, bridged to the agent): read = the customer, write = the agent, the same
        # sides as a caller's own channel; the caller's first channel is gone by then
        channel = getattr(call, "customer_channel", None) or call.channel
        if not channel:
            return self._failed(call, "the caller's channel is not known")
        if self.control is None or not hasattr(self.control, "start_recording"):
            return self._failed(call, "no Asterisk call control to start MixMonitor")
        stamp = time.strftime("%Y/%m/%d", time.gmtime(now))
        stem = f"{stamp}/{safe_name(call.call_id)}-{int(now)}"
        day_dir = self.calls_dir / stamp
        try:
            day_dir.mkdir(parents=True, exist_ok=True)
            free = self.free_bytes(day_dir)
        except OSError as exc:
            return self._failed(call, f"recordings directory {day_dir} is not usable: {exc.strerror or exc}")
        if free < self.min_free:
            return self._failed(call, f"disk almost full: {free // (1024 * 1024)} MB free in {self.calls_dir} "
                                      f"(recordings.min_free_mb = {self.min_free // (1024 * 1024)}); not recorded")
        wav, raw = self.calls_dir / f"{stem}.wav", self.calls_dir / f"{stem}.raw"
        ast_raw = f"{self.asterisk_dir.rstrip('/')}/{stem}.raw"
        try:
            await self.control.start_recording(channel, ast_raw, options="D")
        except Exception as exc:  # noqa: BLE001 - ControlError or a lost AMI connection
            return self._failed(call, f"MixMonitor refused: {exc}")
        async with self.db.session() as s:
            rec = await start_call_recording(s, call.call_id, str(wav), source_path=str(raw), asterisk_path=ast_raw,
                                             policy=policy, started_at=now, queue=call.queue, agent=call.agent_id,
                                             caller=call.caller, retain_until=retain_until)
            await log_recording(s, "start", recording_id=rec.id, call_id=call.call_id, actor=by or "engine",
                                detail={"policy": policy, "reason": reason, "asterisk_path": ast_raw}, now=now)
            out = recording_to_dict(rec)
        self.active[call.call_id] = Active(rec.id, call.call_id, channel, str(wav))
        self.counters["started"] += 1
        self._publish("RecordingStarted", call, recording_id=rec.id, policy=policy, reason=reason, by=by,
                      cdr={"recording": str(wav)})
        return out

    def _failed(self, call: Any, error: str) -> None:
        self.counters["failed"] += 1
        log.error("call not recorded: %s", error, extra={"call_id": call.call_id})
        self._publish("RecordingFailed", call, error=error, cdr={"data": {"errors": {"recording": error}}})
        return None

    def _publish(self, kind: str, call: Any, **data: Any) -> None:
        self.bus.publish(DomainEvent(kind, self.clock.now(), call_id=call.call_id,
                                     agent_id=getattr(call, "agent_id", None), queue=getattr(call, "queue", None),
                                     data=data))

    def _active(self, call_id: str) -> Active:
        act = self.active.get(call_id)
        if act is None:
            raise RecordingRefused(f"call {call_id} is not being recorded")
        return act

    async def pause(self, call: Any, by: str | None) -> dict:
        """Stop capturing audio (card numbers ...): MixMonitorMute both directions; a gap opens."""
        act = self._active(call.call_id)
        if act.paused:
            raise RecordingRefused(f"the recording of call {call.call_id} is already paused")
        try:
            await self.control.mute_recording(act.channel, True)
        except Exception as exc:  # noqa: BLE001
            raise RecordingRefused(f"pause failed: {exc}", 502) from None
        now = self.clock.now()
        act.paused = True
        self.counters["paused"] += 1
        async with self.db.session() as s:
            rec = await add_pause(s, act.recording_id, now, by)
            await log_recording(s, "pause", recording_id=act.recording_id, call_id=call.call_id, actor=by, now=now,
                                detail={"offset": rec.pauses[-1]["offset"]})
            out = recording_to_dict(rec)
        self._publish("RecordingPaused", call, recording_id=act.recording_id, by=by, offset=out["pauses"][-1]["offset"])
        return out

    async def resume(self, call: Any, by: str | None) -> dict:
        act = self._active(call.call_id)
        if not act.paused:
            raise RecordingRefused(f"the recording of call {call.call_id} is not paused")
        try:
            await self.control.mute_recording(act.channel, False)
        except Exception as exc:  # noqa: BLE001
            raise RecordingRefused(f"resume failed: {exc}", 502) from None
        now = self.clock.now()
        act.paused = False
        async with self.db.session() as s:
            rec = await end_pause(s, act.recording_id, now, by)
            gap = rec.pauses[-1]
            await log_recording(s, "resume", recording_id=act.recording_id, call_id=call.call_id, actor=by, now=now,
                                detail={"offset": gap["offset"], "duration": gap["duration"]})
            out = recording_to_dict(rec)
        self._publish("RecordingResumed", call, recording_id=act.recording_id, by=by, gap_s=gap["duration"])
        return out

    async def call_ended(self, call: Any) -> None:
        """The conversation is over: close the gap if paused, StopMixMonitor, queue the finalize job."""
        act = self.active.pop(call.call_id, None)
        if act is None:
            return
        now = self.clock.now()
        if self.control is not None:
            try:
                await self.control.stop_recording(act.channel)
            except Exception as exc:  # noqa: BLE001 - the channel is often gone already: MixMonitor closed
                log.debug("StopMixMonitor on %s: %s", act.channel, exc, extra={"call_id": call.call_id})
        async with self.db.session() as s:
            if act.paused:
                await end_pause(s, act.recording_id, now, "call ended")
            await update_recording(s, act.recording_id, status="pending", ended_at=now)
            if self.jobs is not None:
                await self.jobs.enqueue(FINALIZE, call_id=call.call_id, recording_id=act.recording_id,
                                        key=f"{FINALIZE}:{act.recording_id}", delay=FINALIZE_DELAY, session=s)
                self.counters["finalize_queued"] += 1
        if self.jobs is not None:
            self.jobs.wake()
        self._publish("RecordingStopped", call, recording_id=act.recording_id)

    def state_of(self, call_id: str) -> dict | None:
        act = self.active.get(call_id)
        return None if act is None else {"recording_id": act.recording_id, "paused": act.paused, "path": act.path}
