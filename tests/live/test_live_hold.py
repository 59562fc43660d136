"""Hold, resume and transfer to a queue through a real Asterisk 22 with real phones (baresip: each
phone sends its own tone, see live.py): on hold the caller hears music and the agent nothing; resumed,
both hear each other again; either side hanging up on hold ends the call; a transfer to a queue is
answered by another agent. Set CALLCENTER_LIVE_CAPTURE_DIR to keep the AMI transcript of the hold
(``live-cc-hold.txt``, replayed by the double: tests/asterisk/test_double_hold.py)."""
from __future__ import annotations

import asyncio
import os
import time
import wave
from pathlib import Path

import numpy as np


from .capture import AmiCapture
from .live import AGENT_TONE, CALLER_TONE, Live
from .test_live_calls import _gone, _talking


async def recorded(live, phone, seconds: float = 3.0) -> Path:
    """The phone's last recording once baresip has written at least ``seconds`` of it (it writes the file
    when the call ends: on a loaded machine a moment after the hang-up)."""
    def done():
        recs = phone.recordings()
        if not recs:
            return None
        try:
            with wave.open(str(recs[-1])) as w:
                return recs[-1] if w.getnframes() >= seconds * w.getframerate() else None
        except (EOFError, wave.Error):
            return None
    return await live.wait_for(done, 15, 0.2)


def window(path: Path, before_end: float, length: float, channel: int | None = None) -> tuple[float, float]:
    """(RMS, dominant Hz) of ``length`` seconds ending ``before_end`` seconds before the file's end."""
    with wave.open(str(path)) as w:
        rate, ch = w.getframerate(), w.getnchannels()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float)
    x = x.reshape(-1, ch)
    x = x[:, channel] if channel is not None else x.mean(axis=1)
    end = len(x) - int(before_end * rate)
    seg = x[max(0, end - int(length * rate)):end]
    if not len(seg):
        return 0.0, 0.0
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
    return float(np.sqrt(np.mean(seg * seg))), float(np.argmax(spec) * rate / len(seg))


async def captured_call(live: Live) -> tuple[AmiCapture, object, object, object]:
    """Start ``live`` with an AMI capture beside the server, agent ann (7001) and caller 1000 talking:
    (capture, agent phone, caller phone, the live call)."""
    await live.start()
    cap = await AmiCapture("127.0.0.1", live.ast.ami_port, "callcenter", live.ast.secret).start()
    agent = await live.phone("7001")
    caller = await live.phone("1000")
    await live.ready("ann")
    await caller.dial("5000")
    return cap, agent, caller, await _talking(live)


async def close_captured(live: Live, cap: AmiCapture | None) -> None:
    if cap is not None:
        await cap.stop()
    await live.close()


def keep_capture(cap: AmiCapture, name: str, header: list[str]) -> None:
    """Save the transcript as ``name`` in CALLCENTER_LIVE_CAPTURE_DIR when it is set."""
    out = os.environ.get("CALLCENTER_LIVE_CAPTURE_DIR")
    if out:
        cap.save(Path(out) / name, header)


