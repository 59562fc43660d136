"""Web callers and browser agents through Asterisk (``ami.servers`` and ``media.audiosocket_enabled``).

* A web caller: :meth:`AsteriskWebRTC.caller` originates an AudioSocket channel into ``cc-inbound`` with
  ``webrtc.caller_number`` as the extension (``CallControl.originate_audiosocket``), so the call runs the
  very same dialplan, FastAGI IVR, queues and agents as a phone call, and joins the browser's leg to it
  (:func:`callcenter.media.bridge.bridge`). AudioSocket cannot carry DTMF towards Asterisk (it hangs the
  call up), so each key pressed in the page is sent with AMI ``PlayDTMF`` ``Receive: yes`` on the
  AudioSocket channel: Asterisk treats it as pressed on that channel, so the channel's own FastAGI session
  (the IVR) reads it (``asterisk-wire/bridge-playdtmf.txt``).
* A browser agent: :meth:`AsteriskWebRTC.agent_leg` (the ``asterisk_leg`` of
  :class:`~callcenter.media.webrtc_phones.BrowserPhones`) originates an AudioSocket channel into
  ``cc-agent-wait``, where an answered agent phone waits, and joins the agent's browser leg to it; the
  engine then bridges the caller to that channel as to any agent phone, so MixMonitor recordings and
  ChanSpy listen/whisper work on it.

Either side ending ends the other: the browser gone closes the AudioSocket leg (0x00: Asterisk hangs the
channel up), the channel hung up (EOF) ends the browser's call.

The page follows its call as in the embedded mode: the engine's domain events about the call whose
channel is the web caller's AudioSocket channel become page messages (:func:`page_message`, pure):
``call`` (the engine's call id, the id of the record), ``partial`` (streaming speech), ``heard`` (the keys
and words the IVR took, when it has finished), ``status`` waiting / talking, and ``ended`` with the
engine's ``ended_by`` and outcome. Prompts' texts are not sent on this path (Asterisk plays them).
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from ..events import DomainEvent
from .bridge import bridge

log = logging.getLogger("callcenter.media.webrtc")

AGENT_WAIT_CONTEXT = "cc-agent-wait"
INBOUND_CONTEXT = "cc-inbound"
#: the domain events a web caller's page is told about (see :func:`page_message`)
#: CallArrived events of unknown AudioSocket channels kept for an Originate still returning
EARLY_KEPT = 256
FOLLOWED = ("CallArrived", "CallerSpeechHeard", "IvrFinished", "CallQueued", "CallAnswered", "CallEnded")


def page_message(event: DomainEvent) -> list[dict[str, Any]]:
    """The page messages (data channel) that tell a web caller what the engine did with its call."""
    d = event.data
    if event.kind == "CallArrived":
        return [{"type": "call", "call_id": event.call_id}]
    if event.kind == "CallerSpeechHeard":
        return [{"type": "partial", "text": d.get("text", "")}]
    if event.kind == "IvrFinished":
        out = []
        for step in (d.get("cdr") or {}).get("ivr_trace") or []:
            data = step.get("data") or {}
            if step.get("kind") == "input" and data.get("digits"):
                out.append({"type": "heard", "text": "", "digits": data["digits"]})
            elif step.get("kind") == "recognition" and data.get("available", True):
                out.append({"type": "heard", "text": data.get("text") or "",
                            "confidence": round(float(data.get("confidence") or 0), 3),
                            "digits": data.get("digits")})
        return out
    if event.kind == "CallQueued":
        return [{"type": "status", "state": "waiting", "queue": event.queue or d.get("queue")}]
    if event.kind == "CallAnswered":
        return [{"type": "status", "state": "talking", "agent": event.agent_id}]
    if event.kind == "CallEnded":
        return [{"type": "ended", "by": d.get("ended_by") or "us", "reason": d.get("outcome") or "ended"}]
    return []


class AsteriskWebRTC:
    def __init__(self, control: Any, *, caller_number: str, sample_rate: int = 8000, bus: Any = None) -> None:
        self.control = control
        self.caller_number = caller_number
        self.sample_rate = sample_rate
        self.tasks: set[asyncio.Task] = set()
        self.counters = {"callers": 0, "agents": 0, "failed": 0, "keys": 0}
        self._by_channel: dict[str, Any] = {}        # AudioSocket channel -> the web caller's leg
        self._by_call: dict[str, Any] = {}           # the engine's call id -> the web caller's leg
        # CallArrived of an AudioSocket channel not known yet: the dialplan reaches the IVR before the
        # Originate has returned the channel's name (channel -> call id; a few at most, bounded)
        self._early: OrderedDict[str, str] = OrderedDict()
        self._unsubscribe = bus.subscribe(self._on_event, FOLLOWED) if bus is not None else None

    def _on_event(self, event: DomainEvent) -> None:
        leg = self._by_call.get(event.call_id or "")
        if leg is None and event.kind == "CallArrived" and event.call_id:
            channel = event.data.get("channel") or ""
            leg = self._by_channel.get(channel)
            if leg is not None:
                self._by_call[event.call_id] = leg
            elif channel.startswith("AudioSocket/"):
                self._early[channel] = event.call_id
                while len(self._early) > EARLY_KEPT:
                    self._early.popitem(last=False)
        if leg is not None:
            for message in page_message(event):
                leg.send_control(message)

    def _follow(self, channel: str, leg: Any) -> None:
        """Tell ``leg`` about the engine's call on ``channel`` from now on (and that it arrived, if it did)."""
        self._by_channel[channel] = leg
        call_id = self._early.pop(channel, None)
        if call_id is not None:
            self._by_call[call_id] = leg
            for message in page_message(DomainEvent("CallArrived", 0.0, call_id=call_id, data={"channel": channel})):
                leg.send_control(message)

    async def caller(self, leg: Any, info: Any) -> None:
        """A web caller's call through the inbound dialplan (returns when it is over)."""
        try:
            as_leg = await self.control.originate_audiosocket(
                context=INBOUND_CONTEXT, exten=self.caller_number, caller_id=f'"{info.caller_name}" <{info.caller}>',
                sample_rate=self.sample_rate, call_id=info.call_id, variables={"CC_WEBRTC_SESSION": leg.leg_id})
        except Exception as exc:  # noqa: BLE001 - ControlError: say why, end the page's call
            self.counters["failed"] += 1
            log.warning("web caller could not reach Asterisk: %s", exc, extra={"call_id": info.call_id})
            leg.send_control({"type": "ended", "by": "us", "reason": f"the call could not reach Asterisk: {exc}"})
            return
        self.counters["callers"] += 1
        channel = getattr(as_leg, "channel", "")
        leg.send_control({"type": "status", "state": "connected", "channel": channel})
        self._follow(channel, leg)

        async def press(digit: str) -> None:
            self.counters["keys"] += 1
            try:
                await self.control.play_dtmf(channel, digit, receive=True)
            except Exception as exc:  # noqa: BLE001 - a lost key is logged, the call goes on
                log.warning("key %s not sent to %s: %s", digit, channel, exc, extra={"call_id": info.call_id})

        try:
            first = await bridge(leg, as_leg, keys_a=press, reason="the web caller hung up")
        finally:
            self._by_channel.pop(channel, None)
            for call_id in [k for k, v in self._by_call.items() if v is leg]:
                del self._by_call[call_id]
        log.info("web caller's call over (%s hung up first)", "caller" if first == "a" else "Asterisk",
                 extra={"call_id": info.call_id})

    async def agent_leg(self, call_leg: Any, call_id: str) -> str:
        """An answered browser agent as an Asterisk channel waiting in ``cc-agent-wait``: its name."""
        as_leg = await self.control.originate_audiosocket(
            context=AGENT_WAIT_CONTEXT, exten="s", caller_id=f'"{call_leg.line.agent}" <{call_leg.line.interface}>',
            sample_rate=self.sample_rate, call_id=call_id, variables={"CC_AGENT_INTERFACE": call_leg.line.interface})
        self.counters["agents"] += 1
        task = asyncio.ensure_future(bridge(call_leg, as_leg, reason="the agent hung up"))
        task.set_name(f"browser-agent-{call_id}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return as_leg.channel

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        for t in list(self.tasks):
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def status(self) -> dict[str, Any]:
        return {"bridged": len(self.tasks), "callers_followed": len(self._by_channel), **self.counters}
