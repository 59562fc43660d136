"""A web caller's call: a browser (or ``callcenter call``) calling in through the WebRTC gateway.

Embedded mode (no Asterisk configured): the call runs in the engine like a phone call.
:class:`WebCallChannel` is the IVR's :class:`~callcenter.media.channel.MediaChannel` over the caller's
:class:`~callcenter.media.webrtc.WebRTCLeg` plus what the engine's call actor needs beyond the IVR
(music while waiting, ``wait_hangup``, ``bridge`` to the answered agent's leg through
:func:`callcenter.media.bridge.bridge`). The engine runs ``handle_ivr`` on it: the same flows (picked by
``webrtc.caller_number`` as the dialled number), queues, router, agents, records.

The page is told what happens on the leg's data channel: ``{"type": "call", "call_id"}``,
``{"type": "prompt", "text"}`` (a text prompt played), ``{"type": "partial", "text"}`` and
``{"type": "heard", "text", "confidence", "digits"}`` (what the IVR understood: words or keys),
``{"type": "status", "state": "waiting" | "talking" | "held", "queue", "agent"}``, then
``{"type": "ended", "by", "reason"}``.

Hold (:mod:`callcenter.engine.hold`): :meth:`WebCallChannel.hold_bridge` pauses the engine's bridge
(nothing passes either way; the caller hears :func:`hold_music`, the agent silence) and resumes it; a
transfer ends the agent's leg with :meth:`WebCallChannel.end_agent_leg`, the caller staying on the line
(back to a queue, or to the next agent).

With Asterisk configured, :class:`WebCalls` needs an ``asterisk_caller`` hook (the AudioSocket
originate into the inbound dialplan, from ``callcenter.media.audiosocket``): the caller's WebRTC leg is
bridged to that AudioSocket channel, and keys from the page are sent with AMI ``PlayDTMF`` (``Receive:
yes``) on it, because AudioSocket cannot carry DTMF towards Asterisk.
"""
from __future__ import annotations

import asyncio
import logging
import math
from typing import Any, Awaitable, Callable, Sequence

import numpy as np

from ..ivr.channel import CallerHungUp, CallInfo, ChannelError, DigitsResult, Prompt
from ..speech.api import Recognition
from .bridge import bridge, reader_events
from .channel import MediaChannel
from .leg import AudioFrame, DtmfDigit

log = logging.getLogger("callcenter.media.webcall")

_MUSIC: dict[int, bytes] = {}


def hold_music(rate: int) -> bytes:
    """A soft 4-second arpeggio (music on hold without any file), cached per rate."""
    if rate not in _MUSIC:
        notes = (261.63, 329.63, 392.0, 523.25, 392.0, 329.63, 293.66, 349.23)
        n = int(rate * 0.5)
        t = np.arange(n) / rate
        env = np.minimum(1.0, t / 0.02) * np.exp(-3.0 * t)
        parts = [np.sin(2 * math.pi * f * t) * env for f in notes]
        x = np.concatenate(parts) * 32767 * 10 ** (-24 / 20)
        _MUSIC[rate] = np.rint(x).astype("<i2").tobytes()
    return _MUSIC[rate]


