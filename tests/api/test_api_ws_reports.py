"""WebSocket screen pops, report endpoint."""
from __future__ import annotations

import asyncio

import pytest

from aiohttp import WSMsgType

from callcenter.events import DomainEvent

from .helpers import NOW, auth


async def _next_event(ws, timeout=2.0):
    while True:
        msg = await asyncio.wait_for(ws.receive(), timeout)
        assert msg.type == WSMsgType.TEXT
        data = msg.json()
        if data["type"] == "event":
            return data["event"]


async def test_ws_requires_token(client):
    r = await client.get("/api/ws")
    assert r.status == 401


async def test_agent_gets_only_own_screen_pop_supervisor_gets_all(client, bus):
    a1 = await client.ws_connect("/api/ws?token=tok-a1")
    sup = await client.ws_connect("/api/ws", headers=auth("tok-sup"))
    hello = (await a1.receive()).json()
    assert hello == {"type": "hello", "principal": {"user": "alice", "role": "agent", "agent_id": "a1"}}
    await sup.receive()
    bus.publish(DomainEvent("AgentOffered", NOW, call_id="c7", agent_id="a2", queue="support",
                            data={"caller": "5551234"}))
    bus.publish(DomainEvent("AgentOffered", NOW, call_id="c8", agent_id="a1", queue="support",
                            data={"caller": "5559999", "ivr": {"account": "42", "intent": "billing"}}))
    ev = await _next_event(a1)
    assert ev["call_id"] == "c8" and ev["data"]["ivr"]["intent"] == "billing"
    got = [await _next_event(sup), await _next_event(sup)]
    assert [e["call_id"] for e in got] == ["c7", "c8"]
    await a1.send_json({"type": "ping"})
    assert (await a1.receive()).json() == {"type": "pong"}
    await a1.close()
    await sup.close()


async def test_report_json_and_csv(client):
    r = await client.get("/api/reports?from=-2h&bucket=hour", headers=auth("tok-sup"))
    assert r.status == 200
    data = await r.json()
    [line] = data["lines"]
    assert line["queue"] == "support" and line["offered"] == 1 and line["answered"] == 1
    assert line["asa"] == 5.0 and line["aht"] == 60.0 and line["service_level"] == 100.0
    r = await client.get("/api/reports?from=-2h&by=agent&format=csv", headers=auth("tok-sup"))
    text = await r.text()
    assert r.headers["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("bucket,agent,answered")
    assert ",a2,1," in text.splitlines()[1]


async def test_ws_bad_message_gets_json_error(client):
    ws = await client.ws_connect("/api/ws?token=tok-sup&queues=0")
    await ws.receive()
    await ws.send_str("{not json")
    msg = (await ws.receive()).json()
    assert msg["type"] == "error" and msg["field"] == "message"
    await ws.send_json({"type": "dance"})
    msg = (await ws.receive()).json()
    assert msg["type"] == "error" and msg["field"] == "type"
    await ws.close()


async def test_supervisor_gets_queue_views_agent_does_not(client):
    sup = await client.ws_connect("/api/ws?token=tok-sup")
    await sup.receive()
    msg = (await asyncio.wait_for(sup.receive(), 3)).json()
    assert msg["type"] == "queues" and msg["queues"][0]["name"] == "support" and msg["now"] == NOW
    agent = await client.ws_connect("/api/ws?token=tok-a1")
    await agent.receive()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(agent.receive(), 0.3)
    quiet = await client.ws_connect("/api/ws?token=tok-sup&queues=0")
    await quiet.receive()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(quiet.receive(), 0.3)
    for ws in (sup, agent, quiet):
        await ws.close()
