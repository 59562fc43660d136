"""A scripted :class:`~callcenter.media.leg.MediaLeg` for tests and benchmarks (shared by the media rooms).

``FakeLeg(audio, ...)`` plays the caller's side from PCM (or ``FakeLeg.from_wav(path)``): one
:class:`AudioFrame` per 20 ms, then faint line noise until ``end_after`` seconds (or the leg is closed),
keys at given times (:class:`DtmfDigit`), and a far-end hang-up at ``hangup_at``. It records what was
played to it (``played``: one entry per 20 ms frame sent, with the time and whether it was silence) and
when ``stop_playback`` was called.

Time: with ``realtime=True`` frames arrive every 20 ms of the event loop's clock; with ``realtime=False``
(virtual time) they arrive as fast as the reader takes them and ``AudioFrame.at`` counts 20 ms per
frame from the start, so a 10 s call runs in milliseconds and the times are exact. Either way the
playout is clocked by the frames delivered: one queued frame is "sent" per frame received, as an
AudioSocket leg's writer does once per 20 ms (so the reader must keep reading while audio plays).
Leg times (``played``, ``stops``, ``plays``, ``at``) are monotonic like a real leg's: in real time the
event loop's clock when it happened; in virtual time ``t0`` (``loop.time()`` when the first frame was
asked for) plus 20 ms per frame delivered.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import AsyncIterator, Iterable

import numpy as np

from .leg import FRAME_MS, AudioFrame, DtmfDigit, LegEnded, MediaError, MediaEvent, MediaLeg, frame_bytes

FRAME_S = FRAME_MS / 1000.0


def line_noise(seconds: float, sample_rate: int = 8000, level_db: float = -66.0, seed: int = 0) -> bytes:
    """Gaussian noise at ``level_db`` dBFS RMS (a quiet telephone line), 16-bit PCM."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * sample_rate))
    x = rng.normal(0.0, 32768.0 * 10 ** (level_db / 20.0), n)
    return np.clip(np.rint(x), -32768, 32767).astype("<i2").tobytes()


class InlineExecutor(Executor):
    """Runs each job at once in the caller's thread: with a virtual-time FakeLeg, recognition results
    (partials) arrive at a fixed point of the leg's time instead of whenever a thread gets to them."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting side
            fut.set_exception(exc)
        return fut


class FakeLeg(MediaLeg):
    def __init__(self, audio: bytes = b"", sample_rate: int = 8000, *, realtime: bool = False,
                 dtmf: Iterable[tuple[float, str]] = (), hangup_at: float | None = None,
                 end_after: float = 120.0, noise_db: float = -66.0, leg_id: str = "fake-leg"):
        self.leg_id = leg_id
        self.sample_rate = sample_rate
        self.realtime = realtime
        self._frame = frame_bytes(sample_rate)
        self._audio = audio[: len(audio) // 2 * 2]
        self._dtmf = sorted(dtmf)
        self.hangup_at = hangup_at
        self.end_after = end_after
        self._noise = line_noise(1.0, sample_rate, noise_db, seed=7)
        self._queue = bytearray()
        self._idle = asyncio.Event()
        self._idle.set()
        self._iterating = False
        self._closed = asyncio.Event()
        self.t0: float | None = None
        self.now = 0.0                       # leg time of the last frame delivered (seconds since start)
        self.played: list[tuple[float, bytes, bool]] = []   # (leg time, frame, silence?)
        self.plays: list[tuple[float, int]] = []            # (leg time, bytes queued) per play()
        self.stops: list[float] = []                        # leg times of stop_playback()
        self.ended = None

    @classmethod
    def from_wav(cls, path: str | Path, sample_rate: int = 8000, **kw) -> "FakeLeg":
        from ..speech.audio import read_audio, resample
        x, rate = read_audio(path)
        if rate != sample_rate:
            x = resample(x, rate, sample_rate)
        return cls(np.asarray(x, dtype="<i2").tobytes(), sample_rate, **kw)

    # -- what was played ---------------------------------------------------------------------------
    def played_audio(self) -> bytes:
        """Everything sent to the far end except the writer's silence."""
        return b"".join(f for _, f, silent in self.played if not silent)

    def first_sound_after(self, t: float) -> float | None:
        """Leg time of the first non-silent frame sent at or after ``t`` (the next prompt's start)."""
        return next((at for at, _, silent in self.played if not silent and at >= t - 1e-9), None)

    # -- MediaLeg -----------------------------------------------------------------------------------
    def _caller_frame(self, i: int) -> bytes:
        start = i * self._frame
        if start < len(self._audio):
            return (self._audio[start: start + self._frame] + bytes(self._frame))[: self._frame]
        k = (i * self._frame) % (len(self._noise) - self._frame)
        return self._noise[k: k + self._frame]

    def _clock(self) -> float:
        if self.realtime:
            return asyncio.get_running_loop().time()
        return (self.t0 or 0.0) + self.now

    def _send_one(self, t: float) -> None:
        if self._queue:
            frame = bytes(self._queue[: self._frame])
            del self._queue[: self._frame]
            self.played.append((t, (frame + bytes(self._frame))[: self._frame], False))
            if not self._queue:
                self._idle.set()
        else:
            self.played.append((t, bytes(self._frame), True))

    async def events(self) -> AsyncIterator[MediaEvent]:
        if self._iterating:
            raise MediaError("FakeLeg.events() has one reader")
        self._iterating = True
        loop = asyncio.get_running_loop()
        self.t0 = loop.time()
        keys = list(self._dtmf)
        i = 0
        try:
            while not self._closed.is_set():
                vt = (i + 1) * FRAME_S
                if self.realtime:
                    delay = self.t0 + vt - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                else:
                    await asyncio.sleep(0)
                if self._closed.is_set():
                    break
                if self.hangup_at is not None and vt > self.hangup_at + 1e-9:
                    self.ended = LegEnded("far", "hang-up")
                    break
                if vt > self.end_after + 1e-9:
                    self.ended = LegEnded("far", "script ended")
                    break
                self.now = vt
                at = self._clock()
                self._send_one(at)
                while keys and keys[0][0] <= vt + 1e-9:
                    yield DtmfDigit(keys.pop(0)[1], at)
                yield AudioFrame(self._caller_frame(i), at)
                i += 1
        finally:
            if self.ended is None:
                self.ended = LegEnded("us", "closed")
            self._queue.clear()
            self._idle.set()

    def play(self, pcm: bytes) -> None:
        if self.ended is not None:
            return
        self._queue += pcm[: len(pcm) // 2 * 2]
        self.plays.append((self._clock(), len(pcm)))
        if self._queue:
            self._idle.clear()

    def stop_playback(self) -> None:
        self.stops.append(self._clock())
        self._queue.clear()
        self._idle.set()

    async def playback_idle(self) -> None:
        await self._idle.wait()

    @property
    def playing(self) -> bool:
        return bool(self._queue)

    async def close(self, reason: str = "") -> None:
        if self.ended is None:
            self.ended = LegEnded("us", reason or "closed")
        self._closed.set()
        self._queue.clear()
        self._idle.set()
