"""WebRTC callers and browser agents through a REAL Asterisk 22 (marker asterisk_live; see conftest.py).

The server runs as ``callcenter serve`` does with ``ami.servers`` and ``media.audiosocket_enabled``: a web
caller (an aiortc client, as the /call page or ``callcenter call``) is an AudioSocket channel originated
into ``cc-inbound``, so it runs the real dialplan, the FastAGI IVR (keys from the page's keypad reach it by
AMI ``PlayDTMF Receive: yes``), queues, and is answered by a baresip agent phone; a browser agent (an
aiortc client registered as the /phone page does) is an AudioSocket channel originated into
``cc-agent-wait`` that Asterisk bridges to a SIP caller. Audio is checked both ways by tones (each side
sends its own frequency; each recording must hold the other's), the end by Asterisk's own account (AMI
hang-ups as the engine stored them) and the call record."""
from __future__ import annotations

import asyncio
import time

import pytest

from callcenter.media.webrtc_client import PeerClient

from .harness import free_port, tone_level
from .live import AGENT_TONE, CALLER_TONE, Live
from .test_live_audiosocket import goertzel_share, tone_pcm
from .test_live_calls import _ended_within, _gone, _talking

RATE = 8000
#: the browser agent's tone (the SIP caller sends CALLER_TONE)
BROWSER_TONE = 770.0


def web_overrides() -> dict:
    return {"media.audiosocket_enabled": True, "media.audiosocket_bind": f"127.0.0.1:{free_port()}",
            "webrtc.host_addresses": ["127.0.0.1"], "webrtc.caller_number": "5000"}


@pytest.fixture
async def wlive(tmp_path):
    lv = Live(tmp_path, web_overrides())
    try:
        await lv.start()
        yield lv
    finally:
        await lv.close()


async def web_call(live: Live, clients: list) -> tuple[PeerClient, dict]:
    c = PeerClient(RATE)
    clients.append(c)
    async with live.http.post(live.url + "/webrtc/call", json={**await c.offer(), "name": "Web tester"}) as r:
        answer = await r.json()
        assert r.status == 200, answer
    await c.accept(answer)
    await asyncio.wait_for(c.opened.wait(), 15)
    return c, answer


def heard_sound(client: PeerClient, since: int = 0) -> bool:
    """The caller heard something loud (a prompt) after byte ``since`` of what it heard."""
    import numpy as np
    x = np.frombuffer(bytes(client.heard[since:]), "<i2")
    return len(x) > 0 and int(np.abs(x).max()) > 1000


def quiet_tail(client: PeerClient, seconds: float) -> bool:
    import numpy as np
    n = int(seconds * RATE)
    x = np.frombuffer(bytes(client.heard[-2 * n:]), "<i2")
    return len(x) >= n and int(np.abs(x).max()) < 600


async def wait_prompt_then_pause(live: Live, client: PeerClient, timeout: float = 30.0, since: int = 0) -> None:
    """Until the caller has heard a prompt (after byte ``since``) and then 0.4 s of quiet (the IVR waits
    for input, or is between two prompts)."""
    await live.wait_for(lambda: heard_sound(client, since), timeout, 0.05)
    await live.wait_for(lambda: quiet_tail(client, 0.4), timeout, 0.05)


async def ended_within(live: Live, first: str, second: str) -> float:
    """``_ended_within`` once the engine has stored both channels' ends (under load the AudioSocket
    channel's hang-up may be stored after the call has settled)."""
    async def stored() -> bool:
        chans = {e["data"].get("channel") for e in await live.events() if e["event"] in ("BridgeLeft", "ChannelHungup")}
        return first in chans and second in chans
    await live.wait_for(stored, 15, 0.2)
    return await _ended_within(live, first, second)


def web_call_of(live: Live):
    return next((c for c in live.engine.calls.values() if c.channel.startswith("AudioSocket/")), None)


CAPTURE_HEADER = ["Real Asterisk 22.10.1 (private instance of tests/live), AMI user callcenter of "
                  "asterisk_conf/manager.conf", "(read = system,call), the project's asterisk_conf/ dialplan; "
                  "the server of tests/live/test_live_webrtc.py with", "media.audiosocket_enabled (web callers and "
                  "browser agents are AudioSocket channels). Format as in ami-*.txt."]


