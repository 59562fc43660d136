"""One AudioSocket connection as a :class:`~callcenter.media.leg.MediaLeg`, and the paced writer.

What Asterisk 22 does (``../shared/asterisk-wire/audiosocket-*.txt``, README "AudioSocket"):

* it writes what we send to the channel **as it arrives** (no buffer, no pacing): a burst is played
  compressed, a slow sender is choppy. So every leg is written by a :class:`FrameClock`: one shared
  timer per event loop, ticking on a monotonic schedule every 20 ms (``t0 + k*20 ms``, so no drift),
  catching up at most ``max_catchup`` late ticks at once and re-anchoring after a longer stall (no
  bursts). At each tick every leg sends exactly one frame: queued audio, or **silence** when nothing is
  queued, so ``AudioSocket()``'s 2 s no-activity timeout never fires while the leg is ours. A prompt
  queued on an idle leg sends its first frame at once (the next prompt starts when it is decided, not
  up to 20 ms later) and the writer skips one silence frame afterwards, so the count stays one per tick.
* it drops the call after 2 s with no audio either way, and sends no frames at all while a caller
  sends no RTP; DTMF arrives as one 0x03 frame per key (at the end of the key).
* the ``AudioSocket()`` application always sends 0x10 (8 kHz); a channel with ``c(slin16)`` sends 0x12;
  a channel dialled by a G.711 phone without ``c(...)`` sends **mu-law under 0x10** (160 bytes per
  20 ms). The reader turns all of these into 20 ms frames of 16-bit PCM at the leg's ``sample_rate``.
* hang-up shapes: EOF from Asterisk = the far end left (caller hung up, bridge ended, the channel
  was hung up); our 0x00 or our close = we end it (the dialplan continues); a reset (ECONNRESET);
  a DTMF frame from us makes Asterisk hang the call up, so :meth:`send_dtmf` refuses.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import AsyncIterator, Callable

from .audiosocket_codec import (AUDIO_TYPES, DTMF, ERROR, HANGUP, UUID, AudioSocketProtocolError, Frame,
                                encode_hangup, ulaw_to_slin)
from .leg import FRAME_MS, AudioFrame, DtmfDigit, LegEnded, MediaError, MediaEvent, MediaLeg, frame_bytes

log = logging.getLogger("callcenter.media.audiosocket")

PERIOD = FRAME_MS / 1000.0
#: events kept for a consumer that does not read (10 s of audio); older ones are dropped
MAX_PENDING_EVENTS = 500
#: bytes Asterisk has not taken off the socket before we stop adding frames (~1.6 s of slin16)
MAX_WRITE_BACKLOG = 64 * 1024


class PaceSchedule:
    """Pure pacing arithmetic (time passed in): ticks at ``start + k*period``.

    :meth:`due` says how many ticks to run now: normally 1; after a short stall up to
    ``1 + max_catchup`` (the late ticks, so the long-run rate stays exact); after a stall longer than
    that, 1 and the schedule re-anchors at ``now`` (the lost time is not made up with a burst)."""

    def __init__(self, period: float = PERIOD, max_catchup: int = 4) -> None:
        self.period = period
        self.max_catchup = max_catchup
        self.next_at: float | None = None
        self.reanchored = 0

    def start(self, now: float) -> None:
        self.next_at = now

    def due(self, now: float) -> int:
        if self.next_at is None:
            self.next_at = now
        if now < self.next_at:
            return 0
        late = int((now - self.next_at) / self.period)      # ticks missed entirely
        if late > self.max_catchup:
            self.reanchored += 1
            self.next_at = now + self.period
            return 1
        self.next_at += (late + 1) * self.period
        return late + 1


class FrameClock:
    """The shared 20 ms writer of every leg on one event loop; runs only while it has legs."""

    def __init__(self, period: float = PERIOD, max_catchup: int = 4) -> None:
        self.schedule = PaceSchedule(period, max_catchup)
        self.legs: dict[int, "AudioSocketLeg"] = {}
        self._task: asyncio.Task | None = None
        self.ticks = 0

    def add(self, leg: "AudioSocketLeg") -> None:
        self.legs[id(leg)] = leg
        if self._task is None or self._task.done():
            loop = asyncio.get_running_loop()
            self.schedule.start(loop.time())
            self._task = loop.create_task(self._run(), name="audiosocket-frame-clock")

    def remove(self, leg: "AudioSocketLeg") -> None:
        self.legs.pop(id(leg), None)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        sched = self.schedule
        try:
            while self.legs:
                now = loop.time()
                n = sched.due(now)
                for _ in range(n):
                    self.ticks += 1
                    for leg in list(self.legs.values()):
                        leg._tick(now)
                assert sched.next_at is not None
                await asyncio.sleep(max(0.0, sched.next_at - loop.time()))
        finally:
            self._task = None

    async def stop(self) -> None:
        t = self._task
        if t is not None:
            t.cancel()
            try:
                await t
            except asyncio.CancelledError:
                pass


def resample(pcm: bytes, src: int, dst: int) -> bytes:
    """16-bit mono PCM from ``src`` to ``dst`` Hz (linear interpolation; telephone speech only)."""
    if src == dst or not pcm:
        return pcm
    import numpy as np
    x = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32)
    n_out = max(1, int(round(len(x) * dst / src)))
    pos = np.arange(n_out, dtype=np.float64) * (src / dst)
    y = np.interp(pos, np.arange(len(x)), x)
    return np.clip(np.rint(y), -32768, 32767).astype("<i2").tobytes()


class AudioSocketLeg(MediaLeg):
    """A live AudioSocket connection (built by :class:`~callcenter.media.audiosocket.AudioSocketServer`).

    ``ulaw``: ``auto`` treats a 0x10 frame of 160 bytes as G.711 mu-law (a channel dialled without
    ``c(slin)``, ``audiosocket-chan-dial.txt``), ``yes``/``no`` force it. ``idle_timeout``: end the leg
    (``LegEnded("timeout")``) when Asterisk sends nothing for that long (0 = never)."""

    def __init__(self, uuid: str, transport: asyncio.Transport, clock: FrameClock, *, sample_rate: int = 8000,
                 ulaw: str = "auto", idle_timeout: float = 30.0, peer: str = "",
                 on_end: Callable[["AudioSocketLeg"], None] | None = None) -> None:
        if sample_rate not in AUDIO_TYPES:
            raise MediaError(f"AudioSocket: no frame type for a {sample_rate} Hz leg")
        self.leg_id = self.uuid = uuid
        self.sample_rate = sample_rate
        self.ended = None
        self.channel: str | None = None           # Asterisk channel name, when known (originated legs)
        self.peer = peer
        self.ulaw = ulaw
        self.idle_timeout = idle_timeout
        self._transport: asyncio.Transport | None = transport
        self._clock = clock
        self._on_end = on_end
        self._frame = frame_bytes(sample_rate)
        self._silence = b"\x00" * self._frame
        self._header = bytes((AUDIO_TYPES[sample_rate],)) + self._frame.to_bytes(2, "big")
        self._out = bytearray()
        self._in = bytearray()                     # partial incoming frame (odd sizes re-chunked)
        self._events: deque[MediaEvent] = deque()
        self._wakeup: asyncio.Future | None = None
        self._idle_waiters: list[asyncio.Future] = []
        self._loop = asyncio.get_running_loop()
        self._ended_fut: asyncio.Future = self._loop.create_future()
        self.last_rx = self._loop.time()
        self.frames_in = self.frames_out = self.dropped_events = self.backlog_skips = 0
        self._ahead = 0                            # frames sent ahead of the clock (a prompt's first)
        self.write_times: list[float] | None = None  # set to [] to record send times (pacing tests)
        clock.add(self)

    # -- MediaLeg ------------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[MediaEvent]:  # type: ignore[override]
        """One reader at a time; a new iterator (next IVR node) continues where the last one stopped."""
        while True:
            while self._events:
                yield self._events.popleft()
            if self.ended is not None:
                return
            fut = self._wakeup = self._loop.create_future()
            try:
                await fut
            finally:
                if self._wakeup is fut:          # a later iterator may own the slot by now
                    self._wakeup = None

    def play(self, pcm: bytes) -> None:
        """Queue ``pcm``. On an idle leg (the writer sending silence) the first frame goes out now,
        not at the next tick (up to 20 ms later): the next prompt starts as soon as it is decided.
        That frame is one ahead of the clock, so the writer skips one silence frame once the queue is
        empty again: the stream Asterisk gets stays real-time (a frame early once, well within any
        phone's jitter buffer)."""
        if self.ended is None and pcm:
            idle = not self._out
            self._out += pcm
            if idle and self._write_frame():
                self._ahead += 1

    def stop_playback(self) -> None:
        self._out.clear()
        self._wake_idle()

    async def playback_idle(self) -> None:
        if not self._out or self.ended is not None:
            return
        fut = self._loop.create_future()
        self._idle_waiters.append(fut)
        await fut

    @property
    def playing(self) -> bool:
        return bool(self._out) and self.ended is None

    async def send_dtmf(self, digits: str) -> None:
        raise MediaError("AudioSocket cannot send DTMF to Asterisk: Asterisk hangs the call up on a 0x03 "
                         "frame from the server (audiosocket-app-dtmf-to-asterisk.txt)")

    async def close(self, reason: str = "") -> None:
        """Send 0x00 and close the socket (the dialplan after ``AudioSocket()`` continues)."""
        if self.ended is None:
            tr = self._transport
            if tr is not None and not tr.is_closing():
                tr.write(encode_hangup())
            self._end(LegEnded("us", reason or "closed by the engine"))
        await asyncio.sleep(0)

    async def wait_ended(self, timeout: float | None = None) -> LegEnded:
        await asyncio.wait_for(asyncio.shield(self._ended_fut), timeout)
        assert self.ended is not None
        return self.ended

    def __repr__(self) -> str:
        return f"<AudioSocketLeg {self.uuid} {self.sample_rate} Hz{' ended ' + self.ended.by if self.ended else ''}>"

    # -- writer (called by the FrameClock) ---------------------------------------------------------
    def _tick(self, now: float) -> None:
        tr = self._transport
        if tr is None or self.ended is not None:
            return
        if self.idle_timeout and now - self.last_rx > self.idle_timeout:
            log.warning("audiosocket %s: nothing from Asterisk for %.0f s: ending the leg", self.uuid,
                        self.idle_timeout)
            tr.write(encode_hangup())
            self._end(LegEnded("timeout", f"nothing received for {self.idle_timeout:g} s"))
            return
        if not self._out and self._ahead:
            self._ahead -= 1                    # a prompt's first frame went out early: in step again
            return
        self._write_frame()

    def _write_frame(self) -> bool:
        """One frame to Asterisk: queued audio, or silence when nothing is queued. False: not sent."""
        tr = self._transport
        if tr is None or self.ended is not None:
            return False
        if tr.get_write_buffer_size() > MAX_WRITE_BACKLOG:
            self.backlog_skips += 1             # Asterisk is not reading: do not pile up more
            return False
        out = self._out
        n = self._frame
        if out:
            chunk = bytes(out[:n])
            del out[:n]
            if len(chunk) < n:
                chunk += self._silence[len(chunk):]
            tr.write(self._header + chunk)
            if not out:
                self._wake_idle()
        else:
            tr.write(self._header + self._silence)
        self.frames_out += 1
        if self.write_times is not None:
            self.write_times.append(self._loop.time())
        return True

    def _wake_idle(self) -> None:
        waiters, self._idle_waiters = self._idle_waiters, []
        for w in waiters:
            if not w.done():
                w.set_result(None)

    # -- reader (called by the server's protocol) ----------------------------------------------------
    def _on_frame(self, frame: Frame, now: float) -> None:
        if self.ended is not None:
            return
        self.last_rx = now
        kind = frame.kind
        rate = frame.sample_rate
        if rate is not None:
            self.frames_in += 1
            self._on_audio(frame.payload, kind, rate, now)
        elif kind == DTMF:
            self._push(DtmfDigit(frame.digit, now))
        elif kind == HANGUP:
            self._far_end("far", "hang-up frame from Asterisk")
        elif kind == ERROR:
            self._far_end("error", f"error frame from Asterisk (payload hex {frame.payload.hex() or '-'})")
        elif kind == UUID:
            self._protocol_error(AudioSocketProtocolError(
                "AudioSocket: a second UUID frame mid-stream (expected audio, DTMF or hang-up)", -1))

    def _on_audio(self, payload: bytes, kind: int, rate: int, now: float) -> None:
        if kind == 0x10 and (self.ulaw == "yes" or (self.ulaw == "auto" and len(payload) == 160)):
            payload = ulaw_to_slin(payload)
        if rate != self.sample_rate:
            payload = resample(payload, rate, self.sample_rate)
        n = self._frame
        if not self._in and len(payload) == n:
            self._push(AudioFrame(payload, now))
            return
        buf = self._in
        buf += payload
        while len(buf) >= n:
            self._push(AudioFrame(bytes(buf[:n]), now))
            del buf[:n]

    def _push(self, ev: MediaEvent) -> None:
        q = self._events
        if len(q) >= MAX_PENDING_EVENTS:
            q.popleft()
            self.dropped_events += 1
            if self.dropped_events == 1:
                log.warning("audiosocket %s: events not consumed; dropping the oldest", self.uuid)
        q.append(ev)
        w = self._wakeup
        if w is not None and not w.done():
            w.set_result(None)

    def _protocol_error(self, exc: AudioSocketProtocolError) -> None:
        log.error("audiosocket %s: %s; closing the connection", self.uuid, exc)
        tr = self._transport
        self._end(LegEnded("error", str(exc)))
        if tr is not None:
            tr.abort()

    def _far_end(self, by: str, reason: str) -> None:
        if self.ended is None:
            log.info("audiosocket %s ended: %s", self.uuid, reason)
        self._end(LegEnded(by, reason))

    def _connection_lost(self, exc: BaseException | None) -> None:
        if isinstance(exc, ConnectionResetError):
            self._end(LegEnded("error", "connection reset by Asterisk (ECONNRESET)"))
        elif exc is not None:
            self._end(LegEnded("error", f"connection lost: {exc!r}"))
        else:
            self._end(LegEnded("far", "connection closed by Asterisk"))
        self._transport = None

    def _end(self, ended: LegEnded) -> None:
        if self.ended is not None:
            return
        self.ended = ended
        self._clock.remove(self)
        self._out.clear()
        tr = self._transport
        if tr is not None and not tr.is_closing():
            tr.close()                          # flushes what was written (our 0x00) first
        self._wake_idle()
        w = self._wakeup
        if w is not None and not w.done():
            w.set_result(None)
        if not self._ended_fut.done():
            self._ended_fut.set_result(ended)
        cb, self._on_end = self._on_end, None
        if cb is not None:
            cb(self)