class WebCallChannel(MediaChannel):
    """The engine's caller channel for a web caller (embedded mode)."""

    connection_lost = False

    def __init__(self, leg: Any, info: CallInfo, *, agent_legs: Callable[[str], Any], **kw: Any) -> None:
        super().__init__(leg, info, on_partial=self._partial, **kw)
        self.agent_legs = agent_legs
        self._music = False
        self._held = False
        self._hold_task: asyncio.Task | None = None
        self._agent_leg: Any = None

    def _tell(self, message: dict) -> None:
        send = getattr(self.leg, "send_control", None)
        if send is not None:
            send(message)

    def _partial(self, call_id: str, text: str) -> None:
        self._tell({"type": "partial", "text": text})

    async def play(self, prompts: Sequence[Prompt], escape_digits: str = "") -> str | None:
        for p in prompts:
            if p.kind == "text":
                self._tell({"type": "prompt", "text": p.value})
        return await super().play(prompts, escape_digits)

    async def collect_digits(self, prompts: Sequence[Prompt], max_digits: int, timeout: float,
                             terminator: str = "#", inter_digit_timeout: float = 3.0) -> DigitsResult:
        res = await super().collect_digits(prompts, max_digits, timeout, terminator, inter_digit_timeout)
        self._tell({"type": "heard", "text": "", "digits": res.digits, "timed_out": res.timed_out})
        return res

    async def recognize(self, prompts: Sequence[Prompt], phrases: Sequence[str] | None, timeout: float = 5.0,
                        language: str | None = None, escape_digits: str = "0123456789*#",
                        barge_in: bool | None = None) -> Recognition | None:
        for p in prompts:
            if p.kind == "text":
                self._tell({"type": "prompt", "text": p.value})
        rec = await super().recognize(prompts, phrases, timeout, language, escape_digits, barge_in)
        if rec is not None:
            self._tell({"type": "heard", "text": rec.text, "confidence": round(float(rec.confidence or 0), 3),
                        "digits": getattr(rec, "digits", None)})
        return rec

    # -- what the call actor needs beyond the IVR ----------------------------------------------------
    async def start_music(self, moh_class: str | None = None) -> None:
        self._check("music")
        self._music = True
        queue = self.info.variables.get("CC_QUEUE")
        self._tell({"type": "status", "state": "waiting", "queue": queue})

    async def stop_music(self) -> None:
        self._music = False
        self.leg.stop_playback()

    async def wait_hangup(self, timeout: float) -> bool:
        """Read (and drop) the caller's audio until the leg ends (True) or ``timeout`` (False); music plays."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._music and not self.leg.playing:
                self.leg.play(hold_music(self.leg.sample_rate))
            left = deadline - loop.time()
            if left <= 0:
                return False
            try:
                ev = await self._next(min(left, 1.0), "wait")
            except CallerHungUp:
                return True
            if ev is None or isinstance(ev, (AudioFrame, DtmfDigit)):
                continue

    async def bridge(self, channel: str) -> int:
        """Join the caller with the agent's leg until either hangs up: CallerHungUp when the caller did.
        The agent's leg ending leaves the caller on the line (the engine hangs up or requeues)."""
        self._music = False
        self.leg.stop_playback()
        agent_leg = self.agent_legs(channel)
        if agent_leg is None:
            raise ChannelError(f"no browser leg {channel!r} to bridge to")
        self._tell({"type": "status", "state": "talking", "agent": self.info.variables.get("CC_ANSWERED")})
        self._agent_leg, self._held = agent_leg, False
        try:
            first = await bridge(self.leg, agent_leg, events_a=reader_events(self.reader), reason="caller hung up",
                                 held=lambda: self._held, keep_a=True)
        finally:
            self._agent_leg = None
            self.hold_bridge(False, tell=False)
        if first == "a":
            raise self._gone("bridge")
        return 0

    def hold_bridge(self, on: bool, tell: bool = True) -> None:
        """Hold (``on``) or resume the bridge in progress: while held nothing passes between the legs and
        the caller hears the hold music."""
        self._held = on
        if self._hold_task is not None:
            self._hold_task.cancel()
            self._hold_task = None
        self.leg.stop_playback()
        if on:
            self._hold_task = asyncio.ensure_future(self._hold_music())
        if tell:
            self._tell({"type": "status", "state": "held" if on else "talking"})

    async def _hold_music(self) -> None:
        while self._held and self.leg.ended is None:
            if not self.leg.playing:
                self.leg.play(hold_music(self.leg.sample_rate))
            await asyncio.sleep(0.2)

    async def end_agent_leg(self) -> None:
        """End the agent's leg of the bridge in progress (a transfer): the caller stays."""
        leg = self._agent_leg
        if leg is None:
            raise ChannelError("no agent leg in a bridge to end")
        await leg.close("transferred")


class WebCalls:
    """Starts and tracks web callers' calls (embedded: in the engine; with Asterisk: via AudioSocket)."""

    def __init__(self, engine: Any, *, did: str = "8800", phones: Any = None, synthesizer: Any = None,
                 recognizer: Any = None, channel_kw: dict | None = None,
                 asterisk_caller: Callable[[Any, CallInfo], Awaitable[None]] | None = None) -> None:
        self.engine = engine
        self.did = did
        self.phones = phones
        self.synthesizer = synthesizer
        self.recognizer = recognizer
        self.channel_kw = dict(channel_kw or {})
        self.asterisk_caller = asterisk_caller
        self.tasks: set[asyncio.Task] = set()
        self.counters = {"calls": 0, "ended": 0, "errors": 0}

    def start(self, leg: Any, caller: str = "web", caller_name: str = "") -> str:
        """Run the call of a freshly answered caller leg in the background; its call id."""
        call_id = f"web-{leg.leg_id[:16]}"
        info = CallInfo(call_id=call_id, caller=caller, caller_name=caller_name or "Web caller", did=self.did,
                        channel=f"WebRTC/{leg.leg_id[:16]}")
        self.counters["calls"] += 1
        task = asyncio.ensure_future(self._run(leg, info))
        task.set_name(f"webcall-{call_id}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        leg.send_control({"type": "call", "call_id": call_id})
        return call_id

    async def _run(self, leg: Any, info: CallInfo) -> None:
        try:
            if self.asterisk_caller is not None:
                await self.asterisk_caller(leg, info)
                return
            if self.engine is None:
                raise ChannelError("no call engine")
            channel = WebCallChannel(leg, info, agent_legs=self._agent_leg, synthesizer=self.synthesizer,
                                     recognizer=self.recognizer, **self.channel_kw)
            try:
                await self.engine.handle_ivr(channel)
            finally:
                await channel.close()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the call is over; the engine recorded it
            self.counters["errors"] += 1
            log.exception("web call failed", extra={"call_id": info.call_id})
        finally:
            self.counters["ended"] += 1
            await leg.close("call over")

    def _agent_leg(self, channel: str) -> Any:
        if self.phones is None:
            return None
        leg = self.phones.call_leg(channel)
        self.phones.forget(channel)
        return leg

    async def stop(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def status(self) -> dict[str, Any]:
        return {"state": "ok", "active": len(self.tasks), **self.counters}
