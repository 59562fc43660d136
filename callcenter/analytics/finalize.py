"""The post-call job ``recording.finalize``: Asterisk's MixMonitor file -> a checked stereo WAV.

MixMonitor runs with ``Options: D`` (``asterisk-wire/bridge-mixmonitor-D-stop.txt``): a header-less
``.raw`` of interleaved 2-channel s16le at 8 kHz, left = audio read from the caller's channel (the
caller's voice), right = audio written to it (the agent as the caller hears them). That is already
the sample layout of a stereo WAV, so the job writes a WAV header and copies the samples (no
resampling, no mixing), checks the result by reading it back, measures each side's level, and deletes
the ``.raw``. The WAV is written next to a temporary name and renamed, so a crash or a full disk never
leaves a half file under the recording's name.

Faults, each a clear error on the recording and the call's record (the rest of the pipeline goes on):
missing or unreadable file (retried: MixMonitor may still be closing it; failed after the last
attempt), empty file (permanent), a last frame cut short or far less audio than the call lasted
(``truncated``: the WAV keeps what is there, the warning stays on the recording), disk full while
writing (retried; the ``.raw`` is kept).
"""
from __future__ import annotations

import errno
import logging
import os
import wave
from pathlib import Path
from typing import Any

import numpy as np

from ..store.models import Job
from ..store.recordings import log_recording, note_call_error, require_recording, update_recording
from .jobs import JobContext, JobError, JobQueue

log = logging.getLogger("callcenter.analytics.finalize")

KIND = "recording.finalize"
RATE = 8000
FRAME = 4                      # bytes per stereo frame (2 x s16le)
CHUNK = RATE * FRAME * 10      # copy 10 s at a time
#: a recording shorter than the call by more than this share (and 5 s) is reported as truncated
TRUNCATED_SHARE = 0.5


class FinalizeError(JobError):
    pass


def convert(source: Path, target: Path, expected_s: float | None = None) -> dict[str, Any]:
    """Blocking: interleaved 2-channel s16le ``source`` -> stereo WAV ``target`` (left = caller, right =
    agent). Returns duration, size, levels and a warning (or None); raises FinalizeError."""
    try:
        size = source.stat().st_size
    except FileNotFoundError:
        raise FinalizeError(f"recording file {source} is missing") from None
    except OSError as exc:
        raise FinalizeError(f"recording file {source} cannot be read: {exc.strerror or exc}") from None
    if size == 0:
        raise FinalizeError(f"recording file {source} is empty (0 bytes): MixMonitor recorded nothing",
                            permanent=True)
    frames, extra = divmod(size, FRAME)
    warnings = []
    if extra:
        warnings.append(f"truncated: the last frame is incomplete ({extra} bytes dropped)")
    tmp = target.with_name(target.name + ".part")
    sums = np.zeros(2)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(source, "rb") as src, wave.open(str(tmp), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(RATE)
            left = frames * FRAME
            while left > 0:
                data = src.read(min(CHUNK, left))
                if not data:
                    break
                left -= len(data)
                block = np.frombuffer(data[: len(data) - len(data) % FRAME], dtype="<i2").reshape(-1, 2)
                sums += np.square(block.astype(np.float64)).sum(axis=0)
                w.writeframes(data)
        os.replace(tmp, target)
    except PermissionError as exc:
        _remove(tmp)
        raise FinalizeError(f"recording file {source} cannot be read: {exc.strerror}") from None
    except OSError as exc:
        _remove(tmp)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise FinalizeError(f"disk full writing {target}: {exc.strerror} (the MixMonitor file is kept; "
                                "retried later)") from None
        raise FinalizeError(f"cannot write {target}: {exc.strerror or exc}") from None
    duration = frames / RATE
    _check_wav(target, frames)
    if expected_s and expected_s - duration > max(5.0, TRUNCATED_SHARE * expected_s):
        warnings.append(f"truncated: {duration:.1f} s of audio for a call recorded {expected_s:.1f} s")
    rms = np.sqrt(sums / max(1, frames))
    return {"duration": round(duration, 3), "size_bytes": target.stat().st_size, "frames": frames,
            "caller_rms": round(float(rms[0]), 1), "agent_rms": round(float(rms[1]), 1),
            "warning": "; ".join(warnings) or None}


def _check_wav(path: Path, frames: int) -> None:
    try:
        with wave.open(str(path), "rb") as r:
            ok = (r.getnchannels(), r.getsampwidth(), r.getframerate(), r.getnframes()) == (2, 2, RATE, frames)
    except (wave.Error, EOFError, OSError) as exc:
        raise FinalizeError(f"the stereo WAV {path} does not read back: {exc}") from None
    if not ok:
        raise FinalizeError(f"the stereo WAV {path} does not read back as {frames} frames of 8 kHz stereo")


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


async def finalize(job: Job, ctx: JobContext) -> dict[str, Any]:
    async with ctx.db.session() as s:
        rec = await require_recording(s, int(job.recording_id or 0))
        if rec.status in ("deleted", "ready"):
            return {"skipped": rec.status}
        source, target = Path(rec.source_path or ""), Path(rec.path)
        expected = None
        if rec.started_at and rec.ended_at:
            expected = max(0.0, rec.ended_at - rec.started_at)
    try:
        out = await ctx.run_cpu(convert, source, target, expected)
    except FinalizeError as exc:
        last = exc.permanent or job.attempts >= job.max_attempts
        if "missing" in str(exc) and last:
            raise FinalizeError(f"{exc} (Asterisk was asked to write {rec.asterisk_path}; check "
                                "recordings.calls_dir / recordings.asterisk_calls_dir, and Asterisk's disk)",
                                permanent=True) from None
        raise
    if source != target:
        try:
            source.unlink()
        except OSError as exc:
            log.warning("could not remove %s after conversion: %s", source, exc, extra={"call_id": job.call_id})
    async with ctx.db.session() as s:
        await update_recording(s, rec.id, status="ready", duration=out["duration"], channels=2, sample_rate=RATE,
                               size_bytes=out["size_bytes"], error=out["warning"])
        await log_recording(s, "finalized", recording_id=rec.id, call_id=rec.call_id, actor="jobs",
                            detail={k: out[k] for k in ("duration", "size_bytes", "caller_rms", "agent_rms", "warning")},
                            now=ctx.now())
        if out["warning"] and rec.call_id:
            await note_call_error(s, rec.call_id, "recording", out["warning"])
    return out


def register(queue: JobQueue) -> None:
    """Register ``recording.finalize`` on ``queue`` (priority 10: before analysis jobs)."""

    async def failed(job: Job, error: str) -> None:
        async with queue.db.session() as s:
            rec = await require_recording(s, int(job.recording_id or 0))
            if rec.status != "deleted":
                await update_recording(s, rec.id, status="failed", error=error)
            await log_recording(s, "failed", recording_id=rec.id, call_id=rec.call_id, actor="jobs",
                                detail={"error": error, "attempts": job.attempts}, now=queue.clock.now())
            if rec.call_id:
                await note_call_error(s, rec.call_id, "recording", error)

    queue.register(KIND, finalize, priority=10, max_attempts=4)
    queue.on_failed(failed, kind=KIND)
