"""Hold and transfer to a queue in the embedded mode (no Asterisk: the engine bridges a web caller and
browser agents itself): hold pauses the bridge and plays the hold music to the caller while the agent
hears nothing, resume joins them again; a transfer to a queue ends the agent's leg and the same call
is answered by another agent's browser phone."""
from __future__ import annotations

import asyncio

import numpy as np

from .test_webrtc_embedded import answered_call, ended, recorder, until
from .webrtc_helpers import Server, dominant_hz, loud, tone


def hears(client, since: int, hz: float) -> bool:
    """``client`` has heard a tone of ``hz`` since byte ``since`` of what it received."""
    got = loud(bytes(client.heard[since:]))
    return len(got) >= 8000 and abs(dominant_hz(got, 8000) - hz) < 20


def rms(pcm: bytes) -> float:
    x = np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2").astype(float)
    return float(np.sqrt(np.mean(x * x))) if len(x) else 0.0


async def test_hold_plays_music_to_the_caller_and_resume_joins_again(tmp_path):
    async with Server(tmp_path) as s:
        events = recorder(s)
        phone, caller, answer = await answered_call(s)
        call_id = answer["call_id"]
        await until(lambda: s.engine.agents["alice"].state == "on_call", 5, "alice on call")
        st, body = await s.post(f"/api/calls/{call_id}/hold", None, "tok-dave")       # not dave's call
        assert st == 404, body
        st, body = await s.post(f"/api/calls/{call_id}/hold", None, "tok-alice")
        assert st == 200 and body["on_hold"], body
        await until(lambda: any(m.get("type") == "status" and m.get("state") == "held" for m in caller.messages),
                    5, "the caller's page told it is on hold")
        n_agent, n_caller = len(phone.heard), len(caller.heard)
        caller.say(tone(1000, 1.5))
        await asyncio.sleep(2.0)
        await until(lambda: len(caller.heard) - n_caller >= 2 * 8000 * 1.5, 10, "1.5 s heard by the caller")
        held_caller = bytes(caller.heard[n_caller:])
        held_agent = bytes(phone.heard[n_agent:])
        assert rms(held_caller) > 300, "the caller hears the hold music"
        assert dominant_hz(held_caller, 8000) < 600                       # the arpeggio, not the agent
        assert rms(held_agent) < 50, "the agent hears nothing of the caller while on hold"
        st, body = await s.post(f"/api/calls/{call_id}/hold", None, "tok-alice")
        assert st == 409 and "already on hold" in body["error"]
        st, body = await s.post(f"/api/calls/{call_id}/unhold", None, "tok-alice")
        assert st == 200 and not body["on_hold"] and body["held_s"] > 1.5, body
        n_agent = len(phone.heard)
        caller.say(tone(440, 1.0))
        await until(lambda: hears(phone, n_agent, 440), 10, "the agent hears the caller again")
        await caller.hangup()
        await until(lambda: ended(events, call_id) is not None, 5, "CallEnded")
        cdr = ended(events, call_id).data["cdr"]
        assert cdr["data"]["holds"] == 1 and cdr["data"]["held_s"] > 1.5
        assert [e.kind for e in events if e.kind in ("CallHeld", "CallResumed")] == ["CallHeld", "CallResumed"]


async def test_transfer_to_a_queue_then_another_browser_agent_answers(tmp_path):
    async with Server(tmp_path) as s:
        events = recorder(s)
        dave = await s.agent_phone("dave", "tok-dave")                  # sales
        phone, caller, answer = await answered_call(s)                  # billing: alice
        call_id = answer["call_id"]
        await until(lambda: s.engine.agents["alice"].state == "on_call", 5, "alice on call")
        st, body = await s.post(f"/api/calls/{call_id}/hold", None, "tok-alice")
        assert st == 200
        st, body = await s.post(f"/api/calls/{call_id}/transfer", {"to": "queue:sales"}, "tok-alice")
        assert st == 200 and body["transferred_to"] == "queue:sales", body
        assert (await phone.wait_message("call-ended", 5))["call_id"] == call_id   # alice's leg ended
        ring = await dave.wait_message("ring", 10)
        assert ring["call_id"] == call_id                               # the same call
        dave.send({"type": "answer"})
        assert await dave.wait_message("call-started", 5)
        await until(lambda: s.engine.agents["dave"].state == "on_call", 5, "dave on call")
        n = len(dave.heard)
        caller.say(tone(440, 1.0))
        await until(lambda: hears(dave, n, 440), 10, "dave hears the caller")
        await caller.hangup()
        await until(lambda: ended(events, call_id) is not None, 5, "CallEnded")
        cdr = ended(events, call_id).data["cdr"]
        assert cdr["agent"] == "dave" and cdr["queue"] == "sales" and cdr["data"]["ended_by"] == "caller"
        assert [(c.agent_id, c.data["ended_by"]) for c in events if c.kind == "CallCompleted"] == [
            ("alice", "transfer"), ("dave", "caller")]
        assert s.engine.agents["alice"].state in ("wrap_up", "ready")
