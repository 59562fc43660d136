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
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from .bridge import bridge

log = logging.getLogger("callcenter.media.webrtc")

AGENT_WAIT_CONTEXT = "cc-agent-wait"
INBOUND_CONTEXT = "cc-inbound"


class AsteriskWebRTC:
    def __init__(self, control: Any, *, caller_number: str, sample_rate: int = 8000) -> None:
        self.control = control
        self.caller_number = caller_number
        self.sample_rate = sample_rate
        self.tasks: set[asyncio.Task] = set()
        self.counters = {"callers": 0, "agents": 0, "failed": 0, "keys": 0}

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

        async def press(digit: str) -> None:
            self.counters["keys"] += 1
            try:
                await self.control.play_dtmf(channel, digit, receive=True)
            except Exception as exc:  # noqa: BLE001 - a lost key is logged, the call goes on
                log.warning("key %s not sent to %s: %s", digit, channel, exc, extra={"call_id": info.call_id})

        first = await bridge(leg, as_leg, keys_a=press, reason="the web caller hung up")
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
        for t in list(self.tasks):
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def status(self) -> dict[str, Any]:
        return {"bridged": len(self.tasks), **self.counters}
