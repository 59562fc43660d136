"""Live: the agent leg parked on hold never outlives its caller, through a real Asterisk 22 with real phones.

* The caller hangs up on hold while the engine is away: ``cc-agent-hold``'s loop (``CHANNEL_EXISTS`` of the
  caller's channel every ``CC_HOLD_CHECK`` s) hangs the agent leg up by itself; the engine coming back closes
  the record (``ended_by: caller``, the hold counted).
* Resume is ``EXEC Bridge(<leg>,x)``: a second hold still parks the leg (the Redirect wins over ``x``), and
  when a resumed bridge ends while the engine is away the leg is hung up by Asterisk at once, never taken
  back into the hold loop (what the earlier ``CHANNEL_EXISTS`` attempt got wrong).

Set CALLCENTER_LIVE_CAPTURE_DIR to keep the AMI transcripts (``live-cc-hold-caller-left-engine-away.txt``,
``live-cc-resume-x.txt``)."""
from __future__ import annotations

import asyncio
import time

from .live import AGENT_TONE, CALLER_TONE, Live
from .test_live_calls import _gone
from .test_live_hold import captured_call, close_captured, keep_capture, recorded, window
from .test_live_restart_hold import _hold

HEADER = ["Real Asterisk 22.10.1 (private instance of tests/live), the project's asterisk_conf/ (cc-agent-hold: Wait",
          "(CC_HOLD_CHECK=2) / GotoIf(CHANNEL_EXISTS(CC_CALLER_CHANNEL)) loop; resume = EXEC Bridge <leg>,x); baresip",
          "1000 (caller) and 7001 (agent). Newexten is not in read=system,call: the loop shows as the leg's Hangup."]


async def _unhold(live: Live, call) -> None:
    st, body = await live.api("POST", f"/api/calls/{call.call_id}/unhold")
    assert st == 200, body


async def _closed(live: Live, call_id: str):
    cdrs = [c for c in await live.cdrs() if c["call_id"] == call_id]
    return cdrs[0] if cdrs and cdrs[0]["ended_at"] is not None else None


async def test_caller_leaves_on_hold_while_the_engine_is_away(tmp_path):
    live = Live(tmp_path)
    cap = None
    try:
        cap, agent, caller, call = await captured_call(live)
        call_id, leg = call.call_id, call.agent_channel
        await asyncio.sleep(2.0)
        cap.note("engine: hold (Redirect of the agent leg to cc-agent-hold)")
        await _hold(live, call)
        await asyncio.sleep(2.0)
        cap.note("engine stops")
        await live.stop_engine()
        await asyncio.sleep(1.0)
        assert set(await live.channels()) == {call.channel, leg}
        cap.note("phone 1000 hangs up (BYE) while the engine is away")
        t0 = time.monotonic()
        await caller.hangup()
        await live.wait_for(lambda: _gone(live, leg), 15, 0.1)
        freed = time.monotonic() - t0
        cap.note("engine starts again")
        await live.start_engine()
        cdr = await live.wait_for(lambda: _closed(live, call_id), 60, 0.5)
        await live.wait_for(lambda: live.engine.agents["ann"].state == "ready", 30, 0.2)
    finally:
        await close_captured(live, cap)
    keep_capture(cap, "live-cc-hold-caller-left-engine-away.txt", HEADER + [
        "Hold, the engine stops, the caller hangs up (its channel in [cc-inbound]'s MusicOnHold/AGI retry): the parked",
        "leg hangs up by itself within CC_HOLD_CHECK s; the engine starts again. Format as in ami-*.txt."])
    # CC_HOLD_CHECK is 2 s: the leg goes within ~2 s of the caller (generous bound for a loaded machine)
    assert freed < 6.0, f"the parked leg stayed {freed:.1f} s after its caller left"
    hangups = [e.get("Channel") for e in cap.events() if e.get("Event") == "Hangup"]
    assert hangups.index(call.channel) < hangups.index(leg), hangups
    assert cdr["disposition"] == "answered" and cdr["agent"] == "ann", cdr
    assert cdr["data"]["ended_by"] == "caller" and cdr["data"]["holds"] == 1 and cdr["data"]["held_s"] >= 3.0, cdr


async def test_resumed_leg_is_held_again_and_hung_up_when_its_bridge_ends(tmp_path):
    live = Live(tmp_path)
    cap = None
    try:
        cap, agent, caller, call = await captured_call(live)
        call_id, leg = call.call_id, call.agent_channel
        await asyncio.sleep(1.5)
        cap.note("engine: hold")
        await _hold(live, call)
        await asyncio.sleep(1.0)
        cap.note("engine: resume (EXEC Bridge <leg>,x)")
        await _unhold(live, call)
        await asyncio.sleep(1.0)
        cap.note("engine: hold again (Redirect of the leg bridged with x)")
        await _hold(live, call)
        await asyncio.sleep(3.0)                         # longer than CC_HOLD_CHECK: the loop keeps it parked
        assert set(await live.channels()) == {call.channel, leg}, "the second hold must park the leg, not end it"
        cap.note("engine: resume again")
        await _unhold(live, call)
        await asyncio.sleep(2.5)
        cap.note("engine stops (the resumed bridge goes on in Asterisk)")
        await live.stop_engine()
        await asyncio.sleep(0.5)
        cap.note("phone 1000 hangs up (BYE)")
        t0 = time.monotonic()
        await caller.hangup()
        await live.wait_for(lambda: _gone(live, leg), 10, 0.05)
        freed = time.monotonic() - t0
        heard_by_agent, heard_by_caller = await recorded(live, agent, 2.0), await recorded(live, caller, 2.0)
        await live.start_engine()
        cdr = await live.wait_for(lambda: _closed(live, call_id), 60, 0.5)
    finally:
        await close_captured(live, cap)
    keep_capture(cap, "live-cc-resume-x.txt", HEADER + [
        "Hold, resume (EXEC Bridge <leg>,x), hold again (the Redirect parks the leg: the async goto wins over x),",
        "resume, the engine stops, the caller hangs up: Asterisk hangs the leg up as the bridge ends.",
        "Format as in ami-*.txt."])
    assert freed < 1.5, f"the resumed leg stayed {freed:.1f} s after its bridge ended"
    bridges = [(e["Event"], e.get("Channel")) for e in cap.events() if e.get("Event") == "BridgeEnter"]
    assert bridges.count(("BridgeEnter", leg)) == 3, bridges          # answer, resume, resume
    # after the second resume each hears the other
    assert abs(window(heard_by_agent, 0.3, 1.0)[1] - CALLER_TONE) < 15
    assert abs(window(heard_by_caller, 0.3, 1.0)[1] - AGENT_TONE["7001"]) < 15
    assert cdr["data"]["holds"] == 2 and cdr["agent"] == "ann", cdr
