"""The embedded mode (``callcenter serve`` without Asterisk): a web caller runs the IVR in the engine,
queues in the ACD and talks to an agent's browser phone bridged by the engine; faults end cleanly."""
from __future__ import annotations

import asyncio

import pytest

from callcenter.media.webrtc_client import PeerClient

from .webrtc_helpers import Server, dominant_hz, loud, tone


def recorder(server: Server) -> list:
    events: list = []
    server.app.bus.subscribe(events.append)
    return events


async def until(pred, timeout: float = 10.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def answered_call(s: Server):
    """alice's browser phone registered and ready, a web caller presses 1 (billing), alice answers:
    (phone, caller, answer)."""
    phone = await s.agent_phone("alice", "tok-alice")
    caller, answer = await s.call()
    await caller.wait_message("prompt", 10)
    caller.press("1")
    assert await phone.wait_message("ring", 10)
    phone.send({"type": "answer"})
    assert await phone.wait_message("call-started", 5)
    return phone, caller, answer


def ended(events: list, call_id: str):
    return next((e for e in events if e.kind == "CallEnded" and e.call_id == call_id), None)


async def test_keys_reach_the_ivr_and_a_browser_agent_answers(tmp_path):
    async with Server(tmp_path) as s:
        events = recorder(s)
        phone = await s.agent_phone("alice", "tok-alice")
        caller, answer = await s.call()
        call_id = answer["call_id"]
        assert (await caller.wait_message("prompt", 10))["text"].startswith("For billing press 1")
        caller.press("1")
        heard = await caller.wait_message("heard", 10)
        assert heard["digits"] == "1"
        assert (await caller.wait_message("status", 10))["queue"] == "billing"
        ring = await phone.wait_message("ring", 10)
        assert ring["call_id"] == call_id and ring["data"]["CC_QUEUE"] == "billing"
        phone.send({"type": "answer"})
        assert await phone.wait_message("call-started", 5)
        await until(lambda: s.engine.agents["alice"].state == "on_call", 5, "alice on call")
        n_agent, n_caller = len(phone.heard), len(caller.heard)
        caller.say(tone(440, 1.0))
        phone.say(tone(1000, 1.0))
        await asyncio.sleep(1.6)
        assert abs(dominant_hz(loud(bytes(phone.heard[n_agent:])), 8000) - 440) < 20
        assert abs(dominant_hz(loud(bytes(caller.heard[n_caller:])), 8000) - 1000) < 20
        await caller.hangup()
        assert (await phone.wait_message("call-ended", 5))["call_id"] == call_id
        await until(lambda: ended(events, call_id) is not None, 5, "CallEnded")
        cdr = ended(events, call_id).data["cdr"]
        assert cdr["disposition"] == "answered" and cdr["agent"] == "alice" and cdr["queue"] == "billing"
        assert cdr["data"]["ended_by"] == "caller" and cdr["did"] == "8800"
        await until(lambda: s.engine.agents["alice"].state in ("wrap_up", "ready"), 5, "wrap-up")
        assert s.webrtc.phones.lines["Browser/alice"].state == "idle"      # the phone stays registered


async def test_agent_hangs_up_in_the_page_and_the_caller_is_released(tmp_path):
    async with Server(tmp_path) as s:
        events = recorder(s)
        phone, caller, answer = await answered_call(s)
        await asyncio.sleep(0.3)
        phone.send({"type": "end"})
        msg = await caller.wait_message("ended", 5)
        assert msg is not None
        await until(lambda: ended(events, answer["call_id"]) is not None, 5, "CallEnded")
        assert ended(events, answer["call_id"]).data["cdr"]["data"]["ended_by"] == "agent"
        await until(lambda: not s.webrtc.gateway.sessions.get(answer["session"]), 5, "caller session gone")


async def test_decline_and_no_answer_are_missed_offers(tmp_path):
    async with Server(tmp_path, **{"acd.rona_timeout": 1.5}) as s:
        events = recorder(s)
        phone = await s.agent_phone("alice", "tok-alice")
        caller, answer = await s.call()
        await caller.wait_message("prompt", 10)
        caller.press("1")
        await phone.wait_message("ring", 10)
        phone.send({"type": "decline"})
        assert (await phone.wait_message("ring-cancel", 5))["reason"] == "busy"
        await until(lambda: any(e.kind == "OfferMissed" for e in events), 5, "OfferMissed")
        # the router offers again after the agent is ready; let it ring out this time (RONA)
        await s.post("/api/agents/alice/ready", None, "tok-alice")
        after = len(phone.messages)
        ring = await phone.wait_message("ring", 10, after=after)
        assert ring is not None
        cancel = await phone.wait_message("ring-cancel", 5, after=after)
        assert cancel["reason"] == "no_answer"
        misses = [e.data.get("reason") for e in events if e.kind == "OfferMissed"]
        assert misses[:2] == ["busy", "no_answer"]
        await caller.hangup()
        await until(lambda: ended(events, answer["call_id"]) is not None, 5, "CallEnded")
        assert ended(events, answer["call_id"]).data["cdr"]["disposition"] == "abandoned"


async def test_vanished_caller_while_waiting_is_an_abandon(tmp_path):
    async with Server(tmp_path, **{"webrtc.media_timeout": 1.0}) as s:
        events = recorder(s)
        caller, answer = await s.call()
        await caller.wait_message("prompt", 10)
        caller.press("3")                               # sales: nobody logged in, the call waits
        await caller.wait_message("status", 10)
        caller.track.stop()                             # the tab vanished without a goodbye
        await until(lambda: ended(events, answer["call_id"]) is not None, 8, "CallEnded")
        cdr = ended(events, answer["call_id"]).data["cdr"]
        assert cdr["disposition"] == "abandoned" and cdr["queue"] == "sales"
        await until(lambda: not s.webrtc.gateway.sessions, 5, "no sessions")
        assert s.engine.calls == {}


async def test_agent_phone_vanishes_during_the_call_and_the_caller_is_released(tmp_path):
    async with Server(tmp_path) as s:
        events = recorder(s)
        phone, caller, answer = await answered_call(s)
        await phone.close()                             # the agent closed the tab
        assert await caller.wait_message("ended", 8)
        await until(lambda: ended(events, answer["call_id"]) is not None, 5, "CallEnded")
        await until(lambda: "Browser/alice" not in s.webrtc.phones.lines, 5, "phone gone")
        gone = [e for e in events if e.kind == "AgentPhoneStateChanged" and not e.data.get("registered")]
        assert gone and gone[-1].data["interface"] == "Browser/alice"


async def test_signalling_refusals_over_http(tmp_path):
    async with Server(tmp_path) as s:
        c = PeerClient()
        s.clients.append(c)
        offer = await c.offer()
        st, answer = await s.post("/webrtc/call", offer)
        assert st == 200 and answer["call_id"].startswith("web-")
        st, body = await s.post("/webrtc/call", offer)                  # the same offer again
        assert st == 409 and "replayed" in body["error"]
        st, body = await s.post("/webrtc/sessions/0000/dtmf", {"digits": "1"})
        assert st == 404
        st, body = await s.post(f"/webrtc/sessions/{answer['session']}/dtmf", {"digits": ""})
        assert st == 400 and body["field"] == "digits"
        st, body = await s.post("/webrtc/call", {"type": "offer"})
        assert st == 400
        st, body = await s.post("/api/webrtc/phone", await PeerClient().offer())     # no token
        assert st == 401
        st, body = await s.post("/api/webrtc/phone", {**await PeerClient().offer(), "agent": "dave"}, "tok-alice")
        assert st == 403
        st, body = await s.post(f"/webrtc/sessions/{answer['session']}/hangup")
        assert st == 200
        async with s.http.get(s.url + "/call") as r:
            assert r.status == 200 and "/phone/call-page.js" in await r.text()
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        async with s.http.get(s.url + "/phone/phone.js") as r:
            assert r.status == 200 and "export class BrowserPhone" in await r.text()
        async with s.http.head(s.url + "/phone/desk.js") as r:     # the desk mounts it when it is there
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/javascript")
        async with s.http.get(s.url + "/phone/..%2Fapp.py") as r:
            assert r.status == 404


async def test_web_callers_need_a_token_when_configured(tmp_path):
    async with Server(tmp_path, **{"webrtc.callers": "token"}) as s:
        c = PeerClient()
        s.clients.append(c)
        st, body = await s.post("/webrtc/call", await c.offer())
        assert st == 401 and s.webrtc.gateway.sessions == {}
        st, body = await s.post("/webrtc/call", await PeerClient().offer(), "tok-sup")
        assert st == 200


@pytest.mark.parametrize("enabled", [False])
async def test_webrtc_can_be_turned_off(tmp_path, enabled):
    async with Server(tmp_path, **{"webrtc.enabled": enabled}) as s:
        assert "webrtc" not in s.app.components
        async with s.http.get(s.url + "/call") as r:
            assert r.status == 404


async def test_the_engine_says_what_can_ring(tmp_path):
    async with Server(tmp_path) as s:
        assert s.engine.status()["telephony"] == "none"          # no Asterisk, no browser phone yet
        phone = await s.agent_phone("alice", "tok-alice")
        assert s.engine.status()["telephony"] == "browser"
        await phone.hangup()
        await until(lambda: s.engine.status()["telephony"] == "none", 5, "phone gone")
