"""Agents' browser phones: a browser page as an agent's phone (interface ``Browser/<agent>``).

An agent's page registers its phone by a WebRTC session (``POST /api/webrtc/phone``): the peer
connection stays up while the page is open, like a registered SIP phone, and each call is a
:class:`LineCallLeg` on it. Ringing, answer, decline and hang-up travel on the session's ``control``
data channel:

* server -> page: ``{"type": "ring", "call_id", "caller", "queue", "timeout", "data"}``,
  ``{"type": "ring-cancel", "call_id"}``, ``{"type": "call-started", "call_id"}``,
  ``{"type": "call-ended", "call_id", "by"}``, ``{"type": "dtmf", "digits"}`` (keys of the caller);
* page -> server: ``{"type": "answer"}``, ``{"type": "decline"}``, ``{"type": "end"}`` (hang the call
  up), ``{"type": "hangup"}`` (unregister the phone: the session ends).

:class:`BrowserPhones` is the engine's :class:`~callcenter.engine.ports.CallControlPort` and
:class:`~callcenter.engine.ports.PhoneLines` for ``Browser/`` interfaces, composed with the Asterisk
ones (``inner_control`` / ``inner_lines``) for every other interface. Ringing a browser phone answers
with outcomes as a phone would: ``answered`` (channel ``Browser/<agent>-<n>``), ``no_answer`` after the
ring timeout (RONA), ``busy`` (declined or already on a call), ``unavailable`` (no page registered).
A registration change is published as ``AgentPhoneStateChanged`` (``registered``, ``available``) so
an agent paused because their phone was gone becomes ready when the page comes back.

Without Asterisk (embedded mode) the answered call leg is the browser's own leg and the engine
bridges it to the caller (:mod:`callcenter.media.bridge`). With Asterisk, ``asterisk_leg`` (the
AudioSocket originate) gives an Asterisk channel bridged to the browser, so Asterisk bridges the
caller to it like any agent phone (recording, listen and whisper work on it).
"""
from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable, Mapping

from .leg import LegEnded, MediaEvent, MediaLeg
from .webrtc import EventBox

log = logging.getLogger("callcenter.media.phones")

PREFIX = "Browser/"


def is_browser(interface: str | None) -> bool:
    return bool(interface) and interface.startswith(PREFIX)


@dataclass(frozen=True)
class RingOutcome:
    """What ringing gave (the engine's ``RingResult``)."""
    outcome: str                    # answered | no_answer | busy | unavailable | failed | no_telephony
    channel: str | None = None

    @property
    def answered(self) -> bool:
        return self.outcome == "answered"


class LineCallLeg(MediaLeg):
    """One call on an agent's browser phone: the phone session's audio for the length of the call."""

    def __init__(self, line: "AgentLine", name: str, call_id: str) -> None:
        self.line = line
        self.leg_id = name
        self.call_id = call_id
        self.sample_rate = line.leg.sample_rate
        self.ended = None
        self._box = EventBox()

    def feed(self, event: MediaEvent) -> None:
        if self.ended is None:
            self._box.push(event)

    def finish(self, by: str, reason: str) -> None:
        if self.ended is not None:
            return
        self.ended = LegEnded(by, reason)
        self._box.wake.set()
        self.line.call_ended(self)

    async def events(self) -> AsyncIterator[MediaEvent]:
        async for ev in self._box.drain(lambda: self.ended is not None):
            yield ev

    def play(self, pcm: bytes) -> None:
        if self.ended is None:
            self.line.leg.play(pcm)

    def stop_playback(self) -> None:
        self.line.leg.stop_playback()

    async def playback_idle(self) -> None:
        if self.ended is None:
            await self.line.leg.playback_idle()

    @property
    def playing(self) -> bool:
        return self.ended is None and self.line.leg.playing

    def queued_bytes(self) -> int:
        return self.line.leg.queued_bytes()

    async def send_dtmf(self, digits: str) -> None:
        self.line.leg.send_control({"type": "dtmf", "digits": digits})

    async def close(self, reason: str = "") -> None:
        self.finish("us", reason or "hung up")