async def capture(live: Live):
    from .capture import AmiCapture
    return await AmiCapture("127.0.0.1", live.ast.ami_port, "callcenter", live.ast.secret).start()


def keep(cap, name: str, header: list[str]) -> None:
    """Save the transcript as tests/fixtures/asterisk/<name> when CALLCENTER_LIVE_CAPTURE_DIR is set (the
    double replays it: tests/media/test_webrtc_asterisk_double.py)."""
    import os
    out = os.environ.get("CALLCENTER_LIVE_CAPTURE_DIR")
    if out:
        from pathlib import Path
        cap.save(Path(out) / name, CAPTURE_HEADER + header)


def hangups(cap, channel: str) -> list[tuple[str, str]]:
    """(event, cause) of the hang-up events of ``channel`` in a capture, in order."""
    return [(e["Event"], e.get("Cause", "")) for e in cap.events()
            if e.get("Event") in ("HangupRequest", "SoftHangupRequest", "Hangup") and e.get("Channel") == channel]


async def test_web_caller_keys_queue_sip_agent_audio_both_ways_caller_hangs_up(wlive):
    live = wlive
    clients: list[PeerClient] = []
    cap = await capture(live)
    try:
        agent = await live.phone("7001")                 # ann: billing 3
        await live.ready("ann")
        cap.note("a web caller (aiortc) calls: AudioSocket channel originated into cc-inbound 5000")
        client, answer = await web_call(live, clients)
        status = await client.wait_message("status", 15)
        assert status is not None and status["state"] == "connected", client.messages
        assert status["channel"].startswith("AudioSocket/")
        await wait_prompt_then_pause(live, client)        # "Welcome ... press 1, 2 or 3."
        cap.note("the page presses 1 (AMI PlayDTMF Receive: yes on the AudioSocket channel)")
        client.press("1")                                 # the page's keypad: billing
        await asyncio.sleep(0.5)
        await wait_prompt_then_pause(live, client)        # "Enter your account number ..."
        cap.note("the page presses 1234#")
        client.press("1234#")
        call = await _talking(live)
        cap.note(f"bridged: web caller {call.channel}, agent leg {call.agent_channel} (baresip 7001, auto-answer)")
        assert call.channel == status["channel"] and call.queue == "billing" and call.agent_id == "ann"
        agent_leg = call.agent_channel
        client.say(tone_pcm(CALLER_TONE, 8.0, RATE))      # the caller speaks its tone (past the hang-up) ...
        mark = len(client.heard)
        await asyncio.sleep(4.0)                          # ... while the agent phone sends 440 Hz
        heard_by_caller = bytes(client.heard[mark:])
        t0 = time.monotonic()
        cap.note("the page hangs up: the engine closes the AudioSocket leg (0x00 frame)")
        await client.hangup()                             # the page hangs up
        await live.wait_for(lambda: _gone(live, agent_leg), 5, 0.05)
        gone_after = time.monotonic() - t0
        await live.wait_for(lambda: _gone(live, call.channel), 5, 0.05)
        await live.settle()
        await asyncio.sleep(0.5)
        cap.note("both channels gone")
        await cap.stop()
        # our 0x00 hangs the AudioSocket channel up with cause 16 (normal clearing); the agent leg follows
        assert hangups(cap, call.channel)[-1] == ("Hangup", "16"), hangups(cap, call.channel)
        keep(cap, "live-webrtc-caller-hangs-up.txt", [
            f"web caller {call.channel}, agent leg {agent_leg}",
            f"hang-up events of the web caller's channel: {hangups(cap, call.channel)}",
            f"hang-up events of the agent leg: {hangups(cap, agent_leg)}"])
        assert gone_after < 1.5, f"the agent leg outlived the page's hang-up by {gone_after:.2f} s"
        assert await ended_within(live, call.channel, agent_leg) < 1.0
        [cdr] = await live.cdrs()
        assert cdr["disposition"] == "answered" and cdr["agent"] == "ann" and cdr["queue"] == "billing"
        assert cdr["data"]["ended_by"] == "caller", cdr["data"]
        assert cdr["data"]["ivr"]["account"] == "1234"
        share = goertzel_share(heard_by_caller[-RATE * 2 * 2:], AGENT_TONE["7001"], RATE)
        assert share > 0.5, f"the web caller did not hear the agent ({share:.2f})"
        await asyncio.sleep(1.0)                          # baresip closes its recording
        assert tone_level(agent.recordings()[-1], CALLER_TONE, last=3.0) > 0.5, "the agent did not hear the web caller"
        await live.wait_for(lambda: live.engine.agents["ann"].state in ("ready", "wrapup"), 10, 0.1)
    finally:
        await cap.stop()
        for c in clients:
            await c.close()