async def test_hold_music_for_the_caller_silence_for_the_agent_then_two_way_again(tmp_path):
    live = Live(tmp_path, overrides={"recordings.policy": "always", "recordings.min_free_mb": 0,
                                     "recordings.job_poll_interval": 0.2})
    cap = None
    try:
        cap, agent, caller, call = await captured_call(live)
        await asyncio.sleep(3.0)
        cap.note("engine: hold (AMI Redirect of the agent leg to cc-agent-hold)")
        st, body = await live.api("POST", f"/api/calls/{call.call_id}/hold")
        assert st == 200 and body["on_hold"], body
        await asyncio.sleep(4.0)
        assert set(await live.channels()) == {call.channel, call.agent_channel}     # both legs still up
        cap.note("engine: resume (the caller's AGI runs EXEC Bridge <agent leg> again)")
        st, body = await live.api("POST", f"/api/calls/{call.call_id}/unhold")
        t_unhold = time.monotonic()
        assert st == 200 and body["held_s"] >= 3.5, body
        await asyncio.sleep(3.0)
        cap.note("phone 1000 hangs up (BYE)")
        t_end = time.monotonic()
        await caller.hangup()
        await live.settle()

        rec = await live.finished_recording(call.call_id)
        [cdr] = await live.cdrs()
    finally:
        await close_captured(live, cap)
    keep_capture(cap, "live-cc-hold.txt", [
            "Real Asterisk 22.10.1 (private instance of tests/live), AMI user callcenter of asterisk_conf/manager.conf",
            "(read = system,call), the project's asterisk_conf/ dialplan; baresip phones 1000 (caller) and 7001 (agent):",
            "hold = Redirect of the agent leg alone (BridgeLeave agent, caller, BridgeDestroy; MusicOnHoldStart on the",
            "caller from SET MUSIC on), resume = EXEC Bridge again (BridgeCreate, BridgeEnter agent, caller). Format as in ami-*.txt."])
    ev = cap.events()
    held = [(e["Event"], e.get("Channel")) for e in ev if e.get("Event") in ("BridgeLeave", "BridgeDestroy",
                                                                              "BridgeEnter", "MusicOnHoldStart")]
    assert ("BridgeEnter", call.agent_channel) in held and ("MusicOnHoldStart", call.channel) in held
    assert cdr["data"]["holds"] == 1 and cdr["data"]["held_s"] >= 3.5 and cdr["data"]["ended_by"] == "caller"
    await asyncio.sleep(0)
    after = t_end - t_unhold                      # seconds of conversation after the resume
    heard_by_agent, heard_by_caller = agent.recordings()[-1], caller.recordings()[-1]    # written by close()
    # on hold (well inside the 4 s): the caller hears music, not the agent's tone; the agent hears nothing
    c_rms, c_hz = window(heard_by_caller, after + 1.0, 2.0)
    a_rms, _ = window(heard_by_agent, after + 1.0, 2.0)
    assert c_rms > 200 and abs(c_hz - AGENT_TONE["7001"]) > 15, (c_rms, c_hz)
    assert a_rms < 100, f"the agent heard something on hold (rms {a_rms:.0f})"
    # resumed: each hears the other's tone again
    assert abs(window(heard_by_agent, 0.5, 1.5)[1] - CALLER_TONE) < 15
    assert abs(window(heard_by_caller, 0.5, 1.5)[1] - AGENT_TONE["7001"]) < 15
    # the recording (MixMonitor on the caller's channel: left caller, right what the caller hears) goes on
    # during hold and has the hold music on its right channel
    assert rec["status"] == "ready", rec
    r_rms, r_hz = window(Path(rec["path"]), after + 1.0, 2.0, channel=1)
    l_rms, l_hz = window(Path(rec["path"]), after + 1.0, 2.0, channel=0)
    assert r_rms > 100 and abs(r_hz - AGENT_TONE["7001"]) > 15, (r_rms, r_hz)
    assert abs(l_hz - CALLER_TONE) < 15


async def test_caller_hangs_up_on_hold_and_the_agent_leg_is_released(live):
    await live.phone("7001")
    caller = await live.phone("1000")
    await live.ready("ann")
    await caller.dial("5000")
    call = await _talking(live)
    agent_leg = call.agent_channel
    await asyncio.sleep(2.0)
    assert (await live.api("POST", f"/api/calls/{call.call_id}/hold"))[0] == 200
    await asyncio.sleep(2.0)
    t0 = time.monotonic()
    await caller.hangup()
    await live.wait_for(lambda: _gone(live, agent_leg), 5, 0.05)
    assert time.monotonic() - t0 < 2.0, "the parked agent leg must be released at once"
    await live.settle()
    [cdr] = await live.cdrs()
    assert cdr["data"]["ended_by"] == "caller" and cdr["data"]["holds"] == 1
    ev = await live.events()
    t1 = min(e["ts"] for e in ev if e["event"] == "ChannelHungup" and e["data"].get("channel") == call.channel)
    t2 = min(e["ts"] for e in ev if e["event"] == "ChannelHungup" and e["data"].get("channel") == agent_leg)
    assert abs(t2 - t1) < 1.0, (t1, t2)


async def test_agent_hangs_up_on_hold_and_the_caller_is_released(live):
    agent = await live.phone("7001")
    caller = await live.phone("1000")
    await live.ready("ann")
    await caller.dial("5000")
    call = await _talking(live)
    await asyncio.sleep(2.0)
    assert (await live.api("POST", f"/api/calls/{call.call_id}/hold"))[0] == 200
    await asyncio.sleep(2.0)
    await agent.hangup()
    await live.wait_for(lambda: _gone(live, call.channel), 5, 0.1)
    await live.settle()
    [cdr] = await live.cdrs()
    assert cdr["data"]["ended_by"] == "agent" and cdr["data"]["holds"] == 1


