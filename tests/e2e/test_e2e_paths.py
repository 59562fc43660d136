"""One call at a time through the whole server and the Asterisk double: answer, RONA, abandon,
callback, screen pop, feature codes, supervisor actions."""
from __future__ import annotations

import asyncio

from tests.asterisk_double import Caller, Customer, Press, Say


async def test_dtmf_call_answered_bridged_wrapup(center):
    await center.login_agents(["a00", "a01"])
    s = center.call(Caller(script=[Press("1"), Press("123456#")], caller_id="5550100"))
    await center.wait_calls([s], 20)
    await center.settle()
    caller = s.c
    assert caller.bridged_to and caller.bridged_to[0].startswith("PJSIP/3000-")   # a00 is the billing agent
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "answered" and cdr["queue"] == "billing" and cdr["agent"] == "a00"
    assert cdr["data"]["ivr"]["account"] == "123456" and cdr["ended_at"] >= cdr["answered_at"]
    assert cdr["talk_s"] > 0.3
    kinds = [e["event"] for e in await center.events() if e["call_id"] == cdr["call_id"]]
    for k in ("CallArrived", "IvrFinished", "CallQueued", "AgentOffered", "CallAnswered", "CallCompleted",
              "CallEnded"):
        assert k in kinds
    await center.double.wait_for(lambda: center.engine.agents["a00"].state == "ready", 3)
    states = [e["data"]["state"] for e in await center.events("AgentStateChanged") if e["agent"] == "a00"]
    assert states[-4:] == ["offered", "on_call", "wrap_up", "ready"]


async def test_speech_call(center, speech_wavs):
    await center.login_agents(["a02"])                          # the only sales agent logged in
    s = center.call(Caller(script=[Say(speech_wavs["sales"])]))
    await center.wait_calls([s], 20)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["queue"] == "sales" and cdr["agent"] == "a02" and cdr["disposition"] == "answered"
    assert any(t["kind"] == "recognition" for t in cdr["ivr_trace"])


async def test_rona_requeues_to_another_agent(center):
    center.double.phone("3000").answer_after = None           # a00 never answers
    await center.login_agents(["a00", "a03"])                  # both do billing
    s = center.call(Caller(script=[Press("1"), Press("1234#")]))
    await center.wait_calls([s], 30)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "answered"
    missed = await center.events("OfferMissed")
    if cdr["agent"] == "a03" and missed:
        assert missed[0]["agent"] == "a00" and missed[0]["data"]["reason"] == "no_answer"


async def test_abandon_while_waiting(center):
    s = center.call(Caller(script=[Press("3")], hangup_after=1.5))   # nobody logged in
    await center.wait_calls([s], 10)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "abandoned" and cdr["queue"] == "sales" and cdr["hold_s"] > 0.5
    st, q = await center.api("GET", "/api/queues/sales")
    assert q["abandoned"] == 1 and q["calls_waiting"] == 0
    assert [e["queue"] for e in await center.events("CallAbandoned")] == ["sales"]


async def test_callback_keeps_place_and_is_called(center):
    center.engine.callback_after_default["billing"] = 0.5
    center.double.add_customer(Customer("5557777", answer_after=0.1))
    s = center.call(Caller(script=[Press("1"), Press("1234#"), Press("1")], caller_id="5557777"))
    await center.wait_calls([s], 15)
    assert (await center.events("CallbackRequested"))
    await center.login_agents(["a00"])
    await center.settle(15)
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "answered" and cdr["agent"] == "a00"
    assert cdr["data"]["callback_number"] == "5557777"
    assert any(a.get("Channel") == "Local/5557777@cc-outbound" for a in center.double.actions_named("Originate"))


async def test_screen_pop_on_agent_websocket(center):
    await center.login_agents(["a01"])
    ws = await center.http.ws_connect(center.url + "/api/ws?token=tok-a01")
    hello = await ws.receive_json()
    assert hello["principal"]["agent_id"] == "a01"
    s = center.call(Caller(script=[Press("2")], caller_id="5550123", caller_name="Ada"))
    pop = None
    while pop is None:
        msg = await asyncio.wait_for(ws.receive_json(), 10)
        if msg["type"] == "event" and msg["event"]["kind"] == "AgentOffered":
            pop = msg["event"]
    assert pop["agent_id"] == "a01" and pop["data"]["caller"] == "5550123"
    assert pop["data"]["ivr"]["department"] == "technical"
    await center.wait_calls([s], 20)
    await ws.close()


async def test_supervisor_moves_a_waiting_call(center):
    s = center.call(Caller(script=[Press("3")]))                  # sales, nobody logged in
    await center.double.wait_for(lambda: any(c.state == "waiting" for c in center.engine.calls.values()), 10)
    [call_id] = list(center.engine.calls)
    st, body = await center.api("POST", f"/api/calls/{call_id}/move", json={"queue": "support"})
    assert st == 200 and body["queue"] == "support", body
    st, body = await center.api("POST", f"/api/calls/{call_id}/priority", json={"priority": 9})
    assert st == 200 and body["priority"] == 9
    await center.login_agents(["a02"])                          # a sales agent, also in support
    await center.wait_calls([s], 20)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["queue"] == "support" and cdr["disposition"] == "answered"


async def test_phone_feature_codes(center):
    c = await center.double.call(Caller(path="agent/login", caller_id="3005", script=[]), center.agi_port)
    assert c.variables.get("CC_RESULT") == "ok"
    assert center.engine.agents["a05"].state == "paused"
    c = await center.double.call(Caller(path="agent/pause/a05/lunch", caller_id="3005"), center.agi_port)
    assert center.engine.agents["a05"].reason == "lunch"
    c = await center.double.call(Caller(path="agent/ready", caller_id="3005"), center.agi_port)
    assert center.engine.agents["a05"].state == "ready"
    c = await center.double.call(Caller(path="agent/logout", caller_id="9999"), center.agi_port)
    assert c.variables["CC_RESULT"].startswith("error")