async def test_web_caller_spoken_answer_reaches_the_ivr_then_abandons(wlive):
    """The menu answered by voice over WebRTC -> AudioSocket -> the IVR's recognizer (file path: Asterisk
    records the AudioSocket channel's audio); then the caller leaves while waiting: abandoned."""
    from callcenter.commands.call import speech_pcm
    live = wlive
    try:
        said = speech_pcm("billing")
    except RuntimeError as exc:
        pytest.skip(str(exc))
    clients: list[PeerClient] = []
    try:
        client, _ = await web_call(live, clients)
        # as a person would: answer after a prompt, and again if the IVR asks again (the welcome and the
        # menu prompts are two prompts; the file path listens only once the menu prompt has played)
        mark = 0
        for _ in range(4):
            await wait_prompt_then_pause(live, client, since=mark)
            client.say(said)
            await client.said()
            mark = len(client.heard)
            try:
                await live.wait_for(lambda: (c := web_call_of(live)) is not None and c.state == "waiting"
                                    or heard_sound(client, mark), 20, 0.05)
            except AssertionError:
                break
            if web_call_of(live).state == "waiting":
                break
        await live.wait_for(lambda: (c := web_call_of(live)) is not None and c.state == "waiting", 20, 0.1)
        call = web_call_of(live)
        assert call.queue == "billing", call.ivr
        await live.wait_for(lambda: any(m.get("state") == "waiting" for m in client.messages), 10, 0.05)
        waiting = next(m for m in client.messages if m.get("state") == "waiting")
        heard = [m for m in client.messages if m.get("type") == "heard"]
        assert waiting["queue"] == "billing", client.messages
        assert any(m.get("type") == "call" and m["call_id"] == call.call_id for m in client.messages), client.messages
        assert any(m["text"] == "billing" for m in heard), heard
        await client.hangup()
        await live.wait_for(lambda: _gone(live, call.channel), 5, 0.05)
        await live.settle()
        [cdr] = await live.cdrs()
        assert cdr["disposition"] == "abandoned" and cdr["queue"] == "billing"
        assert cdr["data"]["ivr"]["department"] == "billing"
    finally:
        for c in clients:
            await c.close()


async def browser_agent(live: Live, agent: str, clients: list) -> PeerClient:
    """An aiortc client registered as the /phone page does, the agent logged in at it and ready."""
    c = PeerClient(RATE)
    clients.append(c)
    st, answer = await live.api("POST", "/api/webrtc/phone", {**await c.offer(), "agent": agent})
    assert st == 200, answer
    await c.accept(answer)
    await asyncio.wait_for(c.opened.wait(), 15)
    st, body = await live.api("POST", f"/api/agents/{agent}/login", {"phone": answer["interface"]})
    assert st == 200, body
    st, body = await live.api("POST", f"/api/agents/{agent}/ready")
    assert st == 200 and body["state"] == "ready", body
    return c


async def answer_ring(client: PeerClient, timeout: float = 60.0) -> dict:
    ring = await client.wait_message("ring", timeout)
    assert ring is not None, client.messages
    client.send({"type": "answer"})
    started = await client.wait_message("call-started", 10)
    assert started is not None and started["call_id"] == ring["call_id"], client.messages
    return ring