async def test_transfer_to_a_queue_is_answered_by_another_agent(live):
    await live.phone("7001")
    await live.phone("7002")                        # ben: technical
    caller = await live.phone("1000")
    await live.ready("ann")
    await caller.dial("5000")                       # e2e flow: no input -> support -> ann
    call = await _talking(live)
    call_id, first_leg = call.call_id, call.agent_channel
    await live.ready("ben")
    await asyncio.sleep(2.0)
    st, body = await live.api("POST", f"/api/calls/{call_id}/transfer", json={"to": "queue:technical"})
    assert st == 200 and body["transferred_to"] == "queue:technical", body
    await live.wait_for(lambda: _gone(live, first_leg), 5, 0.1)
    await live.wait_for(lambda: live.engine.agents["ben"].state == "on_call", 30, 0.1)
    again = live.engine.calls[call_id]
    await live.wait_for(lambda: again.state == "talking" and again.agent_channel, 10, 0.1)
    await asyncio.sleep(3.0)
    await caller.hangup()
    await live.settle()
    await asyncio.sleep(1.0)
    [cdr] = await live.cdrs()
    assert cdr["call_id"] == call_id and cdr["agent"] == "ben" and cdr["queue"] == "technical"
    assert cdr["data"]["segments"][0]["agent"] == "ann" and cdr["data"]["transferred_to"] == "queue:technical"
    # audio both ways with the second agent: the caller hears ben, ben hears the caller (ben's phone records
    # from its answer, ~3 s here; silence there was reported in 3 of 4 runs on a loaded machine earlier and
    # not reproduced since: this assertion is what would show it)
    assert abs(window(await recorded(live, caller), 0.5, 2.0)[1] - AGENT_TONE["7002"]) < 15, "the caller did not hear ben"
    level, hz = window(await recorded(live, live.phones["7002"], 2.0), 0.3, 1.5)
    assert level > 500 and abs(hz - CALLER_TONE) < 15, f"ben did not hear the caller: rms {level:.0f}, {hz:.0f} Hz"


async def test_the_agent_phones_hold_key_is_counted(tmp_path):
    """baresip's own ``hold`` / ``resume`` (re-INVITE sendonly / sendrecv) on the agent's phone: Asterisk plays
    music to the caller by itself and says ``Hold`` / ``Unhold`` on the agent leg; the engine counts it like
    the desk's hold. The caller's own hold key is not counted. Set CALLCENTER_LIVE_CAPTURE_DIR to keep the
    AMI transcript (``live-phone-hold.txt``, replayed by the double: tests/engine/test_phone_hold.py)."""
    live = Live(tmp_path)
    cap = None
    try:
        cap, agent, caller, call = await captured_call(live)
        await asyncio.sleep(2.0)
        cap.note("phone 7001 (agent): baresip hold (re-INVITE a=sendonly)")
        await asyncio.to_thread(agent.command, "hold")
        await live.wait_for(lambda: call.on_hold_since is not None, 5, 0.05)
        st, view = await live.api("GET", f"/api/calls/{call.call_id}")
        assert view["on_hold"] and view["hold_by"] == "phone", view
        assert (await live.api("POST", f"/api/calls/{call.call_id}/unhold"))[0] == 409
        await asyncio.sleep(3.0)
        assert set(await live.channels()) == {call.channel, call.agent_channel}
        cap.note("phone 7001 (agent): baresip resume (re-INVITE a=sendrecv)")
        await asyncio.to_thread(agent.command, "resume")
        await live.wait_for(lambda: call.on_hold_since is None, 5, 0.05)
        await asyncio.sleep(2.0)
        cap.note("phone 1000 (caller): baresip hold")
        await asyncio.to_thread(caller.command, "hold")
        await asyncio.sleep(2.0)
        cap.note("phone 1000 (caller): baresip resume")
        await asyncio.to_thread(caller.command, "resume")
        await asyncio.sleep(2.0)
        cap.note("phone 1000 hangs up (BYE)")
        await caller.hangup()
        await live.settle()
        [cdr] = await live.cdrs()
        held = await live.events("CallHeld")
        resumed = await live.events("CallResumed")
        st, rep = await live.api("GET", "/api/reports?from=-1h&bucket=day")
    finally:
        await close_captured(live, cap)
    keep_capture(cap, "live-phone-hold.txt", [
            "Real Asterisk 22.10.1 (private instance of tests/live), AMI user callcenter of asterisk_conf/manager.conf",
            "(read = system,call), the project's asterisk_conf/ dialplan; baresip 1.0.0 phones 1000 (caller) and 7001",
            "(agent) bridged by the caller's EXEC Bridge. The agent's phone presses its own hold key (ctrl_tcp `hold`:",
            "re-INVITE a=sendonly): Hold on the agent leg (MusicClass), DeviceStateChange of the caller's device ONHOLD,",
            "MusicOnHoldStart on the caller (Asterisk's own music; the bridge stays); `resume`: Unhold, MusicOnHoldStop,",
            "caller's device INUSE. Then the caller's phone holds and resumes (Hold / Unhold on the caller's leg,",
            "music to the agent; the agent's device stays BUSY). Format as in ami-*.txt."])
    ev = [(e["Event"], e.get("Channel")) for e in cap.events() if e.get("Event") in ("Hold", "Unhold")]
    assert ev == [("Hold", call.agent_channel), ("Unhold", call.agent_channel), ("Hold", call.channel),
                  ("Unhold", call.channel)], ev
    assert cdr["data"]["holds"] == 1 and cdr["data"]["held_s"] >= 2.5, cdr["data"]
    assert [e["data"]["by"] for e in held] == ["phone"] and [e["data"]["by"] for e in resumed] == ["phone"]
    assert rep["lines"][0]["hold_time"] >= 2.5
