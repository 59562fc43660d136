"""An engine restart while a call is on hold, through the whole server against the Asterisk double (the
caller's dialplan runs ``AGI(ivr)`` again when the engine goes away; the agent leg waits in
``cc-agent-hold``, whose loop the double runs from ``asterisk_conf/extensions.conf``): the call goes on
with the same agent, still on hold; if the agent left meanwhile, the caller waits in its queue again; if
the caller left, the parked agent leg hangs up by itself (CC_HOLD_CHECK) and the next engine writes the
record (``ended_by: caller``, the hold counted); a resumed leg (``EXEC Bridge <leg>,x``) is hung up when its
bridge ends. The leg's end is compared with the real Asterisk's (``live-cc-hold-caller-left-engine-away.txt``,
``live-cc-resume-x.txt``)."""
from __future__ import annotations

from tests.asterisk_double import Caller, Press
from tests.conftest import FIXTURES_DIR
from tests.e2e.conftest import center  # noqa: F401 - fixture (the double and speech_service: tests/conftest.py)
from tests.live.capture import transcript_windows

LEG_EVENTS = ("HangupRequest", "SoftHangupRequest", "BridgeLeave", "Hangup")


def captured_leg_end(name: str) -> list[str]:
    """What the real Asterisk said of the agent leg (PJSIP/7001) after the caller's BYE, in ``name``."""
    windows = transcript_windows(FIXTURES_DIR / "asterisk" / name, lambda line: "---" in line)
    after = next(w for w, text in zip(windows[1:], _notes(name)) if "hangs up" in text)
    return [m["Event"] for m in after if m.get("Event") in LEG_EVENTS and m.get("Channel", "").startswith("PJSIP/7001")]


def _notes(name: str) -> list[str]:
    return [ln for ln in (FIXTURES_DIR / "asterisk" / name).read_text().splitlines() if " --- " in ln]


def double_leg_events(center, leg: str, since: int) -> list[str]:
    return [n for n, f in center.double.model.history[since:] if n in LEG_EVENTS and f.get("Channel") == leg]


async def _held(center, agent="a01"):
    """A caller (key 2: technical) talking to ``agent``, put on hold by the agent's desk; (session, call)."""
    center.double.phone("3001").talk_seconds = None
    await center.login_agents([agent])
    s = center.call(Caller(script=[Press("2")], caller_id="5550101", max_duration=120), redial=True)
    await center.double.wait_for(lambda: center.engine.agents[agent].state == "on_call", 15)
    call = center.engine.calls[center.engine.agents[agent].call_id]
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, call.agent_channel}], 5)
    st, body = await center.api("POST", f"/api/calls/{call.call_id}/hold", token="tok-a01")
    assert st == 200, body
    await center.double.wait_for(lambda: s.c.music and s.c.variables.get("CC_HELD_LEG") == call.agent_channel, 5)
    return s, call


async def test_restart_on_hold_goes_on_with_the_same_agent(center):
    s, call = await _held(center)
    call_id, leg = call.call_id, call.agent_channel
    await center.restart()
    # the caller came back (its dialplan's AGI retry) and is on hold again, with the same agent and leg
    eng = center.engine
    await center.wait_for(lambda: call_id in eng.calls and eng.calls[call_id].state == "talking", 20)
    again = eng.calls[call_id]
    assert again.agent_id == "a01" and again.agent_channel == leg and again.on_hold_since is not None
    assert eng.agents["a01"].state == "on_call" and eng.agents["a01"].call_id == call_id
    assert center.double.channel(leg) is not None and center.double.channel(leg).context == "cc-agent-hold"
    st, view = await center.api("GET", f"/api/calls/{call_id}", token="tok-a01")
    assert st == 200 and view["on_hold"] and view["holds"] == 1, view
    # the agent resumes from the desk: the same leg is bridged to the caller again
    st, body = await center.api("POST", f"/api/calls/{call_id}/unhold", token="tok-a01")
    assert st == 200 and body["held_s"] > 0, body
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, leg}], 5)
    s.caller_hangs_up()
    await center.wait_calls([s], 15)
    await center.settle(20)
    [cdr] = await center.cdrs()
    assert cdr["call_id"] == call_id and cdr["disposition"] == "answered" and cdr["agent"] == "a01", cdr
    assert cdr["data"]["ended_by"] == "caller" and cdr["data"]["holds"] == 1 and cdr["data"]["held_s"] > 0
    assert len([e for e in await center.events("CallEnded") if e["call_id"] == call_id]) == 1
    await center.wait_for(lambda: eng.agents["a01"].state == "ready", 10)          # after its wrap-up


