"""A web caller through the Asterisk double: its WebRTC leg is joined to an AudioSocket channel originated
into cc-inbound, the inbound dialplan runs the FastAGI IVR on it, and keys pressed in the page reach that
IVR as AMI PlayDTMF Receive: yes (AudioSocket cannot carry DTMF to Asterisk)."""
from __future__ import annotations

import asyncio

import pytest

from callcenter.asterisk.agi_channel import AgiChannel
from callcenter.ivr.channel import Prompt
from callcenter.media.webrtc_asterisk import AsteriskWebRTC
from callcenter.media.webrtc_call import WebCalls
from tests.asterisk.conftest import double  # noqa: F401 - the Asterisk double fixture
from tests.media.test_audiosocket_agi import service  # noqa: F401 - AsteriskService with AudioSocket on the double

from .webrtc_helpers import connect, gateway, tone


async def test_web_caller_runs_the_inbound_ivr_and_page_keys_reach_it(service, double):  # noqa: F811
    double.agi_port = service.agi.bound_port
    seen: dict = {}

    async def ivr(ch: AgiChannel):
        seen["info"] = ch.info
        await ch.answer()
        await asyncio.sleep(1.5)                      # the page presses its keys meanwhile
        seen["digits"] = await ch.collect_digits([Prompt("file", "enter-account")], 3, 5.0)
    service.route("ivr", ivr, channel=True)
    via = AsteriskWebRTC(service.control, caller_number="5000", sample_rate=8000)
    calls = WebCalls(None, asterisk_caller=via.caller)
    gw = gateway()
    client, leg = await connect(gw)
    try:
        calls.start(leg, caller="web", caller_name="Web caller")
        status = await client.wait_message("status", 10)
        assert status is not None and status["channel"].startswith("AudioSocket/")
        client.say(tone(440, 1.0))
        client.press("12#")
        ended = await client.wait_message("ended", 15)            # the IVR ended: Asterisk hung up
        assert ended is not None
        info = seen["info"]
        assert info.did == "5000" and info.caller_name == "Web caller" and info.channel == status["channel"]
        assert seen["digits"].digits == "12"
        plays = [a for a in double.actions_named("PlayDTMF")]
        assert [(a.get("Digit"), a.get("Receive")) for a in plays] == [("1", "yes"), ("2", "yes"), ("#", "yes")]
        loop = asyncio.get_running_loop()
        end = loop.time() + 5
        while (calls.tasks or service.audiosocket.legs) and loop.time() < end:
            await asyncio.sleep(0.05)
        assert not calls.tasks and service.audiosocket.legs == {} and leg.ended is not None
    finally:
        await client.close()
        await calls.stop()
        await gw.stop()


async def browser_agent_answers(service, call_id: str):
    """alice's browser phone (AudioSocket agent legs on the double) rung for ``call_id`` and answered:
    (via, phones, gateway, client, leg, ring result)."""
    from callcenter.media.webrtc_phones import BrowserPhones
    via = AsteriskWebRTC(service.control, caller_number="5000", sample_rate=8000)
    phones = BrowserPhones(service.control, service, asterisk_leg=via.agent_leg)
    gw = gateway()
    client, leg = await connect(gw, kind="agent")
    phones.register("alice", leg)
    ring = asyncio.ensure_future(phones.ring_agent("Browser/alice", call_id=call_id, timeout=5))
    assert (await client.wait_message("ring", 5))["call_id"] == call_id
    client.send({"type": "answer"})
    return via, phones, gw, client, leg, await ring


async def test_browser_agent_leg_is_an_audiosocket_channel_asterisk_can_bridge(service, double):  # noqa: F811
    via, phones, gw, client, leg, res = await browser_agent_answers(service, "c-7")
    try:
        assert res.answered and res.channel.startswith("AudioSocket/")
        [orig] = double.actions_named("Originate")
        assert orig.get("Context") == "cc-agent-wait"
        assert double.model.by_name(res.channel) is not None              # a live channel Asterisk can bridge
        await phones.hangup(res.channel)                                   # the engine ends the agent leg (AMI)
        assert (await client.wait_message("call-ended", 5))["call_id"] == "c-7"
        loop = asyncio.get_running_loop()
        end = loop.time() + 5
        while (via.tasks or service.audiosocket.legs) and loop.time() < end:
            await asyncio.sleep(0.05)
        assert not via.tasks and service.audiosocket.legs == {}
        assert phones.lines["Browser/alice"].state == "idle"
    finally:
        await leg.close()
        await client.close()
        await gw.stop()


FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures" / "asterisk"


def captured_hangups(name: str, whose: str) -> list[tuple[str, str]]:
    """The hang-up events a live capture's header lists (tests/live/test_live_webrtc.py wrote them)."""
    import ast
    for line in (FIXTURES / name).read_text().splitlines():
        if line.startswith(f"# hang-up events of the {whose}: "):
            return ast.literal_eval(line.split(": ", 1)[1])
    raise AssertionError(f"{name} has no hang-up line for {whose}")


def double_hangups(double, channel: str) -> list[tuple[str, str]]:
    return [(name, f.get("Cause", "")) for name, f in double.model.history
            if name in ("HangupRequest", "SoftHangupRequest", "Hangup") and f.get("Channel") == channel]


def gone(double, channel: str) -> bool:
    ch = double.model.by_name(channel)
    return ch is None or not ch.alive


async def test_web_caller_page_hangs_up_the_channel_ends_as_the_live_capture(service, double):  # noqa: F811
    """live-webrtc-caller-hangs-up.txt: the page gone, our 0x00 ends the web caller's AudioSocket channel
    while its FastAGI IVR runs: SoftHangupRequest (Cause 16), then Hangup (Cause 16) when the AGI ends."""
    double.agi_port = service.agi.bound_port
    in_ivr = asyncio.Event()

    async def ivr(ch: AgiChannel):
        await ch.answer()
        in_ivr.set()
        await ch.collect_digits([Prompt("file", "enter-account")], 3, 30.0)
    service.route("ivr", ivr, channel=True)
    via = AsteriskWebRTC(service.control, caller_number="5000", sample_rate=8000)
    calls = WebCalls(None, asterisk_caller=via.caller)
    gw = gateway()
    client, leg = await connect(gw)
    try:
        calls.start(leg)
        status = await client.wait_message("status", 10)
        await asyncio.wait_for(in_ivr.wait(), 10)
        await client.hangup()
        await double.wait_for(lambda: gone(double, status["channel"]), 10)
        assert double_hangups(double, status["channel"]) == captured_hangups(
            "live-webrtc-caller-hangs-up.txt", "web caller's channel")
    finally:
        await client.close()
        await calls.stop()
        await gw.stop()


@pytest.mark.parametrize("bridged", [True, False])
async def test_browser_agent_hangs_up_its_channel_ends_as_the_live_captures(service, double, bridged):  # noqa: F811
    """The agent's page hangs up and our 0x00 ends the agent's AudioSocket channel (no AGI on it): bridged to
    a caller, a Hangup with Cause 16 and no request first (live-webrtc-browser-agent-agent-hangs-up.txt);
    still waiting in cc-agent-wait, SoftHangupRequest 16 then Hangup with Cause 0
    (live-audiosocket-agent-wait-hangup-frame.txt)."""
    via, phones, gw, client, leg, res = await browser_agent_answers(service, "c-8")
    try:
        if bridged:                                                    # as EXEC Bridge from the caller's AGI
            caller = double.model.new_channel("PJSIP/1000-00000001", caller_num="1000", caller_name="Caller",
                                              context="cc-inbound", exten="5000", state=6)
            double.model.bridge(caller, double.model.by_name(res.channel))
        client.send({"type": "end"})                                   # the page's hang-up button
        await double.wait_for(lambda: gone(double, res.channel), 5)
        want = captured_hangups("live-webrtc-browser-agent-agent-hangs-up.txt" if bridged else
                                "live-audiosocket-agent-wait-hangup-frame.txt", "agent leg")
        assert double_hangups(double, res.channel) == want
    finally:
        await leg.close()
        await client.close()
        await gw.stop()
