"""Repository functions for the history: call detail records, the event log, recordings and their
transcripts, IVR flow versions. Same conventions as :mod:`callcenter.store.repo`, which re-exports
them (callers use ``repo.<name>``)."""
from __future__ import annotations

import hashlib
from operator import eq, ge, lt
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .common import UNSET, RepoError, _given, _now, _one, _rows, _set
from .models import DISPOSITIONS, RECORDING_KINDS, CallEvent, CallRecord, FlowVersion, Recording, Transcript


# ==================================================================================================
# Call detail records

CDR_FIELDS = ("caller", "caller_name", "did", "language", "arrived_at", "queued_at", "answered_at", "ended_at",
              "queue", "agent", "disposition", "hold_s", "talk_s", "wrapup_s", "intent", "ivr_trace",
              "recording", "data")


def _check_cdr(call_id: Any, fields: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(call_id, str) or not call_id:
        raise RepoError(f"call detail record needs a call_id string, got {call_id!r}")
    out = {}
    for k, v in fields.items():
        if k == "call_id" or v is UNSET:
            continue
        if k not in CDR_FIELDS:
            raise RepoError(f"call {call_id}: unknown CDR field {k!r} (known: {', '.join(CDR_FIELDS)})")
        if k == "disposition" and v is not None and v not in DISPOSITIONS:
            raise RepoError(f"call {call_id}: disposition must be one of {', '.join(DISPOSITIONS)}, got {v!r}")
        out[k] = v
    return out


async def save_call(s: AsyncSession, call_id: str, **fields: Any) -> CallRecord:
    """Create or update (merge) the CDR of ``call_id``; ``data`` dicts are merged key by key."""
    clean = _check_cdr(call_id, fields)
    rec = (await s.execute(select(CallRecord).where(CallRecord.call_id == call_id))).scalar_one_or_none()
    if rec is None:
        rec = CallRecord(call_id=call_id)
        s.add(rec)
    _merge_cdr(rec, clean)
    await s.flush()
    return rec


def _merge_cdr(rec: CallRecord, clean: Mapping[str, Any]) -> None:
    for k, v in clean.items():
        if k == "data" and isinstance(v, Mapping) and isinstance(rec.data, Mapping):
            v = {**rec.data, **v}
        setattr(rec, k, v)


async def save_calls(s: AsyncSession, records: Sequence[Mapping[str, Any]]) -> int:
    """Bulk create/merge CDRs (each mapping has ``call_id`` + CDR fields). Returns the count."""
    merged: dict[str, dict[str, Any]] = {}
    for r in records:
        cid = r.get("call_id")
        clean = _check_cdr(cid, r)
        cur = merged.setdefault(cid, {})
        if isinstance(clean.get("data"), Mapping) and isinstance(cur.get("data"), Mapping):
            clean["data"] = {**cur["data"], **clean["data"]}
        cur.update(clean)
    if not merged:
        return 0
    ids = list(merged)
    existing: dict[str, CallRecord] = {}
    for i in range(0, len(ids), 500):
        rows = await s.execute(select(CallRecord).where(CallRecord.call_id.in_(ids[i:i + 500])))
        existing.update({r.call_id: r for r in rows.scalars()})
    new_rows = []
    for cid, clean in merged.items():
        if cid in existing:
            _merge_cdr(existing[cid], clean)
        else:
            new_rows.append({"call_id": cid, **{k: None for k in CDR_FIELDS}, **clean})
    if new_rows:
        await s.execute(insert(CallRecord), new_rows)
    await s.flush()
    return len(merged)


async def agent_answered_since(s: AsyncSession, since: float) -> dict[str, tuple[int, float]]:
    """agent name -> (calls answered since ``since``, when the last one was answered)."""
    rows = await s.execute(select(CallRecord.agent, func.count(), func.max(CallRecord.answered_at))
                           .where(CallRecord.agent.is_not(None), CallRecord.answered_at >= since)
                           .group_by(CallRecord.agent))
    return {name: (int(n), float(last)) for name, n, last in rows.all()}


async def get_call(s: AsyncSession, call_id: str) -> CallRecord | None:
    return await _one(s, CallRecord.call_id, call_id)


async def list_calls(s: AsyncSession, *, since: float | None = None, until: float | None = None,
                     queue: str | None = None, agent: str | None = None, disposition: str | None = None,
                     limit: int | None = 100, newest_first: bool = True, caller: str | None = None) -> list[CallRecord]:
    q = select(CallRecord).where(*_given(
        (CallRecord.arrived_at, ge, since), (CallRecord.arrived_at, lt, until),
        (CallRecord.queue, eq, queue), (CallRecord.agent, eq, agent), (CallRecord.caller, eq, caller),
        (CallRecord.disposition, eq, disposition)))
    order = CallRecord.arrived_at.desc() if newest_first else CallRecord.arrived_at.asc()
    q = q.order_by(order, CallRecord.id.desc() if newest_first else CallRecord.id.asc())
    return await _rows(s, q, limit)


async def list_open_calls(s: AsyncSession, arrived_before: float) -> list[CallRecord]:
    """Call records not closed yet (no ``ended_at``) of calls that arrived before ``arrived_before``."""
    q = select(CallRecord).where(CallRecord.ended_at.is_(None), CallRecord.arrived_at < arrived_before)
    return list((await s.execute(q)).scalars())


def call_to_dict(c: CallRecord) -> dict[str, Any]:
    return {"call_id": c.call_id, **{k: getattr(c, k) for k in CDR_FIELDS}}


# ==================================================================================================
# Event log

def event_row(ts: float, event: str, call_id: str | None = None, queue: str | None = None,
              agent: str | None = None, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    if not isinstance(event, str) or not event:
        raise RepoError(f"event log row needs an event name, got {event!r}")
    return {"ts": float(ts), "event": event[:64], "call_id": call_id, "queue": queue, "agent": agent,
            "data": dict(data) if data else None}


async def add_events(s: AsyncSession, rows: Iterable[Mapping[str, Any] | Any]) -> int:
    """Bulk-insert event log rows: mappings with ts/event/call_id/queue/agent/data, or DomainEvents."""
    batch = []
    for r in rows:
        if hasattr(r, "kind") and hasattr(r, "ts"):      # a callcenter.events.DomainEvent
            batch.append(event_row(r.ts, r.kind, r.call_id, r.queue, r.agent_id, r.data))
        else:
            batch.append(event_row(r["ts"], r["event"], r.get("call_id"), r.get("queue"), r.get("agent"),
                                   r.get("data")))
    for i in range(0, len(batch), 1000):
        await s.execute(insert(CallEvent), batch[i:i + 1000])
    return len(batch)


async def list_events(s: AsyncSession, *, call_id: str | None = None, queue: str | None = None,
                      agent: str | None = None, event: str | None = None, since: float | None = None,
                      until: float | None = None, limit: int | None = 1000) -> list[CallEvent]:
    """Events in time order (oldest first)."""
    q = select(CallEvent).where(*_given(
        (CallEvent.call_id, eq, call_id), (CallEvent.queue, eq, queue),
        (CallEvent.agent, eq, agent), (CallEvent.event, eq, event),
        (CallEvent.ts, ge, since), (CallEvent.ts, lt, until)))
    return await _rows(s, q.order_by(CallEvent.ts, CallEvent.id), limit)


async def list_report_events(s: AsyncSession, kinds: Sequence[str], start: float, end: float,
                             state_kind: str = "AgentStateChanged") -> list[CallEvent]:
    """Events of ``kinds`` in [start, end) in time order, plus the ``state_kind`` rows from before
    ``start`` (they say what state each agent was in when the interval began)."""
    q = select(CallEvent).where(CallEvent.event.in_(kinds), CallEvent.ts < end)
    q = q.where((CallEvent.ts >= start) | (CallEvent.event == state_kind))
    return list((await s.execute(q.order_by(CallEvent.ts, CallEvent.id))).scalars())


def event_to_dict(e: CallEvent) -> dict[str, Any]:
    return {"id": e.id, "ts": e.ts, "call_id": e.call_id, "queue": e.queue, "agent": e.agent,
            "event": e.event, "data": e.data}


# ==================================================================================================
# Recordings and transcripts

async def add_recording(s: AsyncSession, path: str, kind: str = "call", *, call_id: str | None = None,
                        duration: float | None = None, queue: str | None = None, agent: str | None = None,
                        caller: str | None = None, now: float | None = None) -> Recording:
    if kind not in RECORDING_KINDS:
        raise RepoError(f"recording kind must be one of {', '.join(RECORDING_KINDS)}, got {kind!r}")
    if not path:
        raise RepoError("recording needs a file path")
    rec = (await s.execute(select(Recording).where(Recording.path == str(path)))).scalar_one_or_none()
    if rec is None:
        rec = Recording(path=str(path), kind=kind, created_at=_now(now), heard=False, transcripts=[])
        s.add(rec)
    _set(rec, kind=kind)
    for k, v in (("call_id", call_id), ("duration", duration), ("queue", queue), ("agent", agent),
                 ("caller", caller)):
        if v is not None:
            setattr(rec, k, v)
    await s.flush()
    return rec


async def get_recording(s: AsyncSession, recording_id: int) -> Recording | None:
    return await s.get(Recording, recording_id)


async def list_recordings(s: AsyncSession, *, kind: str | None = None, call_id: str | None = None,
                          heard: bool | None = None, limit: int | None = 100) -> list[Recording]:
    q = select(Recording).where(*_given(
        (Recording.kind, eq, kind), (Recording.call_id, eq, call_id), (Recording.heard, eq, heard)))
    return await _rows(s, q.order_by(Recording.created_at.desc(), Recording.id.desc()), limit)


async def add_transcript(s: AsyncSession, recording_id: int, text: str, *, language: str | None = None,
                         engine: str | None = None, confidence: float | None = None,
                         segments: list | None = None, analysis: Mapping[str, Any] | None = None,
                         now: float | None = None) -> Transcript:
    rec = await get_recording(s, recording_id)
    if rec is None:
        raise RepoError(f"no recording with id {recording_id}")
    t = Transcript(recording_id=rec.id, text=text or "", language=language, engine=engine,
                   confidence=confidence, segments=segments, analysis=dict(analysis) if analysis else None,
                   created_at=_now(now))
    s.add(t)
    await s.flush()
    return t


async def list_transcripts(s: AsyncSession, recording_id: int) -> list[Transcript]:
    q = select(Transcript).where(Transcript.recording_id == recording_id).order_by(Transcript.id)
    return list((await s.execute(q)).scalars())


# ==================================================================================================
# IVR flow versions

def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def record_flow_version(s: AsyncSession, flow: str, yaml_text: str, path: str | None = None,
                              now: float | None = None) -> FlowVersion:
    """Store a flow's text; identical text returns the existing version, new text gets version+1."""
    h = content_hash(yaml_text)
    row = (await s.execute(select(FlowVersion).where(FlowVersion.flow == flow, FlowVersion.content_hash == h))
           ).scalar_one_or_none()
    if row is not None:
        return row
    top = (await s.execute(select(func.max(FlowVersion.version)).where(FlowVersion.flow == flow))).scalar()
    row = FlowVersion(flow=flow, version=(top or 0) + 1, content_hash=h, path=path, yaml_text=yaml_text,
                      loaded_at=_now(now))
    s.add(row)
    await s.flush()
    return row


async def mark_flow_served(s: AsyncSession, flow: str, version: int, now: float | None = None) -> None:
    row = await get_flow_version(s, flow, version)
    if row is not None and row.first_served_at is None:
        row.first_served_at = _now(now)
        await s.flush()


async def get_flow_version(s: AsyncSession, flow: str, version: int | None = None) -> FlowVersion | None:
    """One version, or the newest when ``version`` is None."""
    q = select(FlowVersion).where(FlowVersion.flow == flow)
    q = q.where(FlowVersion.version == version) if version is not None else q.order_by(FlowVersion.version.desc())
    return (await s.execute(q.limit(1))).scalar_one_or_none()


async def list_flow_versions(s: AsyncSession, flow: str | None = None) -> list[FlowVersion]:
    q = select(FlowVersion)
    if flow is not None:
        q = q.where(FlowVersion.flow == flow)
    return list((await s.execute(q.order_by(FlowVersion.flow, FlowVersion.version))).scalars())
