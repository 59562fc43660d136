"""Repository functions for call recordings (issue 14): the recording record linked to the call detail
record (``recordings.call_id`` = ``calls.call_id``, and the CDR's ``recording`` column holds the
recording's file path), its pauses (the marked gaps), the audit log (``recording_log``: every audio
download, export, deletion, failure) and the errors reported on the call's record.
Time is passed in (``now``)."""
from __future__ import annotations

from operator import eq, ge, lt
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .common import RepoError, _given, _now, _rows
from .history import save_call
from .models import RECORDING_STATUSES, CallRecord, Recording, RecordingLog

#: What the two channels of a finished call recording hold.
STEREO_LAYOUT = {"left": "caller", "right": "agent"}


async def start_call_recording(s: AsyncSession, call_id: str, path: str, *, source_path: str,
                               asterisk_path: str, policy: str, started_at: float, queue: str | None = None,
                               agent: str | None = None, caller: str | None = None,
                               retain_until: float | None = None) -> Recording:
    """The record of a call recording that MixMonitor has just started (status ``recording``);
    ``path`` is where the finished stereo WAV will be (the engine puts it on the call's CDR through
    its ``RecordingStarted`` event, as every CDR change goes through the store writer)."""
    if not call_id:
        raise RepoError("a call recording needs the call's id")
    rec = (await s.execute(select(Recording).where(Recording.path == str(path)))).scalar_one_or_none()
    if rec is None:
        rec = Recording(path=str(path), kind="call", created_at=started_at, heard=False, transcripts=[])
        s.add(rec)
    for k, v in (("call_id", call_id), ("source_path", source_path), ("asterisk_path", asterisk_path),
                 ("policy", policy), ("started_at", started_at), ("queue", queue), ("agent", agent),
                 ("caller", caller), ("retain_until", retain_until), ("status", "recording"), ("pauses", [])):
        setattr(rec, k, v)
    await s.flush()
    return rec


async def get_call_recording(s: AsyncSession, call_id: str) -> Recording | None:
    """The (newest) call recording of a call."""
    q = select(Recording).where(Recording.call_id == call_id, Recording.kind == "call")
    return (await s.execute(q.order_by(Recording.id.desc()).limit(1))).scalar_one_or_none()


async def require_recording(s: AsyncSession, recording_id: int) -> Recording:
    rec = await s.get(Recording, recording_id)
    if rec is None:
        raise RepoError(f"no recording with id {recording_id}", "recording_id")
    return rec


async def update_recording(s: AsyncSession, recording_id: int, **fields: Any) -> Recording:
    rec = await require_recording(s, recording_id)
    for k, v in fields.items():
        if not hasattr(Recording, k) or k in ("id", "transcripts"):
            raise RepoError(f"recording {recording_id}: unknown field {k!r}")
        if k == "status" and v not in RECORDING_STATUSES:
            raise RepoError(f"recording status must be one of {', '.join(RECORDING_STATUSES)}, got {v!r}")
        setattr(rec, k, v)
    await s.flush()
    return rec


async def add_pause(s: AsyncSession, recording_id: int, at: float, by: str | None) -> Recording:
    """A pause starts now: a gap opens at ``offset`` seconds into the recording."""
    rec = await require_recording(s, recording_id)
    pauses = list(rec.pauses or [])
    if pauses and pauses[-1].get("resumed_at") is None:
        raise RepoError(f"recording {recording_id} is already paused", "recording_id")
    offset = round(at - (rec.started_at or at), 3)
    pauses.append({"at": at, "offset": offset, "resumed_at": None, "duration": None, "by": by})
    rec.pauses = pauses
    await s.flush()
    return rec


async def end_pause(s: AsyncSession, recording_id: int, at: float, by: str | None = None) -> Recording:
    """The open pause ends (on resume, or when the call ends while paused)."""
    rec = await require_recording(s, recording_id)
    pauses = [dict(p) for p in (rec.pauses or [])]
    if not pauses or pauses[-1].get("resumed_at") is not None:
        raise RepoError(f"recording {recording_id} is not paused", "recording_id")
    last = pauses[-1]
    last["resumed_at"] = at
    last["duration"] = round(max(0.0, at - last["at"]), 3)
    if by:
        last["resumed_by"] = by
    rec.pauses = pauses
    await s.flush()
    return rec


def is_paused(rec: Recording) -> bool:
    return bool(rec.pauses) and rec.pauses[-1].get("resumed_at") is None