async def test_restart_on_hold_after_the_agent_left_requeues_the_caller(center):
    s, call = await _held(center)
    call_id, leg = call.call_id, call.agent_channel
    await center.stop()
    center.double.model.hangup(center.double.channel(leg))        # the agent hangs up while the engine is away
    await center.start()
    # the caller is back in its queue (the agent's part is a segment of the call): answered again by the
    # first free technician (a01 is free again once its phone is idle, or a05)
    await center.wait_for(lambda: call_id in center.engine.calls and center.engine.calls[call_id].segments, 40)
    await center.login_agents(["a05"])
    await center.wait_for(lambda: center.engine.calls[call_id].state == "talking"
                          and center.engine.calls[call_id].agent_channel not in (None, leg), 30)
    s.caller_hangs_up()
    await center.wait_calls([s], 15)
    await center.settle(20)
    [cdr] = await center.cdrs()
    assert cdr["call_id"] == call_id and cdr["agent"] in ("a01", "a05") and cdr["disposition"] == "answered", cdr
    assert cdr["data"]["segments"][0]["agent"] == "a01" and cdr["data"]["segments"][0]["ended_by"] == "agent"
    assert len([e for e in await center.events("CallEnded") if e["call_id"] == call_id]) == 1



async def test_the_parked_leg_is_freed_when_the_caller_leaves_while_the_engine_is_away(center):
    s, call = await _held(center)
    leg = call.agent_channel
    await center.stop()
    mark = len(center.double.model.history)
    s.caller_hangs_up()                                            # nobody is there to hang the leg up
    # cc-agent-hold's loop sees the caller's channel gone within CC_HOLD_CHECK (2 s), not Wait(3600)
    await center.double.wait_for(lambda: center.double.channel(leg) is None, 10)
    # as the real Asterisk did (live-cc-hold-caller-left-engine-away.txt): the leg's own Hangup()
    assert double_leg_events(center, leg, mark) == captured_leg_end("live-cc-hold-caller-left-engine-away.txt") \
        == ["SoftHangupRequest", "Hangup"]
    await center.start()
    # the next engine closes the record: the caller ended it on hold, the hold counted
    await center.settle(20)
    cdr = await center.wait_for(_closed(center, call.call_id), 40)
    assert cdr["disposition"] == "answered" and cdr["agent"] == "a01", cdr
    assert cdr["data"]["ended_by"] == "caller" and cdr["data"]["holds"] == 1 and cdr["data"]["held_s"] > 0, cdr
    assert cdr["data"]["on_hold"] is None
    await center.wait_for(lambda: center.engine.agents["a01"].state == "ready", 30)


async def test_the_next_engine_hangs_up_the_parked_leg_of_a_caller_gone_meanwhile(center):
    """A dialplan whose hold loop is slow (CC_HOLD_CHECK 60 s here, or an older asterisk_conf without it):
    the engine coming back finds the caller gone and hangs the parked agent leg up itself."""
    center.double.dialplan.globals["CC_HOLD_CHECK"] = "60"
    s, call = await _held(center)
    leg = call.agent_channel
    await center.stop()
    s.caller_hangs_up()
    await center.double.wait_for(lambda: center.double.channel(call.channel) is None, 10)
    assert center.double.channel(leg) is not None                 # still parked
    await center.start()
    await center.double.wait_for(lambda: center.double.channel(leg) is None, 40)
    await center.settle(20)
    cdr = await center.wait_for(_closed(center, call.call_id), 40)
    assert cdr["data"]["ended_by"] == "caller" and cdr["data"]["held_s"] > 0, cdr


async def test_a_resumed_leg_is_hung_up_when_its_bridge_ends_however_short(center):
    """Resume = EXEC Bridge(<leg>,x): when that bridge ends the leg is hung up by Asterisk, it never goes
    back into cc-agent-hold's loop (the guard tried before kept such a leg parked)."""
    s, call = await _held(center)
    leg = call.agent_channel
    st, body = await center.api("POST", f"/api/calls/{call.call_id}/unhold", token="tok-a01")
    assert st == 200, body
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, leg}], 5)
    assert any(cmd.startswith("EXEC Bridge") and cmd.endswith(",x") for cmd in s.c.commands), s.c.commands
    await center.stop()                          # the resumed conversation goes on in Asterisk alone
    mark = len(center.double.model.history)
    s.caller_hangs_up()
    await center.double.wait_for(lambda: center.double.channel(leg) is None, 1.5)   # at once, not CC_HOLD_CHECK
    # as the real Asterisk did (live-cc-resume-x.txt): out of the bridge and hung up, no request of its own
    assert double_leg_events(center, leg, mark) == captured_leg_end("live-cc-resume-x.txt") == ["BridgeLeave", "Hangup"]


def _closed(center, call_id):
    async def closed():
        cdrs = [c for c in await center.cdrs() if c["call_id"] == call_id]
        return cdrs[0] if cdrs and cdrs[0]["ended_at"] is not None else None
    return closed
