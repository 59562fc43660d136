"""An engine restart while a call is on hold, through the whole server against the Asterisk double (the
caller's dialplan runs ``AGI(ivr)`` again when the engine goes away; the agent leg waits in
``cc-agent-hold``, whose loop the double runs from ``asterisk_conf/extensions.conf``): the call goes on
with the same agent, still on hold; if the agent left meanwhile, the caller waits in its queue again; if
the caller left, the parked agent leg hangs up by itself."""
from __future__ import annotations

from tests.asterisk_double import Caller, Press
from tests.e2e.conftest import center  # noqa: F401 - fixture (the double and speech_service: tests/conftest.py)


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

