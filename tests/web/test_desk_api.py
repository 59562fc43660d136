"""The desk's routes (callcenter/api/desk.py) against the whole server: settings, the agent's own
figures, hang-up from the desk, wrap-up code and notes stored with the call, the caller's previous
calls; and an agent's token refused on everything that is not its own."""
from __future__ import annotations

from tests.asterisk_double import Caller, Press


async def _answered_call(center, caller_id="5550142", talk=30.0):
    center.double.phone("3001").talk_seconds = talk          # a01 stays on the line until hung up
    await center.login_agents(["a01"])
    s = center.call(Caller(script=[Press("2")], caller_id=caller_id))
    await center.double.wait_for(lambda: center.engine.agents["a01"].state == "on_call", 15)
    return s, center.engine.agents["a01"].call_id


async def test_settings_and_today(center):
    st, body = await center.api("GET", "/api/desk/settings", token="tok-a01")
    assert st == 200 and "lunch" in body["pause_reasons"] and "resolved" in body["wrapup_codes"]
    assert body["alerts"]["waiting"] == 1                        # web.alert_waiting of the test server
    st, body = await center.api("GET", "/api/agents/a01/today", token="tok-a01")
    assert st == 200 and body["agent_id"] == "a01"
    assert (await center.api("GET", "/api/agents/a00/today", token="tok-a01"))[0] == 403
    assert (await center.api("GET", "/api/agents/a00/today", token="tok-sup"))[0] == 200


async def test_hangup_wrapup_history(center):
    first, call1 = await _answered_call(center)
    assert (await center.api("POST", "/api/agents/a00/hangup", token="tok-a01"))[0] == 403
    st, body = await center.api("POST", "/api/agents/a01/hangup", token="tok-a01")
    assert st == 200 and body["hung_up"], body
    await center.wait_calls([first], 10)
    st, body = await center.api("POST", f"/api/calls/{call1}/wrapup", token="tok-a01",
                                json={"code": "resolved", "notes": "reset the router"})
    assert st == 200, body
    assert (await center.api("POST", f"/api/calls/{call1}/wrapup", token="tok-a01",
                             json={"code": "nonsense"}))[0] == 400
    assert (await center.api("POST", f"/api/calls/{call1}/wrapup", token="tok-a00",
                             json={"code": "resolved"}))[0] == 403
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["data"]["ended_by"] == "agent"
    assert cdr["data"]["wrapup"]["code"] == "resolved" and cdr["data"]["wrapup"]["notes"] == "reset the router"
    assert [e["call_id"] for e in await center.events("CallWrappedUp")] == [call1]

    await center.double.wait_for(lambda: center.engine.agents["a01"].state == "ready", 5)
    second, call2 = await _answered_call(center)
    st, body = await center.api("GET", f"/api/calls/{call2}/history", token="tok-a01")
    assert st == 200 and body["caller"] == "5550142"
    assert [c["call_id"] for c in body["calls"]] == [call1] and body["calls"][0]["wrapup"]["code"] == "resolved"
    assert (await center.api("GET", f"/api/calls/{call2}/history", token="tok-a00"))[0] == 403
    assert (await center.api("POST", f"/api/calls/{call2}/hangup", token="tok-a01"))[0] == 403   # supervisor route
    assert (await center.api("POST", f"/api/calls/{call2}/hangup", token="tok-sup"))[0] == 200
    await center.wait_calls([second], 10)


async def test_hold_routes_agent_own_call_supervisor_any(center):
    s, call_id = await _answered_call(center)
    path = f"/api/calls/{call_id}"
    st, body = await center.api("POST", path + "/hold", token="tok-a00")         # another agent's call
    assert st == 404 and body["field"] == "call_id", body
    assert (await center.api("POST", path + "/hold", token=None))[0] == 401
    assert (await center.api("POST", "/api/calls/nope/hold", token="tok-sup"))[0] == 404
    st, body = await center.api("POST", path + "/hold", token="tok-a01")
    assert st == 200 and body["on_hold"], body
    assert (await center.api("POST", path + "/unhold", token="tok-a00"))[0] == 404
    st, body = await center.api("POST", path + "/unhold", token="tok-sup")       # a supervisor: any call
    assert st == 200 and not body["on_hold"] and body["holds"] == 1, body
    st, body = await center.api("POST", path + "/hold", token="tok-a01", json={"x": 1})
    assert st == 400 and body["field"] == "x", body                                # no body fields
    st, spec = await center.api("GET", "/api/openapi.json", token=None)
    assert {"/api/calls/{call_id}/hold", "/api/calls/{call_id}/unhold"} <= set(spec["paths"])
    assert (await center.api("POST", "/api/agents/a01/hangup", token="tok-a01"))[0] == 200
    await center.wait_calls([s], 10)


async def test_blind_transfer_from_the_desk(center):
    s, call_id = await _answered_call(center, caller_id="5550177")
    assert (await center.api("POST", f"/api/calls/{call_id}/transfer", token="tok-a00", json={"to": "a02"}))[0] == 404
    st, body = await center.api("POST", f"/api/calls/{call_id}/transfer", token="tok-a01", json={"to": " "})
    assert st == 400 and body["field"] == "to", body
    st, body = await center.api("POST", f"/api/calls/{call_id}/transfer", token="tok-a01", json={"to": "a02"})
    assert st == 200 and body["transferred_to"] == "3002", body             # the agent's extension
    await center.wait_calls([s], 10)
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "answered" and cdr["agent"] == "a01"
    assert cdr["data"]["ended_by"] == "transfer" and cdr["data"]["transferred_to"] == "3002"
    assert s.c.variables.get("CC_AGI_STATUS") == "transfer" and s.c.variables.get("CC_TRANSFER_EXTEN") == "3002"
    assert [e["data"]["to"] for e in await center.events("CallTransferRequested")] == ["3002"]
