"""Live: an engine restart while a call is on hold, through a real Asterisk 22 with real phones (baresip: each
phone sends its own tone). The caller hears music while the engine is away (its AGI session, then the
dialplan's retry); the next engine goes on with the call, same agent, still on hold; resumed, both hear each
other; the call's recording (MixMonitor, started before the restart) is taken over by the next engine and is
final when the call ends, with the whole call in it. Set CALLCENTER_LIVE_CAPTURE_DIR to keep the AMI transcript (``live-cc-restart-hold.txt``)."""
from __future__ import annotations

import asyncio
from pathlib import Path

from .live import AGENT_TONE, CALLER_TONE, Live
from .test_live_calls import _gone
from .test_live_hold import captured_call, close_captured, keep_capture, recorded, window


async def _hold(live: Live, call) -> None:
    st, body = await live.api("POST", f"/api/calls/{call.call_id}/hold")
    assert st == 200 and body["on_hold"], body


async def test_engine_restart_on_hold_goes_on_with_the_same_agent(tmp_path):
    live = Live(tmp_path, overrides={"recordings.policy": "always", "recordings.min_free_mb": 0,
                                     "recordings.job_poll_interval": 0.2})
    cap = None
    try:
        cap, agent, caller, call = await captured_call(live)
        call_id, leg = call.call_id, call.agent_channel
        await asyncio.sleep(2.0)
        cap.note("engine: hold")
        await _hold(live, call)
        await asyncio.sleep(2.0)
        cap.note("engine stops (the caller's AGI session closed without CC_AGI_STATUS)")
        await live.stop_engine()
        await asyncio.sleep(5.0)
        assert set(await live.channels()) == {call.channel, leg}             # both legs still up
        cap.note("engine starts again")
        await live.start_engine()
        eng = live.engine
        await live.wait_for(lambda: call_id in eng.calls and eng.calls[call_id].state == "talking", 30, 0.2)
        again = eng.calls[call_id]
        assert again.agent_id == "ann" and again.agent_channel == leg and again.on_hold_since is not None
        assert eng.agents["ann"].state == "on_call"
        await asyncio.sleep(2.0)
        cap.note("engine: resume (EXEC Bridge of the same agent leg)")
        st, body = await live.api("POST", f"/api/calls/{call_id}/unhold")
        assert st == 200, body
        await asyncio.sleep(8.0)            # on past the restart + 10 s (where the old recovery closed the recording)
        cap.note("phone 1000 hangs up (BYE)")
        await caller.hangup()
        await live.wait_for(lambda: _gone(live, leg), 15, 0.1)
        await live.settle()
        [cdr] = await live.cdrs()
        rec = await live.finished_recording(call_id, 30)
        heard_by_agent, heard_by_caller = await recorded(live, agent), await recorded(live, caller)
    finally:
        await close_captured(live, cap)
    keep_capture(cap, "live-cc-restart-hold.txt", [
        "Real Asterisk 22.10.1 (private instance of tests/live), the project's asterisk_conf/; baresip 1000 (caller)",
        "and 7001 (agent). Hold (Redirect of the agent leg to cc-agent-hold; a CHANNEL_EXISTS loop there at the",
        "time of this capture, not landed; Newexten not in read=system,call), the engine stops (the caller's AGI ends; [cc-inbound] runs",
        "MusicOnHold then AGI again until the engine is back), the next engine goes on on hold, resume =",
        "EXEC Bridge of the same leg. Format as in ami-*.txt."])
    assert cdr["call_id"] == call_id and cdr["disposition"] == "answered" and cdr["agent"] == "ann", cdr
    assert cdr["data"]["ended_by"] == "caller" and cdr["data"]["holds"] == 1 and cdr["data"]["held_s"] >= 8.0
    # resumed after the restart: each hears the other's tone again
    assert abs(window(heard_by_agent, 0.5, 1.5)[1] - CALLER_TONE) < 15
    assert abs(window(heard_by_caller, 0.5, 1.5)[1] - AGENT_TONE["7001"]) < 15
    # the recording went on across the restart and was final when the call ended: it holds the whole call,
    # the conversation after the resume included (caller left, agent right)
    assert rec["status"] == "ready" and abs(rec["ended_at"] - cdr["ended_at"]) < 3.0, (rec, cdr["ended_at"])
    assert rec["duration"] >= cdr["ended_at"] - cdr["answered_at"] - 3.0, (rec, cdr)
    assert abs(window(Path(rec["path"]), 1.0, 2.0, channel=0)[1] - CALLER_TONE) < 15
    assert abs(window(Path(rec["path"]), 1.0, 2.0, channel=1)[1] - AGENT_TONE["7001"]) < 15