class AgentLine:
    """An agent's registered browser phone."""

    def __init__(self, phones: "BrowserPhones", interface: str, agent: str, leg: Any) -> None:
        self.phones = phones
        self.interface = interface
        self.agent = agent
        self.leg = leg
        self.call: LineCallLeg | None = None
        self.ring: asyncio.Future | None = None
        self.ring_call: str | None = None
        leg.on_control = self.on_control
        self.reader = asyncio.ensure_future(self._read())
        self.reader.set_name(f"browser-phone-{interface}")

    @property
    def state(self) -> str:
        return "talking" if self.call is not None else "ringing" if self.ring is not None else "idle"

    async def _read(self) -> None:
        try:
            async for ev in self.leg.events():
                if self.call is not None:
                    self.call.feed(ev)
        finally:
            if self.call is not None:
                self.call.finish("far", "browser phone gone")
            self._settle("unavailable")
            self.phones._line_gone(self)

    def _settle(self, outcome: str) -> None:
        if self.ring is not None and not self.ring.done():
            self.ring.set_result(outcome)

    def on_control(self, message: Mapping[str, Any]) -> None:
        kind = message.get("type")
        if kind == "answer":
            self._settle("answered")
        elif kind == "decline":
            self._settle("busy")
        elif kind == "end" and self.call is not None:
            self.call.finish("far", "agent hung up")
        else:
            self.leg.send_control({"type": "error", "error": f"unknown message {kind!r} "
                                   "(answer, decline, end, hangup, dtmf)"})

    def call_ended(self, call: LineCallLeg) -> None:
        # the engine knows an Asterisk-bridged call by its AudioSocket channel, never by this name: the
        # phones forget the call leg here (1,000 calls through Asterisk left 1,000 call legs behind)
        if self.phones.channels.get(call.leg_id) is call:
            del self.phones.channels[call.leg_id]
        if self.call is call:
            self.call = None
            self.leg.stop_playback()
            self.leg.send_control({"type": "call-ended", "call_id": call.call_id, "by": call.ended.by if call.ended
                                   else "us"})
            self.phones._publish_state(self)