async def find_recordings(s: AsyncSession, *, queue: str | None = None, agent: str | None = None,
                          since: float | None = None, until: float | None = None, status: str | None = None,
                          call_id: str | None = None, kind: str | None = "call",
                          limit: int | None = 100) -> list[Recording]:
    """Recordings newest first; ``since`` / ``until`` bound the start of the recording."""
    q = select(Recording).where(*_given(
        (Recording.queue, eq, queue), (Recording.agent, eq, agent), (Recording.created_at, ge, since),
        (Recording.created_at, lt, until), (Recording.status, eq, status), (Recording.call_id, eq, call_id),
        (Recording.kind, eq, kind)))
    return await _rows(s, q.order_by(Recording.created_at.desc(), Recording.id.desc()), limit)


async def expired_recordings(s: AsyncSession, now: float, limit: int = 500) -> list[Recording]:
    """Call recordings whose retention ended before ``now`` and that are not deleted yet (nor still
    being recorded: a call in progress keeps its recording until it has ended)."""
    q = select(Recording).where(Recording.retain_until.is_not(None), Recording.retain_until <= now,
                                (Recording.status.is_(None)) | Recording.status.not_in(("deleted", "recording")))
    return await _rows(s, q.order_by(Recording.retain_until, Recording.id), limit)


async def log_recording(s: AsyncSession, action: str, *, recording_id: int | None = None,
                        call_id: str | None = None, actor: str | None = None,
                        detail: Mapping[str, Any] | None = None, now: float | None = None) -> RecordingLog:
    if not action:
        raise RepoError("a recording log row needs an action")
    row = RecordingLog(ts=_now(now), recording_id=recording_id, call_id=call_id, action=action[:32],
                       actor=(actor or None) and str(actor)[:64], detail=dict(detail) if detail else None)
    s.add(row)
    await s.flush()
    return row


async def list_recording_log(s: AsyncSession, *, recording_id: int | None = None, call_id: str | None = None,
                             action: str | None = None, limit: int | None = 1000) -> list[RecordingLog]:
    q = select(RecordingLog).where(*_given((RecordingLog.recording_id, eq, recording_id),
                                           (RecordingLog.call_id, eq, call_id), (RecordingLog.action, eq, action)))
    return await _rows(s, q.order_by(RecordingLog.ts, RecordingLog.id), limit)


async def note_call_error(s: AsyncSession, call_id: str, where: str, error: str) -> None:
    """Report an error on the call's record: ``data.errors[where] = error`` on its CDR (created when
    missing), so the call's page says what went wrong after the call (recording, transcription ...)."""
    rec = (await s.execute(select(CallRecord).where(CallRecord.call_id == call_id))).scalar_one_or_none()
    errors = dict(((rec.data or {}).get("errors") or {}) if rec is not None else {})
    errors[where] = error[:1000]
    await save_call(s, call_id, data={"errors": errors})


async def clear_call_error(s: AsyncSession, call_id: str, where: str) -> None:
    rec = (await s.execute(select(CallRecord).where(CallRecord.call_id == call_id))).scalar_one_or_none()
    errors = dict(((rec.data or {}).get("errors") or {}) if rec is not None else {})
    if errors.pop(where, None) is not None:
        await save_call(s, call_id, data={"errors": errors})


def recording_to_dict(r: Recording) -> dict[str, Any]:
    return {"id": r.id, "call_id": r.call_id, "kind": r.kind, "status": r.status, "path": r.path,
            "source_path": r.source_path, "asterisk_path": r.asterisk_path, "policy": r.policy,
            "queue": r.queue, "agent": r.agent, "caller": r.caller, "created_at": r.created_at,
            "started_at": r.started_at, "ended_at": r.ended_at, "duration": r.duration,
            "channels": r.channels, "sample_rate": r.sample_rate, "size_bytes": r.size_bytes,
            "layout": STEREO_LAYOUT if r.kind == "call" and r.channels == 2 else None,
            "pauses": list(r.pauses or []), "paused_s": round(sum(p.get("duration") or 0 for p in r.pauses or []), 3),
            "retain_until": r.retain_until, "deleted_at": r.deleted_at, "error": r.error}


def log_to_dict(row: RecordingLog) -> dict[str, Any]:
    return {"ts": row.ts, "recording_id": row.recording_id, "call_id": row.call_id, "action": row.action,
            "actor": row.actor, "detail": row.detail}