@pytest.mark.parametrize("who_hangs_up", ["agent", "caller"])
async def test_browser_agent_answers_a_sip_caller(wlive, who_hangs_up):
    live = wlive
    clients: list[PeerClient] = []
    cap = await capture(live)
    try:
        page = await browser_agent(live, "ann", clients)
        caller = await live.phone("1000")
        cap.note("baresip 1000 dials 5000 (e2e flow: no input -> support -> ann's browser phone Browser/ann)")
        await caller.dial("5000")                         # e2e flow: no input -> support -> ann's browser
        ring = await answer_ring(page)
        call = await _talking(live)
        cap.note(f"the page answered: agent leg {call.agent_channel} (AudioSocket, cc-agent-wait) bridged to "
                 f"{call.channel}")
        assert call.call_id == ring["call_id"] and call.agent_id == "ann"
        agent_chan = call.agent_channel
        assert agent_chan.startswith("AudioSocket/"), agent_chan
        page.say(tone_pcm(BROWSER_TONE, 8.0, RATE))       # (still sounding at the hang-up)
        mark = len(page.heard)
        await asyncio.sleep(4.0)
        heard_by_agent = bytes(page.heard[mark:])
        t0 = time.monotonic()
        cap.note("the page hangs up (end): the engine closes the agent's AudioSocket leg (0x00 frame)"
                 if who_hangs_up == "agent" else "baresip 1000 hangs up (BYE)")
        if who_hangs_up == "agent":
            page.send({"type": "end"})                    # the page's hang-up button
            await live.wait_for(lambda: _gone(live, call.channel), 5, 0.05)
        else:
            await caller.hangup()
            assert await page.wait_message("call-ended", 5) is not None, page.messages
        await live.wait_for(lambda: _gone(live, agent_chan), 5, 0.05)
        gone_after = time.monotonic() - t0
        await live.settle()
        await asyncio.sleep(0.5)
        cap.note("both channels gone")
        await cap.stop()
        assert gone_after < 1.5, f"the other leg outlived the hang-up by {gone_after:.2f} s"
        assert hangups(cap, agent_chan)[-1] == ("Hangup", "16"), hangups(cap, agent_chan)
        keep(cap, f"live-webrtc-browser-agent-{who_hangs_up}-hangs-up.txt", [
            f"caller {call.channel}, browser agent leg {agent_chan}",
            f"hang-up events of the caller's channel: {hangups(cap, call.channel)}",
            f"hang-up events of the agent leg: {hangups(cap, agent_chan)}"])
        first = call.channel if who_hangs_up == "caller" else agent_chan
        second = agent_chan if who_hangs_up == "caller" else call.channel
        assert await ended_within(live, first, second) < 1.0
        [cdr] = await live.cdrs()
        assert cdr["disposition"] == "answered" and cdr["agent"] == "ann"
        assert cdr["data"]["ended_by"] == who_hangs_up, cdr["data"]
        share = goertzel_share(heard_by_agent[-RATE * 2 * 2:], CALLER_TONE, RATE)
        assert share > 0.5, f"the browser agent did not hear the caller ({share:.2f})"
        await asyncio.sleep(1.0)
        assert tone_level(caller.recordings()[-1], BROWSER_TONE, last=3.0) > 0.5, "the caller did not hear the browser"
        await live.wait_for(lambda: live.engine.agents["ann"].state == "ready", 10, 0.1)
        assert live.app.components["webrtc"].phones.lines["Browser/ann"].state == "idle"
    finally:
        await cap.stop()
        for c in clients:
            await c.close()


async def run_cli(live: Live, *args: str) -> asyncio.subprocess.Process:
    import sys
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "callcenter", "call", "--url", live.url, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**__import__("os").environ, "CALLCENTER_DATA_DIR": str(live.tmp / "cli-data")})


