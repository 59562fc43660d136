"""The WebRTC gateway (aiortc): browsers (web callers, agents' browser phones) as :class:`MediaLeg` s.

* :class:`WebRTCLeg`: one browser peer connection as a leg. The browser's audio track (Opus or G.711,
  whatever it negotiated) is decoded by aiortc, resampled (PyAV) to the leg's rate (8 or 16 kHz) and cut
  into 20 ms :class:`AudioFrame` s; the leg's outgoing track (:class:`PacedTrack`) sends what
  ``play()`` queued, paced one frame per 20 ms by its own clock, and silence otherwise. Keys come from
  the page on the ``control`` data channel (``{"type": "dtmf", "digits": "12#"}``) and become
  :class:`DtmfDigit` events; ``{"type": "hangup"}`` ends the leg; other messages go to ``on_control``.
  ``send_control(message)`` sends JSON to the page (ringing, what the IVR heard, the end).
* :class:`WebRTCGateway`: the offer/answer exchange. ``answer(offer)`` validates the offer, refuses a
  replay (the same ICE credentials seen within the last 10 minutes), builds the peer
  connection with ``iceServers`` = ``webrtc.ice_servers`` (empty by default: aiortc would otherwise ask a
  public STUN server; with none configured only host candidates are offered) and returns the answer
  with every candidate in it (no trickle). Sessions are kept by id until their leg ends.

A leg ends (``events()`` stops, ``ended`` says why) when the page hangs up, the data channel or the
peer connection closes or fails (closed tab, ICE failure), nothing connects within
``webrtc.connect_timeout``, no audio arrives for ``webrtc.media_timeout`` (a vanished browser), or we
``close()`` it. Signalling routes live in :mod:`callcenter.api.webrtc`.
"""
from __future__ import annotations

import asyncio
import fractions
import json
import logging
import re
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Sequence

import aioice.ice
import av
from aiortc import (MediaStreamTrack, RTCConfiguration, RTCIceServer, RTCPeerConnection,
                    RTCSessionDescription)
from aiortc.mediastreams import MediaStreamError

from . import webrtc_consent
from .leg import FRAME_MS, AudioFrame, DtmfDigit, LegEnded, MediaError, MediaEvent, MediaLeg, frame_bytes

log = logging.getLogger("callcenter.media.webrtc")

DTMF_KEYS = frozenset("0123456789*#ABCD")
#: frames kept for a reader that lags behind (10 s); older audio is dropped first
EVENT_BACKLOG = 500

# -------------------------------------------------------------------------------------------------
# Host candidates: aioice gathers on every interface but loopback. ``webrtc.host_addresses`` narrows
# (or, with 127.0.0.1, widens) that choice process-wide.
_HOST_ADDRESSES: tuple[str, ...] = ()
_aioice_host_addresses = aioice.ice.get_host_addresses


def _host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    if not _HOST_ADDRESSES:
        return _aioice_host_addresses(use_ipv4, use_ipv6)
    return [a for a in _HOST_ADDRESSES if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]


aioice.ice.get_host_addresses = _host_addresses
# ICE consent freshness as RFC 7675 says (a late answer still renews consent): aioice's own closed a browser
# phone whose answers took over 0.5 s for 30 s (see callcenter.media.webrtc_consent)
webrtc_consent.install()


def set_host_addresses(addresses: Sequence[str]) -> None:
    """Offer host candidates on these addresses only (empty: every interface but loopback)."""
    global _HOST_ADDRESSES
    _HOST_ADDRESSES = tuple(a for a in addresses if a)


def can_send(channel: Any) -> bool:
    """A data channel that can send: open, and its DTLS transport still connected. (A channel still "open"
    whose peer has gone would take the message, and aiortc's flush task would fail later with "Cannot send
    encrypted data, not connected", logged as a task exception nobody retrieved.)"""
    if channel is None or channel.readyState != "open":
        return False
    dtls = getattr(getattr(channel, "transport", None), "transport", None)
    return getattr(dtls, "state", "connected") == "connected"


