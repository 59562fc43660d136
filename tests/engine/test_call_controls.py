"""Hold / resume and transfer to a queue, through the whole server against the Asterisk double (which
replays what the real Asterisk 22 does, ``tests/fixtures/asterisk/live-cc-hold.txt``): the agent leg
alone is Redirected to ``cc-agent-hold``, the caller's ``EXEC Bridge`` returns and its AGI session
plays music, resume bridges again; hold time is counted; a transfer to a queue keeps the same call."""
from __future__ import annotations

from tests.asterisk_double import Caller, Press
from tests.e2e.conftest import center  # noqa: F401 - fixture (the double and speech_service: tests/conftest.py)


async def _talking(center, agent="a01", press="2", caller_id="5550101"):
    """A caller (key 2: technical) talking to ``agent``; its session and the live call."""
    s = center.call(Caller(script=[Press(press)], caller_id=caller_id))
    await center.double.wait_for(lambda: center.engine.agents[agent].state == "on_call", 15)
    call = center.engine.calls[center.engine.agents[agent].call_id]
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, call.agent_channel}], 5)
    return s, call


def _stay(center, *exts):
    for ext in exts:
        center.double.phone(ext).talk_seconds = None        # the agent talks until hung up


async def test_hold_then_resume_bridges_again_and_counts_the_hold(center):
    _stay(center, "3001")
    await center.login_agents(["a01"])
    s, call = await _talking(center)
    path = f"/api/calls/{call.call_id}"
    assert (await center.api("POST", path + "/unhold", token="tok-a01"))[0] == 409        # not on hold
    st, body = await center.api("POST", path + "/hold", token="tok-a01")
    assert st == 200 and body["on_hold"] and body["holds"] == 1, body
    # only the agent leg moved; the caller is still in its AGI session, hearing music
    assert (call.agent_channel, "cc-agent-hold", "s") in center.double.redirects
    assert not any(r[0] == call.channel for r in center.double.redirects)
    await center.double.wait_for(lambda: s.c.music and not center.double.bridged_pairs(), 5)
    st, body = await center.api("POST", path + "/hold", token="tok-a01")
    assert st == 409 and "already on hold" in body["error"] and body["field"] == "call_id", body
    st, view = await center.api("GET", path, token="tok-sup")
    assert view["on_hold"] and view["holds"] == 1 and view["state"] == "talking"
    st, body = await center.api("POST", path + "/unhold", token="tok-a01")
    assert st == 200 and not body["on_hold"] and body["held_s"] > 0, body
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, call.agent_channel}], 5)
    assert not s.c.music
    # a second hold and resume by a supervisor
    assert (await center.api("POST", path + "/hold", token="tok-sup"))[0] == 200
    await center.double.wait_for(lambda: not center.double.bridged_pairs(), 5)
    assert (await center.api("POST", path + "/unhold", token="tok-sup"))[0] == 200
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, call.agent_channel}], 5)
    s.caller_hangs_up()
    await center.wait_calls([s], 10)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "answered" and cdr["data"]["ended_by"] == "caller"
    assert cdr["data"]["holds"] == 2 and cdr["data"]["held_s"] > 0
    held = await center.events("CallHeld")
    resumed = await center.events("CallResumed")
    assert [e["data"]["by"] for e in held] == ["a01", "sue"] and len(resumed) == 2
    assert abs(sum(e["data"]["held_s"] for e in resumed) - cdr["data"]["held_s"]) < 0.01
    [done] = await center.events("CallCompleted")
    assert done["data"]["held"] == 2 and done["data"]["heldtime"] == cdr["data"]["held_s"]
    # AHT includes hold: the talk time runs from the answer to the end, holds included
    assert done["data"]["talktime"] >= done["data"]["heldtime"]


async def test_caller_hangs_up_on_hold(center):
    _stay(center, "3001")
    await center.login_agents(["a01"])
    s, call = await _talking(center)
    agent_leg = call.agent_channel
    assert (await center.api("POST", f"/api/calls/{call.call_id}/hold", token="tok-a01"))[0] == 200
    await center.double.wait_for(lambda: s.c.music, 5)
    s.caller_hangs_up()
    await center.double.wait_for(lambda: center.double.channel(agent_leg) is None, 5)   # released at once
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["data"]["ended_by"] == "caller" and cdr["data"]["holds"] == 1 and cdr["data"]["held_s"] >= 0
    await center.double.wait_for(lambda: center.engine.agents["a01"].state == "ready", 5)


