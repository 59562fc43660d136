"""The agent leg gone before the caller's ``EXEC Bridge`` (a race seen in the 1,000-call run through a real
Asterisk: the engine bridged to an agent leg that had hung up 0.3 s earlier). Asterisk's Bridge application
then finds no channel, sets ``BRIDGERESULT=NONEXISTENT`` and returns 0 (``main/features.c`` ``bridge_exec``
of 22.10.1), so ``EXEC Bridge`` answers ``200 result=0`` at once: what it answers when the agent hangs up
in the bridge (``bridge-agi-exec-bridge-agent-hangup.txt``, ``BRIDGERESULT=SUCCESS``). The engine ends the
call as the agent's hang-up either way; this test pins that nothing is lost: one record, the caller
released, the agent back, no channel left."""
from __future__ import annotations

from tests.asterisk_double import Caller, Press
from tests.e2e.conftest import center  # noqa: F401 - fixture (the double and speech_service: tests/conftest.py)


async def test_agent_leg_hung_up_between_answer_and_bridge(center):
    await center.login_agents(["a01"])
    center.double.phone("3001").talk_seconds = None
    control = center.engine.ports.control
    ring_agent = control.ring_agent
    gone: list[str] = []

    async def answered_then_gone(*args, **kw):
        """The phone answers, then its leg hangs up before the engine's EXEC Bridge (the AMI Hangup
        reaches the engine first)."""
        res = await ring_agent(*args, **kw)
        if res.outcome == "answered" and res.channel:
            center.double.model.hangup(center.double.channel(res.channel))
            await center.double.wait_for(lambda: center.double.channel(res.channel) is None, 5)
            await center.double.wait_for(lambda: any(e.get("Channel") == res.channel
                                                     for e in center.double.events("Hangup")), 5)
            gone.append(res.channel)
        return res

    control.ring_agent = answered_then_gone
    s = center.call(Caller(script=[Press("2")], caller_id="5550101"))
    await center.wait_calls([s], 15)
    await center.settle()
    assert gone, "the agent was never rung"
    # the caller's EXEC Bridge found no agent leg: 200 result=0 at once, BRIDGERESULT=NONEXISTENT
    assert any(c.startswith("EXEC Bridge " + gone[0]) for c in s.c.commands)
    assert s.c.variables.get("BRIDGERESULT") == "NONEXISTENT"
    assert "HANGUP" in s.c.verbs()                              # the engine released the caller
    [cdr] = await center.cdrs()
    assert cdr["disposition"] == "answered" and cdr["agent"] == "a01" and cdr["data"]["ended_by"] == "agent"
    assert not center.engine.calls and not center.double.model.channels
    await center.double.wait_for(lambda: center.engine.agents["a01"].state in ("wrap_up", "ready"), 5)