async def test_callcenter_call_cli_through_asterisk_says_what_it_heard_and_where_the_call_ended(wlive):
    """`callcenter call` (a subprocess, as in a CI smoke test) against the server on the real Asterisk:
    presses 1 after the first prompt, is answered by ann's SIP phone, and ann hangs up."""
    live = wlive
    agent = await live.phone("7001")
    await live.ready("ann")
    proc = await run_cli(live, "--keys", "1", "--expect-agent", "--hold", "30", "--timeout", "90")
    await _talking(live, 60)
    await asyncio.sleep(2.0)
    await agent.hangup()
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    text = out.decode()
    assert proc.returncode == 0, text + err.decode()[-2000:]
    await live.settle()
    [cdr] = await live.cdrs()
    lines = text.splitlines()
    assert f"call {cdr['call_id']}" in lines, text                  # the record's id
    assert any(ln.startswith("connected through Asterisk (AudioSocket/") for ln in lines), text
    assert "IVR heard: keys 1" in lines and "waiting in queue billing" in lines and "talking with ann" in lines, text
    assert "call ended by the server: answered (ended by agent)" in lines, text
    assert any(ln.startswith("heard (recognized here): ") for ln in lines), text   # the prompts' audio
    assert lines[-1] == "result: ended in queue billing with ann (answered, ended by agent); exit 0", text
    assert cdr["data"]["ended_by"] == "agent" and cdr["agent"] == "ann"


async def test_web_caller_vanishes_mid_call(tmp_path):
    """The browser is killed mid-call (SIGKILL of a `callcenter call`: no goodbye, no DTLS close, no more
    packets): ``webrtc.media_timeout`` finds it, the AudioSocket channel is hung up, the agent's phone is
    freed and the agent is ready again, the record says the caller ended it."""
    import signal
    live = Live(tmp_path, {**web_overrides(), "webrtc.media_timeout": 3.0})
    try:
        await live.start()
        await live.phone("7001")
        await live.ready("ann")
        proc = await run_cli(live, "--keys", "1", "--expect-agent", "--hold", "60", "--no-recognize", "--timeout", "90")
        call = await _talking(live, 60)
        agent_leg = call.agent_channel
        await asyncio.sleep(1.0)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        t0 = time.monotonic()
        await live.wait_for(lambda: _gone(live, call.channel), 15, 0.1)
        await live.wait_for(lambda: _gone(live, agent_leg), 3, 0.05)
        found_after = time.monotonic() - t0
        await live.settle()
        [cdr] = await live.cdrs()
        assert cdr["disposition"] == "answered" and cdr["data"]["ended_by"] == "caller", cdr["data"]
        assert found_after < 3.0 + 3.0, f"found {found_after:.1f} s after the kill (media_timeout 3 s)"
        await live.wait_for(lambda: live.engine.agents["ann"].state == "ready", 10, 0.1)
        svc = live.app.components["webrtc"]
        assert svc.gateway.sessions == {} and not svc.calls.tasks
        assert live.app.components["asterisk"].audiosocket.legs == {}
    finally:
        await live.close()


async def test_browser_agent_vanishes_mid_call(wlive):
    """The agent's page closes its peer connection without hanging up (tab closed): the agent's AudioSocket
    channel is hung up, so is the caller (the engine ends both legs), the record is written, the browser
    phone is gone and the agent is no longer on a call."""
    live = wlive
    clients: list[PeerClient] = []
    try:
        page = await browser_agent(live, "ann", clients)
        caller = await live.phone("1000")
        await caller.dial("5000")
        await answer_ring(page)
        call = await _talking(live)
        agent_chan = call.agent_channel
        await asyncio.sleep(1.0)
        t0 = time.monotonic()
        await page.pc.close()                             # no {"type": "end"}, no {"type": "hangup"}
        await live.wait_for(lambda: _gone(live, agent_chan), 5, 0.05)
        await live.wait_for(lambda: _gone(live, call.channel), 5, 0.05)
        gone_after = time.monotonic() - t0
        await live.settle()
        [cdr] = await live.cdrs()
        assert cdr["disposition"] == "answered" and cdr["data"]["ended_by"] == "agent", cdr["data"]
        assert gone_after < 2.0, gone_after
        svc = live.app.components["webrtc"]
        await live.wait_for(lambda: "Browser/ann" not in svc.phones.lines and not svc.gateway.sessions, 5, 0.05)
        await live.wait_for(lambda: live.engine.agents["ann"].state not in ("talking", "offered", "wrapup"), 10, 0.1)
        assert live.app.components["asterisk"].audiosocket.legs == {}
    finally:
        for c in clients:
            await c.close()