async def test_agent_hangs_up_on_hold(center):
    _stay(center, "3001")
    await center.login_agents(["a01"])
    s, call = await _talking(center)
    assert (await center.api("POST", f"/api/calls/{call.call_id}/hold", token="tok-a01"))[0] == 200
    await center.double.wait_for(lambda: s.c.music, 5)
    center.double.model.hangup(center.double.channel(call.agent_channel))        # the agent's phone: BYE
    await center.wait_calls([s], 10)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["data"]["ended_by"] == "agent" and cdr["data"]["holds"] == 1
    assert "HANGUP" in s.c.verbs()                                                  # the engine hung the caller up


async def test_transfer_to_a_queue_keeps_the_call_and_another_agent_answers(center):
    _stay(center, "3000", "3001")
    await center.login_agents(["a00", "a01"])          # a00 idle longest: support's next agent
    s, call = await _talking(center)                    # technical: only a01 has tech
    call_id, ivr = call.call_id, dict(call.ivr)
    st, body = await center.api("POST", f"/api/calls/{call_id}/transfer", token="tok-a00",
                                json={"to": "queue:support"})
    assert st == 404                                     # not a00's call
    st, body = await center.api("POST", f"/api/calls/{call_id}/transfer", token="tok-a01",
                                json={"to": "queue:nowhere"})
    assert st == 404 and body["field"] == "to" and "nowhere" in body["error"]
    st, body = await center.api("POST", f"/api/calls/{call_id}/transfer", token="tok-a01",
                                json={"to": "queue:support"})
    assert st == 200 and body["transferred_to"] == "queue:support", body
    await center.double.wait_for(lambda: center.engine.agents["a00"].state == "on_call", 10)
    again = center.engine.calls[call_id]                 # the same call, its IVR data kept
    assert again is call and again.agent_id == "a00" and again.ivr == ivr and again.queue == "support"
    assert again.skills == {} and again.language == "en-US"     # technical's skill need stays behind
    assert center.engine.agents["a01"].state in ("wrap_up", "ready")
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, call.agent_channel}], 5)
    s.caller_hangs_up()
    await center.wait_calls([s], 10)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["call_id"] == call_id and cdr["agent"] == "a00" and cdr["queue"] == "support"
    assert cdr["disposition"] == "answered" and cdr["data"]["ended_by"] == "caller"
    assert cdr["data"]["transferred_to"] == "queue:support"
    [seg] = cdr["data"]["segments"]
    assert seg["agent"] == "a01" and seg["queue"] == "technical" and seg["ended_by"] == "transfer"
    queued = [e for e in await center.events("CallQueued") if e["call_id"] == call_id]
    assert [e["queue"] for e in queued] == ["technical", "support"]
    assert queued[1]["data"]["transferred_from"] == "a01"
    completed = await center.events("CallCompleted")
    assert [(e["agent"], e["data"]["ended_by"]) for e in completed] == [("a01", "transfer"), ("a00", "caller")]
    assert len(await center.events("CallEnded")) == 1


async def test_transfer_to_a_queue_while_on_hold(center):
    _stay(center, "3000", "3001")
    await center.login_agents(["a00", "a01"])
    s, call = await _talking(center)
    assert (await center.api("POST", f"/api/calls/{call.call_id}/hold", token="tok-a01"))[0] == 200
    await center.double.wait_for(lambda: s.c.music, 5)
    st, body = await center.api("POST", f"/api/calls/{call.call_id}/transfer", token="tok-a01",
                                json={"to": "support"})                  # a queue's bare name
    assert st == 200 and body["transferred_to"] == "queue:support", body
    await center.double.wait_for(lambda: center.engine.agents["a00"].state == "on_call", 10)
    assert not center.engine.calls[call.call_id].on_hold_since
    s.caller_hangs_up()
    await center.wait_calls([s], 10)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["agent"] == "a00" and cdr["data"]["holds"] == 1
    assert cdr["data"]["segments"][0]["holds"] == 1 and cdr["data"]["segments"][0]["held_s"] >= 0


async def test_cli_hold_unhold_transfer(center):
    from tests.e2e.test_e2e_cli import cli
    _stay(center, "3000", "3001")
    await center.login_agents(["a00", "a01"])
    s, call = await _talking(center)
    rc, out, _ = await cli(center, "calls", "hold", call.call_id)
    assert rc == 0 and "on hold" in out, out
    rc, out, _ = await cli(center, "calls")
    assert rc == 0 and "talking (on hold)" in out
    rc, out, err = await cli(center, "calls", "hold", call.call_id)
    assert rc == 1 and "409" in err and "already on hold" in err
    rc, out, _ = await cli(center, "calls", "unhold", call.call_id)
    assert rc == 0 and "resumed" in out
    rc, out, _ = await cli(center, "calls", "transfer", call.call_id, "queue:support")
    assert rc == 0 and "transferred to queue:support" in out
    await center.double.wait_for(lambda: center.engine.agents["a00"].state == "on_call", 10)
    s.caller_hangs_up()
    await center.wait_calls([s], 10)