class BrowserPhones:
    """Browser phones as call control and phone lines, composed with Asterisk's for other interfaces."""

    def __init__(self, inner_control: Any = None, inner_lines: Any = None, *,
                 publish: Callable[[str, dict], None] | None = None,
                 asterisk_leg: Callable[[LineCallLeg, str], Awaitable[str]] | None = None) -> None:
        self.inner_control = inner_control
        self.inner_lines = inner_lines
        self.publish = publish
        self.asterisk_leg = asterisk_leg
        self.lines: dict[str, AgentLine] = {}
        self.channels: dict[str, LineCallLeg] = {}
        self._rings: dict[str, AgentLine] = {}          # ring channel_id -> the line ringing
        self._seq = itertools.count(1)
        self.counters = {"rings": 0, "answered": 0, "no_answer": 0, "declined": 0}

    # -- registration ----------------------------------------------------------------------------
    def register(self, agent: str, leg: Any) -> AgentLine:
        interface = PREFIX + agent
        old = self.lines.get(interface)
        line = AgentLine(self, interface, agent, leg)
        self.lines[interface] = line
        if old is not None:
            old.leg.send_control({"type": "replaced", "error": "this phone was registered again elsewhere"})
            asyncio.ensure_future(old.leg.close("replaced by a new browser phone"))
        log.info("browser phone registered", extra={"interface": interface})
        self._publish_state(line)
        return line

    def _line_gone(self, line: AgentLine) -> None:
        if self.lines.get(line.interface) is line:
            del self.lines[line.interface]
            log.info("browser phone gone", extra={"interface": line.interface})
            self._publish(line.interface, registered=False, state="UNAVAILABLE", available=False)

    def _publish_state(self, line: AgentLine) -> None:
        if self.lines.get(line.interface) is line:
            idle = line.state == "idle"
            self._publish(line.interface, registered=True, state="NOT_INUSE" if idle else "INUSE", available=idle)

    def _publish(self, interface: str, **data: Any) -> None:
        if self.publish is not None:
            self.publish("AgentPhoneStateChanged", {"interface": interface, "browser": True, **data})

    async def stop(self) -> None:
        for line in list(self.lines.values()):
            await line.leg.close("server stopping")
            await asyncio.gather(line.reader, return_exceptions=True)

    # -- CallControlPort -------------------------------------------------------------------------
    async def ring_agent(self, interface: str, *, call_id: str = "", caller_channel: str = "",
                         caller_id: str | None = None, timeout: float | None = None,
                         variables: Mapping[str, str] | None = None, channel_id: str | None = None) -> Any:
        if not is_browser(interface):
            if self.inner_control is None or not self._asterisk_configured():
                return RingOutcome("no_telephony")
            return await self.inner_control.ring_agent(interface, call_id=call_id, caller_channel=caller_channel,
                                                       caller_id=caller_id, timeout=timeout, variables=variables,
                                                       channel_id=channel_id)
        line = self.lines.get(interface)
        if line is None:
            return RingOutcome("unavailable")
        if line.state != "idle":
            return RingOutcome("busy")
        self.counters["rings"] += 1
        line.ring = asyncio.get_running_loop().create_future()
        line.ring_call = call_id
        ring_id = channel_id or f"ring-{next(self._seq)}"
        self._rings[ring_id] = line
        self._publish_state(line)
        line.leg.send_control({"type": "ring", "call_id": call_id, "caller": caller_id or "",
                               "timeout": timeout, "data": dict(variables or {})})
        try:
            outcome = await asyncio.wait_for(asyncio.shield(line.ring), timeout) if timeout else await line.ring
        except asyncio.TimeoutError:
            outcome = "no_answer"
        finally:
            self._rings.pop(ring_id, None)
            line.ring, line.ring_call = None, None
        if outcome != "answered":
            self.counters["no_answer" if outcome in ("no_answer", "cancelled") else "declined"] += 1
            line.leg.send_control({"type": "ring-cancel", "call_id": call_id, "reason": outcome})
            self._publish_state(line)
            return RingOutcome("no_answer" if outcome == "cancelled" else outcome)
        name = f"{interface}-{next(self._seq):08x}"
        call = LineCallLeg(line, name, call_id)
        line.call = call
        self.channels[name] = call
        self.counters["answered"] += 1
        line.leg.send_control({"type": "call-started", "call_id": call_id})
        self._publish_state(line)
        if self.asterisk_leg is not None:
            try:
                return RingOutcome("answered", await self.asterisk_leg(call, call_id))
            except Exception as exc:  # noqa: BLE001 - no Asterisk channel: the offer failed
                log.warning("browser agent leg towards Asterisk failed: %s", exc, extra={"call_id": call_id})
                await call.close("no Asterisk channel")
                return RingOutcome("failed")
        return RingOutcome("answered", name)

    def call_leg(self, name: str) -> LineCallLeg | None:
        """The browser call leg of a channel name the engine was given."""
        return self.channels.get(name)

    def forget(self, name: str) -> None:
        self.channels.pop(name, None)

    async def callback(self, agent_interface: str, number: str, *, call_id: str = "",
                       caller_id: str | None = None, agent_timeout: float | None = None) -> Any:
        if is_browser(agent_interface) or self.inner_control is None or not self._asterisk_configured():
            # a callback dials the customer out: that needs Asterisk and a SIP phone
            return RingOutcome("failed")
        return await self.inner_control.callback(agent_interface, number, call_id=call_id, caller_id=caller_id,
                                                 agent_timeout=agent_timeout)

    async def hangup(self, channel: str) -> None:
        call = self.channels.pop(channel, None)
        if call is not None:
            await call.close("hung up by the engine")
            return
        line = self._rings.get(channel)
        if line is not None:
            if line.ring is not None and not line.ring.done():
                line.ring.set_result("cancelled")
            return
        if is_browser(channel):
            return
        if self.inner_control is not None:
            await self.inner_control.hangup(channel)

    async def spy(self, supervisor_interface: str, target_channel: str, mode: str = "listen") -> Any:
        if self.inner_control is None or not self._asterisk_configured() or is_browser(supervisor_interface):
            return RingOutcome("failed")
        return await self.inner_control.spy(supervisor_interface, target_channel, mode)

    def __getattr__(self, name: str) -> Any:
        """Everything else Asterisk's call control / phone lines offer (recording, transfer, hold ...)."""
        if name.startswith("__") or name in ("inner_control", "inner_lines"):
            raise AttributeError(name)
        for inner in (self.inner_control, self.inner_lines):
            if inner is not None and hasattr(inner, name):
                return getattr(inner, name)
        raise AttributeError(f"{type(self).__name__} has no {name!r} (and Asterisk's call control neither)")

    def _asterisk_configured(self) -> bool:
        return bool(getattr(self.inner_lines, "clients", None))

    # -- PhoneLines ------------------------------------------------------------------------------
    @property
    def clients(self) -> Any:
        """Truthy: phones can be rung (browser phones always; the engine's ``telephony``)."""
        return getattr(self.inner_lines, "clients", None) or [self]

    @property
    def telephony(self) -> str:
        """What can ring now (the engine's status): ``asterisk``, ``browser`` (pages registered), ``none``."""
        return "asterisk" if self._asterisk_configured() else ("browser" if self.lines else "none")

    def phone_known(self, interface: str) -> bool:
        if is_browser(interface):
            return True
        return bool(self.inner_lines and self.inner_lines.phone_known(interface))

    def phone_idle(self, interface: str) -> bool:
        if is_browser(interface):
            line = self.lines.get(interface)
            return line is not None and line.state == "idle"
        return bool(self.inner_lines and self.inner_lines.phone_idle(interface))

    def phone_registered(self, interface: str) -> bool:
        if is_browser(interface):
            return interface in self.lines
        return bool(self.inner_lines and self.inner_lines.phone_registered(interface))

    def channel_of(self, uniqueid: str) -> str | None:
        if uniqueid in self._rings:
            return uniqueid
        return self.inner_lines.channel_of(uniqueid) if self.inner_lines is not None else None

    def newest_leg(self, interface: str) -> str | None:
        if is_browser(interface):
            line = self.lines.get(interface)
            return line.call.leg_id if line is not None and line.call is not None else None
        return self.inner_lines.newest_leg(interface) if self.inner_lines is not None else None

    def call_alive(self, call_id: str) -> bool:
        return bool(self.inner_lines and self.inner_lines.call_alive(call_id))

    def status(self) -> dict[str, Any]:
        return {"state": "ok", "phones": len(self.lines), "calls": len(self.channels), **self.counters}
