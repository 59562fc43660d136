"""Web callers and browser agents through Asterisk: the AudioSocket channel (a FakeLeg here) joined to the
browser's leg, keys as AMI PlayDTMF Receive: yes, either side ending ends the other."""
from __future__ import annotations

import asyncio

from callcenter.ivr.channel import CallInfo
from callcenter.media.testing import FakeLeg
from callcenter.media.webrtc_asterisk import AsteriskWebRTC
from callcenter.media.webrtc_call import WebCalls
from callcenter.media.webrtc_phones import BrowserPhones

from .webrtc_helpers import connect, gateway, tone


class FakeControl:
    """Asterisk's call control as far as the WebRTC path uses it."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.originated: list[dict] = []
        self.legs: dict[str, FakeLeg] = {}
        self.keys: list[tuple[str, str, bool]] = []
        self.hung_up: list[str] = []

    async def originate_audiosocket(self, **kw):
        if self.fail:
            raise RuntimeError("Originate refused by Asterisk default: no such context")
        self.originated.append(kw)
        leg = FakeLeg(realtime=True, end_after=60, leg_id=f"as-{len(self.legs)}")
        leg.channel = f"AudioSocket/127.0.0.1:9092-{len(self.legs):04d}"
        self.legs[leg.channel] = leg
        return leg

    async def play_dtmf(self, channel: str, digit: str, *, receive: bool = False) -> None:
        self.keys.append((channel, digit, receive))

    async def hangup(self, channel: str) -> None:
        self.hung_up.append(channel)
        await self.legs[channel].close("hung up by AMI")


async def until(pred, timeout=5.0):
    end = asyncio.get_running_loop().time() + timeout
    while not pred():
        assert asyncio.get_running_loop().time() < end, "timed out"
        await asyncio.sleep(0.05)


async def test_web_caller_goes_through_the_inbound_dialplan_with_keys_as_playdtmf():
    control = FakeControl()
    via = AsteriskWebRTC(control, caller_number="8800")
    calls = WebCalls(None, asterisk_caller=via.caller)
    gw = gateway()
    client, leg = await connect(gw)
    try:
        calls.start(leg, caller="web", caller_name="Web caller")
        await until(lambda: control.legs)
        (channel, as_leg), = control.legs.items()
        assert control.originated[0]["context"] == "cc-inbound" and control.originated[0]["exten"] == "8800"
        assert (await client.wait_message("status", 5))["channel"] == channel
        client.press("42")
        client.say(tone(440, 0.6))
        await until(lambda: len(control.keys) == 2)
        assert control.keys == [(channel, "4", True), (channel, "2", True)]
        await until(lambda: len(as_leg.played_audio()) > 4000)        # the caller's voice reached Asterisk
        await as_leg.close("channel hung up")                          # Asterisk ends the call
        assert (await client.wait_message("ended", 5)) is not None
        await until(lambda: not calls.tasks and leg.ended is not None)
    finally:
        await client.close()
        await gw.stop()
        await calls.stop()


async def test_web_caller_hangs_up_and_the_audiosocket_channel_is_released():
    control = FakeControl()
    calls = WebCalls(None, asterisk_caller=AsteriskWebRTC(control, caller_number="8800").caller)
    gw = gateway()
    client, leg = await connect(gw)
    calls.start(leg)
    await until(lambda: control.legs)
    as_leg = next(iter(control.legs.values()))
    await client.hangup()
    await until(lambda: as_leg.ended is not None and not calls.tasks)
    assert as_leg.ended.by == "us"                                    # 0x00 to Asterisk: channel hung up
    await gw.stop()


async def test_asterisk_refusing_the_channel_ends_the_page_call_with_the_reason():
    calls = WebCalls(None, asterisk_caller=AsteriskWebRTC(FakeControl(fail=True), caller_number="8800").caller)
    gw = gateway()
    client, leg = await connect(gw)
    calls.start(leg)
    msg = await client.wait_message("ended", 5)
    assert "could not reach Asterisk" in msg["reason"] and "no such context" in msg["reason"]
    await until(lambda: leg.ended is not None and not calls.tasks)
    await client.close()
    await gw.stop()


async def test_browser_agent_is_an_audiosocket_channel_waiting_for_the_bridge():
    control = FakeControl()
    via = AsteriskWebRTC(control, caller_number="8800")
    phones = BrowserPhones(control, None, asterisk_leg=via.agent_leg)
    gw = gateway()
    client, leg = await connect(gw, kind="agent")
    phones.register("alice", leg)
    ring = asyncio.ensure_future(phones.ring_agent("Browser/alice", call_id="c1", timeout=5))
    assert (await client.wait_message("ring", 5))["call_id"] == "c1"
    client.send({"type": "answer"})
    res = await ring
    assert res.answered and res.channel in control.legs
    assert control.originated[0]["context"] == "cc-agent-wait"
    as_leg = control.legs[res.channel]
    client.say(tone(300, 0.6))
    await until(lambda: len(as_leg.played_audio()) > 4000)
    await phones.hangup(res.channel)                   # the engine hangs the agent channel up (AMI)
    assert control.hung_up == [res.channel]
    assert (await client.wait_message("call-ended", 5))["call_id"] == "c1"
    await until(lambda: not via.tasks)
    assert phones.lines["Browser/alice"].state == "idle"
    assert phones.channels == {}                       # the call leg is forgotten (it leaked once per call)
    await leg.close()
    await client.close()
    await gw.stop()


async def web_caller_via(control, bus):
    """A web caller on the Asterisk path (``control`` originates its channel): (via, calls, gateway, client,
    leg), the call started."""
    via = AsteriskWebRTC(control, caller_number="8800", bus=bus)
    calls = WebCalls(None, asterisk_caller=via.caller)
    gw = gateway()
    client, leg = await connect(gw)
    calls.start(leg)
    return via, calls, gw, client, leg


async def test_the_page_follows_the_engines_call_on_its_audiosocket_channel():
    """The engine's events about the call whose channel is the web caller's AudioSocket channel reach the
    page (the record's call id, the keys and words the IVR took, the queue, the agent, the end with
    ended_by); events of other calls do not; one 'ended' message only."""
    from callcenter.events import DomainEvent, EventBus
    bus = EventBus()
    control = FakeControl()
    via, calls, gw, client, leg = await web_caller_via(control, bus)
    try:
        await until(lambda: control.legs)
        (channel, as_leg), = control.legs.items()
        await client.wait_message("status", 5)
        trace = [{"kind": "input", "data": {"digits": "1"}},
                 {"kind": "recognition", "data": {"available": False}},
                 {"kind": "recognition", "data": {"text": "billing", "confidence": 0.81234}}]
        for ev in [DomainEvent("CallArrived", 1.0, call_id="other", data={"channel": "PJSIP/1000-1"}),
                   DomainEvent("CallArrived", 1.0, call_id="1700000000.7", data={"channel": channel}),
                   DomainEvent("CallerSpeechHeard", 2.0, call_id="1700000000.7", data={"text": "bill"}),
                   DomainEvent("IvrFinished", 3.0, call_id="1700000000.7", data={"cdr": {"ivr_trace": trace}}),
                   DomainEvent("CallQueued", 3.0, call_id="other", queue="sales"),
                   DomainEvent("CallQueued", 3.0, call_id="1700000000.7", queue="billing"),
                   DomainEvent("CallAnswered", 4.0, call_id="1700000000.7", agent_id="ann"),
                   DomainEvent("CallEnded", 5.0, call_id="1700000000.7",
                               data={"outcome": "answered", "ended_by": "agent"})]:
            bus.publish(ev)
        await as_leg.close("channel hung up")                      # then Asterisk hangs the channel up
        await until(lambda: not calls.tasks and leg.ended is not None)
        await asyncio.sleep(0.2)
        got = [m for m in client.messages if m["type"] != "status" or m["state"] != "connected"][1:]
        assert got == [{"type": "call", "call_id": "1700000000.7"}, {"type": "partial", "text": "bill"},
                       {"type": "heard", "text": "", "digits": "1"},
                       {"type": "heard", "text": "billing", "confidence": 0.812, "digits": None},
                       {"type": "status", "state": "waiting", "queue": "billing"},
                       {"type": "status", "state": "talking", "agent": "ann"},
                       {"type": "ended", "by": "agent", "reason": "answered"}], client.messages
        assert via.status()["callers_followed"] == 0 and not via._by_call
    finally:
        await client.close()
        await gw.stop()
        await calls.stop()
        await via.stop()


async def test_the_call_arriving_before_the_originate_returns_still_reaches_the_page():
    """On a real Asterisk the channel runs the dialplan (and the engine's IVR starts: CallArrived) before
    the Originate has returned the channel's name to us: the page is told all the same."""
    from callcenter.events import DomainEvent, EventBus
    bus = EventBus()

    class EarlyControl(FakeControl):
        async def originate_audiosocket(self, **kw):
            leg = await super().originate_audiosocket(**kw)
            bus.publish(DomainEvent("CallArrived", 1.0, call_id="1700000000.9", data={"channel": leg.channel}))
            return leg
    via, calls, gw, client, leg = await web_caller_via(EarlyControl(), bus)
    try:
        msg = await client.wait_message("call", 5, after=1)
        assert msg == {"type": "call", "call_id": "1700000000.9"}, client.messages
        bus.publish(DomainEvent("CallQueued", 2.0, call_id="1700000000.9", queue="sales"))
        assert (await client.wait_message("status", 5, after=2))["queue"] == "sales", client.messages
        assert not via._early
    finally:
        await client.close()
        await gw.stop()
        await calls.stop()
        await via.stop()