# -------------------------------------------------------------------------------------------------
class SignallingError(Exception):
    """An offer or a session request refused; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


class Busy(SignallingError):
    """A new web caller refused because the server is overloaded (HTTP 503, ``Retry-After``)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(503, message, "busy")
        self.retry_after = retry_after


@dataclass(frozen=True)
class WebRTCSettings:
    sample_rate: int = 8000
    ice_servers: tuple[str, ...] = ()
    ice_username: str | None = None
    ice_password: str | None = None
    host_addresses: tuple[str, ...] = ()
    max_sessions: int = 100
    connect_timeout: float = 20.0
    media_timeout: float = 10.0
    offer_replay_window: float = 600.0

    @classmethod
    def from_config(cls, section: Any) -> "WebRTCSettings":
        return cls(**{k: getattr(section, k) for k in cls.__dataclass_fields__ if hasattr(section, k)})

    def rtc_configuration(self) -> RTCConfiguration:
        """``iceServers`` is always given: aiortc's default (``None``) is a public STUN server."""
        servers = [RTCIceServer(urls=url, username=self.ice_username if url.startswith("turn") else None,
                                credential=self.ice_password if url.startswith("turn") else None)
                   for url in self.ice_servers]
        return RTCConfiguration(iceServers=servers)


# -------------------------------------------------------------------------------------------------
class PcmQueue:
    """PCM waiting to be sent, taken one frame at a time (silence when nothing is queued)."""

    def __init__(self, frame: int) -> None:
        self.frame = frame
        self.buf = bytearray()
        self.idle = asyncio.Event()
        self.idle.set()

    def add(self, pcm: bytes) -> None:
        self.buf += pcm[: len(pcm) // 2 * 2]
        if self.buf:
            self.idle.clear()

    def clear(self) -> None:
        self.buf.clear()
        self.idle.set()

    def take(self) -> bytes:
        if not self.buf:
            return bytes(self.frame)
        chunk = bytes(self.buf[: self.frame])
        del self.buf[: self.frame]
        if not self.buf:
            self.idle.set()
        return chunk + bytes(self.frame - len(chunk))


class EventBox:
    """The events of a leg for its one reader: ``push`` (bounded: the oldest audio goes first), ``drain``
    yields them until ``ended()`` and nothing is left."""

    def __init__(self, limit: int = EVENT_BACKLOG) -> None:
        self.events: deque[MediaEvent] = deque()
        self.wake = asyncio.Event()
        self.limit = limit

    def push(self, event: MediaEvent) -> None:
        if len(self.events) >= self.limit:
            for i, old in enumerate(self.events):     # drop the oldest audio, never a key
                if isinstance(old, AudioFrame):
                    del self.events[i]
                    break
        self.events.append(event)
        self.wake.set()

    async def drain(self, ended: Callable[[], bool]) -> AsyncIterator[MediaEvent]:
        while True:
            while self.events:
                yield self.events.popleft()
            if ended():
                return
            self.wake.clear()
            await self.wake.wait()


class PacedTrack(MediaStreamTrack):
    """An outgoing audio track: ``take()`` (20 ms of 16-bit mono PCM at ``rate``) once per 20 ms of its own
    clock, restarting the clock after a long stall instead of bursting. The legs send what the engine
    plays with it; the test client what the caller says."""

    kind = "audio"

    def __init__(self, rate: int, take: Callable[[], bytes]) -> None:
        super().__init__()
        self._rate = rate
        self._take = take
        self._samples = rate * FRAME_MS // 1000
        self._time_base = fractions.Fraction(1, rate)
        self._start: float | None = None
        self._pts = 0

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._pts += self._samples
            wait = self._start + self._pts / self._rate - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.2:
                self._start = time.monotonic() - self._pts / self._rate
        frame = av.AudioFrame(format="s16", layout="mono", samples=self._samples)
        frame.planes[0].update(self._take())
        frame.sample_rate = self._rate
        frame.pts = self._pts
        frame.time_base = self._time_base
        return frame


class WebRTCLeg(MediaLeg):
    """One browser as a media leg (see the module docstring)."""

    def __init__(self, leg_id: str, pc: RTCPeerConnection, *, sample_rate: int = 8000, kind: str = "caller",
                 owner: str = "", connect_timeout: float = 20.0, media_timeout: float = 10.0,
                 on_control: Callable[[dict], None] | None = None) -> None:
        self.leg_id = leg_id
        self.sample_rate = sample_rate
        self.kind = kind
        self.owner = owner
        self.pc = pc
        self.ended = None
        self.on_control = on_control
        self.connect_timeout = connect_timeout
        self.media_timeout = media_timeout
        self.created = time.monotonic()
        self.connected_at: float | None = None
        self.frames_in = 0
        self.frames_out = 0
        self._frame = frame_bytes(sample_rate)
        self._box = EventBox()
        self._reading = False
        self._out = PcmQueue(self._frame)
        self._channel = None
        self._pending_control: list[str] = []
        self._told_end = False              # an "ended" message was sent: the close sends none
        self._tasks: set[asyncio.Task] = set()
        self._last_audio = time.monotonic()
        self._end_callbacks: list[Callable[["WebRTCLeg"], None]] = []
        self._closed = asyncio.Event()
        self._closing: asyncio.Future | None = None
        self.track = PacedTrack(sample_rate, self._next_out)
        pc.on("track", self._on_track)
        pc.on("datachannel", self._on_datachannel)
        pc.on("connectionstatechange", self._on_state)
        self._spawn(self._watch(), "watchdog")

    # -- plumbing --------------------------------------------------------------------------------
    def _spawn(self, coro, what: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(f"webrtc-{what}-{self.leg_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def on_end(self, callback: Callable[["WebRTCLeg"], None]) -> None:
        """``callback(leg)`` once the leg has ended (at once if it already has)."""
        if self.ended is not None:
            callback(self)
        else:
            self._end_callbacks.append(callback)

    def _push(self, event: MediaEvent) -> None:
        self._box.push(event)

    def _end(self, by: str, reason: str) -> None:
        if self.ended is not None:
            return
        self.ended = LegEnded(by, reason)
        log.info("webrtc leg ended by %s: %s", by, reason, extra={"leg": self.leg_id, "kind": self.kind})
        self._out.clear()
        self._box.wake.set()
        self._closed.set()
        self.track.stop()
        if by != "us":
            self._close_soon()
        for cb in self._end_callbacks:
            try:
                cb(self)
            except Exception:  # noqa: BLE001
                log.exception("webrtc leg end callback failed", extra={"leg": self.leg_id})
        self._end_callbacks.clear()

    def _close_soon(self) -> asyncio.Future:
        """Close the peer connection once (never cancelled half-way: that leaves aiortc's tasks running)."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close_pc())
        return self._closing

    async def _close_pc(self) -> None:
        if can_send(self._channel) and not self._told_end:
            try:
                self._channel.send(json.dumps({"type": "ended", "by": self.ended.by if self.ended else "us",
                                               "reason": self.ended.reason if self.ended else ""}))
            except Exception:  # noqa: BLE001
                pass
        try:
            await self.pc.close()
        except Exception as exc:  # noqa: BLE001 - the peer may already be gone
            log.debug("closing peer connection %s: %s", self.leg_id, exc)

    # -- aiortc callbacks ---------------------------------------------------------------------------
    def _on_state(self) -> None:
        state = self.pc.connectionState
        if state == "connected" and self.connected_at is None:
            self.connected_at = time.monotonic()
            self._last_audio = self.connected_at
        elif state == "failed":
            self._end("far", "connection failed (ICE/DTLS)")
        elif state == "closed":
            self._end("far", "peer connection closed")

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._spawn(self._read_track(track), "reader")
            track.on("ended", lambda: self._end("far", "the browser's audio track ended"))

    def _on_datachannel(self, channel) -> None:
        if channel.label != "control":
            return
        self._channel = channel
        channel.on("message", self._on_message)
        channel.on("close", lambda: self._end("far", "page closed (data channel closed)"))
        for msg in self._pending_control:
            channel.send(msg)
        self._pending_control.clear()

    def _on_message(self, message: Any) -> None:
        if self.ended is not None:
            return
        try:
            data = json.loads(message)
        except (TypeError, ValueError):
            self.send_control({"type": "error", "error": "control messages are JSON objects"})
            return
        if not isinstance(data, dict):
            return
        kind = data.get("type")
        if kind == "dtmf":
            self.press(str(data.get("digits") or data.get("digit") or ""))
        elif kind == "hangup":
            self._end("far", "hang-up from the page")
        elif self.on_control is not None:
            self.on_control(data)

    def press(self, digits: str) -> int:
        """Keys from the page (data channel or HTTP): one :class:`DtmfDigit` per valid key."""
        now = asyncio.get_running_loop().time()
        n = 0
        for d in digits.upper():
            if d in DTMF_KEYS and self.ended is None:
                self._push(DtmfDigit(d, now))
                n += 1
        return n

    async def _read_track(self, track: MediaStreamTrack) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=self.sample_rate)
        buf = bytearray()
        loop = asyncio.get_running_loop()
        while self.ended is None:
            try:
                frame = await track.recv()
            except MediaStreamError:
                break
            for out in resampler.resample(frame):
                buf += bytes(out.planes[0])[: out.samples * 2]
            while len(buf) >= self._frame:
                self._last_audio = time.monotonic()
                self.frames_in += 1
                self._push(AudioFrame(bytes(buf[: self._frame]), loop.time()))
                del buf[: self._frame]

    async def _watch(self) -> None:
        """Connect within ``connect_timeout``; then audio at least every ``media_timeout``."""
        try:
            while self.ended is None:
                try:
                    await asyncio.wait_for(self._closed.wait(), 0.5)
                    return
                except asyncio.TimeoutError:
                    pass
                now = time.monotonic()
                if self.connected_at is None:
                    if now - self.created > self.connect_timeout:
                        self._end("timeout", f"not connected within {self.connect_timeout:g}s (ICE)")
                elif now - self._last_audio > self.media_timeout:
                    self._end("timeout", f"no audio from the browser for {self.media_timeout:g}s")
        except asyncio.CancelledError:
            pass

    # -- outgoing ------------------------------------------------------------------------------------
    def _next_out(self) -> bytes:
        self.frames_out += 1
        return self._out.take()

    def send_control(self, message: dict) -> None:
        """JSON to the page on the control data channel (kept until it opens; dropped once ended)."""
        if self.ended is not None:
            return
        self._told_end = self._told_end or message.get("type") == "ended"
        text = json.dumps(message)
        ch = self._channel
        if ch is None or ch.readyState == "connecting":
            self._pending_control.append(text)
            return
        if not can_send(ch):                # the page is going: the message could not arrive
            return
        try:
            ch.send(text)
        except Exception as exc:  # noqa: BLE001
            log.debug("control message to %s lost: %s", self.leg_id, exc)

    # -- MediaLeg ------------------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[MediaEvent]:
        if self._reading:
            raise MediaError(f"webrtc leg {self.leg_id}: events() has one reader")
        self._reading = True
        async for ev in self._box.drain(lambda: self.ended is not None):
            yield ev

    def play(self, pcm: bytes) -> None:
        if self.ended is None and pcm:
            self._out.add(pcm)

    def stop_playback(self) -> None:
        self._out.clear()

    async def playback_idle(self) -> None:
        await self._out.idle.wait()

    @property
    def playing(self) -> bool:
        return bool(self._out.buf)

    def queued_bytes(self) -> int:
        """PCM queued and not yet sent (the bridge keeps it short)."""
        return len(self._out.buf)

    async def close(self, reason: str = "") -> None:
        self._end("us", reason or "closed")
        await asyncio.shield(self._close_soon())
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


# -------------------------------------------------------------------------------------------------
_UFRAG = re.compile(r"^a=ice-ufrag:(\S+)", re.M)
_PWD = re.compile(r"^a=ice-pwd:(\S+)", re.M)


def offer_key(sdp: str) -> str:
    """The ICE credentials of an offer (what a replay repeats); SignallingError when absent."""
    u, p = _UFRAG.search(sdp), _PWD.search(sdp)
    if not u or not p:
        raise SignallingError(400, "the offer has no ICE credentials (a=ice-ufrag / a=ice-pwd)", "sdp")
    return f"{u.group(1)}:{p.group(1)}"


class WebRTCGateway:
    """Offer/answer for browsers; the live sessions by id."""

    name = "webrtc"

    def __init__(self, settings: WebRTCSettings | None = None, *, monotonic: Callable[[], float] = time.monotonic):
        self.settings = settings or WebRTCSettings()
        self.monotonic = monotonic
        self.sessions: dict[str, WebRTCLeg] = {}
        self._seen: dict[str, float] = {}
        self.counters = {"offers": 0, "refused": 0, "replays": 0, "ended": 0}
        set_host_addresses(self.settings.host_addresses)

    def _remember(self, key: str) -> bool:
        """Remember an offer's credentials; False when they were seen within the replay window."""
        now = self.monotonic()
        window = self.settings.offer_replay_window
        if len(self._seen) > 10000 or (self._seen and next(iter(self._seen.values())) < now - window):
            self._seen = {k: t for k, t in self._seen.items() if t >= now - window}
        if key in self._seen and self._seen[key] >= now - window:
            return False
        self._seen[key] = now
        return True

    async def answer(self, offer: Any, *, kind: str = "caller", owner: str = "",
                     on_control: Callable[[dict], None] | None = None) -> tuple[WebRTCLeg, dict]:
        """Answer a browser's offer (``{"type": "offer", "sdp": ...}``): the new leg and the answer."""
        self.counters["offers"] += 1
        if not isinstance(offer, dict) or offer.get("type") != "offer" or not isinstance(offer.get("sdp"), str):
            self.counters["refused"] += 1
            raise SignallingError(400, "send {\"type\": \"offer\", \"sdp\": \"v=0...\"}", "sdp")
        sdp = offer["sdp"]
        if "m=audio" not in sdp:
            self.counters["refused"] += 1
            raise SignallingError(400, "the offer has no audio (m=audio)", "sdp")
        key = offer_key(sdp)
        if len(self.sessions) >= self.settings.max_sessions:
            self.counters["refused"] += 1
            raise SignallingError(503, f"too many browser sessions ({self.settings.max_sessions}, "
                                       "webrtc.max_sessions)")
        if not self._remember(key):
            self.counters["replays"] += 1
            log.warning("replayed WebRTC offer refused", extra={"owner": owner})
            raise SignallingError(409, "this offer was already answered (replayed offer)", "sdp")
        pc = RTCPeerConnection(configuration=self.settings.rtc_configuration())
        leg = WebRTCLeg(uuid.uuid4().hex, pc, sample_rate=self.settings.sample_rate, kind=kind, owner=owner,
                        connect_timeout=self.settings.connect_timeout, media_timeout=self.settings.media_timeout,
                        on_control=on_control)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            pc.addTrack(leg.track)
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:  # noqa: BLE001 - a malformed or unsupported offer
            await leg.close("offer refused")
            self.counters["refused"] += 1
            raise SignallingError(400, f"the offer cannot be answered: {exc}", "sdp") from None
        self.sessions[leg.leg_id] = leg
        leg.on_end(self._ended)
        log.info("webrtc session answered", extra={"leg": leg.leg_id, "kind": kind, "owner": owner})
        return leg, {"type": "answer", "sdp": pc.localDescription.sdp, "session": leg.leg_id}

    def _ended(self, leg: WebRTCLeg) -> None:
        if self.sessions.pop(leg.leg_id, None) is not None:
            self.counters["ended"] += 1

    def get(self, session_id: str) -> WebRTCLeg:
        leg = self.sessions.get(session_id)
        if leg is None:
            raise SignallingError(404, f"unknown or ended session {session_id!r}", "session")
        return leg

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        await asyncio.gather(*(leg.close("server stopping") for leg in list(self.sessions.values())),
                             return_exceptions=True)

    def status(self) -> dict[str, Any]:
        return {"state": "ok", "sessions": len(self.sessions),
                "ice_servers": len(self.settings.ice_servers), **self.counters}
