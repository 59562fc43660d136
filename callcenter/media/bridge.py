"""The engine's own bridge: two :class:`MediaLeg` s joined (the embedded mode, and a web caller or a
browser agent joined to its AudioSocket channel when Asterisk is there).

:func:`bridge` copies every audio frame of each leg to the other (resampled when their rates differ),
passes keys on where the far leg can send them, and when either leg ends, ends the other (``keep_a``:
not ``a`` when ``b`` ends: the caller goes on, e.g. back to a queue): it returns ``"a"`` or ``"b"``, the leg that ended first. Cancelled (the engine
stops), it closes both legs. While ``held()`` is true nothing is passed either way (hold: the legs stay
joined, the caller's side plays its hold music).

A leg's events may already have a reader (the IVR's :class:`~callcenter.media.listen.LegReader`):
give that reader's events as ``events_a`` / ``events_b`` (:func:`reader_events`).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator, Awaitable, Callable

import av

from .leg import AudioFrame, DtmfDigit, MediaError, MediaEvent, MediaLeg

log = logging.getLogger("callcenter.media.bridge")

#: audio waiting to be sent to a leg beyond this (ms) is dropped: a faster far clock must not grow delay
MAX_BACKLOG_MS = 200


class Resampler:
    """16-bit mono PCM from one rate to another, stateful across frames (PyAV / libswresample)."""

    def __init__(self, src: int, dst: int) -> None:
        self.src, self.dst = src, dst
        self._r = av.AudioResampler(format="s16", layout="mono", rate=dst) if src != dst else None
        self._pts = 0

    def __call__(self, pcm: bytes) -> bytes:
        if self._r is None:
            return pcm
        n = len(pcm) // 2
        frame = av.AudioFrame(format="s16", layout="mono", samples=n)
        frame.planes[0].update(pcm[: n * 2])
        frame.sample_rate = self.src
        frame.pts = self._pts
        self._pts += n
        return b"".join(bytes(f.planes[0])[: f.samples * 2] for f in self._r.resample(frame))


async def reader_events(reader: Any) -> AsyncIterator[MediaEvent]:
    """The events of a :class:`~callcenter.media.listen.LegReader` (until its leg ends)."""
    from .listen import LegClosed
    while True:
        try:
            ev = await reader.next(None)
        except LegClosed:
            return
        if ev is not None:
            yield ev


async def _pump(src_events: AsyncIterator[MediaEvent], src: MediaLeg, dst: MediaLeg,
                keys: Callable[[str], Awaitable[None]] | None = None,
                held: Callable[[], bool] | None = None) -> None:
    resample = Resampler(src.sample_rate, dst.sample_rate)
    backlog_bytes = dst.sample_rate * 2 * MAX_BACKLOG_MS // 1000
    queued = getattr(dst, "queued_bytes", None)
    async for ev in src_events:
        if held is not None and held():
            continue
        if isinstance(ev, AudioFrame):
            if queued is not None and queued() > backlog_bytes:
                dst.stop_playback()
            dst.play(resample(ev.pcm))
        elif isinstance(ev, DtmfDigit):
            try:
                await (keys or dst.send_dtmf)(ev.digit)
            except MediaError:
                pass
            except Exception as exc:  # noqa: BLE001
                log.debug("key %s not passed on: %s", ev.digit, exc)


async def bridge(a: MediaLeg, b: MediaLeg, *, events_a: AsyncIterator[MediaEvent] | None = None,
                 events_b: AsyncIterator[MediaEvent] | None = None, reason: str = "bridged party hung up",
                 keys_a: Callable[[str], Awaitable[None]] | None = None, held: Callable[[], bool] | None = None,
                 keep_a: bool = False) -> str:
    """Join ``a`` and ``b`` until either ends; end the other (not ``a`` with ``keep_a``); return which ended first
    (``a`` / ``b``). ``keys_a(digit)`` carries the keys pressed on ``a`` instead of ``b.send_dtmf`` (AMI
    PlayDTMF towards an AudioSocket channel); ``held()``: drop what either side sends meanwhile."""
    pa = asyncio.ensure_future(_pump(events_a if events_a is not None else a.events(), a, b, keys_a, held))
    pb = asyncio.ensure_future(_pump(events_b if events_b is not None else b.events(), b, a, None, held))
    pa.set_name(f"bridge-{a.leg_id}>{b.leg_id}")
    pb.set_name(f"bridge-{b.leg_id}>{a.leg_id}")
    try:
        done, _ = await asyncio.wait({pa, pb}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        for t in (pa, pb):
            t.cancel()
        await asyncio.gather(pa, pb, return_exceptions=True)
        await asyncio.gather(a.close("bridge cancelled"), b.close("bridge cancelled"), return_exceptions=True)
        raise
    first = "a" if pa in done else "b"
    other, other_task = (b, pb) if first == "a" else (a, pa)
    for t in done:
        if not t.cancelled() and t.exception() is not None:
            log.warning("bridge pump failed: %r", t.exception())
    try:
        if not (keep_a and first == "b"):
            await other.close(reason)
    finally:
        other_task.cancel()
        await asyncio.gather(other_task, return_exceptions=True)
    return first
